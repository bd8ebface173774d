import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const RUN_TIMEOUT_MS = 60_000;

/** A stack trace line in a person's terminal: the app must never print one for bad settings. */
export const STACK_TRACE_LINE = /^ {4}at /m;

const CACHE = join(ROOT, 'node_modules', '.cache');
const PREFIX = 'rancher-test-dist-';

/** A digest of everything the build reads: main.ts, lib/, stacks/ and the build script. */
function sourceDigest(): string {
  const hash = createHash('sha256');
  const files = ['main.ts', 'scripts/build.js', 'package-lock.json', ...['lib', 'stacks'].flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true }).map((f) => join(dir, String(f))))];
  for (const file of files.sort()) {
    if (!/\.(ts|js|sh|json)$/.test(file)) continue;
    hash.update(file).update('\0').update(readFileSync(join(ROOT, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

let built: string | undefined;

/**
 * The app bundle as `cdktf synth` runs it (cdktf.json: scripts/synth.js,
 * which builds dist/app/main.js when stale), built into node_modules/.cache
 * once per version of the sources: test files running in parallel share it
 * (each builds into a folder of its own and renames it into place), and it
 * resolves the packages it leaves out (archiver) from there as dist/ does.
 */
export function compiledMain(): string {
  if (built === undefined) {
    const digest = sourceDigest();
    const out = join(CACHE, PREFIX + digest);
    if (!existsSync(join(out, 'main.js'))) {
      const scratch = `${out}.${process.pid}`;
      const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js'), 'app', scratch], { encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`the app build failed:\n${build.stdout}${build.stderr}`);
      try {
        renameSync(scratch, out);
      } catch {
        rmSync(scratch, { recursive: true, force: true }); // another test file got there first
      }
      for (const old of readdirSync(CACHE).filter((name) => name.startsWith(PREFIX) && !name.startsWith(PREFIX + digest))) {
        rmSync(join(CACHE, old), { recursive: true, force: true });
      }
    }
    built = join(out, 'main.js');
  }
  return built;
}

/**
 * Runs the app from `cwd` with the caller's environment minus anything that
 * could steer where settings come from or where output goes (RANCHER_CONFIG
 * unless `env` sets it, every CDKTF_*), plus `env`.
 */
export function runApp(cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  if (!('RANCHER_CONFIG' in env)) delete merged.RANCHER_CONFIG;
  for (const key of Object.keys(merged)) if (key.startsWith('CDKTF_') && !(key in env)) delete merged[key];
  const result = spawnSync(process.execPath, [compiledMain()], { cwd, env: merged, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  if (result.error) throw result.error;
  return result;
}
