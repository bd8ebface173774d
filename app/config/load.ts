import { lstatSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { certificateFileProblems } from './certificate-file';
import { SettingsError, SettingsFileError, type SettingsProblem } from '../../lib/config/errors';
import { allowedKeys, isSettingPath, nullMeaning, unknownKeyMessage } from './settings-fields';
import { toProblems } from '../../lib/config/problems';
import { emailDomain, isReservedDomain } from '../../lib/config/primitives';
import { settingsSchema, type Settings } from './settings-schema';
import { MAX_SETTINGS_FILE_BYTES, readBoundedTextFile } from './settings-file';
import { readYamlSettings } from './yaml-settings';

/** The file read when RANCHER_CONFIG is not set, relative to the working directory. */
export const DEFAULT_SETTINGS_FILE = 'rancher.yaml';

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/** The settings and where they came from, for the synth summary. */
export interface LoadedSettings {
  readonly settings: Settings;
  /** The settings file as named (RANCHER_CONFIG's value or `rancher.yaml`); undefined: no file, every default. */
  readonly source?: string;
}

/**
 * Finds, parses and validates the settings. No file at all means "all
 * defaults"; an explicitly named file that does not exist is an error.
 * Throws SettingsFileError when the file cannot be used (missing, not a
 * regular file, over MAX_SETTINGS_FILE_BYTES, unreadable, binary, or only a
 * near miss of rancher.yaml such as rancher.yml exists) and SettingsError
 * listing every problem of the settings in it.
 */
export function loadSettings(options: LoadOptions = {}): Settings {
  return readSettings(options).settings;
}

/** loadSettings, saying which file was read. */
export function readSettings(options: LoadOptions = {}): LoadedSettings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = env.RANCHER_CONFIG;
  const source = explicit || DEFAULT_SETTINGS_FILE;
  const path = resolve(cwd, source);
  // rancher.yaml is optional; a dangling symbolic link by that name is not "no file".
  if (!explicit && !pathExists(path)) {
    // A settings file under a near name would otherwise be skipped without a word, and every default used.
    const near = nearMisses(cwd);
    if (near.length > 0) {
      const named = near.join(', ');
      throw new SettingsFileError(source, [
        {
          field: '(file)',
          message: `does not exist, but ${named} does: rename it to ${DEFAULT_SETTINGS_FILE}, or set RANCHER_CONFIG=${near[0]}; only ${DEFAULT_SETTINGS_FILE} is read`,
        },
      ]);
    }
    return { settings: parseSettings({}, '(built-in defaults)', cwd) };
  }
  const read = readBoundedTextFile(path, MAX_SETTINGS_FILE_BYTES);
  if (read.problem !== undefined) {
    const message = explicit && read.missing ? `RANCHER_CONFIG names a file that ${read.problem}` : read.problem;
    throw new SettingsFileError(source, [{ field: '(file)', message, value: source }]);
  }
  const settings = parseSettingsText(read.text, source, dirname(path));
  const placeholders = placeholderProblems(settings);
  if (placeholders.length > 0) throw new SettingsError(source, placeholders);
  return { settings, source };
}

/** Names a person may have given the settings file (rancher.yml, Rancher.yaml, rancher.yaml.txt, rancher.json). */
const NEAR_MISS = /^\.?rancher\.(ya?ml|json)(\.[a-z]+)?$/i;

