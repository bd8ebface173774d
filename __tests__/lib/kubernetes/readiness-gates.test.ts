import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Password } from '@cdktf/provider-random/lib/password';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { GATES_NAMESPACE, ReadinessGates, SHELL_IMAGE, gateEnvironment } from '../../../lib/kubernetes/readiness-gates';
import { only, resources, synthConstruct } from '../../helpers/synth';
import { renderTemplate } from '../../helpers/validators';

const SCRIPT = readFileSync(join(__dirname, '../../../lib/kubernetes/readiness-gates.sh'), 'utf8');

describe('ReadinessGates', () => {
  const { json } = synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new RandomProvider(stack, 'random');
    const api = new Password(stack, 'api', { length: 8 });
    const gates = new ReadinessGates(stack, 'gates', { dependsOn: [api], registry: 'registry.internal:5000' });
    const servers = gates.gate('servers-ready', { check: { kind: 'servers', servers: 3, embeddedEtcd: true }, minutes: 25 });
    gates.gate('certificate-ready', { check: { kind: 'certificate', namespace: 'cattle-system', name: 'tls-rancher-ingress' }, minutes: 15, dependsOn: [servers] });
  });
  const jobs = resources(json, 'kubernetes_job_v1');
  const job = (name: string) => Object.values(jobs).find((j) => j.metadata.name === `rancher-aws-${name}`);
  const servers = job('servers-ready');
  const container = servers.spec.template.spec.container[0];

  it('runs each gate as a Job Terraform waits for, in a namespace of their own created once the API answers', () => {
    expect(Object.keys(jobs)).toHaveLength(2);
    expect(servers.wait_for_completion).toBe(true);
    const [nsName, ns] = only(json, 'kubernetes_namespace_v1');
    expect(ns).toMatchObject({ metadata: { name: GATES_NAMESPACE }, depends_on: ['random_password.api'] });
    expect(servers.metadata.namespace).toBe(`\${kubernetes_namespace_v1.${nsName}.metadata[0].name}`);
  });

  it("keeps the marks Rancher writes on every namespace (and only those) out of the next plan", () => {
    const [, ns] = only(json, 'kubernetes_namespace_v1');
    expect(ns.lifecycle.ignore_changes).toEqual([
      'metadata[0].annotations["lifecycle.cattle.io/create.namespace-auth"]',
      'metadata[0].annotations["cattle.io/status"]',
    ]);
  });

  it('bounds every gate: the script gives up at the budget, the Job a minute later, Terraform five minutes later', () => {
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'DEADLINE_SECONDS', value: '1500' }]));
    expect(servers.spec.active_deadline_seconds).toBe(1560);
    expect(servers.timeouts).toEqual({ create: '30m', update: '30m' });
    expect(servers.spec.backoff_limit).toBe(1);
  });

  it('runs the shipped script in the image Rancher\'s chart hooks use, from the air-gap registry when set', () => {
    expect(container.image).toBe(`registry.internal:5000/${SHELL_IMAGE.repository}:${SHELL_IMAGE.tag}`);
    expect(container.command.slice(0, 2)).toEqual(['bash', '-c']);
    // Terraform renders the escaped script back to the file, byte for byte.
    expect(renderTemplate(container.command[2], (e) => { throw new Error(e); })).toBe(SCRIPT);
  });

  it('runs unprivileged, read-only, with a small writable /tmp', () => {
    expect(servers.spec.template.spec.security_context).toEqual({ run_as_non_root: true, run_as_user: '1000', seccomp_profile: { type: 'RuntimeDefault' } });
    expect(container.security_context).toEqual({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volume_mount).toEqual([{ name: 'tmp', mount_path: '/tmp' }]);
    expect(servers.spec.template.spec.restart_policy).toBe('Never');
  });

  it('may read only what the checks read, and create an Ingress only in its own namespace (dry runs)', () => {
    const [, role] = only(json, 'kubernetes_cluster_role_v1');
    expect(role.rule).toEqual([
      { api_groups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list'] },
      { api_groups: ['apps'], resources: ['daemonsets', 'deployments'], verbs: ['get'] },
      { api_groups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['get'] },
      { api_groups: ['cert-manager.io'], resources: ['certificates'], verbs: ['get'] },
    ]);
    const [, namespaced] = only(json, 'kubernetes_role_v1');
    expect(namespaced.rule).toEqual([{ api_groups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['create'] }]);
    expect(JSON.stringify(json)).not.toMatch(/"secrets"|"\*"/);
  });

  it('starts each gate only once its service account and bindings exist, and after what it is given', () => {
    const certificate = job('certificate-ready');
    const types = certificate.depends_on.map((d: string) => d.split('.')[0]).sort();
    expect(types).toEqual(['kubernetes_cluster_role_binding_v1', 'kubernetes_job_v1', 'kubernetes_role_binding_v1', 'kubernetes_service_account_v1']);
  });
});

describe('gateEnvironment', () => {
  it('passes what each check needs, and nothing unset', () => {
    expect(gateEnvironment({ kind: 'servers', servers: 1, embeddedEtcd: false })).toEqual([
      { name: 'GATE', value: 'servers' },
      { name: 'SERVERS', value: '1' },
      { name: 'EMBEDDED_ETCD', value: 'false' },
    ]);
    expect(gateEnvironment({ kind: 'admission', ingressClass: 'nginx' })).toEqual([
      { name: 'GATE', value: 'admission' },
      { name: 'INGRESS_CLASS', value: 'nginx' },
      { name: 'NAMESPACE', value: GATES_NAMESPACE },
    ]);
    expect(gateEnvironment({ kind: 'admission', ingressClass: 'traefik', controller: { namespace: 'kube-system', kind: 'daemonset', name: 'rke2-traefik' } })).toEqual([
      { name: 'GATE', value: 'admission' },
      { name: 'INGRESS_CLASS', value: 'traefik' },
      { name: 'NAMESPACE', value: GATES_NAMESPACE },
      { name: 'CONTROLLER_NAMESPACE', value: 'kube-system' },
      { name: 'CONTROLLER_KIND', value: 'daemonset' },
      { name: 'CONTROLLER', value: 'rke2-traefik' },
    ]);
  });
});
