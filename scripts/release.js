#!/usr/bin/env node
// `npm run release -- <version> [--dry-run] [--settings <file>]`: one release, from a committed tree.
//   1. checks: the version is newer than CHANGELOG.md's last release and not older than package.json's (which names
//      the version the unreleased changes make: the next minor for breaking ones, before 1.0), no message of the code speaks of a later one ("since
//      0.4.0"), CHANGELOG.md has an "## Unreleased" section with entries, the git tree is clean (every file not
//      committed named), release/<version> is not there yet; --dry-run checks the same;
//   2. sets the version in package.json, package-lock.json, lib/synth/version.ts and the dependency of
//      examples/platform-app/package.json, and turns "## Unreleased (<version>)" into "## <version> (<date>)" under a
//      new, empty "## Unreleased" (<date> today's, or SOURCE_DATE_EPOCH's);
//   3. writes release/<version>/: the packed library (`npm pack`), each stack's synthesized HCL module as a tarball
//      (the stack's folder as `npm run synth:hcl` leaves it: cdk.tf, metadata.json, assets/, and the
//      .terraform.lock.hcl `terraform providers lock` makes of it, from the registry or --provider-mirror), the SBOM
//      of the packages bundled into the CLI (rancher-ha-aws-<version>-cli.cdx.json: dist/cli/sbom.cdx.json as the
//      pack's build wrote it, the copy inside the tarball), and SHA256SUMS over them, so a pipeline can take a module
//      of a release without Node.js (`sha256sum -c SHA256SUMS`) and a scanner can read the CLI's packages unpacked.
// With --dry-run it does all of it with the new version, prints the files and their sums, and then puts package.json,
// package-lock.json and CHANGELOG.md back and deletes the files: nothing changes. The commit and the tag are yours
// (it prints the commands); it publishes nothing.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative, resolve } = require('node:path');
const { gzipSync } = require('node:zlib');

const ROOT = join(__dirname, '..');
const STACKS = ['rke-ha', 'k8s-ha', 'docker'];
const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

class Refused extends Error {}

const USAGE = 'usage: npm run release -- <version> [--dry-run] [--settings <file>] [--provider-mirror <dir>]';

function parseArgs(args) {
  const options = { dryRun: false, settings: undefined, version: undefined, providerMirror: undefined };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--dry-run') options.dryRun = true;
    else if (args[i] === '--settings') options.settings = args[++i];
    else if (args[i].startsWith('--settings=')) options.settings = args[i].slice('--settings='.length);
    else if (args[i] === '--provider-mirror') options.providerMirror = args[++i];
    else if (args[i].startsWith('--provider-mirror=')) options.providerMirror = args[i].slice('--provider-mirror='.length);
    else if (args[i].startsWith('-')) throw new Refused(`unknown option ${args[i]}; ${USAGE}`);
    else if (options.version === undefined) options.version = args[i];
    else throw new Refused(`unexpected argument ${args[i]}; ${USAGE}`);
  }
  if (options.version === undefined) throw new Refused('name the version: npm run release -- <version> (e.g. 0.4.0)');
  if (options.settings !== undefined && !existsSync(options.settings)) throw new Refused(`--settings ${options.settings}: no such file`);
  if (options.providerMirror !== undefined && !existsSync(options.providerMirror))
    throw new Refused(`--provider-mirror ${options.providerMirror}: no such folder`);
  return options;
}

/** The platforms each module's lock file records checksums for: the runners a pipeline is likely to have. */
const LOCK_PLATFORMS = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64'];

/**
 * The module's `.terraform.lock.hcl`, written into its folder by `terraform providers lock` (which reads the pinned
 * required_providers and needs no init, no backend): from registry.terraform.io, or from `mirror` (a `terraform
 * providers mirror` of the pinned providers) where the registry is out of reach. A release without it would leave each
 * pipeline to trust whatever build its first init fetched, so a failure refuses the release, naming the way out.
 */
function lockProviders(dir, stack, mirror) {
  const args = ['providers', 'lock', ...LOCK_PLATFORMS.map((p) => `-platform=${p}`), ...(mirror ? [`-fs-mirror=${mirror}`] : [])];
  const result = spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  const source = mirror ? `the provider mirror ${mirror}` : 'registry.terraform.io';
  if (result.error && result.error.code === 'ENOENT')
    throw new Refused(`terraform is not on PATH: each module's .terraform.lock.hcl is made with \`terraform providers lock\` (Terraform >= 1.10)`);
  if (result.status !== 0 || !existsSync(join(dir, '.terraform.lock.hcl')))
    throw new Refused(lockFailure(`${result.stderr}${result.stdout}`, stack, source));
}

