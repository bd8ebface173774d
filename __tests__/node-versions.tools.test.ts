import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from './helpers/app-process';
import { awsOf, FakeCloud, stateOf } from './helpers/fake-cloud';
import { NODE_VERSIONS, nodeBinary, OTHER_LINES, SUITE_VERSION } from './helpers/node-versions';
import { runBounded } from './helpers/subprocess';
import { synthSettings } from './helpers/variants';

// The app and the operations CLI on the Node.js lines package.json's `engines` names, each against the same run on
// the Node.js running the tests (the suite's, `.nvmrc`): the same files, byte for byte, the same output. The binaries
// are the official ones from the npm registry (helpers/node-versions.ts); the library's consumer test runs them too
// (__tests__/examples).

/** Every file the app writes under cdktf.out/stacks, by path, synthesized from a settings file naming only the site, on `node`. */
function synthesizedStacks(node: string, format: 'json' | 'hcl'): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-node-versions-'));
  try {
    writeFileSync(join(dir, 'rancher.yaml'), 'hostname: rancher.acme.io\nhostedZone: acme.io\n');
    const run = runApp(dir, format === 'hcl' ? { SYNTH_HCL_OUTPUT: 'true' } : {}, node);
    if (run.status !== 0) throw new Error(`the app failed on ${node}:\n${run.stdout}${run.stderr}`);
    const stacks = join(dir, 'cdktf.out', 'stacks');
    const files: Record<string, string> = {};
    for (const entry of readdirSync(stacks, { recursive: true, withFileTypes: true })) {
      if (entry.isFile())
        files[join(entry.parentPath, entry.name).slice(stacks.length + 1)] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    }
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tests' own Node.js's synth of each format, made once for every line compared with it. */
const ours: Partial<Record<'json' | 'hcl', Record<string, string>>> = {};
const oursOf = (format: 'json' | 'hcl') => (ours[format] ??= synthesizedStacks(process.execPath, format));

/**
 * The operations CLI on `node` (the tests' own unless told), against a fake cloud of its own holding the default rke-ha
 * deployment: its help, a teardown --dry-run, and what the fake cloud was asked.
 */
function cliRuns(node?: string) {
  const json = synthSettings('rke-ha', {}).json;
  const state = stateOf(json);
  const c = new FakeCloud(json, { state, aws: awsOf(state), cluster: { apiUp: true } });
  try {
    // Each fake cloud has a scratch folder of its own, which the teardown names: said as <world> in both.
    const run = (args: string[]) => {
      const { code, out, err } = c.run(args, node === undefined ? {} : { node });
      // The plain lines' times differ from run to run.
      const same = (text: string) => text.replaceAll(c.dir, '<world>').replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /gm, '<time> ');
      return { code, out: same(out), err: same(err) };
    };
    return { help: run(['--help']), dryRun: run(['teardown', '--dir', 'module', '--dry-run']), calls: c.calls(), violations: c.violations() };
  } finally {
    c.remove();
  }
}
/** The tests' own Node.js's runs, made once for every line compared with them. */
let ourCli: ReturnType<typeof cliRuns> | undefined;
const oursCli = () => (ourCli ??= cliRuns());

it("the operations CLI on the tests' Node.js: its help, and a teardown --dry-run that only reads the state", () => {
  const ours = oursCli();
  expect(ours.help.code).toBe(0);
  expect(ours.dryRun).toMatchObject({ code: 0, err: '' });
  expect(ours.calls).toEqual(['terraform state pull']);
  expect(ours.violations).toBe('');
});

it("package.json's engines, the README and .nvmrc name the lines tested; @types/node is the lowest line's", () => {
  const root = join(__dirname, '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    engines: { node: string };
    devDependencies: Record<string, string>;
  };
  // Each line by its major; 22 from 22.19, the oldest release the operations' libraries run on (undici 8 under
  // @kubernetes/client-node, CDK Terrain's CLI): npm names the range when an older 22 installs.
  const engines = pkg.engines.node.split('||').map((range) => range.trim().replace(/^\^(\d+)\.\d+\.\d+$/, '$1'));
  expect(engines).toEqual(Object.keys(NODE_VERSIONS));
  expect(pkg.engines.node.split('||')[0].trim()).toBe('^22.19.0');
  // The suite's own line is one of them, pinned to the same release; the others are each compared with it below.
  expect(Object.values(NODE_VERSIONS)).toContain(SUITE_VERSION);
  expect(OTHER_LINES).toHaveLength(engines.length - 1);
  // The declarations the code is checked against are the oldest line's: an API newer than it fails tsc, not a user.
  const lowest = Math.min(...engines.map(Number));
  expect(pkg.devDependencies['@types/node'].split('.')[0]).toBe(String(lowest));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const version of Object.values(NODE_VERSIONS)) expect(readme).toContain(version.split('.').slice(0, 2).join('.'));
});

describe.each(OTHER_LINES)('Node.js %s', (line) => {
  let node: string;
  beforeAll(() => {
    node = nodeBinary(line);
  });

  it('is the release pinned for the line', () => {
    const version = runBounded(node, ['--version'], {});
    expect(version.stdout.trim()).toBe(`v${NODE_VERSIONS[line]}`);
  });

  it.each(['json', 'hcl'] as const)("the app's synth writes the three stacks' %s byte-identical to the tests' Node.js", (format) => {
    const here = oursOf(format);
    const there = synthesizedStacks(node, format);
    const stacks = [...new Set(Object.keys(here).map((path) => path.split('/')[0]))].sort();
    expect(stacks).toEqual(['docker', 'k8s-ha', 'rke-ha']);
    expect(Object.keys(there).sort()).toEqual(Object.keys(here).sort());
    for (const path of Object.keys(here)) expect({ path, text: there[path] }).toEqual({ path, text: here[path] });
  });

  it("the operations CLI prints its help and runs a teardown --dry-run against the fake cloud as on the tests' Node.js", () => {
    const there = cliRuns(node);
    expect(there.help.code).toBe(0);
    expect(there.dryRun).toMatchObject({ code: 0, err: '' });
    expect(there).toEqual(oursCli());
  });
});
