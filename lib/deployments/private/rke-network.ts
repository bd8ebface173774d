import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../../config/primitives';
import { proxyEnabled } from '../../network/private/proxy';
import type { ResolvedRancherOnRkeProps } from '../../config/deployment-schema';
import type { ClusterPlan } from './cluster-plan';
import type { RkeNetworkPlan } from './network-plan';
import { ExistingNetwork } from '../../network/existing-network';
import { PrivateSubnets } from '../../network/private-subnets';
import { PublicNetwork, type SubnetInfo } from '../../network/public-network';
import type { VpcRanges } from '../../network/private/vpc-ranges';
import { DATABASE_SUBNET_OFFSET, existingServerAddresses, serverAddresses, type ServerAddress } from './rke-server-layout';

/** Where an rke-ha deployment's resources go, whichever network it runs in. */
export interface RkeNetwork {
  /** The network the stack created, or the existing one it checked. */
  readonly network: PublicNetwork | ExistingNetwork;
  readonly vpcId: string;
  /** Public subnets, one per zone: the load balancers. */
  readonly loadBalancerSubnetIds: string[];
  /** Server i's subnet, for the servers the settings ask for. */
  readonly nodeSubnets: readonly SubnetInfo[];
  /** Server i's fixed address (and where an earlier layout put it). */
  readonly addresses: readonly ServerAddress[];
  /** What internet-facing load balancers wait for, and what cluster access must outlive at destroy. */
  readonly internetAccess: ITerraformDependable[];
  /**
   * What a server needs before its first boot reaches the internet: the internet gateway and public routes, and
   * with private nodes their NAT gateways, routes and associations (an existing network: its route checks).
   */
  readonly nodeEgress: ITerraformDependable[];
  /** The VPC ranges the nodes reach directly. */
  readonly vpcRanges: VpcRanges;
  /** The K3s datastore's subnets (k3s only). */
  readonly datastoreSubnetIds?: string[];
  /** The route tables of the nodes' subnets, in a network the stack created (a gateway endpoint routes them). */
  readonly nodeRouteTableIds: readonly string[];
}

/** True when the servers' first downloads need no route of their subnet's own: a proxy, or a mirrored installer. */
function egressProvided(settings: Pick<ResolvedRancherOnRkeProps, 'proxy' | 'airGap'>): boolean {
  return proxyEnabled(settings.proxy) || settings.airGap.installerUrl !== undefined;
}

/**
 * The network of an rke-ha deployment: a VPC of its own (`rkeHa.vpcCidr`,
 * public or private node subnets) or the existing VPC and subnets of
 * `rkeHa.existingNetwork`, checked at plan time. Construct ids are those the
 * created network always had (`network`, `private-subnets`, `database-subnets`).
 */
export function rkeNetwork(
  scope: Construct,
  settings: Pick<ResolvedRancherOnRkeProps, 'proxy' | 'airGap'>,
  plans: { readonly name: string; readonly cluster: ClusterPlan; readonly network: RkeNetworkPlan },
): RkeNetwork {
  const { name, cluster, network: plan } = plans;
  const { nodeCount, externalDatastore } = cluster;
  const existing = plan.existing;
  if (existing) {
    const network = new ExistingNetwork(scope, 'network', {
      vpcId: existing.vpcId,
      loadBalancerSubnetIds: existing.loadBalancerSubnetIds,
      nodeSubnetIds: existing.nodeSubnetIds,
      datastoreSubnetIds: existing.datastoreSubnetIds,
      hostNumber: existing.nodeHostNumber,
      nodeEgress: egressProvided(settings) ? 'provided' : 'own',
      reservedRanges: [RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR],
      ipv6: plan.dualStack,
    });
    const nodeSubnets = network.nodeSubnets.slice(0, nodeCount);
    return {
      network,
      vpcId: network.vpcId,
      loadBalancerSubnetIds: network.subnets.map((subnet) => subnet.id),
      nodeSubnets,
      addresses: existingServerAddresses(nodeSubnets, existing.nodeHostNumber),
      internetAccess: network.internetAccess,
      nodeEgress: network.internetAccess,
      vpcRanges: { vpcCidrs: network.directCidrs },
      datastoreSubnetIds: externalDatastore ? network.datastoreSubnets.map((subnet) => subnet.id) : undefined,
      nodeRouteTableIds: [],
    };
  }

  const { vpcCidr } = plan;
  const network = new PublicNetwork(scope, 'network', { cidr: vpcCidr, name, ...(plan.dualStack ? { ipv6: true } : {}) });
  // Nodes go one per zone; a single-node install uses the first zone, and growing adds the others.
  const privateSubnets = plan.privateNodes
    ? new PrivateSubnets(scope, 'private-subnets', { network, name, natGateways: plan.natGateways, ...(plan.dualStack ? { ipv6: true } : {}) })
    : undefined;
  const nodeSubnets = (privateSubnets ? privateSubnets.subnets : network.subnets).slice(0, nodeCount);
  // K3s keeps the cluster state in an external datastore: isolated subnets, no egress.
  const datastoreSubnetIds = externalDatastore
    ? new PrivateSubnets(scope, 'database-subnets', { network, name: `${name}-db`, natGateways: 'none', offset: DATABASE_SUBNET_OFFSET }).subnets.map(
        (subnet) => subnet.id,
      )
    : undefined;
  return {
    network,
    vpcId: network.vpc.id,
    loadBalancerSubnetIds: network.subnets.map((subnet) => subnet.id),
    nodeSubnets,
    addresses: serverAddresses(vpcCidr, plan.privateNodes, nodeCount),
    internetAccess: network.internetAccess,
    nodeEgress: [...network.internetAccess, ...(privateSubnets?.egress ?? [])],
    vpcRanges: { vpcCidr },
    datastoreSubnetIds,
    nodeRouteTableIds: privateSubnets ? privateSubnets.routeTableIds : [network.routeTableId],
  };
}
