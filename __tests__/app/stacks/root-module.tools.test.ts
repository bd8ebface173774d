import { REQUIRED_TERRAFORM_VERSION } from '../../../lib/common/terraform-version';
import { describeHclFolders, describeRootModulesLoaded } from '../../helpers/root-module';
import { describeWithTerraform, initConfiguration, planVariables } from '../../helpers/terraform';
import { STACK_VARIANTS, synthSettingsFolder } from '../../helpers/variants';

/**
 * Every stack variant (but the rke-ha TLS pairs, checked alike in
 * rke-ha-tls.tools.test.ts) as a root module a pipeline runs with plain
 * Terraform: its HCL folder, loaded, formatted, planned (root-module.test.ts reads their JSON in process).
 */

const synthesized = STACK_VARIANTS.map((variant) => ({ ...variant, folder: synthSettingsFolder(variant.stack, variant.settings) }));

describeHclFolders('stack variants', synthesized);
describeRootModulesLoaded('stack variants', synthesized);

describeWithTerraform('the version floor', () => {
  it('stops init with a message naming the version when the installed terraform does not meet it', () => {
    const { text } = synthesized[0].folder;
    const outcome = initConfiguration({
      'cdk.tf.json': text.replace(`"required_version": "${REQUIRED_TERRAFORM_VERSION}"`, '"required_version": ">= 99.0"'),
    });
    expect(outcome.errors).toContain('Unsupported Terraform Core version');
    expect(outcome.configurationLoaded).toBe(false);
  });
});

describeWithTerraform('every stack, planned with -var as a pipeline does', () => {
  const defaults = synthesized.filter((s) => s.name.endsWith(' defaults')).map((s) => [s.stack, s.folder.json.variable!] as const);

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
