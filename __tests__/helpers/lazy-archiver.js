// cdktf's index loads archiver (for TerraformAsset, which this project does
// not use) on every import: about 0.2 s per test file, a sixth of the suite.
// Tests get this stand-in, which loads the real module on first use.
let archiver;
const load = () => (archiver ??= require('archiver/index.js'));
module.exports = new Proxy(function archiverStandIn() {}, {
  apply: (_target, thisArg, args) => load().apply(thisArg, args),
  get: (_target, key) => load()[key],
});
