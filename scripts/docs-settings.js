#!/usr/bin/env node
// npm run docs:settings: writes docs/settings.md from the settings schema
// (scripts/settings-reference.ts, bundled with esbuild as the app is).
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'node_modules', '.cache', 'rancher-settings-reference.js');
mkdirSync(join(out, '..'), { recursive: true });
require('esbuild').buildSync({
  absWorkingDir: root,
  entryPoints: [join(__dirname, 'settings-reference.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['typescript'],
  outfile: out,
  logLevel: 'warning',
  loader: { '.sh': 'text' },
});
// The bundle sits in node_modules/.cache: the schema sources it reads are found from the repository root.
const { settingsReference } = require(out);
writeFileSync(join(root, 'docs', 'settings.md'), settingsReference(root));
process.stdout.write('docs/settings.md written\n');
