// Transpile-only transform (esbuild): types are checked once by `tsc --noEmit`
// (npm test), not per file inside jest, which is several times slower on this machine.
const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // One worker more than cores: the tests block on the processes they start (terraform, bash, the validators) and
  // on disk reads, and a third worker fills those gaps on the 2-core machines (npm test, runs taken in turn: 52.6
  // and 54.9 s with three workers, 55.2 and 58.0 s with two).
  maxWorkers: availableParallelism() + 1,
  // The slowest files first even on a fresh machine, where jest has no times of a previous run.
  testSequencer: '<rootDir>/scripts/jest-sequencer.js',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // The packed-library consumer test runs on its own (npm run test:consumer; jest.consumer.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/examples/'],
  moduleFileExtensions: ['ts', 'js', 'json', 'sh'],
  transform: {
    '^.+\\.ts$': '<rootDir>/scripts/jest-transform.js',
    '^.+\\.sh$': '<rootDir>/scripts/jest-text-transform.js',
  },
  globalSetup: '<rootDir>/__tests__/helpers/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/helpers/global-teardown.js',
  moduleNameMapper: { '^archiver$': '<rootDir>/scripts/lazy-archiver.js' },
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/plain-stack-traces.js'],
  snapshotSerializers: ['<rootDir>/__tests__/helpers/mask-serializer.js'],
};
