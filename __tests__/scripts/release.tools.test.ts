import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { runBounded } from '../helpers/subprocess';
import { synthSettings } from '../helpers/variants';
import { GIT_ENV, testEnv } from '../helpers/test-env';

// `npm run release` on a scratch clone of this checkout: the files git tracks or would (not ignored), as they are in the working tree,
// committed in a repository of their own, with this checkout's node_modules linked (no registry needed). The real
// git, npm pack, the app's synth and sha256sum run; the checkout itself is never touched.

const ROOT = join(__dirname, '..', '..');
let clone: string;

const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: clone,
    encoding: 'utf8',
    env: testEnv(GIT_ENV),
  });
/** The day every release of this file writes into the CHANGELOG (SOURCE_DATE_EPOCH): the same in the dry run and the release. */
const EPOCH = Math.floor(Date.now() / 1000);
const DAY = new Date(EPOCH * 1000).toISOString().slice(0, 10);
/** `npm run release` in the clone with `args`, and `env` over this file's (SOURCE_DATE_EPOCH: EPOCH). */
const releaseWith = (env: Record<string, string>, ...args: string[]) => {
  const result = runBounded(process.execPath, [join(clone, 'scripts', 'release.js'), ...args], {
    cwd: clone,
    env: testEnv({ ...GIT_ENV, CHECKPOINT_DISABLE: '1', SOURCE_DATE_EPOCH: String(EPOCH), ...env }),
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
};
const release = (...args: string[]) => releaseWith({}, ...args);
const version = () => (JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { version: string }).version;
/** The sum lines a release prints (`  <sha256>  <file>`). */
const sumsOf = (out: string) => out.split('\n').filter((line) => /^ {2}[0-9a-f]{64} {2}\S+$/.test(line));
/** Each declaration in the clone's checked-build cache (scripts/build.js), by its path under lib/, and its mtime. */
function cachedDeclarations(): Record<string, number> {
  const dir = join(clone, 'dist', '.declarations', 'checked', 'lib');
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [relative(dir, join(e.parentPath, e.name)), statSync(join(e.parentPath, e.name)).mtimeMs]),
  );
}

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'rancher-release-clone-'));
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of tracked) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
    // Linked below; git lists it only where it is a link (a checkout sharing another's node_modules), not ignored as a folder.
    if (file === 'node_modules') continue;
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    // A symbolic link stays one (git records the link, not what it points at: a link to a folder is one entry).
    if (lstatSync(join(ROOT, file)).isSymbolicLink()) symlinkSync(readlinkSync(join(ROOT, file)), join(clone, file));
    else cpSync(join(ROOT, file), join(clone, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  // Right after a release this checkout's "## Unreleased" is empty, which the release refuses: the clone gets an entry.
  const changelog = readFileSync(join(clone, 'CHANGELOG.md'), 'utf8');
  if (/^## Unreleased\n\s*\n## /m.test(changelog))
    writeFileSync(
      join(clone, 'CHANGELOG.md'),
      changelog.replace(/^## Unreleased\n/m, '## Unreleased\n\n### Fixed\n\n- An entry of the scratch clone.\n'),
    );
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'scratch clone');
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

// The release records each module's provider checksums with `terraform providers lock`, which reads
// registry.terraform.io or a mirror (`-fs-mirror`). The registry is out of reach here: the mirror is one of stand-in
// packages, in Terraform's packed layout (<host>/<namespace>/<type>/terraform-provider-<type>_<version>_<platform>.zip),
// for every provider the three modules pin and each platform the release records. The real terraform reads it; what
// it proves is that the archives carry a lock file of exactly the pinned providers, not the registry's checksums.
const PLATFORMS = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64'];
/** Every provider the three stacks pin, as `namespace/type` and version. */
const pinned = (() => {
  const all = new Map<string, string>();
  for (const stack of ['rke-ha', 'k8s-ha', 'docker'] as const) {
    const required = (synthSettings(stack, {}).json.terraform as { required_providers: Record<string, { source: string; version: string }> })
      .required_providers;
    for (const [name, p] of Object.entries(required)) all.set(p.source.includes('/') ? p.source : `hashicorp/${p.source || name}`, p.version);
  }
  return all;
})();
let mirror: string;
beforeAll(() => {
  mirror = mkdtempSync(join(tmpdir(), 'rancher-release-mirror-'));
  for (const [source, version] of pinned) {
    const type = source.split('/')[1];
    const dir = join(mirror, 'registry.terraform.io', source);
    mkdirSync(dir, { recursive: true });
    for (const platform of PLATFORMS) {
      const binary = join(mirror, `terraform-provider-${type}_v${version}`);
      writeFileSync(binary, `a stand-in of ${source} ${version} for ${platform}\n`);
      execFileSync('zip', ['-qj', join(dir, `terraform-provider-${type}_${version}_${platform}.zip`), binary]);
      rmSync(binary);
    }
  }
});
afterAll(() => rmSync(mirror, { recursive: true, force: true }));

/** The release the cases make: the next minor of this checkout's version (0.4.0 from 0.3.x, as the messages say). */
const NEXT = ((v: string) => `${v.split('.')[0]}.${Number(v.split('.')[1]) + 1}.0`)(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
);

describe('npm run release', () => {
  const current = () => version();
  // What the dry run printed and left in the library's declarations cache, for the release that follows it.
  let dryRun: { sums: string[]; declarations: Record<string, number> } | undefined;

  it('refuses a version released already, one older than package.json names, or not a version, and a SOURCE_DATE_EPOCH that is not seconds, changing nothing', () => {
    const released = /^## (\d+\.\d+\.\d+) /m.exec(readFileSync(join(clone, 'CHANGELOG.md'), 'utf8'))![1];
    expect(release(released)).toMatchObject({
      code: 2,
      err: expect.stringContaining(`${released} is not newer than the last release, ${released} (CHANGELOG.md)`),
    });
    const [major, minor] = current().split('.').map(Number);
    if (minor > 0) {
      const older = `${major}.${minor - 1}.99`;
      expect(release(older)).toMatchObject({ code: 2, err: expect.stringContaining(`${older} is older than package.json's ${current()}`) });
    }
    expect(release('v1')).toMatchObject({ code: 2, err: expect.stringContaining('expected a version as major.minor.patch') });
    expect(releaseWith({ SOURCE_DATE_EPOCH: '2026-11-26' }, NEXT, '--dry-run')).toMatchObject({
      code: 2,
      err: expect.stringContaining('SOURCE_DATE_EPOCH=2026-11-26: expected seconds since 1970'),
    });
    expect(git('status', '--porcelain')).toBe('');
  });

  it('refuses a patch release of breaking changes (an "Upgrading" part under "## Unreleased"), naming the version they make', () => {
    const changelog = join(clone, 'CHANGELOG.md');
    const text = readFileSync(changelog, 'utf8');
    const released = /^## (\d+\.\d+\.\d+) /m.exec(text)![1];
    const [major, minor, patch] = released.split('.').map(Number);
    const pkgFile = join(clone, 'package.json');
    const pkg = readFileSync(pkgFile, 'utf8');
    // package.json as it was at the last release, and breaking changes since.
    writeFileSync(pkgFile, pkg.replace(/^( {2}"version": )"[^"]*"/m, `$1"${released}"`));
    if (!/^## Unreleased.*\n[\s\S]*?^### Upgrading/m.test(text))
      writeFileSync(
        changelog,
        text.replace(/^## Unreleased.*\n/m, (heading) => `${heading}\n### Upgrading from the last release\n\n- A change that breaks.\n`),
      );
    git('commit', '-qam', 'breaking changes under the last version');
    try {
      const result = release(`${major}.${minor}.${patch + 1}`);
      expect(result.code).toBe(2);
      expect(result.err).toContain(
        `is not a release for breaking changes: CHANGELOG.md's "## Unreleased" has an "Upgrading" part, which makes the next release ${major === 0 ? `0.${minor + 1}.0` : `${major + 1}.0.0`} or later`,
      );
    } finally {
      git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('refuses a version older than a "since" in the code\'s messages, naming the file and line, changing nothing', () => {
    // A committed message that speaks of a later release than the one asked for (as "since 0.4.0" did of 0.3.x).
    mkdirSync(join(clone, 'lib', 'later'));
    writeFileSync(join(clone, 'lib', 'later', 'message.ts'), "// Said by a later release.\nexport const LATER = 'Available since 9.9.0.';\n");
    git('add', '-A');
    git('commit', '-qm', 'a message of a later release');
    try {
      const result = release(NEXT);
      expect(result).toMatchObject({ code: 2, out: '' });
      expect(result.err).toContain(`${NEXT} is older than what the code's messages say: lib/later/message.ts:2 says since 9.9.0.`);
      expect(git('status', '--porcelain', '--ignored')).not.toMatch(/release\/|package\.json|CHANGELOG|version\.ts/);
      expect(version()).toBe(current());
    } finally {
      git('reset', '-q', '--hard', 'HEAD~1');
      rmSync(join(clone, 'release'), { recursive: true, force: true });
    }
  });

  it('--dry-run builds everything with the new version, prints the sums, and leaves the tree as it was', () => {
    const before = current();
    const result = release(NEXT, '--dry-run', '--provider-mirror', mirror);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`Dry run: release ${NEXT} (package.json ${before} -> ${NEXT}`);
    for (const file of [
      `rancher-ha-aws-${NEXT}.tgz`,
      ...['rke-ha', 'k8s-ha', 'docker'].map((s) => `rancher-ha-aws-${NEXT}-${s}-module.tar.gz`),
      `rancher-ha-aws-${NEXT}-cli.cdx.json`,
    ])
      expect(result.out).toMatch(new RegExp(`  [0-9a-f]{64}  ${file.replace(/\./g, '\\.')}\\n`));
    expect(git('status', '--porcelain', '--ignored')).not.toMatch(/release\/|package\.json|CHANGELOG/);
    expect(version()).toBe(before);
    dryRun = { sums: sumsOf(result.out), declarations: cachedDeclarations() };
    expect(dryRun.sums).toHaveLength(5);
  });

  it('builds nothing from a library that does not type-check, though other builds skip that check (lint makes it)', () => {
    const file = join(clone, 'lib', 'synth', 'version.ts');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text}\nexport const NOT_A_NUMBER: number = 'text';\n`);
    git('commit', '-qam', 'a type error');
    try {
      const result = release(NEXT, '--dry-run', '--provider-mirror', mirror);
      expect(result.code).not.toBe(0);
      expect(result.err).toMatch(/error TS2322: Type 'string' is not assignable to type 'number'/);
      // Put back as it was: the version, the CHANGELOG and lib/synth/version.ts.
      expect(git('status', '--porcelain')).toBe('');
    } finally {
      git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  // d0e353c: the dry run passed on such a tree, and the release's refusal put the files on lines of their own after it.
  it('refuses a tree with changes not committed, naming each file, in the dry run as in the release', () => {
    writeFileSync(join(clone, 'stray.txt'), 'x\n');
    writeFileSync(join(clone, 'README.md'), `${readFileSync(join(clone, 'README.md'), 'utf8')}\nA line not committed.\n`);
    try {
      for (const args of [[NEXT], [NEXT, '--dry-run']]) {
        const result = release(...args);
        expect(result).toMatchObject({ code: 2, out: '' });
        expect(result.err.trim().split('\n')).toHaveLength(1);
        expect(result.err).toContain('the git tree has changes not committed: README.md (modified), stray.txt (untracked).');
      }
      expect(version()).toBe(current());
    } finally {
      rmSync(join(clone, 'stray.txt'));
      git('checkout', '-q', 'README.md');
    }
  });

  it('takes the tarball `npm pack` leaves (README, "Use the constructs") for no change: git ignores it', () => {
    const tarball = join(clone, `rancher-ha-aws-${current()}.tgz`);
    writeFileSync(tarball, 'a packed library\n');
    try {
      expect(git('status', '--porcelain')).toBe('');
      expect(git('check-ignore', `rancher-ha-aws-${current()}.tgz`).trim()).toBe(`rancher-ha-aws-${current()}.tgz`);
    } finally {
      rmSync(tarball);
    }
  });

  it('refuses, in the dry run as in the release, a version whose release/<version> is there already', () => {
    mkdirSync(join(clone, 'release', NEXT), { recursive: true });
    try {
      for (const args of [[NEXT], [NEXT, '--dry-run']])
        expect(release(...args)).toMatchObject({
          code: 2,
          err: expect.stringContaining(`release/${NEXT} exists: a release of ${NEXT} was made here already`),
        });
    } finally {
      rmSync(join(clone, 'release'), { recursive: true, force: true });
    }
  });

  // d0e353c's archives held no lock file: every pipeline trusted whatever build its first init fetched.
  // The release itself, not its dry run: each synthesizes the three stacks before the lock fails, and the lock and its
  // message do not depend on the mode (scripts/release.js, moduleArchives); a dry run that fails after writing the
  // version is the type error's case above, so both modes' putting back is shown.
  it('refuses, naming the way out, when the providers cannot be locked (an empty mirror: the registry is out of reach here)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'rancher-release-empty-mirror-'));
    try {
      const result = release(NEXT, '--provider-mirror', empty);
      expect(result.code).toBe(2);
      expect(result.err).toContain(`terraform providers lock failed for the rke-ha module, reading the provider mirror ${empty}`);
      expect(result.err).toContain('give --provider-mirror <dir> holding those providers for those platforms');
      expect([NEXT, `${NEXT}.partial`].filter((name) => existsSync(join(clone, 'release', name)))).toEqual([]);
      expect(git('status', '--porcelain')).toBe('');
      expect(version()).toBe(current());
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  // Where the registry is out of reach, terraform's own text (a box per provider and platform, about 1,100 characters
  // with the pinned providers) said it at length: the release says it in a line, with the way on. The registry is made
  // unreachable on any machine by a proxy that refuses (Go's HTTP client, which terraform uses, honours HTTPS_PROXY),
  // and no CLI configuration of the machine's (a mirror of its own) is read.
  it('says in one short line that the registry could not be reached, and the way on, when the providers cannot be locked', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
    const { lockProviders, Refused } = require('../../scripts/release.js') as {
      lockProviders(dir: string, stack: string, mirror?: string): void;
      Refused: new () => Error;
    };
    const module = mkdtempSync(join(tmpdir(), 'rancher-release-lock-'));
    const saved = { ...process.env };
    try {
      const required = Object.fromEntries([...pinned].map(([source, version]) => [source.split('/')[1], { source, version }]));
      writeFileSync(join(module, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: required } }));
      Object.assign(process.env, {
        HTTPS_PROXY: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
        NO_PROXY: '',
        no_proxy: '',
        TF_CLI_CONFIG_FILE: '/dev/null',
      });
      let refusal: Error | undefined;
      try {
        lockProviders(module, 'rke-ha');
      } catch (error) {
        refusal = error as Error;
      }
      expect(refusal).toBeInstanceOf(Refused);
      expect(refusal!.message).toMatch(
        /^terraform providers lock could not reach registry\.terraform\.io for the rke-ha module \(connection refused\)\. /,
      );
      expect(refusal!.message).toContain('give --provider-mirror <dir>');
      expect(refusal!.message).not.toMatch(/[\n│╷]|discovery document/);
      expect(refusal!.message.length).toBeLessThan(450);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      rmSync(module, { recursive: true, force: true });
    }
  });

  it('releases: the version everywhere, the CHANGELOG section, the packed library and the three HCL modules with their sums', () => {
    const result = release(NEXT, '--provider-mirror', mirror);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(version()).toBe(NEXT);
    const lock = JSON.parse(readFileSync(join(clone, 'package-lock.json'), 'utf8')) as {
      version: string;
      packages: Record<string, { version: string }>;
    };
    expect([lock.version, lock.packages[''].version]).toEqual([NEXT, NEXT]);
    const changelog = readFileSync(join(clone, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`^## Unreleased\n\n## ${NEXT.replace(/\./g, '\\.')} \\(${DAY}\\)\n\n### `, 'm'));
    expect(git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([
      ' M CHANGELOG.md',
      ' M examples/platform-app/package.json',
      ' M lib/synth/version.ts',
      ' M package-lock.json',
      ' M package.json',
    ]);
    expect(readFileSync(join(clone, 'lib', 'synth', 'version.ts'), 'utf8')).toContain(`export const VERSION = '${NEXT}';`);
    // The example app asks for the release it ships beside.
    expect(JSON.parse(readFileSync(join(clone, 'examples', 'platform-app', 'package.json'), 'utf8')).dependencies['rancher-ha-aws']).toBe(`^${NEXT}`);

    const out = join(clone, 'release', NEXT);
    expect(readdirSync(out).sort()).toEqual([
      'SHA256SUMS',
      `rancher-ha-aws-${NEXT}-cli.cdx.json`,
      `rancher-ha-aws-${NEXT}-docker-module.tar.gz`,
      `rancher-ha-aws-${NEXT}-k8s-ha-module.tar.gz`,
      `rancher-ha-aws-${NEXT}-rke-ha-module.tar.gz`,
      `rancher-ha-aws-${NEXT}.tgz`,
    ]);
    // The sums as a pipeline checks them, with coreutils.
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' }).trim().split('\n')).toHaveLength(5);
    // The files are the bytes the dry run promised, the library's declarations among them: its build (--incremental,
    // scripts/build.js) checked and emitted again only what changed since the dry run's whole build (lib/synth/
    // version.ts, there and back through the type error's case, and the few declarations that import it).
    expect(sumsOf(result.out)).toEqual(dryRun!.sums);
    const declarations = cachedDeclarations();
    expect(Object.keys(declarations).sort()).toEqual(Object.keys(dryRun!.declarations).sort());
    const emittedAgain = Object.keys(declarations).filter((file) => declarations[file] !== dryRun!.declarations[file]);
    expect(emittedAgain).toContain('synth/version.d.ts');
    // A handful of the library's 200-odd: not all of them again, as without the cache or with one lost.
    expect(Object.keys(declarations).length).toBeGreaterThan(200);
    expect(emittedAgain.length).toBeLessThan(10);
    // A module taken without Node.js: tar unpacks the stack's folder, its README, cdk.tf and the assets it names.
    const unpacked = join(clone, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', join(out, `rancher-ha-aws-${NEXT}-rke-ha-module.tar.gz`), '-C', unpacked]);
    expect(readdirSync(join(unpacked, 'rke-ha')).sort()).toEqual(['.terraform.lock.hcl', 'README.md', 'assets', 'cdk.tf', 'metadata.json']);
    // Each module's lock file: exactly the providers it pins, at their versions, with a checksum each.
    for (const stack of ['rke-ha', 'k8s-ha', 'docker']) {
      const lockFile = execFileSync('tar', ['-xzOf', join(out, `rancher-ha-aws-${NEXT}-${stack}-module.tar.gz`), `${stack}/.terraform.lock.hcl`], {
        encoding: 'utf8',
      });
      const locked = [...lockFile.matchAll(/^provider "registry\.terraform\.io\/([^"]+)" \{\n\s+version\s+= "([^"]+)"/gm)].map(
        (m) => `${m[1]} ${m[2]}`,
      );
      const required = (
        synthSettings(stack as 'rke-ha', {}).json.terraform as { required_providers: Record<string, { source: string; version: string }> }
      ).required_providers;
      expect(locked.sort()).toEqual(
        Object.entries(required)
          .map(([name, p]) => `${p.source.includes('/') ? p.source : `hashicorp/${p.source || name}`} ${p.version}`)
          .sort(),
      );
      expect(lockFile).toMatch(/"h1:[A-Za-z0-9+/=]+"/);
    }
    // The module's README says which release wrote it (the synth's version, set before the build).
    expect(readFileSync(join(unpacked, 'rke-ha', 'README.md'), 'utf8')).toContain(`rancher-ha-aws ${NEXT}`);
    expect(readFileSync(join(unpacked, 'rke-ha', 'cdk.tf'), 'utf8')).toMatch(/^terraform \{/m);
    // The packed library says the version released.
    const packed = execFileSync('tar', ['-xzOf', join(out, `rancher-ha-aws-${NEXT}.tgz`), 'package/package.json'], { encoding: 'utf8' });
    expect((JSON.parse(packed) as { version: string }).version).toBe(NEXT);
    // The SBOM beside the sums is the one the tarball ships in dist/cli, naming the version released.
    const sbom = execFileSync('tar', ['-xzOf', join(out, `rancher-ha-aws-${NEXT}.tgz`), 'package/dist/cli/sbom.cdx.json'], { encoding: 'utf8' });
    expect(readFileSync(join(out, `rancher-ha-aws-${NEXT}-cli.cdx.json`), 'utf8')).toBe(sbom);
    expect((JSON.parse(sbom) as { metadata: { component: { version: string } } }).metadata.component.version).toBe(NEXT);
    // A second release of the same version is refused.
    git('add', '-A', ':!unpacked');
    git('commit', '-qm', `Release ${NEXT}`);
    rmSync(unpacked, { recursive: true });
    expect(release(NEXT)).toMatchObject({ code: 2 });
  });
});
