import { spawn, spawnSync, type SpawnOptions, type SpawnSyncOptionsWithStringEncoding } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readableError } from './tool-output';

/** What a finished command left: its exit code (null when it was killed or timed out), and its output. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the time limit ended it. */
  readonly timedOut: boolean;
}

export interface RunOptions {
  /** Upper bound on the command's run time; it is killed (SIGTERM) when it is reached. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
  /** Working directory. @default the current one */
  readonly cwd?: string;
  /** Text written to its standard input. @default none */
  readonly input?: string;
  /** Let its output through to ours as it runs (terraform apply), instead of capturing it. @default false */
  readonly inherit?: boolean;
  /**
   * runAsync only: each line of its output (standard output and error) as it comes, captured as well; for a command
   * whose messages go through an I/O host (cli/shared/io), which keeps them above a terminal's status line.
   * @default none
   */
  readonly onLine?: (line: string) => void;
  /** Variables added to this process's environment for the command alone. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** runAsync only: once aborted, the command is sent `stopSignal` and the run waits for it to end. @default none */
  readonly stop?: AbortSignal;
  /** What `stop` sends: SIGINT lets terraform finish the operations in flight and save its state. @default 'SIGTERM' */
  readonly stopSignal?: NodeJS.Signals;
}

/** A failed command, with what it said. */
export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(
      `${command} ${result.timedOut ? 'did not finish in time' : `failed (exit ${result.code})`}${result.stderr.trim() ? `: ${readableError(result.stderr)}` : ''}`,
    );
  }
}

/** Whether commands start in a process group of their own (see `shieldChildrenFromSignals`). */
let ownGroup = false;

/**
 * From now on every command starts in a process group of its own, so the
 * SIGINT a terminal sends on Ctrl-C (to its foreground group: this process)
 * does not reach it: a `terraform apply` or `kubectl drain` in flight runs to
 * its end, and only then the caller, which handles the signal, stops. For
 * commands that install a handler; without one, node would exit at once and
 * leave the command running.
 */
export function shieldChildrenFromSignals(): void {
  ownGroup = true;
}

/**
 * Runs one command to its end. Synchronous on purpose: the operations run one
 * step at a time; a signal handler runs once the command in flight returned.
 */
/** A command's time limit unless the caller gives one. */
const DEFAULT_TIMEOUT_MS = 600_000;

/** What `run` and `runAsync` start every command with. */
function startOptions(options: RunOptions): SpawnOptions & { detached: boolean } {
  return {
    cwd: options.cwd,
    // Explicitly this process's environment (PATH decides which terraform, kubectl and aws run).
    env: options.env ? { ...process.env, ...options.env } : process.env,
    stdio: options.inherit ? ['pipe', 'inherit', 'inherit'] : 'pipe',
    // A group of its own (setsid-like, not a daemon: still waited for, and killed on its time limit).
    detached: ownGroup,
  };
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  // spawnSync honours `detached` as spawn does (the child leads a new process group), though @types/node leaves it out.
  const spawnOptions: SpawnSyncOptionsWithStringEncoding & { detached: boolean } = {
    ...startOptions(options),
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGTERM',
    maxBuffer: 256 * 1024 * 1024,
  };
  const result = spawnSync(command, args, spawnOptions);
  const failure = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (failure === 'ENOENT') throw new ToolMissing(command);
  const timedOut = failure === 'ETIMEDOUT';
  // EPIPE: the command ended (or closed its input) before reading all of it; its exit code says how it did. Any
  // other error means it never ran (EACCES: not executable): a failure with no exit code, said in its stderr.
  const notStarted = failure !== undefined && !timedOut && failure !== 'EPIPE' ? notStartedMessage(command, result.error!) : '';
  return { code: result.status, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${notStarted}`, timedOut };
}

/** Why a command could not be started, in one line. */
function notStartedMessage(command: string, error: Error): string {
  return `${command} could not be started: ${error.message}`;
}

/** Chunks of a stream handed on a whole line at a time (the last one at the end, if it has no newline). */
function byLine(onLine: ((line: string) => void) | undefined): { add(chunk: string): void; end(): void } {
  let rest = '';
  return {
    add(chunk) {
      if (!onLine) return;
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) onLine(line);
    },
    end() {
      if (onLine && rest !== '') onLine(rest);
      rest = '';
    },
  };
}

/**
 * Runs one command to its end without blocking this process: for the long
 * steps (a `terraform apply`, a `kubectl drain`) during which the operation
 * must go on renewing its lock (a timer in the same process). Same options
 * and result as `run`.
 */
export function runAsync(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, startOptions(options));
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const outLines = byLine(options.onLine);
    const errLines = byLine(options.onLine);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      outLines.add(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      errLines.add(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new ToolMissing(command) : new Error(notStartedMessage(command, error)));
    });
    // A command that ends, or closes its input, before reading all of it makes our write fail (EPIPE): an 'error'
    // on its stdin that, without a listener, ends this process at once, before any teardown runs. Its exit code,
    // seen at 'close', says how it did, as for `run`; a spawn failure is the child's 'error' above.
    child.stdin?.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      outLines.end();
      errLines.end();
      resolve({ code: timedOut ? null : code, stdout, stderr, timedOut });
    });
    const stop = () => child.kill(options.stopSignal ?? 'SIGTERM');
    if (options.stop?.aborted) stop();
    else options.stop?.addEventListener('abort', stop, { once: true });
    child.on('close', () => options.stop?.removeEventListener('abort', stop));
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs a command and returns its standard output, or throws CommandFailed. */
export function output(command: string, args: readonly string[], options: RunOptions = {}): string {
  const result = run(command, args, options);
  if (result.code !== 0) throw new CommandFailed(`${command} ${args.join(' ')}`, result);
  return result.stdout;
}

/** `output`, without blocking the process (`runAsync`). */
export async function outputAsync(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await runAsync(command, args, options);
  if (result.code !== 0) throw new CommandFailed(`${command} ${args.join(' ')}`, result);
  return result.stdout;
}

/** A command the operation needs is not installed. */
export class ToolMissing extends Error {
  constructor(readonly tool: string) {
    super(`'${tool}' was not found on PATH. ${INSTALL_HINTS[tool] ?? ''}`.trim());
  }
}

const INSTALL_HINTS: Record<string, string> = {
  terraform: 'Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) and run `terraform init` in the module folder.',
  kubectl:
    'Install kubectl (https://kubernetes.io/docs/tasks/tools/) within one minor of the cluster; the kubeconfig is `terraform output -raw kubeconfig`.',
  curl: 'Install curl (the drill asks the throwaway deployment for /ping with it).',
};

/** Refuses early, naming every missing tool at once, before any step ran. */
export function requireTools(tools: readonly string[], path = process.env.PATH ?? ''): void {
  const missing = tools.filter((tool) => !path.split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, tool))));
  if (missing.length === 1) throw new ToolMissing(missing[0]);
  if (missing.length > 1) throw new Error(missing.map((tool) => new ToolMissing(tool).message).join('\n'));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
