import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { nodeBinary } from './helpers/node-versions';
import { runBounded } from './helpers/subprocess';

// The app's output on the pinned cdktf 0.21.0 (on the tests' Node.js) and on CDK Terrain, the maintained fork
// (cdktn 0.24.0, whose CLI asks for Node.js >= 22.19: run on the Node 22 of helpers/node-versions.ts), with the app's
// imports mapped mechanically: `cdktf` is an npm alias of cdktn (`cdktf@npm:cdktn@0.24.0`, constructs 10.7.2 as
// cdktn asks), and the same @cdktf/provider-* bindings, which then extend cdktn's classes. What is compared is what
// a user gets, file by file and byte for byte: the app itself (main.ts, bundled with its packages left external)
// run as `cdktf synth` and `cdktf synth --hcl` run it, and every stack variant the tests know
// (helpers/cdktn-synth-entry.ts: App.synth, then the folder left as JSON or HCL as the app leaves it). Each file
// that differs must be explained by one of the causes below, and the test names which file differs by which.

const ROOT = join(__dirname, '..');
const MODULES = join(ROOT, 'node_modules');
const CDKTN = { cdktf: 'npm:cdktn@0.24.0', constructs: '10.7.2' } as const;
/** Where the scratch install is kept between runs (npm's cache keeps the tarballs: 4.8 MB installed). */
const CACHE = join(MODULES, '.cache', 'cdktn-0.24.0');
/** The packages the app needs besides cdktf and constructs: this checkout's, linked. */
const LINKED = ['aws', 'helm', 'http', 'kubernetes', 'random', 'tls'].map((p) => `@cdktf/provider-${p}`).concat(['yaml', 'zod']);

/**
 * Why a file of cdktn's differs from cdktf's, each the only change that undoing makes them byte-identical:
 * - version: the `version` cdktf writes into the `//` metadata of cdk.tf.json (and so of the HCL folder's
 *   metadata.json, lib/synth/stack-output.ts hclMetadata) and into manifest.json names the library that
 *   synthesized, 0.21.0 or 0.24.0. Terraform reads neither.
 * - empty-containers: cdk.tf.json is written by cdktf 0.21.0 with json-stable-stringify 1.3.0 (lib/synthesize/
 *   synthesizer.js), which lays out an empty object or list over two lines (`{` newline `}`), and by cdktn 0.24.0
 *   with safe-stable-stringify 2.5.0, which writes `{}` and `[]`. The same JSON once parsed.
 */
type Cause = 'version' | 'empty-containers';
const CAUSES: readonly (readonly Cause[])[] = [['version'], ['empty-containers'], ['version', 'empty-containers']];
const undo: Record<Cause, { cdktf: (t: string) => string; cdktn: (t: string) => string }> = {
  // The first `"version": ` of each of these files is the metadata's (the `//` block sorts first; manifest.json's
  // stacks hold none); that it is the metadata's is checked on the parsed files too.
  version: { cdktf: (t) => t, cdktn: (t) => t.replace('"version": "0.24.0"', '"version": "0.21.0"') },
  'empty-containers': { cdktf: (t) => t.replace(/\{\n *\}/g, '{}').replace(/\[\n *\]/g, '[]'), cdktn: (t) => t },
};

/** The causes that, undone, make cdktn's text cdktf's; undefined when none does (an unexplained difference). */
function causesOf(cdktf: string, cdktn: string): readonly Cause[] | undefined {
  return CAUSES.find((causes) => {
    const [a, b] = causes.reduce(([x, y], cause) => [undo[cause].cdktf(x), undo[cause].cdktn(y)], [cdktf, cdktn]);
    return a === b;
  });
}

