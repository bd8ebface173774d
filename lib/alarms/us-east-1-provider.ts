import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ROUTE53_METRICS_REGION } from '../dns/route53-metrics';
import { providerBeside } from '../common/providers';

// Where Route53's metrics are is Route53's own fact (lib/dns/route53-metrics.ts); what lives there is the alarms'.
export { ROUTE53_METRICS_REGION, ROUTE53_REGIONS, route53MetricsRegion } from '../dns/route53-metrics';

/** The provider alias of ROUTE53_METRICS_REGION (`provider = aws.us_east_1`). */
export const US_EAST_1_ALIAS = 'us_east_1';

/** The provider alias of a region: its name with underscores (`us_east_1`, `cn_northwest_1`). */
export const regionAlias = (region: string): string => region.replace(/-/g, '_');

/**
 * An AWS provider for `region` in the stack (the Route53 metrics region of
 * its partition, route53MetricsRegion): the one already there under the
 * alias regionAlias(region) (a library user's own), or a new one (id
 * `aws-<region>`) with the default provider's tags, so what it creates is
 * tagged like the rest (providerBeside). Only what must live there uses it: the alarms on
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
  return providerBeside(stack, region, alias);
}

/** The us-east-1 provider (route53MetricsProvider of the commercial partition). */
export function usEast1Provider(scope: Construct): AwsProvider {
  return route53MetricsProvider(scope, ROUTE53_METRICS_REGION);
}
