import { EgressOnlyInternetGateway } from '@cdktn/provider-aws/lib/egress-only-internet-gateway';
import { Eip } from '@cdktn/provider-aws/lib/eip';
import { NatGateway } from '@cdktn/provider-aws/lib/nat-gateway';
import { Route } from '@cdktn/provider-aws/lib/route';
import { RouteTable } from '@cdktn/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktn/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktn/provider-aws/lib/subnet';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { cidrSubnet } from '../config/cidr';
import { ipv6SubnetCidr, type PublicNetwork, type SubnetInfo } from './public-network';

/** The private subnets start at this sixteenth of the VPC range (the public ones at 0). */
export const PRIVATE_SUBNET_OFFSET = 8;

/** The network the private subnets are carved from, and their NAT gateways. */
export interface PrivateSubnetsProps {
  /** The VPC and public subnets (the NAT gateways sit in those). */
  readonly network: PublicNetwork;
  /** Prefix of the Name tags. */
  readonly name: string;
  /**
   * One NAT gateway per zone (a zone outage keeps egress elsewhere), one for
   * all (cheaper), or none (isolated subnets, e.g. for a database). @default 'per-zone'
   */
  readonly natGateways?: 'per-zone' | 'single' | 'none';
  /** First sixteenth of the VPC range used. @default PRIVATE_SUBNET_OFFSET */
  readonly offset?: number;
  /**
   * With a dual-stack network: each subnet takes the /64 of its index in the
   * VPC's /56 and gives an IPv6 address to what launches there; with NAT,
   * ::/0 goes out through an egress-only internet gateway (outbound only,
   * as NAT is for IPv4). @default false
   */
  readonly ipv6?: boolean;
}

/**
 * Private subnets beside a PublicNetwork's public ones, one per zone, with
 * egress through NAT gateways in the public subnets. Instances here get no
 * public address; load balancers stay in the public subnets.
 */
export class PrivateSubnets extends Construct {
  /** The private subnets, one per zone of the network, in its zones' order. */
  readonly subnets: readonly SubnetInfo[];
  /** One route table per subnet, in the same order. */
  readonly routeTableIds: readonly string[];
  /** What an instance here needs before it reaches the internet: the NAT gateways, default routes and associations. */
  readonly egress: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: PrivateSubnetsProps) {
    super(scope, id);
    const { network } = props;
    const nat = props.natGateways ?? 'per-zone';
    const perZone = nat === 'per-zone';
    const gatewayCount = nat === 'none' ? 0 : perZone ? network.subnets.length : 1;
    const gateways = network.subnets.slice(0, gatewayCount).map((publicSubnet, i) => {
      const address = new Eip(this, `nat-${i}-address`, { domain: 'vpc', tags: { Name: `${props.name}-nat-${i}` } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: address.id,
        subnetId: publicSubnet.id,
        tags: { Name: `${props.name}-nat-${i}` },
        // A NAT gateway created before the internet gateway is attached ends up failed.
        dependsOn: network.internetAccess,
      });
    });

    const ipv6 = props.ipv6 ?? false;
    if (ipv6 && !network.ipv6) throw new Error('PrivateSubnets: ipv6 needs a dual-stack PublicNetwork (its ipv6 prop)');
    // One for every zone: an egress-only gateway is not zonal, and costs nothing by the hour.
    const egressOnly =
      ipv6 && gatewayCount > 0
        ? new EgressOnlyInternetGateway(this, 'egress-only-igw', { vpcId: network.vpc.id, tags: { Name: `${props.name}-ipv6` } })
        : undefined;

    const routeTableIds: string[] = [];
    this.subnets = network.subnets.map((publicSubnet, i) => {
      const index = (props.offset ?? PRIVATE_SUBNET_OFFSET) + i;
      const cidr = cidrSubnet(network.cidr, 4, index);
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: network.vpc.id,
        cidrBlock: cidr,
        availabilityZone: publicSubnet.availabilityZone,
        mapPublicIpOnLaunch: false,
        ...(ipv6 ? { ipv6CidrBlock: ipv6SubnetCidr(network.vpc, index), assignIpv6AddressOnCreation: true } : {}),
        tags: { Name: `${props.name}-private-${i}` },
      });
      const routes = new RouteTable(this, `private-${i}-routes`, { vpcId: network.vpc.id, tags: { Name: `${props.name}-private-${i}` } });
      routeTableIds.push(routes.id);
      if (gateways.length > 0) {
        const gateway = gateways[perZone ? i : 0];
        const route = new Route(this, `private-${i}-default-route`, {
          routeTableId: routes.id,
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: gateway.id,
        });
        this.egress.push(gateway, route);
      }
      if (egressOnly) {
        const route = new Route(this, `private-${i}-default-route-ipv6`, {
          routeTableId: routes.id,
          destinationIpv6CidrBlock: '::/0',
          egressOnlyGatewayId: egressOnly.id,
        });
        this.egress.push(egressOnly, route);
      }
      this.egress.push(new RouteTableAssociation(this, `private-${i}-association`, { subnetId: subnet.id, routeTableId: routes.id }));
      return { id: subnet.id, cidr, availabilityZone: subnet.availabilityZone };
    });
    this.routeTableIds = routeTableIds;
  }
}
