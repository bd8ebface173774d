import { DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from './clients';
import { waitFor, type WaitBudget } from './wait';

/** The metric a deployment's failover routing follows, and its alarm (lib/standby/standby-dns.ts). */
export interface FailedOverMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly alarmName: string;
}

/**
 * Writes `value` to the metric (PutMetricData: CloudWatch's data plane in the clients' region), then follows the alarm
 * with DescribeAlarms until it is in `state`: CloudWatch evaluates an alarm on its period (a minute here), so the
 * state follows the point a minute or so later (CloudWatch User Guide, "Using Amazon CloudWatch alarms", alarm
 * evaluation). The alarm's state when the budget ended, and whether it is the one asked for.
 */
export async function writeFailedOver(
  clients: AwsClients,
  metric: FailedOverMetric,
  value: 0 | 1,
  state: 'ALARM' | 'OK',
  budget: WaitBudget,
  /** Called once the point was accepted, before the wait (the name moves from now on: a rerun must know). */
  written: () => void = () => undefined,
): Promise<{ readonly reached: boolean; readonly state: string }> {
  await clients.cloudwatch.send(
    new PutMetricDataCommand({ Namespace: metric.namespace, MetricData: [{ MetricName: metric.metricName, Value: value, Timestamp: new Date() }] }),
  );
  written();
  let last = 'not found';
  const reached = await waitFor(budget, async () => {
    const got = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [metric.alarmName], AlarmTypes: ['MetricAlarm'] }));
    last = got.MetricAlarms?.[0]?.StateValue ?? 'not found';
    return last === state ? true : undefined;
  });
  return { reached: reached === true, state: last };
}
