// The VPC's endpoints and flow logs, and the nodes' egress to the S3 gateway: a deployment's step joining the network
// and the nodes' group, so it lives with the deployments and lib/network imports nothing of lib/nodes.
import type { Construct } from 'constructs';
import type { ProxySettings } from '../../config/sections';
import { NODE_ENDPOINTS, type VpcEndpointService, type VpcSettings } from '../../config/vpc-schema';
import type { NodeSecurityGroup } from '../../nodes/node-security-group';
import { FlowLogs } from '../../network/private/flow-logs';
import { proxyEnabled } from '../../network/private/proxy';
import type { PublicNetwork } from '../../network/public-network';
import { VpcEndpoints } from '../../network/private/vpc-endpoints';

export interface VpcOptionsProps {
  readonly network: PublicNetwork;
  readonly settings: VpcSettings;
  /** Prefix of the names (`<settings.name>-<stack>`). */
  readonly name: string;
  /** Route tables of the subnets the nodes are in (the S3 gateway endpoint routes them). */
  readonly nodeRouteTableIds: readonly string[];
  /**
   * The nodes' proxy settings and their group. With `egressOnlyTo` and no
   * proxy the nodes reach AWS only through endpoints: SSM, Session Manager and
   * S3 are added whatever `vpc.endpoints` says, and with closed egress the
   * group may reach the S3 gateway's prefix list.
   */
  readonly proxy: ProxySettings;
  readonly nodeGroup: NodeSecurityGroup;
  /**
   * Services the nodes call beyond NODE_ENDPOINTS, added with them when egress is closed without a proxy (STS, for
   * the servers' backup credentials). @default none
   */
  readonly nodeServices?: readonly VpcEndpointService[];
  /** Let destroy delete a flow log bucket with its logs. @default false */
  readonly forceDestroyLogs?: boolean;
}

/**
 * The `vpc` settings on a stack's network: flow logs (construct `flow-logs`)
 * and VPC endpoints (construct `endpoints`), each only when asked for, or,
 * for the endpoints, when closed egress without a proxy needs them.
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
  const egressClosed = props.proxy.egressOnlyTo.length > 0;
  const required = egressClosed && !proxyEnabled(props.proxy) ? [...NODE_ENDPOINTS, ...(props.nodeServices ?? [])] : [];
  const services = [...new Set<VpcEndpointService>([...settings.endpoints, ...required])];
  if (services.length === 0) return {};
  const endpoints = new VpcEndpoints(scope, 'endpoints', {
    vpcId: network.vpc.id,
    vpcCidr: network.cidr,
    name: props.name,
    services,
    subnetIds: network.subnets.map((s) => s.id),
    routeTableIds: [...new Set([network.routeTableId, ...props.nodeRouteTableIds])],
  });
  const s3 = endpoints.s3PrefixListId;
  if (egressClosed && s3 !== undefined) props.nodeGroup.allowHttpsToPrefixList('egress-s3', s3, 'HTTPS to S3 through the gateway endpoint');
  return { endpoints };
}
