#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { moduleFolder, STACKS } from './shared/module-folder';
import { requireTools } from './shared/process';
import { acceptance } from './acceptance/acceptance';
import { COMMAND_NAMES, type CommandLine, parseCommandLine, UsageError } from './command-line';
import { failureCode, failureOf } from './shared/io/failure';
import { askOnTerminal } from './shared/io/ask';

export { askOnTerminal } from './shared/io/ask';
import type { AcceptanceCommands, AcceptanceOptions } from './acceptance/acceptance-run';
import { drill } from './drill/drill';
import { failback } from './failback/failback';
import { failover } from './failover/failover';
import { roll } from './roll/roll';
import { rotate, ROTATIONS, type Rotation } from './rotate/rotate';
import { rotateEncryptionKey } from './rotate/rotate-encryption';
import { productionSettingsPath } from './shared/settings-file';
import { stopAfterStep, stopOnSignals } from './shared/signals';
import { useTerraformBinary } from './shared/terraform';
import { chooseRenderer } from './shared/io/choose-renderer';
import { IoHost } from './shared/io/io-host';
import { teardown } from './teardown/teardown';

/** The command a command line names, where it names one this CLI has. */
const commandOf = (args: readonly string[]) => args.find((a) => !a.startsWith('-') && COMMAND_NAMES.includes(a));

/** What each command's runner gets: the parsed command line and where its report goes. */
type Runner = (line: CommandLine, log: (line: string) => void) => Promise<number>;

/** The Terraform binary and the other tools a command runs, checked before it starts. */
function terraformAndTools(line: CommandLine, tools: readonly string[]): void {
  useTerraformBinary(line.options.terraformBinary);
  requireTools(tools);
}

/** The module folder a command acts on, then its Terraform binary and tools. */
function moduleAndTools(line: CommandLine, tools: readonly string[]): string {
  const dir = moduleFolder(line.stack, line.options.dir);
  terraformAndTools(line, tools);
  return dir;
}

const runTeardown: Runner = async (line) => {
  // Terraform only: AWS is reached through the SDK (cli/shared/aws/).
  const dir = moduleAndTools(line, []);
  // Terraform's output comes through a pipe (the I/O host shows it): a signal must not end this process under it, or
  // terraform would die writing to that pipe. The destroy in flight is told to stop (it saves its state), then the
  // teardown stops; a rerun continues it.
  const stopping = stopOnSignals('the teardown once terraform has saved its state', 'run the teardown again to continue');
  return onIoHost(line, { command: 'teardown' }, (io) =>
    teardown({
      dir,
      label: line.stack ?? dir,
      deployment: line.options.deployment,
      keepSnapshots: line.options.keepSnapshots === true,
      dryRun: line.options.dryRun === true,
      yes: line.options.yes === true,
      tokenFile: line.options.tokenFile,
      ask: askOnTerminal,
      stop: stopping,
      io,
    }),
  );
};

/**
 * Runs a command on the I/O host: on a terminal or in plain lines; with --json, the progress on standard error and
 * standard output holding the report alone (`head` first, then the exit code and the host's report). With --json, a
 * failure thrown in the run is its one error-level message in the report (failure.ts), as a refusal is; without, it is
 * the CLI's one line on standard error (`main`).
 */
async function onIoHost(line: CommandLine, head: Readonly<Record<string, unknown>>, run: (io: IoHost) => Promise<number>): Promise<number> {
  const json = line.options.json === true;
  const io = new IoHost(chooseRenderer(json ? process.stderr : process.stdout, process.env));
  let code: number | undefined;
  try {
    code = await run(io);
    return code;
  } catch (error) {
    if (!json) throw error;
    code = reportFailure(io, line.command, error);
    return code;
  } finally {
    io.close();
    if (json) process.stdout.write(`${JSON.stringify({ ...head, exitCode: code ?? 1, ...io.report() }, null, 2)}\n`);
  }
}

/** A thrown failure told as the run's error-level message, with its code and data; its exit code. */
function reportFailure(io: IoHost, command: string | undefined, error: unknown): number {
  const failure = failureOf(error);
  io.error(failureCode(command, failure), failure.text, { ...failure.data, exitCode: failure.exitCode });
  return failure.exitCode;
}

const runRoll: Runner = async (line) => {
  // AWS through the SDK alone (SSM, RDS): no AWS CLI.
  const dir = moduleAndTools(line, ['kubectl']);
  // The step in flight finishes (terraform and kubectl run in process groups of their own, so a terminal's Ctrl-C
  // reaches only this process); the roll then stops and can be resumed.
  const interrupted = stopAfterStep('again to stop once the command in flight returns');
  return onIoHost(line, { command: 'roll' }, (io) =>
    roll({
      dir,
      label: line.stack ?? dir,
      deployment: line.options.deployment,
      all: line.options.all === true,
      server: line.options.server,
      newImage: line.options.newImage === true,
      dryRun: line.options.dryRun === true,
      waitMinutes: line.options.waitMinutes,
      takeOver: line.options.takeOver === true,
      interrupted,
      io,
    }),
  );
};

