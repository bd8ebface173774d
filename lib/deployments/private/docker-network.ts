import { DataAwsEbsVolumes } from '@cdktn/provider-aws/lib/data-aws-ebs-volumes';
import { Fn, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { GuardCondition } from '../../common/deployment-guard';
import { cidrHost } from '../../config/cidr';
import { DEFAULT_HOST_NUMBER } from '../../config/existing-network-schema';
import { SNAPSHOT_TARGET_TAG } from '../../docker/data-volume';
import { EMBEDDED_CLUSTER_NETWORKS } from '../../docker/private/rancher-container';
import { ExistingNetwork } from '../../network/existing-network';
import { PublicNetwork, type SubnetInfo } from '../../network/public-network';
import type { VpcRanges } from '../../network/private/vpc-ranges';
import type { DockerNetworkPlan } from './network-plan';

/** Where the Docker host goes, whichever network it runs in. */
export interface DockerNetwork {
  readonly vpcId: string;
  readonly subnet: SubnetInfo;
  /** The host's fixed private address: a literal in a created subnet, a Terraform expression in an existing one. */
  readonly hostAddress: string;
  /** The VPC ranges the host reaches directly (NodeSecurityGroup's VPC range props). */
  readonly vpcRanges: VpcRanges;
  /** What the Elastic IP's association waits for: the internet gateway the stack creates, or the existing one's check. */
  readonly internetGateway: ITerraformDependable[];
  /** What the host needs before its first boot reaches the internet: the gateway, default route and subnet association. */
  readonly hostEgress: ITerraformDependable[];
  /** Plan-time rules of an existing network for the deployment guard. */
  readonly conditions: GuardCondition[];
  /** Public subnets in distinct zones for a load balancer in front of the host (`loadBalancerZones`). */
  readonly loadBalancerSubnetIds: string[];
  /** The network the stack created (undefined in an existing one): where the `vpc` options go. */
  readonly created?: PublicNetwork;
}

export interface DockerNetworkOptions {
  /** Zones a load balancer in front of the host needs (an ALB: 2); 0 for none. The first is the host's. @default 0 */
  readonly loadBalancerZones?: number;
}

/**
 * A VPC of its own with one public subnet (`docker.vpcCidr`), or the
 * existing VPC and public subnet of `docker.existingNetwork`, checked at
 * plan time, with the rule that the subnet stays in the data volume's zone.
 */
export function dockerNetwork(scope: Construct, plan: DockerNetworkPlan, name: string, options: DockerNetworkOptions = {}): DockerNetwork {
  const zones = options.loadBalancerZones ?? 0;
  const existing = plan.existing;
  if (existing) {
    // The settings refuse a load balancer with an existing network (it would need a second subnet of yours).
    if (zones > 0) throw new Error('existingNetwork names one subnet; a load balancer in front of the host needs more');
    const network = new ExistingNetwork(scope, 'network', {
      vpcId: existing.vpcId,
      nodeSubnetIds: [existing.subnetId],
      hostNumber: existing.hostNumber,
      nodeEgress: 'elastic-ip',
      reservedRanges: [...EMBEDDED_CLUSTER_NETWORKS],
    });
    const subnet = network.nodeSubnets[0];
    return {
      vpcId: network.vpcId,
      subnet,
      hostAddress: Fn.cidrhost(subnet.cidr, existing.hostNumber),
      vpcRanges: { vpcCidrs: network.directCidrs },
      internetGateway: network.internetAccess,
      hostEgress: network.internetAccess,
      conditions: [dataVolumeZoneCondition(scope, name, existing.subnetId, subnet)],
      loadBalancerSubnetIds: [],
    };
  }
  const { vpcCidr } = plan;
  const network = new PublicNetwork(scope, 'network', { cidr: vpcCidr, name, zoneCount: Math.max(1, zones) });
  const subnet = network.subnets[0];
  return {
    vpcId: network.vpc.id,
    subnet,
    // The host number an existing network defaults to, in the subnet the stack creates.
    hostAddress: cidrHost(subnet.cidr, DEFAULT_HOST_NUMBER),
    vpcRanges: { vpcCidr },
    internetGateway: [network.internetGateway],
    hostEgress: network.internetAccess,
    conditions: [],
    loadBalancerSubnetIds: zones > 0 ? network.subnets.map((zone) => zone.id) : [],
    created: network,
  };
}

/**
 * The rule that the host's existing subnet stays in the zone of the data
 * volume (Rancher's data): the volume follows the subnet's zone, and a
 * volume in another zone is a new, empty one. The deployment's volumes are
 * looked up by their tags at plan time, all of them and those in the
 * subnet's zone; both lists are empty before the first apply.
 */
function dataVolumeZoneCondition(scope: Construct, name: string, subnetId: string, subnet: SubnetInfo): GuardCondition {
  const tags = [
    { name: 'tag:Name', values: [`${name}-data`] },
    { name: `tag:${SNAPSHOT_TARGET_TAG}`, values: [name] },
  ];
  const all = new DataAwsEbsVolumes(scope, 'data-volumes', { filter: tags });
  const inZone = new DataAwsEbsVolumes(scope, 'data-volumes-in-zone', {
    filter: [...tags, { name: 'availability-zone', values: [subnet.availabilityZone] }],
  });
  return {
    condition: `\${length(${inZone.fqn}.ids) == length(${all.fqn}.ids)}`,
    errorMessage:
      `existingNetwork.subnet ${subnetId} is in zone ${subnet.availabilityZone}, and this deployment's data volume (Rancher's data) is in another one: ` +
      'a volume cannot leave its zone, and the host would start on a new, empty one. Keep a subnet of the volume\'s zone; to move Rancher to another zone, restore a snapshot of the volume into a new deployment there (docs/docker.md, "Docker: day 2, backups and restore").',
  };
}
