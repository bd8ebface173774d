import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SETTINGS_FILE_BYTES, readBoundedTextFile } from '../../../app/config/settings-file';

// A named pipe (made with mkfifo, a process) is settings-file.tools.test.ts's.
describe('readBoundedTextFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-read-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads UTF-8 text up to the limit', () => {
    expect(readBoundedTextFile(file('ok.yaml', 'name: prod\n'))).toEqual({ text: 'name: prod\n' });
    expect(readBoundedTextFile(file('full.yaml', 'x'.repeat(MAX_SETTINGS_FILE_BYTES))).text).toHaveLength(MAX_SETTINGS_FILE_BYTES);
  });

  it('refuses one byte more, before reading it', () => {
    expect(readBoundedTextFile(file('over.yaml', 'x'.repeat(MAX_SETTINGS_FILE_BYTES + 1)))).toEqual({
      problem: 'is 131,073 bytes, larger than the limit of 128 KiB (131,072 bytes)',
    });
    expect(readBoundedTextFile(file('small-limit.yaml', 'abc'), 2)).toEqual({ problem: 'is 3 bytes, larger than the limit of 2 bytes' });
  });

  it('reads a file whose size the kernel does not report (/proc) only up to the limit', () => {
    const read = readBoundedTextFile('/proc/self/status', 64);
    expect(read).toEqual({ problem: 'is larger than the limit of 64 bytes' });
  });

  it.each([
    ['a directory', () => dir, 'is a directory, not a regular file'],
    ['a character device', () => '/dev/zero', 'is a character device, not a regular file'],
    ['a missing file', () => join(dir, 'missing'), 'does not exist'],
    ['a path through a file', () => join(file('plain', 'x'), 'below'), 'does not exist (a part of the path is not a directory)'],
    ['a loop of links', () => loop(), 'cannot be read: a loop of symbolic links'],
    ['a file that fails to read', () => '/proc/self/mem', 'cannot be read (EIO)'],
    ['NUL bytes', () => file('nul', Buffer.from([0x61, 0, 0x62])), 'is a binary file (it holds NUL bytes), not text'],
    ['Latin-1 text', () => file('latin1', Buffer.from('caf\xe9', 'latin1')), 'is not UTF-8 text'],
  ])('refuses %s, saying what it is', (_what, path, problem) => {
    expect(readBoundedTextFile(path()).problem).toBe(problem);
  });

  it('marks a missing file as missing (RANCHER_CONFIG says so in its own words)', () => {
    expect(readBoundedTextFile(join(dir, 'missing'))).toEqual({ problem: 'does not exist', missing: true });
  });

  function loop(): string {
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    return join(dir, 'a');
  }
});
