// Stryker (mutation testing), run by `npm run test:mutation` (scripts/mutation.js, which names the files to mutate
// and the tests to run; docs/development.md, "Mutation testing"). Not part of .ci/run: a run costs minutes per
// module. The jest runner drives the unit tier (jest.mutation.config.js) with per-test coverage, so each mutant
// runs only the tests that reach it; the TypeScript checker drops the mutants that do not compile before any test
// runs. The tools tier is not run: its tests reach the code through processes (the bundled CLI, the compiled app,
// bash), which neither carry the active mutant nor report coverage to the runner.
// A run's report and sandbox go to a folder of its own (RANCHER_MUTATION_RUN, set by scripts/mutation.js to the
// groups' names), so that the report of one group is kept beside another's and two runs can go side by side.
const run = process.env.RANCHER_MUTATION_RUN || 'run';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
module.exports = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // A mutant in code that runs when a module loads (a table, a constant) is reached by no test in particular, so
  // Stryker would run every test of the run for it; such mutants are counted as ignored (the report names them).
  ignoreStatic: true,
  // Two processes at most on the 2-core machines (nice -n 10 beside other work): scripts/mutation.js passes
  // --concurrency through.
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, reportMutants: false, reportTests: false },
  htmlReporter: { fileName: `reports/mutation/${run}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${run}/mutation.json` },
  tempDirName: `.stryker-tmp/${run}`,
  // The sandbox is a copy of what the tests read; what they never read is left out of the copy.
  ignorePatterns: [
    // Another run's sandbox (runs side by side).
    '/.stryker-tmp',
    '/dist',
    '/cdktf.out',
    '/drill.out',
    '/.bench',
    '/release',
    '/coverage',
    '/reports',
    '/.tools',
    'examples/**/node_modules',
    'examples/**/dist',
  ],
  incremental: false,
};
