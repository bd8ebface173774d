// Jest transform: TypeScript to CommonJS with esbuild's transformSync, types
// stripped, not checked (`tsc --noEmit` in `npm run lint` is the one type-check).
// esbuild, unlike @swc/core, publishes every platform binary to the registry
// these machines reach, so the lockfile stays complete and `npm ci` works.
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

// A dynamic import() becomes a require() at the same point (as esbuild's bundle of the CLI makes it): jest's CommonJS
// runtime refuses import() without --experimental-vm-modules, and the CLI loads the AWS SDK with it only when a command
// reaches AWS.
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node22',
  supported: { 'dynamic-import': false },
  sourcemap: 'external',
  sourcesContent: false,
};
const OPTIONS_KEY = JSON.stringify(OPTIONS);

module.exports = {
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, { ...OPTIONS, sourcefile: sourcePath });
    return { code, map };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(version).update(OPTIONS_KEY).update(sourcePath).update(sourceText).digest('hex');
  },
};
