// Runs once before the test files; what it puts in process.env the workers inherit.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/** The interpreter a Python command runs with (its #! line), or undefined when the command is not installed. */
function interpreterOf(command) {
  const path = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
  if (!path || !existsSync(path)) return undefined;
  return /^#!\s*(\S+)/.exec(readFileSync(path, 'utf8').split('\n', 1)[0])?.[1];
}

/** The oldest terraform the synthesized modules declare (required_version) and the tests can stand on. */
const TERRAFORM_FLOOR = [1, 10];

/**
 * The whole run needs a terraform binary (the root-module, plan-check and guard tests parse and evaluate the
 * synthesized modules with it, offline): without one it stops here, naming what is missing, instead of
 * reporting those tests as skipped.
 */
function requireTerraform() {
  const result = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' } });
  const where =
    'Install Terraform >= 1.10 on PATH: HashiCorp publishes it (releases.hashicorp.com, or their apt repository); the npm and Debian ' +
    'registries do not carry it, so .ci/run cannot install it and expects the machine image to have it (these machines: /usr/local/bin/terraform).';
  if (result.error || result.status !== 0) throw new Error(`npm test needs the terraform binary, and none runs (${result.error?.message ?? result.stderr.trim()}). ${where}`);
  const version = JSON.parse(result.stdout).terraform_version;
  const [major, minor] = version.split('.').map(Number);
  if (major < TERRAFORM_FLOOR[0] || (major === TERRAFORM_FLOOR[0] && minor < TERRAFORM_FLOOR[1])) {
    throw new Error(`npm test needs terraform >= ${TERRAFORM_FLOOR.join('.')}; the one on PATH is ${version}. ${where}`);
  }
}

module.exports = function globalSetup() {
  requireTerraform();
  // Every terraform the tests start lives well under a second on a small module: Go's collector and its
  // parallel workers (competing with the jest workers for two cores) were a quarter of its CPU time.
  process.env.GOGC = 'off';
  process.env.GOMAXPROCS = '1';
  // What the validators said, shared by the test files of this run (validators.ts); removed by global-teardown.js.
  const cache = mkdtempSync(join(tmpdir(), 'rancher-validators-'));
  process.env.RANCHER_TEST_VALIDATOR_CACHE = cache;
  // cloud-init and yamllint kept running for the run (validator-server.py), with the interpreter the installed
  // commands use; without it (neither installed) validators.ts runs the commands and reports them missing.
  // The compiled app, built here once rather than by every test file that runs it at the same moment (jest
  // transforms this TypeScript require as it does the test files').
  require('./app-process').compiledMain();
  const python = interpreterOf('cloud-init');
  if (python && /python/.test(python)) {
    const socket = join(cache, 'validators.sock');
    const server = spawn(python, [join(__dirname, 'validator-server.py'), socket], { stdio: ['ignore', 'ignore', 'inherit'] });
    server.unref();
    process.env.RANCHER_TEST_VALIDATOR_PYTHON = python;
    process.env.RANCHER_TEST_VALIDATOR_SOCKET = socket;
    process.env.RANCHER_TEST_VALIDATOR_PID = String(server.pid);
  }
};
