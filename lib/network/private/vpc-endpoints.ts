import { VpcEndpoint } from '@cdktn/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import type { VpcEndpointService } from '../../config/vpc-schema';
import { allowIngress, replaceableSecurityGroup } from './security-group-rules';
import { stackPartition, stackRegion } from '../../common/aws-context';

/**
 * The interface endpoints whose service name starts with the partition's own
 * reverse-DNS prefix (`cn.com.amazonaws` in China, `com.amazonaws` elsewhere)
 * rather than `com.amazonaws`: in China, EC2's and STS's do (DescribeVpcEndpointServices
 * in cn-north-1 and cn-northwest-1, as the AWS CDK's table of them records; design
 * notes, "Partitions"). The S3 gateway and the SSM, KMS and messages endpoints
 * keep `com.amazonaws` in every partition.
 */
const PARTITION_PREFIXED: readonly VpcEndpointService[] = ['ec2', 'sts'];

export interface VpcEndpointsProps {
  readonly vpcId: string;
  /** The VPC's range: interface endpoints admit HTTPS from it. */
  readonly vpcCidr: string;
  /** Prefix of the names (the endpoints' security group `<name>-endpoints-`). */
  readonly name: string;
  readonly services: readonly VpcEndpointService[];
  /** One subnet per zone: each interface endpoint gets a network interface in each. */
  readonly subnetIds: string[];
  /** The route tables of the subnets whose instances call S3 (the gateway endpoint adds S3's routes to them). */
  readonly routeTableIds: string[];
}

/**
 * Private routes from the VPC to AWS services (FSBP EC2.10): the S3 gateway
 * endpoint (route table entries, no charge) and interface endpoints with
 * private DNS, so the services' usual names resolve to addresses inside the
 * VPC for every instance in it (no proxy, NAT or internet route needed for
 * them). Interface endpoints admit HTTPS from the VPC's range only.
 */
export class VpcEndpoints extends Construct {
  readonly endpoints: ReadonlyMap<VpcEndpointService, VpcEndpoint>;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const region = stackRegion(this);
    // The partition's prefix is read only where a name takes it, from the stack's one partition data source.
    const prefix = (service: VpcEndpointService, type: 'Gateway' | 'Interface') =>
      type === 'Interface' && PARTITION_PREFIXED.includes(service) ? stackPartition(this).reverseDnsPrefix : 'com.amazonaws';
    const serviceName = (service: VpcEndpointService, type: 'Gateway' | 'Interface') => `${prefix(service, type)}.${region.region}.${service}`;
    const interfaces = props.services.filter((s) => s !== 's3');
    const endpoints = new Map<VpcEndpointService, VpcEndpoint>();

    if (props.services.includes('s3')) {
      endpoints.set(
        's3',
        new VpcEndpoint(this, 'endpoint-s3', {
          vpcId: props.vpcId,
          serviceName: serviceName('s3', 'Gateway'),
          vpcEndpointType: 'Gateway',
          routeTableIds: props.routeTableIds,
          tags: { Name: `${props.name}-s3` },
        }),
      );
    }
    if (interfaces.length > 0) {
      const group = replaceableSecurityGroup(this, 'security-group', {
        name: `${props.name}-endpoints`,
        description: 'VPC interface endpoints: HTTPS from the VPC',
        vpcId: props.vpcId,
      });
      allowIngress(
        this,
        'https-from-vpc',
        group.id,
        { protocol: 'tcp', from: 443, to: 443, description: 'HTTPS from the VPC' },
        { cidr: props.vpcCidr },
      );
      for (const service of interfaces) {
        endpoints.set(
          service,
          new VpcEndpoint(this, `endpoint-${service}`, {
            vpcId: props.vpcId,
            serviceName: serviceName(service, 'Interface'),
            vpcEndpointType: 'Interface',
            privateDnsEnabled: true,
            subnetIds: props.subnetIds,
            securityGroupIds: [group.id],
            tags: { Name: `${props.name}-${service}` },
          }),
        );
      }
    }
    this.endpoints = endpoints;
  }

  /** The S3 gateway endpoint's prefix list (for egress rules), if there is one. */
  get s3PrefixListId(): string | undefined {
    return this.endpoints.get('s3')?.prefixListId;
  }
}
