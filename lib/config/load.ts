import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { core } from 'zod';
import { certificateFileProblems } from './certificate-file';
import { SettingsError, type SettingsProblem } from './errors';
import { allowedKeys } from './fields';
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
    return parseSettings({}, '(built-in defaults)', cwd);
  }
  return parseSettingsText(readFileSync(path, 'utf8'), explicit || DEFAULT_SETTINGS_FILE, dirname(path));
}

/** `baseDir` resolves relative paths inside the settings (the settings file's folder). */
export function parseSettingsText(text: string, source: string, baseDir = process.cwd()): Settings {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SettingsError(
      source,
      doc.errors.map((e) => ({ field: '(file)', message: `YAML ${e.message.split('\n')[0]} at line ${lineOf(text, e.pos[0])}` })),
    );
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new SettingsError(source, [{ field: '(file)', message: 'expected a mapping of settings at the top level', value: data }]);
  }
  return parseSettings(withoutNulls(data), source, baseDir);
}

/**
 * A key with nothing under it (`rkeHa:` with every child commented out) reads
 * as null in YAML; it means "defaults", as if the key were absent.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

export function parseSettings(data: unknown, source: string, baseDir = process.cwd()): Settings {
  const result = settingsSchema.safeParse(data, { reportInput: true });
  if (result.success) {
    const problems = certificateFileProblems(result.data, baseDir);
    if (problems.length > 0) throw new SettingsError(source, problems);
    return result.data;
  }
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
  // A union issue carries the whole object as input; the discriminator's own value is what was wrong.
  const value = issue.input !== undefined && issue.code !== 'invalid_union' ? issue.input : valueAt(data, path);
  if (value === undefined && issue.code === 'invalid_type') return [{ field, message: `required (${messageOf(issue)})` }];
  return [{ field, message: messageOf(issue), value }];
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function messageOf(issue: core.$ZodIssue): string {
  // A refused mapping key: the key schema's own message says what is allowed.
  if (issue.code === 'invalid_key') return issue.issues.map((i) => messageOf(i as core.$ZodIssue)).join('; ');
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `expected one of ${issue.options.filter((v) => v !== undefined).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.code === 'invalid_type') return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
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
