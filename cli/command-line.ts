// The operations commands' command line, declared once through commander: each command's words, options (value
// placeholder, description, default, how the value is read) and help text. From it come the parser, what `--help`
// and `<command> --help` print, and docs/commands.md (scripts/commands-reference.ts, `npm run docs:commands`).
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BUDGET_MINUTES } from './acceptance/acceptance';
import { DOWNSTREAM_MINUTES } from './acceptance/acceptance-downstream';
import { BUDGETS } from './roll/roll';
import { ROTATE_BUDGETS, ROTATIONS } from './rotate/rotate';
import { UsageError } from './shared/io/failure';
import { STACKS } from './shared/module-folder';
import { TOOL } from './shared/tool-version';

/** A mistake on the command line: exit code 2, one line naming it and where the options are listed. */
export { UsageError } from './shared/io/failure';

/** Every option any command takes, as commander names it (camelCase); each command declares its own. */
export interface CommandOptions {
  readonly dir?: string;
  readonly deployment?: string;
  readonly terraformBinary?: string;
  readonly keepSnapshots?: true;
  readonly yes?: true;
  readonly dryRun?: true;
  readonly tokenFile?: string;
  readonly all?: true;
  readonly server?: string;
  readonly newImage?: true;
  readonly waitMinutes?: number;
  readonly takeOver?: true;
  readonly json?: true;
  readonly name?: string;
  readonly keep?: true;
  readonly teardown?: true;
  readonly etcd?: true;
  readonly standby?: true;
  readonly primaryLost?: true;
  readonly prepare?: true;
  readonly localState?: true;
  readonly backup?: string;
  readonly keepStandby?: true;
  /** `--no-quiesce` (commander: false; true otherwise). */
  readonly quiesce?: boolean;
  readonly region?: string;
  readonly settings?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly hostedZone?: string;
  readonly outageRole?: string;
  readonly only?: readonly string[];
  readonly with?: readonly string[];
  readonly skip?: readonly string[];
  readonly budgetMinutes?: number;
  readonly downstreamMinutes?: number;
  readonly teardownRun?: string;
}

/** A parsed command line: the command, its stack, what rotate rotates, and the options given. */
export interface CommandLine {
  readonly command: string;
  readonly stack: string | undefined;
  /** What `rotate` rotates (its last word). */
  readonly what?: string;
  readonly options: CommandOptions;
}

export const MODULE_HELP = `<stack> is rke-ha, k8s-ha or docker (the module in cdktf.out/stacks/<stack>); a pipeline, or an app
of your own made with the constructs, gives the module folder with --dir instead. The commands find
the deployment in the module's state under any construct id; --deployment <name> picks one where
the module holds several.

Every command runs Terraform as \`terraform\` from PATH; --terraform-binary <path or name> (or the
environment variable RANCHER_HA_AWS_TERRAFORM) runs another, such as OpenTofu's \`tofu\` (docs/pipeline.md).`;

/** A default the command itself applies, shown as commander shows one; the value is not passed, so the command keeps owning it. */
const byDefault = (description: string, value: string | number) => `${description} (default: ${value})`;

/**
 * An option with a value. A value that starts with -- is refused rather than taken: `--token-file --yes` is a
 * forgotten file name, and taking `--yes` as one would also drop the flag the person meant.
 */
function valued<T = string>(flags: string, description: string, parse?: (value: string) => T): Option {
  return new Option(flags, description).argParser((value: string) => {
    if (value.startsWith('--')) throw new InvalidArgumentError('It needs a value, not another option.');
    return parse ? parse(value) : value;
  });
}

