// What fake-acceptance.js and fake-acceptance-synth.js share: the run in flight, as its record says.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The run id the test's synths carry; the stubs put the run's own in its place. */
const RUN_ID_PLACEHOLDER = 'zzzzzz';

/** The run in flight: its record, as the command writes it before each phase. */
function current(dir) {
  const root = join(dir, 'acceptance.out');
  if (!existsSync(root)) return undefined;
  for (const id of readdirSync(root)) {
    const file = join(root, id, 'run.json');
    if (!existsSync(file)) continue;
    const record = JSON.parse(readFileSync(file, 'utf8'));
    if (!record.done) return record;
  }
  return undefined;
}

module.exports = { current, RUN_ID_PLACEHOLDER };
