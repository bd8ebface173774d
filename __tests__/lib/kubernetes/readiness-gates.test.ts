import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { Token } from 'cdktf';
import { GATES_NAMESPACE, ReadinessGates, SHELL_IMAGE, gateEnvironment, gateJob } from '../../../lib/kubernetes/readiness-gates';
import { gateEnv, gates } from '../../helpers/gates';
import { only, resources, synthConstruct } from '../../helpers/synth';

const SCRIPT = readFileSync(join(__dirname, '../../../lib/kubernetes/readiness-gates.sh'), 'utf8');
/** What every Job of the gate chart runs before its script: report_failure. */
const JOB_FAILURE = readFileSync(join(__dirname, '../../../lib/kubernetes/job-failure.sh'), 'utf8');

describe('ReadinessGates', () => {
  const { json } = synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new HelmProvider(stack, 'helm', {});
    new RandomProvider(stack, 'random');
    const api = new Password(stack, 'api', { length: 8 });
    const gates = new ReadinessGates(stack, 'gates', { dependsOn: [api], registry: 'registry.internal:5000' });
    const servers = gates.gate('servers-ready', { check: { kind: 'servers', servers: 3, embeddedEtcd: true }, minutes: 25 });
    gates.gate('certificate-ready', {
      check: { kind: 'certificate', namespace: 'cattle-system', name: 'tls-rancher-ingress' },
      minutes: 15,
      dependsOn: [servers],
    });
  });
  const found = gates(json);
  const servers = found['rancher-aws-servers-ready'];
  const container = servers.job.spec.template.spec.containers[0];

  it('runs each gate as a Helm release of the gate chart that Terraform waits for, Job included, in a namespace of their own', () => {
    expect(Object.keys(found).sort()).toEqual(['rancher-aws-certificate-ready', 'rancher-aws-servers-ready']);
    expect(Object.keys(resources(json, 'kubernetes_job_v1'))).toEqual([]);
    expect(servers.release).toMatchObject({ wait: true, wait_for_jobs: true, atomic: true, replace: true });
    const [nsName, ns] = only(json, 'kubernetes_namespace_v1');
    expect(ns).toMatchObject({ metadata: { name: GATES_NAMESPACE }, depends_on: ['random_password.api'] });
    expect(servers.release.namespace).toBe(`\${kubernetes_namespace_v1.${nsName}.metadata[0].name}`);
    expect(servers.job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { namespace: GATES_NAMESPACE } });
  });

  it('names the release and its Job after what the gate checks: a change is a new name (Terraform replaces the release)', () => {
    expect(servers.release.name).toBe(servers.job.metadata.name);
    expect(servers.release.name).toMatch(/^rancher-aws-servers-ready-[0-9a-f]{10}$/);
    expect(servers.release.name.length).toBeLessThanOrEqual(53); // Helm's limit for a release name
    const job = (change: Partial<Parameters<typeof gateJob>[1]>) =>
      gateJob('rancher-aws-x', {
        check: { kind: 'servers', servers: 3, embeddedEtcd: true },
        minutes: 25,
        image: 'i',
        serviceAccount: 's',
        ...change,
      });
    const names = [
      job({}),
      job({ check: { kind: 'servers', servers: 5, embeddedEtcd: true } }),
      job({ minutes: 26 }),
      job({ rerunOn: 'v2' }),
      job({ image: 'j' }),
    ].map((j) => j.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(job({}).metadata.name).toBe(names[0]); // and only a change does
  });

  it('refuses a Terraform reference in what names a gate', () => {
    expect(() =>
      gateJob('rancher-aws-x', {
        check: { kind: 'servers', servers: 3, embeddedEtcd: true },
        minutes: 25,
        image: 'i',
        serviceAccount: 's',
        rerunOn: Token.asString({ Ref: 'x' }),
      }),
    ).toThrow(/RERUN_ON is a Terraform reference/);
  });

  it('keeps the marks Rancher writes on every namespace (and only those) out of the next plan', () => {
    const [, ns] = only(json, 'kubernetes_namespace_v1');
    expect(ns.lifecycle.ignore_changes).toEqual([
      'metadata[0].annotations["lifecycle.cattle.io/create.namespace-auth"]',
      'metadata[0].annotations["cattle.io/status"]',
    ]);
  });

  it('bounds every gate: the script gives up at the budget, the Job a minute later, Helm five minutes later, the provider five after that', () => {
    expect(gateEnv(servers).DEADLINE_SECONDS).toBe('1500');
    expect(servers.job.spec.activeDeadlineSeconds).toBe(1560);
    expect(servers.job.spec.backoffLimit).toBe(1);
    expect(servers.release.timeout).toBe(30 * 60);
    expect(servers.release.timeouts).toEqual({ create: '35m', update: '35m' });
  });

  it("runs the shipped script in the image Rancher's chart hooks use, from the air-gap registry when set", () => {
    expect(container.image).toBe(`registry.internal:5000/${SHELL_IMAGE.repository}:${SHELL_IMAGE.tag}`);
    expect(container.command.slice(0, 2)).toEqual(['bash', '-c']);
    // Terraform renders the escaped values back, and the chart prints the script byte for byte, after report_failure.
    expect(container.command[2]).toBe(`${JOB_FAILURE}\n${SCRIPT}`);
    expect(servers.release.values[0]).not.toMatch(/[^$]\$\{(?!TfToken)/);
  });

  it("tells its script where a failure is recorded: its Job's name and namespace, from the downward API", () => {
    expect(container.env.filter((e: { valueFrom?: unknown }) => e.valueFrom)).toEqual([
      { name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } },
      { name: 'JOB_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
  });

  it('runs unprivileged, read-only, with a small writable /tmp', () => {
    const pod = servers.job.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }]);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe('rancher-aws-gates');
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
    expect(namespaced.rule).toEqual([
      { api_groups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['create'] },
      { api_groups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect(JSON.stringify(json)).not.toMatch(/"secrets"|"\*"/);
  });

  it('starts each gate only once its service account and bindings exist, and after what it is given', () => {
    const certificate = found['rancher-aws-certificate-ready'];
    const types = certificate.release.depends_on.map((d: string) => d.split('.')[0]).sort();
    expect(types).toEqual(['helm_release', 'kubernetes_cluster_role_binding_v1', 'kubernetes_role_binding_v1', 'kubernetes_service_account_v1']);
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
    expect(
      gateEnvironment({
        kind: 'admission',
        ingressClass: 'traefik',
        controller: { namespace: 'kube-system', kind: 'daemonset', name: 'rke2-traefik' },
      }),
    ).toEqual([
      { name: 'GATE', value: 'admission' },
      { name: 'INGRESS_CLASS', value: 'traefik' },
      { name: 'NAMESPACE', value: GATES_NAMESPACE },
      { name: 'CONTROLLER_NAMESPACE', value: 'kube-system' },
      { name: 'CONTROLLER_KIND', value: 'daemonset' },
      { name: 'CONTROLLER', value: 'rke2-traefik' },
    ]);
  });
});
