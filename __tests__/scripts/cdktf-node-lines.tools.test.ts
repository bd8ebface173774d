import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { NODE_VERSIONS, nodeBinary, type NodeLine } from '../helpers/node-versions';
import { runBounded } from '../helpers/subprocess';
import { PROVIDER_DOWNLOAD_ERROR, TERRAFORM_ENV } from '../helpers/terraform';

// The README's headline commands, `npm run cdktf -- synth` and `npm run cdktf -- deploy <stack>`, through
// scripts/cdktf.js and CDK Terrain's CLI (cdktn-cli, which loads no node-pty) on every line `engines` names, each
// Node.js first on PATH as a person's is (so the app the CLI starts runs on it too). The synth writes the same files
// on each; the deploy gets as far as the stand-in world reaches: Terraform's provider download, from an empty
// filesystem mirror (helpers/terraform.ts, initConfiguration). Below the CLI's declared Node.js the wrapper refuses in
// one line (the machines' own 20, end-of-life).

const ROOT = join(__dirname, '..', '..');
const WRAPPER = join(ROOT, 'scripts', 'cdktf.js');
const LINES = Object.keys(NODE_VERSIONS) as NodeLine[];

let world: string;
beforeAll(() => {
  world = mkdtempSync(join(tmpdir(), 'rancher-cdktf-node-lines-'));
  mkdirSync(join(world, 'empty-mirror'));
  writeFileSync(join(world, 'cli.tfrc'), `provider_installation {\n  filesystem_mirror {\n    path = "${join(world, 'empty-mirror')}"\n  }\n}\n`);
  // Every Node.js process started with it records its version and script: the wrapper, the CLI, the app it starts.
  writeFileSync(
    join(world, 'record.js'),
    `require('node:fs').appendFileSync(${JSON.stringify(join(world, 'started'))}, process.version + ' ' + process.argv[1] + '\\n');\n`,
  );
});
afterAll(() => rmSync(world, { recursive: true, force: true }));

/** `node scripts/cdktf.js ...args` on `node`, first on PATH, with Terraform's providers from the empty mirror only. */
function wrapper(node: string, args: readonly string[], env: Record<string, string> = {}) {
  rmSync(join(world, 'started'), { force: true });
  const run = runBounded(node, [WRAPPER, ...args], {
    cwd: ROOT,
    env: {
      ...TERRAFORM_ENV,
      TF_CLI_CONFIG_FILE: join(world, 'cli.tfrc'),
      PATH: `${dirname(node)}${delimiter}${process.env.PATH}`,
      RANCHER_HA_AWS_TERRAFORM: '',
      TERRAFORM_BINARY_NAME: '',
      CI: '1',
      RANCHER_CONFIG: join(__dirname, '..', 'fixtures', 'empty-settings.yaml'),
      NODE_OPTIONS: `--require ${join(world, 'record.js')}`,
      ...env,
    },
  });
  const started = existsSync(join(world, 'started')) ? readFileSync(join(world, 'started'), 'utf8').split('\n').filter(Boolean) : [];
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, started };
}

/** Every file under `dir`, by path. */
function filesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) files[join(entry.parentPath, entry.name).slice(dir.length + 1)] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
  return files;
}

/** The first line's synth, which every other line's is compared with. */
const synthesized: Partial<Record<NodeLine, Record<string, string>>> = {};

