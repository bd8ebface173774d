import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { ARecord, type ARecordProps } from '../../../lib/dns/a-record';
import { dataSources, only, synthConstruct } from '../../helpers/synth';

/** One record in a stack of its own, with the AWS provider. */
const synthRecord = (props: ARecordProps) =>
  synthConstruct((stack) => [new AwsProvider(stack, 'aws', { region: 'us-east-1' }), new ARecord(stack, 'dns', props)]).json;

describe('ARecord', () => {
  const json = synthRecord({ zoneName: 'example.com', recordName: 'rancher.example.com', addresses: ['203.0.113.10'] });
  const zones = Object.entries(dataSources(json, 'aws_route53_zone'));
  const [, record] = only(json, 'aws_route53_record');

  it('finds the public hosted zone by name', () => {
    expect(zones).toHaveLength(1);
    expect(zones[0][1]).toMatchObject({ name: 'example.com', private_zone: false });
  });

  it('creates a plain A record with a 5-minute TTL by default', () => {
    expect(record).toMatchObject({
      zone_id: `\${data.aws_route53_zone.${zones[0][0]}.zone_id}`,
      name: 'rancher.example.com',
      type: 'A',
      ttl: 300,
      records: ['203.0.113.10'],
    });
    expect(record).not.toHaveProperty('alias');
  });

  it('takes another TTL', () => {
    const short = synthRecord({ zoneName: 'example.com', recordName: 'a.example.com', addresses: ['203.0.113.10'], ttl: 60 });
    expect(only(short, 'aws_route53_record')[1].ttl).toBe(60);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
