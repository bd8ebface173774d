import { DataAwsSsmParametersByPath } from '@cdktn/provider-aws/lib/data-aws-ssm-parameters-by-path';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { dependable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { literal } from '../../common/terraform-template';

/** Where, under the deployment's parameter path, the last successful apply records what the host runs. */
export const APPLIED_RECORD_PATH = 'applied';

/** The key of the Rancher version the host runs. */
export const RANCHER_VERSION_KEY = 'rancher-version';
/** The key of the snapshot the settings last restored the data volume from (`docker.dataVolume.restoreSnapshotId`), or NOT_RESTORED. */
export const DATA_SOURCE_KEY = 'restore-snapshot-id';
/** DATA_SOURCE_KEY's value without a `restoreSnapshotId`. */
export const NOT_RESTORED = 'none';

export interface AppliedRecordProps {
  /** The deployment's parameter path (BootParameters.prefix), a literal: the read happens at plan time. */
  readonly parameterPath: string;
  /** What the apply records, by key (`rancher-version`: `2.14.3`); values are literals, never empty (SSM refuses ""). */
  readonly values: Readonly<Record<string, string>>;
}

/**
 * What the Docker host was last applied with, as the next plan reads it: one SSM String parameter per key under
 * `<parameter path>/applied/`, written by Terraform once the steps given to `writtenAfter` succeeded (an apply that
 * fails before Rancher answers leaves the previous values), and a top-level `aws_ssm_parameters_by_path` that reads
 * them while planning, before this plan's write: so a precondition compares the version running with the one asked
 * for. The docker stack has no cluster to keep a record in (rke-ha's VersionRecord is a ConfigMap), and a
 * `terraform_data` record's output is unknown at plan time once its input changes. The data source is read like any
 * other (no `depends_on`, not inside a check block): an unchanged deployment plans no change, and where nothing is
 * recorded yet (a first plan, a deployment older than the record) it returns empty lists and each value reads "".
 */
export class AppliedRecord extends Construct {
  readonly parameters: readonly SsmParameter[];
  private readonly read: DataAwsSsmParametersByPath;
  private readonly path: string;

  constructor(scope: Construct, id: string, props: AppliedRecordProps) {
    super(scope, id);
    this.path = `${props.parameterPath}/${APPLIED_RECORD_PATH}`;
    this.read = new DataAwsSsmParametersByPath(this, 'recorded', { path: this.path, recursive: false, withDecryption: false });
    this.parameters = Object.entries(props.values).map(
      ([key, value]) =>
        new SsmParameter(this, key, {
          name: `${this.path}/${key}`,
          type: 'String',
          value: literal(value),
          description: `${key} of the Rancher Docker host, as the last successful apply left it`,
        }),
    );
  }

  /** Records only after these succeeded. */
  writtenAfter(...steps: ITerraformDependable[]): void {
    for (const parameter of this.parameters) parameter.dependsOn = [...(parameter.dependsOn ?? []), ...steps.map((step) => dependable(step))];
  }

  /** The recorded value of `key` as the plan sees it (a Terraform expression without `${}`), "" when none. */
  recorded(key: string): string {
    // The provider marks every value sensitive; these are versions and snapshot ids.
    return `try(zipmap(${this.read.fqn}.names, nonsensitive(${this.read.fqn}.values))["${this.path}/${key}"], "")`;
  }
}
