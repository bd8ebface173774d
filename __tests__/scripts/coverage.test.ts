/* eslint-disable @typescript-eslint/no-require-imports */
// npm run test:coverage's table (scripts/coverage.js): jest's json-summary summed per folder and per top folder.
const { folderTable } = require('../../scripts/coverage.js');

const file = (lines: [number, number], branches: [number, number]) => ({
  lines: { covered: lines[0], total: lines[1] },
  branches: { covered: branches[0], total: branches[1] },
});

describe("the coverage command's table", () => {
  it('sums lines and branches per folder (lib/<domain>, cli/<command>) and per top folder, ignoring the total', () => {
    const table = folderTable(
      {
        total: file([1, 1], [1, 1]),
        '/repo/lib/config/cidr.ts': file([8, 10], [3, 4]),
        '/repo/lib/config/versions.ts': file([2, 10], [0, 0]),
        '/repo/lib/index.ts': file([1, 1], [0, 0]),
        '/repo/cli/roll/roll.ts': file([0, 5], [0, 2]),
      },
      '/repo',
    );
    expect(table).toEqual([
      '| folder | lines | branches |',
      '|---|---|---|',
      '| **cli** | 0.0% (0/5) | 0.0% (0/2) |',
      '| cli/roll | 0.0% (0/5) | 0.0% (0/2) |',
      '| **lib** | 52.4% (11/21) | 75.0% (3/4) |',
      '| lib/config | 50.0% (10/20) | 75.0% (3/4) |',
    ]);
  });
});
