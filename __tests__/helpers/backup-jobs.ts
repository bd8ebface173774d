import { parse } from 'yaml';
import { renderGateChart } from './gates';
import { resources, type TerraformJson } from './synth';

// RancherBackups' resources and the Jobs its backup-object releases print, as its tests read them (the construct's
// own, lib/rancher/rancher-backups.test.ts, and the app's stacks', app/stacks/backups.test.ts).

/** The resource of `type` whose name starts with `rancher-backups_<part>` (rancher-backups is the construct id). */
export function backupResource(json: TerraformJson, type: string, part: string): [string, any] | undefined {
  return Object.entries(resources(json, type)).find(([name]) => name.startsWith(`rancher-backups_${part}`));
}
/** backupResource, which must be there. */
export function requiredBackupResource(json: TerraformJson, type: string, part: string): [string, any] {
  const found = backupResource(json, type, part);
  if (!found) throw new Error(`no ${type} rancher-backups_${part}`);
  return found;
}
/** The Job a backup-object release of the gate chart prints, each Terraform expression left as `${expression}`. */
export const renderBackupJob = (release: any) => parse(renderGateChart(release.values[0], (expression) => `\${${expression}}`));
/** A Job's container environment, by name. */
export const jobEnv = (job: any): Record<string, string> =>
  Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
/** A Job's object with the Terraform references it carries replaced by a placeholder (they are names at apply time). */
export const jobObject = (job: any) => JSON.parse(jobEnv(job).OBJECT.replace(/\$\{[^}]+\}/g, 'ref'));
