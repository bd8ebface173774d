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
  readonly metricName: string;
  /** The dimensions that pick the one series (`InstanceId`, ...); a value may be a Terraform reference. @default none */
  readonly dimensions?: Readonly<Record<string, string>>;
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
