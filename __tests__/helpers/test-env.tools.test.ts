import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchFolder } from './scratch';
import { runBounded } from './subprocess';
import { GIT_ENV, testEnv } from './test-env';

// What a developer's shell or git configuration holds must not decide a test's result: the processes the suite starts
// get the environment test-env.ts makes. Each case builds the hostile setting a contributor may have (a global git
// configuration that signs commits and runs a failing hook and names no identity, Terraform arguments exported for
// every command) and shows that the suite's processes run as on a bare machine, and that the setting is hostile
// (a process given the caller's environment as it is fails).

let dir: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = scratchFolder('test-env-');
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

describe('testEnv with GIT_ENV', () => {
  it("commits in a scratch repository whatever the user's git configuration: no identity, commit.gpgsign, a hook that fails", () => {
    mkdirSync(join(dir, 'hooks'));
    writeFileSync(join(dir, 'hooks', 'pre-commit'), '#!/bin/sh\necho "the user\'s own hook" >&2\nexit 1\n', { mode: 0o755 });
    writeFileSync(
      join(dir, 'gitconfig'),
      `[commit]\n\tgpgsign = true\n[core]\n\thooksPath = ${join(dir, 'hooks')}\n[user]\n\tuseConfigOnly = true\n`,
    );
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'file'), 'x\n');
    // The contributor's machine: this configuration, no identity in the environment, a HOME without one.
    const shell: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'), HOME: dir, EMAIL: '' };
    for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete shell[key];
    const git = (env: NodeJS.ProcessEnv, ...args: string[]) => runBounded('git', args, { cwd: repo, env });
    expect(git(shell, 'init', '-q').status).toBe(0);
    expect(git(shell, 'add', 'file').status).toBe(0);
    expect(git(shell, 'commit', '-qm', 'x').status).not.toBe(0);
    const commit = git(testEnv(GIT_ENV, shell), 'commit', '-qm', 'x');
    expect(commit.stderr).toBe('');
    expect(commit.status).toBe(0);
  });
});

describe('TERRAFORM_ENV', () => {
  it("runs terraform without the TF_CLI_ARGS and TF_VAR_* of the caller's shell", () => {
    process.env.TF_CLI_ARGS = '-no-such-flag';
    process.env.TF_VAR_test_env_x = 'from the shell';
    // The shell's settings are hostile: terraform given them as they are refuses the flag.
    writeFileSync(join(dir, 'main.tf'), 'variable "test_env_x" {\n  type = string\n}\n');
    expect(
      runBounded('terraform', ['validate', '-no-color'], { cwd: dir, env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } }).status,
    ).not.toBe(0);
    // The helper reads the environment at import, as the test files import it: here, with this shell's.
    let helpers!: typeof import('./terraform');
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module, reading this environment
      helpers = require('./terraform') as typeof import('./terraform');
    });
    expect(helpers.evaluate('"${var.test_env_x} seen by test-env.tools"', { test_env_x: 'the module default' })).toBe(
      'the module default seen by test-env.tools',
    );
  });
});
