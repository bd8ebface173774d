import { type Metric, metricWith } from '../../../lib/common/metric';

const BASE: Metric = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: 'i-1' }, statistic: 'Average', period: 300 };

describe('metricWith', () => {
  it('replaces the statistic and the period where given, and keeps the series', () => {
    expect(metricWith(BASE, { statistic: 'Maximum', period: 60 })).toEqual({ ...BASE, statistic: 'Maximum', period: 60 });
    expect(metricWith(BASE, { period: 3600 })).toEqual({ ...BASE, period: 3600 });
    expect(metricWith(BASE)).toEqual(BASE);
  });

  it('leaves the metric it was given as it was', () => {
    metricWith(BASE, { statistic: 'Sum' });
    expect(BASE.statistic).toBe('Average');
  });

  it.each([30, 90, 0, -60, 60.5])('refuses a period of %p seconds, naming the metric', (period) => {
    expect(() => metricWith(BASE, { period })).toThrow(`metric CPUUtilization: period must be 60 seconds or a multiple of 60 (got ${period})`);
  });
});
