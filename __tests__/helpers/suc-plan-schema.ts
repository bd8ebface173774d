import { join } from 'node:path';
import { readJson } from './synth';

/**
 * A system-upgrade-controller Plan checked against the Plan CRD of the pinned
 * controller, restated in __tests__/fixtures/suc-plan-schema.json (see its
 * `about`): what the API server would refuse or prune, as `path: problem` lines.
 */
interface ObjectSchema {
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
}
interface PlanSchema {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly scope: string;
  readonly objects: Readonly<Record<string, ObjectSchema>>;
  readonly selectorRequirement: { readonly required: readonly string[]; readonly operators: readonly string[] };
}

/** The Plan CRD of the pinned controller, restated in __tests__/fixtures (see its `about`). */
const SCHEMA = readJson(join(__dirname, '..', 'fixtures', 'suc-plan-schema.json')) as PlanSchema;

const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value);

/** What the CRD's structural schema would reject in `value`, as `path: problem` lines (the API server prunes or refuses these). */
function problems(value: unknown, schemaName: string, path: string): string[] {
  const schema = SCHEMA.objects[schemaName];
  if (typeOf(value) !== 'object' || value === null) return [`${path}: not an object`];
  const object = value as Record<string, unknown>;
  const found = schema.required.filter((key) => object[key] === undefined).map((key) => `${path}.${key}: required`);
  for (const [key, field] of Object.entries(object)) {
    const type = schema.properties[key];
    const at = `${path}.${key}`;
    if (type === undefined) found.push(`${at}: not in the schema`);
    else if (SCHEMA.objects[type]) found.push(...problems(field, type, at));
    else if (type === 'integer-or-string' ? !['integer', 'string'].includes(typeOf(field)) : typeOf(field) !== type) found.push(`${at}: not ${type}`);
  }
  if (schemaName === 'selector') {
    for (const [i, requirement] of ((object.matchExpressions as Record<string, unknown>[] | undefined) ?? []).entries()) {
      for (const key of SCHEMA.selectorRequirement.required)
        if (requirement[key] === undefined) found.push(`${path}.matchExpressions[${i}].${key}: required`);
      if (!SCHEMA.selectorRequirement.operators.includes(String(requirement.operator)))
        found.push(`${path}.matchExpressions[${i}].operator: ${String(requirement.operator)}`);
    }
  }
  return found;
}

export function planProblems(plan: Record<string, any>): string[] {
  const found: string[] = [];
  if (plan.apiVersion !== `${SCHEMA.group}/${SCHEMA.version}`) found.push(`apiVersion: ${plan.apiVersion}`);
  if (plan.kind !== SCHEMA.kind) found.push(`kind: ${plan.kind}`);
  if (SCHEMA.scope === 'Namespaced' && !plan.metadata?.namespace) found.push('metadata.namespace: required (namespaced)');
  return [...found, ...problems(plan.spec, 'spec', 'spec')];
}
