import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the acceptance and drill tools tests read of a run the CLI made in a fake cloud's folder. */

/** The folder of the one acceptance run the CLI made in `dir` (`acceptance.out/<run id>`). */
export function runDir(c: { readonly dir: string }): string {
  const root = join(c.dir, 'acceptance.out');
  const [id] = readdirSync(root);
  return join(root, id);
}

/** The acceptance run's report.json. */
export const reportOf = (c: { readonly dir: string }): any => JSON.parse(readFileSync(join(runDir(c), 'report.json'), 'utf8'));

/** A report's phases, each with its status (`{ deploy: 'passed', ... }`). */
export const statuses = (report: any): Record<string, string> => Object.fromEntries(report.phases.map((p: any) => [p.phase, p.status]));
