import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import type { VpcEndpointService } from '../../../lib/config/vpc-schema';
import { VpcEndpoints } from '../../../lib/network/private/vpc-endpoints';
import { only, ref, resources, synthConstruct } from '../../helpers/synth';

function synth(services: VpcEndpointService[]) {
  let endpoints!: VpcEndpoints;
  const { json } = synthConstruct((stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    endpoints = new VpcEndpoints(stack, 'endpoints', {
      vpcId: 'vpc-0123',
      vpcCidr: '10.0.0.0/16',
      name: 'demo-rke-ha',
      services,
      subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
      routeTableIds: ['rtb-public', 'rtb-private-0'],
    });
  });
  return { json, endpoints };
}

describe('VpcEndpoints', () => {
  const { json, endpoints } = synth(['s3', 'ssm', 'ssmmessages', 'ec2messages']);
  const byService = (service: string) =>
    Object.values(resources(json, 'aws_vpc_endpoint')).find((e) => String(e.service_name).endsWith(`.${service}`));

  it('routes S3 through a gateway endpoint in the given route tables', () => {
    expect(byService('s3')).toMatchObject({ vpc_id: 'vpc-0123', vpc_endpoint_type: 'Gateway', route_table_ids: ['rtb-public', 'rtb-private-0'] });
    expect(byService('s3').service_name).toMatch(/^com\.amazonaws\.\$\{data\.aws_region\.[^.]+\.region\}\.s3$/);
    expect(endpoints.s3PrefixListId).toBeDefined();
  });

  it('creates each interface endpoint in every zone with private DNS, admitting HTTPS from the VPC only', () => {
    const [groupName, group] = only(json, 'aws_security_group');
    expect(group.name_prefix).toBe('demo-rke-ha-endpoints-');
    for (const service of ['ssm', 'ssmmessages', 'ec2messages']) {
      expect(byService(service)).toMatchObject({
        vpc_endpoint_type: 'Interface',
        private_dns_enabled: true,
        subnet_ids: ['subnet-a', 'subnet-b', 'subnet-c'],
        security_group_ids: [ref('aws_security_group', groupName, 'id')],
      });
    }
    const [, rule] = only(json, 'aws_vpc_security_group_ingress_rule');
    expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '10.0.0.0/16' });
    expect(resources(json, 'aws_vpc_security_group_egress_rule')).toEqual({});
  });

  it('creates no security group for the S3 gateway alone, and no prefix list without it', () => {
    const gatewayOnly = synth(['s3']).json;
    expect(Object.keys(resources(gatewayOnly, 'aws_vpc_endpoint'))).toHaveLength(1);
    expect(resources(gatewayOnly, 'aws_security_group')).toEqual({});
    expect(synth(['ssm']).endpoints.s3PrefixListId).toBeUndefined();
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
