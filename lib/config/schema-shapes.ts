import type { ZodType } from 'zod';

// A schema's object shapes through its wrappers (optional, default, prefault, pipe): what the settings introspection
// (fields.ts) and the constructs' props (resolveProps, which gathers a section's flat props) read.

/** The schema inside its wrappers. */
export function unwrap(schema: ZodType | undefined): ZodType | undefined {
  let current = schema;
  for (;;) {
    const def = current?._zod.def as { innerType?: ZodType; in?: ZodType } | undefined;
    const next = def?.innerType ?? def?.in;
    if (!next) return current;
    current = next;
  }
}

/** Object shapes of a schema: one for an object, one per option for a union of objects. */
export function shapesOf(schema: ZodType | undefined): Record<string, ZodType>[] {
  const def = unwrap(schema)?._zod.def as { shape?: Record<string, ZodType>; options?: ZodType[] } | undefined;
  if (def?.shape) return [def.shape];
  return (def?.options ?? []).flatMap((option) => shapesOf(option));
}

/** The keys of an object schema (or of each object of a union), through its wrappers: a section's fields. */
export function sectionKeys(schema: ZodType | undefined): string[] {
  return [...new Set(shapesOf(schema).flatMap((shape) => Object.keys(shape)))];
}