/** The runner: every variant's folders into `out/variants`, and which cdktf and which JSON serializer it loaded. */
const RUNNER = `
const { join } = require('node:path');
const count = require('./variants.js').synthVariantFolders(join(process.argv[2], 'variants'));
const cdktf = JSON.parse(require('node:fs').readFileSync(join(require.resolve('cdktf'), '..', '..', 'package.json'), 'utf8'));
const paths = Object.keys(require.cache);
const loaded = paths.filter((path) => /[\\\\/]node_modules[\\\\/]cdktf[\\\\/]/.test(path));
const serializers = paths.flatMap((path) => /[\\\\/]node_modules[\\\\/]((json|safe)-stable-stringify)[\\\\/]/.exec(path)?.[1] ?? []);
process.stdout.write(JSON.stringify({
  count,
  cdktf: cdktf.name + '@' + cdktf.version,
  loaded: [...new Set(loaded.map((p) => p.split(/[\\\\/]node_modules[\\\\/]cdktf[\\\\/]/)[0]))],
  serializers: [...new Set(serializers)],
}));
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

/** Every file under `dir`, by its path from `dir`. */
function filesIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'utf8')]),
  );
}

interface Synthesized {
  /** Every file written: `app/json/...`, `app/hcl/...` (the app's cdktf.out), `variants/{json,hcl}/<variant>/...`. */
  readonly files: Record<string, string>;
  /** What the app printed, per format. */
  readonly printed: Record<string, { code: number | null; out: string; err: string }>;
  readonly count: number;
  readonly cdktf: string;
  readonly loaded: string[];
  readonly serializers: string[];
}

/** The app and every variant synthesized with the cdktf that `dir`'s node_modules resolve, on `node`. */
function synthesizeIn(dir: string, node: string, args: string[]): Synthesized {
  const run = mkdtempSync(join(dir, 'run-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild's API, as scripts/synth-variants.js uses it
    (require('esbuild') as typeof import('esbuild')).buildSync({
      entryPoints: { variants: join(__dirname, 'helpers', 'cdktn-synth-entry.ts'), app: join(ROOT, 'main.ts') },
      outdir: run,
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
    // The app as `cdktf synth [--hcl]` runs it (cdktf.json's app, scripts/synth.js): in a folder of its own, into
    // the default cdktf.out, the format in SYNTH_HCL_OUTPUT as the CLI passes it, the settings all defaults.
    const printed: Synthesized['printed'] = {};
    for (const format of ['json', 'hcl']) {
      const cwd = join(run, `app-${format}`);
      mkdirSync(cwd);
      const env: NodeJS.ProcessEnv = { ...process.env, RANCHER_CONFIG: join(__dirname, 'fixtures', 'empty-settings.yaml') };
      delete env.CDKTF_OUTDIR;
      delete env.SYNTH_HCL_OUTPUT;
      const app = runBounded(node, [...args, join(run, 'app.js')], {
        cwd,
        env: { ...env, ...(format === 'hcl' ? { SYNTH_HCL_OUTPUT: 'true' } : {}) },
      });
      printed[format] = { code: app.status, out: app.stdout, err: app.stderr };
    }
    const files = Object.fromEntries([
      ...Object.entries(filesIn(join(run, 'out'))),
      ...['json', 'hcl'].flatMap((format) =>
        Object.entries(filesIn(join(run, `app-${format}`, 'cdktf.out'))).map(([path, text]) => [join('app', format, path), text]),
      ),
    ]);
    return { files, printed, ...(JSON.parse(result.stdout) as Omit<Synthesized, 'files' | 'printed'>) };
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}

/** A file's path with the variant's folder as `*` (the causes hold across the variants). */
const shape = (path: string) => path.replace(/^variants\/(json|hcl)\/[^/]+\//, 'variants/$1/*/');

/** The `version` fields the `version` cause covers, set to one value: the parsed files are then equal. */
function withoutVersion(path: string, text: string): unknown {
  const value = JSON.parse(text) as Record<string, any>;
  if (path.endsWith('manifest.json')) value.version = 'x';
  else value['//'].metadata.version = 'x';
  return value;
}

describe('on CDK Terrain (cdktn 0.24.0), mapped mechanically', () => {
  let cdktf: Synthesized;
  let cdktn: Synthesized;
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

  it('loads cdktn under the name cdktf, and never the pinned cdktf; each with its own JSON serializer', () => {
    expect(cdktf.cdktf).toBe('cdktf@0.21.0');
    expect(cdktn.cdktf).toBe('cdktn@0.24.0');
    expect(cdktn.loaded).toEqual([scratch]);
    expect(cdktf.loaded).toEqual([ROOT]);
    expect(cdktf.serializers).toEqual(['json-stable-stringify']);
    expect(cdktn.serializers).toEqual(['safe-stable-stringify']);
  });

  it('the app prints the same, and writes the same files: JSON and HCL, every stack, every variant', () => {
    expect(cdktf.printed.json.code).toBe(0);
    expect(cdktf.printed.hcl.code).toBe(0);
    expect(cdktn.printed).toEqual(cdktf.printed);
    expect(cdktf.count).toBeGreaterThanOrEqual(49);
    expect(cdktn.count).toBe(cdktf.count);
    const paths = Object.keys(cdktf.files).sort();
    expect(Object.keys(cdktn.files).sort()).toEqual(paths);
    // Every variant's folder in both formats, and the app's three stacks in both.
    expect(paths.filter((p) => p.endsWith('cdk.tf.json')).length).toBe(cdktf.count + 3);
    expect(paths.filter((p) => p.endsWith('/cdk.tf')).length).toBe(cdktf.count + 3);
  });

  it('differs only in the version strings (JSON and HCL) and, in cdk.tf.json, the layout of empty objects and lists', () => {
    const differing = Object.keys(cdktf.files)
      .sort()
      .filter((path) => cdktf.files[path] !== cdktn.files[path]);
    // Each differing file with its causes, and one that no cause explains with the lines where it differs.
    const explained = differing.map((path) => {
      const causes = causesOf(cdktf.files[path], cdktn.files[path]);
      return { path, causes: causes?.join(' + ') ?? 'unexplained' };
    });
    expect(explained.filter((e) => e.causes === 'unexplained')).toEqual([]);
    const byShape: Record<string, string[]> = {};
    for (const { path, causes } of explained) byShape[shape(path)] = [...new Set([...(byShape[shape(path)] ?? []), causes])];
    const stacks = ['docker', 'k8s-ha', 'rke-ha'];
    expect(byShape).toEqual({
      'app/json/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`app/json/stacks/${s}/cdk.tf.json`, ['version + empty-containers']])),
      'app/hcl/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`app/hcl/stacks/${s}/metadata.json`, ['version']])),
      'variants/json/*/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`variants/json/*/stacks/${s}/cdk.tf.json`, ['version + empty-containers']])),
      'variants/hcl/*/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`variants/hcl/*/stacks/${s}/metadata.json`, ['version']])),
    });
    // Every variant's cdk.tf.json and metadata.json differ (each names its library), nothing else: cdk.tf, the
    // READMEs and the assets are byte-identical.
    expect(differing.filter((p) => p.startsWith('variants/') && p.endsWith('cdk.tf.json')).length).toBe(cdktf.count);
    expect(differing.filter((p) => /\/(cdk\.tf|README\.md)$|\/assets\//.test(p))).toEqual([]);
    // The version replaced was the metadata's, and the layout is only layout: parsed, the files are equal.
    for (const path of differing) {
      expect({ path, parsed: withoutVersion(path, cdktn.files[path]) }).toEqual({ path, parsed: withoutVersion(path, cdktf.files[path]) });
      const versions = [cdktf.files[path], cdktn.files[path]].map((t) => {
        const value = JSON.parse(t) as Record<string, any>;
        return path.endsWith('manifest.json') ? value.version : value['//'].metadata.version;
      });
      expect({ path, versions }).toEqual({ path, versions: ['0.21.0', '0.24.0'] });
    }
  });
});
