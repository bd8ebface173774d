import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/**
 * Bounded reading of the files the settings name (the settings file itself,
 * `rancher.tls.certificateFile`): the type and size are checked before a
 * byte is read, so a directory, a FIFO without a writer, `/dev/zero` or a
 * multi-gigabyte file ends in a message, not in a hang or an exhausted heap.
 */

/**
 * Largest settings (or certificate) file read. A complete settings file with
 * every comment of rancher.example.yaml is about 10 KiB; the YAML parser needs
 * up to about 1.5 s for 128 KiB of pathological text on a busy 2-core machine
 * (7 s for 1 MiB), so the cap keeps every file within a few seconds.
 */
export const MAX_SETTINGS_FILE_BYTES = 128 * 1024;

export type TextFileRead =
  { readonly text: string; readonly problem?: undefined } | { readonly text?: undefined; readonly problem: string; readonly missing?: boolean };

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const KIB = 1024;
const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
const limit = (n: number) => (n % KIB === 0 ? `${n / KIB} KiB (${bytes(n)})` : bytes(n));

/** What a failed stat/open/read means to a person; never the raw error text. */
function fsProblem(error: unknown): TextFileRead {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return { problem: 'does not exist', missing: true };
    case 'ENOTDIR':
      return { problem: 'does not exist (a part of the path is not a directory)', missing: true };
    case 'EACCES':
    case 'EPERM':
      return { problem: 'cannot be read: permission denied' };
    case 'ELOOP':
      return { problem: 'cannot be read: a loop of symbolic links' };
    case 'ENAMETOOLONG':
      return { problem: 'cannot be read: the path is too long' };
    default:
      return { problem: `cannot be read (${code ?? 'unknown error'})` };
  }
}

/**
 * Reads a UTF-8 text file of at most `maxBytes`, or says why not: not a
 * regular file, too large, unreadable, binary (NUL bytes, as in
 * `/proc/self/environ`), not UTF-8. Files whose size the kernel does not know
 * (`/proc`) are read up to the limit and no further.
 */
export function readBoundedTextFile(path: string, maxBytes = MAX_SETTINGS_FILE_BYTES): TextFileRead {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    return fsProblem(error);
  }
  if (!stats.isFile()) return { problem: `is ${kindOf(stats)}, not a regular file` };
  const tooLarge = { problem: `is larger than the limit of ${limit(maxBytes)}` };
  if (stats.size > maxBytes) return { problem: `is ${bytes(stats.size)}, larger than the limit of ${limit(maxBytes)}` };

  let fd: number;
  try {
    // Non-blocking: should the path have become a FIFO since the stat, opening it must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    return fsProblem(error);
  }
  try {
    if (!fstatSync(fd).isFile()) return { problem: 'is not a regular file' };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) return tooLarge;
    const bytes = buffer.subarray(0, length);
    if (bytes.includes(0)) return { problem: 'is a binary file (it holds NUL bytes), not text' };
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      return { problem: 'is not UTF-8 text' };
    }
  } catch (error) {
    return fsProblem(error);
  } finally {
    closeSync(fd);
  }
}
