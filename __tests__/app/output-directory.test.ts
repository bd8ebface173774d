import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputDirectory, outputDirectoryProblem, outputWriteProblem } from '../../app/output-directory';

describe('output directory', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'rancher-out-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it("is cdktf's own choice: CDKTF_OUTDIR, else cdktf.out", () => {
    expect(outputDirectory({})).toBe('cdktf.out');
    expect(outputDirectory({ CDKTF_OUTDIR: '/tmp/x' })).toBe('/tmp/x');
  });

  it('has no problem when it exists as a directory or can be created', () => {
    expect(outputDirectoryProblem('cdktf.out', cwd)).toBeUndefined();
    mkdirSync(join(cwd, 'cdktf.out'));
    expect(outputDirectoryProblem('cdktf.out', cwd)).toBeUndefined();
  });

  it('refuses a file in its place, and a missing or non-directory parent', () => {
    writeFileSync(join(cwd, 'cdktf.out'), 'x');
    expect(outputDirectoryProblem('cdktf.out', cwd)).toBe('cdktf.out exists and is not a directory; move it away or set CDKTF_OUTDIR');
    expect(outputDirectoryProblem('missing/out', cwd)).toBe('the parent directory of missing/out does not exist');
    expect(outputDirectoryProblem('cdktf.out/stacks', cwd)).toBe('a part of cdktf.out/stacks is a file, not a directory');
  });

  it('tells a file-system error while writing from a bug', () => {
    const error = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: 'cdktf.out/x' });
    expect(outputWriteProblem(error)).toBe('write failed with ENOSPC for cdktf.out/x');
    expect(outputWriteProblem(new TypeError('undefined is not a function'))).toBeUndefined();
    expect(outputWriteProblem(undefined)).toBeUndefined();
  });
});
