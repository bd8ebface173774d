import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { nodeBinary } from './helpers/node-versions';
import { runBounded } from './helpers/subprocess';
import { describeWithTerraform, initConfiguration, PROVIDER_DOWNLOAD_ERROR, TERRAFORM_ENV } from './helpers/terraform';

/**
 * The path a new user takes: the CLI itself (cdktn-cli, through scripts/cdktf.js), `synth --hcl`, in this
 * project (cdktf.json's app: scripts/synth.js, the app bundle rebuilt when stale). The CLI passes --hcl to
 * the app as SYNTH_HCL_OUTPUT, then formats the files the manifest names and
 * reads metadata.json; this proves that contract end to end. (The folder
 * handling in both directions is stack-output.test.ts's, without the CLI's
 * start-up time.) It runs as `npm run synth:hcl` does, on Node.js 22 (first on PATH, so the app runs on it too); the
 * JSON synth and the deploy on every line are scripts/cdktf-node-lines.tools.test.ts's, and the tests' own Node.js
 * runs the wrapper and the CLI in scripts/cdktf-binary.tools.test.ts.
 */

const ROOT = join(__dirname, '..');
const STACKS = ['docker', 'k8s-ha', 'rke-ha'];

describe('cdktf synth --hcl, through the CLI', () => {
  let outdir: string;
  let output = '';
  let hclFolders: Record<string, string[]> = {};
  let hcl: Record<string, string> = {};
  let stderr = '';

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'rancher-cli-'));
    const node = nodeBinary('22');
    const result = runBounded(node, [join(ROOT, 'scripts', 'cdktf.js'), 'synth', '--hcl', '--output', outdir], {
      cwd: ROOT,
      // CI=1: no spinner; CHECKPOINT_DISABLE=1: no version check-in, which prints an error offline.
      env: {
        ...process.env,
        PATH: `${dirname(node)}${delimiter}${process.env.PATH}`,
        CHECKPOINT_DISABLE: '1',
        CI: '1',
        RANCHER_CONFIG: join(__dirname, 'fixtures', 'empty-settings.yaml'),
        TF_CLI_CONFIG_FILE: '/dev/null',
      },
    });
    if (result.status !== 0) throw new Error(`cdktf synth --hcl failed:\n${result.stdout}${result.stderr}`);
    output = result.stdout;
    stderr = result.stderr;
    hclFolders = Object.fromEntries(STACKS.map((s) => [s, readdirSync(join(outdir, 'stacks', s)).sort()]));
    hcl = Object.fromEntries(STACKS.map((s) => [s, readFileSync(join(outdir, 'stacks', s, 'cdk.tf'), 'utf8')]));
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("passes scripts/cdktf.js's Node.js check on 22: the CLI ran, with no refusal of the wrapper's", () => {
    expect(stderr).not.toContain('rancher-ha-aws:');
    expect(output).toContain('Generated Terraform code for the stacks: docker, k8s-ha, rke-ha');
  });

  it('writes cdk.tf for every stack, and the app says where', () => {
    // rke-ha and k8s-ha carry the readiness gates' chart beside the module (assets/).
    expect(hclFolders).toEqual(
      Object.fromEntries(STACKS.map((s) => [s, ['README.md', ...(s === 'docker' ? [] : ['assets']), 'cdk.tf', 'metadata.json']])),
    );
    for (const s of STACKS.filter((stack) => stack !== 'docker')) {
      const [chart] = readdirSync(join(outdir, 'stacks', s, 'assets'));
      const [hash] = readdirSync(join(outdir, 'stacks', s, 'assets', chart));
      expect(readFileSync(join(outdir, 'stacks', s, 'assets', chart, hash, 'templates', 'job.yaml'), 'utf8')).toBe('{{ .Values.manifest }}\n');
      expect(readFileSync(join(outdir, 'stacks', s, 'cdk.tf'), 'utf8')).toMatch(
        new RegExp(`chart +=  ?"\\$\\{path\\.module\\}/assets/${chart}/${hash}"`),
      );
    }
    // The README a pipeline receives with the folder: what the module is, its state path, no example.com to copy.
    const readme = readFileSync(join(outdir, 'stacks', 'rke-ha', 'README.md'), 'utf8');
    expect(readme).toContain('RKE2 (or K3s) servers on EC2');
    expect(readme).toContain('Local state at `../../../terraform.rke-ha.tfstate`, relative to this folder: it climbs three folders');
    expect(readme).toContain("-var 'rancher_hostname=rancher.<your zone>'");
    expect(output).not.toMatch(/-var \S*example\.com/);
    expect(output).toContain('Terraform root modules (cdk.tf, Terraform >= 1.10)');
    expect(output).toContain('Generated Terraform code for the stacks: docker, k8s-ha, rke-ha');
  });

  describeWithTerraform('and terraform', () => {
    it('accepts the files as formatted (terraform fmt -check)', () => {
      const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-no-color', join(outdir, 'stacks')], {
        encoding: 'utf8',
        env: TERRAFORM_ENV,
      });
      expect(fmt.stdout).toBe('');
      expect(fmt.status).toBe(0);
    });

    it.each(STACKS)('%s: gets through init up to the provider download', (stack) => {
      const outcome = initConfiguration({ 'cdk.tf': hcl[stack] });
      expect(outcome.errors).toContain(PROVIDER_DOWNLOAD_ERROR);
      expect({ loaded: outcome.configurationLoaded, output: outcome.output }).toEqual({ loaded: true, output: outcome.output });
    });
  });
});
