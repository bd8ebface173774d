#!/usr/bin/env node
// The two builds, both with esbuild (types are checked by `npm run lint`):
//
//   app      main.ts, app/, lib/ and the packages they use, bundled into
//            dist/app/main.js, which `cdktf synth` and `npm run synth` run
//            (scripts/synth.js). Rebuilt only when one of its inputs changed:
//            esbuild's metafile lists them, and their sizes and mtimes are
//            kept beside the bundle.
//   library  lib/ as the npm package ships it: dist/lib, one JavaScript file
//            per source (other modules stay require()s, so every construct
//            class exists once) and the declarations from tsc that the
//            entry points reach (scripts/public-surface.js).
//   cli      the operations CLI (cli/, a program of its own beside the
//            library, as aws-cdk's CLI is beside aws-cdk-lib), bundled into
//            one file with what it uses (node's own modules, the yaml
//            package, the few plain-string modules of lib/ it shares with
//            the constructs): dist/cli/main.js, the package's
//            `rancher-ha-aws` binary. `npm run roll|teardown|drill` in a
//            checkout runs it from dist/.ops-cli, built there only when one
//            of its inputs changed (checkoutCli), as the app is.
//
// The shell scripts lib/ imports as text are inlined by both, so nothing reads
// a file beside the code at construct time.
const { spawnSync } = require('node:child_process');
const { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const APP_DIR = join(dist, 'app');
const LIBRARY_DIR = join(dist, 'lib');
// esbuild is loaded only to build: a synth with a fresh bundle only checks its inputs.
const esbuild = () => require('esbuild');
const COMMON = { absWorkingDir: root, ...require('./esbuild-options').ESBUILD_NODE };

function sources(dir, ext) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((file) => file.endsWith(ext) && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file));
}

/** Everything but the shell scripts stays a require() of its own module. */
const externalModules = {
  name: 'external-modules',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'entry-point' || args.path.endsWith('.sh') ? undefined : { path: args.path, external: true },
    );
  },
};

const inputsFile = (out) => join(out, 'inputs.json');

/**
 * Each file (a path from `base`) as [size, mtime in ms], what a freshness check compares; with `missing`, a file
 * that is not there as null (it must still be missing), else its absence is an error.
 */
const statsOf = (base, files, { missing = false } = {}) =>
  Object.fromEntries(
    [...new Set(files)].sort().map((file) => {
      const stat = statSync(join(base, file), { throwIfNoEntry: !missing });
      return [file, stat === undefined ? null : [stat.size, stat.mtimeMs]];
    }),
  );

/** Whether every file of `stats` (paths from `base`) is as recorded: the same size and mtime, or still missing. */
const unchanged = (base, stats) =>
  Object.entries(stats).every(([file, recorded]) => {
    const stat = statSync(join(base, file), { throwIfNoEntry: false });
    return recorded === null ? stat === undefined : stat !== undefined && stat.size === recorded[0] && stat.mtimeMs === recorded[1];
  });

/** Whether the bundle in `out` was built from exactly the files on disk now. */
function appIsFresh(out) {
  if (!existsSync(join(out, 'main.js')) || !existsSync(inputsFile(out))) return false;
  try {
    return unchanged(root, JSON.parse(readFileSync(inputsFile(out), 'utf8')));
  } catch {
    return false;
  }
}

/**
 * `text` (JavaScript) with every character outside ASCII written as its `\uXXXX` escape, which means the same
 * character in a string, a template, a regular expression or a name (as in esbuild's own ASCII output, a regular
 * expression's source and a template's raw text read the escape), and nothing in a comment. esbuild's output is
 * ASCII except in the comments it keeps (its `charset` option leaves them as written: zod's, cdktn's and our own
 * JSDoc hold dashes and accents), and one such character makes V8 hold the whole 7 MB source two bytes a character,
 * slower to read, hash and compile: a synth ran 5% fewer instructions with the bundle in ASCII (bench/README.md,
 * 2026-11-29).
 * U+2028 and U+2029 end a line comment, so they stay as written.
 */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Bundles the app into `out` (dist/app unless told; tests build into
 * node_modules/.cache), unless it is fresh. Resolves to the path of main.js.
 */
