import type { ZodType } from 'zod';
import { keysWithWord, nearestKey, sameKey } from '../../lib/config/nearest-key';
import { shapesOf, unwrap } from '../../lib/config/schema-shapes';
import { settingsSchema } from './settings-schema';

/**
 * Introspection of the settings schema: the keys allowed at a path (for
 * "unknown setting" hints) and every field path (so tests can hold the docs
 * to the schema).
 */

/** The schemas of the field at `path` (one per union member that has it); [] for no setting. */
function schemasAt(path: readonly string[]): ZodType[] {
  let schemas: ZodType[] = [settingsSchema];
  for (const key of path) schemas = schemas.flatMap((s) => shapesOf(s).flatMap((shape) => (shape[key] ? [shape[key]] : [])));
  return schemas;
}

/** Keys allowed in the mapping at `path`, or undefined when it is not a mapping. */
export function allowedKeys(path: readonly string[]): string[] | undefined {
  const keys = schemasAt(path).flatMap((s) => shapesOf(s).flatMap((shape) => Object.keys(shape)));
  return keys.length ? [...new Set(keys)] : undefined;
}

/**
 * Whether `path` names a setting, or a key inside a free-form mapping that is one (`tags.Team`,
 * `airGap.registryMirrors.docker.io`).
 */
export function isSettingPath(path: readonly string[]): boolean {
  if (path.length === 0) return true;
  const parent = path.slice(0, -1);
  const keys = allowedKeys(parent);
  if (keys) return keys.includes(path[path.length - 1]);
  return parent.length > 0 && schemasAt(parent).length > 0;
}

/** True when the schema, or a wrapper around it, supplies a default. */
function hasDefault(schema: ZodType): boolean {
  let current: ZodType | undefined = schema;
  while (current) {
    const def = current._zod.def as { type?: string; innerType?: ZodType; in?: ZodType };
    if (def.type === 'default' || def.type === 'prefault') return true;
    current = def.innerType ?? def.in;
  }
  return false;
}

/**
 * What a setting given as YAML null (a key with nothing under it) means:
 * `absent` (its default, or unset), `empty-mapping` for a mapping that has no
 * default of its own (`k8sHa.access.kubeconfig:` means a kubeconfig with
 * default path and context), `keep` where no setting is named.
 */
export function nullMeaning(path: readonly string[]): 'absent' | 'empty-mapping' | 'keep' {
  const schemas = schemasAt(path);
  if (schemas.length === 0) return 'keep';
  if (schemas.some(hasDefault)) return 'absent';
  return schemas.some((s) => shapesOf(s).length > 0) ? 'empty-mapping' : 'absent';
}

/** The literal values a union member's discriminator accepts. */
function literalValues(schema: ZodType | undefined): unknown[] {
  const def = unwrap(schema)?._zod.def as { values?: unknown[] } | undefined;
  return def?.values ?? [];
}

/**
 * The message for an unknown key at `path`. In a union of mappings (backend)
 * a key of another member says which member it belongs to, instead of
 * listing it as allowed.
 */
export function unknownKeyMessage(path: readonly string[], key: string, mapping: unknown): string {
  const listed = (keys: readonly string[]) => `allowed here: ${keys.join(', ')}`;
  const message = unknownKeyDetail(path, key, mapping, listed);
  // A key of the mapping it was given in comes first: a key of the same name elsewhere may mean another thing there.
  const near = nearestKey(key, allowedKeys(path) ?? []) ?? namedByWord(path, key, mapping);
  if (near !== undefined) return message.replace(/^unknown setting;/, `unknown setting; did you mean ${near}?`);
  const elsewhere = settingsElsewhere(path, key);
  if (elsewhere.length === 0) return message;
  const where = elsewhere.map((p) => (p.includes('.') ? p : `${p} (at the top level)`));
  return message.replace(/^unknown setting;/, `unknown setting at this level; did you mean ${where.join(' or ')}?`);
}

