import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnDocker } from '../../../lib/deployments/rancher-on-docker';
import type { RancherOnDockerProps } from '../../../lib/deployments/rancher-on-docker-props';
import { RancherOnExistingCluster } from '../../../lib/deployments/rancher-on-existing-cluster';
import type { RancherOnExistingClusterProps } from '../../../lib/deployments/rancher-on-existing-cluster-props';
import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import type { RancherOnRkeProps } from '../../../lib/deployments/rancher-on-rke-props';
import { ExistingSubnet, ExistingVpc } from '../../../lib/network/existing-vpc';
import { resources, synthStack, type TerraformJson } from '../../helpers/synth';
import { runCached } from '../../helpers/memo';

/**
 * A library user builds each construct from its props, and reads its plan-time refusals (every `error_message`:
 * the deployment guard's, the checks', the variables') in those props' words: `vpcCidr`, not the settings file's
 * `rkeHa.vpcCidr`, which names a section no props have. The guard's records keep their settings-file names
 * (`record-rkeHa-vpcCidr`): they are addresses in a running deployment's state, which must plan no change.
 */

/** A settings-file path: a section's name, a dot, a setting (`docker.tls`; not docs/docker.md, docker.io, terraform.docker.tfstate). */
const SETTINGS_PATH = /(?<![\w/.-])(?:rkeHa|k8sHa|docker)\.(?!(?:md|io|service|env)\b)[a-z]\w*/;

/** A library user's stack with one construct built by `add`, synthesized. */
function libraryStack(add: (stack: TerraformStack) => Construct): TerraformJson {
  return synthStack((app) => {
    const stack = new TerraformStack(app, 'platform');
    configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
    add(stack);
    return stack;
  }).json;
}

/** Every `error_message` in the JSON, wherever it is (preconditions, check assertions, variable validations). */
function errorMessages(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(errorMessages);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === 'error_message' && typeof inner === 'string' ? [inner] : errorMessages(inner)));
}

/** The deployment guard's record names (`record-rkeHa-vpcCidr`) in the construct `rancher`. */
const recordNames = (json: TerraformJson) =>
  Object.keys(resources(json, 'terraform_data'))
    .map((name) => /^rancher_deployment-guard_record-(.+)_[0-9A-F]{8}$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();

const site = { hostname: 'rancher.acme.io', hostedZone: 'acme.io', region: 'eu-west-1' } as const;
const rke = (props: Partial<RancherOnRkeProps>) =>
  libraryStack((stack) => new RancherOnRke(stack, 'rancher', { ...site, adminCidrs: ['10.8.0.0/24'], ...props }));
const docker = (props: Partial<RancherOnDockerProps>) =>
  libraryStack((stack) => new RancherOnDocker(stack, 'rancher', { ...site, adminCidrs: ['10.8.0.0/24'], ...props }));
const existingCluster = (props: Partial<RancherOnExistingClusterProps>) =>
  libraryStack((stack) => {
    new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
    new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config' } });
    return new RancherOnExistingCluster(stack, 'rancher', { hostname: site.hostname, hostedZone: site.hostedZone, ...props });
  });

const existingNetwork = {
  vpc: ExistingVpc.fromId('vpc-0123456789abcdef0'),
  loadBalancerSubnets: ExistingSubnet.fromIds(['subnet-0a000000000000001', 'subnet-0a000000000000002']),
  nodeSubnets: ExistingSubnet.fromIds(['subnet-0b000000000000001', 'subnet-0b000000000000002']),
  datastoreSubnets: ExistingSubnet.fromIds(['subnet-0c000000000000001', 'subnet-0c000000000000002']),
};

// The stacks two tests each read (neither changes them), synthesized on the first read and kept for the file.
const rkeDefaults = () => runCached('RancherOnRke defaults', () => rke({}));
const rkeK3sExisting = () => runCached('RancherOnRke k3s in an existing network', () => rke({ distribution: 'k3s', existingNetwork }));
const dockerDefaults = () => runCached('RancherOnDocker defaults', () => docker({}));

describe("the constructs' plan-time messages name their own props", () => {
  const built: [string, () => TerraformJson][] = [
    ['RancherOnRke, defaults (rke2, the NLB)', rkeDefaults],
    ['RancherOnRke, rke2 with ingressController set', () => rke({ ingressController: 'traefik' })],
    ['RancherOnRke, k3s in an existing network', rkeK3sExisting],
    ['RancherOnRke, DNS round robin', () => rke({ loadBalancer: { type: 'dns' } })],
    ['RancherOnDocker, defaults', dockerDefaults],
    ['RancherOnDocker, its own CA', () => docker({ tls: { issuer: 'ca' } })],
    ['RancherOnExistingCluster, defaults', () => existingCluster({})],
  ];

  it.each(built)('%s: no error_message names a settings-file path or "the settings"', (_what, build) => {
    const messages = errorMessages(build());
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.filter((message) => SETTINGS_PATH.test(message) || /in the settings\b/.test(message))).toEqual([]);
  });

  it("RancherOnRke's guard names vpcCidr, dualStack, distribution, ingressController and loadBalancer.type, and keeps its records' names", () => {
    const json = rkeDefaults();
    const messages = errorMessages(json);
    for (const prop of ['vpcCidr', 'dualStack', 'distribution', 'ingressController', 'loadBalancer.type'])
      expect(messages).toContainEqual(
        expect.stringMatching(new RegExp(`^${prop.replace('.', '\\.')} is "[^"]*", but this deployment was created with `)),
      );
    expect(messages).toContainEqual(
      expect.stringContaining('To make it anyway, accept exactly this value: set rancher.acceptAgentChange.hostname to "'),
    );
    expect(recordNames(json)).toEqual([
      'agentCa',
      'dns-mode',
      'hostname',
      'name',
      'region',
      'rkeHa-distribution',
      'rkeHa-dualStack',
      'rkeHa-ingressController',
      'rkeHa-loadBalancer-type',
      'rkeHa-vpcCidr',
    ]);
  });

  it('RancherOnRke on k3s in an existing network names existingNetwork.vpc and datastore.engine, in the records it had', () => {
    const json = rkeK3sExisting();
    const messages = errorMessages(json);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^existingNetwork\.vpc is "vpc-0123456789abcdef0", but this deployment was created with "\$\{terraform_data\.rancher_deployment-guard_record-rkeHa-vpcCidr_/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^datastore\.engine is "postgres", but this deployment was created with "\$\{terraform_data\.rancher_deployment-guard_record-rkeHa-datastore-engine_/,
      ),
    );
  });

  it("RancherOnDocker's CA record names its own tls prop", () => {
    expect(errorMessages(dockerDefaults())).toContainEqual(expect.stringMatching(/^the CA agents trust \(tls\) is "rancher-ca", but /));
  });
});
