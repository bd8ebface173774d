// Two tiers (docs/development.md), one jest config with a project each:
// - unit (`npm test`): every `*.test.ts` but the tools files; in-process synths and assertions, no external process
//   (__tests__/helpers/no-processes.js makes starting one an error).
// - tools (`npm run test:tools`): the `*.tools.test.ts` files, which run terraform, cloud-init, shellcheck, yamllint,
//   bash sandboxes, the compiled app and CLI, the operations CLI against the fake cloud; their global setup refuses
//   to start without those tools, naming what is missing.
// `npx jest <files>` runs the given files in whichever tier they belong to.
// Transpile-only transform (esbuild): types are checked once by `tsc --noEmit` (npm run lint), not per file inside jest,
// which is several times slower on this machine.
const { availableParallelism } = require('node:os');
const { relative, resolve } = require('node:path');

// `npx jest --selectProjects tools __tests__/a.tools.test.ts`: jest takes every word after --selectProjects as a
// project's name and would run the whole tier; the words that name test files or folders narrow the tier to them.
const select = process.argv.indexOf('--selectProjects');
const named = select < 0 ? [] : process.argv.slice(select + 1).filter((word) => word.includes('/') || word.endsWith('.ts'));
// A project's testMatch pattern, or the files and folders named after --selectProjects that it holds.
function match(pattern) {
  if (named.length === 0) return [pattern];
  const suffix = pattern.replace('**/*', '');
  return named.map((word) => {
    const path = `<rootDir>/${relative(__dirname, resolve(word))}`;
    return path.endsWith('.ts') ? (path.endsWith(suffix) ? path : '<rootDir>/(none)') : `${path}/${pattern}`;
  });
}

/** The packages jest transforms (see `transform`): a path pattern naming each one's folder. */
const ESM_ONLY = '(commander|@kubernetes/client-node|openid-client|oauth4webapi|jose|socks-proxy-agent|agent-base|@jsep-plugin/[^/]+)';

/** What both tiers and the consumer test (jest.consumer.config.js) share. */
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  moduleFileExtensions: ['ts', 'js', 'json', 'sh'],
  transform: {
    '^.+\\.ts$': '<rootDir>/scripts/jest-transform.js',
    '^.+\\.sh$': '<rootDir>/scripts/jest-text-transform.js',
    // Packages published as ES modules only, which jest's CommonJS runtime cannot require (on Node 22; jest requires
    // ES modules natively from Node 24.9): the same transform turns them into CommonJS, as esbuild's bundle of the
    // CLI does. commander 15; @kubernetes/client-node 2 and the ones it imports with no `require` export.
    [`/node_modules/${ESM_ONLY}/.+\\.js$`]: '<rootDir>/scripts/jest-transform.js',
  },
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/plain-stack-traces.js'],
  snapshotSerializers: ['<rootDir>/__tests__/helpers/mask-serializer.js'],
};

// The packed-library consumer test runs on its own (npm run test:consumer; jest.consumer.config.js).
const IGNORED = ['/node_modules/', '<rootDir>/__tests__/examples/'];

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: availableParallelism(),
  // How long jest waits for a worker it asked to end before it kills it and prints "A worker process has failed to
  // exit gracefully". Its default, 500 ms, is less than a unit worker's exit takes on a loaded two-core machine (V8
  // tears down its heap first): the worker has sent every result by then, so waiting longer costs only the wait, and
  // the message no longer reports a teardown as a leak (docs/development.md, "A worker that").
  workerGracefulExitTimeout: 10_000,
  // After jest's summary, the files over their tier's budget per case and the slowest files (docs/development.md,
  // "The suite's shape"); it names them and never fails the run.
  reporters: ['default', '<rootDir>/scripts/slow-files-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: match('**/*.test.ts'),
      testPathIgnorePatterns: [...IGNORED, '\\.tools\\.test\\.ts$'],
      setupFiles: ['<rootDir>/__tests__/helpers/no-processes.js'],
      globalSetup: '<rootDir>/__tests__/helpers/unit-setup.js',
      globalTeardown: '<rootDir>/__tests__/helpers/unit-teardown.js',
    },
    {
      ...shared,
      displayName: 'tools',
      testMatch: match('**/*.tools.test.ts'),
      testPathIgnorePatterns: IGNORED,
      setupFilesAfterEnv: [...shared.setupFilesAfterEnv, '<rootDir>/__tests__/helpers/process-tests-setup.js'],
      globalSetup: '<rootDir>/__tests__/helpers/global-setup.js',
      globalTeardown: '<rootDir>/__tests__/helpers/unit-teardown.js',
    },
  ],
};
// Not a jest option: for jest.consumer.config.js (non-enumerable, so jest's option check does not see it).
Object.defineProperty(module.exports, 'shared', { value: shared });
