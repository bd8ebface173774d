// Both tiers: removes the folder unit-setup.js made (not one the caller named: .ci/run shares one between the tiers).
const { rmSync } = require('node:fs');

module.exports = function unitTeardown() {
  const folder = process.env.RANCHER_TEST_SYNTH_SHARE;
  if (folder && process.env.RANCHER_TEST_SYNTH_SHARE_MADE_BY === String(process.pid)) rmSync(folder, { recursive: true, force: true });
};