/** Why a stack other than rke-ha has nothing for rotate: no servers of this project's hold a cluster token or RKE2's key. */
const WHY_NOT_ROTATED: Readonly<Record<string, string>> = {
  'k8s-ha': "installs Rancher onto a cluster you already run: its servers and their secrets are that cluster's own",
  docker: "runs Rancher's container on one host, not a cluster of servers with a token and an encryption key",
};

const runRotate: Runner = async (line) => {
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
  const dryRun = line.options.dryRun === true;
  // Terraform alone, dry run or not (the state: the servers it restarts). AWS through the SDK (SSM: the token
  // parameter, the commands on the servers), Kubernetes through its client (the Lease, the Nodes, the upgrade's
  // records): no AWS CLI, no kubectl.
  const dir = moduleAndTools(line, []);
  // As the roll: the step in flight finishes, then the rotation stops (a rerun continues it); a second signal leaves at once.
  const interrupted = stopAfterStep('again to stop at once');
  return onIoHost(line, { command: 'rotate', rotation: line.what }, (io) =>
    (line.what === 'encryption-key' ? rotateEncryptionKey : rotate)({
      dir,
      label: line.stack ?? dir,
      rotation: line.what as Rotation,
      deployment: line.options.deployment,
      dryRun,
      waitMinutes: line.options.waitMinutes,
      tokenFile: line.options.tokenFile,
      takeOver: line.options.takeOver === true,
      interrupted,
      io,
    }),
  );
};

/** The app in the checkout, which the drill and the acceptance run synthesize with (RANCHER_HA_AWS_SYNTH: another entry, for the tests). */
const synthScript = () => process.env.RANCHER_HA_AWS_SYNTH || resolve('scripts', 'synth.js');

const runDrill: Runner = async (line) => {
  // A dry run runs no tool and needs no synthesized module: anyone reads the plan first (it says what is missing).
  const dryRun = line.options.dryRun === true;
  const dir = dryRun
    ? resolve(line.options.dir ?? join('cdktf.out', 'stacks', line.stack ?? 'rke-ha'))
    : // AWS through the SDK alone (S3, SSM; the teardown's), the throwaway's Kubernetes through its client: no AWS CLI, no kubectl.
      moduleAndTools(line, ['curl']);
  // The synth or apply in flight is told to stop (terraform saves its state); then the throwaway is torn down.
  const stopping = stopOnSignals('the drill; the throwaway deployment is torn down', '`npm run drill -- <stack> --teardown` finishes it');
  return onIoHost(line, { command: 'drill' }, (io) =>
    drill({
      stack: line.stack ?? 'rke-ha',
      productionDir: dir,
      settingsPath: productionSettingsPath(),
      root: resolve('drill.out'),
      synthScript: synthScript(),
      name: line.options.name,
      keep: line.options.keep === true,
      teardownOnly: line.options.teardown === true,
      etcd: line.options.etcd === true,
      standby: line.options.standby === true,
      dryRun,
      pingMinutes: line.options.waitMinutes,
      interrupted: () => stopping.aborted,
      stop: stopping,
      teardown,
      io,
    }),
  );
};

/**
 * Production's module folder for the failover and the failback: a dry run runs no tool and needs no synthesized
 * module (anyone reads the plan first); a run needs the module and curl (AWS through the SDK).
 */
function productionModule(line: CommandLine): string {
  return line.options.dryRun === true
    ? resolve(line.options.dir ?? join('cdktf.out', 'stacks', line.stack ?? 'rke-ha'))
    : moduleAndTools(line, ['curl']);
}

const runFailover: Runner = async (line) => {
  const dryRun = line.options.dryRun === true;
  // Production's module folder is only named in the report: the failover reads production's facts in the standby
  // region (failover/production-facts.ts), so a machine without the module fails over too.
  const dir = resolve(line.options.dir ?? join('cdktf.out', 'stacks', line.stack ?? 'rke-ha'));
  if (!dryRun) terraformAndTools(line, ['curl']);
  // The synth or apply in flight is stopped with SIGINT (terraform saves its state); a rerun continues.
  const stopping = stopOnSignals('the failover once terraform has saved its state', 'run the failover again to continue');
  return onIoHost(line, { command: 'failover' }, (io) =>
    failover({
      stack: line.stack ?? 'rke-ha',
      productionDir: dir,
      settingsPath: productionSettingsPath(),
      root: resolve('failover.out'),
      synthScript: synthScript(),
      dryRun,
      primaryLost: line.options.primaryLost === true,
      prepare: line.options.prepare === true,
      localState: line.options.localState === true,
      backup: line.options.backup,
      yes: line.options.yes === true,
      ask: askOnTerminal,
      pingMinutes: line.options.waitMinutes,
      interrupted: () => stopping.aborted,
      stop: stopping,
      io,
    }),
  );
};

