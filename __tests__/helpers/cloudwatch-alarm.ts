/**
 * A synthesized `aws_cloudwatch_metric_alarm` evaluated as CloudWatch documents it, over data points a test sends:
 * a stand-in for CloudWatch's alarm evaluation, for the alarms whose point is what they do with missing data.
 *
 * What it carries (Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data" and "Metric
 * math syntax and functions"; PutMetricAlarm in the CloudWatch API Reference):
 * - A metric's data points are aggregated per period with the alarm's statistic; a period with no data point sent
 *   is missing. Periods are aligned to multiples of their length.
 * - At each evaluation CloudWatch reads more periods than `evaluation_periods`: the evaluation range (its length is
 *   not published; the caller chooses it, and a test should hold for several). Then:
 *   - no period of the range missing: the latest `evaluation_periods` are evaluated;
 *   - some missing, but at least `evaluation_periods` real ones: the latest real ones are evaluated, wherever they are
 *     in the range, and `treat_missing_data` is not used;
 *   - fewer real ones: every real one is evaluated, and missing ones, treated as `treat_missing_data` says, make up the
 *     number (as few as possible). `missing` with nothing real: INSUFFICIENT_DATA; `ignore`: the state is kept.
 * - ALARM when at least `datapoints_to_alarm` (default: all) of the evaluated points breach, else OK.
 * - `FILL(m, value)`: every period of the range without a data point of `m` holds `value`. What FILL does with a
 *   series that has no data point in the range at all is not documented; this takes the reading that catches less
 *   (nothing filled: the result is missing), so an alarm shown to fire here fires on either reading.
 *
 * What it lacks: other metric math functions, high resolution, M-of-N's finer OK rule, delayed data.
 */

/** One data point as `PutMetricData` sends it: seconds since the epoch, a value, and its dimensions. */
export interface SentPoint {
  readonly at: number;
  readonly value: number;
  readonly dimensions?: Readonly<Record<string, string>>;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface MetricStat {
  readonly namespace: string;
  readonly metric_name: string;
  readonly dimensions?: Record<string, string>;
  readonly stat: string;
  readonly period: number;
}

/** The metric an alarm reads and the FILL around it, from its synthesized arguments. */
function readAlarm(alarm: any): { metric: MetricStat; fill?: number } {
  if (alarm.metric_query === undefined)
    return {
      metric: {
        namespace: alarm.namespace,
        metric_name: alarm.metric_name,
        dimensions: alarm.dimensions,
        stat: alarm.statistic,
        period: alarm.period,
      },
    };
  const queries: any[] = alarm.metric_query;
  const returned = queries.filter((q) => q.return_data === true);
  if (returned.length !== 1) throw new Error(`the evaluator takes an alarm returning one series (got ${returned.length})`);
  const [result] = returned;
  if (result.metric) return { metric: result.metric };
  const fill = /^FILL\((\w+), (-?\d+(?:\.\d+)?)\)$/.exec(result.expression);
  if (!fill) throw new Error(`the evaluator knows FILL(id, number) only (got ${result.expression})`);
  const input = queries.find((q) => q.id === fill[1]);
  if (!input?.metric) throw new Error(`FILL of ${fill[1]}, which is not a metric of the alarm`);
  return { metric: input.metric, fill: Number(fill[2]) };
}

const sameDimensions = (a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>> = {}) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

function aggregate(values: number[], stat: string): number {
  switch (stat) {
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return values.length;
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    default:
      throw new Error(`the evaluator does not know the statistic ${stat}`);
  }
}

function breaches(alarm: any, value: number): boolean {
  const t = alarm.threshold as number;
  switch (alarm.comparison_operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= t;
    case 'GreaterThanThreshold':
      return value > t;
    case 'LessThanThreshold':
      return value < t;
    case 'LessThanOrEqualToThreshold':
      return value <= t;
    default:
      throw new Error(`the evaluator does not know ${alarm.comparison_operator}`);
  }
}

/**
 * The state `alarm` (a synthesized aws_cloudwatch_metric_alarm) evaluates to at `now` (seconds), over the points
 * `sent`, with an evaluation range of `range` periods (at least its evaluation_periods) and `previous` as the state
 * before (for `ignore`). Only whole periods before `now` are read.
 */
export function evaluateAlarm(
  alarm: any,
  sent: readonly SentPoint[],
  { now, range, previous = 'OK' }: { now: number; range: number; previous?: AlarmState },
): AlarmState {
  const { metric, fill } = readAlarm(alarm);
  const n: number = alarm.evaluation_periods;
  const m: number = alarm.datapoints_to_alarm ?? n;
  if (range < n) throw new Error(`an evaluation range (${range}) shorter than the alarm's evaluation periods (${n})`);
  const end = Math.floor(now / metric.period) * metric.period;
  // The range's periods, oldest first: undefined where nothing was sent.
  const periods: (number | undefined)[] = [];
  for (let k = range; k >= 1; k--) {
    const start = end - k * metric.period;
    const values = sent
      .filter((p) => p.at >= start && p.at < start + metric.period && sameDimensions(p.dimensions, metric.dimensions))
      .map((p) => p.value);
    periods.push(values.length ? aggregate(values, metric.stat) : undefined);
  }
  const filled = fill !== undefined && periods.some((v) => v !== undefined) ? periods.map((v) => v ?? fill) : periods;
  const real = filled.filter((v): v is number => v !== undefined);
  let evaluated: boolean[];
  if (real.length >= n) {
    evaluated = real.slice(-n).map((v) => breaches(alarm, v));
  } else {
    const treatment = alarm.treat_missing_data ?? 'missing';
    if (treatment === 'ignore') return previous;
    if (treatment === 'missing') {
      if (real.length === 0) return 'INSUFFICIENT_DATA';
      evaluated = real.map((v) => breaches(alarm, v));
    } else {
      evaluated = [...real.map((v) => breaches(alarm, v)), ...Array<boolean>(n - real.length).fill(treatment === 'breaching')];
    }
  }
  return evaluated.filter(Boolean).length >= Math.min(m, evaluated.length) && evaluated.some(Boolean) ? 'ALARM' : 'OK';
}
