import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nodeBinary } from './helpers/node-versions';
import { installPrevious, MAPPED_BACK } from './helpers/previous-toolchain';
import { runBounded } from './helpers/subprocess';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle options the product's build uses, CommonJS
const { ESBUILD_NODE } = require('../scripts/esbuild-options.js') as { ESBUILD_NODE: import('esbuild').BuildOptions };

// The app's output on this checkout's toolchain (CDK Terrain: cdktn 0.24.0 as the one core, AWS and random through
// @cdktn/provider-aws 25.7.0 and @cdktn/provider-random 15.0.1) and on the one it left (helpers/previous-toolchain.ts:
// cdktf 0.21.0 with @cdktf/provider-aws 21.22.1 and @cdktf/provider-random 12.0.1 in a scratch folder, the code's two
// @cdktn import prefixes mapped back mechanically, the other four bindings this checkout's). Both on the Node 22 of
// helpers/node-versions.ts. What is compared is what a user gets, file by file and byte for byte: the app itself
// (main.ts, bundled with its packages left external) run as `cdktf synth` and `cdktf synth --hcl` run it, and every
// stack variant the tests know (helpers/cdktn-synth-entry.ts: App.synth, then the folder left as JSON or HCL as the
// app leaves it). Each file that differs must be explained by one of the causes below, and the test names which file
// differs by which.

const ROOT = join(__dirname, '..');
const MODULES = join(ROOT, 'node_modules');
/**
 * Why a file of cdktn's differs from cdktf's, each the only change that undoing makes them byte-identical:
 * - version: the `version` cdktf writes into the `//` metadata of cdk.tf.json (and so of the HCL folder's
 *   metadata.json, lib/synth/stack-output.ts hclMetadata) and into manifest.json names the library that
 *   synthesized, 0.21.0 or 0.24.0. Terraform reads neither.
 * - empty-containers: cdk.tf.json is written by cdktf 0.21.0 with json-stable-stringify 1.3.0 (lib/synthesize/
 *   synthesizer.js), which lays out an empty object or list over two lines (`{` newline `}`), and by cdktn 0.24.0
 *   with safe-stable-stringify 2.5.0, which writes `{}` and `[]`. The same JSON once parsed.
 */
type Cause = 'version' | 'empty-containers' | 'providers';
const CAUSES: readonly (readonly Cause[])[] = [
  ['version'],
  ['empty-containers'],
  ['providers'],
  ['version', 'providers'],
  ['version', 'empty-containers', 'providers'],
];
/**
 * - providers: the provider versions each binding pins in `required_providers` (AWS 6.25.0 → 6.66.0, random 3.7.2 →
 *   3.9.1), in cdk.tf.json, in the HCL folder's cdk.tf, metadata.json and README's list of providers (`hashicorp/aws 6.66.0`):
 *   the upgrade itself (docs/toolchain.md, "Provider versions").
 */
const PROVIDER_VERSIONS = [
  ['aws', '6.25.0', '6.66.0'],
  ['random', '3.7.2', '3.9.1'],
] as const;
const providersBack = (t: string) =>
  PROVIDER_VERSIONS.reduce(
    (text, [name, before, after]) =>
      text
        .replaceAll(`"version": "${after}"`, `"version": "${before}"`)
        .replaceAll(`version = "${after}"`, `version = "${before}"`)
        .replaceAll(`/${name} ${after}`, `/${name} ${before}`),
    t,
  );
