#!/usr/bin/env node
// What `cdktf synth` (cdktf.json's app) and `npm run synth` run: the app
// bundle, rebuilt first only if one of its inputs changed (scripts/build.js),
// run with V8's code cache beside it (scripts/run-bundle.js).
const { buildApp } = require('./build');
const { runBundle } = require('./run-bundle');

buildApp().then(
  ({ main }) => runBundle(main),
  (error) => {
    process.stderr.write(`Build failed: ${error.message ?? error}\n`);
    process.exitCode = 1;
  },
);
