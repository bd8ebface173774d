import { spawnSync } from 'node:child_process';

// The options scripts/test.js gives jest's own node (its workers inherit them), and jest's grace for a worker's
// exit (jest.config.js), each held against what it is there for. Nothing here reaches into jest-worker's files or
// message codes: both are public settings (a Node.js flag, a jest option).

// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/test.js, CommonJS without types
const { JEST_NODE_OPTIONS } = require('../../scripts/test.js') as { JEST_NODE_OPTIONS: string[] };

/** A node that calls util.isArray (cdktf 0.21's call that Node.js 22 deprecates at run time, DEP0044). */
function isArrayCall(execArgv: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [...execArgv, '-e', "require('node:util').isArray([])"], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe("jest's node and its workers", () => {
  it("jest waits for a worker's exit longer than a loaded unit worker's teardown takes (0.5-2 s measured), not its 500 ms default", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the suite's jest configuration, CommonJS
    const config = require('../../jest.config.js') as { workerGracefulExitTimeout?: number };
    expect(config.workerGracefulExitTimeout).toBeGreaterThanOrEqual(5000);
  });

  it('with the options, a worker that calls util.isArray prints no DEP0044', () => {
    expect(isArrayCall(JEST_NODE_OPTIONS)).toEqual({ status: 0, stderr: '' });
  });

  it('without them, the same call prints DEP0044 on Node.js 22 and later (what the options are there for)', () => {
    const bare = isArrayCall([]);
    expect(bare.status).toBe(0);
    // Node.js 20 deprecates util.isArray in its documentation only.
    expect(/\[DEP0044\]/.test(bare.stderr)).toBe(Number(process.versions.node.split('.')[0]) >= 22);
  });
});
