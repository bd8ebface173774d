// Runs once after the test files: removes what global-setup.js made for the run.
const { rmSync } = require('node:fs');

module.exports = function globalTeardown() {
  const cache = process.env.RANCHER_TEST_VALIDATOR_CACHE;
  if (cache) rmSync(cache, { recursive: true, force: true });
};
