import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stateFilePath } from './state-file';
import type { ModuleState } from './terraform';

/**
 * The deployment's cluster-admin kubeconfig (its state's output) in a file of this process, its owner's only, beside
 * the roll's state file (where the roll and the rotations have always written it).
 */
export function writeKubeconfig(dir: string, state: ModuleState): string {
  const value = state.outputs.kubeconfig?.value;
  if (typeof value !== 'string')
    throw new Error('The state has no kubeconfig output: the roll needs the cluster-admin kubeconfig the deployment made.');
  const path = join(dirname(stateFilePath(dir, 'roll')), `kubeconfig-${process.pid}`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, value, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
