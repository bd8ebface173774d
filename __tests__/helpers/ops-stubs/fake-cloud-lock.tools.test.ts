import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded, runBoundedAsync } from '../subprocess';

// The fake cloud's world lock (ops-stubs/fake-cloud.js): one call at a time acts on world.json, as one API server
// orders its writes. A lock taken from a live call by its age, as the stub once did, let two calls act at once on a
// loaded machine and one's write be lost (a roll then waited for a Node whose deletion had been written over).
const STUB = join(__dirname, '..', 'ops-stubs', 'fake-cloud.js');
const look = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-cloud-lock-'));
  writeFileSync(join(dir, 'world.json'), JSON.stringify({ state: { version: 4, serial: 1, lineage: 'l', outputs: {}, resources: [] } }));
  // The stub knows its tool by the name it is run under.
  mkdirSync(join(dir, 'bin'));
  symlinkSync(STUB, join(dir, 'bin', 'terraform'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The lock as a call leaves it while it acts, owned by `pid`, made to look a minute old. */
function holdLock(pid: number): string {
  const lockDir = join(dir, 'world.lock');
  mkdirSync(lockDir);
  writeFileSync(join(lockDir, 'owner'), `${pid} held-by-the-test`);
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(lockDir, minuteAgo, minuteAgo);
  return lockDir;
}
const statePull = () =>
  runBoundedAsync(process.execPath, [join(dir, 'bin', 'terraform'), 'state', 'pull'], { cwd: dir, env: { ...process.env, FAKE_WORLD: dir } });
const calls = () => (existsSync(join(dir, 'calls.jsonl')) ? readFileSync(join(dir, 'calls.jsonl'), 'utf8') : '');

describe('the fake cloud world lock', () => {
  it('a call waits for a lock a live call holds, however old the lock looks, and acts once it is let go', async () => {
    const lockDir = holdLock(process.pid);
    const run = statePull();
    // The call waits once its own lock directory (renamed into place when it wins) is there.
    let waiting = false;
    for (let n = 0; n < 3000 && !waiting; n++) {
      waiting = readdirSync(dir).some((name) => /^world\.lock\.\d+$/.test(name));
      if (!waiting) look();
    }
    expect(waiting).toBe(true);
    for (let n = 0; n < 100; n++) look();
    expect(calls()).toBe('');
    expect(readFileSync(join(lockDir, 'owner'), 'utf8')).toBe(`${process.pid} held-by-the-test`);
    // Let go as the stub lets go (fake-cloud.js unlock): moved aside whole, then removed. Emptied in place, the waiting
    // call's rename onto the empty directory can win between the owner's removal and the rmdir (ENOTEMPTY here).
    renameSync(lockDir, `${lockDir}.free`);
    rmSync(`${lockDir}.free`, { recursive: true });
    const result = await run;
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(calls()).toContain('"state","pull"');
    expect(existsSync(lockDir)).toBe(false);
  });

  it('a lock whose owner died is taken over', async () => {
    const dead = runBounded('true', []).pid!;
    holdLock(dead);
    const result = await statePull();
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(calls()).toContain('"state","pull"');
    expect(existsSync(join(dir, 'world.lock'))).toBe(false);
  });
});
