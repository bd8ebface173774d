// Jest transform: TypeScript to CommonJS with esbuild's transformSync, types
// stripped, not checked (`tsc --noEmit` in `npm run lint` is the one type-check).
// esbuild, unlike @swc/core, publishes every platform binary to the registry
// these machines reach, so the lockfile stays complete and `npm ci` works.
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node22', sourcemap: 'external', sourcesContent: false };
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
