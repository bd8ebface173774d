#!/usr/bin/env node
// npm test: the type-check (tsc --noEmit, once for the whole tree) and jest
// (transpile-only) run side by side; the run fails if either fails. Side by
// side because jest's two workers leave a core idle while they wait on the
// terraform, bash and cdktf processes the tests start. Arguments go to jest.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const bin = (name) => join(__dirname, '..', 'node_modules', '.bin', name);

function run(command, args) {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

const start = Date.now();
Promise.all([run(bin('tsc'), ['--noEmit']), run(bin('jest'), process.argv.slice(2))]).then(([tsc, jest]) => {
  const seconds = ((Date.now() - start) / 1000).toFixed(1);
  if (tsc !== 0) console.error(`npm test: the type-check failed (tsc exit ${tsc}).`);
  if (jest !== 0) console.error(`npm test: jest failed (exit ${jest}).`);
  console.error(`npm test: type-check and jest in ${seconds} s.`);
  process.exit(tsc !== 0 ? tsc : jest);
});
