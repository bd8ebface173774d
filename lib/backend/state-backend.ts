import { chmodSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import type { BackendSettings } from '../config/schema';

/** Replaced by the stack id in `backend.path` and `backend.key`, so each stack has a state of its own. */
export const STACK_PLACEHOLDER = '<stack>';

/** The local state path of a stack, relative to its directory (cdktf.out/stacks/<stack>). */
export function localStatePath(stackName: string, settings: Extract<BackendSettings, { type: 'local' }>): string {
  return (settings.path ?? `../../../terraform.${STACK_PLACEHOLDER}.tfstate`).split(STACK_PLACEHOLDER).join(stackName);
}

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

const OWNER_ONLY = 0o600;

/**
 * Local state holds every generated secret (CA keys, join token, admin client
 * key, passwords) in plain text, and Terraform creates the file with the
 * umask's mode, usually world-readable. Terraform keeps the mode of a file
 * that exists (and reads an empty one as "no state yet"), so after a synth
 * each stack's state file and its `.backup` exist with mode 0600: created
 * empty when missing, narrowed when wider. Nothing happens with the S3
 * backend or when the state's folder does not exist. Returns warnings for
 * files it could not protect.
 */
export function protectLocalState(outdir: string, stackNames: readonly string[], settings: BackendSettings, cwd = process.cwd()): string[] {
  if (settings.type !== 'local') return [];
  const warnings: string[] = [];
  for (const stackName of stackNames) {
    const state = resolve(cwd, outdir, 'stacks', stackName, localStatePath(stackName, settings));
    for (const file of [state, `${state}.backup`]) {
      try {
        if (!statSync(dirname(file)).isDirectory()) continue;
      } catch {
        continue;
      }
      try {
        // O_EXCL: never follow or truncate anything that appeared meanwhile; O_NONBLOCK: never wait on a FIFO.
        closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NONBLOCK ?? 0), OWNER_ONLY));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          warnings.push(`could not create ${file} readable by its owner only (${(error as NodeJS.ErrnoException).code}); it will hold secrets`);
          continue;
        }
        try {
          const stats = statSync(file);
          if (stats.isFile() && (stats.mode & 0o077) !== 0) chmodSync(file, stats.mode & 0o700 & ~0o100);
        } catch (chmodError) {
          warnings.push(`${file} is readable by others and could not be changed (${(chmodError as NodeJS.ErrnoException).code}); it holds secrets: chmod 600 it`);
        }
      }
    }
  }
  return warnings;
}
