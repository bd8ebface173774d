import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from '@cdktf/hcl-tools';
import { REQUIRED_TERRAFORM_VERSION } from '../../lib/common/stack-foundation';
import { synthStackFolder } from '../helpers/synth';
import { describeWithTerraform, initConfiguration, planVariables, PROVIDER_DOWNLOAD_ERROR } from '../helpers/terraform';
import { buildVariant, STACK_VARIANTS } from '../helpers/variants';

/**
 * What every synthesized stack must be, in every settings variant: a root
 * module a pipeline can run with plain Terraform, in JSON (`cdktf synth`) and
 * in HCL (`cdktf synth --hcl`).
 */

const synthesized = STACK_VARIANTS.map((variant) => ({ variant, ...synthStackFolder((app) => buildVariant(app, variant), 'hcl') }));
const cases = synthesized.map((s) => [s.variant.name, s] as const);

describe('every synthesized stack', () => {
  it.each(cases)('%s: declares the Terraform version floor', (_name, { json }) => {
    expect(json.terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
  });

  it.each(cases)('%s: as HCL, its folder holds cdk.tf and cdktf\'s metadata.json only, and the manifest names cdk.tf', (_name, { files, manifest, variant }) => {
    expect(Object.keys(files).sort()).toEqual(['cdk.tf', 'metadata.json']);
    expect(manifest.synthesizedStackPath).toBe(`stacks/${variant.stack}/cdk.tf`);
    expect(JSON.parse(files['metadata.json'])['//'].metadata.stackName).toBe(variant.stack);
  });
});

describeWithTerraform('every synthesized stack, loaded by terraform', () => {
  it.each(cases)('%s: cdk.tf.json gets through init up to the provider download', (_name, { text }) => {
    const outcome = initConfiguration({ 'cdk.tf.json': text });
    expect(outcome.errors).toContain(PROVIDER_DOWNLOAD_ERROR);
    expect({ loaded: outcome.configurationLoaded, output: outcome.output }).toEqual({ loaded: true, output: outcome.output });
  });

  it('a version floor the installed terraform does not meet stops init with a message naming the version', () => {
    const { text } = synthesized[0];
    const outcome = initConfiguration({ 'cdk.tf.json': text.replace(`"required_version": "${REQUIRED_TERRAFORM_VERSION}"`, '"required_version": ">= 99.0"') });
    expect(outcome.errors).toContain('Unsupported Terraform Core version');
    expect(outcome.configurationLoaded).toBe(false);
  });
});

describeWithTerraform('every synthesized stack as HCL, as `cdktf synth --hcl` leaves it', () => {
  // The CLI runs cdktf's HCL formatter (@cdktf/hcl-tools, hclwrite) over the app's cdk.tf files; so does this.
  let hcl: string[] = [];
  let unformatted: string[] = [];
  beforeAll(async () => {
    hcl = await Promise.all(synthesized.map((s) => format(s.files['cdk.tf'])));
    const dir = mkdtempSync(join(tmpdir(), 'rancher-fmt-'));
    try {
      hcl.forEach((text, i) => {
        mkdirSync(join(dir, String(i)));
        writeFileSync(join(dir, String(i), 'cdk.tf'), text);
      });
      // One `terraform fmt -check` for every variant; it lists the files it would change.
      const result = spawnSync('terraform', ['fmt', '-check', '-recursive', '-no-color', dir], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' } });
      unformatted = result.stdout.split('\n').filter(Boolean).map((line) => line.replace(`${dir}/`, ''));
      if (result.status !== 0 && unformatted.length === 0) throw new Error(result.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each(cases.map(([name], i) => [name, i] as const))('%s: cdk.tf passes terraform fmt -check', (_name, i) => {
    expect(unformatted).not.toContain(`${i}/cdk.tf`);
  });

  it.each(cases.map(([name], i) => [name, i] as const))('%s: cdk.tf gets through init up to the provider download', (_name, i) => {
    const outcome = initConfiguration({ 'cdk.tf': hcl[i] });
    expect(outcome.errors).toContain(PROVIDER_DOWNLOAD_ERROR);
    expect({ loaded: outcome.configurationLoaded, output: outcome.output }).toEqual({ loaded: true, output: outcome.output });
  });
});

describeWithTerraform('every stack, planned with -var as a pipeline does', () => {
  const defaults = synthesized.filter((s) => s.variant.name.endsWith(' defaults')).map((s) => [s.variant.stack, s.json.variable!] as const);

  it('covers the three stacks', () => {
    expect(defaults.map(([stack]) => stack).sort()).toEqual(['docker', 'k8s-ha', 'rke-ha']);
  });

  it.each(defaults)('%s: refuses a hostname outside the zone at plan time, before anything is created', (_stack, variables) => {
    const outside = planVariables(variables, { rancher_hostname: 'rancher.other.io', route53_zone_name: 'acme.io' });
    expect(outside.accepted).toBe(false);
    expect(outside.text).toContain('rancher_hostname "rancher.other.io" is not inside route53_zone_name "acme.io"');
    expect(planVariables(variables, { rancher_hostname: 'rancher.acme.io', route53_zone_name: 'acme.io' }).accepted).toBe(true);
  });
});
