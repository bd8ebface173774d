import { fork } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { scratchFolder } from '../helpers/scratch';

// scripts/jest-process.js in a real jest worker: jest-worker's own child (build/processChild.js, the file
// jest forks), driven by the messages jest sends it (codes its bundle inlines), with the options scripts/test.js gives jest's
// node (its workers inherit them). The worker's module synthesizes nothing: it calls util.isArray, cdktf 0.21's call
// that Node.js 22 deprecates (DEP0044), and says on stderr when the process is about to end by itself ('beforeExit',
// which Node emits only when the event loop empties, never on process.exit).

const ROOT = join(__dirname, '..', '..');
const PROCESS_CHILD = join(dirname(require.resolve('jest-worker')), 'processChild.js');
// jest-worker's message codes, read from the copy jest runs: jest 30 bundles them into each build file, exported by none.
const MESSAGES = Object.fromEntries(
  [...readFileSync(PROCESS_CHILD, 'utf8').matchAll(/const ([A-Z_]+_MESSAGE_[A-Z_]+) = exports\.\1 = (\d+);/g)].map((m) => [m[1], Number(m[2])]),
) as Record<string, number>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the preload, CommonJS without types
const PRELOAD = require('../../scripts/jest-process.js') as { WORKER_MAIN: string; CHILD_MESSAGE_END: number };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/test.js, CommonJS without types
const { JEST_NODE_OPTIONS } = require('../../scripts/test.js') as { JEST_NODE_OPTIONS: string[] };

let dir: string;
beforeAll(() => {
  dir = scratchFolder('jest-process-');
  writeFileSync(
    join(dir, 'worker.js'),
    "process.on('beforeExit', () => process.stderr.write('ended by itself\\n'));\n" +
      "module.exports.run = () => { require('node:util').isArray([]); return 'ran'; };\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One worker's life as jest leads it: initialize, one call, end. Its exit code, its stderr and the call's answer. */
function workerLife(execArgv: string[]): Promise<{ code: number | null; stderr: string; answer: unknown }> {
  return new Promise((resolve, reject) => {
    const child = fork(PROCESS_CHILD, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: ROOT });
    let stderr = '';
    let answer: unknown;
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    child.on('message', (message: unknown[]) => {
      if (message[0] !== MESSAGES.PARENT_MESSAGE_OK) return reject(new Error(`the worker answered ${JSON.stringify(message)}`));
      answer = message[1];
      child.send([MESSAGES.CHILD_MESSAGE_END, false]);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, answer }));
    child.send([MESSAGES.CHILD_MESSAGE_INITIALIZE, false, join(dir, 'worker.js'), []]);
    child.send([MESSAGES.CHILD_MESSAGE_CALL, false, 'run', []]);
  });
}

describe("scripts/test.js's options for jest's node, in a jest worker", () => {
  it('the preload knows the file jest forks and the code it sends to end a worker, as the installed jest-worker has them', () => {
    expect(PROCESS_CHILD.endsWith(PRELOAD.WORKER_MAIN)).toBe(true);
    expect(PRELOAD.WORKER_MAIN.split(sep).filter(Boolean)).toEqual(['jest-worker', 'build', 'processChild.js']);
    expect(MESSAGES.CHILD_MESSAGE_END).toBe(PRELOAD.CHILD_MESSAGE_END);
    expect(Object.keys(MESSAGES)).toEqual(expect.arrayContaining(['CHILD_MESSAGE_INITIALIZE', 'CHILD_MESSAGE_CALL', 'PARENT_MESSAGE_OK']));
  });

  it("jest waits for a worker's exit longer than a loaded unit worker's teardown takes (0.5-2 s measured), not its 500 ms default", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the suite's jest configuration, CommonJS
    const config = require('../../jest.config.js') as { workerGracefulExitTimeout?: number };
    expect(config.workerGracefulExitTimeout).toBeGreaterThanOrEqual(5000);
  });

  it('the worker ends at once when jest asks (process.exit, not its heap torn down first), and prints no DEP0044', async () => {
    const life = await workerLife(JEST_NODE_OPTIONS);
    expect(life).toEqual({ code: 0, stderr: '', answer: 'ran' });
  });

  it('without them (jest as 40d51f4 ran it), the same worker ends by itself and prints DEP0044 on Node.js 22 and later', async () => {
    const life = await workerLife([]);
    expect(life.code).toBe(0);
    expect(life.answer).toBe('ran');
    expect(life.stderr).toContain('ended by itself');
    // Node.js 20 deprecates util.isArray in its documentation only.
    expect(/\[DEP0044\]/.test(life.stderr)).toBe(Number(process.versions.node.split('.')[0]) >= 22);
  });
});
