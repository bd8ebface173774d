import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import type { BackendSettings } from '../config/settings-schema';
import { backendPartitionProblem } from './backend-partition';
import { localStatePath, STACK_PLACEHOLDER } from './local-state';

/**
 * Always an explicit backend: cdktf's implicit local backend writes the
 * absolute path of the machine that synthesized, which breaks the stack as a
 * standalone root module. The default local path is relative to the stack
 * directory (cdktf.out/stacks/<stack>) and lands in the project root, so
 * deleting cdktf.out never deletes state.
 */
export function configureBackend(stack: TerraformStack, stackName: string, settings: BackendSettings, region: string): void {
  if (settings.type === 'local') {
    new LocalBackend(stack, { path: localStatePath(stackName, settings) });
    return;
  }
  const problem = backendPartitionProblem(settings, region);
  if (problem !== undefined) throw new Error(`${stack.node.path}: backend.${problem.field} ${problem.message}`);
  const backend = new S3Backend(stack, {
    bucket: settings.bucket,
    key: settings.key.split(STACK_PLACEHOLDER).join(stackName),
    region: settings.region ?? region,
    encrypt: true,
    kmsKeyId: settings.kmsKeyId,
  });
  // S3-native locking (Terraform 1.10+); cdktf 0.21 has no typed field for it.
  backend.addOverride('use_lockfile', true);
}
