#!/usr/bin/env node
// `npm run roll|teardown|drill -- <stack>` in a checkout:
// the operations CLI (cli/main.ts) bundled first (scripts/build.js cli, into
// node_modules/.cache/cli), then run with the arguments. A pipeline with only the installed package runs
// its binary instead: `npx rancher-ha-aws teardown --dir <module folder>`.
const { buildCli, CLI_CACHE_DIR } = require('./build');

buildCli(CLI_CACHE_DIR).then(
  ({ cli }) =>
    require(cli)
      .main(process.argv.slice(2))
      .then((code) => {
        process.exitCode = code;
      }),
  (error) => {
    process.stderr.write(`Build failed: ${error.message ?? error}\n`);
    process.exitCode = 1;
  },
);
