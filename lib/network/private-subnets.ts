import { Eip } from '@cdktf/provider-aws/lib/eip';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { cidrSubnet } from '../config/cidr';
import type { PublicNetwork, SubnetInfo } from './public-network';

/** The private subnets start at this sixteenth of the VPC range (the public ones at 0). */
export const PRIVATE_SUBNET_OFFSET = 8;

export interface PrivateSubnetsProps {
  readonly network: PublicNetwork;
  readonly name: string;
  /**
   * One NAT gateway per zone (a zone outage keeps egress elsewhere), one for
   * all (cheaper), or none (isolated subnets, e.g. for a database). @default 'per-zone'
   */
  readonly natGateways?: 'per-zone' | 'single' | 'none';
  /** First sixteenth of the VPC range used. @default PRIVATE_SUBNET_OFFSET */
  readonly offset?: number;
}

/**
 * Private subnets beside a PublicNetwork's public ones, one per zone, with
 * egress through NAT gateways in the public subnets. Instances here get no
 * public address; load balancers stay in the public subnets.
 */
export class PrivateSubnets extends Construct {
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

    const routeTableIds: string[] = [];
    this.subnets = network.subnets.map((publicSubnet, i) => {
      const cidr = cidrSubnet(network.cidr, 4, (props.offset ?? PRIVATE_SUBNET_OFFSET) + i);
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: network.vpc.id,
        cidrBlock: cidr,
        availabilityZone: publicSubnet.availabilityZone,
        mapPublicIpOnLaunch: false,
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
      this.egress.push(new RouteTableAssociation(this, `private-${i}-association`, { subnetId: subnet.id, routeTableId: routes.id }));
      return { id: subnet.id, cidr, availabilityZone: subnet.availabilityZone };
    });
    this.routeTableIds = routeTableIds;
  }
}
