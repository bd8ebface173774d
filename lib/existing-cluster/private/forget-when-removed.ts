import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

const removedBlocks = new WeakMap<TerraformStack, { from: string; lifecycle: { destroy: false } }[]>();

/**
 * Declares that the resource a construct path under `parent` held (when it was created there)
 * must be forgotten, not destroyed, now that it left the configuration: a
 * Terraform `removed` block with `destroy = false` (Terraform 1.7+). A no-op
 * when the address is not in state. Used where a setting turns off something
 * the stack may have installed earlier into a cluster it shares with others.
 *
 * Logical ids come from the construct path alone, so an empty placeholder at
 * the same path yields the exact address the resource had; the placeholder
 * also keeps the path from being reused by something else.
 *
 * @returns the address, e.g. `helm_release.cert-manager_release_1A2B3C4D`
 */
export function forgetWhenRemoved(parent: Construct, resourceType: string, path: readonly [string, ...string[]]): string {
  const stack = TerraformStack.of(parent);
  let scope: Construct = parent;
  for (const id of path) scope = (scope.node.tryFindChild(id) as Construct | undefined) ?? new Construct(scope, id);
  const address = `${resourceType}.${stack.getLogicalId(scope.node)}`;
  const blocks = removedBlocks.get(stack) ?? [];
  blocks.push({ from: address, lifecycle: { destroy: false } });
  removedBlocks.set(stack, blocks);
  stack.addOverride('removed', [...blocks]);
  return address;
}
