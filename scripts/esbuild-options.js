// The options every bundle of this project's TypeScript shares (the app, the library, the CLI, the scripts that
// generate docs and variants, and the tests that bundle the app): Node.js, CommonJS, the lowest Node.js line
// `engines` names, and the shell scripts the stacks and the CLI ship loaded as text. One object, so a bundle a test
// makes is built as the product's is.
'use strict';

const ESBUILD_NODE = Object.freeze({
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  logLevel: 'warning',
  loader: Object.freeze({ '.sh': 'text' }),
});

module.exports = { ESBUILD_NODE };
