import { eventsBy } from '../../../../cli/shared/aws/cloudtrail-events';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe("a user's CloudTrail events (the acceptance report's IAM actions used)", () => {
  it("are read over every page, that user's only, within the time range", async () => {
    const fake = new FakeAws();
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 8, minute));
    for (let m = 0; m < 7; m++) fake.cloudtrail.events.push({ user: 'ci', source: 'ec2.amazonaws.com', name: `Call${m}`, time: at(m) });
    fake.cloudtrail.events.push({ user: 'someone', source: 's3.amazonaws.com', name: 'GetObject', time: at(3) });
    const events = await eventsBy(fake.clients(), 'ci', at(1), at(5));
    expect(events.map((e) => e.name)).toEqual(['Call5', 'Call4', 'Call3', 'Call2', 'Call1']);
    expect(fake.count('CloudTrail LookupEvents')).toBe(3);
    expect(fake.calls.every((c) => c.input.MaxResults === 50)).toBe(true);
  });
});