/** A whole number of minutes within [min, max]. */
const minutes = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Expected a whole number of minutes from ${min} to ${max}.`);
  return n;
};

/** A comma-separated list, its items trimmed, empty ones dropped. */
const list = (value: string) =>
  value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

const STACK_ARGUMENT = `${STACKS.join(', ')}: the module in cdktf.out/stacks/<stack> (or --dir)`;
// Options several commands share, made anew for each (commander's options belong to one command).
const dryRun = () => new Option('--dry-run', 'print the steps and change nothing');
const yes = () => new Option('--yes', 'no typed confirmation (pipelines)');
const terraformBinary = () => valued('--terraform-binary <path or name>', 'run this Terraform instead of `terraform` from PATH (OpenTofu: tofu)');

/** Where a command acting on a deployment finds its module: the stack's folder, or --dir; which deployment; which Terraform. */
function actsOnModule(command: Command, withDeployment = true): Command {
  const options = [
    valued('--dir <module folder>', 'the synthesized module folder, instead of the stack'),
    ...(withDeployment ? [valued('--deployment <name>', 'the deployment to act on, where the module holds more than one')] : []),
    terraformBinary(),
  ];
  for (const option of options) command.addOption(option.helpGroup('Finding the module:'));
  return command.addHelpText('after', `\n${MODULE_HELP}`);
}

function teardownCommand(): Command {
  const command = new Command('teardown')
    .summary('destroy a deployment from any state')
    .description(
      "destroy a deployment from any state (healthy, broken, half gone); without --keep-snapshots the etcd snapshots, Rancher's backups and the flow logs are deleted too",
    )
    .argument('[stack]', STACK_ARGUMENT)
    .option(
      '--keep-snapshots',
      "keep the etcd snapshot bucket and Rancher's backup bucket, their guards and KMS key (and the flow-log store); save the cluster token and the backups' encryption configuration beside them (never over a different file)",
    )
    .addOption(yes())
    .addOption(valued('--token-file <file>', byDefault('where --keep-snapshots saves the cluster token', './<name>-join-token')))
    .option('--json', 'the final report as JSON on standard output, progress on standard error')
    .addOption(dryRun());
  return actsOnModule(command);
}

function rollCommand(): Command {
  const command = new Command('roll')
    .summary('replace servers one at a time')
    .description('replace servers one at a time (those servers_pending_replacement lists)')
    .argument('[stack]', STACK_ARGUMENT)
    .addOption(new Option('--all', 'every server').conflicts(['server', 'newImage']))
    .addOption(valued('--server <name>', 'only this one (server-0, server-1, ...)').conflicts('newImage'))
    .option('--new-image', 'record the newest Ubuntu image first, then roll every server')
    .addOption(
      valued('--wait-minutes <n>', byDefault('budget for each new server to be Ready and an etcd voter', BUDGETS.rejoinMs / 60_000), minutes(1, 240)),
    )
    .option(
      '--take-over',
      'resume a roll whose machine is gone: take its Leases, though a server is out, once they were not renewed for an hour (never from a roll still running)',
    )
    .option('--json', 'the final report as JSON on standard output, progress on standard error')
    .addOption(dryRun());
  return actsOnModule(command);
}

function rotateCommand(): Command {
  // The words are read in order by rotateWords (it tells a swapped order from a misspelling), and what is rotated is
  // checked by the rotate runner with its own message: the choices are declared for the help, not checked here.
  const what = new Argument('[what]', 'what to rotate (after the stack, or after --dir)').choices(ROTATIONS).argParser((word: string) => word);
  const command = new Command('rotate')
    .summary("rotate an rke-ha cluster's token or RKE2's encryption key")
    .usage(`[options] [stack] <${ROTATIONS.join('|')}>`)
    .description(
      [
        "rotate a secret of an rke-ha deployment's cluster, one server restart at a time under the servers' restart Lease; resumable (run it again) after any stop.",
        '',
        "token: the cluster (join) token. `token rotate` runs on one server once the new token is written to the token parameter; then every server's token file is written and each server restarted.",
        '',
        "encryption-key: RKE2's secrets-encryption key. `secrets-encrypt rotate-keys` runs once on one server, no server restarts before it reports reencrypt_finished, then each other server is restarted.",
      ].join('\n'),
    )
    .argument('[stack]', 'rke-ha (the one stack with servers of its own), or --dir')
    .addArgument(what)
    .allowExcessArguments()
    .addOption(valued('--token-file <file>', byDefault('where the replaced token is saved', './<name>-join-token-<time>')))
    .addOption(
      valued(
        '--wait-minutes <n>',
        byDefault('budget for each restarted server to be healthy again', ROTATE_BUDGETS.restartMs / 60_000),
        minutes(1, 240),
      ),
    )
    .option('--take-over', 'resume a rotation whose machine is gone (its Lease not renewed for an hour)')
    .option('--json', 'the final report as JSON on standard output, progress on standard error')
    .addOption(dryRun());
  return actsOnModule(command);
}

function drillCommand(): Command {
  const command = new Command('drill')
    .summary("restore production's newest backup into a throwaway deployment, check it, time it")
    .description(
      "restore production's newest Rancher backup into a throwaway deployment (rke-ha), check it, time it, report (./drill.out/report-*.json) and tear the throwaway down, also on failure",
    )
    .argument('[stack]', "production's stack (rke-ha, k8s-ha)")
    .option('--keep', 'leave the throwaway up (tear it down later with --teardown)')
    .option('--teardown', 'only tear down the throwaway an earlier drill left')
    .addOption(valued('--name <name>', byDefault("the throwaway's name", "production's first 10 characters + -drill")))
    .addOption(valued('--wait-minutes <n>', byDefault('budget for Rancher to answer /ping once the apply is done', 10), minutes(1, 240)))
    .option(
      '--etcd',
      "restore production's newest etcd snapshot instead (RKE2): on the throwaway's first server, with production's cluster token (docs/drill.md)",
    )
    .option('--standby', "in production's standby.region, from the newest backup of its copy there (docs/drill.md)")
    .option('--json', 'the final report as JSON on standard output, progress on standard error')
    .option(
      '--dry-run',
      'print the steps, what it creates, how long and what it costs; reads the settings file only (no tool, no credentials), changes nothing',
    );
  return actsOnModule(command, false);
}

function failoverCommand(): Command {
  const command = new Command('failover')
    .summary('move production to its standby region')
    .description("restore the copy's newest backup in standby.region, check its CA, move the records; report in ./failover.out/")
    .argument('[stack]', "production's stack (rke-ha, k8s-ha)")
    .option('--prepare', 'apply the pilot light only (each deploy)')
    .option('--primary-lost', 'fail over although the primary answers /ping')
    .option('--local-state', "the standby's state in a local file")
    .addOption(valued('--backup <key>', 'instead of the newest'))
    .addOption(yes())
    .addOption(valued('--wait-minutes <n>', byDefault('budget for each /ping', 15), minutes(1, 240)))
    .option('--json', 'the final report as JSON on standard output, progress on standard error')
    .addOption(dryRun());
  return actsOnModule(command, false);
}

function failbackCommand(): Command {
  const command = new Command('failback')
    .summary('move production back after a failover')
    .description("after a failover: back to production's region, standby torn down; report in ./failback.out/")
    .argument('[stack]', "production's stack (rke-ha, k8s-ha)")
    .option('--keep-standby', 'leave the standby up')
    .option('--no-quiesce', "standby's newest scheduled backup, not stopped")
    .addOption(yes())
    .addOption(valued('--wait-minutes <n>', byDefault('budget for each /ping', 15), minutes(1, 240)))
    .option('--json', 'the final report as JSON on standard output, progress on standard error')
    .addOption(dryRun());
  return actsOnModule(command, false);
}

function acceptanceCommand(): Command {
  const phases = (description: string) => (flags: string) => valued(flags, description, list);
  return new Command('acceptance')
    .summary("prove a throwaway deployment's whole life in your account")
    .usage('[options] <stack> --region <region> | --teardown-run <run id>')
    .description(
      "prove a throwaway deployment's whole life in your account (rke-ha, k8s-ha, docker): a timed deploy, the phases --only lists (a stack skips those that do not apply), a teardown from a broken state, a sweep; a report in ./acceptance.out/<run id>/. Torn down on any failure, signal or overrun.",
    )
    .argument('[stack]', `${STACKS.join(', ')}`)
    .addOption(valued('--region <region>', 'required: where it runs (never a default)'))
    .addOption(valued('--name <name>', byDefault("the deployment's name; refused when a deployment has it", 'acc-<run id>')))
    .addOption(valued('--settings <file>', "take the deployment's shape from this settings file (refused with a backend)"))
    .addOption(valued('--kubeconfig <file>', 'k8s-ha: the cluster to install onto (refused when it has a cattle-system)'))
    .addOption(valued('--context <name>', byDefault('k8s-ha: the context of that file', 'its current context')))
    .addOption(
      valued(
        '--hosted-zone <zone>',
        "k8s-ha, docker's migrate, rke-ha's failover: a public Route53 zone of yours for the run's record <name>.<zone>",
      ),
    )
    .addOption(valued('--outage-role <arn>', byDefault("rke-ha's failover: the role it runs as, the primary's region denied", 'your own')))
    .addOption(
      phases(
        'only these, comma-separated: ping, login, second-plan, downstream, upgrade, roll, rotate, backup, metrics, drill, failover, break, and migrate (docker to rke-ha; only when named, with downstream)',
      )('--only <phases>'),
    )
    .addOption(phases('add these optional phases, comma-separated: rotate')('--with <phases>'))
    .addOption(phases('all but these')('--skip <phases>'))
    .addOption(
      valued('--budget-minutes <n>', byDefault('time budget, stated with its cost before the start', DEFAULT_BUDGET_MINUTES), minutes(30, 1440)),
    )
    .addOption(
      valued(
        '--downstream-minutes <n>',
        byDefault('how long the downstream cluster may take to be Active and connected after each phase', DOWNSTREAM_MINUTES.active),
        minutes(1, 240),
      ),
    )
    .addOption(valued('--wait-minutes <n>', byDefault('budget for Rancher to answer /ping once deployed', 10), minutes(1, 240)))
    .addOption(yes())
    .addOption(valued('--teardown-run <id>', 'only tear down and sweep what the run <id> left'))
    .addOption(terraformBinary())
    .option('--json', 'the final report as JSON on standard output, progress on standard error')
    .option('--dry-run', 'print the plan and change nothing');
}

/** The commands, in the order the help lists them. */
const COMMANDS = [teardownCommand, rollCommand, rotateCommand, drillCommand, failoverCommand, failbackCommand, acceptanceCommand] as const;

/** The whole CLI: its commands, none run, every exit and every message handed back (parseCommandLine). */
function program(out: (text: string) => void, width: number | undefined): Command {
  const root = new Command('rancher-ha-aws')
    .usage('<command> [<stack>] [options]')
    .description("Operations of a rancher-ha-aws deployment; `rancher-ha-aws <command> --help` prints one command's part.")
    .version(TOOL.version)
    .helpCommand(false);
  for (const declare of COMMANDS) root.addCommand(declare());
  for (const command of [root, ...root.commands]) {
    command
      // Help goes to `out`; errors are not written by commander at all, but thrown (exitOverride) to the one place
      // that writes them (main's `failed`), as one line.
      .configureOutput({
        writeOut: out,
        writeErr: out,
        outputError: () => undefined,
        getOutHelpWidth: () => width ?? process.stdout.columns ?? 80,
        getErrHelpWidth: () => width ?? process.stdout.columns ?? 80,
      })
      .showSuggestionAfterError()
      .exitOverride();
  }
  // The whole help lists every command's own part, as before.
  root.addHelpText('after', () => `\n${root.commands.map((c) => c.helpInformation()).join('\n')}\n${MODULE_HELP}`);
  return root;
}

/** The names of the commands, in the help's order. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map((declare) => declare().name());

/** What a command line asks: a command to run, or help to print with its exit code (2 when no command was named). */
export type Parsed = { readonly run: CommandLine } | { readonly help: string; readonly code: 0 | 2 };

/**
 * The command line read by the declarations above. A mistake throws a UsageError in commander's words, on one line;
 * an unknown command also names the commands there are.
 */
export function parseCommandLine(args: readonly string[], width?: number): Parsed {
  let printed = '';
  let run: CommandLine | undefined;
  const root = program((text) => (printed += text), width);
  for (const command of root.commands)
    command.action((...words: unknown[]) => {
      const options = command.opts<CommandOptions>();
      if (command.name() === 'rotate') run = { command: 'rotate', ...rotateWords(command.args, options.dir !== undefined), options };
      else run = { command: command.name(), stack: words[0] as string | undefined, options };
    });
  try {
    root.parse(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { help: printed, code: 0 };
    // No command named: the whole help, and the exit code of a command-line mistake.
    if (error.code === 'commander.help') return { help: printed, code: 2 };
    throw new UsageError(inOneLine(error));
  }
  if (run === undefined) throw new UsageError('Name a command.');
  const missing = stackWordProblem(run);
  if (missing) throw new UsageError(missing);
  return { run };
}

/**
 * The stacks each command acts on, named when its stack word is missing or is no stack. A stack the command does not
 * act on (roll k8s-ha, drill docker) is the command's own refusal, with its reason.
 */
export const COMMAND_STACKS: Readonly<Record<string, readonly string[]>> = {
  teardown: STACKS,
  roll: ['rke-ha'],
  rotate: ['rke-ha'],
  drill: ['rke-ha', 'k8s-ha'],
  failover: ['rke-ha', 'k8s-ha'],
  failback: ['rke-ha', 'k8s-ha'],
  acceptance: STACKS,
};

/** The stack word missing (and no --dir, or for acceptance no --teardown-run), or a word that is no stack: the same mistake in every command, told in one round. */
function stackWordProblem(run: CommandLine): string | undefined {
  const named = COMMAND_STACKS[run.command].join(', ');
  const orDir = run.command === 'acceptance' ? ' (or --teardown-run <run id>)' : ' or the module folder with --dir <folder>';
  if (run.stack === undefined) {
    if (run.options.dir !== undefined || run.options.teardownRun !== undefined) return undefined;
    if (run.command === 'rotate' && run.what === undefined)
      return `rotate: name the stack (${named}) and what to rotate (${ROTATIONS.join(' or ')}): \`rotate rke-ha ${ROTATIONS[0]}\`.`;
    return `${run.command}: name the stack (${named})${orDir}.`;
  }
  // rotate's one word may be a misspelled rotation rather than a stack: its runner tells the two apart. The acceptance
  // run refuses a word that is no stack itself, coded as its other refusals (ACCEPTANCE_STACK_UNKNOWN, exit 2).
  if ((run.command === 'rotate' && run.what === undefined) || run.command === 'acceptance') return undefined;
  if (!(STACKS as readonly string[]).includes(run.stack)) return `${run.command}: '${run.stack}' is not a stack: name ${named}${orDir}.`;
  return undefined;
}

