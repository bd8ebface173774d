import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES } from '../app/config/exit-codes';
import { compiledMain } from './helpers/app-process';
import { BOMB, CASES, expectHandled, fifo, MKFIFO_CASES, newTally, SECRET, STACK_TRACE_LINE, writeTo } from './helpers/hostile-settings';
import { runBoundedAsync } from './helpers/subprocess';

describe('hostile and mistaken settings files: named pipes (mkfifo)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-hostile-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES.filter((c) => MKFIFO_CASES.has(c.id)).map((c) => [`class ${c.cls}: ${c.id}`, c] as const))('%s', (_name, hostile) => {
    expectHandled(hostile, dir, newTally());
  });
});

/**
 * The compiled CLI (the app bundle, what `npm run synth` and cdktf.json
 * run): exit codes, stderr without a stack trace, nothing written to cdktf.out.
 * No bound on their time (a loaded machine takes any): the loader's work is
 * bounded in hostile-settings.test.ts, and each run has the generous process
 * limit of helpers/subprocess.ts. Run two at a time: the process start dominates.
 */
describe('the compiled CLI on hostile input', () => {
  interface Run {
    readonly status: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stderr: string;
    readonly cwd: string;
  }
  interface CliCase {
    readonly id: string;
    readonly exit: number;
    readonly stderr: RegExp;
    /** Prepares the working directory; returns extra environment. */
    readonly setup: (cwd: string) => Record<string, string>;
    readonly uid?: number;
  }
  const root = process.getuid?.() === 0;
  const CLI_CASES: CliCase[] = [
    {
      id: 'alias bomb',
      exit: EXIT_CODES.invalidSettings,
      stderr: /YAML aliases/,
      setup: (cwd) => ({ RANCHER_CONFIG: writeTo(cwd, 'bomb.yaml', BOMB) }),
    },
    {
      id: 'FIFO without writer',
      exit: EXIT_CODES.settingsFile,
      stderr: /named pipe/,
      setup: (cwd) => ({ RANCHER_CONFIG: fifo(cwd, 'settings.fifo') }),
    },
    {
      id: '/proc/self/environ',
      exit: EXIT_CODES.settingsFile,
      stderr: /binary file/,
      setup: () => ({ RANCHER_CONFIG: '/proc/self/environ', HOSTILE_SECRET: SECRET }),
    },
    {
      id: 'multi-megabyte file',
      exit: EXIT_CODES.settingsFile,
      stderr: /larger than the limit/,
      setup: (cwd) => ({ RANCHER_CONFIG: writeTo(cwd, 'big.yaml', Buffer.alloc(16 * 1024 * 1024, 'a')) }),
    },
    {
      id: root ? 'unreadable file (run as nobody)' : 'unreadable file',
      exit: EXIT_CODES.settingsFile,
      stderr: /permission denied/,
      setup: (cwd) => {
        chmodSync(cwd, 0o755);
        const file = writeTo(cwd, 'secret.yaml', `name: ${SECRET}\n`);
        chmodSync(file, 0o000);
        return { RANCHER_CONFIG: file };
      },
      uid: root ? 65534 : undefined,
    },
    {
      id: 'cdktf.out is a file',
      exit: EXIT_CODES.outputDirectory,
      stderr: /cdktf.out exists and is not a directory/,
      setup: (cwd) => {
        writeTo(cwd, 'cdktf.out', 'x');
        return {};
      },
    },
    {
      id: 'broken cdktf context (an internal error)',
      exit: EXIT_CODES.internalError,
      stderr: /^Internal error .*\nRerun with RANCHER_DEBUG=1/,
      setup: () => ({ CDKTF_CONTEXT_JSON: '{not json' }),
    },
  ];

  const runs = new Map<string, Run>();
  beforeAll(async () => {
    const main = compiledMain();
    // Two at a time: the machine has two cores.
    const queue = [...CLI_CASES];
    const worker = async () => {
      for (let cli = queue.shift(); cli; cli = queue.shift()) await runCli(cli);
    };
    const runCli = async (cli: CliCase) => {
      const cwd = mkdtempSync(join(tmpdir(), 'rancher-hostile-cli-'));
      const env: Record<string, string> = Object.fromEntries(
        Object.entries(process.env).filter(
          (e): e is [string, string] => e[1] !== undefined && e[0] !== 'RANCHER_CONFIG' && !e[0].startsWith('CDKTF_'),
        ),
      );
      Object.assign(env, cli.setup(cwd));
      const run = await runBoundedAsync(process.execPath, [main], { cwd, env, uid: cli.uid, gid: cli.uid, stdio: ['ignore', 'ignore', 'pipe'] });
      runs.set(cli.id, { status: run.status, signal: run.signal, stderr: run.stderr, cwd });
    };
    await Promise.all([worker(), worker()]);
  });
  afterAll(() => {
    for (const run of runs.values()) rmSync(run.cwd, { recursive: true, force: true });
  });

  it.each(CLI_CASES.map((c) => [c.id, c] as const))('%s', (_id, cli) => {
    const run = runs.get(cli.id)!;
    expect({ status: run.status, signal: run.signal }).toEqual({ status: cli.exit, signal: null });
    expect(run.stderr).toMatch(cli.stderr);
    expect(run.stderr).not.toMatch(STACK_TRACE_LINE);
    expect(run.stderr).not.toContain(SECRET);
    // Nothing synthesized (a successful synth, with its owner-only state files, is main.tools.test.ts's).
    expect(existsSync(join(run.cwd, 'cdktf.out', 'manifest.json'))).toBe(false);
  });
});
