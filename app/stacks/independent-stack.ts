import { TerraformStack } from 'cdktf';

/**
 * The base of the app's three stacks. Before a synth, cdktf's `prepareStack`
 * resolves every element of every stack once more, only to find references to
 * another stack's resources (for which it adds an output there and a remote
 * state here); the synth then resolves them all again. These stacks are each
 * built from the settings alone and never refer to one another, so that pass
 * finds nothing, and it was about a third of a stack's synth: they keep only
 * its backend default. `__tests__/stacks/independent-stack.test.ts` holds
 * each stack byte-identical with cdktf's own pass, and a reference into
 * another stack would reach Terraform as one to an undeclared resource, which
 * `terraform validate` and every plan refuse.
 */
export abstract class IndependentStack extends TerraformStack {
  public override prepareStack(): void {
    this.ensureBackendExists();
  }
}
