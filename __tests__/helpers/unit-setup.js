// Both tiers (jest.config.js; the tools tier through global-setup.js): a folder for the stack texts its test files share (synth-share.ts).
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function unitSetup() {
  // One folder for a run of both tiers together (`npx jest <files>`: both global setups run in the same process), or
  // the one the caller names for tiers run side by side (.ci/run), which the caller removes: only a folder made here
  // is removed by unit-teardown.js, so a tier that ends first leaves it to the other.
  if (process.env.RANCHER_TEST_SYNTH_SHARE) return;
  process.env.RANCHER_TEST_SYNTH_SHARE = mkdtempSync(join(tmpdir(), 'rancher-synths-'));
  process.env.RANCHER_TEST_SYNTH_SHARE_MADE_BY = String(process.pid);
};
