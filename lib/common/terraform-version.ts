import { TerraformElement, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * The oldest Terraform that runs what the constructs synthesize: the S3
 * backend's `use_lockfile` needs 1.10 (cross-variable validations 1.9,
 * `removed` blocks 1.7). Declared so an older Terraform says so at `init`
 * instead of failing on a construct it does not know.
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.10';

/** The id of the one element per stack; a stack-level id, no Terraform address. */
const ELEMENT_ID = 'rancher-required-terraform-version';

/**
 * Writes `terraform { required_version }` into the stack's Terraform as a
 * fragment of an element, which cdktf merges before the stack's own
 * overrides: a stack that sets its own (`stack.addOverride('terraform.required_version', ...)`,
 * before or after the construct) keeps it. cdktf 0.21 has no typed setting.
 */
class RequiredTerraformVersion extends TerraformElement {
  override toTerraform(): Record<string, unknown> {
    return { terraform: { required_version: REQUIRED_TERRAFORM_VERSION } };
  }

  override toHclTerraform(): Record<string, unknown> {
    return this.toTerraform();
  }
}

/** Declares REQUIRED_TERRAFORM_VERSION in the stack of `scope`, once however many constructs ask. */
export function requireTerraformVersion(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild(ELEMENT_ID)) new RequiredTerraformVersion(stack, ELEMENT_ID);
}
