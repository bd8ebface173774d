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
});
