/** The two forms a stack folder can hold; exactly one of them after a synth. */
export type OutputFormat = 'json' | 'hcl';

/**
 * The format `cdktf synth` asked for, read before the App exists. `--hcl`
 * reaches the app as SYNTH_HCL_OUTPUT; it is removed so that cdktf always
 * writes JSON, which `writeStackOutput` then turns into HCL itself: cdktf
 * 0.21's own HCL renderer writes invalid Terraform (see docs/design-notes.md).
 * In a module of its own, without cdktf: the app reads it before it loads cdktf.
 */
export function takeOutputFormat(env: NodeJS.ProcessEnv = process.env): OutputFormat {
  const requested = env.SYNTH_HCL_OUTPUT;
  delete env.SYNTH_HCL_OUTPUT;
  return requested === 'true' || requested === '1' ? 'hcl' : 'json';
}
