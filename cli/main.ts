#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { moduleFolder, STACKS } from './shared/module-folder';
import { requireTools, ToolMissing } from './shared/process';
import { acceptance } from './acceptance/acceptance';
import { COMMAND_HELP, commandHelp, USAGE } from './help';
import type { AcceptanceCommands } from './acceptance/acceptance-run';
import { drill } from './drill/drill';
import { roll } from './roll/roll';
import { rotate, ROTATIONS, type Rotation } from './rotate/rotate';
import { rotateEncryptionKey } from './rotate/rotate-encryption';
import { productionSettingsPath } from './shared/settings-file';
import { stopAfterStep, stopOnSignals } from './shared/signals';
import { useTerraformBinary } from './shared/terraform';
import { teardown } from './teardown/teardown';

/** The command a command line names, where it names one this CLI has. */
const commandOf = (args: readonly string[]) => args.find((a) => !a.startsWith('-') && Object.hasOwn(COMMAND_HELP, a));

/** Parsed command line: the command, an optional stack, flags and options with values. */
export interface CommandLine {
  readonly command: string | undefined;
  readonly stack: string | undefined;
  /** What `rotate` rotates (its last word). */
  readonly what?: string;
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
}

export const FLAGS = new Set([
  '--keep-snapshots',
  '--yes',
  '--dry-run',
  '--all',
  '--new-image',
  '--take-over',
  '--keep',
  '--teardown',
  '--etcd',
  '--help',
]);
export const WITH_VALUE = new Set([
  '--dir',
  '--deployment',
  '--token-file',
  '--server',
  '--wait-minutes',
  '--name',
  '--region',
  '--settings',
  '--only',
  '--with',
  '--skip',
  '--budget-minutes',
  '--downstream-minutes',
  '--teardown-run',
  '--kubeconfig',
  '--context',
  '--hosted-zone',
  '--terraform-binary',
]);

export function parseCommandLine(args: readonly string[]): CommandLine {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [arg, inline] =
      args[i].startsWith('--') && args[i].includes('=')
        ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)]
        : [args[i], undefined];
    if (arg === '-h') flags.add('--help');
    else if (FLAGS.has(arg)) flags.add(arg);
    else if (WITH_VALUE.has(arg)) {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value.`);
      values.set(arg, value);
    } else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}.`);
    else positional.push(arg);
  }
  if (positional[0] === 'rotate') return { command: 'rotate', ...rotateWords(positional.slice(1), values.has('--dir')), flags, values };
  if (positional.length > 2) throw new UsageError(`Unexpected argument ${positional[2]}.`);
  return { command: positional[0], stack: positional[1], what: undefined, flags, values };
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

class UsageError extends Error {}

function minutes(value: string | undefined, option = '--wait-minutes'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 240) throw new UsageError(`${option} ${value}: expected a whole number of minutes from 1 to 240.`);
  return n;
}

/**
 * One line from the terminal, or undefined when standard input is not one. Read through node's own stream: once
 * `process.stdin` exists, node has made a terminal's descriptor non-blocking, and a synchronous read of it fails
 * with EAGAIN until a key is pressed. End of input (Ctrl-D) answers the empty line.
 */
export async function askOnTerminal(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const terminal = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  try {
    return await new Promise<string>((answer) => {
      terminal.once('close', () => answer(''));
      terminal.question(question, answer);
    });
  } finally {
    // Hands the terminal back as it was (line mode) and lets go of standard input, so node can exit when done.
    terminal.close();
  }
}

/** What each command's runner gets: the parsed command line and where its report goes. */
type Runner = (line: CommandLine, log: (line: string) => void) => Promise<number>;

/** The Terraform binary and the other tools a command runs, checked before it starts. */
function terraformAndTools(line: CommandLine, tools: readonly string[]): void {
  useTerraformBinary(line.values.get('--terraform-binary'));
  requireTools(tools);
}

/** The module folder a command acts on, then its Terraform binary and tools. */
function moduleAndTools(line: CommandLine, tools: readonly string[]): string {
  const dir = moduleFolder(line.stack, line.values.get('--dir'));
  terraformAndTools(line, tools);
  return dir;
}

const runTeardown: Runner = (line, log) => {
  const dir = moduleAndTools(line, ['aws']);
  return teardown({
    dir,
    label: line.stack ?? dir,
    deployment: line.values.get('--deployment'),
    keepSnapshots: line.flags.has('--keep-snapshots'),
    dryRun: line.flags.has('--dry-run'),
    yes: line.flags.has('--yes'),
    tokenFile: line.values.get('--token-file'),
    ask: askOnTerminal,
    log,
  });
};

