// The consumer test (__tests__/examples): the packed library built into examples/platform-app.
// `npm run test:consumer`; the rest of jest.config.js applies.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/'], roots: ['<rootDir>/__tests__/examples'] };
