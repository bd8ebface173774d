import { join } from 'node:path';
import { readJson } from './synth';

/**
 * The rancher-backup operator's schemas at the pinned chart, restated in
 * __tests__/fixtures (see each file's `about`): the Backup and Restore CRDs'
 * spec schemas (OpenAPI v3 as the API server applies them) and the operator
 * chart's values as a tree of types.
 */
interface OpenApi {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, OpenApi>>;
  readonly required?: readonly string[];
  readonly nullable?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly unknown[];
}
interface Crd {
  readonly group: string;
  readonly version: string;
  readonly scope: string;
  readonly spec: OpenApi;
}
const CRDS = (readJson(join(__dirname, '..', 'fixtures', 'rancher-backup-crds.json')) as { crds: Record<string, Crd> }).crds;
type ValueTree = string | { readonly [key: string]: ValueTree };
const VALUES = (readJson(join(__dirname, '..', 'fixtures', 'rancher-backup-values.json')) as { values: ValueTree }).values;

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value);

/** What the schema would refuse (or prune: an unknown field) in `value`, as `path: problem` lines. */
function openApiProblems(value: unknown, schema: OpenApi, path: string): string[] {
  if (value === null) return schema.nullable ? [] : [`${path}: null`];
  const type = typeOf(value);
  if (schema.type && !(schema.type === type || (schema.type === 'number' && type === 'integer'))) return [`${path}: ${type}, not ${schema.type}`];
  const found: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) found.push(`${path}: ${String(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) found.push(`${path}: below ${schema.minimum}`);
  if (typeof value === 'number' && schema.maximum !== undefined && value > schema.maximum) found.push(`${path}: above ${schema.maximum}`);
  if (type === 'object' && schema.properties) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (object[key] === undefined) found.push(`${path}.${key}: required`);
    for (const [key, field] of Object.entries(object)) {
      const fieldSchema = schema.properties[key];
      if (fieldSchema === undefined) found.push(`${path}.${key}: not in the schema`);
      else found.push(...openApiProblems(field, fieldSchema, `${path}.${key}`));
    }
  }
  return found;
}

/** A Backup or Restore object against its CRD at the pinned chart. */
export function backupObjectProblems(object: Record<string, any>): string[] {
  const crd = CRDS[object.kind];
  if (!crd) return [`kind: ${object.kind} is not a CRD of the chart`];
  const found: string[] = [];
  if (object.apiVersion !== `${crd.group}/${crd.version}`) found.push(`apiVersion: ${object.apiVersion}`);
  if (crd.scope === 'Cluster' && object.metadata?.namespace !== undefined) found.push('metadata.namespace: set on a cluster-scoped object');
  if (!object.metadata?.name) found.push('metadata.name: required');
  return [...found, ...openApiProblems(object.spec, crd.spec, 'spec')];
}

/** Chart values against the keys and default types of the chart's values.yaml. */
export function chartValueProblems(values: unknown, tree: ValueTree = VALUES, path = ''): string[] {
  if (typeof tree === 'string') {
    const type = typeOf(values);
    return type === tree || (tree === 'number' && type === 'integer') || tree === 'null' ? [] : [`${path}: ${type}, not ${tree}`];
  }
  if (typeOf(values) !== 'object') return [`${path}: not an object`];
  return Object.entries(values as Record<string, unknown>).flatMap(([key, value]) =>
    key in tree ? chartValueProblems(value, tree[key], path ? `${path}.${key}` : key) : [`${path ? `${path}.` : ''}${key}: not a value of the chart`],
  );
}
