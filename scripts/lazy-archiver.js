// cdktf's index loads archiver (for TerraformAsset, which this project does not use) on every import: about a
// sixth of a synth, and 0.2 s per test file. The app bundle (scripts/build.js) and jest (jest.config.js) get this
// stand-in instead, which loads the real module from node_modules on first use.
let archiver;
const load = () => (archiver ??= require('archiver/index.js'));
module.exports = new Proxy(function archiverStandIn() {}, {
  apply: (_target, thisArg, args) => load().apply(thisArg, args),
  get: (_target, key) => load()[key],
});
