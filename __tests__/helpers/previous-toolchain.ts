import { existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SettingsInput } from '../../app/config/settings-schema';
import { nodeBinary } from './node-versions';
import { runBounded } from './subprocess';
import type { TerraformJson } from './synth';
import type { StackName } from './variants';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle options the product's build uses, CommonJS
const { ESBUILD_NODE } = require('../../scripts/esbuild-options.js') as { ESBUILD_NODE: import('esbuild').BuildOptions };

// The toolchain this checkout left for CDK Terrain's core and bindings, installed into a scratch folder, so the tools
// tier can synthesize what a deployment made before was made from: cdktf 0.21.0 with @cdktf/provider-aws 21.22.1 and
// @cdktf/provider-random 12.0.1 (AWS 6.25.0, random 3.7.2), the code's two @cdktn import prefixes mapped back
// mechanically (esbuild's alias), the other four bindings this checkout's (linked, run with --preserve-symlinks so
// they load the scratch folder's cdktf).

const ROOT = join(__dirname, '..', '..');
const MODULES = join(ROOT, 'node_modules');
export const PREVIOUS = { cdktf: '0.21.0', '@cdktf/provider-aws': '21.22.1', '@cdktf/provider-random': '12.0.1', constructs: '10.7.2' } as const;
/** Where the scratch install is kept between runs (npm's cache keeps the tarballs). */
const CACHE = join(MODULES, '.cache', 'cdktf-0.21.0-providers');
/** The packages the app needs besides those: this checkout's, linked. */
const LINKED = ['helm', 'http', 'kubernetes', 'tls'].map((p) => `@cdktf/provider-${p}`).concat(['yaml', 'zod']);
/** The mechanical mapping back: the code's @cdktn bindings, the @cdktf ones they replaced. */
export const MAPPED_BACK = { '@cdktn/provider-aws': '@cdktf/provider-aws', '@cdktn/provider-random': '@cdktf/provider-random' };

/** The scratch folder holding the previous toolchain, installed on first use. */
export function installPrevious(): string {
  if (existsSync(join(CACHE, 'node_modules', 'cdktf', 'package.json'))) return CACHE;
  mkdirSync(dirname(CACHE), { recursive: true });
  const scratch = mkdtempSync(`${CACHE}.install-`);
  try {
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'previous-toolchain-scratch', private: true }));
    const npm = runBounded(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--legacy-peer-deps',
        ...Object.entries(PREVIOUS).map(([name, spec]) => `${name}@${spec}`),
      ],
      { cwd: scratch },
    );
    if (npm.status !== 0) throw new Error(`npm could not install cdktf 0.21.0 and its bindings:\n${npm.stdout}${npm.stderr}`);
    for (const name of LINKED) {
      mkdirSync(dirname(join(scratch, 'node_modules', name)), { recursive: true });
      // To the folder itself: a worktree whose node_modules links to another checkout's shares this cache with it, and
      // a link through the worktree's path would dangle once the worktree is removed.
      symlinkSync(join(realpathSync(MODULES), name), join(scratch, 'node_modules', name));
    }
    try {
      renameSync(scratch, CACHE);
    } catch (error) {
      if (!existsSync(join(CACHE, 'node_modules', 'cdktf', 'package.json'))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return CACHE;
}

/** The default rke-ha, k8s-ha and docker stacks with `input`, synthesized on the previous toolchain (Node 22). */
export function synthDefaultsBefore(input: SettingsInput): Record<StackName, TerraformJson> {
  const scratch = installPrevious();
  const run = mkdtempSync(join(scratch, 'run-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild's API, as scripts/synth-variants.js uses it
    (require('esbuild') as typeof import('esbuild')).buildSync({
      entryPoints: { entry: join(__dirname, 'previous-toolchain-entry.ts') },
      outdir: run,
      bundle: true,
      ...ESBUILD_NODE,
      packages: 'external',
      alias: MAPPED_BACK,
      absWorkingDir: ROOT,
    });
    writeFileSync(join(run, 'runner.js'), "process.stdout.write(JSON.stringify(require('./entry.js').synthDefaults(JSON.parse(process.argv[2]))));");
    const result = runBounded(nodeBinary('22'), ['--preserve-symlinks', join(run, 'runner.js'), JSON.stringify(input)], { cwd: run });
    if (result.status !== 0) throw new Error(`the synth on the previous toolchain failed:\n${result.stdout}${result.stderr}`);
    return JSON.parse(result.stdout) as Record<StackName, TerraformJson>;
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}