/**
 * What a failed `terraform providers lock` tells the person releasing, in a line: a registry or mirror it could not
 * reach is said so, with the cause (no such host, connection refused) and the way on; any other failure gives
 * Terraform's own error, its heading and first sentence. Terraform's full text (a box per provider per platform, a
 * thousand characters and more) says the same at length.
 */
function lockFailure(output, stack, source) {
  const text = output
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/[│╷╵]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const way =
    `Run the release where registry.terraform.io answers, or give --provider-mirror <dir> holding those providers for those platforms ` +
    `(\`terraform providers mirror ${LOCK_PLATFORMS.map((p) => `-platform=${p}`).join(' ')} <dir>\` in a synthesized module, where the registry answers).`;
  const unreachable = /could not connect to ([\w.-]+)/.exec(text);
  if (unreachable) {
    const cause =
      /(no such host|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|certificate signed by unknown authority|context deadline exceeded)/.exec(
        text,
      );
    return `terraform providers lock could not reach ${unreachable[1]} for the ${stack} module${cause ? ` (${cause[1]})` : ''}. ${way}`;
  }
  // Terraform names each provider it could not get after a dash ("- registry.terraform.io/hashicorp/aws: no available
  // releases match the given constraints 6.0.0"): the first is the reason, else the error's heading.
  const first = / - ([\w.-]+\/[\w.-]+\/[\w.-]+: .+?)(?= - [\w.-]+\/|\.? *$)/.exec(text)?.[1];
  const heading = /Error: (.+?)(?= [A-Z][a-z]+ [a-z]|$)/.exec(text)?.[1];
  const said = (first ?? heading ?? text).slice(0, 200);
  return `terraform providers lock failed for the ${stack} module, reading ${source} (${said}). ${way}`;
}

const parts = (version) => VERSION.exec(version).slice(1).map(Number);
/** Negative, zero or positive as a is before, the same as or after b. */
function compare(a, b) {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * CHANGELOG.md's part for the changes not released yet: `## Unreleased (<version>)`, the version package.json names
 * for them (what `npm pack` and the synth say), or `## Unreleased` while it is empty, right after a release.
 */
const UNRELEASED = /^## Unreleased(?: \(\d+\.\d+\.\d+\))?\n/m;
/** The newest version CHANGELOG.md records as released (`## <version> (<date>)`). */
const lastRelease = (changelog) => /^## (\d+\.\d+\.\d+) /m.exec(changelog)?.[1];
/** Whether a CHANGELOG part holds breaking changes: an "Upgrading" or "Breaking" heading. */
const breaks = (part) => /^### (Upgrading|Breaking)\b/m.test(part);
/** The first version after `released` that may break: the next minor before 1.0, the next major from 1.0. */
function nextBreaking(released) {
  const [major, minor] = parts(released);
  return major === 0 ? `0.${minor + 1}.0` : `${major + 1}.0.0`;
}

/** Every "since <version>" in the messages of the code (lib, cli, app), as file:line and the version. */
function sinceVersions() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|sh)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            for (const m of line.matchAll(/\bsince (?:version |v)?(\d+\.\d+(?:\.\d+)?)\b/g))
              found.push({ where: `${relative(ROOT, path)}:${i + 1}`, version: m[1].split('.').length === 2 ? `${m[1]}.0` : m[1] });
          });
    }
  };
  for (const dir of ['lib', 'cli', 'app']) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  return found;
}

/** What `git status` finds not committed, each as its path and what changed (untracked, modified, ...). */
function uncommitted() {
  const words = { '??': 'untracked', M: 'modified', A: 'added', D: 'deleted', R: 'renamed', C: 'copied', U: 'unmerged', T: 'type changed' };
  return run('git', ['status', '--porcelain', '-z', '--untracked-files=all'])
    .split('\0')
    .filter((entry) => /^.. /.test(entry))
    .map((entry) => {
      const code = entry.slice(0, 2);
      const what = code === '??' ? words['??'] : (words[code.trim()[0]] ?? code.trim());
      return `${entry.slice(3)} (${what})`;
    });
}

