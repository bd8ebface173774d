import type { SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { runBounded } from './subprocess';
import { testEnv } from './test-env';

const ROOT = join(__dirname, '..', '..');

/** A stack trace line in a person's terminal: the app must never print one for bad settings. */
export const STACK_TRACE_LINE = /^ {4}at /m;

/** Beside the other build caches in node_modules/.cache. */
const APP = join(ROOT, 'node_modules', '.cache', 'rancher-test-app');
// scripts/build.js is plain CommonJS: its freshness check is the one `npm run synth` uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
const { appIsFresh } = require('../../scripts/build.js') as { appIsFresh(out: string): boolean };

let checked = false;

/**
 * The app bundle as `cdktf synth` runs it (cdktf.json: scripts/synth.js,
 * which rebuilds dist/app/main.js when stale), kept in node_modules/.cache and
 * rebuilt by the same freshness check. global-setup.js builds it before the
 * workers start, so the test files that run it side by side only read it.
 */
export function compiledMain(): string {
  if (!checked && !appIsFresh(APP)) {
    const build = runBounded(process.execPath, [join(ROOT, 'scripts', 'build.js'), 'app', APP]);
    if (build.status !== 0) throw new Error(`the app build failed:\n${build.stdout}${build.stderr}`);
  }
  checked = true;
  return join(APP, 'main.js');
}

/**
 * Runs the app from `cwd` with the caller's environment minus anything that
 * could steer it from outside the test (test-env.ts: RANCHER_CONFIG, RANCHER_DEBUG, every CDKTF_* and TF_*),
 * plus `env`; with `node`, on that Node.js binary.
 */
export function runApp(cwd: string, env: Record<string, string> = {}, node = process.execPath): SpawnSyncReturns<string> {
  const result = runBounded(node, [compiledMain()], { cwd, env: testEnv(env) });
  if (result.error) throw result.error;
  return result;
}