/** Commander's message on one line: `error: ` taken off, the suggestion after it, the commands named where one is unknown. */
function inOneLine(error: CommanderError): string {
  const [first, ...rest] = error.message.replace(/^error: /, '').split('\n');
  const commands = error.code === 'commander.unknownCommand' ? `: the commands are ${COMMAND_NAMES.join(', ')}.` : '';
  const sentences = [`${first[0].toUpperCase()}${first.slice(1)}${commands}`, ...rest.map((line) => line.replace(/^\((.*)\)$/, '$1'))];
  return sentences.map((sentence) => (/[.?]$/.test(sentence) ? sentence : `${sentence}.`)).join(' ');
}

/**
 * The words after `rotate`: the stack (unless --dir gives the module), then what it rotates. The word that names a
 * rotation places the others: before it the stack, after it nothing. Swapped (`rotate token rke-ha`) is told the
 * order, not that `rke-ha` is no rotation; a word after the rotation is named as the one too many. Without a word
 * that names a rotation, one word is the stack (`rotate rke-ha --dry-run` left the rotation out, and is told so),
 * or with --dir the rotation misspelled; two are the stack and a rotation misspelled.
 */
function rotateWords(words: readonly string[], withDir: boolean): { stack: string | undefined; what: string | undefined } {
  const at = words.findIndex((word) => (ROTATIONS as readonly string[]).includes(word));
  if (at === -1) {
    if (words.length > 2) throw new UsageError(`Unexpected argument ${words[2]}.`);
    return words.length === 1 && withDir ? { stack: undefined, what: words[0] } : { stack: words[0], what: words[1] };
  }
  const [before, what, after] = [words.slice(0, at), words[at], words.slice(at + 1)];
  if (before.length === 0 && after.length > 0 && (STACKS as readonly string[]).includes(after[0]))
    throw new UsageError(`rotate: the stack comes first, then what to rotate: \`rotate ${after[0]} ${what}\`.`);
  if (before.length > 1) throw new UsageError(`Unexpected argument ${before[1]}.`);
  if (after.length > 0)
    throw new UsageError(
      `Unexpected argument ${after[0]} after ${what}: rotate takes the stack, then what to rotate (\`rotate ${before[0] ?? '--dir <module folder>'} ${what}\`).`,
    );
  return { stack: before[0], what };
}

/** What `--help` prints: the whole CLI's help, or one command's; `width` wraps it there instead of at the terminal's. */
export function helpOf(command?: string, width?: number): string {
  const parsed = parseCommandLine([...(command === undefined ? [] : [command]), '--help'], width);
  if (!('help' in parsed)) throw new Error(`no help for ${command}`);
  return parsed.help;
}
