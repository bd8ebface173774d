import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';

// The fake cloud's world file (world.json) read and written under its lock, as the stubs do (ops-stubs/fake-cloud.js),
// by the tests (fake-cloud.ts) and the fake AWS endpoint's server alike.

/** The fake world's region: its deployment's, where a stored object names none. */
export const REGION = 'eu-west-1';

/** Whether a process runs (a zombie, killed and not yet reaped, does not), as the stubs judge a lock's owner. */
function alive(pid: string): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * `action` under the world's lock, taken as the stubs take it (ops-stubs/fake-cloud.js lock/unlock: a directory with its
 * owner renamed into place, never taken from a live owner, taken over from a dead one, let go by moving it aside
 * whole), so a change the test makes and a stub call's write never interleave. Bounded by looks, as the stubs are.
 */
export function worldLocked<T>(dir: string, action: () => T): T {
  const lockDir = join(dir, 'world.lock');
  const owner = `${process.pid} test-${Math.random().toString(36).slice(2)}`;
  const mine = `${lockDir}.test.${process.pid}`;
  const ownerOf = (path: string) => {
    try {
      return readFileSync(join(path, 'owner'), 'utf8');
    } catch {
      return undefined;
    }
  };
  rmSync(mine, { recursive: true, force: true });
  mkdirSync(mine);
  writeFileSync(join(mine, 'owner'), owner);
  for (let looks = 0; ; looks++) {
    try {
      renameSync(mine, lockDir);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
    const held = ownerOf(lockDir);
    if (held !== undefined && !alive(held.split(' ')[0])) {
      const aside = `${lockDir}.dead.test.${process.pid}`;
      try {
        renameSync(lockDir, aside);
        if (ownerOf(aside) !== held) renameSync(aside, lockDir);
      } catch {
        // Another taker moved it first.
      }
      rmSync(aside, { recursive: true, force: true });
      continue;
    }
    if (looks === 60_000) {
      rmSync(mine, { recursive: true, force: true });
      throw new Error(`the world's lock stayed with a live call (${held}) for 60,000 looks`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
  try {
    return action();
  } finally {
    if (ownerOf(lockDir) === owner) {
      const freed = `${lockDir}.free.test.${process.pid}`;
      renameSync(lockDir, freed);
      rmSync(freed, { recursive: true, force: true });
    }
  }
}

// The worlds this process last read or wrote, parsed, by folder: the fake AWS endpoint answers every request from the
// world, about 400 KB of JSON, and parsed it afresh each time though it had written it itself at the request before.
// An entry is kept while world.json is the same file (inode, modification time in ns, size), as the stub server keeps
// its worlds' text (ops-stubs/stub-server.js worldEntry): every writer of a world writes a new file and renames it over,
// so another writer's change is a new identity and the file is read again. A few entries: a test file makes its
// worlds one after another.
const seen = new Map<string, { readonly id: string; readonly world: any }>();
const KEPT = 4;
const identity = (stats: BigIntStats) => `${stats.ino}:${stats.mtimeNs}:${stats.size}`;

function remember(dir: string, id: string, world: unknown): void {
  seen.delete(dir);
  seen.set(dir, { id, world });
  if (seen.size > KEPT) seen.delete(seen.keys().next().value!);
}

/** The world in `dir`, parsed: the one this process last read or wrote while world.json is unchanged. Read it, never change it. */
export function worldSeen(dir: string): any {
  const fd = openSync(join(dir, 'world.json'), 'r');
  try {
    const id = identity(fstatSync(fd, { bigint: true }));
    const known = seen.get(dir);
    if (known?.id === id) return known.world;
    const world = JSON.parse(readFileSync(fd, 'utf8'));
    remember(dir, id, world);
    return world;
  } finally {
    closeSync(fd);
  }
}

/** Changes the world in `dir` under its lock, as FakeCloud.update does. */
export function updateWorld(dir: string, change: (world: any) => void): void {
  worldLocked(dir, () => {
    const world = JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8'));
    change(world);
    writeWorldHeld(dir, world);
  });
}

/**
 * As updateWorld, from the world this process last read or wrote while world.json is still that file (worldSeen), and
 * keeping what it writes for the next call: the fake AWS endpoint's server, which changes the world at every request.
 */
export function updateKeptWorld(dir: string, change: (world: any) => void): void {
  worldLocked(dir, () => {
    const world = worldSeen(dir);
    // Changed in place: forgotten unless written whole.
    seen.delete(dir);
    change(world);
    writeWorldHeld(dir, world);
    // Its identity once renamed into place, the lock still held: no other writer has replaced it.
    remember(dir, identity(statSync(join(dir, 'world.json'), { bigint: true })), world);
  });
}

/** Written beside and renamed over, the lock held (see FakeCloud.write). */
export function writeWorldHeld(dir: string, world: unknown): void {
  const file = join(dir, 'world.json');
  writeFileSync(`${file}.test`, JSON.stringify(world));
  renameSync(`${file}.test`, file);
}
