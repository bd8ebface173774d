import { COMMAND_NAMES, COMMAND_STACKS, type CommandLine, helpOf, parseCommandLine, UsageError } from '../../cli/command-line';

/** The command line a run gets, or the test fails naming what was parsed instead. */
function run(args: readonly string[]): CommandLine {
  const parsed = parseCommandLine(args);
  if (!('run' in parsed)) throw new Error(`expected a command to run, got help: ${parsed.help.slice(0, 80)}`);
  return parsed.run;
}

describe('the operations command line, as the commands declare it', () => {
  it('reads the command, the stack, flags and options with values (also as --opt=value), numbers as numbers', () => {
    expect(run(['roll', 'rke-ha', '--server', 'server-1', '--dry-run', '--wait-minutes=5'])).toEqual({
      command: 'roll',
      stack: 'rke-ha',
      options: { server: 'server-1', dryRun: true, waitMinutes: 5 },
    });
    expect(run(['roll', '--dir', 'module', '--deployment=acme']).options).toEqual({ dir: 'module', deployment: 'acme' });
    expect(run(['drill', 'rke-ha', '--keep', '--etcd', '--teardown', '--name=prod-drill']).options).toEqual({
      keep: true,
      etcd: true,
      teardown: true,
      name: 'prod-drill',
    });
    // The acceptance run's phase lists, split and trimmed; its budget read within its own bounds.
    expect(run(['acceptance', 'rke-ha', '--only', 'ping, login,,roll', '--budget-minutes', '30']).options).toEqual({
      only: ['ping', 'login', 'roll'],
      budgetMinutes: 30,
    });
  });

  it('refuses an option another command declares, and suggests the nearest of its own', () => {
    // --keep is the drill's; --dry-rn is one letter from the roll's --dry-run.
    expect(() => parseCommandLine(['roll', '--keep'])).toThrow("Unknown option '--keep'.");
    expect(() => parseCommandLine(['roll', 'rke-ha', '--dry-rn'])).toThrow("Unknown option '--dry-rn'. Did you mean --dry-run?");
    expect(() => parseCommandLine(['rol', 'rke-ha'])).toThrow(
      "Unknown command 'rol': the commands are teardown, roll, rotate, drill, failover, failback, acceptance. Did you mean roll?",
    );
  });

  it('refuses a missing value, an option for a value, a value out of bounds, a stray word and excluded options', () => {
    expect(() => parseCommandLine(['teardown', '--dir'])).toThrow("Option '--dir <module folder>' argument missing.");
    expect(() => parseCommandLine(['teardown', '--token-file', '--yes'])).toThrow(
      "Option '--token-file <file>' argument '--yes' is invalid. It needs a value, not another option.",
    );
    for (const [args, bounds] of [
      [['roll', '--wait-minutes', '0'], 'from 1 to 240'],
      [['drill', '--wait-minutes', '2.5'], 'from 1 to 240'],
      [['acceptance', '--downstream-minutes', '241'], 'from 1 to 240'],
      [['acceptance', '--budget-minutes=29'], 'from 30 to 1440'],
    ] as const)
      expect(() => parseCommandLine(args)).toThrow(`is invalid. Expected a whole number of minutes ${bounds}.`);
    expect(() => parseCommandLine(['teardown', 'rke-ha', 'docker'])).toThrow("Too many arguments for 'teardown'. Expected 1 argument but got 2");
    expect(() => parseCommandLine(['roll', '--all', '--server', 'server-0'])).toThrow("Option '--all' cannot be used with option '--server <name>'.");
    expect(() => parseCommandLine(['roll', '--server=server-0', '--new-image'])).toThrow('cannot be used with');
  });

  it('reads what rotate rotates from its last word, after the stack or after --dir', () => {
    expect(run(['rotate', 'rke-ha', 'token', '--dry-run'])).toMatchObject({ command: 'rotate', stack: 'rke-ha', what: 'token' });
    expect(run(['rotate', '--dir', 'module', 'token'])).toMatchObject({ stack: undefined, what: 'token' });
    expect(() => parseCommandLine(['rotate', 'rke-ha', 'k8s-ha', 'token'])).toThrow('Unexpected argument k8s-ha.');
    expect(run(['roll', 'rke-ha']).what).toBeUndefined();
  });

  it("names the order when rotate's words are swapped, and the word too many after what it rotates", () => {
    expect(() => parseCommandLine(['rotate', 'token', 'rke-ha'])).toThrow(
      'rotate: the stack comes first, then what to rotate: `rotate rke-ha token`.',
    );
    expect(() => parseCommandLine(['rotate', 'encryption-key', 'rke-ha', '--dry-run'])).toThrow('`rotate rke-ha encryption-key`');
    expect(() => parseCommandLine(['rotate', 'rke-ha', 'token', 'now'])).toThrow(
      'Unexpected argument now after token: rotate takes the stack, then what to rotate (`rotate rke-ha token`).',
    );
    expect(() => parseCommandLine(['rotate', '--dir', 'module', 'token', 'now'])).toThrow('Unexpected argument now after token');
  });

  it('reads one word after rotate as the stack unless it is a rotation or --dir gives the module (the rotation left out is said to be missing)', () => {
    expect(run(['rotate', 'rke-ha', '--dry-run'])).toMatchObject({ stack: 'rke-ha', what: undefined });
    expect(run(['rotate', 'encryption-key', '--dir', 'module'])).toMatchObject({ stack: undefined, what: 'encryption-key' });
    // The rotation without the stack or --dir: the stack word is missing (below).
    expect(() => run(['rotate', 'token'])).toThrow('rotate: name the stack (rke-ha) or the module folder with --dir <folder>.');
    // Not refused by the parser: the rotate runner names the choices in its own words (command-line.tools).
    expect(run(['rotate', '--dir', 'module', 'certificates'])).toMatchObject({ stack: undefined, what: 'certificates' });
  });

  // Once exit 1 for roll and teardown and 2 for the rest, naming rke-ha alone for drill, failover and failback, and
  // rotate told only the rotation was missing (the stack came a second round).
  it.each(COMMAND_NAMES)('%s without its stack word: a usage error (exit 2) naming every stack it takes, in one round', (command) => {
    const refusal = () => parseCommandLine(command === 'acceptance' ? [command, '--region', 'eu-west-1'] : [command]);
    expect(refusal).toThrow(UsageError);
    expect(refusal).toThrow(`${command}: name the stack (${COMMAND_STACKS[command].join(', ')})`);
    if (command === 'rotate') expect(refusal).toThrow('and what to rotate (token or encryption-key): `rotate rke-ha token`.');
    // The acceptance run refuses a word that is no stack itself (ACCEPTANCE_STACK_UNKNOWN, acceptance.tools).
    if (command !== 'acceptance')
      expect(() => parseCommandLine([command, 'rke', ...(command === 'rotate' ? ['token'] : [])])).toThrow(`${command}: 'rke' is not a stack: name`);
  });

  it('takes --dir, or --teardown-run for acceptance, in place of the stack word', () => {
    expect(run(['roll', '--dir', 'module']).stack).toBeUndefined();
    expect(run(['acceptance', '--teardown-run', 'r1']).stack).toBeUndefined();
    expect(COMMAND_STACKS).toMatchObject({ drill: ['rke-ha', 'k8s-ha'], failover: ['rke-ha', 'k8s-ha'], teardown: ['rke-ha', 'k8s-ha', 'docker'] });
  });

  it('answers --help and -h with the one command, no command with the whole help and exit code 2', () => {
    for (const help of ['--help', '-h']) expect(parseCommandLine(['roll', help])).toEqual({ help: helpOf('roll'), code: 0 });
    expect(parseCommandLine([])).toEqual({ help: helpOf(), code: 2 });
    expect(COMMAND_NAMES).toEqual(['teardown', 'roll', 'rotate', 'drill', 'failover', 'failback', 'acceptance']);
  });

  it("shows rotate's choices and each default the commands apply, from the declarations", () => {
    expect(helpOf('rotate', 200)).toMatch(/Usage: rancher-ha-aws rotate \[options\] \[stack\] <token\|encryption-key>\n/);
    expect(helpOf('rotate', 200)).toContain('(choices: "token", "encryption-key")');
    expect(helpOf('roll', 200)).toContain('budget for each new server to be Ready and an etcd voter (default: 25)');
    expect(helpOf('acceptance', 200)).toContain('time budget, stated with its cost before the start (default: 390)');
    // The whole help holds every command's own part.
    for (const command of COMMAND_NAMES) expect(helpOf(undefined, 200)).toContain(`Usage: rancher-ha-aws ${command} `);
  });
});
