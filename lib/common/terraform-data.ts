import { TerraformResource, anyToHclTerraform, anyToTerraform, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';

/** A `terraform_data` resource's arguments, with Terraform's meta-arguments (`dependsOn`, `lifecycle`, ...). */
export interface TerraformDataConfig extends TerraformMetaArguments {
  /** Stored in state and reflected in `output` after apply. */
  readonly input?: unknown;
  /** A change replaces the resource. */
  readonly triggersReplace?: unknown;
}

/**
 * Terraform's built-in `terraform_data` resource (Terraform 1.4+), with no
 * provider. cdktf ships a binding (`DataResource`), but it checks the version
 * of a local `terraform` binary at synth time, so synthesizing would need
 * Terraform installed; the synthesized stacks declare their Terraform version
 * floor instead.
 */
export class TerraformData extends TerraformResource {
  /** The Terraform resource type, as cdktf's generated resources name it. */
  static readonly tfResourceType = 'terraform_data';

  private readonly input?: unknown;
  private readonly triggersReplace?: unknown;

  constructor(scope: Construct, id: string, config: TerraformDataConfig = {}) {
    super(scope, id, {
      terraformResourceType: TerraformData.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'terraform' },
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
    this.input = config.input;
    this.triggersReplace = config.triggersReplace;
  }

  /** The stored input, as a Terraform expression (e.g. `${terraform_data.x.output}`); unknown in the plan that creates or replaces it. */
  get output(): string {
    return this.getStringAttribute('output');
  }

  /**
   * The `input` argument as planned, as a Terraform expression: known on
   * create whenever the configured value is, and under `ignore_changes =
   * [input]` the value in state, even when the configuration's is unknown.
   */
  get plannedInput(): string {
    return this.getStringAttribute('input');
  }

  /** cdktf's hook: the resource's arguments as JSON. */
  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: anyToTerraform(this.input), triggers_replace: anyToTerraform(this.triggersReplace) };
  }

  /** cdktf's hook: the resource's arguments as HCL, unset ones left out. */
  protected synthesizeHclAttributes(): Record<string, unknown> {
    const attribute = (value: unknown) => ({ value: anyToHclTerraform(value), isBlock: false, type: 'simple', storageClassType: 'any' });
    const attributes = { input: attribute(this.input), triggers_replace: attribute(this.triggersReplace) };
    return Object.fromEntries(Object.entries(attributes).filter(([, a]) => a.value !== undefined));
  }
}
