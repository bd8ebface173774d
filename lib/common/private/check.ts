import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/** One assertion of a `check` block: Terraform warns with `errorMessage` at plan and apply when `condition` is false. */
export interface CheckAssertion {
  /** A Terraform expression (`${...}`). */
  readonly condition: string;
  /** Rendered even while the condition holds, so it must evaluate whatever the condition's inputs are. */
  readonly errorMessage: string;
}

/**
 * A Terraform `check` block (Terraform 1.5) of assertions only, named `name` at the stack's root: cdktf 0.21 has no
 * construct for it. No scoped data source: Terraform plans one as a Read on every plan, so an unchanged deployment
 * would never plan empty (design notes, "A plan that sees the servers' certificates"); what an assertion reads is a
 * top-level data source or a resource.
 */
export function addCheck(scope: Construct, name: string, assertions: readonly CheckAssertion[]): void {
  if (assertions.length === 0) throw new Error(`check ${name}: a check needs at least one assertion`);
  TerraformStack.of(scope).addOverride(`check.${name}`, {
    assert: assertions.map((a) => ({ condition: a.condition, error_message: a.errorMessage })),
  });
}
