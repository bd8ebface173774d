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
