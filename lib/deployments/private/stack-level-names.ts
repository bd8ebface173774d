import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * The construct id under which a stack's body keeps the Terraform addresses
 * it had when it lived in the stack itself: cdktf leaves a construct named
 * `Default` out of every logical id (the AWS CDK convention). The app's stacks
 * use it; a library user may too, for a single deployment per stack.
 */
export const IN_PLACE_ID = 'Default';

/**
 * A name for something a construct declares at stack level (a `check` block,
 * a stack-wide local), unique per instance: `base` for the in-place instance,
 * `<id>_<base>` for any other.
 */
export function stackLevelName(scope: Construct, base: string): string {
  if (scope.node.id === IN_PLACE_ID) return base;
  const path = scope.node.scopes.slice(scope.node.scopes.indexOf(TerraformStack.of(scope)) + 1).map((c) => c.node.id);
  return `${path.join('_').replace(/[^A-Za-z0-9_-]/g, '_')}_${base}`;
}

/** `<name>-<stack id>`: the prefix of every resource name of a deployment, and its deployment tag. */
export function deploymentPrefix(scope: Construct, name: string): string {
  return `${name}-${TerraformStack.of(scope).node.id}`;
}

/** `/<name>/<stack id>`: where a deployment's nodes read their SSM parameters. */
export function deploymentParameterPath(scope: Construct, name: string): string {
  return `/${name}/${TerraformStack.of(scope).node.id}`;
}
