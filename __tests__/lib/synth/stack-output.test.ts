import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { takeOutputFormat, writeStackOutput, type OutputFormat } from '../../../lib/synth/stack-output';

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
    expect(folder()).toEqual(['cdk.tf', 'metadata.json']);
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
    expect(folder()).toEqual(['.terraform.lock.hcl', 'cdk.tf', 'metadata.json']);
    expect(existsSync(join(outdir, 'stacks', 'demo', 'cdk.tf.json'))).toBe(false);
  });
});
