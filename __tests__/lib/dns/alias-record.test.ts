import { Lb } from '@cdktn/provider-aws/lib/lb';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { AliasRecord } from '../../../lib/dns/alias-record';
import { dataSources, only, ref, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

describe('AliasRecord', () => {
  const { json } = synth((stack) => {
    const lb = new Lb(stack, 'lb', { name: 'demo', loadBalancerType: 'network' });
    new AliasRecord(stack, 'dns', { zoneName: 'example.com', recordName: 'rancher.example.com', target: lb });
  });
  const zones = Object.entries(dataSources(json, 'aws_route53_zone'));
  const [, record] = only(json, 'aws_route53_record');

  it('finds the public hosted zone by name', () => {
    expect(zones).toHaveLength(1);
    expect(zones[0][1]).toMatchObject({ name: 'example.com', private_zone: false });
  });

  it('creates an A alias to the load balancer, evaluating target health', () => {
    expect(record).toMatchObject({
      zone_id: `\${data.aws_route53_zone.${zones[0][0]}.zone_id}`,
      name: 'rancher.example.com',
      type: 'A',
      alias: { name: ref('aws_lb', 'lb', 'dns_name'), zone_id: ref('aws_lb', 'lb', 'zone_id'), evaluate_target_health: true },
    });
    expect(record).not.toHaveProperty('records');
    expect(record).not.toHaveProperty('ttl');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
