// The entry __tests__/cdktn.tools.test.ts bundles (its packages left external, so `cdktf` is whichever the bundle's
// folder resolves: cdktf 0.21.0 in the scratch folder, or this checkout's, which is cdktn): every stack variant the
// tests know, each synthesized by the path the app takes (app/main.ts synth): `App.synth()` writes the output folder
// (manifest.json, cdk.tf.json, assets/) with the library's own serializer, then `writeStackOutput` leaves the stack's
// folder as JSON or as HCL. Not the tests' synthStack, whose text is JSON.stringify of toTerraform() and never the file
// cdktf writes.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { RKE_HA_STACK } from '../../app/stacks/rke-ha';
import { skipTokenTraces } from '../../app/token-traces';
import { writeStackOutput } from '../../lib/synth/stack-output';
import { buildStack, RKE_HA_TLS_VARIANTS, STACK_VARIANTS } from './variants';

/** Every variant's output folder, as JSON into `out/json/<file name>` and as HCL into `out/hcl/<file name>`. */
export function synthVariantFolders(out: string): number {
  skipTokenTraces();
  const all = [
    ...STACK_VARIANTS.map((v) => ({ name: v.name, build: (app: App) => buildStack(app, v.stack, v.settings) })),
    ...Object.entries(RKE_HA_TLS_VARIANTS).map(([pair, tls]) => ({
      name: `rke-ha tls ${pair}`,
      build: (app: App) => buildStack(app, RKE_HA_STACK, { rancher: { tls } }),
    })),
  ];
  for (const { name, build } of all) {
    const file = name.replace(/[^A-Za-z0-9+.-]+/g, '_');
    const [json, hcl] = [join(out, 'json', file), join(out, 'hcl', file)];
    mkdirSync(join(out, 'json'), { recursive: true });
    const app = new App({ outdir: json });
    const stack = build(app);
    app.synth();
    // The HCL folder is converted from the JSON cdktf wrote, as the app does with --hcl.
    cpSync(json, hcl, { recursive: true });
    writeStackOutput(json, [stack], 'json');
    writeStackOutput(hcl, [stack], 'hcl');
  }
  return all.length;
}
