import {
  spawn,
  spawnSync,
  type ChildProcess,
  type SpawnOptions,
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
} from 'node:child_process';

/**
 * The time limit of one process a test starts. It is there to end a hang, not to judge speed (tests bound work, not
 * time): on a loaded 2-core machine a run takes several times as long as on a quiet one, so the limit is generous,
 * and when it ends a process the test says so, naming the command and the limit.
 */
export const PROCESS_TIMEOUT_MS = 10 * 60_000;

/** A command as the messages show it: long arguments (scripts given with -e or -c) shortened. */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((arg) => (arg.length > 120 ? `${arg.slice(0, 117)}...` : arg)).join(' ');
}

/** The message of a process its time limit ended. */
export function timedOut(command: string, args: readonly string[], timeoutMs: number): string {
  return `${commandLine(command, args)} did not finish within ${timeoutMs / 1000} s, the time limit the test gives it (__tests__/helpers/subprocess.ts), and was killed`;
}

/** A time limit that ended a process. */
export class ProcessTimedOut extends Error {}

/** spawnSync with the generous time limit; throws ProcessTimedOut, naming the command and the limit, when it ends the process. */
export function runBounded(
  command: string,
  args: readonly string[],
  options: Omit<SpawnSyncOptionsWithStringEncoding, 'encoding'> & { detached?: boolean } = {},
): SpawnSyncReturns<string> {
  const timeout = options.timeout ?? PROCESS_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    // maxBuffer: a large state or plan as JSON exceeds spawnSync's 1 MiB default (which ends the process).
    const result = spawnSync(command, args, { maxBuffer: 256 * 1024 * 1024, ...options, encoding: 'utf8', timeout });
    const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ETIMEDOUT') throw new ProcessTimedOut(timedOut(command, args, timeout));
    // A fork the machine refused for the moment (its process or memory limit, on a loaded CI machine): nothing ran,
    // so it is started again, at most SPAWN_ATTEMPTS times, the pauses growing.
    if (code !== undefined && START_REFUSALS.has(code) && !result.pid && attempt < SPAWN_ATTEMPTS) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250 * attempt);
      continue;
    }
    // Any other error (or a refusal that outlasted the attempts) is the test's failure, with its cause: returned, it
    // looked like a process killed by a signal (status null) that had done nothing, and a test read that as its own
    // result (a roll "killed during the apply" that had never started).
    if (result.error)
      throw new Error(`${commandLine(command, args)} could not run: ${result.error.message}${attempt > 1 ? ` (${attempt} attempts)` : ''}`);
    return result;
  }
}

/** Errors with which the system refuses to start a process for the moment. */
const START_REFUSALS = new Set(['EAGAIN', 'ENOMEM']);
const SPAWN_ATTEMPTS = 5;

/** What an asynchronous run left. */
export interface AsyncRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * spawn, awaited, with the generous time limit (rejects with ProcessTimedOut when it ends the process). `onStdout`
 * sees the output so far as it arrives, with the child (to answer a prompt on its standard input).
 */
export function runBoundedAsync(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { readonly timeoutMs?: number; readonly onStdout?: (output: string, child: ChildProcess) => void } = {},
): Promise<AsyncRun> {
  const { timeoutMs = PROCESS_TIMEOUT_MS, onStdout, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'pipe', ...spawnOptions });
    let stdout = '';
    let stderr = '';
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      onStdout?.(stdout, child);
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (expired) reject(new ProcessTimedOut(timedOut(command, args, timeoutMs)));
      else resolve({ status, signal, stdout, stderr });
    });
  });
}
