import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { NODE_VERSIONS, nodeBinary } from '../helpers/node-versions';
import { runBounded } from '../helpers/subprocess';

// scripts/cdktf.js on the Node.js lines cdktf-cli 0.21 cannot run its commands on. Its commands load
// @cdktf/node-pty-prebuilt-multiarch, whose linux-x64 prebuilds stop at ABI 127 (Node.js 22): on 24 and 26 the CLI
// died with the package's require stack. The wrapper loads the pty first, from where the CLI's package resolves it,
// and refuses in one line. The real Node.js binaries (helpers/node-versions.ts) and the real package are used: the
// failures are Node's own loader's (MODULE_NOT_FOUND of `../build/Release/pty.node`, ERR_DLOPEN_FAILED of a binary
// built for another ABI). That the check passes on 22 with the CLI running behind it is cdktf-cli.tools.test.ts's run.

const ROOT = join(__dirname, '..', '..');
const WRAPPER = join(ROOT, 'scripts', 'cdktf.js');
const CLI_PACKAGE_JSON = join(ROOT, 'node_modules', 'cdktf-cli', 'package.json');
const PTY_DIR = join(ROOT, 'node_modules', '@cdktf', 'node-pty-prebuilt-multiarch');

/** The refusal: the CLI's version, the Node.js version and its ABI, and the two ways on. */
const refusal = (version: string, abi: number) =>
  `cdktf-cli 0.21.0 needs node-pty, which has no build for Node.js ${version} (ABI ${abi}) here. ` +
  'Run the cdktf commands (npm run cdktf, synth:hcl, cdktf:synth) on Node.js 20 or 22, or on this Node.js run ' +
  '`npm run synth`, then plain terraform in cdktf.out/stacks/<stack> (docs/pipeline.md).';
const ABI = { '24': 137, '26': 147 } as const;

let world: string;
beforeAll(() => {
  world = mkdtempSync(join(tmpdir(), 'rancher-cdktf-node-lines-'));
  // Every Node.js process started with it records its script: the wrapper's own, and the CLI's if it got that far.
  writeFileSync(join(world, 'record.js'), `require('node:fs').appendFileSync(${JSON.stringify(join(world, 'started'))}, process.argv[1] + '\\n');\n`);
});
afterAll(() => rmSync(world, { recursive: true, force: true }));

/** `node scripts/cdktf.js ...args` on `node`, first on PATH as a person's Node.js is, each Node.js process recorded. */
function wrapper(node: string, args: readonly string[]) {
  rmSync(join(world, 'started'), { force: true });
  const run = runBounded(node, [WRAPPER, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${dirname(node)}${delimiter}${process.env.PATH}`,
      NODE_OPTIONS: `--require ${join(world, 'record.js')}`,
      RANCHER_HA_AWS_TERRAFORM: '',
      TERRAFORM_BINARY_NAME: '',
      CI: '1',
      RANCHER_CONFIG: join(__dirname, '..', 'fixtures', 'empty-settings.yaml'),
    },
  });
  const started = existsSync(join(world, 'started')) ? readFileSync(join(world, 'started'), 'utf8').split('\n').filter(Boolean) : [];
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, started };
}

/** What `ptyRefusal` says on `node` for the CLI package at `cliPackageJson` (undefined: the check passes). */
function ptyRefusalOn(node: string, cliPackageJson: string): string | undefined {
  const run = runBounded(
    node,
    ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(WRAPPER)}).ptyRefusal(${JSON.stringify(cliPackageJson)}) ?? null))`],
    { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
  );
  if (run.status !== 0) throw new Error(`ptyRefusal failed on ${node}:\n${run.stdout}${run.stderr}`);
  // Its own stderr stays empty: the package's loader writes its second failure there, which the check keeps back.
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) ?? undefined;
}

/**
 * A cdktf-cli package of its own (package.json only) with a copy of the real pty package beside it, its linux-x64
 * prebuilds replaced by `prebuilds` (file name to the real prebuild copied there) and `build` (the `build/Release`
 * files node-gyp writes on install, likewise), minus `remove` (paths in the package).
 */
