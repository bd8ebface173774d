import { awsOf, FakeCloud, stateOf } from '../helpers/fake-cloud';
import { synthSettings } from '../helpers/variants';

// The built CLI, as `npm run <command>` runs it, against the stubbed terraform/aws/kubectl of the fake cloud: how each
// command fails (one line on stderr naming the cause, no Node stack trace) and what its own --help prints.

const COMMANDS = ['teardown', 'roll', 'rotate', 'drill', 'failover', 'failback', 'acceptance'] as const;
/** An option each command's help names and no other command's does. */
const OWN_OPTION: Record<(typeof COMMANDS)[number], string> = {
  teardown: '--keep-snapshots',
  roll: '--new-image',
  rotate: 'token rotate',
  drill: '--etcd',
  failover: '--primary-lost',
  failback: 'failback.out',
  acceptance: '--budget-minutes',
};

let world: FakeCloud;
beforeAll(() => {
  const json = synthSettings('rke-ha', {}).json;
  const state = stateOf(json);
  world = new FakeCloud(json, { state, aws: awsOf(state), cluster: { apiUp: true } });
});
afterAll(() => world.remove());

/** One line on stderr, from this CLI, and no trace of a stack (`    at fn (file:line)`). */
function expectOneCleanLine(err: string): void {
  expect(err).not.toMatch(/^\s+at /m);
  expect(err.split('\n').filter(Boolean)).toHaveLength(1);
  expect(err).toMatch(/^rancher-ha-aws: /);
}

describe.each(COMMANDS)('%s', (command) => {
  it('--help prints its own part of the help, not every command', () => {
    for (const help of ['--help', '-h']) {
      const result = world.run([command, help]);
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toMatch(new RegExp(`^Usage: rancher-ha-aws ${command} `));
      expect(result.out).toContain(OWN_OPTION[command]);
      for (const other of COMMANDS.filter((c) => c !== command)) expect(result.out).not.toContain(OWN_OPTION[other]);
    }
  });

  it('a mistyped option: one line naming it, the nearest option, and where the options are listed', () => {
    const result = world.run([command, 'rke-ha', '--dry-rn']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.err);
    expect(result.err).toContain(`Unknown option '--dry-rn'. Did you mean --dry-run? \`rancher-ha-aws ${command} --help\` lists the options.`);
    expect(result.out).toBe('');
  });
});

it('the whole help still lists every command, and says how to see one', () => {
  const result = world.run(['--help']);
  expect(result).toMatchObject({ code: 0, err: '' });
  for (const option of Object.values(OWN_OPTION)) expect(result.out).toContain(option);
  expect(result.out).toContain('rancher-ha-aws <command> --help');
});

it.each([
  ['teardown', ['teardown', '--dir', 'module', '--yes']],
  ['teardown --dry-run', ['teardown', '--dir', 'module', '--dry-run']],
  ['roll', ['roll', '--dir', 'module', '--dry-run']],
  ['rotate', ['rotate', '--dir', 'module', 'token', '--dry-run']],
  // Not its dry run, which reads no state (drill.tools).
  ['drill', ['drill', 'rke-ha', '--dir', 'module']],
])('%s: a failing terraform is one line on stderr, naming the command that failed', (_name, args) => {
  world.update((w) => {
    w.failures = { 'terraform state pull': 1 };
    w.failureMessages = { 'terraform state pull': 'Error: Failed to load state\n\nthe backend answered 403\n' };
  });
  const result = world.run(args, { env: { RANCHER_CONFIG: '/nonexistent/rancher.yaml' } });
  expect(result.code).not.toBe(0);
  expectOneCleanLine(result.err);
  world.update((w) => {
    w.failures = {};
  });
});

/** The --json report on standard output: its one error-level message, and that there is exactly one. */
function oneError(out: string): { code: string; text: string; data?: Record<string, unknown> } {
  const report = JSON.parse(out) as { exitCode: number; messages: { level: string; code: string; text: string; data?: Record<string, unknown> }[] };
  const errors = report.messages.filter((m) => m.level === 'error');
  expect(errors).toHaveLength(1);
  return errors[0];
}

