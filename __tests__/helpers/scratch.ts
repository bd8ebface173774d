import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the fake cloud makes its worlds: /dev/shm (a tmpfs) when the machine has one, else the temporary folder.
 * Every stub call deletes and replaces files in its world (world.json renamed over, the lock directory moved aside
 * and removed, stub.sh's files of the call deleted): on a disk mounted with `discard`, as this machine's /tmp is,
 * each of those trims blocks in the kernel, a large part of the stub server's and the tests' system time. A tmpfs
 * keeps what the world's lock and the server's cache rely on: an atomic rename, a directory renamed onto a non-empty
 * one refused, coarse file times, an inode per new file. (A node sandbox, whose files change far less often, gained
 * nothing measurable there and stays in the temporary folder.)
 */
let scratch: string | undefined;
/** /dev/shm where it is a writable folder, else the temporary folder; looked at on the first folder made, not at import. */
function scratchRoot(): string {
  if (scratch === undefined) {
    try {
      accessSync('/dev/shm', constants.W_OK);
      scratch = statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir();
    } catch {
      scratch = tmpdir();
    }
  }
  return scratch;
}

/** A new scratch folder named `prefix` and six random characters; its owner removes it. */
export function scratchFolder(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), prefix));
}
