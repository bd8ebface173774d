#!/usr/bin/env node
// Benchmark of the synth path, as the issues budget it (bench/README.md keeps the dated results):
//   app build      the app bundle built from scratch (after any source change): esbuild
//   fresh check    `node scripts/build.js app` with nothing changed (stat of every input)
//   synth          the app command (cdktf.json: scripts/synth.js) with a fresh bundle: its first run (which writes
//                  the code cache, scripts/run-bundle.js), then the usual one: wall, CPU and peak RSS
//   skeleton       bench/skeleton.js, a cdktf app with the same provider packages and nothing of this
//                  product (three stacks: VPC, subnets, instances, NLB): the floor; the ratio must stay <= 2.5
//   hcl            the app command asked for HCL as `cdktf synth --hcl` asks
//   cli            `cdktf synth` end to end: wall time
//   test           `npm test` (the unit tier): wall time, budget 45 s on a quiet machine   [--test]
// Usage: npm run bench [-- --runs N] [-- --test]
// Prints a table and exits non-zero when a budget is exceeded. The CPU rows (user + system time of the process) have
// no budget: they are the figures to compare when other work shares the machine, which moves the wall times.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const withTests = args.includes('--test');

const BUDGET = { buildMs: 2000, freshMs: 150, synthMs: 1000, synthRssMb: 200, ratio: 2.5, hclMs: 1200, cliMs: 6000, testMs: 45000 };

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

/**
 * CPU time (user + system, ms) of this process's children that have ended and been waited for, as Linux counts it
 * in /proc/self/stat (in USER_HZ ticks, 100 a second); undefined where there is no such file. `npm test`'s jest
 * workers are its descendants, so the difference around its run is the whole unit tier's CPU.
 */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command name (which may hold spaces, inside parentheses): cutime and cstime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const scratch = mkdtempSync(join(tmpdir(), 'rancher-bench-'));
const rows = [];
try {
  // Run from an empty directory with RANCHER_CONFIG cleared: built-in defaults, like the README's synth.
  const usageFile = join(scratch, 'usage.json');
  const env = { CDKTF_OUTDIR: join(scratch, 'out'), RANCHER_CONFIG: '', BENCH_USAGE_FILE: usageFile };
  const usage = () => JSON.parse(readFileSync(usageFile, 'utf8'));
  const appDir = join(scratch, 'app');
  const buildArgs = [join(__dirname, 'build.js'), 'app', appDir];
  rows.push(['app build (from scratch)', timed(process.execPath, buildArgs, {}), 'ms', BUDGET.buildMs]);
  const fresh = [];
  for (let i = 0; i < runs; i++) fresh.push(timed(process.execPath, buildArgs, {}));
  rows.push([`fresh check, nothing changed (median of ${runs})`, median(fresh), 'ms', BUDGET.freshMs]);

  // The app command as cdktf runs it, on the bundle just built (scripts/synth.js builds into dist/app).
  const synthScript = join(scratch, 'synth.js');
  writeFileSync(
    synthScript,
    `require(${JSON.stringify(join(__dirname, 'build.js'))}).buildApp(${JSON.stringify(appDir)}).then(({ main }) => ` +
      `require(${JSON.stringify(join(__dirname, 'run-bundle.js'))}).runBundle(main));\n`,
  );
  // The first run after a build compiles the whole bundle and writes the code cache the later runs read.
  const first = timed(process.execPath, [synthScript], env, scratch);
  rows.push(['synth, first run after a build (writes the cache)', first, 'ms', BUDGET.synthMs]);
  const synth = [];
  const skeleton = [];
  const rss = [];
  const synthCpu = [];
  const skeletonCpu = [];
  const preload = ['-r', join(__dirname, 'report-usage.js')];
  // Interleaved, so a busy moment of the machine weighs on both alike.
  for (let i = 0; i < runs; i++) {
    synth.push(timed(process.execPath, [...preload, synthScript], env, scratch));
    rss.push(usage().rss / 1024 / 1024);
    synthCpu.push(usage().cpuMs);
    skeleton.push(
      timed(
        process.execPath,
        [...preload, join(root, 'bench', 'skeleton.js')],
        { CDKTF_OUTDIR: join(scratch, 'skeleton-out'), NODE_PATH: join(root, 'node_modules'), BENCH_USAGE_FILE: usageFile },
        scratch,
      ),
    );
    skeletonCpu.push(usage().cpuMs);
  }
  rows.push([`synth, app command, wall (median of ${runs})`, median(synth), 'ms', BUDGET.synthMs]);
  rows.push([`synth, app command, CPU (median of ${runs})`, median(synthCpu), 'ms', Infinity]);
  rows.push(['synth, peak RSS (max)', Math.max(...rss), 'MB', BUDGET.synthRssMb]);
  rows.push([`skeleton app, wall (median of ${runs})`, median(skeleton), 'ms', Infinity]);
  rows.push([`skeleton app, CPU (median of ${runs})`, median(skeletonCpu), 'ms', Infinity]);
  rows.push(['synth / skeleton, wall', median(synth) / median(skeleton), 'x', BUDGET.ratio]);
  rows.push(['synth / skeleton, CPU', median(synthCpu) / median(skeletonCpu), 'x', Infinity]);

  const hcl = [];
  for (let i = 0; i < runs; i++) hcl.push(timed(process.execPath, [synthScript], { ...env, SYNTH_HCL_OUTPUT: 'true' }, scratch));
  rows.push([`synth HCL, wall (median of ${runs})`, median(hcl), 'ms', BUDGET.hclMs]);

  const cli = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    // The CLI as `npm run cdktf` runs it (scripts/cdktf.js: cdktn-cli, Node.js >= 22.19).
    cli.push(
      timed(process.execPath, [join(root, 'scripts', 'cdktf.js'), 'synth', '--output', join(scratch, 'cli-out')], {
        CHECKPOINT_DISABLE: '1',
        CI: '1',
      }),
    );
  }
  rows.push([`cdktf synth, wall (median of ${cli.length})`, median(cli), 'ms', BUDGET.cliMs]);

  if (withTests) {
    const before = childrenCpuMs();
    const testMs = timed('npm', ['test', '--silent'], {});
    rows.push(['npm test, wall', testMs, 'ms', BUDGET.testMs]);
    const after = childrenCpuMs();
    if (before !== undefined && after !== undefined) rows.push(['npm test, CPU (user + system)', after - before, 'ms', Infinity]);
    // The tier in skeleton runs: the budget is wall time on the machine it was set on, where the skeleton took 174 ms
    // (45 s is 259 of them; bench/README.md); on another machine these compare where the milliseconds cannot.
    rows.push(['npm test / skeleton, wall', testMs / median(skeleton), 'x', Infinity]);
    if (before !== undefined && after !== undefined) rows.push(['npm test / skeleton, CPU', (after - before) / median(skeletonCpu), 'x', Infinity]);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

let over = false;
for (const [name, value, unit, budget] of rows) {
  const flag = value > budget ? '  OVER BUDGET' : '';
  over ||= value > budget;
  const shown = unit === 'x' ? value.toFixed(2) : value.toFixed(0);
  const limit = budget === Infinity ? '' : `   (budget ${budget} ${unit})`;
  console.log(`${name.padEnd(50)} ${shown.padStart(7)} ${unit}${limit}${flag}`);
}
process.exit(over ? 1 : 0);
