// The unit tier as Stryker's jest runner drives it (`npm run test:mutation`: scripts/mutation.js, stryker.config.js;
// docs/development.md, "Mutation testing"): the unit project of jest.config.js, flattened (the runner takes one
// project), with two changes, both because every mutant runs the tests again in the same process:
// - no synth share (unit-setup.js and unit-teardown.js, synth-share.ts): a stack text shared from the first run
//   would be served to a mutant's run, which must synthesize with the mutant in place, and the first run's teardown
//   would remove the folder the later runs write to. Without the folder each file keeps its synths to itself
//   (memo.ts); scripts/mutation.js unsets RANCHER_TEST_SYNTH_SHARE.
// - the share's own test (it needs the folder) is left out, and so are the files the run's groups do not name
//   (RANCHER_MUTATION_TESTS, set by scripts/mutation.js: the groups' test files, comma-separated globs).
// - the source folders are among jest's roots. Stryker asks jest for the tests related to the mutated files
//   (stryker.config.js, enableFindRelatedTests), and jest follows imports only through the files its roots hold: with
//   the tests' folder alone it found only the test files that import a mutated module themselves (for
//   lib/config/k8s-ha-rules.ts one of the rules group's 41 files; with the sources, 26), so a mutant that a settings
//   test kills through app/config/load.ts counted as surviving or not covered.
// Stryker's runner loads this file from its sandbox, the mutated copy of the tree: rootDir (jest.config.js's folder)
// is the sandbox.
const { projects } = require('./jest.config');

// eslint-disable-next-line @typescript-eslint/no-unused-vars
const { displayName, globalSetup, globalTeardown, ...unit } = projects.find((project) => project.displayName === 'unit');
const named = (process.env.RANCHER_MUTATION_TESTS ?? '').split(',').filter(Boolean);

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  testMatch: named.length > 0 ? named.map((glob) => `<rootDir>/${glob}`) : unit.testMatch,
  testPathIgnorePatterns: [...unit.testPathIgnorePatterns, '<rootDir>/__tests__/helpers/synth-share\\.test\\.ts$'],
  roots: [...unit.roots, ...['lib', 'app', 'cli'].map((folder) => `<rootDir>/${folder}`)],
};
