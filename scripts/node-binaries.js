#!/usr/bin/env node
// The official Node.js binaries of a release, installed from the npm registry into node_modules/.cache/node-versions:
// the suite's own (the release .nvmrc pins, which `bash .ci/run` runs everything on and scripts/test.js runs jest on)
// and the other lines the tests run the product on (__tests__/helpers/node-versions.ts). One place for where a
// binary lives and how it is installed.
// `node scripts/node-binaries.js`: installs the suite's and prints the folder of its `node` (for PATH).
const { spawnSync } = require('node:child_process');
const { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } = require('node:fs');
const { dirname, join } = require('node:path');

const ROOT = join(__dirname, '..');
/** Where the binaries are kept between runs, beside the other build caches (npm's own cache keeps the tarballs). */
const CACHE = join(ROOT, 'node_modules', '.cache', 'node-versions');
const PACKAGE = `node-${process.platform}-${process.arch}`;

/** The release .nvmrc pins: the Node.js the suite runs on. */
const suiteVersion = () => readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();

/** Where the `node` binary of `version` is once installed. */
const nodeBinaryPath = (version) => join(CACHE, version, 'node_modules', PACKAGE, 'bin', 'node');

/**
 * The `node` binary of `version`, installed from the npm registry on first use: the registry's `node-<platform>-<arch>`
 * packages are the official binaries (the `node` package's install script only picks the one for the machine), so
 * this is an ordinary npm install, from npm's cache when it holds the tarball. Installed into a folder of its own and
 * renamed into place, so two processes installing at once, or one stopped half-way, cannot leave half of one (the
 * second rename finds the first's folder and its own is dropped).
 */
function installNode(version) {
  const target = join(CACHE, version);
  const binary = nodeBinaryPath(version);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const scratch = mkdtempSync(join(CACHE, `.install-${version}-`));
  // mkdtemp's 700 would keep a test's run as another user (nobody, hostile-settings.tools) from the binary.
  chmodSync(scratch, 0o755);
  try {
    const npm = spawnSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', scratch, `${PACKAGE}@${version}`],
      // A limit to end a hang (a registry that stops answering), not to judge speed.
      { cwd: scratch, encoding: 'utf8', timeout: 10 * 60_000 },
    );
    if (npm.status !== 0)
      throw new Error(`npm could not install Node.js ${version} (${PACKAGE}):\n${npm.error?.message ?? ''}${npm.stdout ?? ''}${npm.stderr ?? ''}`);
    try {
      renameSync(scratch, target);
    } catch (error) {
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

module.exports = { installNode, nodeBinaryPath, suiteVersion };

if (require.main === module) {
  try {
    process.stdout.write(`${dirname(installNode(suiteVersion()))}\n`);
  } catch (error) {
    process.stderr.write(`node-binaries: ${error.message}\n`);
    process.exit(1);
  }
}
