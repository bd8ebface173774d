import { existsSync } from 'node:fs';
import { join } from 'node:path';

// scripts/jest-sequencer.js is plain CommonJS for jest's config.
const SlowestFirst = require('../../scripts/jest-sequencer.js') as { new (): { sort(tests: FakeTest[]): FakeTest[] }; SLOWEST: string[] };

type FakeTest = { path: string; duration?: number; context: object };

const TESTS = join(__dirname, '..');

/** Test files as jest hands them to the sequencer, with the sizes its file map would give. */
function tests(sizes: Record<string, number>): FakeTest[] {
  const context = { config: { cache: false }, hasteFS: { getSize: (path: string) => sizes[path.slice(TESTS.length + 1)] } };
  return Object.keys(sizes).map((name) => ({ path: join(TESTS, name), context }));
}
const names = (sorted: FakeTest[]) => sorted.map((t) => t.path.slice(TESTS.length + 1));

describe('SlowestFirst (scripts/jest-sequencer.js)', () => {
  it('names test files that exist', () => {
    expect(SlowestFirst.SLOWEST.filter((name) => !existsSync(join(TESTS, name)))).toEqual([]);
  });

  it('without times of a previous run, starts the named files first, slowest first, then the rest by size', () => {
    const sorted = new SlowestFirst().sort(tests({ 'lib/a.test.ts': 900, 'stacks/rke-ha-tls.test.ts': 300, 'lib/b.test.ts': 2000, 'stacks/root-module.test.ts': 100 }));
    expect(names(sorted)).toEqual(['stacks/root-module.test.ts', 'stacks/rke-ha-tls.test.ts', 'lib/b.test.ts', 'lib/a.test.ts']);
  });

  it("with times of a previous run, keeps jest's order (slowest first by those times)", () => {
    const fake = tests({ 'lib/a.test.ts': 900, 'stacks/root-module.test.ts': 100 });
    const sequencer = new SlowestFirst() as unknown as { _cache: Map<object, object>; sort(t: FakeTest[]): FakeTest[] };
    sequencer._cache.set(fake[0].context, { [fake[0].path]: [1, 9000], [fake[1].path]: [1, 10] });
    expect(names(sequencer.sort(fake))).toEqual(['lib/a.test.ts', 'stacks/root-module.test.ts']);
  });
});
