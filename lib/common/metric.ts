/** How CloudWatch reduces a metric's data points over one period. */
export type MetricStatistic = 'Average' | 'Maximum' | 'Minimum' | 'Sum' | 'SampleCount';

/**
 * One CloudWatch metric, as an alarm reads it: a small readonly description,
 * no resource. The construct it measures builds it (`metricStatusCheckFailed()`
 * on a server node, `metricUnhealthyHostCount(port)` on the NLB, ...), so the
 * namespace, the metric's name and its dimensions are written once, where
 * the thing measured is; an alarm topic (rancher-ha-aws/alarms) takes it.
 */
export interface Metric {
  /** `AWS/EC2`, `AWS/NetworkELB`, or a namespace of the deployment's own (`RancherHA/<name>`). */
  readonly namespace: string;
  /** The metric's name in its namespace (`StatusCheckFailed`, `UnHealthyHostCount`, ...). */
  readonly metricName: string;
  /** The dimensions that pick the one series (`InstanceId`, ...); a value may be a Terraform reference. @default none */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** How each period's data points are reduced. */
  readonly statistic: MetricStatistic;
  /** Seconds per data point: 60 or a multiple of it. */
  readonly period: number;
  /**
   * The region the metric is published in, when it is not the stack's: Route53 publishes its health checks'
   * metrics in one region per partition (us-east-1 in the commercial one), and an alarm reads only its own
   * region's metrics. @default the stack's region
   */
  readonly region?: string;
}

/** What a metric method takes to read the metric another way, as aws-cdk-lib's `MetricOptions` do. */
export interface MetricOptions {
  /** How each period's data points are reduced. @default the method's own (documented on it) */
  readonly statistic?: MetricStatistic;
  /** Seconds per data point: 60 or a multiple of it. @default the method's own */
  readonly period?: number;
}

/**
 * `metric` read with `options` (CDK's `Metric.with`): the statistic and period replaced where given. Refuses a period
 * CloudWatch alarms do not take for a standard-resolution metric (60 seconds or a multiple of it; every metric here
 * is standard resolution, the servers' own included: `put_metric` sends no StorageResolution).
 */
export function metricWith(metric: Metric, options: MetricOptions = {}): Metric {
  const { statistic, period } = options;
  if (period !== undefined && !(Number.isInteger(period) && period >= 60 && period % 60 === 0))
    throw new Error(`metric ${metric.metricName}: period must be 60 seconds or a multiple of 60 (got ${period})`);
  return { ...metric, ...(statistic !== undefined ? { statistic } : {}), ...(period !== undefined ? { period } : {}) };
}
