import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runAsync, ToolMissing } from '../../../cli/shared/process';

// The operations start every command through cli/shared/process.ts; a child that ends, or closes its input, before reading
// what we write to it makes that write fail with EPIPE, which Node reports as an 'error' on the child's stdin. With
// no listener it ends the CLI on the spot, before the teardown a drill or an acceptance run promised. Linux pipes
// hold 64 KiB (pipe(7)): a larger input to a child that closes its standard input at once fails every time.
describe('runAsync and run with a child that does not read its input', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ops-process-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ONE_MIB = 'x'.repeat(1 << 20);
  /** Closes its standard input unread, then lives on a moment and exits 3: our writes meet a pipe with no reader. */
  const closesInput = ['-c', 'exec 0<&-; sleep 0.05; exit 3'];

  it('resolves with the exit code, 10 runs out of 10, when the child closes its input unread (EPIPE on every one)', async () => {
    const codes: (number | null)[] = [];
    for (let i = 0; i < 10; i++) codes.push((await runAsync('sh', closesInput, { input: ONE_MIB })).code);
    expect(codes).toEqual(Array(10).fill(3));
  });

  it('resolves with the exit code, 30 runs out of 30, when the child exits at once (the race with our write)', async () => {
    const codes: (number | null)[] = [];
    for (let i = 0; i < 30; i++) codes.push((await runAsync('sh', ['-c', 'exit 4'], { input: i % 2 ? ONE_MIB : '' })).code);
    expect(codes).toEqual(Array(30).fill(4));
  });

  it('rejects a command that cannot be started with one clear line, and a missing one naming how to install it', async () => {
    const notExecutable = join(dir, 'terraform');
    writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n');
    chmodSync(notExecutable, 0o644);
    await expect(runAsync(notExecutable, ['plan'], { input: ONE_MIB })).rejects.toThrow(
      `${notExecutable} could not be started: spawn ${notExecutable} EACCES`,
    );
    await expect(runAsync('terraform-not-installed-here', [], { input: ONE_MIB })).rejects.toBeInstanceOf(ToolMissing);
  });

  it('run (synchronous) returns the exit code of a child that closed its input, and says why one could not start', () => {
    expect(run('sh', closesInput, { input: ONE_MIB }).code).toBe(3);
    const notExecutable = join(dir, 'kubectl');
    writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n');
    chmodSync(notExecutable, 0o644);
    const result = run(notExecutable, ['get', 'nodes']);
    expect(result.code).toBeNull();
    expect(result.stderr).toBe(`${notExecutable} could not be started: spawnSync ${notExecutable} EACCES`);
  });
});

describe('runAsync with onLine', () => {
  it('hands on each whole line of both streams as it comes, a line split across writes once, the last one without a newline at the end; and captures them too', async () => {
    const lines: string[] = [];
    const script = "printf 'Plan: 1 to add'; sleep 0.05; printf ', 0 to change.\\n\\nSaved'; printf 'warning\\n' >&2; sleep 0.05; printf ' the plan'";
    const result = await runAsync('sh', ['-c', script], { onLine: (line) => lines.push(line) });
    expect(result).toMatchObject({ code: 0, stdout: 'Plan: 1 to add, 0 to change.\n\nSaved the plan', stderr: 'warning\n' });
    expect(lines.filter((l) => l !== 'warning')).toEqual(['Plan: 1 to add, 0 to change.', '', 'Saved the plan']);
    expect(lines).toContain('warning');
  });
});
