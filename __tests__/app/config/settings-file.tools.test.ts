import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBoundedTextFile } from '../../../app/config/settings-file';

describe('readBoundedTextFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-read-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fifo(): string {
    const path = join(dir, 'pipe');
    execFileSync('mkfifo', [path]);
    return path;
  }

  it.each([['a named pipe without a writer', () => fifo(), 'is a named pipe (FIFO), not a regular file']])(
    'refuses %s, saying what it is',
    (_what, path, problem) => {
      expect(readBoundedTextFile(path()).problem).toBe(problem);
    },
  );
});
