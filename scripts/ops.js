#!/usr/bin/env node
// `npm run roll|rotate|teardown|drill|... -- <stack>` in a checkout: the operations CLI (cli/main.ts) bundled into
// dist/.ops-cli, built only when one of its inputs changed since the last build (scripts/build.js checkoutCli: a
// --help answers about as fast as the built bundle's, docs/development.md), then run with the arguments. A pipeline
// with only the installed package runs its binary instead: `npx rancher-ha-aws teardown --dir <module folder>`.
const { checkoutCli } = require('./build');

checkoutCli().then(
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
