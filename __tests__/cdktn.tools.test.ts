import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeBinary } from './helpers/node-versions';
import { runBounded } from './helpers/subprocess';

// Every stack variant the tests know (scripts/synth-variants-entry.ts: STACK_VARIANTS and the rke-ha TLS pairs),
// synthesized once with the pinned cdktf 0.21.0 on the tests' Node.js and once with CDK Terrain, the maintained
// fork (cdktn 0.24.0, which needs Node.js >= 22.19: run on the Node 22 of helpers/node-versions.ts), with the app's
// imports mapped mechanically: `cdktf` is an npm alias of cdktn (`cdktf@npm:cdktn@0.24.0`, constructs 10.7.2 as
// cdktn asks), and the same @cdktf/provider-* bindings, which then extend cdktn's classes. No @cdktn provider
// package binds the provider versions package.json pins (docs/toolchain.md lists them), so the bindings stay.
// The only difference allowed is the `//` metadata's cdktf version, which names the library that synthesized.

const ROOT = join(__dirname, '..');
const MODULES = join(ROOT, 'node_modules');
const CDKTN = { cdktf: 'npm:cdktn@0.24.0', constructs: '10.7.2' } as const;
/** Where the scratch install is kept between runs (npm's cache keeps the tarballs: 4.8 MB installed). */
const CACHE = join(MODULES, '.cache', 'cdktn-0.24.0');
/** The packages the app needs besides cdktf and constructs: this checkout's, linked. */
const LINKED = ['aws', 'helm', 'http', 'kubernetes', 'random', 'tls'].map((p) => `@cdktf/provider-${p}`).concat(['yaml', 'zod']);

/** The runner: every variant's JSON text into `out`, and which cdktf it loaded. */
const RUNNER = `
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const out = process.argv[2];
mkdirSync(out, { recursive: true });
const { variants } = require('./variants.js');
for (const [name, text] of variants()) writeFileSync(join(out, name.replace(/[^A-Za-z0-9+.-]+/g, '_') + '.json'), text);
const cdktf = JSON.parse(require('node:fs').readFileSync(join(require.resolve('cdktf'), '..', '..', 'package.json'), 'utf8'));
const loaded = Object.keys(require.cache).filter((path) => /[\\\\/]node_modules[\\\\/]cdktf[\\\\/]/.test(path));
process.stdout.write(JSON.stringify({ cdktf: cdktf.name + '@' + cdktf.version, loaded: [...new Set(loaded.map((p) => p.split(/[\\\\/]node_modules[\\\\/]cdktf[\\\\/]/)[0]))] }));
`;

function installCdktn(): string {
  if (existsSync(join(CACHE, 'node_modules', 'cdktf', 'package.json'))) return CACHE;
  mkdirSync(dirname(CACHE), { recursive: true });
  const scratch = mkdtempSync(`${CACHE}.install-`);
  try {
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'cdktn-scratch', private: true }));
    const npm = runBounded(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--legacy-peer-deps',
        ...Object.entries(CDKTN).map(([name, spec]) => `${name}@${spec}`),
      ],
      { cwd: scratch },
    );
    if (npm.status !== 0) throw new Error(`npm could not install cdktn:\n${npm.stdout}${npm.stderr}`);
    for (const name of LINKED) {
      mkdirSync(dirname(join(scratch, 'node_modules', name)), { recursive: true });
      symlinkSync(join(MODULES, name), join(scratch, 'node_modules', name));
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

/** Synthesizes every variant with the cdktf that `dir`'s node_modules resolve, on `node`; returns the texts by file. */
function synthesizeIn(dir: string, node: string, args: string[]): { files: Record<string, string>; cdktf: string; loaded: string[] } {
  const run = mkdtempSync(join(dir, 'run-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild's API, as scripts/synth-variants.js uses it
    (require('esbuild') as typeof import('esbuild')).buildSync({
      entryPoints: [join(ROOT, 'scripts', 'synth-variants-entry.ts')],
      outfile: join(run, 'variants.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning',
      loader: { '.sh': 'text' },
      packages: 'external',
      absWorkingDir: ROOT,
    });
    writeFileSync(join(run, 'runner.js'), RUNNER);
    const result = runBounded(node, [...args, join(run, 'runner.js'), join(run, 'out')], { cwd: run });
    if (result.status !== 0) throw new Error(`the synth failed on ${node}:\n${result.stdout}${result.stderr}`);
    const files = Object.fromEntries(readdirSync(join(run, 'out')).map((f) => [f, readFileSync(join(run, 'out', f), 'utf8')]));
    return { files, ...(JSON.parse(result.stdout) as { cdktf: string; loaded: string[] }) };
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}

describe('on CDK Terrain (cdktn 0.24.0), mapped mechanically', () => {
  let cdktf: ReturnType<typeof synthesizeIn>;
  let cdktn: ReturnType<typeof synthesizeIn>;
  let scratch: string;
  beforeAll(() => {
    const node22 = nodeBinary('22');
    scratch = installCdktn();
    const here = join(MODULES, '.cache');
    cdktf = synthesizeIn(here, process.execPath, []);
    // --preserve-symlinks: the linked provider bindings resolve `cdktf` from the scratch folder (cdktn), not from
    // this checkout's node_modules where their files are.
    cdktn = synthesizeIn(scratch, node22, ['--preserve-symlinks']);
  });

  it('loads cdktn under the name cdktf, and never the pinned cdktf', () => {
    expect(cdktf.cdktf).toBe('cdktf@0.21.0');
    expect(cdktn.cdktf).toBe('cdktn@0.24.0');
    expect(cdktn.loaded).toEqual([scratch]);
    expect(cdktf.loaded).toEqual([ROOT]);
  });

  it('synthesizes every variant byte-identical but for the metadata version that names the library', () => {
    const names = Object.keys(cdktf.files).sort();
    expect(names.length).toBeGreaterThanOrEqual(49);
    expect(Object.keys(cdktn.files).sort()).toEqual(names);
    for (const name of names) {
      const [a, b] = [cdktf.files[name], cdktn.files[name]];
      const meta = (text: string) => (JSON.parse(text) as { '//': { metadata: { version: string } } })['//'].metadata.version;
      expect({ name, versions: [meta(a), meta(b)] }).toEqual({ name, versions: ['0.21.0', '0.24.0'] });
      // The first "version" of the file is the metadata's (the `//` block comes first).
      expect({ name, same: b.replace('"version": "0.24.0"', '"version": "0.21.0"') === a }).toEqual({ name, same: true });
    }
  });
});
