// Transpile-only transform (esbuild): types are checked once by `tsc --noEmit`
// (npm test), not per file inside jest, which is several times slower on this machine.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Jest's default leaves one core idle; on the 2-core machines that nearly doubles the run.
  maxWorkers: '100%',
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
  moduleNameMapper: { '^archiver$': '<rootDir>/__tests__/helpers/lazy-archiver.js' },
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/plain-stack-traces.js'],
  snapshotSerializers: ['<rootDir>/__tests__/helpers/mask-serializer.js'],
};