/** The first ten of a list, and how many more. */
const listed = (items) => `${items.slice(0, 10).join(', ')}${items.length > 10 ? ` and ${items.length - 10} more` : ''}`;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A tar archive of `files` (relative paths under `base`, sorted), with fixed owner, mode and time: the same bytes for the same files. */
function tarOf(base, files) {
  const blocks = [];
  const field = (buffer, offset, length, text) => buffer.write(text, offset, length, 'utf8');
  const octal = (n, length) => `${n.toString(8).padStart(length - 1, '0')}\0`;
  for (const file of files) {
    const body = readFileSync(join(base, file));
    if (Buffer.byteLength(file) > 100) throw new Error(`${file}: a path longer than 100 bytes does not fit a plain tar header`);
    const header = Buffer.alloc(512);
    field(header, 0, 100, file);
    field(header, 100, 8, octal(0o644, 8));
    field(header, 108, 8, octal(0, 8));
    field(header, 116, 8, octal(0, 8));
    field(header, 124, 12, octal(body.length, 12));
    field(header, 136, 12, octal(0, 12));
    field(header, 148, 8, '        ');
    field(header, 156, 1, '0');
    field(header, 257, 6, 'ustar\0');
    field(header, 263, 2, '00');
    const sum = header.reduce((a, b) => a + b, 0);
    field(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function filesUnder(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)]))
    .sort();
}