/**
 * The one key of the mapping at `path` that has `key` as a word of its name and takes the value given (a cron
 * expression as `schedule` for `scheduleCron`, `name: prod` for `clusterName`; not `nodes: 3` for `privateNodes`,
 * which takes true or false).
 */
function namedByWord(path: readonly string[], key: string, mapping: unknown): string | undefined {
  const value = mapping !== null && typeof mapping === 'object' ? (mapping as Record<string, unknown>)[key] : undefined;
  const fitting = keysWithWord(key, allowedKeys(path) ?? []).filter((k) => schemasAt([...path, k]).some((s) => s.safeParse(value).success));
  return fitting.length === 1 ? fitting[0] : undefined;
}

/** Most places listed for a key given at the wrong level. */
const MAX_ELSEWHERE = 3;

/** The deepest setting offered for a key at the wrong level: a top-level section's own (deeper ones share names with other meanings, such as retention). */
const MAX_ELSEWHERE_DEPTH = 2;

/**
 * The settings of the same name at other levels (`instanceType` given at the top: `rkeHa.instanceType`,
 * `docker.instanceType`; `region` in `rkeHa`: `region`), for a key that is no setting where it was given; the
 * shallowest first.
 */
function settingsElsewhere(path: readonly string[], key: string): string[] {
  const here = [...path, key].join('.');
  const paths = allFieldPaths().filter(
    (p) => p !== here && p.split('.').length <= MAX_ELSEWHERE_DEPTH && sameKey(p.slice(p.lastIndexOf('.') + 1), key),
  );
  return paths.sort((a, b) => a.split('.').length - b.split('.').length).slice(0, MAX_ELSEWHERE);
}

let fieldPathsCache: string[] | undefined;
/** Every setting's path and every section's (fieldPaths lists the leaves only). */
export function allFieldPaths(): string[] {
  fieldPathsCache ??= [...new Set(fieldPaths().flatMap((p) => p.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))))];
  return fieldPathsCache;
}

function unknownKeyDetail(path: readonly string[], key: string, mapping: unknown, listed: (keys: readonly string[]) => string): string {
  const general = allowedKeys(path);
  for (const schema of schemasAt(path)) {
    const def = unwrap(schema)?._zod.def as { discriminator?: string; options?: ZodType[] } | undefined;
    if (!def?.discriminator || !def.options) continue;
    const discriminator = def.discriminator;
    const given = mapping && typeof mapping === 'object' ? (mapping as Record<string, unknown>)[discriminator] : undefined;
    const members = def.options.map((option) => shapesOf(option)[0]).filter((shape): shape is Record<string, ZodType> => shape !== undefined);
    const active = members.find((shape) =>
      given === undefined ? hasDefault(shape[discriminator]) : literalValues(shape[discriminator]).includes(given),
    );
    if (!active) break;
    const activeName = String(given ?? literalValues(active[discriminator])[0]);
    const owners = members.filter((shape) => shape !== active && key in shape).flatMap((shape) => literalValues(shape[discriminator]).map(String));
    const where = [...path, discriminator].join('.');
    if (owners.length)
      return `applies to ${where} ${owners.join(' or ')} only (this one is ${activeName}); allowed with ${activeName}: ${Object.keys(active).join(', ')}`;
    return `unknown setting; allowed with ${where} ${activeName}: ${Object.keys(active).join(', ')}`;
  }
  return general ? `unknown setting; ${listed(general)}` : 'unknown setting';
}

/** Every field path, e.g. `rkeHa.etcdSnapshots.retention`, in schema order. */
export function fieldPaths(schema: ZodType = settingsSchema, prefix = ''): string[] {
  const shapes = shapesOf(schema);
  if (!shapes.length) return [prefix];
  const paths = shapes.flatMap((shape) => Object.entries(shape).flatMap(([key, inner]) => fieldPaths(inner, prefix ? `${prefix}.${key}` : key)));
  return [...new Set(paths)];
}
