import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { KUBERNETES_RECORD, KubernetesUpgrade, UPGRADE_TARGET_RECORD } from '../../../lib/kubernetes/private/kubernetes-upgrade';
import { GATES_NAMESPACE, ReadinessGates } from '../../../lib/kubernetes/readiness-gates';
import { SERVER_RESTART_LEASE } from '../../../lib/kubernetes/private/system-upgrade-controller';
import { gates } from '../../helpers/gates';
import { dataSources, resources, synthConstruct } from '../../helpers/synth';

describe('KubernetesUpgrade', () => {
  const { json } = synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new HelmProvider(stack, 'helm', {});
    new RandomProvider(stack, 'random');
    const api = new Password(stack, 'api', { length: 8 });
    const initialized = new Password(stack, 'initialized', { length: 8 });
    const gates = new ReadinessGates(stack, 'gates', { dependsOn: [api] });
    new KubernetesUpgrade(stack, 'upgrade', {
      gates,
      distribution: 'rke2',
      version: 'v1.35.9+rke2r1',
      servers: 3,
      minutesPerServer: 15,
      dependsOn: [api],
      readAfter: [initialized],
      rancherRunning: '""',
    });
  });
  const maps = resources(json, 'kubernetes_config_map_v1');
  const map = (name: string) => Object.entries(maps).find(([, m]) => m.metadata.name === name)!;
  const { address: gateName, release: gate } = gates(json)['rancher-aws-kubernetes-upgraded'];

  it('records the target before the gate and the running version after it, each read back (before written) by the next plan', () => {
    const [targetName, target] = map(UPGRADE_TARGET_RECORD);
    const [, running] = map(KUBERNETES_RECORD);
    expect(target.data).toEqual({ kubernetes: 'v1.35.9+rke2r1' });
    expect(running.data).toEqual({ kubernetes: 'v1.35.9+rke2r1' });
    expect(gate.depends_on).toContain(`kubernetes_config_map_v1.${targetName}`);
    expect(running.depends_on).toContain(`helm_release.${gateName}`);
    const reads = Object.entries(dataSources(json, 'kubernetes_config_map_v1'));
    expect(reads.map(([, r]) => r.metadata).sort((a, b) => a.name.localeCompare(b.name, 'en'))).toEqual([
      { name: UPGRADE_TARGET_RECORD, namespace: GATES_NAMESPACE },
      { name: KUBERNETES_RECORD, namespace: GATES_NAMESPACE },
    ]);
    for (const [readName, read] of reads) {
      // Only what says the cluster exists: a read after the API gate would be deferred by any change it waits for.
      expect(read.depends_on).toEqual(['random_password.initialized']);
      const written = map(read.metadata.name)[1];
      expect(written.depends_on).toContain(`data.kubernetes_config_map_v1.${readName}`);
    }
  });

  it('lets the gates apply the one Plan in the controller namespace only (create aside), and waits for the controller', () => {
    const [roleName, role] = Object.entries(resources(json, 'kubernetes_role_v1')).find(([name]) => name.startsWith('gates_plans-role_'))!;
    // Read and patch the one Plan by name; create cannot be narrowed to a name.
    expect(role.rule).toEqual([
      { api_groups: ['upgrade.cattle.io'], resources: ['plans'], resource_names: ['server-plan'], verbs: ['get', 'patch'] },
      { api_groups: ['upgrade.cattle.io'], resources: ['plans'], verbs: ['create'] },
    ]);
    expect(role.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.upgrade_controller_namespace_[0-9A-F]+\.metadata\[0\]\.name\}$/);
    const binding = Object.entries(resources(json, 'kubernetes_role_binding_v1')).find(([name]) => name.startsWith('gates_plans-role-binding_'))!;
    expect(binding[1].role_ref.name).toBe(`\${kubernetes_role_v1.${roleName}.metadata[0].name}`);
    expect(gate.depends_on).toContain(`kubernetes_role_binding_v1.${binding[0]}`);
    expect(gate.depends_on.some((d: string) => d.startsWith('kubernetes_deployment_v1.upgrade_controller_deployment_'))).toBe(true);
  });

  it('lets the upgrade Jobs read the certificate-renewal restart Lease, that one only (the prepare step waits while it is held)', () => {
    const [roleName, role] = Object.entries(resources(json, 'kubernetes_role_v1')).find(([name]) =>
      name.startsWith('upgrade_controller_restart-lease-role_'),
    )!;
    expect(role.metadata).toEqual({ name: 'system-upgrade-controller-restart-lease', namespace: 'kube-system' });
    expect(role.rule).toEqual([
      { api_groups: ['coordination.k8s.io'], resources: ['leases'], resource_names: [SERVER_RESTART_LEASE], verbs: ['get'] },
    ]);
    const [, binding] = Object.entries(resources(json, 'kubernetes_role_binding_v1')).find(([name]) =>
      name.startsWith('upgrade_controller_restart-lease-role-binding_'),
    )!;
    expect(binding.role_ref.name).toBe(`\${kubernetes_role_v1.${roleName}.metadata[0].name}`);
    expect(binding.subject).toEqual([
      {
        kind: 'ServiceAccount',
        name: expect.stringContaining('kubernetes_service_account_v1.upgrade_controller_service-account_'),
        namespace: expect.any(String),
      },
    ]);
    // The same Lease name in both scripts and here.
    for (const script of ['cert-renewal.sh', 'readiness-gates.sh']) {
      expect(readFileSync(join(__dirname, '../../../lib/kubernetes', script), 'utf8')).toMatch(
        new RegExp(`^(RESTART_)?LEASE=${SERVER_RESTART_LEASE}$`, 'm'),
      );
    }
  });

  it('runs the controller in a namespace that admits privileged Jobs, itself non-root, on a control-plane node', () => {
    const [, namespace] = Object.entries(resources(json, 'kubernetes_namespace_v1')).find(([name]) =>
      name.startsWith('upgrade_controller_namespace_'),
    )!;
    expect(namespace.metadata).toEqual({ name: 'system-upgrade', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
    const [deployment] = Object.values(resources(json, 'kubernetes_deployment_v1')) as any[];
    const pod = deployment.spec.template.spec;
    expect(pod.container[0].security_context).toMatchObject({ run_as_non_root: true, allow_privilege_escalation: false });
    expect(pod.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_term[0].match_expressions[0].key).toBe(
      'node-role.kubernetes.io/control-plane',
    );
    const env = Object.fromEntries(pod.container[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    expect(env.SYSTEM_UPGRADE_JOB_ACTIVE_DEADLINE_SECONDS).toBe('900');
  });

  it('puts the rules on the target record, the first thing a version change writes (nothing is written when refused)', () => {
    const [, target] = map(UPGRADE_TARGET_RECORD);
    expect(gate.lifecycle).toBeUndefined();
    expect(target.lifecycle.precondition.map((p: { error_message: string }) => p.error_message.split(':')[0])).toEqual([
      expect.stringContaining('versions.rke2 is "v1.35.9+rke2r1", but the servers run'),
      expect.stringContaining('versions.rke2 is "v1.35.9+rke2r1", but the servers run'),
      expect.stringContaining('versions.rke2 is "v1.35.9+rke2r1", but the upgrade to'),
      expect.stringContaining('versions.rke2 is "v1.35.9+rke2r1" (Kubernetes 1.35), which the running Rancher'),
      expect.stringContaining('versions.rke2 is "v1.35.9+rke2r1", but the servers run different versions'),
    ]);
    // No record: the lowest version the servers report counts as running.
    expect(target.lifecycle.precondition[0].condition).toMatch(
      /\(try\(data\.kubernetes_config_map_v1\.upgrade_running_recorded_[0-9A-F]+\.data\["kubernetes"\], ""\) != "" \? .* : try\(\[for v in try\(distinct\(\[for node in data\.kubernetes_nodes\.upgrade_node-versions_servers_[0-9A-F]+\.nodes/,
    );
  });
});