/** The three stacks' HCL modules, synthesized by the app as `npm run synth:hcl` does, each archived under its stack's name. */
function moduleArchives(out, version, settings, providerMirror) {
  const scratch = mkdtempSync(join(tmpdir(), 'rancher-release-synth-'));
  try {
    const env = { ...process.env, SYNTH_HCL_OUTPUT: 'true' };
    for (const key of Object.keys(env)) if (key.startsWith('CDKTF_')) delete env[key];
    delete env.RANCHER_CONFIG;
    if (settings !== undefined) env.RANCHER_CONFIG = join(process.cwd(), settings);
    run(process.execPath, [join(ROOT, 'scripts', 'synth.js')], { cwd: scratch, env });
    const stacks = join(scratch, 'cdktf.out', 'stacks');
    return STACKS.map((stack) => {
      if (!existsSync(join(stacks, stack, 'cdk.tf'))) throw new Error(`the synth wrote no HCL module for ${stack}`);
      lockProviders(join(stacks, stack), stack, providerMirror === undefined ? undefined : resolve(providerMirror));
      const name = `rancher-ha-aws-${version}-${stack}-module.tar.gz`;
      const files = filesUnder(join(stacks, stack)).map((file) => join(stack, file));
      // gzip's header time is 0 in node's zlib: the archive's bytes depend on the files only.
      writeFileSync(join(out, name), gzipSync(tarOf(stacks, files), { level: 9 }));
      return name;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function release(args, log) {
  const options = parseArgs(args);
  const { version, dryRun } = options;
  if (!VERSION.test(version)) throw new Refused(`${version}: expected a version as major.minor.patch (e.g. 0.4.0)`);
  const pkgFile = join(ROOT, 'package.json');
  const lockFile = join(ROOT, 'package-lock.json');
  const changelogFile = join(ROOT, 'CHANGELOG.md');
  // The version the synth writes into every module (`writtenBy`) and prints: the packed library and the modules of a
  // release must carry the version released, so it changes before anything is built.
  const versionFile = join(ROOT, 'lib', 'synth', 'version.ts');
  const versionText = readFileSync(versionFile, 'utf8');
  const pkgText = readFileSync(pkgFile, 'utf8');
  const lockText = readFileSync(lockFile, 'utf8');
  const changelogText = readFileSync(changelogFile, 'utf8');
  // The example app asks for the release it is shown with (examples/platform-app, docs/library.md).
  const exampleFile = join(ROOT, 'examples', 'platform-app', 'package.json');
  const exampleText = readFileSync(exampleFile, 'utf8');
  const current = JSON.parse(pkgText).version;
  // package.json names the version the changes since the last release make (a breaking one the next minor, before
  // 1.0): `npm pack` gives that version's tarball. The release is of that version or a later one, never of one
  // released already.
  const released = lastRelease(changelogText);
  if (released !== undefined && compare(version, released) <= 0)
    throw new Refused(`${version} is not newer than the last release, ${released} (CHANGELOG.md)`);
  if (compare(version, current) < 0)
    throw new Refused(`${version} is older than package.json's ${current}, the version the changes since the last release make`);
  const later = sinceVersions().filter((s) => compare(s.version, version) > 0);
  if (later.length > 0)
    throw new Refused(
      `${version} is older than what the code's messages say: ${later.map((s) => `${s.where} says since ${s.version}`).join('; ')}. Release that version, or correct the messages.`,
    );
  const unreleased = new RegExp(`${UNRELEASED.source}([\\s\\S]*?)(?=^## )`, 'm').exec(changelogText);
  if (!unreleased || !/^### /m.test(unreleased[1]))
    throw new Refused('CHANGELOG.md has no entries under "## Unreleased": write what the release changes first');
  if (released !== undefined && breaks(unreleased[1]) && compare(version, nextBreaking(released)) < 0)
    throw new Refused(
      `${version} is not a release for breaking changes: CHANGELOG.md's "## Unreleased" has an "Upgrading" part, which makes the next release ${nextBreaking(released)} or later`,
    );
  // The dry run checks what the release checks (a dry run that passes promises a release that does): only where it
  // writes differs.
  const dirty = uncommitted();
  if (dirty.length > 0)
    throw new Refused(
      `the git tree has changes not committed: ${listed(dirty)}. Release from a committed tree (commit, stash or remove them)${dryRun ? '; a dry run checks what the release checks' : ''}.`,
    );
  const releaseDir = join(ROOT, 'release', version);
  if (existsSync(releaseDir)) throw new Refused(`${relative(ROOT, releaseDir)} exists: a release of ${version} was made here already`);

  // The day of the CHANGELOG's heading: today, or SOURCE_DATE_EPOCH's (seconds since 1970, the reproducible-builds
  // convention), so a dry run and the release after it write the same bytes, whatever the clock says between them.
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && !/^\d+$/.test(epoch)) throw new Refused(`SOURCE_DATE_EPOCH=${epoch}: expected seconds since 1970`);
  const date = (epoch === undefined ? new Date() : new Date(Number(epoch) * 1000)).toISOString().slice(0, 10);
  const out = dryRun ? mkdtempSync(join(tmpdir(), 'rancher-release-')) : releaseDir;
  let done = false;
  try {
    log(
      `${dryRun ? 'Dry run: ' : ''}release ${version} (package.json ${current} -> ${version}, CHANGELOG "## Unreleased" -> "## ${version} (${date})", examples/platform-app -> ^${version})`,
    );
    writeFileSync(pkgFile, pkgText.replace(/^( {2}"version": )"[^"]*"/m, `$1"${version}"`));
    const lock = JSON.parse(lockText);
    lock.version = version;
    lock.packages[''].version = version;
    writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    writeFileSync(changelogFile, changelogText.replace(UNRELEASED, `## Unreleased\n\n## ${version} (${date})\n`));
    writeFileSync(exampleFile, exampleText.replace(/^( +"rancher-ha-aws": )"[^"]*"/m, `$1"^${version}"`));
    writeFileSync(versionFile, versionText.replace(/^export const VERSION = '[^']*';$/m, `export const VERSION = '${version}';`));

    const staging = `${out}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    // The library's build type-checks its declarations here (scripts/build.js skips that elsewhere: lint checks).
    const packEnv = { ...process.env, RANCHER_BUILD_CHECK_TYPES: '1' };
    // The modules first: a module whose providers cannot be locked stops the release before the library's slower build.
    const modules = moduleArchives(staging, version, options.settings, options.providerMirror);
    const [packed] = JSON.parse(run('npm', ['pack', '--pack-destination', staging, '--json', '--silent'], { env: packEnv })).map((p) => p.filename);
    // The CLI's SBOM, as the pack's build (prepack: scripts/build.js cli) wrote it into dist/cli and the tarball.
    const sbom = `rancher-ha-aws-${version}-cli.cdx.json`;
    copyFileSync(join(ROOT, 'dist', 'cli', 'sbom.cdx.json'), join(staging, sbom));
    const files = [packed, ...modules, sbom];
    const sums = files.map(
      (file) =>
        `${createHash('sha256')
          .update(readFileSync(join(staging, file)))
          .digest('hex')}  ${file}`,
    );
    writeFileSync(join(staging, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
    log(`${dryRun ? 'Would write' : 'Wrote'} ${dryRun ? `release/${version}` : relative(ROOT, out)}/:`);
    for (const line of sums) log(`  ${line}`);
    if (dryRun)
      log(
        'Dry run: package.json, package-lock.json, CHANGELOG.md, lib/synth/version.ts and examples/platform-app/package.json are as they were; nothing was written.',
      );
    else
      log(
        `Next: review, then git add package.json package-lock.json CHANGELOG.md lib/synth/version.ts examples/platform-app/package.json && git commit -m "Release ${version}" && git tag v${version}; attach release/${version}/* to the release.`,
      );
    done = true;
  } finally {
    if (dryRun || !done) {
      writeFileSync(pkgFile, pkgText);
      writeFileSync(lockFile, lockText);
      writeFileSync(changelogFile, changelogText);
      writeFileSync(exampleFile, exampleText);
      writeFileSync(versionFile, versionText);
      rmSync(`${out}.partial`, { recursive: true, force: true });
      if (dryRun) rmSync(out, { recursive: true, force: true });
    }
  }
}

if (require.main === module) {
  try {
    release(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    process.stderr.write(`release: ${error instanceof Refused ? error.message : (error.stack ?? error)}\n`);
    process.exitCode = error instanceof Refused ? 2 : 1;
  }
}

module.exports = { release, sinceVersions, tarOf, lastRelease, breaks, nextBreaking, lockProviders, Refused };
