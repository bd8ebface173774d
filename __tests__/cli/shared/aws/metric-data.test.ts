import { metricData } from '../../../../cli/shared/aws/metric-data';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe("the servers' metrics read back (the acceptance metrics phase)", () => {
  it("are each query's points, merged over the pages they are split across; a query with none has an empty series", async () => {
    const fake = new FakeAws();
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 8, minute));
    fake.cloudwatch.results.set(
      's0',
      [0, 1, 2].map((m) => ({ at: at(m), value: m + 10 })),
    );
    fake.cloudwatch.results.set(
      'n0',
      [0, 1].map((m) => ({ at: at(m), value: 1 })),
    );
    const query = (Id: string, Stat: string) => ({ Id, MetricStat: { Metric: { Namespace: 'Rancher', MetricName: 'm' }, Period: 60, Stat } });
    const series = await metricData(fake.clients(), [query('s0', 'Sum'), query('n0', 'SampleCount'), query('s1', 'Sum')], at(0), at(10));
    expect(series).toEqual([
      { id: 's0', points: [0, 1, 2].map((m) => ({ at: at(m), value: m + 10 })) },
      { id: 'n0', points: [0, 1].map((m) => ({ at: at(m), value: 1 })) },
      { id: 's1', points: [] },
    ]);
    expect(fake.count('CloudWatch GetMetricData')).toBe(3);
  });
});
