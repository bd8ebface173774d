import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCloud } from './fake-cloud';

// A stub call still running after its caller died (a run killed with SIGKILL by the call it made goes on and writes
// the world as it finishes) held the world's lock while the test changed the world between runs; the call then wrote
// its own copy over the change (a k8s-ha acceptance run's `clusterDown` lost on a loaded machine). The test's changes
// take the lock as the stubs do.

/**
 * A stub call as fake-cloud.js makes one, in a process of its own: it takes the world's lock, reads the world, holds
 * the lock until the test waits for it (its own lock directory `world.lock.test.<pid>` appears) or 3,000 looks
 * passed, then writes its copy with `stub: 'wrote'` (write-then-rename) and lets the lock go.
 */
const CALL = `
const fs = require('node:fs'); const { join } = require('node:path');
const dir = process.argv[1]; const lockDir = join(dir, 'world.lock'); const mine = lockDir + '.' + process.pid;
const look = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
fs.mkdirSync(mine); fs.writeFileSync(join(mine, 'owner'), process.pid + ' stub-call');
fs.renameSync(mine, lockDir);
const world = JSON.parse(fs.readFileSync(join(dir, 'world.json'), 'utf8'));
fs.writeFileSync(join(dir, 'call-holds-lock'), '');
for (let n = 0; n < 3000 && !fs.readdirSync(dir).some((f) => /^world\\.lock\\.test\\./.test(f)); n++) look();
world.stub = 'wrote';
fs.writeFileSync(join(dir, 'world.json.call'), JSON.stringify(world)); fs.renameSync(join(dir, 'world.json.call'), join(dir, 'world.json'));
fs.renameSync(lockDir, lockDir + '.free'); fs.rmSync(lockDir + '.free', { recursive: true });
`;

describe('FakeCloud.update', () => {
  let c: FakeCloud;
  afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

  it("waits for a stub call that holds the world's lock, so the call's write and the change both stand", async () => {
    c = new FakeCloud({} as never, { acceptance: {} });
    const call = spawn(process.execPath, ['-e', CALL, c.dir], { stdio: 'inherit' });
    const ended = new Promise<number | null>((done) => call.on('exit', done));
    for (let n = 0; n < 3000 && !existsSync(join(c.dir, 'call-holds-lock')); n++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    c.update((w) => (w.acceptance.clusterDown = true));
    expect(await ended).toBe(0);
    expect(c.world()).toMatchObject({ stub: 'wrote', acceptance: { clusterDown: true } });
    expect(existsSync(join(c.dir, 'world.lock'))).toBe(false);
  });
});
