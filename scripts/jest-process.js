// Preloaded into jest's own processes by scripts/test.js (`node --require`): the jest process and, through the
// execArgv jest-worker forks them with (jest-worker 30.5, build/index.js, the child process worker's fork), its
// workers. A process a test starts gets none of it: spawn passes no execArgv.
//
// A worker asked to end leaves at once. jest-worker's child only lets go of its message listener when asked to end
// (build/processChild.js, exitProcess) and lets the process end by itself; a process that ends by itself
// first tears down its V8 heap, which in a unit worker holds 600-700 MB, and on a loaded machine that took past the
// 500 ms jest waits (build/base/BaseWorkerPool.js, FORCE_EXIT_DELAY), so jest printed "A worker process has failed
// to exit gracefully" over a worker that had finished (docs/development.md, "A worker that", the section on that
// message). process.exit leaves the heap to the operating system: measured here, a process of 680 MB resident
// ended in about 0.5 s against 1.6-2.0 s by itself, at a load of 19-21 on two cores. Nothing is left to do when
// the message comes: every test file's result has been sent, and the runner's worker module has no teardown.
'use strict';
const { sep } = require('node:path');
const { setImmediate } = require('node:timers');

// The file jest forks for a worker: jest-worker 30 bundles its build into build/processChild.js (29 had it under
// build/workers/); the test holds this path against the copy installed.
const WORKER_MAIN = `${sep}jest-worker${sep}build${sep}processChild.js`;
// jest-worker's code for "end" (src/types.ts, CHILD_MESSAGE_END: 2 in 29.7 and 30.5). jest 30 inlines its types into
// each bundled file and exports them from none, so the code is written here; the test reads it from the installed
// processChild.js and fails when a jest upgrade moves it.
const CHILD_MESSAGE_END = 2;

if (typeof process.send === 'function' && (process.argv[1] ?? '').endsWith(WORKER_MAIN)) {
  process.on('message', (message) => {
    if (Array.isArray(message) && message[0] === CHILD_MESSAGE_END) setImmediate(() => process.exit());
  });
}

module.exports = { WORKER_MAIN, CHILD_MESSAGE_END };