function cliWithPty(name: string, pty: { prebuilds?: Record<string, string>; build?: Record<string, string>; remove?: string[] } | 'none') {
  const cli = join(world, name);
  mkdirSync(cli);
  writeFileSync(join(cli, 'package.json'), JSON.stringify({ name: 'cdktf-cli', version: '0.21.0' }));
  if (pty === 'none') return join(cli, 'package.json');
  const dir = join(cli, 'node_modules', '@cdktf', 'node-pty-prebuilt-multiarch');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(PTY_DIR, 'package.json'), join(dir, 'package.json'));
  cpSync(join(PTY_DIR, 'lib'), join(dir, 'lib'), { recursive: true });
  for (const [folder, files] of [
    [join('prebuilds', `${process.platform}-${process.arch}`), pty.prebuilds ?? {}],
    [join('build', 'Release'), pty.build ?? {}],
  ] as const) {
    mkdirSync(join(dir, folder), { recursive: true });
    for (const [file, from] of Object.entries(files))
      copyFileSync(join(PTY_DIR, 'prebuilds', `${process.platform}-${process.arch}`, from), join(dir, folder, file));
  }
  for (const path of pty.remove ?? []) rmSync(join(dir, path));
  return join(cli, 'package.json');
}

describe.each(['24', '26'] as const)('scripts/cdktf.js on Node.js %s (no node-pty build for its ABI)', (line) => {
  let node: string;
  beforeAll(() => {
    node = nodeBinary(line);
  });

  it('refuses `synth` with exit 1 and the one line naming cdktf-cli, the Node.js and its ABI and the two ways on, starting no cdktf CLI', () => {
    const out = join(world, `cdktf.out-${line}`);
    const run = wrapper(node, ['synth', '--output', out]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `rancher-ha-aws: ${refusal(NODE_VERSIONS[line], ABI[line])}\n`, started: [WRAPPER] });
    expect(existsSync(out)).toBe(false);
  });
});

describe('scripts/cdktf.js on Node.js 24: what passes through to the CLI', () => {
  let node: string;
  beforeAll(() => {
    node = nodeBinary('24');
  });

  it('`--version` still reaches the CLI, which answers it without loading the pty', () => {
    const run = wrapper(node, ['--version']);
    expect({ code: run.code, version: run.stdout.split('\n')[0], started: run.started.map((script) => script.split('/').pop()) }).toEqual({
      code: 0,
      version: '0.21.0',
      started: ['cdktf.js', 'cdktf'],
    });
  });

  it('a prebuild the loader refuses (built for ABI 127, named for 137: ERR_DLOPEN_FAILED) is refused as a missing one is', () => {
    const cli = cliWithPty('dlopen-fails', { prebuilds: { 'node.abi137.node': 'node.abi127.node' } });
    expect(ptyRefusalOn(node, cli)).toBe(refusal(NODE_VERSIONS['24'], 137));
  });

  it('a pty package missing one of its JavaScript files (a broken install) passes: the CLI reports it as it did', () => {
    const cli = cliWithPty('broken-install', { remove: [join('lib', 'utils.js')] });
    expect(ptyRefusalOn(node, cli)).toBeUndefined();
  });

  it('a CLI package from which no pty package resolves passes: the CLI reports what it misses, as it did', () => {
    expect(ptyRefusalOn(node, cliWithPty('no-pty', 'none'))).toBeUndefined();
  });
});

describe('scripts/cdktf.js on Node.js 22', () => {
  let node: string;
  beforeAll(() => {
    node = nodeBinary('22');
  });

  it("passes the check with the project's own install (the prebuild for ABI 127 loads)", () => {
    expect(ptyRefusalOn(node, CLI_PACKAGE_JSON)).toBeUndefined();
  });

  it('passes with no prebuild but a build/Release/pty.node that loads, as node-gyp leaves one on a machine with a compiler: loading is the test, not the version', () => {
    const cli = cliWithPty('built-on-install', { build: { 'pty.node': 'node.abi127.node' } });
    expect(ptyRefusalOn(node, cli)).toBeUndefined();
    // The same package on 24, where that build does not load: refused.
    expect(ptyRefusalOn(nodeBinary('24'), cli)).toBe(refusal(NODE_VERSIONS['24'], 137));
  });
});