// --json once printed nothing on standard output for a mistake on the command line or a failure before the run, and
// `"messages": []` for one thrown in it (a pipeline saw exit 1 and no reason): each is now its one coded message.
describe('--json: every failure is exactly one error-level message with a stable code', () => {
  it('a missing stack word (exit 2), before any run', () => {
    const result = world.run(['roll', '--json']);
    expect(result.code).toBe(2);
    expectOneCleanLine(result.err);
    expect(oneError(result.out)).toMatchObject({ code: 'ROLL_USAGE', data: { exitCode: 2 } });
    expect(JSON.parse(result.out)).toMatchObject({ command: 'roll', exitCode: 2 });
  });

  it('a module never synthesized (exit 1), naming the folder', () => {
    const result = world.run(['drill', 'rke-ha', '--json'], { cwd: '/' });
    expect(result.code).toBe(1);
    expectOneCleanLine(result.err);
    expect(oneError(result.out)).toMatchObject({ code: 'DRILL_NO_MODULE', data: { folder: '/cdktf.out/stacks/rke-ha', exitCode: 1 } });
  });

  it.each([
    ['teardown', ['teardown', '--dir', 'module', '--yes', '--json']],
    ['roll', ['roll', '--dir', 'module', '--dry-run', '--json']],
  ])('%s: a terraform that fails in the run (exit 1), with the command that failed', (command, args) => {
    world.update((w) => {
      w.failures = { 'terraform state pull': 1 };
      w.failureMessages = { 'terraform state pull': 'Error: Failed to load state\n\nthe backend answered 403\n' };
    });
    const result = world.run(args, { env: { RANCHER_CONFIG: '/nonexistent/rancher.yaml' } });
    world.update((w) => {
      w.failures = {};
    });
    expect(result.code).toBe(1);
    const error = oneError(result.out);
    expect(error).toMatchObject({
      code: `${command.toUpperCase()}_TERRAFORM_FAILED`,
      data: { command: 'terraform state pull', commandExitCode: 1, exitCode: 1 },
    });
    expect(error.text).toContain('the backend answered 403');
  });
});

it('an unknown command: one line naming the commands and the nearest', () => {
  const result = world.run(['tear-down']);
  expect(result.code).toBe(2);
  expectOneCleanLine(result.err);
  expect(result.err).toContain(
    "Unknown command 'tear-down': the commands are teardown, roll, rotate, drill, failover, failback, acceptance. Did you mean teardown?",
  );
});

// `rotate rke-ha --dry-run` once said "not 'rke-ha'", as if the stack were the mistake.
it.each([
  [
    ['rotate', 'rke-ha', '--dry-run'],
    'rotate: the word saying what to rotate is missing after rke-ha: add token or encryption-key (`rotate rke-ha token`).',
  ],
  [
    ['rotate', '--dir', 'module'],
    'rotate: the word saying what to rotate is missing after the module: add token or encryption-key (`rotate --dir <module folder> token`).',
  ],
  [
    ['rotate', 'rke-ha', 'certificates'],
    "rotate: 'certificates' is not something rotate rotates: name token or encryption-key (`rotate rke-ha token`).",
  ],
  [
    ['rotate', 'tokn'],
    "rotate: 'tokn' is neither a stack (rke-ha, k8s-ha, docker) nor what to rotate (token or encryption-key): `rotate rke-ha token`.",
  ],
  [['rotate', 'token', 'rke-ha'], 'rotate: the stack comes first, then what to rotate: `rotate rke-ha token`.'],
  [
    ['rotate', 'rke-ha', 'token', 'again'],
    'Unexpected argument again after token: rotate takes the stack, then what to rotate (`rotate rke-ha token`).',
  ],
  [
    ['rotate', 'k8s-ha'],
    "rotate is for rke-ha, the stack with servers of its own to rotate: k8s-ha installs Rancher onto a cluster you already run: its servers and their secrets are that cluster's own (`rotate rke-ha token`).",
  ],
  [
    ['rotate', 'docker', 'encryption-key'],
    "rotate is for rke-ha, the stack with servers of its own to rotate: docker runs Rancher's container on one host, not a cluster of servers with a token and an encryption key (`rotate rke-ha encryption-key`).",
  ],
])('rotate %j: one line saying which word is missing or wrong, and the choices', (args, message) => {
  const result = world.run(args);
  expect(result.code).toBe(2);
  expectOneCleanLine(result.err);
  expect(result.err).toContain(message);
  expect(result.err).not.toContain("not 'rke-ha'");
  expect(result.err).not.toContain('rotate token token');
});

it('acceptance without its required region: refused, naming the option, with no stack trace', () => {
  const result = world.run(['acceptance', 'rke-ha', '--dry-run']);
  expect(result.code).toBe(2);
  expect(result.err).toBe('');
  expect(result.out).toContain('--region');
});
