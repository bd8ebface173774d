#!/usr/bin/env node
// npm run pins [-- --check]: every pin and its release day; with --check, how far each is behind upstream
// (scripts/pins.ts, bundled with esbuild as the app is). docs/development.md, "Bumping a pin".
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'node_modules', '.cache', 'rancher-pins.js');
mkdirSync(join(out, '..'), { recursive: true });
require('esbuild').buildSync({
  absWorkingDir: root,
  entryPoints: [join(__dirname, 'pins.ts')],
  bundle: true,
  ...require('./esbuild-options').ESBUILD_NODE,
  outfile: out,
});
require(out)
  .main(process.argv.slice(2), root, (text) => process.stdout.write(text))
  .then((status) => {
    process.exitCode = status;
  });