describe.each(LINES)('npm run cdktf on Node.js %s, through cdktn-cli', (line) => {
  let node: string;
  let synth: ReturnType<typeof wrapper>;
  const out = () => join(world, `cdktf.out-${line}`);
  beforeAll(() => {
    node = nodeBinary(line);
    synth = wrapper(node, ['synth', '--output', out()]);
    if (synth.code === 0) synthesized[line] = filesUnder(join(out(), 'stacks'));
  });

  it("synth: the CLI runs the app on this Node.js, writes the three stacks, and offers the CLI's deploy next; nothing on stderr from Node.js itself", () => {
    expect({ code: synth.code, refusal: synth.stderr.includes('rancher-ha-aws:') }).toEqual({ code: 0, refusal: false });
    const started = synth.started.map((entry) => entry.replace(/ .*\//, ' '));
    expect(started).toEqual(
      expect.arrayContaining([`v${NODE_VERSIONS[line]} cdktf.js`, `v${NODE_VERSIONS[line]} cdktn`, `v${NODE_VERSIONS[line]} synth.js`]),
    );
    expect(started.every((entry) => entry.startsWith(`v${NODE_VERSIONS[line]} `))).toBe(true);
    expect(synth.stdout).toContain('Generated Terraform code for the stacks: docker, k8s-ha, rke-ha');
    expect(synth.stdout).toContain("Next: npm run cdktf -- deploy rke-ha, or plain Terraform in the stack's folder:");
    // A construct's warning (the default RKE2 tarball's sum from one record) once, as the CLI's warning, not also as
    // an [ERROR] line relaying the app's stderr (app/run-by-cli.ts).
    const output = `${synth.stdout}${synth.stderr}`;
    expect(output.match(/not confirmed here/g)).toHaveLength(1);
    expect(output).toMatch(/^WARN \[rke-ha\/Default\]: versions\.rke2 .* not confirmed here/m);
    // Node.js 26's Web Storage warning (the CLI's bundled localforage probing localStorage) is kept off (scripts/cdktf.js).
    expect(synth.stderr).not.toMatch(/ExperimentalWarning|DeprecationWarning/);
  });

  it(`synth: the same files, byte for byte, as on Node.js ${LINES[0]}`, () => {
    const here = synthesized[line]!;
    const first = synthesized[LINES[0]]!;
    expect(Object.keys(here).sort()).toEqual(Object.keys(first).sort());
    expect(Object.keys(here).some((path) => path.startsWith('rke-ha/') && path.endsWith('cdk.tf.json'))).toBe(true);
    for (const path of Object.keys(first)) expect({ path, text: here[path] }).toEqual({ path, text: first[path] });
  });

  it("deploy docker: Terraform is initialised in the stack's folder and stops at the provider download (no registry here), ending with Terraform's error and one line, no crash", () => {
    const deploy = wrapper(node, ['deploy', 'docker', '--skip-synth', '--output', out(), '--auto-approve']);
    const output = `${deploy.stdout}${deploy.stderr}`;
    expect(deploy.code).toBe(1);
    expect(output).toContain('Initializing provider plugins...');
    expect(output).toContain(PROVIDER_DOWNLOAD_ERROR);
    expect(existsSync(join(out(), 'stacks', 'docker', '.terraform'))).toBe(true);
    expect(output).not.toMatch(/ExperimentalWarning|node-pty/);
    // cdktn-cli's crash after the failed init (open-constructs/cdk-terrain#361: its stack, "Collecting Debug
    // Information...", Node.js's report) is the wrapper's one line (scripts/cdktf.js); Terraform's error box ends
    // standard output.
    expect(deploy.stderr).toMatch(/^rancher-ha-aws: terraform init failed \(Terraform's error above\): fix what it names .*\n$/);
    expect(deploy.stderr.split('\n')).toHaveLength(2);
    const stdout = deploy.stdout
      .replace(/\u001b\[[0-9;]*m/g, '')
      .trimEnd()
      .split('\n');
    expect(stdout.at(-1)).toBe('╵');
    expect(
      stdout
        .slice(-12)
        .join(' ')
        .replace(/[│\s]+/g, ' '),
    ).toContain('was not found in any of the search locations');
  });
});

describe('npm run cdktf below the Node.js cdktn-cli declares (>= 22.19.0)', () => {
  it('refuses on Node.js 20 with exit 1 and one line naming the CLI, both versions and the ways on, starting no CLI', () => {
    // 20 is no line `engines` names any more (end-of-life since April 2026), but the machines here still run it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
    const { installNode } = require('../../scripts/node-binaries.js') as { installNode(version: string): string };
    const run = wrapper(installNode('20.20.2'), ['synth', '--output', join(world, 'cdktf.out-20')]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'rancher-ha-aws: cdktn-cli 0.24.0 needs Node.js >= 22.19.0; this is 20.20.2. Run the cdktf commands (npm run cdktf, ' +
        'synth:hcl, cdktf:synth) on Node.js 22, 24 or 26, or on this Node.js run `npm run synth`, then plain terraform in ' +
        'cdktf.out/stacks/<stack> (docs/pipeline.md).\n',
      started: [`v20.20.2 ${WRAPPER}`],
    });
    expect(existsSync(join(world, 'cdktf.out-20'))).toBe(false);
  });
});
