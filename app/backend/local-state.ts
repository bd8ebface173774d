import { chmodSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BackendSettings } from '../config/settings-schema';

/**
 * Local state files, without cdktf: main.ts uses this after the synth, and
 * loads no provider code for it.
 */

/** Replaced by the stack id in `backend.path` and `backend.key`, so each stack has a state of its own. */
export const STACK_PLACEHOLDER = '<stack>';

/** The local state path of a stack, relative to its directory (cdktf.out/stacks/<stack>). */
export function localStatePath(stackName: string, settings: Extract<BackendSettings, { type: 'local' }>): string {
  return (settings.path ?? `../../../terraform.${STACK_PLACEHOLDER}.tfstate`).split(STACK_PLACEHOLDER).join(stackName);
}

/**
 * Where the default local state lands when the output directory is not a
 * folder directly in the working directory (CDKTF_OUTDIR elsewhere, or
 * nested): `backend.path`'s default climbs three folders from each stack's
 * folder, so `CDKTF_OUTDIR=/tmp/out` would keep the state in /tmp, which
 * outlives no reboot. A warning naming the folder; undefined when the state
 * lands in the working directory, or `backend.path` or S3 says where.
 */
export function defaultStateLocationWarning(outdir: string, settings: BackendSettings, cwd = process.cwd()): string | undefined {
  if (settings.type !== 'local' || settings.path !== undefined) return undefined;
  const folder = dirname(resolve(cwd, outdir, 'stacks', STACK_PLACEHOLDER, localStatePath(STACK_PLACEHOLDER, settings)));
  if (folder === resolve(cwd)) return undefined;
  return `the local state files (terraform.<stack>.tfstate) go to ${folder}, not to ${resolve(cwd)}: backend.path's default is relative to each stack's folder (${outdir}/stacks/<stack>), and the output directory (CDKTF_OUTDIR) is not a folder directly in this one. Set backend.path (or use backend.type s3) to keep the state where you mean to, or synthesize into ./cdktf.out`;
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
          warnings.push(
            `${file} is readable by others and could not be changed (${(chmodError as NodeJS.ErrnoException).code}); it holds secrets: chmod 600 it`,
          );
        }
      }
    }
  }
  return warnings;
}
