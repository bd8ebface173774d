#!/usr/bin/env node
// npm run test:coverage: line and branch coverage of the TypeScript in lib/, app/ and cli/ from both tiers together
// (docs/development.md, "Coverage"): one jest run of the unit and tools projects with V8's coverage, mapped back to
// the TypeScript through the source maps the transform writes (scripts/jest-transform.js). What counts is the code
// loaded in jest's own processes: every unit test, and the tools tests' in-process synths and imports. The tools
// tier's child processes (the bundled operations CLI, the compiled app, bash) are not counted. Files no test loads
// count as uncovered. The report is in coverage/ (git-ignored); this prints lines and branches per folder.
// Further arguments go to jest. Not part of .ci/run: it runs both tiers, about as long as .ci/run itself.
const { spawn } = require('node:child_process');
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const jestBin = join(root, 'node_modules', '.bin', 'jest');
const summaryFile = join(root, 'coverage', 'coverage-summary.json');

/** A covered file's folder as the table groups it: lib/<domain>, app/<folder>, cli/<command>, or the top folder. */
function folderOf(path) {
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

const percent = (covered, total) => (total === 0 ? '-' : `${((100 * covered) / total).toFixed(1)}%`);

/** The table's lines from jest's json-summary (exported for its test). */
function folderTable(summary, base) {
  const rows = new Map();
  const add = (name, file) => {
    const row = rows.get(name) ?? { lines: [0, 0], branches: [0, 0] };
    row.lines[0] += file.lines.covered;
    row.lines[1] += file.lines.total;
    row.branches[0] += file.branches.covered;
    row.branches[1] += file.branches.total;
    rows.set(name, row);
  };
  for (const [path, file] of Object.entries(summary)) {
    if (path === 'total') continue;
    const own = relative(base, path);
    const top = own.split('/')[0];
    add(top, file);
    // A file directly in the top folder (lib/index.ts) counts in the top folder's row only.
    if (folderOf(own) !== top) add(folderOf(own), file);
  }
  const names = [...rows.keys()].sort((a, b) => a.localeCompare(b, 'en'));
  return [
    '| folder | lines | branches |',
    '|---|---|---|',
    ...names.map((name) => {
      const { lines, branches } = rows.get(name);
      const label = name.includes('/') ? name : `**${name}**`;
      return `| ${label} | ${percent(...lines)} (${lines[0]}/${lines[1]}) | ${percent(...branches)} (${branches[0]}/${branches[1]}) |`;
    }),
  ];
}

function main() {
  rmSync(summaryFile, { force: true });
  // The caller's arguments first: jest's array options (--collectCoverageFrom, --coverageReporters) would take the
  // words after them as their own values.
  const args = [
    ...process.argv.slice(2),
    '--coverage',
    '--coverageProvider=v8',
    '--collectCoverageFrom=lib/**/*.ts',
    '--collectCoverageFrom=app/**/*.ts',
    '--collectCoverageFrom=cli/**/*.ts',
    '--collectCoverageFrom=!**/*.d.ts',
    '--coverageReporters=json-summary',
    '--coverageReporters=html',
    '--coverageReporters=text-summary',
    '--selectProjects',
    'unit',
    'tools',
  ];
  // As scripts/test.js runs the unit tier (its young generation), for both.
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-semi-space-size=64`.trim() };
  const start = Date.now();
  const child = spawn(jestBin, args, { cwd: root, stdio: 'inherit', env });
  child.on('close', (code, signal) => {
    const status = code ?? (signal ? 1 : 0);
    if (existsSync(summaryFile)) console.log(`\n${folderTable(JSON.parse(readFileSync(summaryFile, 'utf8')), root).join('\n')}`);
    console.error(
      `npm run test:coverage: ${status === 0 ? 'passed' : `failed (jest exit ${status})`} in ${((Date.now() - start) / 1000).toFixed(1)} s.`,
    );
    process.exit(status);
  });
}

if (require.main === module) main();
module.exports = { folderTable };
