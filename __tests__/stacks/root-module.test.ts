import { REQUIRED_TERRAFORM_VERSION } from '../../lib/common/stack-foundation';
import { synthStack } from '../helpers/synth';
import { describeWithTerraform, initConfiguration, planVariables, PROVIDER_DOWNLOAD_ERROR } from '../helpers/terraform';
import { buildVariant, STACK_VARIANTS } from '../helpers/variants';

/**
 * What every synthesized stack must be, in every settings variant: a root
 * module a pipeline can run with plain Terraform.
 */

const synthesized = STACK_VARIANTS.map((variant) => ({ variant, ...synthStack((app) => buildVariant(app, variant)) }));
const cases = synthesized.map((s) => [s.variant.name, s] as const);

describe('every synthesized stack', () => {
  it.each(cases)('%s: declares the Terraform version floor', (_name, { json }) => {
    expect(json.terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
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
