// Jest starts the slowest test files first when it knows their times (its cache, written by the previous run). On
// a fresh machine (CI) it knows none and goes by file size, which put the short files that check every synthesized
// variant with terraform last: the run then ended on root-module.test.ts alone, for 11 s. Without the cache, the
// files named here go first, slowest first; with it, jest's own order stands.
const Sequencer = require('@jest/test-sequencer').default;
const { join, relative } = require('node:path');

const TESTS = join(__dirname, '..', '__tests__');

/** Measured with `npx jest --json` on the 2-core machine, slowest first. */
const SLOWEST = [
  // The operations CLI against the fake cloud: every stub call is a node start (about 75 s each file, idle).
  'lib/ops/roll-coordination.test.ts',
  'lib/ops/roll.test.ts',
  'lib/ops/roll-failures.test.ts',
  'lib/ops/teardown.test.ts',
  'stacks/root-module.test.ts',
  'stacks/rke-ha-day2.test.ts',
  'stacks/rke-ha-tls.test.ts',
  'stacks/rke-ha-gates.test.ts',
  'cdktf-cli.test.ts',
  'hostile-settings.test.ts',
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    const rank = (test) => {
      const i = SLOWEST.indexOf(relative(TESTS, test.path));
      return i < 0 ? SLOWEST.length : i;
    };
    // Stable: the other files keep jest's order (by size).
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
module.exports.SLOWEST = SLOWEST;
