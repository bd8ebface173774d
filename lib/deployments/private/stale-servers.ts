import { TerraformLocal, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { HELD_ATTRIBUTES, type ServerNode } from '../../nodes/server-node';
import { addCheck } from '../../common/private/check';

/**
 * Which servers run an older configuration (the settings changed something a
 * running server keeps until it is replaced): returns the list per server
 * (`{ "server-0": [attribute, ...] }`, for an output; each a reference into the
 * `servers_stale` local that holds the expressions), and adds a check that
 * warns in every plan until they are rolled. The image is one of them like the
 * others: the servers are compared with the recorded image (UbuntuAmi), which
 * moves only when it is replaced on purpose, never when Canonical publishes one.
 */
export function reportStaleServers(
  scope: Construct,
  props: { readonly nodes: readonly ServerNode[]; readonly checkName: string },
): Record<string, string[]> {
  const stale = new TerraformLocal(
    scope,
    'servers_stale',
    Object.fromEntries(props.nodes.map((node, i) => [`server-${i}`, node.staleAttributes(HELD_ATTRIBUTES)])),
  ).fqn;
  // One assertion per server: in a plan that adds servers their lists are unknown, and a message over all of them
  // (one jsonencode) could not be rendered; each server's own renders as soon as its list is known.
  addCheck(
    scope,
    props.checkName,
    props.nodes.map((_, i) => ({
      condition: `\${length(${stale}["server-${i}"]) == 0}`,
      errorMessage:
        `server-${i} keeps settings it cannot take while running: \${join(", ", ${stale}["server-${i}"])}. ` +
        'Replace the servers that do one at a time, each after the previous one rejoined (docs/day-2.md, "Day 2"); output servers_pending_replacement lists them. ' +
        'Never two -replace in one apply: Terraform shows no plan check which objects -replace names, so the quorum guard cannot refuse it.',
    })),
  );
  // Each server's list read from the local, not its expression again: the same value, written once in the module
  // (and resolved once per synth: the expression is the costliest single value of the stack to resolve).
  return Object.fromEntries(props.nodes.map((_, i) => [`server-${i}`, Token.asList(`\${${stale}["server-${i}"]}`)]));
}
