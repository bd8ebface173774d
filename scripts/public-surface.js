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

/** The declaration file of each entry point of package.json `exports`, under `dir`; `distLib` stands for its dist/lib. */
function entryDeclarations(dir = root, distLib = join(dir, 'dist', 'lib')) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.entries(pkg.exports)
    .filter(([, entry]) => typeof entry === 'object' && entry.types)
    .map(([subpath, entry]) => ({ subpath, file: join(distLib, relative('dist/lib', entry.types)) }));
}

/** The program a consumer's compiler builds from the entry points: strict, with every library's types checked. */
function consumerProgram(entries) {
  const missing = entries.filter((entry) => !existsSync(entry.file));
  if (missing.length > 0) throw new Error(`not built (npm run build): ${missing.map((entry) => entry.file).join(', ')}`);
  return ts.createProgram(
    entries.map((entry) => entry.file),
    { noEmit: true, skipLibCheck: false, strict: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, types: ['node'] },
  );
}

/** Every declaration file under `distLib` a consumer's compiler reads through the entry points. */
function reachableDeclarations(distLib) {
  const program = consumerProgram(entryDeclarations(root, distLib));
  return program
    .getSourceFiles()
    .map((source) => source.fileName)
    .filter((file) => !relative(distLib, file).startsWith('..'));
}

function publicSurface(dir = root) {
  const entries = entryDeclarations(dir);
  const program = consumerProgram(entries);
  const checker = program.getTypeChecker();
  const names = {};
  for (const { subpath, file } of entries) {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(file));
    names[subpath] = symbol
      ? checker
          .getExportsOfModule(symbol)
          .map((s) => s.getName())
          .sort()
      : [];
  }
  const files = program.getSourceFiles().map((source) => source.fileName);
  // The package's own declarations, and those of other packages (zod's among them, were any reached).
  const declarations = files.map((file) => relative(dir, file)).filter((file) => !file.startsWith('..'));
  const zod = files.filter((file) => file.includes('/node_modules/zod/'));
  return { names, declarations, zod };
}

module.exports = { publicSurface, reachableDeclarations };

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
    const { zod } = surface;
    process.stdout.write(`${String(total).padStart(5)}  names over every entry point (${unique.size} distinct)\n`);
    process.stdout.write(`${String(zod.length).padStart(5)}  declaration files of zod a consumer compiles\n`);
  }
}
