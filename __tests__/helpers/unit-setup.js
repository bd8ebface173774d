// Both tiers (jest.config.js; the tools tier through global-setup.js): a folder for the stack texts its test files share (synth-share.ts).
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function unitSetup() {
  // One folder for a run of both tiers together (`npx jest <files>`): both global setups run in the same process.
  process.env.RANCHER_TEST_SYNTH_SHARE ??= mkdtempSync(join(tmpdir(), 'rancher-synths-'));
};
