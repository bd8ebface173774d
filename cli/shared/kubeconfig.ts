import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stateFilePath } from './state-file';
import type { ModuleState } from './terraform';

/** The cluster-admin kubeconfigs this process wrote, removed when it exits whichever way it does. */
const written = new Set<string>();

/**
 * Removes what is left of them: the commands remove theirs when they end, but a second Ctrl-C (stopAfterStep) or a
 * signal's third (stopOnSignals) leaves with process.exit, whose 'exit' handlers run (synchronously) where a finally
 * block does not. Only a SIGKILL leaves one, in its owner's folder, readable by its owner alone.
 */
function removeWritten(): void {
  for (const path of written) rmSync(path, { force: true });
}

/**
 * The deployment's cluster-admin kubeconfig (its state's output) in a file of this process, its owner's only, beside
 * the roll's state file (where the roll and the rotations have always written it); removed at the process's exit at
 * the latest.
 */
export function writeKubeconfig(dir: string, state: ModuleState): string {
  const value = state.outputs.kubeconfig?.value;
  if (typeof value !== 'string')
    throw new Error('The state has no kubeconfig output: the roll needs the cluster-admin kubeconfig the deployment made.');
  const path = join(dirname(stateFilePath(dir, 'roll')), `kubeconfig-${process.pid}`);
  mkdirSync(dirname(path), { recursive: true });
  if (written.size === 0) process.once('exit', removeWritten);
  written.add(path);
  writeFileSync(path, value, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
