import { Op, Token } from 'cdktf';
import { Construct } from 'constructs';
import { hclString } from '../dns/private/dns-target';
import { escapeTemplate } from './terraform-template';
import { TerraformData } from './terraform-data';

/** A setting whose change the running deployment cannot take: recorded at the first apply, compared on every plan. */
export interface RecordedSetting {
  /** Settings path, e.g. `rkeHa.vpcCidr`: names the record and starts the message. */
  readonly setting: string;
  /** The value the settings give now: a literal, or with `reference` a Terraform reference (e.g. a variable). */
  readonly value: string;
  /** `value` is a reference, compared as an expression and shown as its value. @default false */
  readonly reference?: boolean;
  /**
   * Recorded values from which a change is taken without refusal (a one-way
   * rule: e.g. from the NLB to DNS round robin, not back). @default none
   */
  readonly acceptedFrom?: readonly string[];
  /** Why the change is refused and the safe way to make it, for the message. */
  readonly procedure: string;
  /**
   * The setting whose record holds the value, when another setting shares it
   * (`rkeHa.vpcCidr`'s record holds an existing VPC's id: moving between a
   * created and an existing network is one refused change). @default setting
   */
  readonly recordedAs?: string;
}

/** A plan-time rule about the deployment as it exists (e.g. the servers Terraform would destroy). */
export interface GuardCondition {
  /** A Terraform expression, `${...}`. */
  readonly condition: string;
  readonly errorMessage: string;
}

export interface DeploymentGuardProps {
  readonly recorded: readonly RecordedSetting[];
  readonly conditions?: readonly GuardCondition[];
}

/** Construct id of a setting's record: `record-rkeHa-vpcCidr`. */
export const recordId = (setting: string) => `record-${setting.replace(/\./g, '-')}`;

/**
 * Refuses, at plan time and before anything changes, the settings changes a
 * running deployment cannot survive (a new VPC range, name or region, another
 * distribution or datastore engine) and the rules given as `conditions`.
 *
 * Each recorded setting is a `terraform_data` whose input is written once, at
 * the first apply, and then ignored: its `output` is what the deployment was
 * built with. A `terraform_data` named `guard` carries one precondition per
 * setting comparing that record with the settings now, so a plan that would
 * replace the VPC or every server fails with a message naming the setting, both
 * values and the procedure. A setting added to the guard later is recorded with
 * its value at that apply. To accept a change deliberately (after following the
 * procedure), replace the record: `terraform apply -replace=<record address>`.
 */
export class DeploymentGuard extends Construct {
  readonly guard: TerraformData;
  readonly records: ReadonlyMap<string, TerraformData>;

  constructor(scope: Construct, id: string, props: DeploymentGuardProps) {
    super(scope, id);
    const records = new Map<string, TerraformData>();
    const preconditions = props.recorded.map((s) => {
      const record = new TerraformData(this, recordId(s.recordedAs ?? s.setting), { input: s.value, lifecycle: { ignoreChanges: ['input'] } });
      records.set(s.recordedAs ?? s.setting, record);
      const recorded = `${record.fqn}.output`;
      return {
        condition: s.reference
          ? Token.asString(Op.eq(record.output, s.value))
          : s.acceptedFrom?.length
            ? `\${${recorded} == ${hclString(s.value)} || contains([${s.acceptedFrom.map(hclString).join(', ')}], ${recorded})}`
            : `\${${recorded} == ${hclString(s.value)}}`,
        errorMessage: `${s.setting} is "${s.reference ? s.value : escapeTemplate(s.value)}", but this deployment was created with "\${${recorded}}". ${escapeTemplate(s.procedure)}`,
      };
    });
    this.records = records;
    this.guard = new TerraformData(this, 'guard', {
      input: 'plan-time checks of the deployment (see the preconditions)',
      lifecycle: { precondition: [...preconditions, ...(props.conditions ?? [])] },
    });
  }
}
