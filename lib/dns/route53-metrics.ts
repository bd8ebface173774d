import type { Metric } from '../common/metric';
import { partitionOf, type AwsPartition } from '../config/aws-regions';

/** Where Route53 publishes its health checks' metrics in the commercial partition, whatever the region of the deployment. */
export const ROUTE53_METRICS_REGION = 'us-east-1';

/**
 * The region of Route53's health-check metrics in each partition: Route53 is
 * one service per partition, run from one region (the region its API is
 * signed for: us-east-1, cn-northwest-1, us-gov-west-1), and publishes its
 * metrics there; AWS documents us-east-1 for the commercial partition, the
 * other two are that reading of the SDK's endpoint rules (design notes,
 * "Partitions").
 */
export const ROUTE53_REGIONS: Readonly<Record<AwsPartition, string>> = {
  aws: ROUTE53_METRICS_REGION,
  'aws-cn': 'cn-northwest-1',
  'aws-us-gov': 'us-gov-west-1',
};

/** The region of the Route53 health-check metrics for a stack in `region` (a literal). */
export function route53MetricsRegion(region: string): string {
  return ROUTE53_REGIONS[partitionOf(region)];
}

/**
 * A Route53 health check's status: 1 while more than the checkers' threshold see the endpoint healthy, else 0 (the
 * least in a minute). Published in route53MetricsRegion(`stackRegion`) only, which the metric names: an alarm on it
 * lives there.
 */
export function healthCheckStatusMetric(healthCheckId: string, stackRegion: string): Metric {
  return {
    namespace: 'AWS/Route53',
    metricName: 'HealthCheckStatus',
    dimensions: { HealthCheckId: healthCheckId },
    statistic: 'Minimum',
    period: 60,
    region: route53MetricsRegion(stackRegion),
  };
}
