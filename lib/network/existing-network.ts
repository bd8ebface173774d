import { DataAwsRouteTable } from '@cdktn/provider-aws/lib/data-aws-route-table';
import { DataAwsRouteTables } from '@cdktn/provider-aws/lib/data-aws-route-tables';
import { DataAwsSubnet } from '@cdktn/provider-aws/lib/data-aws-subnet';
import { DataAwsVpc } from '@cdktn/provider-aws/lib/data-aws-vpc';
import { Fn, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TerraformData } from '../common/terraform-data';
import { PRIVATE_EGRESS_TARGETS, ROUTE_TARGETS, hasDefaultRoute, hasIpv6DefaultRoute, hostFits, outsideRanges } from './private/network-conditions';
import type { SubnetInfo } from './public-network';

/** How the nodes reach the internet, and so what their subnets' routes must offer. */
export type NodeEgress =
  /** By themselves: a NAT, transit or virtual private gateway, an appliance; or an internet gateway with public addresses on launch. */
  | 'own'
  /** Each node gets an Elastic IP: an internet gateway is required, public addresses on launch are not. */
  | 'elastic-ip'
  /** Something else carries what they download (a proxy, a mirror): no route is required. */
  | 'provided';

/** The VPC and subnets of a network that exists, and what the checks hold them to. */
export interface ExistingNetworkProps {
  /** Literal ids throughout: the checks run at plan time only when AWS can be asked before anything is created. */
  readonly vpcId: string;
  /** Public subnets of the internet-facing load balancers, one per zone. @default [] */
  readonly loadBalancerSubnetIds?: readonly string[];
  /** The nodes' subnets, node i in the i-th, each in a zone of its own (and one of the load balancers'). */
  readonly nodeSubnetIds: readonly string[];
  /** Host number of each node's fixed address in its subnet. */
  readonly hostNumber: number;
  /** How the nodes reach the internet: what the node subnets' routes are checked for. */
  readonly nodeEgress: NodeEgress;
  /** Subnets of a database subnet group: at least two zones. @default [] */
  readonly datastoreSubnetIds?: readonly string[];
  /** Ranges no subnet may share an address with (the cluster's pod and service networks). @default [] */
  readonly reservedRanges?: readonly string[];
  /**
   * Dual-stack: the VPC and the load balancers' and nodes' subnets must have
   * IPv6 blocks, and the load balancers' subnets route ::/0 to an internet
   * gateway (what a dual-stack load balancer needs). Refused at plan time
   * otherwise, as the other checks are. @default false
   */
  readonly ipv6?: boolean;
}

/**
 * A subnet's role in the messages: `node subnet 1` is `nodeSubnetIds[1]`, read by the data source
 * `network/node-subnet-1` that Terraform names beside the error.
 */
type SubnetRole = 'load balancer' | 'node' | 'datastore';
const roleOf = (role: SubnetRole, i: number) => `${role} subnet ${i}`;

/** A subnet read from AWS, as the constructs consume it (every field a Terraform expression). */
interface ReadSubnet {
  readonly data: DataAwsSubnet;
  readonly info: SubnetInfo;
}

/**
 * A VPC and subnets that exist already, read with data sources and checked
 * at plan time, before anything is created: each subnet is in the VPC, the
 * load balancers' subnets route 0.0.0.0/0 to an internet gateway and sit one
 * per zone, the nodes' subnets span distinct zones the load balancers
 * cover and give the nodes a way out, the fixed node address fits each node
 * subnet, and no subnet overlaps the reserved ranges. A failed check stops
 * the plan (data-source postconditions and `terraform_data` preconditions:
 * `check` blocks would only warn) with a message in this construct's words,
 * whoever built it: the VPC or subnet by its id and role (`node subnet 1` is
 * `nodeSubnetIds[1]`), the remedy in AWS's terms and in these props'
 * (`ipv6`, `hostNumber`, `nodeEgress`).
 *
 * Exposes the shape PublicNetwork and PrivateSubnets give (the VPC's id as
 * `vpcId`, `subnets` and `nodeSubnets` as SubnetInfo, `internetAccess`),
 * with every id, CIDR and zone a Terraform expression. Nothing here is ever created or destroyed: destroy leaves the
 * VPC, its subnets and route tables alone.
 *
 * A subnet without an explicit route table association uses the VPC's main
 * table; `aws_route_table` by `subnet_id` finds only explicit associations
 * and fails otherwise, so the table is looked up with `aws_route_tables`
 * (which may return none) and falls back to `main_route_table_id`.
 */
