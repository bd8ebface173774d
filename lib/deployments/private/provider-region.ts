import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { SettingsError } from '../../config/errors';

/**
 * The region a Rancher construct builds for: the nodes' boot parameters, the
 * snapshot settings and the SSM paths name it at synth, so it must be the
 * region of the stack's default AWS provider (the one without an alias),
 * which creates the resources. `region` left out: the provider's, when it is
 * a literal. A different `region`, or none the construct can know (the
 * provider's region a Terraform reference or left to the environment), is
 * refused here rather than found by nodes that cannot read their parameters.
 * A stack without an AWS provider (only possible in tests of parts) keeps
 * `region` as given.
 */
export function providerRegion(scope: Construct, region: string | undefined, label: string): string | undefined {
  const provider = TerraformStack.of(scope)
    .node.findAll()
    .find((c): c is AwsProvider => c instanceof AwsProvider && c.alias === undefined);
  if (!provider) return region;
  const own = provider.region;
  const known = own !== undefined && !Token.isUnresolved(own) ? own : undefined;
  if (known !== undefined && (region === undefined || region === known)) return known;
  if (known !== undefined) {
    throw new SettingsError(
      label,
      [
        {
          field: 'region',
          message: `differs from the region of the stack's AWS provider (${provider.node.path}: "${known}"), which creates the resources; leave region out to use the provider's, or give both the same`,
          value: region,
        },
      ],
      'Invalid props of',
    );
  }
  if (region !== undefined && !Token.isUnresolved(region)) return region;
  throw new SettingsError(
    label,
    [
      {
        field: 'region',
        message: `required: the stack's AWS provider (${provider.node.path}) names no literal region (a Terraform reference, or the environment's), and the nodes' boot parameters must name it at synth; give the provider's region here`,
      },
    ],
    'Invalid props of',
  );
}
