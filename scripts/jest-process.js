// Preloaded into jest's own processes by scripts/test.js (`node --require`): the jest process and, through the
// execArgv jest-worker forks them with (jest-worker 29.7, build/workers/ChildProcessWorker.js), its workers. A
// process a test starts gets none of it: spawn passes no execArgv.
//
// A worker asked to end leaves at once. jest-worker's child only lets go of its message listener when asked to end
// (build/workers/processChild.js, exitProcess) and lets the process end by itself; a process that ends by itself
// first tears down its V8 heap, which in a unit worker holds 600-700 MB, and on a loaded machine that took past the
// 500 ms jest waits (build/base/BaseWorkerPool.js, FORCE_EXIT_DELAY), so jest printed "A worker process has failed
// to exit gracefully" over a worker that had finished (docs/development.md, "A worker that", the section on that
// message). process.exit leaves the heap to the operating system: measured here, a process of 680 MB resident
// ended in about 0.5 s against 1.6-2.0 s by itself, at a load of 19-21 on two cores. Nothing is left to do when
// the message comes: every test file's result has been sent, and the runner's worker module has no teardown.
'use strict';
const { dirname, join, sep } = require('node:path');
const { setImmediate } = require('node:timers');

const WORKER_MAIN = `${sep}jest-worker${sep}build${sep}workers${sep}processChild.js`;

if (typeof process.send === 'function' && (process.argv[1] ?? '').endsWith(WORKER_MAIN)) {
  // The message's code as jest-worker defines it (build/types.js), read from the copy that runs this worker.
  const { CHILD_MESSAGE_END } = require(join(dirname(process.argv[1]), '..', 'types.js'));
  process.on('message', (message) => {
    if (Array.isArray(message) && message[0] === CHILD_MESSAGE_END) setImmediate(() => process.exit());
  });
}
