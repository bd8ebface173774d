#!/usr/bin/env node
// Writes the synthesized JSON of every stack variant the tests know (__tests__/helpers/variants.ts: STACK_VARIANTS
// and the rke-ha TLS pairs) into a folder, one file per variant, so a refactoring can be held byte-identical:
//   node scripts/synth-variants.js /tmp/before; (change); node scripts/synth-variants.js /tmp/after; diff -r /tmp/before /tmp/after
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/synth-variants.js OUTDIR');
  process.exit(2);
}
// Bundled inside node_modules so the bundle's require()s of packages resolve.
mkdirSync(join(__dirname, '..', 'node_modules', '.cache'), { recursive: true });
const scratch = mkdtempSync(join(__dirname, '..', 'node_modules', '.cache', 'synth-variants-'));
try {
  const bundle = join(scratch, 'variants.js');
  require('esbuild').buildSync({
    entryPoints: [join(__dirname, 'synth-variants-entry.ts')],
    outfile: bundle,
    bundle: true,
    ...require('./esbuild-options').ESBUILD_NODE,
    packages: 'external',
    absWorkingDir: join(__dirname, '..'),
  });
  const { variants } = require(bundle);
  mkdirSync(resolve(out), { recursive: true });
  let count = 0;
  for (const [name, text] of variants()) {
    writeFileSync(join(resolve(out), `${name.replace(/[^A-Za-z0-9+.-]+/g, '_')}.json`), text);
    count += 1;
  }
  console.log(`synth-variants: ${count} variants written to ${resolve(out)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