export class ExistingNetwork extends Construct {
  /** The VPC, read from AWS. */
  readonly vpc: DataAwsVpc;
  /** The load balancers' subnets (PublicNetwork's `subnets`). */
  readonly subnets: readonly SubnetInfo[];
  /** The nodes' subnets, node i in the i-th. */
  readonly nodeSubnets: readonly SubnetInfo[];
  /** The database subnet group's subnets; empty without `datastoreSubnetIds`. */
  readonly datastoreSubnets: readonly SubnetInfo[];
  /** The route tables checked for an internet gateway: what internet-facing load balancers and Elastic IPs come after. */
  readonly internetAccess: ITerraformDependable[] = [];
  /**
   * The ranges the nodes reach directly (a Terraform list): the VPC's
   * primary range and every node and datastore subnet's. Each is fixed for
   * the life of its VPC or subnet, so user data built from them never drifts.
   */
  readonly directCidrs: string[];
  /** The zone checks (one `terraform_data` with a precondition each); undefined when there is nothing to compare. */
  readonly checks?: TerraformData;

  private readonly props: ExistingNetworkProps;

  constructor(scope: Construct, id: string, props: ExistingNetworkProps) {
    super(scope, id);
    this.props = props;
    this.vpc = new DataAwsVpc(this, 'vpc', {
      id: props.vpcId,
      lifecycle: {
        postcondition: [
          {
            condition: '${self.enable_dns_support}',
            errorMessage: `The VPC ${props.vpcId} has DNS resolution turned off; the nodes resolve AWS endpoints and Rancher's name through the VPC resolver. Turn on DNS resolution (enableDnsSupport) on the VPC.`,
          },
          ...(props.ipv6
            ? [
                {
                  condition: '${self.ipv6_cidr_block != ""}',
                  errorMessage: `The VPC ${props.vpcId} has no IPv6 block, and ipv6 asks for a dual-stack network: associate one with the VPC (an Amazon-provided /56 or one of yours) and a /64 with each load balancer and node subnet, or leave ipv6 off.`,
                },
              ]
            : []),
        ],
      },
    });

    const loadBalancers = (props.loadBalancerSubnetIds ?? []).map((subnetId, i) => {
      const label = roleOf('load balancer', i);
      const subnet = this.readSubnet(`load-balancer-subnet-${i}`, subnetId, label, this.ipv6Conditions(subnetId, label));
      const routes = this.effectiveRoutes(`load-balancer-subnet-${i}`, subnet.data, [
        {
          condition: `\${${hasDefaultRoute('self.routes', [ROUTE_TARGETS.internetGateway])}}`,
          errorMessage: `${subnetId} (${label}) is not public: its route table \${self.route_table_id} sends 0.0.0.0/0 to no internet gateway, so an internet-facing load balancer there is unreachable. Route 0.0.0.0/0 to an internet gateway, or use a public subnet.`,
        },
        ...(props.ipv6
          ? [
              {
                condition: `\${${hasIpv6DefaultRoute('self.routes', [ROUTE_TARGETS.internetGateway])}}`,
                errorMessage: `${subnetId} (${label}): its route table \${self.route_table_id} sends ::/0 to no internet gateway, so a dual-stack load balancer there (ipv6) is unreachable over IPv6. Route ::/0 to the internet gateway, or leave ipv6 off.`,
              },
            ]
          : []),
      ]);
      this.internetAccess.push(routes);
      return subnet;
    });

    const nodes = props.nodeSubnetIds.map((subnetId, i) => {
      const label = roleOf('node', i);
      const subnet = this.readSubnet(`node-subnet-${i}`, subnetId, label, [
        {
          condition: `\${${hostFits('self.cidr_block', props.hostNumber)}}`,
          errorMessage: `${subnetId} (${label}) is \${self.cidr_block}, which has no usable host ${props.hostNumber} (hostNumber; AWS keeps the last address): use a larger subnet or a smaller hostNumber.`,
        },
        ...this.ipv6Conditions(subnetId, label),
      ]);
      const egress = this.egressCondition(subnetId, label, subnet.data);
      const routes = egress ? this.effectiveRoutes(`node-subnet-${i}`, subnet.data, [egress]) : undefined;
      // An Elastic IP's association needs the internet gateway this route checks.
      if (routes && props.nodeEgress === 'elastic-ip') this.internetAccess.push(routes);
      return subnet;
    });

    const datastore = (props.datastoreSubnetIds ?? []).map((subnetId, i) =>
      this.readSubnet(`datastore-subnet-${i}`, subnetId, roleOf('datastore', i), []),
    );

    this.subnets = loadBalancers.map((s) => s.info);
    this.nodeSubnets = nodes.map((s) => s.info);
    this.datastoreSubnets = datastore.map((s) => s.info);
    this.directCidrs = Token.asList(Fn.distinct([this.vpc.cidrBlock, ...[...nodes, ...datastore].map((s) => s.data.cidrBlock)]));

    const zones = (subnets: readonly ReadSubnet[]) => `[${subnets.map((s) => `${s.data.fqn}.availability_zone`).join(', ')}]`;
    const preconditions: { condition: string; errorMessage: string }[] = [];
    if (loadBalancers.length > 1) {
      preconditions.push({
        condition: `\${length(distinct(${zones(loadBalancers)})) == ${loadBalancers.length}}`,
        errorMessage: `Two load balancer subnets share a zone (zones \${jsonencode(${zones(loadBalancers)})}, in loadBalancerSubnetIds' order); a load balancer takes one subnet per zone.`,
      });
    }
    if (nodes.length > 1) {
      preconditions.push({
        condition: `\${length(distinct(${zones(nodes)})) == ${nodes.length}}`,
        errorMessage: `Two node subnets share a zone (zones \${jsonencode(${zones(nodes)})}, in nodeSubnetIds' order); the servers go one per zone, so that losing a zone loses one server.`,
      });
    }
    if (loadBalancers.length > 0) {
      preconditions.push({
        condition: `\${length(setsubtract(${zones(nodes)}, ${zones(loadBalancers)})) == 0}`,
        errorMessage: `The node subnets put servers in zones \${jsonencode(setsubtract(${zones(nodes)}, ${zones(loadBalancers)}))} where no load balancer subnet is; a load balancer sends nothing to targets in a zone it is not in. Add a public subnet of that zone to loadBalancerSubnetIds.`,
      });
    }
    if (datastore.length > 0) {
      preconditions.push({
        condition: `\${length(distinct(${zones(datastore)})) >= 2}`,
        errorMessage: `The datastore subnets span the zones \${jsonencode(distinct(${zones(datastore)}))}; an RDS subnet group needs subnets in at least two zones.`,
      });
    }
    if (preconditions.length > 0) {
      this.checks = new TerraformData(this, 'checks', {
        input: 'plan-time checks of the existing network (see the preconditions)',
        lifecycle: { precondition: preconditions },
      });
    }
  }

