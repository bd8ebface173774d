import { moveAliasRecords } from '../../../../cli/shared/aws/records';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

const ZONE = 'Z0PRODUCTIONZONE';
const STANDBY = { dnsName: 'standby-nlb.elb.us-west-2.amazonaws.com', zoneId: 'Z1H1FL5HABSF5' };

function cloud(pendingLooks: number) {
  const fake = new FakeAws();
  fake.route53.pendingLooks = pendingLooks;
  const alias = { HostedZoneId: 'Z2IFOLAFXWLO4F', DNSName: 'prod-nlb.elb.eu-west-1.amazonaws.com.', EvaluateTargetHealth: true };
  fake.route53.zones[ZONE] = { records: ['A', 'AAAA'].map((Type) => ({ Name: 'rancher.example.com.', Type, AliasTarget: alias })) };
  return { fake, clients: fake.clients() };
}
const both = (['A', 'AAAA'] as const).map((type) => ({ zoneId: ZONE, name: 'rancher.example.com', type, target: STANDBY }));

describe("moving the hostname's alias records", () => {
  it('points A and AAAA at the target in one UPSERT batch, then follows the change until Route 53 says INSYNC', async () => {
    const { fake, clients } = cloud(2);
    const moved = await moveAliasRecords(clients, both, { budgetMs: 60_000, pauseMs: 0 });
    expect(moved).toEqual({ changeIds: ['/change/C000000000001'], inSync: true });
    for (const type of ['A', 'AAAA'])
      expect(fake.route53.record(ZONE, 'rancher.example.com', type)?.AliasTarget).toEqual({
        HostedZoneId: STANDBY.zoneId,
        DNSName: `${STANDBY.dnsName}.`,
        EvaluateTargetHealth: true,
      });
    expect(fake.count('Route53 ChangeResourceRecordSets')).toBe(1);
    // PENDING twice, then INSYNC.
    expect(fake.count('Route53 GetChange')).toBe(3);
  });

  it('says so when the change is not INSYNC within its budget (a look per poll interval)', async () => {
    const { fake, clients } = cloud(1_000);
    const moved = await moveAliasRecords(clients, both, { budgetMs: 1, pauseMs: 0 });
    expect(moved.inSync).toBe(false);
    expect(fake.count('Route53 GetChange')).toBe(1);
  });

  it('tells each zone as Route 53 accepts its batch: a move stopped between zones names the zones it moved, and never says all', async () => {
    const { fake, clients } = cloud(0);
    const told: string[] = [];
    let submitted = 0;
    // The name in two zones; the second answers NoSuchHostedZone (deleted meanwhile), as a move stopped there.
    const twoZones = [...both, { ...both[0], zoneId: 'ZNOTTHERE' }];
    const moving = moveAliasRecords(clients, twoZones, { budgetMs: 1, pauseMs: 0, zoneMoved: (zone) => told.push(zone) }, () => submitted++);
    await expect(moving).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
    expect({ told, submitted }).toEqual({ told: [ZONE], submitted: 0 });
    expect(fake.route53.record(ZONE, 'rancher.example.com', 'A')?.AliasTarget?.DNSName).toBe(`${STANDBY.dnsName}.`);
  });

  it('fails as Route 53 does on a zone that is not there, changing nothing', async () => {
    const { fake, clients } = cloud(0);
    await expect(moveAliasRecords(clients, [{ ...both[0], zoneId: 'ZNOTTHERE' }], { budgetMs: 1, pauseMs: 0 })).rejects.toMatchObject({
      name: 'NoSuchHostedZone',
    });
    expect(fake.route53.record(ZONE, 'rancher.example.com', 'A')?.AliasTarget?.DNSName).toBe('prod-nlb.elb.eu-west-1.amazonaws.com.');
  });
});
