// What rke-ha-tls.test.ts and rke-ha-tls.tools.test.ts share: every TLS variant synthesized, and a release by its chart.
// Synthesizes only when called.
import { RKE_HA_STACK } from '../../app/stacks/rke-ha';
import { resources, type StackFolder, type TerraformJson } from '../helpers/synth';
import { RKE_HA_TLS_VARIANTS as VARIANTS, synthSettingsFolder } from '../helpers/variants';

// Synthesized as `cdktf synth --hcl` would: the JSON cdktf wrote, and the stack folder in HCL.
export const synthesizeVariants = (): Record<string, StackFolder> =>
  Object.fromEntries(Object.entries(VARIANTS).map(([name, tls]) => [name, synthSettingsFolder(RKE_HA_STACK, { rancher: { tls } })]));

export const release = (json: TerraformJson, chart: string) => Object.values(resources(json, 'helm_release')).find((r) => r.chart === chart);
