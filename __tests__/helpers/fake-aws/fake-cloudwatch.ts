import type { DescribeAlarmsCommandInput, GetMetricDataCommandInput, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';

/**
 * A metric alarm as the fake keeps it (the world's object): its region, the metric it watches, its threshold
 * (GreaterThanOrEqualToThreshold over one period of one point, missing data ignored: the failover routing's alarm,
 * lib/standby/standby-dns.ts), its state, the last state it had with data (what a Route 53 health check with
 * LastKnownStatus keeps), and a state pending evaluation.
 */
export interface FakeAlarm {
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly threshold: number;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  lastData?: 'OK' | 'ALARM';
  /** The state a point sent, taken after `looks` more DescribeAlarms (CloudWatch evaluates on the alarm's period). */
  pending?: { state: 'OK' | 'ALARM'; looks: number };
}

/** CloudWatch's metric data, in memory (README.md beside this file): each query id's points, answered in pages. */
export class FakeCloudWatch {
  /** The points each query id answers (the fake does not compute statistics: a test gives the result). */
  readonly results = new Map<string, { at: Date; value: number }[]>();

  /** Alarms by name (the world's object, changed in place), each in its region. */
  alarms: Record<string, FakeAlarm> = {};
  /** The region of the call being answered (set by whoever loads the fake; alarms are regional). */
  region = '';
  /** How many DescribeAlarms looks a point sent waits before its alarm's state follows. */
  evaluationLooks = 1;
  /** The points sent, with their region. */
  readonly sent: { region: string; namespace: string; metricName: string; value: number }[] = [];

  constructor(private readonly page: () => number) {}

  readonly handlers = {
    // A point of a custom metric (CloudWatch API Reference, PutMetricData): the alarms on it in the call's region
    // evaluate it on their period, not at once (CloudWatch User Guide, "Using Amazon CloudWatch alarms": an alarm is
    // evaluated each period), so the state follows a look or more later. A point that breaches the threshold
    // (GreaterThanOrEqualToThreshold) makes the alarm ALARM, another OK.
    PutMetricData: (input: PutMetricDataCommandInput) => {
      for (const datum of input.MetricData ?? []) {
        const value = Number(datum.Value);
        this.sent.push({ region: this.region, namespace: String(input.Namespace), metricName: String(datum.MetricName), value });
        for (const alarm of Object.values(this.alarms))
          if (alarm.region === this.region && alarm.namespace === input.Namespace && alarm.metricName === datum.MetricName)
            alarm.pending = { state: value >= alarm.threshold ? 'ALARM' : 'OK', looks: this.evaluationLooks };
      }
      return {};
    },
    // The alarms of the call's region by name (CloudWatch API Reference, DescribeAlarms; an alarm of another region is
    // not there). Each look brings a pending evaluation nearer.
    DescribeAlarms: (input: DescribeAlarmsCommandInput) => {
      const names = input.AlarmNames ?? Object.keys(this.alarms);
      const found = names.filter((name) => this.alarms[name]?.region === this.region);
      for (const name of found) {
        const alarm = this.alarms[name];
        if (alarm.pending && alarm.pending.looks-- <= 0) {
          alarm.state = alarm.pending.state;
          alarm.lastData = alarm.pending.state;
          delete alarm.pending;
        }
      }
      return {
        MetricAlarms: found.map((name) => ({
          AlarmName: name,
          Namespace: this.alarms[name].namespace,
          MetricName: this.alarms[name].metricName,
          Threshold: this.alarms[name].threshold,
          StateValue: this.alarms[name].state,
        })),
      };
    },
    GetMetricData: (input: GetMetricDataCommandInput) => {
      // A page holds at most `page` points in all; a query whose points go on is answered again on the next page.
      const start = Number((input.NextToken ?? 'page-0').slice('page-'.length));
      const all = (input.MetricDataQueries ?? []).flatMap((q) => (this.results.get(q.Id ?? '') ?? []).map((p) => ({ id: q.Id ?? '', ...p })));
      const items = all.slice(start, start + this.page());
      const ids = [...new Set(items.map((p) => p.id))];
      return {
        MetricDataResults: ids.map((Id) => {
          const points = items.filter((p) => p.id === Id);
          return { Id, Timestamps: points.map((p) => p.at), Values: points.map((p) => p.value), StatusCode: 'Complete' };
        }),
        ...(start + this.page() < all.length ? { NextToken: `page-${start + this.page()}` } : {}),
      };
    },
  };
}
