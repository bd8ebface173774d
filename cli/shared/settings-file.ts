import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { DEPLOYMENT_TAG } from '../../lib/common/deployment-record-format';

// Production's settings file, as the drill and the acceptance run (`--settings`) read it to shape a throwaway.

/** The settings file the app reads: RANCHER_CONFIG, else rancher.yaml in the working directory (app/config/load.ts). */
export function productionSettingsPath(env: Readonly<Record<string, string | undefined>> = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.RANCHER_CONFIG || 'rancher.yaml');
}

/** The settings file's largest size the app reads (MAX_SETTINGS_FILE_BYTES in app/config/settings-file.ts). */
const MAX_BYTES = 128 * 1024;

/**
 * Production's settings as plain data: the file the app would read, parsed as the app parses it (YAML 1.2, core
 * schema, no merge keys, no aliases). No file: every default, as for the app. Validation is the app's: the
 * throwaway's synth reports any problem in what this returns.
 */
export function readProductionSettings(path: string): Record<string, unknown> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !process.env.RANCHER_CONFIG) return {};
    throw new Error(`The settings file ${path} cannot be read (${(error as NodeJS.ErrnoException).code}).`, { cause: error });
  }
  if (size > MAX_BYTES) throw new Error(`The settings file ${path} is larger than the ${MAX_BYTES / 1024} KiB the app reads.`);
  const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: false, logLevel: 'error', schema: 'core', merge: false, version: '1.2' });
  if (doc.errors.length > 0) throw new Error(`The settings file ${path} is not valid YAML: run \`npm run synth\` for the details.`);
  const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`The settings file ${path} does not hold a mapping of settings.`);
  return value as Record<string, unknown>;
}

/**
 * The tags of what an operations command writes itself beside a deployment (an SSM parameter, no Terraform resource):
 * the settings file's `tags` section (string values only, as the stacks' providers put them in `default_tags`) and
 * DEPLOYMENT_TAG naming the deployment (`<name>-<stack>`), as its Terraform resources carry them: found by the same
 * tags (the acceptance run's sweep looks for its run's).
 */
export function operationTags(tags: unknown, deployment: string): Record<string, string> {
  const own = !tags || typeof tags !== 'object' ? [] : Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string');
  return { ...Object.fromEntries(own), [DEPLOYMENT_TAG]: deployment };
}
