// Unit tier (jest.config.js, project "unit"): a folder for the stack texts its test files share (synth-share.ts).
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function unitSetup() {
  process.env.RANCHER_TEST_SYNTH_SHARE = mkdtempSync(join(tmpdir(), 'rancher-synths-'));
};