const runFailback: Runner = async (line) => {
  const dryRun = line.options.dryRun === true;
  const dir = productionModule(line);
  // The terraform command in flight is stopped with SIGINT (it saves its state); a rerun continues.
  const stopping = stopOnSignals('the failback once terraform has saved its state', 'run the failback again to continue');
  return onIoHost(line, { command: 'failback' }, (io) =>
    failback({
      stack: line.stack ?? 'rke-ha',
      productionDir: dir,
      settingsPath: productionSettingsPath(),
      failoverRoot: resolve('failover.out'),
      root: resolve('failback.out'),
      synthScript: synthScript(),
      dryRun,
      keepStandby: line.options.keepStandby === true,
      quiesce: line.options.quiesce !== false,
      teardown,
      yes: line.options.yes === true,
      ask: askOnTerminal,
      pingMinutes: line.options.waitMinutes,
      interrupted: () => stopping.aborted,
      stop: stopping,
      io,
    }),
  );
};

/** The commands an acceptance run runs as a person would (the failover phase fails over and back); the drill tears its throwaway down with the teardown command. */
const ACCEPTANCE_COMMANDS: AcceptanceCommands = {
  roll,
  rotate,
  rotateEncryptionKey,
  drill: (options) => drill({ ...options, teardown }),
  failover,
  failback: (options) => failback({ ...options, teardown }),
  teardown,
};

const runAcceptance: Runner = async (line) => {
  const o = line.options;
  // A dry run runs no tool: anyone reads the plan first, on a machine without them or any credentials.
  // AWS through the SDK alone (STS, the Tagging API, IAM, CloudTrail, CloudWatch, SSM, EC2, S3, RDS): no AWS CLI;
  // Kubernetes through its client: kubectl only for rke-ha's roll (its drain).
  if (o.dryRun !== true) terraformAndTools(line, line.stack === 'rke-ha' ? ['kubectl', 'curl'] : ['curl']);
  // As the drill: the command in flight is told to stop (terraform saves its state), then the teardown runs.
  const stopping = stopOnSignals('the acceptance run; its deployment is torn down', '`npm run acceptance -- --teardown-run <run id>` finishes it');
  return onIoHost(line, { command: 'acceptance' }, (io) => acceptance(acceptanceOptions(line, { stop: stopping, io })));
};

/**
 * The acceptance run's options as its command line gives them, in the working folder; `stop` and `io` are the
 * process's (the tools tests drive the run in their own process with their own, and the fake cloud's AWS clients).
 */
export function acceptanceOptions(line: CommandLine, own: Pick<AcceptanceOptions, 'stop' | 'io' | 'aws'>): AcceptanceOptions {
  const o = line.options;
  const path = (file: string | undefined) => (file === undefined ? undefined : resolve(file));
  return {
    stack: line.stack ?? 'rke-ha',
    region: o.region,
    name: o.name,
    settingsPath: path(o.settings),
    root: resolve('acceptance.out'),
    synthScript: synthScript(),
    policyFile: resolve('docs', 'deployer-policy.json'),
    packageFile: resolve('package.json'),
    only: o.only,
    with: o.with,
    skip: o.skip,
    yes: o.yes === true,
    dryRun: o.dryRun === true,
    budgetMinutes: o.budgetMinutes,
    teardownRun: o.teardownRun,
    kubeconfig: path(o.kubeconfig),
    context: o.context,
    hostedZone: o.hostedZone,
    outageRole: o.outageRole,
    pingMinutes: o.waitMinutes,
    downstreamMinutes: o.downstreamMinutes,
    ask: askOnTerminal,
    commands: ACCEPTANCE_COMMANDS,
    ...own,
  };
}

/** Each command's runner: its checks of the command line, the tools it needs, its signal handling, then the command. */
const RUNNERS: Readonly<Record<string, Runner>> = {
  teardown: runTeardown,
  roll: runRoll,
  rotate: runRotate,
  drill: runDrill,
  failover: runFailover,
  failback: runFailback,
  acceptance: runAcceptance,
};

export async function main(args: readonly string[]): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const parsed = parseCommandLine(args);
    if ('help' in parsed) {
      process.stdout.write(parsed.help);
      return parsed.code;
    }
    // Awaited here, inside the try: a command that fails is one line, as every command's failure is.
    return await RUNNERS[parsed.run.command](parsed.run, log);
  } catch (error) {
    return failed(error, args);
  }
}

/**
 * A failure before a command's run began (the command line, the module folder, a tool missing) or thrown in a run
 * without --json: its one line on standard error (ToolMissing names each tool on a line of its own, with where to get
 * it) and its exit code (failure.ts). With --json, standard output holds a report of that one error-level message too.
 */
function failed(error: unknown, args: readonly string[]): number {
  const command = commandOf(args);
  const failure = failureOf(error);
  const help = failure.kind === 'USAGE' ? ` \`rancher-ha-aws ${command ? `${command} ` : ''}--help\` lists the options.` : '';
  process.stderr.write(`rancher-ha-aws: ${failure.text}${help}\n`);
  if (args.includes('--json')) {
    const io = new IoHost({ message: () => undefined, status: () => undefined, close: () => undefined });
    reportFailure(io, command, error);
    process.stdout.write(`${JSON.stringify({ command: command ?? null, exitCode: failure.exitCode, ...io.report() }, null, 2)}\n`);
  }
  return failure.exitCode;
}

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
