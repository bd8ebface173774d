// What rke-ha-gates.test.ts and rke-ha-gates.tools.test.ts share: the first apply's module and its join-token
// parameters. Synthesizes only when called.
import type { SettingsInput } from '../../../app/config/settings-schema';
import { resources, type TerraformJson } from '../../helpers/synth';
import { EXAMPLE_DOMAIN, synthSettings, RKE_HA_STACK } from '../../helpers/variants';

export const synth = (input: SettingsInput) => synthSettings(RKE_HA_STACK, { ...EXAMPLE_DOMAIN, ...input }).json;

/** The join token's SSM parameter and the cluster CA's, as `json` writes them. */
export function joinTokenParameters(json: TerraformJson) {
  const parameters = resources(json, 'aws_ssm_parameter');
  const token = Object.entries(parameters).find(([n]) => n.startsWith('boot-parameters_token'))![1];
  const ca = Object.entries(parameters).find(([n]) => n.startsWith('boot-parameters_server-ca-cert'))![1];
  return { token, ca };
}
