/**
 * Rancher's management Clusters (`clusters.management.cattle.io/v3`) as a restored Rancher holds them, one of each
 * kind the failover must tell apart (cli/failover/after-move.ts, after rancher v2.15's imported system-agent
 * controller, pkg/controllers/management/systemagent/controller.go `shouldInstall`): `local`; an imported RKE2
 * cluster (`status.driver` rke2) and an imported K3s one known by its `provider.cattle.io` label alone (its driver still
 * `imported`), the two that need the system-agent step; a cluster Rancher provisions (annotated
 * `provisioning.cattle.io/administrated`); an imported K3s one with day-2 operations off
 * (`rancher.io/operations-enabled: "false"`); an imported EKS cluster and a generic imported one.
 */
export const MANAGEMENT_CLUSTERS = [
  { metadata: { name: 'local', labels: { 'provider.cattle.io': 'rke2' } }, spec: { displayName: 'local' }, status: { driver: 'rke2' } },
  {
    metadata: { name: 'c-7xk2p', annotations: { 'rancher.io/operations-enabled': 'system-default' } },
    spec: { displayName: 'edge-rke2' },
    status: { driver: 'rke2', provider: 'rke2' },
  },
  { metadata: { name: 'c-q9w4r', labels: { 'provider.cattle.io': 'k3s' } }, spec: { displayName: 'edge-k3s' }, status: { driver: 'imported' } },
  {
    metadata: { name: 'c-m-4bc9d2e1', annotations: { 'provisioning.cattle.io/administrated': 'true' }, labels: { 'provider.cattle.io': 'rke2' } },
    spec: { displayName: 'provisioned' },
    status: { driver: 'imported' },
  },
  {
    metadata: { name: 'c-off12', annotations: { 'rancher.io/operations-enabled': 'false' } },
    spec: { displayName: 'no-ops' },
    status: { driver: 'k3s' },
  },
  { metadata: { name: 'c-eks01', labels: { 'provider.cattle.io': 'eks' } }, spec: { displayName: 'eks' }, status: { driver: 'EKS' } },
  { metadata: { name: 'c-gen01', labels: { 'provider.cattle.io': 'rke' } }, spec: { displayName: 'generic' }, status: { driver: 'imported' } },
].map((object) => ({ apiVersion: 'management.cattle.io/v3', kind: 'Cluster', ...object }));

/** The two of them that need the step, as the report names them. */
export const NEEDING_THE_STEP = [
  { name: 'c-7xk2p', displayName: 'edge-rke2', kind: 'rke2' },
  { name: 'c-q9w4r', displayName: 'edge-k3s', kind: 'k3s' },
];