function nearMisses(cwd: string): string[] {
  try {
    return readdirSync(cwd)
      .filter((name) => name !== DEFAULT_SETTINGS_FILE && NEAR_MISS.test(name))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Placeholders of domains reserved for documentation (RFC 2606, RFC 6761,
 * primitives.ts isReservedDomain): no one's hosted zone and no one's mailbox.
 * rancher.example.yaml uses example.com; a copy left unchanged would
 * synthesize, then fail at plan (no such zone) or, with a zone made for it,
 * serve Rancher at a name nobody can resolve. Only the settings file is
 * checked: library users and tests may name example.com on purpose.
 */
function placeholderProblems(settings: Settings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  if (settings.hostedZone !== undefined && isReservedDomain(settings.hostedZone)) {
    problems.push({
      field: 'hostedZone',
      message:
        "is reserved for documentation (rancher.example.yaml's placeholder) and cannot be your Route53 zone: set your own hostname and hostedZone, or remove both to pass them as Terraform variables at plan time",
      value: settings.hostedZone,
    });
  }
  // Let's Encrypt refuses an account whose contact is at a reserved domain: the certificate would never be issued.
  // SNS would send the subscription's confirmation nowhere: the alarms would reach no one.
  const addresses = [
    ['rancher.tls.acme.email', settings.rancher.tls.acme?.email, "which Let's Encrypt refuses as a contact"],
    ['alarms.email', settings.alarms.email, 'where no one confirms the subscription, so the alarms would reach no one'],
  ] as const;
  for (const [field, address, consequence] of addresses) {
    if (address !== undefined && isReservedDomain(emailDomain(address))) {
      problems.push({
        field,
        message: `is at a domain reserved for documentation (an example's placeholder), ${consequence}: give an address of yours`,
        value: address,
      });
    }
  }
  return problems;
}

function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `baseDir` resolves relative paths inside the settings (the settings file's folder). A file whose only YAML problems
 * are tabs in its indentation is checked as settings too (read with spaces in their place), so the tabs do not hide
 * its other mistakes: they are reported together.
 */
export function parseSettingsText(text: string, source: string, baseDir = process.cwd()): Settings {
  const yaml = readYamlSettings(text, isSettingPath);
  if (yaml.problems.length === 0) return settingsOfData(yaml.data, source, baseDir);
  if (yaml.data === undefined) throw new SettingsError(source, yaml.problems);
  try {
    settingsOfData(yaml.data, source, baseDir);
  } catch (error) {
    if (error instanceof SettingsError) throw new SettingsError(source, [...yaml.problems, ...error.problems]);
    throw error;
  }
  throw new SettingsError(source, yaml.problems);
}

/** The settings of a YAML file's data. */
function settingsOfData(data: unknown, source: string, baseDir: string): Settings {
  // An empty file (or one of comments only) is a mistake more often than a choice: a copy that lost its content.
  if (data === undefined || data === null) {
    throw new SettingsError(source, [
      {
        field: '(file)',
        message: 'holds no settings (it is empty or only comments); to use every default on purpose, write {} in it or remove the file',
      },
    ]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    // The type only: a file named by mistake (an environment dump, a key) must not be echoed.
    const got = Array.isArray(data) ? 'a list' : `a single ${typeof data === 'string' ? 'text' : typeof data} value`;
    throw new SettingsError(source, [{ field: '(file)', message: `expected a mapping of settings at the top level, got ${got}` }]);
  }
  // A file that is not settings at all (a kubeconfig, a /proc file): its keys are not listed one by one either.
  const keys = Object.keys(data ?? {});
  const known = allowedKeys([]) ?? [];
  if (keys.length > MAX_FOREIGN_KEYS_LISTED && !keys.some((key) => known.includes(key))) {
    throw new SettingsError(source, [
      {
        field: '(file)',
        message: `none of its ${keys.length} top-level keys is a setting; is this the settings file? (settings are: ${known.join(', ')})`,
      },
    ]);
  }
  return parseSettings(withoutNulls(data, []), source, baseDir);
}

/** Unknown top-level keys listed by name when no key of the file is a setting; above this the file is called foreign. */
const MAX_FOREIGN_KEYS_LISTED = 3;

/**
 * A key with nothing under it (`rkeHa:` with every child commented out) reads
 * as null in YAML. For a setting it means "defaults", as if the key were
 * absent, and for a mapping without defaults of its own (`kubeconfig:`) an
 * empty one. Null stays null where no setting is named (a tag value, a mirror
 * list, an unknown key), so it is reported instead of silently dropped.
 */
function withoutNulls(value: unknown, path: readonly string[] | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutNulls(item, undefined));
  if (value === null || typeof value !== 'object') return value;
  // Entries, not assignments: a key named __proto__ must stay a key (the YAML check refuses it anyway).
  const out: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value)) {
    // Below a list item or a free-form mapping no key is a setting: the path is no longer followed.
    const childPath = path && allowedKeys(path)?.includes(key) ? [...path, key] : undefined;
    if (item !== null) {
      out.push([key, withoutNulls(item, childPath)]);
      continue;
    }
    const meaning = childPath ? nullMeaning(childPath) : 'keep';
    if (meaning === 'empty-mapping') out.push([key, {}]);
    else if (meaning === 'keep') out.push([key, null]);
  }
  return Object.fromEntries(out);
}

export function parseSettings(data: unknown, source: string, baseDir = process.cwd()): Settings {
  // jitless: one parse a synth; zod's compiled fast path (new Function on a schema's first parse) costs more than it saves.
  const result = settingsSchema.safeParse(data, { reportInput: true, jitless: true });
  if (result.success) {
    const problems = certificateFileProblems(result.data, baseDir);
    if (problems.length > 0) throw new SettingsError(source, problems);
    return result.data;
  }
  throw new SettingsError(
    source,
    result.error.issues.flatMap((issue) => toProblems(issue, data, unknownKeyMessage)),
  );
}
