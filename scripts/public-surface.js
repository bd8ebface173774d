#!/usr/bin/env node
// The package's public surface as a consumer's compiler sees it, from the
// built declarations (`npm run build` first): every name each entry point of
// package.json `exports` gives, and every declaration file a consumer's
// compiler reads through them. `--json` prints both; the default prints the
// counts. The consumer test uses it to hold that no public declaration reaches
// zod (a consumer compiles none of zod's types).
const { existsSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const ts = require('typescript');

const root = join(__dirname, '..');

function publicSurface(dir = root) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entries = Object.entries(pkg.exports)
    .filter(([, entry]) => typeof entry === 'object' && entry.types)
    .map(([subpath, entry]) => ({ subpath, file: join(dir, entry.types) }));
  const missing = entries.filter((entry) => !existsSync(entry.file));
  if (missing.length > 0) throw new Error(`not built (npm run build): ${missing.map((entry) => relative(dir, entry.file)).join(', ')}`);
  const program = ts.createProgram(
    entries.map((entry) => entry.file),
    { noEmit: true, skipLibCheck: false, strict: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, types: ['node'] },
  );
  const checker = program.getTypeChecker();
  const names = {};
  for (const { subpath, file } of entries) {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(file));
    names[subpath] = symbol ? checker.getExportsOfModule(symbol).map((s) => s.getName()).sort() : [];
  }
  const declarations = program.getSourceFiles().map((source) => relative(dir, source.fileName)).filter((file) => !file.startsWith('..'));
  return { names, declarations };
}

module.exports = { publicSurface };

if (require.main === module) {
  const surface = publicSurface();
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(surface, null, 2)}\n`);
  } else {
    let total = 0;
    for (const [subpath, names] of Object.entries(surface.names)) {
      total += names.length;
      process.stdout.write(`${String(names.length).padStart(5)}  ${subpath}\n`);
    }
    const unique = new Set(Object.values(surface.names).flat());
    const zod = surface.declarations.filter((file) => file.includes('node_modules/zod/'));
    process.stdout.write(`${String(total).padStart(5)}  names over every entry point (${unique.size} distinct)\n`);
    process.stdout.write(`${String(zod.length).padStart(5)}  declaration files of zod a consumer compiles\n`);
  }
}
