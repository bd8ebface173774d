import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { LocalBackend, TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherInstallation, type RancherInstallationProps } from '../../../lib/deployments/private/rancher-installation';
import { RancherOnExistingCluster } from '../../../lib/deployments/rancher-on-existing-cluster';
import type { RancherOnExistingClusterProps } from '../../../lib/deployments/rancher-on-existing-cluster-props';
import { resources, synthConstruct, synthStack } from '../../helpers/synth';
import { runCached } from '../../helpers/memo';

/** A k8s-ha deployment in a library user's stack, with the RancherInstallation it made. */
function platformStack(props: Partial<RancherOnExistingClusterProps> = {}) {
  let installation!: RancherInstallation;
  const { json } = synthStack((app) => {
    const stack = new TerraformStack(app, 'platform');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
    new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
    new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config' } });
    const rancher = new RancherOnExistingCluster(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', ...props });
    installation = rancher.node.findChild('rancher-installation') as RancherInstallation;
    return stack;
  });
  return { json, installation };
}

/** platformStack() with the default props, synthesized once for the tests that read it (none changes it). */
const defaultPlatformStack = () => runCached('platformStack defaults', () => platformStack());

describe('RancherInstallation in a deployment', () => {
  it("is a leaf: its resources are built in the deployment's scope, at the addresses they always had", () => {
    const { json, installation } = defaultPlatformStack();
    expect(installation.node.children).toEqual([]);
    expect(installation.server.node.path).toBe('platform/rancher/rancher');
    expect(installation.certManager!.node.path).toBe('platform/rancher/cert-manager');
    expect(Object.keys(resources(json, 'helm_release'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^rancher_release_/), expect.stringMatching(/^rancher_cert-manager_release_/)]),
    );
    expect(JSON.stringify(json)).not.toMatch(/rancher-installation/);
  });

  it('waits for the ingress gate and then the cert-manager it installs before Rancher (the preflight is behind cert-manager)', () => {
    const { json } = defaultPlatformStack();
    const [, rancher] = Object.entries(resources(json, 'helm_release')).find(([name]) => name.startsWith('rancher_release_'))!;
    const dependsOn = rancher.depends_on as string[];
    expect(dependsOn.slice(0, 2)).toEqual([
      expect.stringMatching(/^helm_release\.rancher_readiness-gates_ingress-ready_/),
      expect.stringMatching(/^helm_release\.rancher_cert-manager_release_/),
    ]);
    expect(dependsOn.filter((d) => /preflight/.test(d))).toEqual([]);
  });

  it('is awaited once', () => {
    const { installation } = defaultPlatformStack();
    expect(() => installation.awaitAnswer({ charts: undefined as never })).toThrow(
      /^RancherInstallation platform\/rancher\/rancher-installation: awaitAnswer was called already; Rancher is awaited once$/,
    );
  });
});

describe("RancherInstallation's props", () => {
  // Refused before anything is built: the props the rules do not read are never touched.
  const build = (props: Partial<RancherInstallationProps>) =>
    synthConstruct((stack) => {
      new RancherInstallation(stack, 'installation', {
        hostname: 'rancher.acme.io',
        certManager: 'install',
        tls: { mode: 'rancher', certManager: true },
        ...props,
      } as unknown as RancherInstallationProps);
    });

  it('refuses a hostname that is not a DNS name, in its own words', () => {
    expect(() => build({ hostname: 'https://rancher.acme.io/' })).toThrow(
      'RancherInstallation test/installation: hostname "https://rancher.acme.io/" is not a DNS name (a name such as rancher.example.com, without scheme, port or path)',
    );
  });

  it('refuses a TLS mode that needs cert-manager with none to issue its certificate', () => {
    expect(() => build({ certManager: 'none' })).toThrow(
      'RancherInstallation test/installation: rancher.tls mode "rancher" has its certificate issued by cert-manager; certManager "none" leaves none (use "install", or "cluster" when the cluster has one)',
    );
  });

  it('refuses two sources of the backup operator credentials', () => {
    expect(() => build({ backupRole: {} as never, eks: { clusterName: 'c', mechanism: 'irsa' } })).toThrow(
      'RancherInstallation test/installation: backupRole and eks both give the backup operator its credentials; give one at most',
    );
  });
});
