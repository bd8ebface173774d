import type { SavedPlan } from '../shared/terraform';

/** Every reference (`aws_instance.x.id`, `terraform_data.y`) anywhere in a resource's configuration expressions. */
function references(expressions: unknown): string[] {
  if (Array.isArray(expressions)) return expressions.flatMap(references);
  if (!expressions || typeof expressions !== 'object') return [];
  return Object.entries(expressions).flatMap(([key, value]) =>
    key === 'references' && Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : references(value),
  );
}

/**
 * What a saved plan changes beyond replacing `addresses`: everything but
 * those resources, the managed resources whose configuration refers to one of
 * them (a server's target group attachments and user-data record follow its
 * instance id), and data sources read again. An empty list means the plan is
 * exactly the replacement; otherwise one "address (actions)" per change.
 */
export function unexpectedChanges(plan: SavedPlan, addresses: readonly string[]): string[] {
  const refersTo = (ref: string) => addresses.some((a) => ref === a || ref.startsWith(`${a}.`));
  const followers = new Set(
    (plan.configuration?.root_module?.resources ?? []).filter((r) => references(r.expressions).some(refersTo)).map((r) => r.address),
  );
  return (plan.resource_changes ?? [])
    .filter((c) => !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'))
    .filter((c) => c.mode !== 'data' && !addresses.includes(c.address) && !followers.has(c.address))
    .map((c) => `${c.address} (${c.change.actions.join(', ')})`);
}
