import type { BackendSettings } from '../config/settings-schema';
import { escapeTemplate, hclString } from '../../lib/common/terraform-template';
import { localStatePath } from './local-state';

/** A plan-time condition of the stack's outputs (output `precondition`). */
export interface OutputCondition {
  readonly condition: string;
  readonly errorMessage: string;
}

/**
 * The local state path is relative to the folder Terraform runs in, so a copy
 * of the stack's folder elsewhere (a pipeline's workspace) would plan from an
 * empty state, a second deployment beside the first. Every synth creates the
 * state file and its `.backup` beside each other (protectLocalState);
 * Terraform's lock creates the state file itself while it plans, but never
 * the `.backup`, so its absence means "not where the synth left the state".
 * Checked on an output: a precondition there adds nothing to the plan of an
 * existing deployment, and a failed one stops the plan before anything is
 * created. None with the S3 backend.
 */
export function localStateGuard(stackName: string, settings: BackendSettings): OutputCondition | undefined {
  if (settings.type !== 'local') return undefined;
  const path = localStatePath(stackName, settings);
  return {
    // path.module (the folder itself, ".") both anchors the path and gives the condition the reference Terraform requires.
    condition: `\${fileexists("\${path.module}/${hclString(`${path}.backup`).slice(1)})}`,
    errorMessage: escapeTemplate(
      `No local state beside this folder: ${path}.backup, which the synth creates next to the state file ${path}, does not exist. ` +
        'This folder was moved or copied away from where it was synthesized, and a plan here would start from an empty state (a second deployment). ' +
        'Run Terraform in the synthesized folder (or synthesize again where you run it), or use backend.type s3 for a pipeline.',
    ),
  };
}
