import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { partitionOf, type AwsPartition } from '../config/aws-regions';
import { withFullSource } from '../common/provider-source';

/** Where Route53 publishes its health checks' metrics in the commercial partition, whatever the region of the deployment. */
export const ROUTE53_METRICS_REGION = 'us-east-1';
/** The provider alias of that region (`provider = aws.us_east_1`). */
export const US_EAST_1_ALIAS = 'us_east_1';

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

/** The provider alias of a region: its name with underscores (`us_east_1`, `cn_northwest_1`). */
export const regionAlias = (region: string): string => region.replace(/-/g, '_');

/**
 * An AWS provider for `region` in the stack (the Route53 metrics region of
 * its partition, route53MetricsRegion): the one already there under the
 * alias regionAlias(region) (a library user's own), or a new one (id
 * `aws-<region>`) with the default provider's tags, so what it creates is
 * tagged like the rest. Only what must live there uses it: the alarms on
 * Route53 health checks (their metrics exist nowhere else) and the topic and
 * key they notify (an alarm notifies a topic of its own region only).
 */
export function route53MetricsProvider(scope: Construct, region: string): AwsProvider {
  const alias = regionAlias(region);
  const stack = TerraformStack.of(scope);
  const providers = stack.node.findAll().filter((c): c is AwsProvider => c instanceof AwsProvider);
  const existing = providers.find((p) => p.alias === alias);
  if (existing) {
    if (existing.region !== region) {
      throw new Error(
        `the AWS provider ${existing.node.path} has the alias ${alias} but region ${existing.region ?? '(unset)'}; the Route53 health-check alarms need it in ${region}`,
      );
    }
    return existing;
  }
  const main = providers.find((p) => p.alias === undefined);
  const defaultTags = main?.defaultTags;
  return withFullSource(new AwsProvider(stack, `aws-${region}`, { alias, region, ...(defaultTags ? { defaultTags } : {}) }));
}

/** The us-east-1 provider (route53MetricsProvider of the commercial partition). */
export function usEast1Provider(scope: Construct): AwsProvider {
  return route53MetricsProvider(scope, ROUTE53_METRICS_REGION);
}
