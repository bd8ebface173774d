// What rke-ha-hostname.test.ts and rke-ha-hostname.tools.test.ts share: the settings of a site, renamed, and the fronts
// a rename is modelled for.
import type { SettingsInput } from '../../../app/config/settings-schema';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings, RKE_HA_STACK } from '../../helpers/variants';

/**
 * A new `hostname` on a running deployment, on pairs of synthesized modules
 * (before: the name it was created with; after: the new one): the providers
 * that read the cluster on every refresh keep their configuration, so the plan
 * that carries the change can read the cluster; or, without a load balancer,
 * the guard refuses it with the procedure.
 */
export const synth = (input: SettingsInput): TerraformJson => synthSettings(RKE_HA_STACK, input).json;
export const SITE: SettingsInput = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
export const renamed = (input: SettingsInput): SettingsInput => ({ ...input, hostname: 'rancher2.example.com' });

export const FRONTS: [string, SettingsInput][] = [
  ['NLB', SITE],
  ['NLB, K3s', { ...SITE, rkeHa: { distribution: 'k3s' } }],
  ['TLS at an ALB', { ...SITE, rancher: { tls: { mode: 'external', issuer: 'acme' } } }],
  ["NLB, Let's Encrypt", { ...SITE, rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } } } }],
];

/** Where Terraform reaches the Kubernetes API. */
export const apiHost = (json: TerraformJson): string => json.provider!.kubernetes[0].host;
