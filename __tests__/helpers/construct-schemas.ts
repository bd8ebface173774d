import type { ZodObject } from 'zod';
import { rancherOnDockerSchema, rancherOnExistingClusterSchema, rancherOnRkeSchema } from '../../lib/config/deployment-schema';
import { toProblems, type UnknownKeyMessage } from '../../lib/config/problems';

/**
 * The three constructs' schemas beside the settings file's (lib/config/deployment-schema.test.ts and
 * app/config/settings-schema/deployment-schemas.test.ts): the deployment's fields each takes, and its own section.
 */
export const SHARED = ['name', 'region', 'dns', 'adminCidrs', 'proxy', 'airGap', 'vpc', 'versions', 'rancher', 'timeouts', 'backups', 'alarms'];
export const CONSTRUCTS: [string, ZodObject, string[], 'rkeHa' | 'k8sHa' | 'docker'][] = [
  ['RancherOnRke', rancherOnRkeSchema, SHARED, 'rkeHa'],
  ['RancherOnExistingCluster', rancherOnExistingClusterSchema, SHARED.filter((key) => !['dns', 'adminCidrs', 'vpc'].includes(key)), 'k8sHa'],
  ['RancherOnDocker', rancherOnDockerSchema, SHARED, 'docker'],
];
export const SECTION_OF = new Map(CONSTRUCTS.map(([, schema, , section]) => [schema, section]));
/**
 * Top-level sections of the settings file a construct takes as props of its own, after its section's fields:
 * `standby` (lib/config/standby-schema.ts; rke-ha and k8s-ha replicate), but its file-only `k8sHa`.
 */
export const FILE_SECTIONS_OF: Readonly<Record<string, readonly string[]>> = {
  RancherOnRke: ['standby'],
  RancherOnExistingCluster: ['standby'],
};

/**
 * The problems a schema refuses `input` (settings-file form) with, as a person reads them (field and message): a
 * construct's schema is given the input as its props would be, its section's fields flat beside the others; an
 * unknown key is told in `unknownKey`'s words.
 */
export function schemaProblems(schema: ZodObject, input: Record<string, unknown>, unknownKey: UnknownKeyMessage): string[] {
  const section = SECTION_OF.get(schema);
  const { [section ?? '']: own, ...rest } = input;
  const given = section ? { ...rest, ...(own as object) } : input;
  const result = schema.safeParse(given, { reportInput: true });
  return result.success ? [] : result.error.issues.flatMap((issue) => toProblems(issue, given, unknownKey)).map((p) => `${p.field}: ${p.message}`);
}
