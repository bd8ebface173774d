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

/** The declaration file of each entry point of `dir`/package.json `exports`; `distLib` stands for its dist/lib. */
function entryDeclarations(dir = root, distLib = join(dir, 'dist', 'lib')) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
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
  return { names, declarations, zod, ...surfaceProblems(program, entries, join(dir, 'dist', 'lib')) };
}

/** A symbol as declared: an import or re-export stands for what it names. */
function declared(checker, symbol) {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** A declaration at the top of its file (not a member, parameter or type parameter). */
function topLevel(declaration) {
  let node = declaration.parent;
  if (node && ts.isVariableDeclarationList(node)) node = node.parent?.parent;
  return node !== undefined && ts.isSourceFile(node);
}

/**
 * What a consumer reaches but cannot name, in the program built from the entry points (publicSurface builds it once). `privateDeclarations`: declaration files under a `private/` folder the
 * entry points reach (the folders hold what no entry point may expose). `unnamedTypes`: types of the package that a
 * public signature uses by name (a prop's type, a property's, a method's parameter or result, a base class), followed
 * through every type they use in turn, that no entry point exports: a consumer can use them only by
 * inference, never write them down. Private members are not followed (no consumer sees them), nor is `typeof` of a value: a
 * type derived from a constant (`TlsMode`, from `TLS_MODES`) is named by its own alias.
 */
function surfaceProblems(program, entries, distLib) {
  const inPackage = (file) => !relative(distLib, file).startsWith('..');
  const checker = program.getTypeChecker();
  const exported = new Set();
  for (const { file } of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(file));
    for (const symbol of module ? checker.getExportsOfModule(module) : []) exported.add(declared(checker, symbol));
  }
  const queue = [...exported];
  const seen = new Set(queue);
  const unnamed = new Map();
  const follow = (node, owner) => {
    if (ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) return;
    const name = ts.isTypeReferenceNode(node)
      ? node.typeName
      : ts.isExpressionWithTypeArguments(node)
        ? node.expression
        : ts.isImportTypeNode(node)
          ? node.qualifier
          : undefined;
    const symbol = name && checker.getSymbolAtLocation(name);
    if (symbol) {
      const target = declared(checker, symbol);
      const declarations = (target.declarations ?? []).filter((d) => inPackage(d.getSourceFile().fileName) && topLevel(d));
      if (declarations.length > 0 && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
        if (!exported.has(target)) {
          const file = relative(distLib, declarations[0].getSourceFile().fileName);
          unnamed.set(target, `${target.getName()} (${file}), used by ${owner}`);
        }
      }
    }
    ts.forEachChild(node, (child) => follow(child, owner));
  };
  while (queue.length > 0) {
    const symbol = queue.shift();
    for (const declaration of symbol.declarations ?? []) if (inPackage(declaration.getSourceFile().fileName)) follow(declaration, symbol.getName());
  }
  const privateDeclarations = program
    .getSourceFiles()
    .map((source) => relative(distLib, source.fileName))
    .filter((file) => !file.startsWith('..') && file.split('/').includes('private'));
  return { privateDeclarations, unnamedTypes: [...unnamed.values()].sort() };
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
  // Fails (exit 1) on what a consumer reaches and cannot name; the consumer test runs it on the packed package.
  const { privateDeclarations, unnamedTypes } = surface;
  for (const file of privateDeclarations) process.stderr.write(`private declaration reached by an entry point: ${file}\n`);
  for (const type of unnamedTypes) process.stderr.write(`type in a public signature that no entry point exports: ${type}\n`);
  if (privateDeclarations.length + unnamedTypes.length > 0) process.exitCode = 1;
}