async function buildApp(out = APP_DIR) {
  const main = join(out, 'main.js');
  if (appIsFresh(out)) return { main };
  rmSync(out, { recursive: true, force: true });
  const result = await esbuild().build({
    ...COMMON,
    entryPoints: [join(root, 'main.ts')],
    bundle: true,
    outfile: main,
    metafile: true,
    write: false,
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(main, asciiOnly(result.outputFiles[0].text));
  // Inputs as paths from the project root, with the build script itself and the lockfile (package versions).
  const inputs = statsOf(root, [...Object.keys(result.metafile.inputs), 'scripts/build.js', 'package-lock.json']);
  writeFileSync(inputsFile(out), `${JSON.stringify(inputs, null, 1)}\n`);
  return { main };
}

/** lib/ as JavaScript and declarations into `out` (dist/lib unless told). */
async function buildLibrary(out = LIBRARY_DIR) {
  rmSync(out, { recursive: true, force: true });
  const entryPoints = sources('lib', '.ts').map((f) => join(root, f));
  await esbuild().build({ ...COMMON, entryPoints, outdir: out, outbase: join(root, 'lib'), bundle: true, plugins: [externalModules] });
  // --noCheck: declarations only, without checking the program's types again (`npm run lint` checks them, the
  // whole project); emit errors (a type a declaration cannot name) still fail the build. The declarations that ship
  // are byte-identical either way; the run takes about 8 s of CPU instead of 13 (bench/README.md, 2026-11-26).
  // A release checks them (scripts/release.js sets RANCHER_BUILD_CHECK_TYPES): what ships is built from a tree
  // whose library type-checks, whether or not lint ran on it.
  const check = process.env.RANCHER_BUILD_CHECK_TYPES === '1';
  for (const file of declarations(check)) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(declarationsCache(check), 'lib', file), join(out, file));
  }
  // Only the declarations the entry points reach ship: the rest (the settings schemas' among them, which name zod's
  // types) describe internals no import of the package's can name.
  const reachable = new Set(require('./public-surface.js').reachableDeclarations(out));
  for (const file of readdirSync(out, { recursive: true })) {
    const path = join(out, file);
    if (path.endsWith('.d.ts') && !reachable.has(path)) rmSync(path);
  }
  return out;
}

/**
 * Where tsc keeps the library's declarations between builds of this checkout, with its build info beside them: one
 * folder a mode (checked, or --noCheck), under dist/ (git-ignored, never packed, and the checkout's own: a scratch
 * clone that links this node_modules keeps its own).
 */
const declarationsCache = (check) => join(dist, '.declarations', check ? 'checked' : 'unchecked');

/**
 * Every source's declaration file in the cache, by its path under lib/ (`network/vpc.d.ts`), emitted by tsc with
 * --incremental: a second build of the same tree (a release's dry run, then the release) checks and emits again
 * only the files that changed and those whose imports' types did, from about 8 s of CPU to 3 (checked). tsc's build
 * info does not record that an output went missing, so a cache without one of them is emptied and built whole.
 */
