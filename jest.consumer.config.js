// The consumer test (__tests__/examples): the packed library built into examples/platform-app.
// `npm run test:consumer`; the transform and serializers of jest.config.js apply.
const { shared } = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...shared, testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/'], roots: ['<rootDir>/__tests__/examples'] };
