import type { ZodType } from 'zod';
import { settingsSchema } from '../../app/config/settings-schema';
import { shapesOf } from '../../lib/config/schema-shapes';

/**
 * Settings files that give a section, or a setting of a section, a value of a type it does not take: every top-level
 * setting of the settings schema and every setting of each top-level section (the second level), each given text, a
 * number, a list, true, a mapping (each only where the schema does not take that type) and YAML null, on the settings
 * file of each stack. The sections and the types they take are read from the schema, so a new section is covered
 * without a change here.
 */

/** The kinds of YAML value a setting can be given. */
export type Kind = 'text' | 'number' | 'boolean' | 'list' | 'mapping';
const KINDS: readonly Kind[] = ['text', 'number', 'boolean', 'list', 'mapping'];

/** A value of each kind, as a person might write one by mistake (`rancher: x`, `rancher: 1.5`, `rancher: [a]`). */
export const WRONG_VALUES: Readonly<Record<Kind, unknown>> = { text: 'x', number: 1.5, boolean: true, list: ['a'], mapping: { x: 1 } };

/**
 * The kinds of value a schema takes, from its definition. A schema whose input cannot be told from its definition
 * (a transform, a custom check, `unknown`) takes every kind: no case is made of it.
 */
export function kindsOf(schema: ZodType): ReadonlySet<Kind> {
  const def = schema._zod.def as {
    type: string;
    innerType?: ZodType;
    in?: ZodType;
    options?: ZodType[];
    entries?: Record<string, unknown>;
    values?: unknown[];
  };
  const ofValues = (values: readonly unknown[]) =>
    new Set(
      values.flatMap((v): Kind[] =>
        typeof v === 'string' ? ['text'] : typeof v === 'number' ? ['number'] : typeof v === 'boolean' ? ['boolean'] : [],
      ),
    );
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return new Set(['text']);
    case 'number':
    case 'int':
      return new Set(['number']);
    case 'boolean':
      return new Set(['boolean']);
    case 'array':
    case 'tuple':
      return new Set(['list']);
    case 'object':
    case 'record':
      return new Set(['mapping']);
    case 'enum':
      return ofValues(Object.values(def.entries ?? {}));
    case 'literal':
      return ofValues(def.values ?? []);
    case 'union':
      return new Set((def.options ?? []).flatMap((option) => [...kindsOf(option)]));
    case 'pipe':
      return kindsOf(def.in!);
    case 'null':
    case 'undefined':
      return new Set();
    default:
      // optional, default, prefault, nullable, readonly, catch: the schema they wrap.
      return def.innerType ? kindsOf(def.innerType) : new Set(KINDS);
  }
}

/** A setting and its schema: `['rancher']`, `['rancher', 'tls']`. */
export interface SectionSetting {
  readonly path: readonly [string] | readonly [string, string];
  readonly schema: ZodType;
}

/** Every top-level setting of the settings file, and every setting of each top-level section (of each member of a union of sections). */
export function sectionSettings(schema: ZodType = settingsSchema): SectionSetting[] {
  const settings: SectionSetting[] = [];
  for (const shape of shapesOf(schema)) {
    for (const [top, topSchema] of Object.entries(shape)) {
      settings.push({ path: [top], schema: topSchema });
      const seen = new Set<string>();
      for (const inner of shapesOf(topSchema)) {
        for (const [key, keySchema] of Object.entries(inner)) {
          if (seen.has(key)) continue;
          seen.add(key);
          settings.push({ path: [top, key], schema: keySchema });
        }
      }
    }
  }
  return settings;
}

export interface SectionTypeCase {
  /** The stack whose settings file the wrong value is put into. */
  readonly stack: string;
  readonly path: readonly string[];
  /** The kind of value given, or null (a key with nothing under it). */
  readonly given: Kind | 'null';
  /** The settings file's data: the stack's with the value at `path`. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The stack's settings file without the setting at `path`: what null must mean. */
  readonly without: Readonly<Record<string, unknown>>;
}

/** `data` with `value` at `path` (undefined: the setting removed), the sections along the path made when missing. */
function withValue(data: Readonly<Record<string, unknown>>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  const out: Record<string, unknown> = { ...data };
  const inner = data[key];
  const next =
    rest.length === 0
      ? value
      : withValue(inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {}, rest, value);
  if (next === undefined) delete out[key];
  else out[key] = next;
  return out;
}

/** The cases for each stack's settings file (`files`: the stack's name and its settings). */
export function sectionTypeCases(files: Readonly<Record<string, Readonly<Record<string, unknown>>>>): SectionTypeCase[] {
  const settings = sectionSettings();
  return Object.entries(files).flatMap(([stack, file]) =>
    settings.flatMap(({ path, schema }) => {
      const takes = kindsOf(schema);
      const without = withValue(file, path, undefined);
      const wrong = KINDS.filter((kind) => !takes.has(kind));
      return [
        ...wrong.map((given) => ({ stack, path, given, data: withValue(file, path, WRONG_VALUES[given]), without })),
        { stack, path, given: 'null' as const, data: withValue(file, path, null), without },
      ];
    }),
  );
}
