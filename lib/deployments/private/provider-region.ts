import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { defaultAwsProvider } from '../../common/providers';
import { deploymentFields } from '../../config/deployment-schema';
import { SettingsError } from '../../config/errors';

/**
 * The region a Rancher construct builds for: the nodes' boot parameters, the
 * snapshot settings and the SSM paths name it at synth, so it must be the
 * region of the stack's default AWS provider (the one without an alias),
 * which creates the resources. `region` left out: the provider's, when it is
 * a literal. A different `region`, or none the construct can know (the
 * provider's region a Terraform reference or left to the environment), is
 * refused here rather than found by nodes that cannot read their parameters.
 * A stack that has no default AWS provider yet (one may be added after the
 * construct) keeps `region` as given, and the synth refuses it if none is
 * added, or one in another region: cdktf's own check is satisfied by any AWS
 * provider, and the `us_east_1` alias the alarms add would let the resources
 * go to whatever region the environment names.
 */
export function providerRegion(scope: Construct, region: string | undefined, label: string): string | undefined {
  const provider = defaultAwsProvider(scope);
  if (!provider) {
    scope.node.addValidation({ validate: () => lateProviderProblems(scope, region, label) });
    return region;
  }
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

/** At synth, for a construct built before its stack had a default AWS provider: one must be there now, in its region. */
function lateProviderProblems(scope: Construct, region: string | undefined, label: string): string[] {
  const provider = defaultAwsProvider(scope);
  if (!provider) {
    return [
      `${label}: the stack has no default AWS provider (one without an alias), so its resources would go to whatever region the environment names; add one, e.g. configureBaseProviders(stack, { region: 'eu-west-1', tags: {} }) from rancher-ha-aws/common or new AwsProvider(stack, 'aws', { region: 'eu-west-1' })`,
    ];
  }
  const own = provider.region;
  if ((own === undefined || Token.isUnresolved(own)) && region === undefined) {
    return [
      `${label}: region is required: the stack's AWS provider (${provider.node.path}), added after the construct, names no literal region, and the nodes' boot parameters must name it at synth; give the provider's region in the props`,
    ];
  }
  // The region the construct built for: the one given, or the props' default.
  const used = region ?? (deploymentFields.region.parse(undefined) as string);
  if (own !== undefined && !Token.isUnresolved(own) && !Token.isUnresolved(used) && own !== used) {
    return [
      `${label}: built for region "${used}", and the stack's AWS provider (${provider.node.path}), added after it, creates the resources in "${own}"; give both the same region, or add the provider before the construct and leave region out`,
    ];
  }
  return [];
}
