import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { arnRegion } from './aws';
import type { ModuleState, StateResource } from './terraform';

/** The stacks the app synthesizes (stacks/). */
export const STACKS = ['rke-ha', 'k8s-ha', 'docker'] as const;

/**
 * The synthesized root module an operation drives: `cdktf.out/stacks/<stack>`
 * under the current directory, or the folder a pipeline names with `--dir`.
 */
export function moduleFolder(stack: string | undefined, dir: string | undefined, cwd = process.cwd()): string {
  if (dir !== undefined) {
    const folder = resolve(cwd, dir);
    if (!isModule(folder)) throw new Error(`--dir ${dir}: no synthesized module there (no cdk.tf.json or cdk.tf in ${folder}).`);
    return folder;
  }
  if (stack === undefined) throw new Error(`Name the stack (${STACKS.join(', ')}) or the module folder with --dir <folder>.`);
  if (!(STACKS as readonly string[]).includes(stack))
    throw new Error(`Unknown stack '${stack}': the stacks are ${STACKS.join(', ')} (or give --dir <folder>).`);
  const folder = resolve(cwd, 'cdktf.out', 'stacks', stack);
  if (!isModule(folder)) throw new Error(`${folder} holds no synthesized module: run \`npm run synth\` first (or give --dir <folder>).`);
  return folder;
}

function isModule(folder: string): boolean {
  return existsSync(folder) && statSync(folder).isDirectory() && (existsSync(join(folder, 'cdk.tf.json')) || existsSync(join(folder, 'cdk.tf')));
}

/**
 * A setting the deployment guard recorded at the first apply (terraform_data.deployment-guard_record-<setting>_<hash>,
 * or `<construct path>_deployment-guard_record-...` where a library user gave the deployment an id of their own).
 * Undefined when no record says, or when records of two deployments disagree.
 */
export function recorded(state: ModuleState, setting: string): string | undefined {
  const pattern = new RegExp(`(^|_)deployment-guard_record-${setting.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(_[0-9A-F]{8})?$`);
  const values = new Set(
    state.resources
      .filter((r) => r.type === 'terraform_data' && pattern.test(r.name))
      .map((r) => {
        const input = r.attributes.input;
        return typeof input === 'string' ? input : (input as { value?: unknown } | undefined)?.value?.toString();
      })
      .filter((value): value is string => value !== undefined),
  );
  return values.size === 1 ? [...values][0] : undefined;
}

/** The deployment's name (the `name` setting, as recorded), or undefined: the one place the operations look it up. */
export function recordedName(state: ModuleState): string | undefined {
  return recorded(state, 'name');
}

/** The deployment's name (the `name` setting, as recorded), for the confirmation. */
export function deploymentName(state: ModuleState, fallback: string): string {
  return recordedName(state) ?? fallback;
}

/** The deployment's region: as recorded, else from any ARN in the state. */
export function deploymentRegion(state: ModuleState): string | undefined {
  const fromRecord = recorded(state, 'region');
  if (fromRecord) return fromRecord;
  for (const r of state.resources) {
    const arn = r.attributes.arn;
    if (typeof arn === 'string' && arnRegion(arn)) return arnRegion(arn);
  }
  return undefined;
}

/** The managed resources of one type. */
export function managed(state: ModuleState, type: string): StateResource[] {
  return state.resources.filter((r) => r.mode === 'managed' && r.type === type);
}
