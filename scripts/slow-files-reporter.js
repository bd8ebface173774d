// Jest reporter (jest.config.js, after jest's default reporter): at the end of a run, for each tier in it, the test
// files whose cost per case is over the tier's budget and the slowest files, so that a file that grew past what its
// tier affords is named by every `npm test`, `npm run test:tools` and `.ci/run` (docs/development.md, "The suite's
// shape"). It names files; it never fails a run: a budget is a measured figure under a given load, not a test.
//
// A file's cost is jest's own measure of it (perfStats: from the start of the file, module loading and every hook
// included, to its end) divided by its cases; a file whose cases share an expensive set-up pays it once, spread
// over its cases.
const { relative } = require('node:path');

/**
 * Wall time per case each tier affords, in ms, as a file's cost is measured in `.ci/run` (the four runs side by side
 * on 2 cores). d0e353c's `bash .ci/run` on this kind of machine: the unit tier 6,402 cases in 167.7 s on 2 workers,
 * 52 ms a case; the tools tier 1,705 cases in 423.9 s, 497 ms a case (docs/development.md, "The suite's shape"). A
 * file over its tier's mean makes the tier dearer per case; the budgets are those means, rounded down.
 */
const BUDGET_MS = { unit: 50, tools: 500 };
/** How many of the slowest files each tier lists. */
const SLOWEST = 8;
/**
 * How many of the files over the budget each tier lists, the dearest per case first: the rest are counted in the
 * summary line. A whole tier run puts most of its files over (every file of the unit tier that synthesizes a stack),
 * and 255 lines of them buried the run's result.
 */
const WORST_OVER = 5;

/** A test file's tier: its jest project's name, or by its name when run without projects (the mutation run). */
function tierOf(result) {
  const name = result.displayName && (typeof result.displayName === 'string' ? result.displayName : result.displayName.name);
  if (name) return name;
  return result.testFilePath.endsWith('.tools.test.ts') ? 'tools' : 'unit';
}

/** One test file's figures: its path, tier, cases, wall time and time per case. */
function fileFigures(rootDir, result) {
  const cases = result.numPassingTests + result.numFailingTests + result.numPendingTests + result.numTodoTests;
  const ms = Math.max(0, result.perfStats.end - result.perfStats.start);
  return { path: relative(rootDir, result.testFilePath), tier: tierOf(result), cases, ms, perCase: ms / Math.max(1, cases) };
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const perCase = (file) => (file.perCase >= 1000 ? seconds(file.perCase) : `${Math.round(file.perCase)} ms`);

/** The lines the reporter prints for a run's test files (exported for its test). */
function reportLines(files, budgets = BUDGET_MS, slowest = SLOWEST, worstOver = WORST_OVER) {
  const lines = [];
  const tiers = [...new Set(files.map((file) => file.tier))].sort();
  for (const tier of tiers) {
    const own = files.filter((file) => file.tier === tier && file.cases > 0);
    if (own.length === 0) continue;
    const budget = budgets[tier];
    const cases = own.reduce((sum, file) => sum + file.cases, 0);
    const total = own.reduce((sum, file) => sum + file.ms, 0);
    lines.push(
      `Test files' cost, ${tier} tier: ${plural(own.length, 'file')}, ${plural(cases, 'case')}, ${seconds(total)} in the files (${Math.round(total / cases)} ms a case).`,
    );
    if (budget !== undefined) {
      const over = own.filter((file) => file.perCase > budget).sort((a, b) => b.perCase - a.perCase);
      const shown = over.slice(0, worstOver);
      lines.push(
        over.length === 0
          ? `  No file over the ${tier} tier's budget of ${budget} ms a case.`
          : `  ${over.length} ${over.length === 1 ? 'file' : 'files'} over the ${tier} tier's budget of ${budget} ms a case${over.length > shown.length ? `; the ${shown.length} dearest per case:` : ':'}`,
      );
      for (const file of shown) lines.push(`    ${perCase(file)} a case, ${plural(file.cases, 'case')}, ${seconds(file.ms)}: ${file.path}`);
    }
    lines.push(`  The slowest ${Math.min(slowest, own.length)}:`);
    for (const file of [...own].sort((a, b) => b.ms - a.ms).slice(0, slowest))
      lines.push(`    ${seconds(file.ms)}, ${plural(file.cases, 'case')}, ${perCase(file)} a case: ${file.path}`);
  }
  return lines;
}

class SlowFilesReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const files = results.testResults.filter((result) => !result.testExecError).map((result) => fileFigures(this.rootDir, result));
    const lines = reportLines(files);
    if (lines.length > 0) process.stderr.write(`\n${lines.join('\n')}\n`);
  }
}

module.exports = SlowFilesReporter;
module.exports.reportLines = reportLines;
module.exports.fileFigures = fileFigures;
module.exports.BUDGET_MS = BUDGET_MS;
module.exports.WORST_OVER = WORST_OVER;
