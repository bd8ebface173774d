// Runs once before the test files; what it puts in process.env the workers inherit.
const { spawnSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function globalSetup() {
  // Whether a terraform binary runs, asked once instead of in every test file that needs one.
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' } });
  process.env.RANCHER_TEST_HAS_TERRAFORM = version.status === 0 ? 'yes' : 'no';
  // What the validators said, shared by the test files of this run (validators.ts); removed by global-teardown.js.
  process.env.RANCHER_TEST_VALIDATOR_CACHE = mkdtempSync(join(tmpdir(), 'rancher-validators-'));
};
