/* eslint-disable @typescript-eslint/no-require-imports */
// The reporter that names, after each tier's run, the files over the tier's budget per case and the slowest files
// (scripts/slow-files-reporter.js, jest.config.js; docs/development.md, "The suite's shape").
const SlowFilesReporter = require('../../scripts/slow-files-reporter.js');
const { reportLines, fileFigures, BUDGET_MS, WORST_OVER } = SlowFilesReporter;

/** A test file's result as jest hands it to a reporter (the fields the reporter reads). */
function result(path: string, tier: string | undefined, cases: number, ms: number, extra: Record<string, unknown> = {}) {
  return {
    testFilePath: `/repo/${path}`,
    displayName: tier === undefined ? undefined : { name: tier, color: 'white' },
    numPassingTests: cases,
    numFailingTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    perfStats: { start: 1_000, end: 1_000 + ms },
    ...extra,
  };
}

describe('the slow-files reporter', () => {
  it("reads a file's tier from its project, or from its name when the run has no projects, and its cost per case", () => {
    expect(fileFigures('/repo', result('__tests__/a.test.ts', 'unit', 4, 800))).toEqual({
      path: '__tests__/a.test.ts',
      tier: 'unit',
      cases: 4,
      ms: 800,
      perCase: 200,
    });
    expect(fileFigures('/repo', result('__tests__/b.tools.test.ts', undefined, 2, 10)).tier).toBe('tools');
    expect(fileFigures('/repo', result('__tests__/b.test.ts', undefined, 2, 10)).tier).toBe('unit');
    // Failing, skipped and todo cases are cases too.
    expect(fileFigures('/repo', result('__tests__/c.test.ts', 'unit', 1, 900, { numFailingTests: 1, numPendingTests: 1 })).perCase).toBe(300);
  });

  it("names the files over their own tier's budget, costliest per case first, and no file under it", () => {
    const files = [
      fileFigures('/repo', result('__tests__/cheap.test.ts', 'unit', 100, 100 * (BUDGET_MS.unit - 1))),
      fileFigures('/repo', result('__tests__/dear.test.ts', 'unit', 2, 2 * (BUDGET_MS.unit + 1))),
      fileFigures('/repo', result('__tests__/dearest.test.ts', 'unit', 1, 10 * BUDGET_MS.unit)),
      // Over the unit budget, under the tools one: a tools file is held to its own tier's.
      fileFigures('/repo', result('__tests__/run.tools.test.ts', 'tools', 3, 3 * (BUDGET_MS.tools - 1))),
    ];
    const lines = reportLines(files);
    // Tiers in name order: tools, then unit.
    const unit = lines.slice(lines.findIndex((line: string) => line.includes('unit tier')));
    expect(unit[1]).toBe(`  2 files over the unit tier's budget of ${BUDGET_MS.unit} ms a case:`);
    expect(unit.filter((line: string) => / a case, \d+ cases?, /.test(line)).map((line: string) => line.split(': ')[1])).toEqual([
      '__tests__/dearest.test.ts',
      '__tests__/dear.test.ts',
    ]);
    expect(lines).toContain(`  No file over the tools tier's budget of ${BUDGET_MS.tools} ms a case.`);
  });

  it('lists at most five files over the budget, the dearest per case, and counts them all in one line', () => {
    const files = Array.from({ length: 255 }, (_, n) => fileFigures('/repo', result(`__tests__/f${n}.test.ts`, 'unit', 1, BUDGET_MS.unit + 1 + n)));
    const lines = reportLines(files);
    expect(WORST_OVER).toBe(5);
    expect(lines[1]).toBe(`  255 files over the unit tier's budget of ${BUDGET_MS.unit} ms a case; the 5 dearest per case:`);
    const listed = lines.slice(
      2,
      lines.findIndex((line: string) => line.startsWith('  The slowest')),
    );
    expect(listed.map((line: string) => line.split(': ')[1])).toEqual([254, 253, 252, 251, 250].map((n) => `__tests__/f${n}.test.ts`));
    expect(lines.filter((line: string) => line.includes(' a case, 1 case, '))).toHaveLength(5);
  });

  it('lists the slowest files of each tier by their whole time, at most the number asked', () => {
    const files = [1, 5, 3, 4, 2].map((n) => fileFigures('/repo', result(`__tests__/f${n}.test.ts`, 'unit', 10, n * 100)));
    const lines = reportLines(files, { unit: 1_000 }, 3);
    expect(lines[0]).toBe("Test files' cost, unit tier: 5 files, 50 cases, 1.5 s in the files (30 ms a case).");
    const slowest = lines.slice(lines.indexOf('  The slowest 3:') + 1);
    expect(slowest).toEqual([
      '    0.5 s, 10 cases, 50 ms a case: __tests__/f5.test.ts',
      '    0.4 s, 10 cases, 40 ms a case: __tests__/f4.test.ts',
      '    0.3 s, 10 cases, 30 ms a case: __tests__/f3.test.ts',
    ]);
  });

  it('prints on stderr at the end of the run, leaving out files that did not run, and fails nothing', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const reporter = new SlowFilesReporter({ rootDir: '/repo' });
      const returned = reporter.onRunComplete(new Set(), {
        testResults: [
          result('__tests__/ran.test.ts', 'unit', 2, 10 * BUDGET_MS.unit),
          result('__tests__/broken.test.ts', 'unit', 0, 5, { testExecError: { message: 'SyntaxError' } }),
        ],
      });
      expect(returned).toBeUndefined();
      const printed = write.mock.calls.map(([text]) => String(text)).join('');
      expect(printed).toContain('1 file over the unit tier');
      expect(printed).toContain('__tests__/ran.test.ts');
      expect(printed).not.toContain('broken');
    } finally {
      write.mockRestore();
    }
  });
});
