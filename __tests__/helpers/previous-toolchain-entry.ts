// The entry helpers/previous-toolchain.ts bundles with the code's @cdktn imports mapped back to the @cdktf bindings
// (its packages left external, so `cdktf` is the scratch folder's 0.21.0): the default rke-ha, k8s-ha and docker
// stacks with the settings given as JSON in argv[2], each as the JSON of toTerraform(), as helpers/synth.ts's
// synthStack gives it.
import { App } from 'cdktf';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipTokenTraces } from '../../app/token-traces';
import type { SettingsInput } from '../../app/config/settings-schema';
import { buildStack, type StackName } from './variants';

export function synthDefaults(input: SettingsInput): Record<StackName, unknown> {
  skipTokenTraces();
  const stacks: StackName[] = ['rke-ha', 'k8s-ha', 'docker'];
  return Object.fromEntries(
    stacks.map((name) => {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'previous-toolchain-')) });
      return [name, JSON.parse(JSON.stringify(buildStack(app, name, input).toTerraform()))];
    }),
  ) as Record<StackName, unknown>;
}