function declarations(check) {
  const cache = declarationsCache(check);
  const expected = sources('lib', '.ts').map((file) => relative('lib', file).replace(/\.ts$/, '.d.ts'));
  const emit = () => {
    const tscArgs = [
      require.resolve('typescript/bin/tsc'),
      ...['-p', join(root, 'tsconfig.build.json'), '--declarationDir', join(cache, 'lib')],
      ...['--incremental', '--tsBuildInfoFile', join(cache, 'tsbuildinfo')],
      ...(check ? [] : ['--noCheck']),
    ];
    const tsc = spawnSync(process.execPath, tscArgs, { cwd: root, encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`tsc (declarations) failed:\n${tsc.stdout}${tsc.stderr}`);
  };
  emit();
  if (expected.some((file) => !existsSync(join(cache, 'lib', file)))) {
    rmSync(cache, { recursive: true, force: true });
    emit();
  }
  return expected;
}

const CLI_DIR = join(dist, 'cli');
/** Where `npm run <command>` in a checkout keeps the CLI it runs: under dist/, the checkout's own (as the declarations). */
const CHECKOUT_CLI_DIR = join(dist, '.ops-cli');

/**
 * The operations CLI bundled into `out`/main.js (dist/cli unless told), executable: npm makes a package's bin
 * executable when it installs it, a checkout's build does it here. Resolves to its path and the files esbuild read
 * (paths from the project root, as its metafiles name them).
 */
async function buildCli(out = CLI_DIR) {
  const cli = join(out, 'main.js');
  const inputs = [];
  const metafiles = [];
  const read = (result) => {
    inputs.push(...Object.keys(result.metafile.inputs));
    metafiles.push(result.metafile);
  };
  read(
    await esbuild().build({
      ...COMMON,
      entryPoints: [join(root, 'cli', 'main.ts')],
      bundle: true,
      outfile: cli,
      plugins: [cliApart],
      // import() of a file apart becomes a require() of it at the same point: a plain CommonJS load beside main.js.
      supported: { 'dynamic-import': false },
      metafile: true,
    }),
  );
  for (const file of new Set(Object.values(CLI_APART))) {
    const sources = Object.keys(CLI_APART).filter((source) => CLI_APART[source] === file);
    // Two modules in one file: an entry that exports what each does (their shared exports are the same bindings).
    const entry =
      sources.length === 1
        ? { entryPoints: [join(root, 'cli', sources[0])] }
        : {
            stdin: {
              contents: sources.map((source) => `export * from './${source.replace(/\.ts$/, '')}';\n`).join(''),
              resolveDir: join(root, 'cli'),
              sourcefile: file,
              loader: 'ts',
            },
          };
    read(
      await esbuild().build({
        ...COMMON,
        ...entry,
        bundle: true,
        outfile: join(out, file),
        metafile: true,
        ...(file === 'kube-api.js' ? {} : SDK_MODULES),
      }),
    );
  }
  // The third-party packages in the three files, with their versions, beside them (scripts/cli-sbom.js).
  require('./cli-sbom').writeCliSbom(out, metafiles, root);
  chmodSync(cli, 0o755);
  // A stdin entry (its source file named after the output, under cli/) is no file: the build script writes it.
  const written = Object.values(CLI_APART).map((file) => `cli/${file}`);
  return { cli, inputs: inputs.filter((input) => !written.includes(input)) };
}

/**
 * What decides a checkout's CLI beside the files esbuild reads: how it is built, the packages' versions (the lockfile,
 * and npm's record of what node_modules holds, which every install, update and `npm ci` rewrites) and package.json
 * (the version the CLI carries, the dependencies).
 */
const CLI_BUILD_FILES = ['scripts/build.js', 'scripts/esbuild-options.js', 'package-lock.json', 'package.json', 'node_modules/.package-lock.json'];
const STAMP = 'stamp.json';
const MTIME_SLACK_MS = 2000;

/**
 * What stands for an input in the stamp: the file itself, but a package's file its package's package.json. The CLI
 * reads about 4,400 files of 72 packages; a stat of each took about 60 ms of CPU a run (a --help takes about 70), a
 * stat of each package's package.json a few. A package's files change with its version, which npm's record above and
 * the package.json show; an edit by hand inside node_modules is not seen (remove dist/.ops-cli).
 */
const stampedAs = (file) => {
  const at = file.lastIndexOf('node_modules/');
  if (at === -1) return file;
  const [scope, name] = file.slice(at + 'node_modules/'.length).split('/');
  return `${file.slice(0, at)}node_modules/${scope.startsWith('@') ? `${scope}/${name}` : scope}/package.json`;
};

/**
 * Whether the CLI in `out` was built from exactly the files on disk now: every input of its last build (esbuild's
 * metafiles; a package's by its package.json) and CLI_BUILD_FILES with the sizes and mtimes recorded then, and its own
 * files as it wrote them (one missing or changed, it is built again).
 */
function cliIsFresh(out) {
  try {
    const stamp = JSON.parse(readFileSync(join(out, STAMP), 'utf8'));
    return Object.keys(stamp.outputs).includes('main.js') && unchanged(out, stamp.outputs) && unchanged(root, stamp.inputs);
  } catch {
    return false;
  }
}

/**
 * The operations CLI as `npm run roll|rotate|...` runs it from a checkout: `out`/main.js (dist/.ops-cli unless told),
 * built by `build` only when it is not fresh (cliIsFresh). A stale CLI never runs: a build goes to a folder of its own,
 * its stamp is written, then it takes the place of the old one, so a run at the same moment sees the old CLI with
 * its stamp, none, or the new one with its stamp. Resolves to the path of main.js and whether it was built.
 */
async function checkoutCli(out = CHECKOUT_CLI_DIR, { build = buildCli, buildFiles = CLI_BUILD_FILES } = {}) {
  const cli = join(out, 'main.js');
  if (cliIsFresh(out)) return { cli, built: false };
  mkdirSync(dirname(out), { recursive: true });
  const next = `${out}.${process.pid}.next`;
  rmSync(next, { recursive: true, force: true });
  try {
    const started = Date.now();
    const { inputs } = await build(next);
    // Inputs as paths from the project root (a file outside it too: `..` paths), the CLI's own files from its folder.
    const fromRoot = (files) => files.map((file) => relative(root, resolve(root, file)));
    // A build file that is not there (no npm record in a node_modules made otherwise) is recorded as missing.
    const read = { ...statsOf(root, fromRoot(buildFiles), { missing: true }), ...statsOf(root, fromRoot(inputs.map(stampedAs))) };
    // A file written while the build ran (or just before: file systems with coarse times) may have been read before
    // the change: recorded as never matching, so the next run builds again.
    for (const [file, stat] of Object.entries(read)) if (stat !== null && stat[1] >= started - MTIME_SLACK_MS) read[file] = [-1, -1];
    const stamp = { inputs: read, outputs: statsOf(next, readdirSync(next)) };
    writeFileSync(join(next, STAMP), `${JSON.stringify(stamp, null, 1)}\n`);
    const old = `${out}.${process.pid}.old`;
    try {
      renameSync(out, old);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    try {
      renameSync(next, out);
    } catch (error) {
      // Another run put its build, from the same files, in place between the two renames: it is as fresh as this one.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
  return { cli, built: true };
}

/**
 * The modules the CLI loads with import() only when a command needs them, bundled in files of their own beside
 * main.js: the AWS SDK is 6 of the 6.9 MB a single bundle had, and every start parsed it (a refusal: 0.46 s of CPU
 * against 0.21 s without it), while most runs never reach AWS. Two files, each with the packages it uses: the SDK
 * side (cli/shared/aws/sdk-side.ts: the clients and calls of the roll, the rotations, the drill, the failover and the
 * acceptance run; cli/teardown/teardown-aws.ts: the teardown's steps in AWS) and the Kubernetes client
 * (cli/shared/kube/kube-api.ts: the Leases, Nodes, records and Plan of the roll and the rotations). The SDK side is one
 * file for both modules: apart, each carried its own 6 MB copy of the SDK, and a run that tears down as well (the
 * acceptance run, the drill, the failback) parsed and evaluated both copies, the EC2 client's twice.
 * The SDK side is built from the SDK packages' ES modules (`module` before `main`), which esbuild can tree-shake: a
 * client package's CommonJS build is one file with every command and shape of the service, kept whole (EC2's alone
 * is 2.3 MB), while the commands import the few they send. That took the file from 6.3 to about 3 MB, and loading it
 * with the SSM client made from about 1.1 to 0.7 s of CPU (docs/development.md, "The AWS layer through the SDK").
 */
const CLI_APART = {
  'teardown/teardown-aws.ts': 'aws-sdk.js',
  'shared/aws/sdk-side.ts': 'aws-sdk.js',
  'shared/kube/kube-api.ts': 'kube-api.js',
};
// The Kubernetes client's package is ES modules already (its `main`); the SDK's packages name theirs in `module`.
const SDK_MODULES = { mainFields: ['module', 'main'] };
const cliApart = {
  name: 'cli-apart',
  setup(build) {
    build.onResolve({ filter: /./ }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.startsWith(join(root, 'cli'))) return undefined;
      const source = relative(join(root, 'cli'), join(args.resolveDir, `${args.path}.ts`));
      const file = CLI_APART[source.split('\\').join('/')];
      if (file === undefined) throw new Error(`${args.importer} imports ${args.path} with import(): add it to CLI_APART in scripts/build.js.`);
      return { path: `./${file}`, external: true };
    });
  },
};

module.exports = {
  asciiOnly,
  buildApp,
  buildLibrary,
  buildCli,
  appIsFresh,
  checkoutCli,
  cliIsFresh,
  stampedAs,
  CHECKOUT_CLI_DIR,
  CLI_BUILD_FILES,
  cliApart,
};

// node scripts/build.js [app|library|cli|all] [out]
if (require.main === module) {
  const [what = 'all', out] = process.argv.slice(2);
  (async () => {
    if (what === 'app' || what === 'all') await buildApp(what === 'app' ? out : undefined);
    if (what === 'library' || what === 'all') await buildLibrary(what === 'library' ? out : undefined);
    if (what === 'cli' || what === 'all') await buildCli(what === 'cli' ? out : undefined);
  })().catch((error) => {
    console.error(error.message ?? error);
    process.exit(1);
  });
}
