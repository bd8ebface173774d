// Runs once after the test files: stops and removes what global-setup.js started and made for the run.
const { rmSync } = require('node:fs');

module.exports = function globalTeardown() {
  const server = Number(process.env.RANCHER_TEST_VALIDATOR_PID);
  if (server) {
    try {
      process.kill(server);
    } catch {
      // already gone (it also leaves when jest does)
    }
  }
  const cache = process.env.RANCHER_TEST_VALIDATOR_CACHE;
  if (cache) rmSync(cache, { recursive: true, force: true });
};
