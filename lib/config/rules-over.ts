import type { core, z, ZodType } from 'zod';
import { shapesOf, unwrap } from './schema-shapes';

/*
 * How every rule over a schema's value is run. The rules run even when fields failed, so one run reports every
 * problem; they check the type of each value they read (a setting may be text where a number belongs), but they read
 * through sections without looking: `p.rancher?.tls.mode`. A section given as something other than a mapping (`rancher:
 * x`, `rancher: [a]`) then broke a rule with a TypeError that reached the person as an internal error, though the
 * schema had already refused the section with its own message. So the rules never see such a section: a mapping or a
 * list the schema refused as a whole is, to the rules, as if it were not written (what the schema makes of its absence:
 * its defaults, or nothing), and the schema's message about it is the one the person reads.
 */

/** Issue codes that refuse a value as a whole (not one of its parts, not a rule's finding). */
const REFUSED_AS_A_WHOLE: ReadonlySet<string> = new Set(['invalid_type', 'invalid_union']);

/** The schema of the setting at `path` below `schema`, through sections and unions of sections; undefined past a list or free-form mapping. */
function schemaAt(schema: ZodType, path: readonly PropertyKey[]): ZodType | undefined {
  let current: ZodType | undefined = schema;
  for (const key of path) {
    if (typeof key !== 'string') return undefined;
    current = shapesOf(current)
      .map((shape) => shape[key])
      .find((inner) => inner !== undefined);
    if (current === undefined) return undefined;
  }
  return current;
}

/** A mapping or a list: a value the rules read through, where text or a number in its place would break them. */
function isStructure(schema: ZodType): boolean {
  if (shapesOf(schema).length > 0) return true;
  const type = (unwrap(schema)?._zod.def as { type?: string } | undefined)?.type;
  return type === 'record' || type === 'array' || type === 'tuple';
}

/** What the schema makes of a setting that is not written: its default, or undefined when it has none. */
function absent(schema: ZodType): unknown {
  const parsed = schema.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/** `value` with the setting at `path` replaced (copies along the path; the parsed value itself is left as it is). */
function replaced(value: unknown, path: readonly string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [key, ...rest] = path;
  if (!Object.hasOwn(value, key) && replacement === undefined) return value;
  // Entries, not an assignment: a key named __proto__ must stay a key.
  return Object.fromEntries([
    ...Object.entries(value).filter(([k]) => k !== key),
    [key, replaced((value as Record<string, unknown>)[key], rest, replacement)],
  ]);
}

/**
 * `value` as the rules read it: each mapping or list of `schema` that `issues` refuse as a whole replaced by what the
 * schema makes of it when it is not written. Scalars stay as they were given (the rules check their types), and so
 * does everything inside lists and free-form mappings.
 */
export function acceptedSections(schema: ZodType, value: unknown, issues: readonly core.$ZodRawIssue[]): unknown {
  let view = value;
  const done = new Set<string>();
  for (const issue of issues) {
    if (!REFUSED_AS_A_WHOLE.has(issue.code)) continue;
    const path = issue.path ?? [];
    const inner = schemaAt(schema, path);
    if (inner === undefined || !isStructure(inner)) continue;
    const key = JSON.stringify(path);
    if (done.has(key)) continue;
    done.add(key);
    view = replaced(view, path as string[], path.length === 0 ? undefined : absent(inner));
  }
  return view;
}

/**
 * `schema` with `check` run over its value even when fields failed (so one run reports everything), on the sections
 * the schema accepted (acceptedSections); never on a value that is not a mapping at all, whose type error is reported
 * already. Its sections are of their type; any other setting may still be missing or of another type.
 */
export function rulesOver<T extends ZodType>(schema: T, check: (value: z.output<T>, ctx: z.RefinementCtx) => void): T {
  return schema.superRefine(
    (value, ctx) => {
      const view = acceptedSections(schema, value, ctx.issues);
      if (view !== null && typeof view === 'object' && !Array.isArray(view)) check(view as z.output<T>, ctx);
    },
    { when: () => true },
  ) as T;
}
