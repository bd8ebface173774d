import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import type { VpcEndpointService } from '../../config/vpc-schema';
import { allowIngress, replaceableSecurityGroup } from './security-group-rules';
import { stackRegion } from '../../common/aws-context';

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
    const serviceName = (service: VpcEndpointService) => `com.amazonaws.${region.region}.${service}`;
    const interfaces = props.services.filter((s) => s !== 's3');
    const endpoints = new Map<VpcEndpointService, VpcEndpoint>();

    if (props.services.includes('s3')) {
      endpoints.set(
        's3',
        new VpcEndpoint(this, 'endpoint-s3', {
          vpcId: props.vpcId,
          serviceName: serviceName('s3'),
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
            serviceName: serviceName(service),
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
