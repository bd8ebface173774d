#!/usr/bin/env node
// npm test: the unit tier (jest.config.js, project "unit") and the type-check (tsc --noEmit, once for the whole
// tree, tools tests included) side by side; the run fails if either fails.
// npm run test:tools (`node scripts/test.js --tools`): the tools tier (project "tools"), no type-check.
// Further arguments go to jest (`npm test -- __tests__/stacks`); the project is named last, since jest's
// --selectProjects takes every word after it.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const bin = (name) => join(__dirname, '..', 'node_modules', '.bin', name);

function run(command, args) {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

const tools = process.argv[2] === '--tools';
const args = process.argv.slice(tools ? 3 : 2);
const start = Date.now();
const seconds = () => ((Date.now() - start) / 1000).toFixed(1);

if (tools) {
  run(bin('jest'), [...args, '--selectProjects', 'tools']).then((jest) => {
    console.error(`npm run test:tools: ${jest === 0 ? 'passed' : `failed (jest exit ${jest})`} in ${seconds()} s.`);
    process.exit(jest);
  });
} else {
  Promise.all([run(bin('tsc'), ['--noEmit']), run(bin('jest'), [...args, '--selectProjects', 'unit'])]).then(([tsc, jest]) => {
    if (tsc !== 0) console.error(`npm test: the type-check failed (tsc exit ${tsc}).`);
    if (jest !== 0) console.error(`npm test: the unit tier failed (jest exit ${jest}).`);
    console.error(`npm test: type-check and unit tier in ${seconds()} s.`);
    process.exit(tsc !== 0 ? tsc : jest);
  });
}
