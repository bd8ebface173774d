// What rke-ha-tls.test.ts and rke-ha-tls.tools.test.ts share: every TLS variant synthesized, and a release by its chart.
// Synthesizes only when called.
import { resources, type StackFolder, type TerraformJson } from '../../helpers/synth';
import { RKE_HA_TLS_VARIANTS as VARIANTS, synthSettings, synthSettingsFolder, RKE_HA_STACK } from '../../helpers/variants';

/** Every TLS variant's Terraform JSON (the unit tier). */
export const synthesizeVariants = (): Record<string, { json: TerraformJson; text: string }> =>
  Object.fromEntries(Object.entries(VARIANTS).map(([name, tls]) => [name, synthSettings(RKE_HA_STACK, { rancher: { tls } })]));

/** Synthesized as `cdktf synth --hcl` would: the JSON cdktf wrote, and the stack folder in HCL (the tools tier). */
export const synthesizeFolders = (): Record<string, StackFolder> =>
  Object.fromEntries(Object.entries(VARIANTS).map(([name, tls]) => [name, synthSettingsFolder(RKE_HA_STACK, { rancher: { tls } })]));

export const release = (json: TerraformJson, chart: string) => Object.values(resources(json, 'helm_release')).find((r) => r.chart === chart);
