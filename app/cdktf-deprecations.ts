/**
 * cdktf 0.21 calls `util.isArray` when it synthesizes an output (TerraformOutput's check for an addressable value),
 * and Node.js deprecates that call at run time from 22 on (DEP0044): every synth on 22, 24 and 26 printed a
 * DeprecationWarning, with no action for the person reading it, between the warnings that have one (the pins'). This
 * keeps that one code off stderr and hands every other warning to the printers that were listening, Node's own
 * included, so they print as before. Node's documented switch, `--disable-warning=DEP0044`, is a flag of the process:
 * the app cannot set it once started (`npm run synth` and cdktf.json's app command run the bundle in their own
 * process), and Node 20 before 20.11 refuses it. It goes with cdktf 0.21: CDK Terrain does not make the call.
 */
export const CDKTF_DEPRECATION = 'DEP0044';

/** Warnings of code DEP0044 reach no printer from now on; the others reach the same ones as before, in order. */
export function hideCdktfDeprecation(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === CDKTF_DEPRECATION) return;
    for (const print of printers) print(warning);
  });
}
