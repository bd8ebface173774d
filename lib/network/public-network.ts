import { DataAwsAvailabilityZones } from '@cdktn/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktn/provider-aws/lib/default-security-group';
import { InternetGateway } from '@cdktn/provider-aws/lib/internet-gateway';
import { Route } from '@cdktn/provider-aws/lib/route';
import { RouteTable } from '@cdktn/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktn/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktn/provider-aws/lib/subnet';
import { Vpc } from '@cdktn/provider-aws/lib/vpc';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { cidrSubnet } from '../config/cidr';

/** The VPC's range, zones and name, and whether it is dual-stack. */
export interface PublicNetworkProps {
  /** VPC range. The subnets are its first `zoneCount` sixteenths. */
  readonly cidr: string;
  /** Number of availability zones, one public subnet each. @default 3 */
  readonly zoneCount?: number;
  /** Prefix of the Name tags. */
  readonly name: string;
  /**
   * Dual-stack: an Amazon-provided /56 on the VPC, the /64 of the same index
   * (`cidrsubnet(<the /56>, 8, n)`) on each subnet with an IPv6 address for
   * whatever launches there, and ::/0 to the internet gateway. @default false
   */
  readonly ipv6?: boolean;
}

/** The IPv6 /64 of subnet `index` in a VPC's /56 (a Terraform expression: AWS chooses the /56). */
export function ipv6SubnetCidr(vpc: Vpc, index: number): string {
  return Fn.cidrsubnet(vpc.ipv6CidrBlock, 8, index);
}

/** A subnet as the constructs consume it: its id, range and zone. */
export interface SubnetInfo {
  /** The subnet's id. */
  readonly id: string;
  /**
   * The subnet's range: a literal in a network the stack creates (fixed node
   * addresses are carved from it at synth time), a Terraform expression in an
   * existing one (ExistingNetwork: `cidrhost` at plan time).
   */
  readonly cidr: string;
  /** The subnet's availability zone (its name, `eu-west-1a`). */
  readonly availabilityZone: string;
}

/**
 * A VPC over several availability zones with public subnets routed to an
 * internet gateway. Zones come from the region's default (non opt-in) zones,
 * in the order AWS lists them.
 *
 * The VPC's default security group is adopted with no rules at all (FSBP
 * EC2.2): nothing here uses it, and an instance or endpoint that lands in it
 * by mistake then reaches nothing instead of everything in the group.
 */
export class PublicNetwork extends Construct {
  /** The VPC. */
  readonly vpc: Vpc;
  /** The public subnets, one per zone, in the zones' order. */
  readonly subnets: readonly SubnetInfo[];
  /** The VPC range, as given (a literal). */
  readonly cidr: string;
  /**
   * The internet gateway, the default route and the route table associations:
   * what internet-facing load balancers and NAT gateways must wait for at
   * create time, and what cluster access must outlive at destroy time.
   */
  readonly internetAccess: ITerraformDependable[] = [];
  /** The public subnets' route table. */
  readonly routeTableId: string;
  /** The VPC's internet gateway (what a host's Elastic IP waits for). */
  readonly internetGateway: InternetGateway;
  /** Dual-stack (`ipv6`): the VPC and its subnets have IPv6 blocks. */
  readonly ipv6: boolean;

  constructor(scope: Construct, id: string, props: PublicNetworkProps) {
    super(scope, id);
    const zoneCount = props.zoneCount ?? 3;

    const zones = new DataAwsAvailabilityZones(this, 'zones', {
      state: 'available',
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
      lifecycle: {
        // element() wraps around: with fewer zones, two subnets would share one.
        postcondition: [
          {
            condition: `\${length(self.names) >= ${zoneCount}}`,
            errorMessage: `This region has fewer than ${zoneCount} default availability zones.`,
          },
        ],
      },
    });

    this.cidr = props.cidr;
    this.ipv6 = props.ipv6 ?? false;
    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      ...(this.ipv6 ? { assignGeneratedIpv6CidrBlock: true } : {}),
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: props.name },
    });
    // Empty lists, not omitted ones: the provider then also removes rules someone adds later, on the next apply.
    new DefaultSecurityGroup(this, 'default-security-group', {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${props.name}-default-unused` },
    });

    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: props.name } });
    this.internetGateway = igw;
    const routes = new RouteTable(this, 'public-routes', { vpcId: this.vpc.id, tags: { Name: `${props.name}-public` } });
    this.routeTableId = routes.id;
    const defaultRoute = new Route(this, 'default-route', { routeTableId: routes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
    this.internetAccess.push(igw, defaultRoute);
    if (this.ipv6) {
      this.internetAccess.push(
        new Route(this, 'default-route-ipv6', { routeTableId: routes.id, destinationIpv6CidrBlock: '::/0', gatewayId: igw.id }),
      );
    }

    this.subnets = Array.from({ length: zoneCount }, (_, i) => {
      const cidr = cidrSubnet(props.cidr, 4, i);
      const availabilityZone = Fn.element(zones.names, i);
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: cidr,
        availabilityZone,
        // Instances that need a public address ask for one (ServerNode `publicAddress`); nothing gets one by
        // accident (FSBP EC2.15). Changing this on an existing subnet is in place and keeps running instances' addresses.
        mapPublicIpOnLaunch: false,
        ...(this.ipv6 ? { ipv6CidrBlock: ipv6SubnetCidr(this.vpc, i), assignIpv6AddressOnCreation: true } : {}),
        tags: { Name: `${props.name}-public-${i}` },
        // A zone list that shifts later (a zone added to the region) must not
        // move existing subnets, and with them every node.
        lifecycle: { ignoreChanges: ['availability_zone'] },
      });
      this.internetAccess.push(new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: routes.id }));
      return { id: subnet.id, cidr, availabilityZone: subnet.availabilityZone };
    });
  }
}
