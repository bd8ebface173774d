import type { ZodType } from 'zod';
import { settingsSchema } from './schema';

/**
 * Introspection of the settings schema: the keys allowed at a path (for
 * "unknown setting" hints) and every field path (so tests can hold the docs
 * to the schema).
 */

function unwrap(schema: ZodType | undefined): ZodType | undefined {
  let current = schema;
  for (;;) {
    const def = current?._zod.def as { innerType?: ZodType; in?: ZodType } | undefined;
    const next = def?.innerType ?? def?.in;
    if (!next) return current;
    current = next;
  }
}

/** Object shapes of a schema: one for an object, one per option for a union of objects. */
function shapesOf(schema: ZodType | undefined): Record<string, ZodType>[] {
  const def = unwrap(schema)?._zod.def as { shape?: Record<string, ZodType>; options?: ZodType[] } | undefined;
  if (def?.shape) return [def.shape];
  return (def?.options ?? []).flatMap((option) => shapesOf(option));
}

/** Keys allowed in the mapping at `path`, or undefined when it is not a mapping. */
export function allowedKeys(path: readonly string[]): string[] | undefined {
  let schemas: (ZodType | undefined)[] = [settingsSchema];
  for (const key of path) schemas = schemas.flatMap((s) => shapesOf(s).map((shape) => shape[key]));
  const keys = schemas.flatMap((s) => shapesOf(s).flatMap((shape) => Object.keys(shape)));
  return keys.length ? [...new Set(keys)] : undefined;
}

/** Every field path, e.g. `rkeHa.etcdSnapshots.retention`, in schema order. */
export function fieldPaths(schema: ZodType = settingsSchema, prefix = ''): string[] {
  const shapes = shapesOf(schema);
  if (!shapes.length) return [prefix];
  const paths = shapes.flatMap((shape) => Object.entries(shape).flatMap(([key, inner]) => fieldPaths(inner, prefix ? `${prefix}.${key}` : key)));
  return [...new Set(paths)];
}
