import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES, expectHandled, MKFIFO_CASES, newTally } from './helpers/hostile-settings';

// Issue 11: the table of hostile and mistaken settings files is __tests__/helpers/hostile-settings.ts; the cases
// that need a named pipe (mkfifo) and the runs of the compiled CLI are hostile-settings.tools.test.ts's.

const tally = newTally();

describe('hostile and mistaken settings files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-hostile-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    // The closing numbers of the issue.
    const classes = [...tally.byClass].sort(([a], [b]) => a - b).map(([cls, n]) => `class ${cls}: ${n.tried} tried, ${n.rejected} rejected`);
    console.log(
      `hostile settings: ${tally.tried} files tried, ${tally.rejected} rejected, ${tally.accepted} accepted (${classes.join('; ')}); at most ${tally.filesOpened} files opened and ${tally.mostBytes} bytes read by one; slowest ${tally.slowest} in ${tally.slowestMs} ms`,
    );
  });

  it('has at least 150 cases, in every class, with unique ids', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    for (const cls of [1, 2, 3, 4, 5]) expect(CASES.filter((c) => c.cls === cls).length).toBeGreaterThan(0);
  });

  it.each(CASES.filter((c) => !MKFIFO_CASES.has(c.id)).map((c) => [`class ${c.cls}: ${c.id}`, c] as const))('%s', (_name, hostile) => {
    expectHandled(hostile, dir, tally);
  });
});
