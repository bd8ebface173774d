import type { DeploymentVariables } from './deployment-variables';
import type { Settings } from './config/settings-schema';
import { requiredArchitecture } from '../lib/config/instance-types';
import { wildcardName } from '../lib/deployments/private/rancher-name';
import type { AwsDeploymentProps, CommonDeploymentProps, PublicNameProps } from '../lib/deployments/props';
import type { DockerExistingNetworkSettings, RkeExistingNetworkSettings } from '../lib/config/existing-network-schema';
import { ExistingSubnet, ExistingVpc } from '../lib/network/existing-vpc';
import type { ExistingDockerNetworkProps, RancherOnDockerProps } from '../lib/deployments/rancher-on-docker-props';
import type { RancherOnExistingClusterProps } from '../lib/deployments/rancher-on-existing-cluster-props';
import type { ExistingRkeNetworkProps, RancherOnRkeProps } from '../lib/deployments/rancher-on-rke-props';

/**
 * The props sections a settings file gives every Rancher construct (the
 * mode's own section, the hostname, zone and admin networks are the stack's
 * to add: they come from its Terraform variables).
 */
export function deploymentProps(settings: Settings): CommonDeploymentProps {
  return {
    name: settings.name,
    region: settings.region,
    rancher: settings.rancher,
    versions: settings.versions,
    proxy: settings.proxy,
    airGap: settings.airGap,
    timeouts: settings.timeouts,
    backups: settings.backups,
    alarms: settings.alarms,
  };
}

/**
 * Rancher's name as the settings give it to RancherOnRke and RancherOnDocker:
 * the stack's hostname and zone variables, or none with `dns.mode: wildcard`.
 */
export function publicNameProps(settings: Pick<Settings, 'dns'>, inputs: DeploymentVariables): PublicNameProps {
  if (wildcardName(settings)) return { dns: settings.dns };
  return { dns: settings.dns, hostname: inputs.hostname, hostedZone: inputs.zoneName };
}

/** What a stack gives RancherOnRke or RancherOnDocker besides the mode's section: the settings and its Terraform variables. */
export function awsDeploymentProps(settings: Settings, inputs: DeploymentVariables): AwsDeploymentProps {
  return {
    ...deploymentProps(settings),
    vpc: settings.vpc,
    ...publicNameProps(settings, inputs),
    adminCidrs: inputs.adminCidrs,
    deployerArns: inputs.deployerArns,
    readsDeployerSession: inputs.readsDeployerSession,
  };
}

/*
 * A settings file nests each construct's own props under its section (`rkeHa:`, `docker:`, `k8sHa:`); the props
 * have them flat, beside the deployment's, and each construct takes only its own. These map the file to them. The
 * file was checked already with the same rules, in its own words (app/config/load.ts): the constructs' messages,
 * in their props' words, are for their library users.
 */

/** RancherOnRke's props from the settings: the deployment's, `rkeHa`'s, and the stack's `instance_type` variable. */
export function rancherOnRkeProps(settings: Settings, inputs: DeploymentVariables, instanceType: string): RancherOnRkeProps {
  const { existingNetwork, ...rkeHa } = settings.rkeHa;
  const common = awsDeploymentProps(settings, inputs);
  // The file is shared with k8s-ha: its EKS identities (irsa, pod-identity) are that stack's; rke-ha's keyless way is `servers`.
  const eksOnly = settings.backups.credentials === 'irsa' || settings.backups.credentials === 'pod-identity';
  const backups = eksOnly ? { ...settings.backups, credentials: 'servers' as const } : settings.backups;
  return {
    ...common,
    backups,
    ...rkeHa,
    // The stack gives the servers' type as its `instance_type` variable, a reference the construct cannot read, whose
    // validation holds every plan-time type to this architecture (instance-type-variable.ts): with a pinned image and
    // no `architecture`, the settings' type's, which the release the servers install must follow.
    architecture: requiredArchitecture(settings.rkeHa),
    existingNetwork: rkeExistingNetwork(existingNetwork),
    instanceType,
    // The file's `standby.k8sHa` is k8s-ha's standby cluster, which the failover reads (docs/standby.md).
    standby: { region: settings.standby.region },
  };
}

/** RancherOnDocker's props from the settings: the deployment's, `docker`'s, and the stack's `instance_type` variable. */
export function rancherOnDockerProps(settings: Settings, inputs: DeploymentVariables, instanceType: string): RancherOnDockerProps {
  const { existingNetwork, ...docker } = settings.docker;
  // The file's `rancher` serves the Helm chart's stacks too: the container has no replicas, and its TLS is `docker.tls`.
  const { replicas: _replicas, tls: _tls, ...rancher } = settings.rancher;
  return {
    ...awsDeploymentProps(settings, inputs),
    rancher,
    ...docker,
    existingNetwork: dockerExistingNetwork(existingNetwork),
    instanceType,
  };
}

/** RancherOnExistingCluster's props from the settings: the deployment's and `k8sHa`'s but `access` (the stack's providers). */
export function rancherOnExistingClusterProps(settings: Settings, inputs: DeploymentVariables): RancherOnExistingClusterProps {
  const { access: _access, ...k8sHa } = settings.k8sHa;
  // k8s-ha keeps a standby only with a cluster there to fail over onto (standby.k8sHa: the failover's, not the stack's);
  // without one the stack refuses its plan (app/stacks/k8s-ha.ts).
  const standby = settings.standby.k8sHa?.access === undefined ? {} : { region: settings.standby.region };
  return { ...deploymentProps(settings), ...k8sHa, standby, hostname: inputs.hostname, hostedZone: inputs.zoneName };
}

/** `rkeHa.existingNetwork`'s ids as the props' VPC and subnets. */
function rkeExistingNetwork(network: RkeExistingNetworkSettings | undefined): ExistingRkeNetworkProps | undefined {
  if (!network) return undefined;
  return {
    vpc: ExistingVpc.fromId(network.vpcId),
    loadBalancerSubnets: ExistingSubnet.fromIds(network.loadBalancerSubnetIds),
    nodeSubnets: ExistingSubnet.fromIds(network.nodeSubnetIds),
    ...(network.datastoreSubnetIds ? { datastoreSubnets: ExistingSubnet.fromIds(network.datastoreSubnetIds) } : {}),
    nodeHostNumber: network.nodeHostNumber,
  };
}

/** `docker.existingNetwork`'s ids as the props' VPC and subnet. */
function dockerExistingNetwork(network: DockerExistingNetworkSettings | undefined): ExistingDockerNetworkProps | undefined {
  if (!network) return undefined;
  return { vpc: ExistingVpc.fromId(network.vpcId), subnet: ExistingSubnet.fromId(network.subnetId), hostNumber: network.hostNumber };
}