const runRoll: Runner = (line, log) => {
  if ([line.flags.has('--all'), line.values.has('--server'), line.flags.has('--new-image')].filter(Boolean).length > 1) {
    throw new UsageError('--all, --server and --new-image exclude each other.');
  }
  const dir = moduleAndTools(line, ['kubectl', 'aws']);
  // The step in flight finishes (terraform and kubectl run in process groups of their own, so a terminal's Ctrl-C
  // reaches only this process); the roll then stops and can be resumed.
  const interrupted = stopAfterStep('again to stop once the command in flight returns');
  return roll({
    dir,
    label: line.stack ?? dir,
    deployment: line.values.get('--deployment'),
    all: line.flags.has('--all'),
    server: line.values.get('--server'),
    newImage: line.flags.has('--new-image'),
    dryRun: line.flags.has('--dry-run'),
    waitMinutes: minutes(line.values.get('--wait-minutes')),
    takeOver: line.flags.has('--take-over'),
    interrupted,
    log,
  });
};

/** Why a stack other than rke-ha has nothing for rotate: no servers of this project's hold a cluster token or RKE2's key. */
const WHY_NOT_ROTATED: Readonly<Record<string, string>> = {
  'k8s-ha': "installs Rancher onto a cluster you already run: its servers and their secrets are that cluster's own",
  docker: "runs Rancher's container on one host, not a cluster of servers with a token and an encryption key",
};

const runRotate: Runner = (line, log) => {
  const choices = ROTATIONS.join(' or ');
  const example = (where = line.stack ?? '--dir <module folder>') => `\`rotate ${where} ${ROTATIONS[0]}\``;
  const other = line.stack === undefined ? undefined : WHY_NOT_ROTATED[line.stack];
  if (other)
    throw new UsageError(
      `rotate is for rke-ha, the stack with servers of its own to rotate: ${line.stack} ${other} (\`rotate rke-ha ${line.what ?? ROTATIONS[0]}\`).`,
    );
  if (line.what === undefined && line.stack !== undefined && !(STACKS as readonly string[]).includes(line.stack))
    throw new UsageError(`rotate: '${line.stack}' is neither a stack (${STACKS.join(', ')}) nor what to rotate (${choices}): ${example('rke-ha')}.`);
  if (line.what === undefined)
    throw new UsageError(`rotate: the word saying what to rotate is missing after ${line.stack ?? 'the module'}: add ${choices} (${example()}).`);
  if (!(ROTATIONS as readonly string[]).includes(line.what))
    throw new UsageError(`rotate: '${line.what}' is not something rotate rotates: name ${choices} (${example()}).`);
  const dryRun = line.flags.has('--dry-run');
  // A dry run pulls the state too (the servers it would restart): it takes the Terraform binary setting, and no other tool.
  const dir = moduleAndTools(line, dryRun ? [] : ['kubectl', 'aws']);
  // As the roll: the step in flight finishes, then the rotation stops (a rerun continues it); a second signal leaves at once.
  const interrupted = stopAfterStep('again to stop at once');
  return (line.what === 'encryption-key' ? rotateEncryptionKey : rotate)({
    dir,
    label: line.stack ?? dir,
    rotation: line.what as Rotation,
    deployment: line.values.get('--deployment'),
    dryRun,
    waitMinutes: minutes(line.values.get('--wait-minutes')),
    tokenFile: line.values.get('--token-file'),
    takeOver: line.flags.has('--take-over'),
    interrupted,
    log,
  });
};

/** The app in the checkout, which the drill and the acceptance run synthesize with (RANCHER_HA_AWS_SYNTH: another entry, for the tests). */
const synthScript = () => process.env.RANCHER_HA_AWS_SYNTH || resolve('scripts', 'synth.js');

const runDrill: Runner = (line, log) => {
  if (line.stack === undefined && !line.values.has('--dir')) throw new UsageError('drill: name the stack of production (rke-ha).');
  // A dry run runs no tool and needs no synthesized module: anyone reads the plan first (it says what is missing).
  const dryRun = line.flags.has('--dry-run');
  const dir = dryRun
    ? resolve(line.values.get('--dir') ?? join('cdktf.out', 'stacks', line.stack ?? 'rke-ha'))
    : moduleAndTools(line, ['kubectl', 'aws', 'curl']);
  // The synth or apply in flight is told to stop (terraform saves its state); then the throwaway is torn down.
  const stopping = stopOnSignals('the drill; the throwaway deployment is torn down', '`npm run drill -- <stack> --teardown` finishes it');
  return drill({
    stack: line.stack ?? 'rke-ha',
    productionDir: dir,
    settingsPath: productionSettingsPath(),
    root: resolve('drill.out'),
    synthScript: synthScript(),
    name: line.values.get('--name'),
    keep: line.flags.has('--keep'),
    teardownOnly: line.flags.has('--teardown'),
    etcd: line.flags.has('--etcd'),
    dryRun,
    pingMinutes: minutes(line.values.get('--wait-minutes')),
    interrupted: () => stopping.aborted,
    stop: stopping,
    teardown,
    log,
  });
};