const undo: Record<Cause, { cdktf: (t: string) => string; cdktn: (t: string) => string }> = {
  // The first `"version": ` of each of these files is the metadata's (the `//` block sorts first; manifest.json's
  // stacks hold none); that it is the metadata's is checked on the parsed files too.
  version: { cdktf: (t) => t, cdktn: (t) => t.replace('"version": "0.24.0"', '"version": "0.21.0"') },
  'empty-containers': { cdktf: (t) => t.replace(/\{\n *\}/g, '{}').replace(/\[\n *\]/g, '[]'), cdktn: (t) => t },
  providers: { cdktf: (t) => t, cdktn: providersBack },
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
// Which package answers require('cdktf'): cdktn itself (this checkout's local cdktf) or cdktf.
const paths = Object.keys(require.cache);
const coreName = paths.some((path) => /[\\\\/]node_modules[\\\\/]cdktf[\\\\/]lib[\\\\/]/.test(path)) ? 'cdktf' : 'cdktn';
const cdktf = require(coreName + '/package.json');
const loaded = paths.filter((path) => /[\\\\/]node_modules[\\\\/](cdktf|cdktn)[\\\\/]lib[\\\\/]/.test(path));
const serializers = paths.flatMap((path) => /[\\\\/]node_modules[\\\\/]((json|safe)-stable-stringify)[\\\\/]/.exec(path)?.[1] ?? []);
process.stdout.write(JSON.stringify({
  count,
  cdktf: cdktf.name + '@' + cdktf.version,
  loaded: [...new Set(loaded.map((p) => /^(.*[\\\\/]node_modules[\\\\/](cdktf|cdktn))[\\\\/]/.exec(p)[1]))],
  serializers: [...new Set(serializers)],
}));
`;

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
function synthesizeIn(dir: string, node: string, args: string[], alias: Record<string, string> = {}): Synthesized {
  const run = mkdtempSync(join(dir, 'run-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild's API, as scripts/synth-variants.js uses it
    (require('esbuild') as typeof import('esbuild')).buildSync({
      entryPoints: { variants: join(__dirname, 'helpers', 'cdktn-synth-entry.ts'), app: join(ROOT, 'main.ts') },
      outdir: run,
      bundle: true,
      ...ESBUILD_NODE,
      packages: 'external',
      alias,
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

describe('on CDK Terrain (cdktn 0.24.0, @cdktn AWS and random bindings), against cdktf 0.21.0 and the bindings it left', () => {
  let cdktf: Synthesized;
  let cdktn: Synthesized;
  let scratch: string;
  beforeAll(() => {
    const node22 = nodeBinary('22');
    scratch = installPrevious();
    // --preserve-symlinks: the linked provider bindings resolve `cdktf` from the scratch folder (cdktf 0.21.0), not
    // from this checkout's node_modules where their files are (the local cdktf, which is cdktn).
    cdktf = synthesizeIn(scratch, node22, ['--preserve-symlinks'], MAPPED_BACK);
    cdktn = synthesizeIn(join(MODULES, '.cache'), node22, []);
  });

  it('the checkout loads one core, cdktn, under both names; the scratch folder cdktf 0.21.0; each with its own JSON serializer', () => {
    expect(cdktf.cdktf).toBe('cdktf@0.21.0');
    expect(cdktn.cdktf).toBe('cdktn@0.24.0');
    expect(cdktf.loaded).toEqual([join(scratch, 'node_modules', 'cdktf')]);
    expect(cdktn.loaded).toEqual([join(MODULES, 'cdktn')]);
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

  it('differs only in the core and provider versions (JSON and HCL) and, in cdk.tf.json, the layout of empty objects and lists', () => {
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
    const all = 'version + empty-containers + providers';
    expect(byShape).toEqual({
      'app/json/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`app/json/stacks/${s}/cdk.tf.json`, [all]])),
      'app/hcl/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`app/hcl/stacks/${s}/metadata.json`, ['version + providers']])),
      ...Object.fromEntries(stacks.map((s) => [`app/hcl/stacks/${s}/cdk.tf`, ['providers']])),
      ...Object.fromEntries(stacks.map((s) => [`app/hcl/stacks/${s}/README.md`, ['providers']])),
      'variants/json/*/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`variants/json/*/stacks/${s}/cdk.tf.json`, [all]])),
      'variants/hcl/*/manifest.json': ['version'],
      ...Object.fromEntries(stacks.map((s) => [`variants/hcl/*/stacks/${s}/metadata.json`, ['version + providers']])),
      ...Object.fromEntries(stacks.map((s) => [`variants/hcl/*/stacks/${s}/cdk.tf`, ['providers']])),
      ...Object.fromEntries(stacks.map((s) => [`variants/hcl/*/stacks/${s}/README.md`, ['providers']])),
    });
    // Every variant's cdk.tf.json differs, nothing but the files above: the assets are byte-identical.
    expect(differing.filter((p) => p.startsWith('variants/') && p.endsWith('cdk.tf.json')).length).toBe(cdktf.count);
    expect(differing.filter((p) => /\/assets\//.test(p))).toEqual([]);
    // Parsed, a JSON file differs in the metadata's version and the two providers' versions only.
    for (const path of differing.filter((p) => p.endsWith('.json'))) {
      const [before, after] = [cdktf.files[path], cdktn.files[path]].map((t) => JSON.parse(providersBack(t)));
      expect({ path, parsed: withoutVersion(path, JSON.stringify(after)) }).toEqual({ path, parsed: withoutVersion(path, JSON.stringify(before)) });
      const versions = [before, after].map((value: Record<string, any>) =>
        path.endsWith('manifest.json') ? value.version : value['//'].metadata.version,
      );
      expect({ path, versions }).toEqual({ path, versions: ['0.21.0', '0.24.0'] });
    }
  });
});
