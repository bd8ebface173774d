import { Op, Token } from 'cdktf';
import { Construct } from 'constructs';
import { escapeTemplate, hclString } from './terraform-template';
import { TerraformData } from './terraform-data';

/** A setting whose change the running deployment cannot take: recorded at the first apply, compared on every plan. */
export interface RecordedSetting {
  /**
   * The prop's path in the construct's props, e.g. `vpcCidr`: starts the message, and names the record unless
   * `recordedAs` does.
   */
  readonly setting: string;
  /** The value the props give now: a literal, or with `reference` a Terraform reference (e.g. a variable). */
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
   * The record's name (its construct id, so its address in state, and its key in `records` and the deployment
   * record), when it is not `setting`: a record another setting shares (the created network's `rkeHa.vpcCidr`
   * record holds an existing VPC's id: moving between a created and an existing network is one refused change), or
   * a name kept from before the message spoke in props words (`rkeHa.dualStack`). A running deployment's state holds
   * the record under this name, so it never changes: another name would be a new record, taking the new value
   * unchecked. @default setting
   */
  readonly recordedAs?: string;
  /**
   * The prop with which a person accepts a change to one named value
   * (`rancher.acceptAgentChange.hostname`): the plan passes while the props
   * give exactly `acceptedValue`, and any other change is refused as before, so
   * the acceptance can stay set after the apply that took it.
   * The message says how to set it. @default none (accepted only by replacing the record)
   */
  readonly acceptedBy?: string;
  /** The value `acceptedBy` gives now, if set. */
  readonly acceptedValue?: string;
}

/** A plan-time rule about the deployment as it exists (e.g. the servers Terraform would destroy). */
export interface GuardCondition {
  /** A Terraform expression, `${...}`. */
  readonly condition: string;
  /** What the plan says when the condition is false: what changed, and how to go on. */
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
 * procedure), replace the record: `terraform apply -replace=<record address>`;
 * a record with `acceptedBy` also takes the one value a setting names.
 */
export class DeploymentGuard extends Construct {
  readonly guard: TerraformData;
  readonly records: ReadonlyMap<string, TerraformData>;
  private readonly recordMap = new Map<string, TerraformData>();
  private readonly preconditions: GuardCondition[];

  constructor(scope: Construct, id: string, props: DeploymentGuardProps) {
    super(scope, id);
    this.records = this.recordMap;
    const preconditions = props.recorded.map((s) => this.recordOf(s));
    this.preconditions = [...preconditions, ...(props.conditions ?? [])];
    this.guard = new TerraformData(this, 'guard', {
      input: 'plan-time checks of the deployment (see the preconditions)',
      lifecycle: { precondition: this.preconditions },
    });
  }

  /**
   * Records a setting whose value is known only later in the construct's steps
   * (Rancher's name, the CA variable): its precondition follows the ones given
   * at construction.
   */
  record(setting: RecordedSetting): TerraformData {
    this.preconditions.push(this.recordOf(setting));
    return this.recordMap.get(setting.recordedAs ?? setting.setting)!;
  }

  /** Adds a rule whose expression refers to what is built after the guard (the servers, the charts' records). */
  condition(condition: GuardCondition): void {
    this.preconditions.push(condition);
  }

  private recordOf(s: RecordedSetting): GuardCondition {
    const record = new TerraformData(this, recordId(s.recordedAs ?? s.setting), { input: s.value, lifecycle: { ignoreChanges: ['input'] } });
    this.recordMap.set(s.recordedAs ?? s.setting, record);
    const recorded = `${record.fqn}.output`;
    const shown = s.reference ? s.value : escapeTemplate(s.value);
    if (s.acceptedBy !== undefined) return acceptableChange(s, recorded, shown);
    return {
      condition: s.reference
        ? Token.asString(Op.eq(record.output, s.value))
        : s.acceptedFrom?.length
          ? `\${${recorded} == ${hclString(s.value)} || contains([${s.acceptedFrom.map(hclString).join(', ')}], ${recorded})}`
          : `\${${recorded} == ${hclString(s.value)}}`,
      errorMessage: `${s.setting} is "${shown}", but this deployment was created with "\${${recorded}}". ${escapeTemplate(s.procedure)}`,
    };
  }
}

/**
 * The precondition of a record a setting can accept a change of: the recorded
 * value, a value it is taken from (`acceptedFrom`), or exactly the value the
 * acceptance names. A reference (a variable, a hash) is compared as an
 * expression: inside `${...}` cdktf writes a token as its bare expression.
 */
function acceptableChange(s: RecordedSetting, recorded: string, shown: string): GuardCondition {
  const now = s.reference ? s.value : hclString(s.value);
  const holds = [
    `${recorded} == ${now}`,
    ...(s.acceptedFrom?.length ? [`contains([${s.acceptedFrom.map(hclString).join(', ')}], ${recorded})`] : []),
    ...(s.acceptedValue !== undefined ? [`${hclString(s.acceptedValue)} == ${now}`] : []),
  ];
  const accepted = s.acceptedValue === undefined ? '' : ` (${s.acceptedBy} accepts "${escapeTemplate(s.acceptedValue)}" only)`;
  return {
    condition: `\${${holds.join(' || ')}}`,
    errorMessage:
      `${s.setting} is "${shown}", but this deployment was created with "\${${recorded}}"${accepted}. ${escapeTemplate(s.procedure)} ` +
      `To make it anyway, accept exactly this value: set ${s.acceptedBy} to "${shown}" (and leave it set: it accepts no other value).`,
  };
}