  /** With `ipv6`: the subnet has an IPv6 block (a server there gets an address of it, a load balancer one per zone). */
  private ipv6Conditions(subnetId: string, label: string): { condition: string; errorMessage: string }[] {
    if (!this.props.ipv6) return [];
    return [
      {
        condition: '${self.ipv6_cidr_block != ""}',
        errorMessage: `${subnetId} (${label}) has no IPv6 block, and ipv6 asks for a dual-stack network: associate a /64 of the VPC's IPv6 block with it, or leave ipv6 off.`,
      },
    ];
  }

  /** The VPC id, through the data source (resources in it come after its checks). */
  get vpcId(): string {
    return this.vpc.id;
  }

  /** Reads a subnet and checks it is in the VPC, clear of the reserved ranges, and whatever `extra` says. */
  private readSubnet(id: string, subnetId: string, label: string, extra: { condition: string; errorMessage: string }[]): ReadSubnet {
    const reserved = this.props.reservedRanges ?? [];
    const data = new DataAwsSubnet(this, id, {
      id: subnetId,
      lifecycle: {
        postcondition: [
          {
            condition: `\${self.vpc_id == "${this.props.vpcId}"}`,
            errorMessage: `${subnetId} (${label}) is in \${self.vpc_id}, not in the VPC ${this.props.vpcId}.`,
          },
          ...(reserved.length
            ? [
                {
                  condition: `\${${outsideRanges('self.cidr_block', reserved)}}`,
                  errorMessage: `${subnetId} (${label}) is \${self.cidr_block}, which overlaps ${reserved.join(' or ')}, the cluster's own pod and service networks: traffic to it would stay inside the cluster. Use subnets outside them.`,
                },
              ]
            : []),
          ...extra,
        ],
      },
    });
    return { data, info: { id: data.id, cidr: data.cidrBlock, availabilityZone: data.availabilityZone } };
  }

