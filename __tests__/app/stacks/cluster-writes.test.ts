import type { SettingsInput } from '../../../app/config/settings-schema';
import { HELM_RELEASE_RECORD_PREFIX } from '../../../lib/kubernetes/cluster-writes';
import { GATES_NAMESPACE } from '../../../lib/kubernetes/readiness-gates';
import { SYSTEM_UPGRADE_NAMESPACE } from '../../../lib/kubernetes/private/upgrade-plan';
import { FENCE_GUARD_NAME } from '../../../lib/standby/fence-guard';
import { BACKUP_NAMESPACE } from '../../../lib/rancher/backup-objects';
import { RANCHER_NAMESPACE } from '../../../lib/rancher/namespace';
import { gates } from '../../helpers/gates';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings, type StackName, K8S_HA_STACK, RKE_HA_STACK } from '../../helpers/variants';

/**
 * Every Kubernetes and Helm resource the in-cluster stacks create, against
 * the table "What the cluster writes back" (docs/design-notes.md): the exact
 * `ignore_changes` each one carries. A resource type the table does not know
 * fails the test, so a new one is looked at before it ships; a missing or
 * broadened ignore fails it too.
 */
const NAMESPACE_WRITES = ['metadata[0].annotations["lifecycle.cattle.io/create.namespace-auth"]', 'metadata[0].annotations["cattle.io/status"]'];
const SECRET_WRITES = ['metadata[0].annotations["field.cattle.io/projectId"]'];

/** Per resource (type and Kubernetes name, or the release name), the ignore_changes it must carry; [] = none needed. */
function expectedIgnores(type: string, resource: Record<string, any>): string[] | 'all labels and annotations' {
  const name: string | undefined = resource.metadata?.name ?? resource.name;
  switch (type) {
    case 'kubernetes_namespace_v1':
      if (name === RANCHER_NAMESPACE || name === BACKUP_NAMESPACE) return 'all labels and annotations';
      if (name === GATES_NAMESPACE || name === SYSTEM_UPGRADE_NAMESPACE || name === FENCE_GUARD_NAME) return NAMESPACE_WRITES;
      break;
    case 'kubernetes_secret_v1':
      return SECRET_WRITES;
    // Nothing writes into them (see the table): no ignore, so any real drift shows.
    case 'kubernetes_service_account_v1':
    case 'kubernetes_cluster_role_v1':
    case 'kubernetes_cluster_role_binding_v1':
    case 'kubernetes_role_v1':
    case 'kubernetes_role_binding_v1':
    case 'kubernetes_job_v1':
    case 'kubernetes_config_map_v1':
    case 'kubernetes_deployment_v1':
    case 'kubernetes_cron_job_v1': // the CronJob controller writes its status only, which the provider does not read
    case 'helm_release':
    case 'kubernetes_env': // only the env entries it names (server-side apply, its own field manager)
      return [];
  }
  throw new Error(`${type} ${name}: not in "What the cluster writes back" (docs/design-notes.md); find out what the cluster writes into it`);
}

const VARIANTS: [string, StackName, SettingsInput][] = [
  ['rke-ha defaults', RKE_HA_STACK, {}],
  ['rke-ha your certificate and private CA', RKE_HA_STACK, { rancher: { tls: { issuer: 'blank', privateCA: true } } }],
  ['rke-ha CA issuer', RKE_HA_STACK, { rancher: { tls: { issuer: 'ca' } } }],
  ['rke-ha k3s', RKE_HA_STACK, { rkeHa: { distribution: 'k3s' } }],
  ['k8s-ha defaults', K8S_HA_STACK, {}],
  ['k8s-ha CA issuer', K8S_HA_STACK, { rancher: { tls: { issuer: 'ca' } } }],
  // The failover fence's guard (lib/standby/fence-guard.ts): its namespace, Secret and CronJob.
  ['k8s-ha standby', K8S_HA_STACK, { standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } } } } }],
];

const inCluster = (json: TerraformJson) =>
  Object.entries(json.resource)
    .filter(([type]) => type.startsWith('kubernetes_') || type === 'helm_release')
    .flatMap(([type, byName]) => Object.entries(byName).map(([address, resource]) => ({ type, address, resource })));

describe.each(VARIANTS)('what the cluster writes back: %s', (_name, stack, input) => {
  const json = synthSettings(stack, input).json;
  const found = inCluster(json);

  it('has in-cluster resources to check', () => {
    expect(found.length).toBeGreaterThan(5);
  });

  it.each(found.map((f) => [`${f.type}.${f.address}`, f] as const))('%s ignores exactly what the cluster writes', (_address, { type, resource }) => {
    const expected = expectedIgnores(type, resource);
    const actual: string[] = resource.lifecycle?.ignore_changes ?? [];
    if (expected === 'all labels and annotations') {
      expect(actual).toEqual(['metadata[0].labels', 'metadata[0].annotations']);
    } else {
      expect([...actual].sort()).toEqual([...expected].sort());
    }
  });
});

it("keeps each gate's release record (Helm's Secret) in the gates' namespace, beside its Job", () => {
  for (const [, stack, input] of VARIANTS) {
    const json = synthSettings(stack, input).json;
    const [namespace] = Object.entries(json.resource.kubernetes_namespace_v1).find(([, n]: [string, any]) => n.metadata.name === GATES_NAMESPACE)!;
    const found = Object.values(gates(json));
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const g of found) {
      expect(g.release.namespace).toBe(`\${kubernetes_namespace_v1.${namespace}.metadata[0].name}`);
      expect(g.job.metadata.namespace).toBe(GATES_NAMESPACE);
      expect(`${HELM_RELEASE_RECORD_PREFIX}${g.release.name}.v1`.length).toBeLessThanOrEqual(253);
    }
  }
});

it('the CA-issuer and private-CA variants do create the secrets the table covers', () => {
  const json = synthSettings(RKE_HA_STACK, { rancher: { tls: { issuer: 'ca' } } }).json;
  // The TLS secrets (the backup operator's, rancher-backups_*, are rows of their own).
  const secrets = Object.entries(json.resource.kubernetes_secret_v1 ?? {})
    .filter(([name]) => !name.startsWith('rancher-backups_'))
    .map(([, s]: [string, any]) => s.metadata.name)
    .sort();
  expect(secrets).toEqual(['rancher-ca-issuer-keypair', 'tls-ca']);
});
