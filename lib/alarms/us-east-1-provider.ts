import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { withFullSource } from '../common/provider-source';

/** Where Route53 publishes its health checks' metrics, whatever the region of the deployment. */
export const ROUTE53_METRICS_REGION = 'us-east-1';
/** The provider alias of that region (`provider = aws.us_east_1`). */
export const US_EAST_1_ALIAS = 'us_east_1';

/**
 * An AWS provider for us-east-1 in the stack: the one already there under
 * the alias `us_east_1` (a library user's own), or a new one with the default
 * provider's tags, so what it creates is tagged like the rest. Only what must
 * live in us-east-1 uses it: the alarms on Route53 health checks (their
 * metrics exist nowhere else) and the topic and key they notify (an alarm
 * notifies a topic of its own region only).
 */
export function usEast1Provider(scope: Construct): AwsProvider {
  const stack = TerraformStack.of(scope);
  const providers = stack.node.findAll().filter((c): c is AwsProvider => c instanceof AwsProvider);
  const existing = providers.find((p) => p.alias === US_EAST_1_ALIAS);
  if (existing) {
    if (existing.region !== ROUTE53_METRICS_REGION) {
      throw new Error(
        `the AWS provider ${existing.node.path} has the alias ${US_EAST_1_ALIAS} but region ${existing.region ?? '(unset)'}; the Route53 health-check alarms need it in ${ROUTE53_METRICS_REGION}`,
      );
    }
    return existing;
  }
  const main = providers.find((p) => p.alias === undefined);
  const defaultTags = main?.defaultTags;
  return withFullSource(
    new AwsProvider(stack, 'aws-us-east-1', { alias: US_EAST_1_ALIAS, region: ROUTE53_METRICS_REGION, ...(defaultTags ? { defaultTags } : {}) }),
  );
}
