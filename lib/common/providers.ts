import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { withFullSource } from './provider-source';

/** The AWS provider's region and default tags (`configureBaseProviders`). */
export interface BaseProvidersProps {
  /** The AWS region the stack's resources are created in. */
  readonly region: string;
  /**
   * Tags on every AWS resource that takes tags (the provider's `default_tags`). The deployments tag their own
   * resources with `rancher-aws:deployment` either way.
   * @default - no default tags
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The providers every stack uses: AWS with default tags, plus tls, random and http. */
export function configureBaseProviders(scope: Construct, props: BaseProvidersProps): void {
  const defaultTags = props.tags === undefined ? {} : { defaultTags: [{ tags: { ...props.tags } }] };
  withFullSource(new AwsProvider(scope, 'aws', { region: props.region, ...defaultTags }));
  withFullSource(new TlsProvider(scope, 'tls'));
  withFullSource(new RandomProvider(scope, 'random'));
  withFullSource(new HttpProvider(scope, 'http'));
}

/** The stack's default AWS provider (the one without an alias), which creates the resources, if it has one yet. */
export function defaultAwsProvider(scope: Construct): AwsProvider | undefined {
  return TerraformStack.of(scope)
    .node.findAll()
    .find((c): c is AwsProvider => c instanceof AwsProvider && c.alias === undefined);
}

/**
 * An AWS provider for another region than the stack's: the one already in the stack under the alias of the region's
 * name with underscores (`eu_west_1`; a library user's own, or the Route53 alarms' of lib/alarms, which names its
 * providers alike), or a new one (id `aws-<region>`) with the default provider's tags, so what it creates is tagged
 * like the rest.
 */
export function regionProvider(scope: Construct, region: string): AwsProvider {
  const alias = region.replace(/-/g, '_');
  const stack = TerraformStack.of(scope);
  const providers = stack.node.findAll().filter((c): c is AwsProvider => c instanceof AwsProvider);
  const existing = providers.find((p) => p.alias === alias);
  if (existing) {
    if (existing.region !== region)
      throw new Error(
        `the AWS provider ${existing.node.path} has the alias ${alias} but region ${existing.region ?? '(unset)'}; ${scope.node.path} needs it in ${region}`,
      );
    return existing;
  }
  return providerBeside(stack, region, alias);
}

/**
 * A new AWS provider for `region` (id `aws-<region>`, `alias`) beside the stack's default one, with its default tags,
 * so what it creates is tagged like the rest, and its STS calls in the default provider's region: the credentials'
 * check Terraform's configuration of every AWS provider makes (GetCallerIdentity; aws-sdk-go-base sends it to
 * `sts_region` when set) then needs no endpoint of `region`, and a plan that changes nothing there (a failover's
 * standby, prepared, while us-east-1 does not answer) calls nothing there.
 */
export function providerBeside(stack: TerraformStack, region: string, alias: string): AwsProvider {
  const main = defaultAwsProvider(stack);
  const defaultTags = main?.defaultTags;
  return withFullSource(
    new AwsProvider(stack, `aws-${region}`, {
      alias,
      region,
      ...(main?.region !== undefined ? { stsRegion: main.region } : {}),
      ...(defaultTags ? { defaultTags } : {}),
    }),
  );
}
