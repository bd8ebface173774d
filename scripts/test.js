#!/usr/bin/env node
// npm test: the unit tier (jest.config.js, project "unit"). npm run test:tools (`node scripts/test.js --tools`): the
// tools tier (project "tools"). Neither type-checks: jest only strips the types, and `npm run lint` runs the one
// `tsc --noEmit` of the whole tree (a second process beside the unit tier cost it a fifth of its CPU).
// Further arguments go to jest (`npm test -- __tests__/app/stacks`); the project is named last, since jest's
// --selectProjects takes every word after it.
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { delimiter, dirname, join } = require('node:path');
const nodeBinaries = require('./node-binaries');

const JEST = join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
/**
 * The options of jest's own node (its workers inherit them, a process a test starts does not): cdktf 0.21's DEP0044
 * (`util.isArray`, deprecated at run time from Node.js 22), which each worker that synthesizes printed once on the
 * run's output as the app does not (app/cdktf-deprecations.ts), kept off. The app and the CLI the tools tier runs are
 * started without it, and still show whatever they print themselves.
 */
const JEST_NODE_OPTIONS = ['--disable-warning=DEP0044'];

// The suite's Node.js: the release .nvmrc pins, where `bash .ci/run` installs it (scripts/node-binaries.js). Put first
// on PATH, it runs jest (its bin script asks `env` for node), its workers, and every node the tools tier starts by
// name; where it is not installed, the running Node.js does, and the summary line says so.
const suiteVersion = nodeBinaries.suiteVersion();
const suiteNode = nodeBinaries.nodeBinaryPath(suiteVersion);
const suiteBin = dirname(suiteNode);
const onSuiteNode = existsSync(suiteNode);
const nodeSaid = onSuiteNode
  ? `Node.js ${suiteVersion}`
  : `Node.js ${process.versions.node}, not the suite's ${suiteVersion} (.nvmrc; bash .ci/run installs it)`;

function run(command, args, env = process.env) {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

module.exports = { JEST_NODE_OPTIONS };

if (require.main === module) main();

function main() {
  const tools = process.argv[2] === '--tools';
  const args = process.argv.slice(tools ? 3 : 2);
  const start = Date.now();
  const seconds = () => ((Date.now() - start) / 1000).toFixed(1);

  const tier = tools ? 'tools' : 'unit';
  // The unit tier's workers synthesize stacks, which allocate short-lived objects at a high rate: a young generation
  // of 64 MB (V8's default is 16 MB) halves the scavenges, 3 of the tier's 49 s on 2 cores (bench/README.md). A V8
  // option, set for the unit tier's jest only: the tools tier's processes start the CLI and stubs, which need no more.
  const base = onSuiteNode ? { ...process.env, PATH: `${suiteBin}${delimiter}${process.env.PATH ?? ''}` } : process.env;
  const env = tools ? base : { ...base, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-semi-space-size=64`.trim() };
  // `node` from PATH: the suite's Node.js where it is installed (first on PATH above), as jest's bin script asks `env` for it.
  run('node', [...JEST_NODE_OPTIONS, JEST, ...args, '--selectProjects', tier], env).then((jest) => {
    console.error(
      `npm ${tools ? 'run test:tools' : 'test'}: ${jest === 0 ? 'passed' : `failed (jest exit ${jest})`} in ${seconds()} s on ${nodeSaid}.`,
    );
    process.exit(jest);
  });
}
