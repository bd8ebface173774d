#!/usr/bin/env node
// What `cdktf synth` (cdktf.json's app) and `npm run synth` run: the app
// bundle, rebuilt first only if one of its inputs changed (scripts/build.js).
const { buildApp } = require('./build');

buildApp().then(
  ({ main }) => require(main),
  (error) => {
    process.stderr.write(`Build failed: ${error.message ?? error}\n`);
    process.exitCode = 1;
  },
);