  /** The route table a subnet uses: its explicit association, or else the VPC's main table. */
  private effectiveRoutes(id: string, subnet: DataAwsSubnet, postcondition: { condition: string; errorMessage: string }[]): DataAwsRouteTable {
    const explicit = new DataAwsRouteTables(this, `${id}-explicit-routes`, {
      vpcId: this.props.vpcId,
      filter: [{ name: 'association.subnet-id', values: [subnet.id] }],
    });
    return new DataAwsRouteTable(this, `${id}-routes`, {
      routeTableId: `\${length(${explicit.fqn}.ids) > 0 ? ${explicit.fqn}.ids[0] : ${this.vpc.fqn}.main_route_table_id}`,
      lifecycle: { postcondition },
    });
  }

  /** The route check of a node subnet, per how the nodes reach the internet; undefined when none is needed. */
  private egressCondition(subnetId: string, label: string, subnet: DataAwsSubnet): { condition: string; errorMessage: string } | undefined {
    switch (this.props.nodeEgress) {
      case 'provided':
        return undefined;
      case 'elastic-ip':
        return {
          condition: `\${${hasDefaultRoute('self.routes', [ROUTE_TARGETS.internetGateway])}}`,
          errorMessage: `${subnetId} (${label}) is not public: its route table \${self.route_table_id} sends 0.0.0.0/0 to no internet gateway, and the host's Elastic IP needs one. Use a public subnet.`,
        };
      case 'own': {
        const publicAddresses = `${subnet.fqn}.map_public_ip_on_launch`;
        return {
          condition: `\${${hasDefaultRoute('self.routes', [`(${ROUTE_TARGETS.internetGateway} && ${publicAddresses})`, ...PRIVATE_EGRESS_TARGETS])}}`,
          errorMessage:
            `${subnetId} (${label}) gives the servers no way out: its route table \${self.route_table_id} sends 0.0.0.0/0 to no NAT, transit or virtual private gateway, network interface or instance` +
            `, nor to an internet gateway with public addresses on launch (map_public_ip_on_launch is \${${publicAddresses}}). The servers download their installer, release and images at boot: give the subnet egress` +
            ", or set nodeEgress to 'provided' where a proxy or a mirror carries them.",
        };
      }
    }
  }
}
