import { TerraformOutput, type TerraformStack } from 'cdktf';
import { configureBackend } from './backend/state-backend';
import { DeploymentVariables } from './deployment-variables';
import type { BackendSettings, Settings } from './config/settings-schema';
import { localStateGuard } from './backend/local-state-guard';
import { DEPLOYMENT_TAG } from '../lib/common/private/tags';
import { configureBaseProviders } from '../lib/common/providers';
import { REQUIRED_TERRAFORM_VERSION } from '../lib/common/terraform-version';
import { deploymentPrefix } from '../lib/deployments/private/stack-level-names';

/** What every stack starts with: its resource name prefix and its Terraform variables. */
export interface StackFoundation {
  /** `<settings.name>-<stack id>`: prefix of every resource name, and the deployment tag. */
  readonly name: string;
  readonly inputs: DeploymentVariables;
}

/**
 * The Terraform version floor, the explicit backend, the base providers with
 * the deployment tag, and the environment variables (hostname, zone, admin
 * CIDRs): identical in every stack, but that a stack without admin ports has
 * no admin CIDRs and a name derived from an address (`dns.mode: wildcard`) no
 * hostname and zone.
 */
export function stackFoundation(
  stack: TerraformStack,
  settings: Settings,
  options: ConstructorParameters<typeof DeploymentVariables>[3] = {},
): StackFoundation {
  const id = stack.node.id;
  const name = deploymentPrefix(stack, settings.name);
  // The constructs declare it too (requireTerraformVersion); the app states it for every stack it writes.
  stack.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
  configureBackend(stack, id, settings.backend, settings.region);
  configureBaseProviders(stack, { region: settings.region, tags: { ...settings.tags, [DEPLOYMENT_TAG]: name } });
  return { name, inputs: new DeploymentVariables(stack, 'inputs', settings, options) };
}

/**
 * The outputs every stack ends with: the URL (derived from the readiness
 * probe, so it is only reported once Rancher answered), the sensitive
 * bootstrap password, and with the first-login bootstrap the admin password
 * and API token it set (sensitive).
 */
export function rancherOutputs(
  stack: TerraformStack,
  props: { readonly url: string; readonly bootstrapPassword: string; readonly adminPassword?: string; readonly adminToken?: string },
  backend?: BackendSettings,
): void {
  // With local state: the plan stops in a folder copied away from its state (localStateGuard).
  const guard = backend && localStateGuard(stack.node.id, backend);
  const url = new TerraformOutput(stack, 'rancher_url', {
    value: props.url,
    description: 'Rancher, answering /ping when the apply finished',
  });
  // cdktf 0.21 keeps an output's `precondition` but does not write it.
  if (guard) url.addOverride('precondition', [{ condition: guard.condition, error_message: guard.errorMessage }]);
  new TerraformOutput(stack, 'rancher_bootstrap_password', {
    value: props.bootstrapPassword,
    sensitive: true,
    // One name for the login: rancher_admin_password while the bootstrap is on (the same value); this one only without it.
    description:
      'The generated password Rancher starts with. With the first-login bootstrap on (the default) log in with rancher_admin_password, the same value; with it off, log in once with this one (terraform output -raw rancher_bootstrap_password)',
  });
  if (props.adminPassword !== undefined) {
    new TerraformOutput(stack, 'rancher_admin_password', {
      value: props.adminPassword,
      sensitive: true,
      description: 'Password of the admin user, set by the first-login bootstrap (terraform output -raw rancher_admin_password)',
    });
  }
  if (props.adminToken !== undefined) {
    new TerraformOutput(stack, 'rancher_admin_token', {
      value: props.adminToken,
      sensitive: true,
      description:
        'Admin API token of the first-login bootstrap, for the Rancher API or a rancher2 provider (terraform output -raw rancher_admin_token)',
    });
  }
}
