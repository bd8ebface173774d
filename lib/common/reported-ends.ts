import { DataAwsSsmParametersByPath } from '@cdktn/provider-aws/lib/data-aws-ssm-parameters-by-path';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import type { Construct } from 'constructs';

/** A report's value until its host first writes it: not a date, skipped by `endsWithin`. */
export const NOT_REPORTED = 'not reported yet';

export interface ReportedEndsProps {
  /** The SSM path below which each reporter writes its parameter, `<path>/<key>` (the node role may put there only). */
  readonly path: string;
  /** One parameter each: its construct id, its key under `path`, and what it holds. */
  readonly reporters: readonly { readonly id: string; readonly key: string; readonly description: string }[];
}

/**
 * When certificates on the hosts end, as the hosts report it, for a plan to read: one String parameter per reporter
 * that Terraform creates (value NOT_REPORTED, then ignored: the host writes it; Terraform owns its life, so a destroy
 * leaves none behind), and a top-level `aws_ssm_parameters_by_path` (construct `reported` in `scope`) read during the
 * plan like any data source, which returns an empty list, never an error, before anything exists. Never a data
 * source inside a check block: Terraform plans one as a Read on every plan (node_resource_abstract_instance.go,
 * ReadBecauseCheckNested), which `plan -detailed-exitcode` counts as a change. Returns the reports as an expression,
 * a map from parameter name to its value.
 */
export function reportedEnds(scope: Construct, props: ReportedEndsProps): string {
  for (const reporter of props.reporters) {
    new SsmParameter(scope, reporter.id, {
      name: `${props.path}/${reporter.key}`,
      type: 'String',
      value: NOT_REPORTED,
      description: reporter.description,
      lifecycle: { ignoreChanges: ['value'] },
    });
  }
  const ends = new DataAwsSsmParametersByPath(scope, 'reported', { path: props.path, recursive: false, withDecryption: false });
  // The provider marks every value sensitive; these are dates.
  return `zipmap(${ends.fqn}.names, nonsensitive(${ends.fqn}.values))`;
}

/** A condition: `end` (a report's value) is a time less than `days` days after the plan's; false for any other value. */
export const endsWithin = (end: string, days: number): string =>
  `can(timeadd(${end}, "0h")) ? timecmp(plantimestamp(), timeadd(${end}, "-${days * 24}h")) >= 0 : false`;
