import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where cdktf writes the stacks: what `App` itself chooses (CDKTF_OUTDIR, set by the cdktf CLI, or cdktf.out). */
export function outputDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.CDKTF_OUTDIR || 'cdktf.out';
}

/**
 * Why the output directory cannot be written, checked before anything is
 * synthesized: a file in its place, a missing parent, no write permission.
 * Undefined when it looks writable (the synth may still fail, e.g. disk full).
 */
export function outputDirectoryProblem(outdir: string, cwd = process.cwd()): string | undefined {
  const path = resolve(cwd, outdir);
  try {
    const stats = statSync(path);
    if (!stats.isDirectory()) return `${outdir} exists and is not a directory; move it away or set CDKTF_OUTDIR`;
    accessSync(path, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return `${outdir} is not writable`;
    if (code === 'ENOTDIR') return `a part of ${outdir} is a file, not a directory`;
    if (code !== 'ENOENT') return `${outdir} cannot be used (${code ?? 'unknown error'})`;
  }
  // cdktf creates only the last level.
  const parent = dirname(path);
  try {
    if (!statSync(parent).isDirectory()) return `the parent of ${outdir} is not a directory`;
    accessSync(parent, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `the parent directory of ${outdir} does not exist`;
    return `${outdir} cannot be created here (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'unknown error')})`;
  }
}

const OUTPUT_ERRORS = new Set(['EACCES', 'EPERM', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOENT', 'ENOSPC', 'EROFS', 'EDQUOT', 'EMFILE']);

/** A file-system error while writing the output (rather than a bug): its one-line description. */
export function outputWriteProblem(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || !OUTPUT_ERRORS.has(e.code) || typeof e.syscall !== 'string') return undefined;
  return `${e.syscall} failed with ${e.code}${e.path ? ` for ${e.path}` : ''}`;
}
