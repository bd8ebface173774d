import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codesOf, messagesOf } from '../../helpers/plain-output';
import { checkEveryCluster, cluster, roll } from '../../helpers/roll-world';
import { replay } from '../../helpers/terminal-screen';

// What a person sees of a roll: on a real pseudo-terminal (util-linux `script`), progress in place; with CI set, plain
// lines. The same roll of three servers against the fake cluster (helpers/roll-world.ts) each time.
checkEveryCluster();

/** Where RANCHER_TEST_RECORDINGS names a folder, the two recordings are left there to read. */
function keep(name: string, text: string): void {
  const dir = process.env.RANCHER_TEST_RECORDINGS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
}

/** A status line as the terminal renderer draws it for a server's step: `server-1 (2 of 3, 4s) › drain (2 of 5, 1s) · ...`. */
const STATUS = /^(server-\d) \((\d) of 3, \d+(?:m \d\d)?s\) › (\w+) \((\d) of 5, (\d+)(?:m \d\d)?s\) · /;

describe('roll: what a person sees', () => {
  it('on a terminal: a status line redrawn in place (server n of 3, step n of 5, the time spent), the lines that stay below each other, no codes', async () => {
    const c = cluster('three');
    // CI=false: the suite's own CI=true must not decide for the terminal (choose-renderer.ts reads false as not CI).
    const run = await c.runInTerminal(['roll', '--dir', 'module'], undefined, undefined, { CI: 'false' });
    keep('roll-terminal.txt', run.screen);
    expect(run.code).toBe(0);
    const { rows, erased } = replay(run.screen);
    // Every server and every one of its five steps was shown in the status line, in order, then erased by the next draw.
    const shown = erased.map((line) => STATUS.exec(line)).filter((m): m is RegExpExecArray => m !== null);
    const seen = [...new Set(shown.map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`))];
    const steps = ['snapshot', 'drain', 'remove', 'replace', 'rejoin'];
    expect(seen).toEqual([0, 1, 2].flatMap((i) => steps.map((step, j) => `server-${i} ${i + 1} ${step} ${j + 1}`)));
    // The redraw of a running step every second is held in terminal-renderer.test.ts with a clock the test moves: here
    // a step against the fake lasts about as long as the machine takes, so whether a second passes in one is not asserted.
    // What stays: the plan, each step's end with its time, each server's end, the finish; no status line, no code.
    expect(rows.some((row) => STATUS.test(row))).toBe(false);
    expect(rows.join('\n')).not.toMatch(/ROLL_[A-Z_]+|\d{4}-\d\d-\d\dT/);
    expect(rows).toContainEqual(expect.stringMatching(/^server-1: drained \(\d+s\)$/));
    expect(rows).toContainEqual(expect.stringMatching(/^server-2: replaced, Ready and a voting etcd member \(\d+(m \d\d)?s\)\.$/));
    expect(rows[rows.length - 1]).toBe('Roll of rancher finished: server-0, server-1, server-2 replaced one at a time.');
  });

  it('with CI set: one plain line per event, each with its UTC time and code, nothing drawn in place', () => {
    const c = cluster('three');
    const result = c.run(['roll', '--dir', 'module'], { env: { CI: 'true' } });
    keep('roll-ci.txt', result.out);
    expect(result).toSucceed();
    expect(result.out).not.toContain('\u001b');
    const messages = messagesOf(result.out);
    expect(messages.filter((m) => m.code === 'ROLL_STEP_STARTED').map((m) => m.text.split(':')[0])).toEqual(
      [0, 1, 2].flatMap((i) => [1, 2, 3, 4, 5].map((n) => `server-${i}, step ${n} of 5`)),
    );
    expect(codesOf(result.out).slice(-2)).toEqual(['ROLL_SERVER_ROLLED', 'ROLL_FINISHED']);
    // Each event's line starts with its time: the lines that do not are a plan's or a message's own further lines.
    const lines = result.out.trimEnd().split('\n');
    expect(lines.filter((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ROLL_/.test(l))).toHaveLength(messages.length);
  });

  it('--json: the final report alone on standard output, every message with its code and every step with its time; progress on standard error', () => {
    const c = cluster('three');
    const result = roll(c, '--server', 'server-1', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ command: 'roll', exitCode: 0 });
    expect(report.messages.map((m: { code: string }) => m.code)).toEqual(codesOf(result.err));
    expect(report.messages.at(-1)).toMatchObject({ level: 'result', code: 'ROLL_FINISHED', data: { servers: ['server-1'] } });
    expect(report.spans.map((s: { label: string; outcome: string }) => `${s.label} ${s.outcome}`)).toEqual([
      'server-1 done',
      'snapshot done',
      'drain done',
      'remove done',
      'replace done',
      'rejoin done',
    ]);
    expect(report.spans.every((s: { durationMs: number }) => Number.isInteger(s.durationMs) && s.durationMs >= 0)).toBe(true);
  });
});
