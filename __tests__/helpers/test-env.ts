/**
 * The environment a test gives a process it starts: the caller's (PATH, the suite's own RANCHER_TEST_* folders),
 * less what would steer the product or its tools from outside the test. A developer's shell may export the app's
 * own switches (RANCHER_CONFIG names another settings file, RANCHER_DEBUG adds the stack trace a test holds absent,
 * RANCHER_HA_AWS_SYNTH another synth), Terraform's (TF_VAR_* sets a variable a plan reads, TF_CLI_ARGS_* adds
 * arguments, TF_DATA_DIR moves .terraform), cdktf's (CDKTF_OUTDIR), a kubeconfig, or git's (a hook exports GIT_DIR
 * and GIT_INDEX_FILE, which send a test's git at the checkout instead of its scratch repository). A test that needs
 * one of them sets it itself.
 */
export function testEnv(extra: Readonly<Record<string, string>> = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) if (!steersFromOutside(key)) env[key] = value;
  return { ...env, ...extra };
}

/** The suite's own variables (RANCHER_TEST_*, RANCHER_MUTATION_*) pass; the product's and its tools' do not. */
function steersFromOutside(key: string): boolean {
  if (/^RANCHER_(TEST|MUTATION)_/.test(key)) return false;
  return /^(RANCHER_|CDKTF_|TF_|GIT_)/.test(key) || key === 'KUBECONFIG';
}

/**
 * git with no configuration of the user's or the machine's (GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM: no
 * `commit.gpgsign` asking for a key, no `core.hooksPath` running the user's hooks, no `init.defaultBranch` or
 * template) and an identity of its own, so a commit in a scratch repository needs no `user.name`/`user.email`.
 */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'rancher-ha-aws test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'rancher-ha-aws test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};
