import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { FakeAws } from './fake-aws';

// The fake's Route 53 behaviours the failover can break on (README.md, "Route 53").

const alias = (DNSName: string) => ({ HostedZoneId: 'Z1H1FL5HABSF5', DNSName, EvaluateTargetHealth: true });
const change = (Action: 'CREATE' | 'UPSERT' | 'DELETE', Type: 'A' | 'AAAA', DNSName = 'lb.example.') =>
  ({ Action, ResourceRecordSet: { Name: 'rancher.example.com', Type, AliasTarget: alias(DNSName) } }) as const;

describe('the fake Route 53', () => {
  it('refuses CREATE of a record that exists, and applies no change of that batch', async () => {
    const fake = new FakeAws();
    fake.route53.zones.Z1 = { records: [{ Name: 'rancher.example.com.', Type: 'A', AliasTarget: alias('old.example.') }] };
    const send = (changes: any[]) =>
      fake.clients().route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: '/hostedzone/Z1', ChangeBatch: { Changes: changes } }));
    await expect(send([change('UPSERT', 'AAAA'), change('CREATE', 'A')])).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
    expect(fake.route53.zones.Z1.records).toHaveLength(1);
    await send([change('UPSERT', 'A', 'new.example')]);
    expect(fake.route53.record('Z1', 'rancher.example.com', 'A')?.AliasTarget?.DNSName).toBe('new.example.');
  });

  it('refuses an alias record that also has values or a TTL', async () => {
    const fake = new FakeAws();
    fake.route53.zones.Z1 = { records: [] };
    const set = { Name: 'rancher.example.com', Type: 'A' as const, AliasTarget: alias('lb.example.'), TTL: 60 };
    await expect(
      fake
        .clients()
        .route53.send(
          new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: set }] } }),
        ),
    ).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
  });

  it('refuses a CNAME beside another record of its name, and an A beside a CNAME, until a delete in the same batch', async () => {
    const fake = new FakeAws();
    const a = { Name: 'rancher.example.com', Type: 'A' as const, TTL: 60, ResourceRecords: [{ Value: '198.51.100.1' }] };
    const cname = { Name: 'rancher.example.com', Type: 'CNAME' as const, TTL: 60, ResourceRecords: [{ Value: 'lb.example.net' }] };
    fake.route53.zones.Z1 = { records: [{ ...a, Name: 'rancher.example.com.' }] };
    const send = (changes: any[]) =>
      fake.clients().route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: changes } }));
    await expect(send([{ Action: 'UPSERT', ResourceRecordSet: cname }])).rejects.toThrow(/RRSet of type CNAME .* conflicts/);
    // A delete must name the record as it is.
    await expect(
      send([
        { Action: 'DELETE', ResourceRecordSet: { ...a, TTL: 300 } },
        { Action: 'UPSERT', ResourceRecordSet: cname },
      ]),
    ).rejects.toThrow(/do not match the current values/);
    expect(fake.route53.zones.Z1.records.map((r) => r.Type)).toEqual(['A']);
    await send([
      { Action: 'DELETE', ResourceRecordSet: a },
      { Action: 'UPSERT', ResourceRecordSet: cname },
    ]);
    expect(fake.route53.zones.Z1.records.map((r) => r.Type)).toEqual(['CNAME']);
    await expect(send([{ Action: 'UPSERT', ResourceRecordSet: a }])).rejects.toThrow(/RRSet of type A .* conflicts/);
  });

  it('failover routing: a simple set refused beside a failover set of its name and type; the SECONDARY answered only while the PRIMARY health check, on its alarm, is unhealthy', async () => {
    const fake = new FakeAws();
    fake.route53.zones.Z1 = { records: [{ Name: 'rancher.example.com.', Type: 'A', AliasTarget: alias('primary.example.') }] };
    const send = (changes: any[]) =>
      fake.clients().route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: changes } }));
    const failover = (role: 'PRIMARY' | 'SECONDARY', to: string) => ({
      Name: 'rancher.example.com',
      Type: 'A' as const,
      AliasTarget: { ...alias(to), EvaluateTargetHealth: false },
      Failover: role,
      SetIdentifier: role === 'PRIMARY' ? 'primary' : 'standby',
      ...(role === 'PRIMARY' ? { HealthCheckId: 'hc1' } : {}),
    });
    // Beside the simple set: refused; the simple set deleted first in the same batch (the provider's update): taken.
    await expect(send([{ Action: 'CREATE', ResourceRecordSet: failover('PRIMARY', 'primary.example.') }])).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
    });
    await send([
      { Action: 'DELETE', ResourceRecordSet: { Name: 'rancher.example.com', Type: 'A', AliasTarget: alias('primary.example.') } },
      { Action: 'CREATE', ResourceRecordSet: failover('PRIMARY', 'primary.example.') },
    ]);
    await send([{ Action: 'CREATE', ResourceRecordSet: failover('SECONDARY', 'standby.example.') }]);
    fake.route53.healthChecks.hc1 = { alarmName: 'failed-over', alarmRegion: 'us-west-2', insufficientDataHealthStatus: 'LastKnownStatus' };
    const answered = () => fake.route53.answer('rancher.example.com', 'A')?.AliasTarget?.DNSName;
    // No alarm data yet (a new deployment): the new health check is healthy.
    fake.cloudwatch.alarms['failed-over'] = {
      region: 'us-west-2',
      namespace: 'RancherHA/x',
      metricName: 'FailedOver',
      threshold: 1,
      state: 'INSUFFICIENT_DATA',
    };
    expect(answered()).toBe('primary.example.');
    // The metric written in us-west-2: the alarm follows a look later, then the SECONDARY answers; its data gone
    // (INSUFFICIENT_DATA), the last known status holds.
    fake.cloudwatch.region = 'us-west-2';
    fake.cloudwatch.handlers.PutMetricData({ Namespace: 'RancherHA/x', MetricData: [{ MetricName: 'FailedOver', Value: 1 }] });
    expect(answered()).toBe('primary.example.');
    const looks = () => fake.cloudwatch.handlers.DescribeAlarms({ AlarmNames: ['failed-over'] }).MetricAlarms[0]?.StateValue;
    expect([looks(), looks()]).toEqual(['INSUFFICIENT_DATA', 'ALARM']);
    expect(answered()).toBe('standby.example.');
    fake.cloudwatch.alarms['failed-over'].state = 'INSUFFICIENT_DATA';
    expect(answered()).toBe('standby.example.');
    // An alarm of that name in another region is not the one the health check follows; nor does that region answer it.
    fake.cloudwatch.region = 'eu-west-1';
    expect(fake.cloudwatch.handlers.DescribeAlarms({ AlarmNames: ['failed-over'] }).MetricAlarms).toEqual([]);
  });
});
