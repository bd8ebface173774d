#!/usr/bin/env node
// Compiles main.ts, lib/ and stacks/ to dist/ (one JS file per source file,
// shell scripts copied beside them), so synth runs plain JavaScript instead
// of transpiling on every start. Types are checked by `npm run typecheck`.
const { buildSync } = require('esbuild');
const { copyFileSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..');
const dist = join(root, 'dist');

function sources(dir, ext) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((file) => file.endsWith(ext) && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file));
}

/** Builds into `out` (dist/ unless told; tests build into a folder of their own under node_modules/.cache). */
function build(out = dist) {
  rmSync(out, { recursive: true, force: true });
  const entryPoints = ['main.ts', ...sources('lib', '.ts'), ...sources('stacks', '.ts')].map((f) => join(root, f));
  buildSync({ entryPoints, outdir: out, outbase: root, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  for (const script of sources('lib', '.sh')) {
    mkdirSync(dirname(join(out, script)), { recursive: true });
    copyFileSync(join(root, script), join(out, script));
  }
}

module.exports = { build };
if (require.main === module) build();
