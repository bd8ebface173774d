// Both tiers: removes the folder unit-setup.js made.
const { rmSync } = require('node:fs');

module.exports = function unitTeardown() {
  if (process.env.RANCHER_TEST_SYNTH_SHARE) rmSync(process.env.RANCHER_TEST_SYNTH_SHARE, { recursive: true, force: true });
};
