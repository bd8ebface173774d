import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { core, ZodType } from 'zod';
import { SettingsError, type SettingsProblem } from './errors';
import { settingsSchema, type Settings } from './schema';

/** The file read when RANCHER_CONFIG is not set, relative to the working directory. */
export const DEFAULT_SETTINGS_FILE = 'rancher.yaml';

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/**
 * Finds, parses and validates the settings. No file at all means "all
 * defaults"; an explicitly named file that does not exist is an error.
 * Throws SettingsError listing every problem.
 */
export function loadSettings(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = env.RANCHER_CONFIG;
  const path = resolve(cwd, explicit || DEFAULT_SETTINGS_FILE);
  if (!existsSync(path)) {
    if (explicit) {
      throw new SettingsError(explicit, [{ field: '(file)', message: 'RANCHER_CONFIG names a file that does not exist', value: explicit }]);
    }
    return parseSettings({}, '(built-in defaults)');
  }
  return parseSettingsText(readFileSync(path, 'utf8'), explicit || DEFAULT_SETTINGS_FILE);
}

export function parseSettingsText(text: string, source: string): Settings {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SettingsError(
      source,
      doc.errors.map((e) => ({ field: '(file)', message: `YAML ${e.message.split('\n')[0]} at line ${e.linePos?.[0].line ?? '?'}` })),
    );
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new SettingsError(source, [{ field: '(file)', message: 'expected a mapping of settings at the top level', value: data }]);
  }
  return parseSettings(data, source);
}

export function parseSettings(data: unknown, source: string): Settings {
  const result = settingsSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new SettingsError(source, result.error.issues.flatMap((issue) => toProblems(issue, data)));
}

function toProblems(issue: core.$ZodIssue, data: unknown): SettingsProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((key) => ({
      field: [...path, key].join('.'),
      message: `unknown setting${allowed ? `; allowed here: ${allowed.join(', ')}` : ''}`,
    }));
  }
  const field = path.length ? path.join('.') : '(top level)';
  const value = issue.input !== undefined ? issue.input : valueAt(data, path);
  return [{ field, message: messageOf(issue), value }];
}

function messageOf(issue: core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `expected one of ${issue.options.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.code === 'invalid_type') return `expected ${issue.expected === 'record' || issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
  if (issue.code === 'too_small') return `expected at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
  if (issue.code === 'too_big') return `expected at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
  return issue.message;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Keys of the object schema found at `path`, for "allowed here" hints. */
function allowedKeys(path: readonly string[]): string[] | undefined {
  let schema: ZodType | undefined = unwrap(settingsSchema);
  for (const key of path) {
    const shape = shapeOf(schema);
    schema = shape ? unwrap(shape[key]) : undefined;
  }
  const shape = shapeOf(schema);
  return shape ? Object.keys(shape) : undefined;
}

function shapeOf(schema: ZodType | undefined): Record<string, ZodType> | undefined {
  const def = schema?._zod.def as { shape?: Record<string, ZodType> } | undefined;
  return def?.shape;
}

function unwrap(schema: ZodType | undefined): ZodType | undefined {
  let current = schema;
  for (;;) {
    const def = current?._zod.def as { innerType?: ZodType; in?: ZodType; schema?: ZodType } | undefined;
    const next = def?.innerType ?? def?.in ?? def?.schema;
    if (!next) return current;
    current = next;
  }
}
