import type { Construct } from 'constructs';
import type { VpcEndpointService, VpcSettings } from '../config/vpc-schema';
import { FlowLogs } from './flow-logs';
import type { PublicNetwork } from './public-network';
import { VpcEndpoints } from './vpc-endpoints';

export interface VpcOptionsProps {
  readonly network: PublicNetwork;
  readonly settings: VpcSettings;
  /** Prefix of the names (`<settings.name>-<stack>`). */
  readonly name: string;
  /** Route tables of the subnets the nodes are in (the S3 gateway endpoint routes them). */
  readonly nodeRouteTableIds: readonly string[];
  /** Endpoints the stack needs whatever the settings say (closed egress without a proxy). @default none */
  readonly requiredEndpoints?: readonly VpcEndpointService[];
  /** Let destroy delete a flow log bucket with its logs. @default false */
  readonly forceDestroyLogs?: boolean;
}

/**
 * The `vpc` settings on a stack's network: flow logs (construct `flow-logs`)
 * and VPC endpoints (construct `endpoints`), each only when asked for.
 * Interface endpoints go into the public subnets, one per zone: they serve
 * the whole VPC, whichever subnets the nodes are in.
 */
export function addVpcOptions(scope: Construct, props: VpcOptionsProps): { endpoints?: VpcEndpoints } {
  const { network, settings } = props;
  if (settings.flowLogs.destination !== 'none') {
    new FlowLogs(scope, 'flow-logs', {
      vpcId: network.vpc.id,
      name: props.name,
      destination: settings.flowLogs.destination,
      retentionDays: settings.flowLogs.retentionDays,
      forceDestroy: props.forceDestroyLogs,
    });
  }
  const services = [...new Set([...settings.endpoints, ...(props.requiredEndpoints ?? [])])];
  if (services.length === 0) return {};
  const endpoints = new VpcEndpoints(scope, 'endpoints', {
    vpcId: network.vpc.id,
    vpcCidr: network.cidr,
    name: props.name,
    services,
    subnetIds: network.subnets.map((s) => s.id),
    routeTableIds: [...new Set([network.routeTableId, ...props.nodeRouteTableIds])],
  });
  return { endpoints };
}
