// The consumer test (__tests__/examples): the packed library built into examples/platform-app.
// `npm run test:consumer`; the transform and serializers of jest.config.js apply.
const { shared } = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...shared,
  setupFilesAfterEnv: [...shared.setupFilesAfterEnv, '<rootDir>/__tests__/helpers/process-tests-setup.js'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  roots: ['<rootDir>/__tests__/examples'],
};
