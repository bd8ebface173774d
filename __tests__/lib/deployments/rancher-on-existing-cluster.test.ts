import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { LocalBackend, TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnExistingCluster } from '../../../lib/deployments/rancher-on-existing-cluster';
import type { RancherOnExistingClusterProps } from '../../../lib/deployments/rancher-on-existing-cluster-props';
import { resources, synthStack } from '../../helpers/synth';

/** A library user's stack: its own providers for a cluster it knows, one RancherOnExistingCluster. */
function platformStack(props: Partial<RancherOnExistingClusterProps> = {}) {
  return synthStack((app) => {
    const stack = new TerraformStack(app, 'platform');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
    new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config', configContext: 'shared' });
    new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config', configContext: 'shared' } });
    new RancherOnExistingCluster(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', ...props });
    return stack;
  }).json;
}

describe("RancherOnExistingCluster in a library user's stack", () => {
  it('installs cert-manager and Rancher through the providers the stack configured, addressed under its id', () => {
    const json = platformStack();
    // The charts; the readiness gates are releases too (of the gate chart).
    expect(
      Object.keys(resources(json, 'helm_release'))
        .filter((n) => !n.startsWith('rancher_readiness-gates_'))
        .sort(),
    ).toEqual([
      expect.stringMatching(/^rancher_cert-manager_/),
      expect.stringMatching(/^rancher_rancher-backups_crd-release_/),
      // The first and the recurring Backup: Jobs of the gate chart (lib/rancher/backup-object-jobs.ts).
      expect.stringMatching(/^rancher_rancher-backups_jobs_first-backup_/),
      expect.stringMatching(/^rancher_rancher-backups_jobs_scheduled-backup_/),
      expect.stringMatching(/^rancher_rancher-backups_release_/),
      expect.stringMatching(/^rancher_release_/),
    ]);
    expect(json.provider!.kubernetes).toEqual([expect.objectContaining({ config_context: 'shared' })]);
  });

  it('forgets (never uninstalls) the cert-manager it would have installed, at its own address', () => {
    const json = platformStack({ k8sHa: { certManager: { install: false } } });
    expect(json.removed).toEqual([{ from: expect.stringMatching(/^helm_release\.rancher_cert-manager_release_/), lifecycle: { destroy: false } }]);
  });

  it('refuses an IngressClass name Kubernetes would refuse, naming the prop', () => {
    expect(() => platformStack({ k8sHa: { ingress: { className: 'Not_Valid' } } })).toThrow(
      /k8sHa\.ingress\.className: expected a Kubernetes object name/,
    );
  });
});
