#!/usr/bin/env node
// Benchmark of the synth path, as the issue budgets it:
//   build    main.ts, lib/ and stacks/ compiled to dist/ (esbuild, once per synth)
//   direct   every stack synthesized by running the compiled app (no CLI): wall time and peak RSS
//   hcl      the same, asked for HCL as `cdktf synth --hcl` asks (the app's JSON-to-HCL step included)
//   cli      `cdktf synth` end to end: wall time
//   test     the whole `npm test` (type-check included): wall time   [--test]
// Usage: npm run bench [-- --runs N] [-- --test]
// Prints a table and exits non-zero when a budget is exceeded.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const withTests = args.includes('--test');

const BUDGET = { buildMs: 500, directMs: 1000, directRssMb: 200, hclMs: 1200, cliMs: 6000, testMs: 60000 };

function timed(command, commandArgs, env, cwd = root) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`${command} ${commandArgs.join(' ')} exited ${result.status}`);
  }
  return ms;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const scratch = mkdtempSync(join(tmpdir(), 'rancher-bench-'));
const rows = [];
try {
  // Run from an empty directory with RANCHER_CONFIG cleared: built-in defaults, like the README's synth.
  const env = { CDKTF_OUTDIR: join(scratch, 'out'), RANCHER_CONFIG: '', BENCH_RSS_FILE: join(scratch, 'rss') };
  const buildStart = process.hrtime.bigint();
  require('./build').build();
  rows.push(['build (esbuild to dist/)', Number(process.hrtime.bigint() - buildStart) / 1e6, 'ms', BUDGET.buildMs]);
  const direct = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    direct.push(timed(process.execPath, ['-r', join(__dirname, 'report-rss.js'), join(root, 'dist', 'main.js')], env, scratch));
    rss.push(Number(readFileSync(env.BENCH_RSS_FILE, 'utf8')) / 1024 / 1024);
  }
  rows.push(['direct synth, wall (median of ' + runs + ')', median(direct), 'ms', BUDGET.directMs]);
  rows.push(['direct synth, peak RSS (max)', Math.max(...rss), 'MB', BUDGET.directRssMb]);

  const hcl = [];
  for (let i = 0; i < runs; i++) {
    hcl.push(timed(process.execPath, [join(root, 'dist', 'main.js')], { ...env, SYNTH_HCL_OUTPUT: 'true' }, scratch));
  }
  rows.push(['direct synth HCL, wall (median of ' + runs + ')', median(hcl), 'ms', BUDGET.hclMs]);

  const cli = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    cli.push(timed(join(root, 'node_modules/.bin/cdktf'), ['synth', '--output', join(scratch, 'cli-out')], { CHECKPOINT_DISABLE: '1', CI: '1' }));
  }
  rows.push([`cdktf synth, wall (median of ${cli.length})`, median(cli), 'ms', BUDGET.cliMs]);

  if (withTests) rows.push(['npm test, wall', timed('npm', ['test', '--silent'], {}), 'ms', BUDGET.testMs]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

let over = false;
for (const [name, value, unit, budget] of rows) {
  const flag = value > budget ? '  OVER BUDGET' : '';
  over ||= value > budget;
  console.log(`${name.padEnd(36)} ${value.toFixed(0).padStart(7)} ${unit}   (budget ${budget} ${unit})${flag}`);
}
process.exit(over ? 1 : 0);
