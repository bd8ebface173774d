import type { DockerOwnProps } from '../../config/docker-schema';
import type { DockerExistingNetworkSettings, RkeExistingNetworkSettings } from '../../config/existing-network-schema';
import { effectiveDockerVpcCidr } from '../../config/docker-schema';
import { effectiveNatGateways, effectiveVpcCidr, type RkeHaOwnProps } from '../../config/rke-ha-schema';

/**
 * Where a deployment's servers go, decided once from its settings: a network the stack creates (its range, public or
 * private node subnets, NAT), or a VPC and subnets that exist. The network step, the deployment guard's records and
 * the settings reference (app/config/computed-defaults.ts) read this plan.
 */
export type RkeNetworkPlan = CreatedRkeNetworkPlan | ExistingRkeNetworkPlan;

/** A VPC of the stack's own. */
export interface CreatedRkeNetworkPlan {
  readonly existing?: undefined;
  /** `vpcCidr`, or DEFAULT_VPC_CIDR. */
  readonly vpcCidr: string;
  /** The servers in private subnets behind NAT. */
  readonly privateNodes: boolean;
  /** With private nodes: `natGateways`, or one per zone. */
  readonly natGateways: 'per-zone' | 'single';
  readonly dualStack: boolean;
}

/** A VPC and subnets of the user's (the settings refuse the created network's options beside it). */
export interface ExistingRkeNetworkPlan {
  readonly existing: RkeExistingNetworkSettings;
  readonly vpcCidr?: undefined;
  readonly dualStack: boolean;
}

export function rkeNetworkPlan(s: Pick<RkeHaOwnProps, 'vpcCidr' | 'existingNetwork' | 'privateNodes' | 'natGateways' | 'dualStack'>): RkeNetworkPlan {
  if (s.existingNetwork) return { existing: s.existingNetwork, dualStack: s.dualStack };
  return {
    vpcCidr: effectiveVpcCidr(s) as string,
    privateNodes: s.privateNodes,
    natGateways: effectiveNatGateways(s),
    dualStack: s.dualStack,
  };
}

/** The Docker host's network: a VPC of its own (`vpcCidr`, or the default), or an existing VPC and subnet. */
export type DockerNetworkPlan =
  { readonly existing?: undefined; readonly vpcCidr: string } | { readonly existing: DockerExistingNetworkSettings; readonly vpcCidr?: undefined };

export function dockerNetworkPlan(s: Pick<DockerOwnProps, 'vpcCidr' | 'existingNetwork'>): DockerNetworkPlan {
  return s.existingNetwork ? { existing: s.existingNetwork } : { vpcCidr: effectiveDockerVpcCidr(s) as string };
}
