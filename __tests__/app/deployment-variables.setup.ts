// What deployment-variables.test.ts and deployment-variables.tools.test.ts share: DeploymentVariables synthesized with
// its values as outputs.
import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { TerraformOutput } from 'cdktf';
import { DeploymentVariables } from '../../app/deployment-variables';
import { settings, synthConstruct } from '../helpers/synth';

/** DeploymentVariables in an empty stack, its values surfaced as outputs. */
export function synth(
  input: Record<string, unknown>,
  options: { adminAccess?: boolean; route53Name?: boolean; ipv6AdminCidrs?: boolean; deployerAddressCheck?: boolean } = {},
) {
  let inputs!: DeploymentVariables;
  const result = synthConstruct((stack) => {
    new HttpProvider(stack, 'http');
    inputs = new DeploymentVariables(stack, 'inputs', settings(input), options);
    if (options.route53Name !== false) {
      new TerraformOutput(stack, 'hostname', { value: inputs.hostname });
      new TerraformOutput(stack, 'zone', { value: inputs.zoneName });
    }
    if (options.adminAccess !== false) new TerraformOutput(stack, 'admin', { value: inputs.adminCidrs });
  });
  return { ...result, inputs };
}
