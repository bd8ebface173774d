import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Vpc } from '@cdktn/provider-aws/lib/vpc';
import { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { takeOutputFormat, type OutputFormat } from '../../../lib/synth/output-format';
import { writeStackOutput } from '../../../lib/synth/stack-output';

describe('takeOutputFormat', () => {
  it.each([
    ['true', 'hcl'],
    ['1', 'hcl'],
    ['false', 'json'],
    [undefined, 'json'],
  ])('SYNTH_HCL_OUTPUT=%s → %s, and the variable is gone so cdktf renders JSON', (value, format) => {
    const env: NodeJS.ProcessEnv = value === undefined ? {} : { SYNTH_HCL_OUTPUT: value };
    expect(takeOutputFormat(env)).toBe(format);
    expect('SYNTH_HCL_OUTPUT' in env).toBe(false);
  });
});

describe('writeStackOutput', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'rancher-output-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  /** A small stack synthesized into outdir (cdktf writes JSON), then left in `format`. */
  function synth(format: OutputFormat) {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'demo');
    new LocalBackend(stack, { path: 'terraform.demo.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'eu-west-1', defaultTags: [{ tags: { team: 'ops' } }] });
    const cidr = new TerraformVariable(stack, 'cidr', { type: 'string', default: '10.0.0.0/16' });
    new TerraformVariable(stack, 'name', { type: 'string' });
    const vpc = new Vpc(stack, 'vpc', { cidrBlock: cidr.stringValue });
    new TerraformOutput(stack, 'vpc_id', { value: vpc.id });
    app.synth();
    return writeStackOutput(outdir, [stack], format);
  }
  const folder = () => readdirSync(join(outdir, 'stacks', 'demo')).sort();
  const manifestPath = () => JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).stacks.demo.synthesizedStackPath;

  it("HCL: writes cdk.tf and cdktf's metadata.json, removes cdk.tf.json, points the manifest at cdk.tf", () => {
    const [written] = synth('hcl');
    expect(folder()).toEqual(['README.md', 'cdk.tf', 'metadata.json']);
    expect(manifestPath()).toBe('stacks/demo/cdk.tf');
    expect(written).toMatchObject({ stack: 'demo', directory: join(outdir, 'stacks', 'demo'), file: join(outdir, 'stacks', 'demo', 'cdk.tf') });
    expect(written.variables).toEqual({ cidr: { type: 'string', default: '10.0.0.0/16' }, name: { type: 'string' } });

    const hcl = readFileSync(written.file, 'utf8');
    expect(hcl).toContain('provider "aws" {\n  region = "eu-west-1"\n\n  default_tags {\n    tags = {\n      team = "ops"\n    }\n  }\n}\n');
    expect(hcl).toMatch(/resource "aws_vpc" "vpc" \{\n {2}cidr_block = var\.cidr\n\}/);
    const metadata = JSON.parse(readFileSync(join(outdir, 'stacks', 'demo', 'metadata.json'), 'utf8'));
    expect(metadata['//'].metadata).toMatchObject({ stackName: 'demo', backend: 'local' });
    expect(metadata.resource.aws_vpc.vpc['//'].metadata.path).toBe('demo/vpc');
    expect(metadata.terraform.backend).toEqual({ local: { path: 'terraform.demo.tfstate' } });
  });

  it('HCL: the README says what the module is, its variables with defaults and descriptions, where its state is, how to run it', () => {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'demo');
    new LocalBackend(stack, { path: '../../../terraform.demo.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new TerraformVariable(stack, 'route53_zone_name', { type: 'string', description: 'Existing public Route53 hosted zone | its name' });
    new TerraformVariable(stack, 'admin_cidrs', { type: 'list(string)', default: [], description: 'Networks allowed to reach 6443.' });
    new TerraformVariable(stack, 'token', { type: 'string', sensitive: true });
    app.synth();
    writeStackOutput(outdir, [stack], 'hcl', { describe: (id) => (id === 'demo' ? 'A demo module that stands up a VPC.' : undefined) });
    const readme = readFileSync(join(outdir, 'stacks', 'demo', 'README.md'), 'utf8');
    expect(readme).toMatch(/^# demo: a Terraform root module\n\nA demo module that stands up a VPC\.\n/);
    expect(readme).toContain('Written by rancher-ha-aws ');
    expect(readme).toContain('| `admin_cidrs` | `list(string)` | `[]` | Networks allowed to reach 6443. |');
    expect(readme).toContain('| `route53_zone_name` | `string` | **required** | Existing public Route53 hosted zone \\| its name |');
    expect(readme).toContain('| `token` | `string` | sensitive: set `TF_VAR_<name>` |');
    expect(readme).toContain('Local state at `../../../terraform.demo.tfstate`, relative to this folder: it climbs three folders');
    expect(readme).toContain("terraform plan -out plan -var 'route53_zone_name=<your Route53 zone>'\nterraform apply plan");
    expect(readme).toContain('Set TF_VAR_token from your secret store first.');
    expect(readme).not.toMatch(/example\.(com|net|org)/);
    // Where the registry is out of reach: a mirror made where it answers, named at init (missing at d0e353c).
    expect(readme).toContain('## Without the Terraform registry');
    expect(readme).toContain('terraform providers mirror -platform=linux_amd64 ./providers');
    expect(readme).toContain('terraform init -plugin-dir=./providers');
    expect(readme).toMatch(/The module installs `hashicorp\/aws [^`]+` from the registry/);
  });

  it('JSON after HCL: removes the stale cdk.tf and metadata.json, so Terraform never reads both formats', () => {
    synth('hcl');
    synth('json');
    expect(folder()).toEqual(['cdk.tf.json']);
    expect(manifestPath()).toBe('stacks/demo/cdk.tf.json');
  });

  it('HCL after JSON: removes cdk.tf.json and keeps files that are not its own (a copied-in lock file)', () => {
    synth('json');
    writeFileSync(join(outdir, 'stacks', 'demo', '.terraform.lock.hcl'), '# lock\n');
    synth('hcl');
    expect(folder()).toEqual(['.terraform.lock.hcl', 'README.md', 'cdk.tf', 'metadata.json']);
    expect(existsSync(join(outdir, 'stacks', 'demo', 'cdk.tf.json'))).toBe(false);
  });
});