/** The commands an acceptance run runs as a person would; the drill tears its throwaway down with the teardown command. */
const ACCEPTANCE_COMMANDS: AcceptanceCommands = { roll, rotate, rotateEncryptionKey, drill: (options) => drill({ ...options, teardown }), teardown };

const runAcceptance: Runner = (line, log) => {
  if (line.stack === undefined && !line.values.has('--teardown-run')) throw new UsageError('acceptance: name the stack (rke-ha, k8s-ha or docker).');
  const budget = line.values.get('--budget-minutes');
  const budgetMinutes = budget === undefined ? undefined : Number(budget);
  if (budgetMinutes !== undefined && (!Number.isInteger(budgetMinutes) || budgetMinutes < 30 || budgetMinutes > 1440))
    throw new UsageError(`--budget-minutes ${budget}: expected a whole number of minutes from 30 to 1440.`);
  const list = (option: string) =>
    line.values
      .get(option)
      ?.split(',')
      .map((p) => p.trim())
      .filter(Boolean);
  // A dry run runs no tool: anyone reads the plan first, on a machine without them or any credentials.
  if (!line.flags.has('--dry-run')) terraformAndTools(line, ['kubectl', 'aws', 'curl']);
  // As the drill: the command in flight is told to stop (terraform saves its state), then the teardown runs.
  const stopping = stopOnSignals('the acceptance run; its deployment is torn down', '`npm run acceptance -- --teardown-run <run id>` finishes it');
  const path = (option: string) => (line.values.has(option) ? resolve(line.values.get(option)!) : undefined);
  return acceptance({
    stack: line.stack ?? 'rke-ha',
    region: line.values.get('--region'),
    name: line.values.get('--name'),
    settingsPath: path('--settings'),
    root: resolve('acceptance.out'),
    synthScript: synthScript(),
    policyFile: resolve('docs', 'deployer-policy.json'),
    packageFile: resolve('package.json'),
    only: list('--only'),
    with: list('--with'),
    skip: list('--skip'),
    yes: line.flags.has('--yes'),
    dryRun: line.flags.has('--dry-run'),
    budgetMinutes,
    teardownRun: line.values.get('--teardown-run'),
    kubeconfig: path('--kubeconfig'),
    context: line.values.get('--context'),
    hostedZone: line.values.get('--hosted-zone'),
    pingMinutes: minutes(line.values.get('--wait-minutes')),
    downstreamMinutes: minutes(line.values.get('--downstream-minutes'), '--downstream-minutes'),
    ask: askOnTerminal,
    stop: stopping,
    commands: ACCEPTANCE_COMMANDS,
    log,
  });
};

/** Each command's runner: its checks of the command line, the tools it needs, its signal handling, then the command. */
const RUNNERS: Readonly<Record<string, Runner>> = {
  teardown: runTeardown,
  roll: runRoll,
  rotate: runRotate,
  drill: runDrill,
  acceptance: runAcceptance,
};

export async function main(args: readonly string[]): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const line = parseCommandLine(args);
    if (line.flags.has('--help') || line.command === undefined) {
      log(line.command !== undefined && Object.hasOwn(COMMAND_HELP, line.command) ? commandHelp(line.command) : USAGE);
      return line.command === undefined && !line.flags.has('--help') ? 2 : 0;
    }
    if (!Object.hasOwn(RUNNERS, line.command))
      throw new UsageError(`Unknown command '${line.command}': the commands are ${Object.keys(COMMAND_HELP).join(', ')}.`);
    // Awaited here, inside the try: a command that fails is one line, as every command's failure is.
    return await RUNNERS[line.command](line, log);
  } catch (error) {
    return failed(error, args);
  }
}

/** The exit code of a failure, its one line on standard error: 2 for the command line, 1 for everything else. */
function failed(error: unknown, args: readonly string[]): number {
  if (error instanceof UsageError) {
    const command = commandOf(args);
    process.stderr.write(`rancher-ha-aws: ${error.message} \`rancher-ha-aws ${command ? `${command} ` : ''}--help\` lists the options.\n`);
    return 2;
  }
  // ToolMissing names each tool on a line of its own, with where to get it; every other failure is one line.
  if (error instanceof ToolMissing) {
    process.stderr.write(`rancher-ha-aws: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`rancher-ha-aws: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
  return 1;
}

/** A message on one line: a tool's own message may span several. */
const oneLine = (message: string) =>
  message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    // main answers every failure itself; this is the last guard against a stack trace.
    (error: unknown) => {
      process.stderr.write(`rancher-ha-aws: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
