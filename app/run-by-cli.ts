/**
 * Whether the app was started by the CLI (`npm run cdktf -- …`: cdktn-cli, as cdktf-cli did before it) rather than by
 * `npm run synth`. The CLI prints the constructs' warnings itself, from the manifest, once each as a `WARN [stack]`
 * line, and relays the app's stderr as `[ERROR]` lines: the app's own copy of those warnings would say each twice, once
 * as an error. It is known by the context the CLI passes its app: CDKTF_CONTEXT_JSON with `cdktfRelativeModules`
 * (cdktn-cli 0.24.0's bundle/bin/cmds/handlers.js sets it, with CDKTF_OUTDIR, on every synth). A substring, not a
 * parse: a broken CDKTF_CONTEXT_JSON is cdktf's to refuse (hostile-settings.tools).
 */
export function runByCli(env: NodeJS.ProcessEnv): boolean {
  return env.CDKTF_CONTEXT_JSON?.includes('"cdktfRelativeModules"') === true;
}
