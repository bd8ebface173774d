// Runs the app bundle (dist/app/main.js) as `require` would, with V8's code cache kept beside it: the bundle is
// 7 MB, and parsing it and compiling the functions a synth calls is about 80 of the 620 ms of CPU a synth takes; the
// synth went over its budget of 2.5 times the bench skeleton without it (bench/README.md, 2026-11-25). The cache is
// written once after a successful run, so it holds the functions the synth compiled, not only the top level: Node's
// module.enableCompileCache writes a module's cache when it compiles it, before esbuild's lazily compiled module
// functions run, and measured 10% more instructions than this on a warm synth (bench/README.md, "Tried: Node's
// compile cache" of 2026-11-29).
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');
const { crc32 } = require('node:zlib');

/**
 * What the cache was made from: a CRC-32 of the bundle's bytes, their length, and this Node. V8 checks its own version
 * and flags, but of the source only its length, so the key must name the source itself: an edited bundle of the same
 * length would otherwise run the old code. A checksum is what that takes (an accidental edit, not an adversary: whoever
 * can write the bundle can write its cache beside it), and it is what Node's own compile cache keys a module's cache
 * by (src/compile_cache.cc: zlib's crc32 of the source). A SHA-256 of the 7 MB text was 6% of a warm synth's
 * instructions (bench/README.md, 2026-11-29, "cuts on the synth path").
 */
function cacheKey(bytes) {
  const sum = crc32(bytes).toString(16).padStart(8, '0');
  return Buffer.from(`rancher-ha-aws code cache crc32 ${sum} ${bytes.length} ${process.version} ${process.arch}\n`);
}

/** The cached data stored for `key` at `cache`, or undefined (none, unreadable, or made from something else). */
function readCache(cache, key) {
  try {
    const data = readFileSync(cache);
    return data.subarray(0, key.length).equals(key) ? data.subarray(key.length) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `bundle` (a CommonJS file) and returns what became of its code cache: `used` (V8 accepted it), `written`
 * (there was none, or V8 refused it, and the run succeeded), `unchanged` (none usable, and the run failed or the
 * folder is not writable: nothing is written, the next run tries again). A cache is only ever an optimisation:
 * any problem with it means the bundle is compiled as `require` compiles it.
 */
function runBundle(bundle) {
  const cache = `${bundle}.v8cache`;
  const bytes = readFileSync(bundle);
  const key = cacheKey(bytes);
  const source = bytes.toString('utf8');
  const cachedData = readCache(cache, key);
  const script = new Script(wrap(source), { filename: bundle, cachedData });
  const bundleModule = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext()(bundleModule.exports, createRequire(bundle), bundleModule, bundle, dirname(bundle));
  bundleModule.loaded = true;
  if (cachedData && !script.cachedDataRejected) return 'used';
  // A failed run compiled only the way to its error: its cache would serve the next, successful run poorly.
  if (process.exitCode !== undefined && process.exitCode !== 0) return 'unchanged';
  const partial = `${cache}.${process.pid}`;
  try {
    writeFileSync(partial, Buffer.concat([key, script.createCachedData()]));
    // A rename is atomic: two synths at once each write their own file, and a reader sees one whole cache.
    renameSync(partial, cache);
    return 'written';
  } catch {
    rmSync(partial, { force: true });
    return 'unchanged';
  }
}

module.exports = { runBundle };
