import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PINS, SHIPPED, type PinUpstream } from '../../lib/config/pins';
import { listPins, majorsOf, versionParts, type ListedPin } from '../../scripts/pins';
import {
  answerKey,
  bindingDocument,
  githubReleases,
  githubTags,
  helmIndex,
  npmDocument,
  rancherIndex,
  rke2BuildImages,
  rke2ChartVersions,
  rke2FileKeys,
  type Answers,
} from '../helpers/pins-upstream';
import { runBounded, runBoundedAsync } from '../helpers/subprocess';

/**
 * `npm run pins` as a user runs it (node scripts/pins.js, the TypeScript bundled with esbuild), its `--check` pointed
 * at a local HTTP server on 127.0.0.1 that serves recorded answers (__tests__/helpers/pins-upstream.ts) under
 * `/<host>/<path>` (`--mirror`, `RANCHER_PINS_MIRROR`): the tests never reach out.
 */
const ROOT = join(__dirname, '..', '..');
const PINS_JS = join(ROOT, 'scripts', 'pins.js');
const pins = listPins(ROOT);

/** What the pinned RKE2 ships at its tag (rancher/rke2 v1.36.3+rke2r1: charts/chart_versions.yaml, scripts/build-images). */
const TRAEFIK_CHART = '40.1.009';
const TRAEFIK = 'v3.7.8';
const RKE2_FILES = rke2FileKeys(PINS.rke2.version);

/** The answer that makes a pin up to date: its own version listed as upstream lists it (the newest there). */
function answerFor(pin: ListedPin, others: readonly ListedPin[]): string {
  const upstream: PinUpstream = pin.upstream;
  if (pin.shipped !== undefined) return githubReleases([TRAEFIK, 'v2.11.40']);
  if (answerKey(upstream) === answerKey(PINS.rancher.upstream)) return rancherIndex([pin.version]);
  switch (upstream.kind) {
    case 'github':
      // engines' lines ("20 || 22 || 24") as Node.js tags their releases.
      return githubReleases(majorsOf(pin.version)?.map((major) => `v${major}.9.0`) ?? [pin.version]);
    case 'github-tags':
      // The other major's newer-looking tags beside it (aws/aws-cli's 1.x line): only versions count, not names.
      return githubTags(['1.99.0', pin.version, 'nightly']);
    case 'helm':
      // Every pin that reads this index: the rancher-backup charts share one.
      return helmIndex(
        upstream.chart,
        others.filter((o) => o.upstream.kind === 'helm' && answerKey(o.upstream) === answerKey(upstream)).map((o) => o.version),
      );
    case 'npm':
      return npmDocument(upstream.package, pin.version);
  }
}

/**
 * The maintained line's (@cdktn) document of each binding, binding the same provider version: none behind. An @cdktn
 * binding is its own maintained line: its document says its own version is the latest.
 */
const maintained = pins
  .filter((p) => /^@cdkt[fn]\/provider-/.test(p.name) && p.binds !== undefined)
  .map((p) => {
    const name = p.name.replace('@cdktf/', '@cdktn/');
    const [provider, version] = p.binds!.split(' ');
    const latest = name === p.name ? p.version : '1.0.0';
    return [answerKey({ kind: 'npm', package: name }), { status: 200, body: bindingDocument(name, latest, provider, version) }] as const;
  });

const upToDate: Answers = {
  ...Object.fromEntries(pins.map((p) => [answerKey(p.upstream), { status: 200, body: answerFor(p, pins) }])),
  ...Object.fromEntries(maintained),
  [RKE2_FILES.charts]: { status: 200, body: rke2ChartVersions(TRAEFIK_CHART) },
  [RKE2_FILES.images]: { status: 200, body: rke2BuildImages([`${TRAEFIK}-build20260717`]) },
};

describe('npm run pins', () => {
  let server: Server;
  let answers: Answers = upToDate;
  const requests: string[] = [];
  let mirror: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const key = (request.url ?? '/').slice(1);
      requests.push(key);
      const answer = answers[key];
      if (answer === 'hang') return; // never answers: the check's deadline must end the wait
      response.writeHead(answer?.status ?? 404, { 'content-type': 'text/plain' });
      response.end(answer?.body ?? 'Not Found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    answers = upToDate;
    requests.length = 0;
  });
  const check = (...args: string[]) =>
    runBoundedAsync(process.execPath, [PINS_JS, '--check', ...args], { cwd: ROOT, env: { ...process.env, RANCHER_PINS_MIRROR: mirror } });

  it('without --check: each pin and its day as recorded, exit 0, no request made', () => {
    const run = runBounded(process.execPath, [PINS_JS], { cwd: ROOT });
    expect(run.status).toBe(0);
    for (const pin of Object.values(PINS)) expect(run.stdout).toContain(pin.version);
    expect(run.stdout).toMatch(/^provider +@cdktn\/provider-aws +.*binds hashicorp\/aws \d/m);
    expect(requests).toEqual([]);
  });

  it('--check with every source answering its own version: every pin up to date, one request an address, exit 0', async () => {
    const run = await check();
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('no pin is a minor or more behind\n');
    expect(run.stdout).not.toContain('could not ask');
    expect(run.stdout).toMatch(/^Traefik \(in RKE2\) +v3\.7\.8 +v3\.7\.8 +up to date within 3\.7$/m);
    expect(run.status).toBe(0);
    expect(requests.sort()).toEqual(
      [...new Set([...pins.map((p) => answerKey(p.upstream)), ...maintained.map(([key]) => key), RKE2_FILES.charts, RKE2_FILES.images])].sort(),
    );
  });

  it('--check --strict with K3s a patch behind upstream fails (exit 1) naming it; without --strict it is said and passes', async () => {
    answers = { ...upToDate, [answerKey(PINS.k3s.upstream)]: { status: 200, body: githubReleases(['v1.36.99+k3s1', PINS.k3s.version]) } };
    const strict = await check('--strict');
    expect(strict.stdout).toContain('1 pin is behind within its line (security fixes ship as patches; fails --strict): K3s\n');
    expect(strict.status).toBe(1);
    expect((await check()).status).toBe(0);
  });

  it("--check --strict with the issue's answers: RKE2 v1.36.5 and v1.37.1 offered, Rancher 2.15 refusing 1.37, the kubernetes binding 404: exit 1", async () => {
    // At the pinned v1.36.3+rke2r1 these are the answers: v1.36.5+rke2r1 (stable upstream) and v1.37.1+rke2r1.
    const [, minor, patch] = versionParts(PINS.rke2.version)!;
    const offered = [`v1.${minor + 1}.1+rke2r1`, `v1.${minor}.${patch + 2}+rke2r1`, PINS.rke2.version];
    answers = {
      ...upToDate,
      [answerKey(PINS.rke2.upstream)]: { status: 200, body: githubReleases(offered, [`v1.${minor + 1}.2-rc1+rke2r1`]) },
      [answerKey({ kind: 'npm', package: '@cdktn/provider-kubernetes' })]: { status: 404, body: '{"error":"Not found"}' },
    };
    const strict = await check('--strict');
    expect(strict.stderr).toBe('');
    const line = (start: string) => strict.stdout.split('\n').find((l) => l.startsWith(start));
    expect(line('RKE2 ')).toMatch(
      new RegExp(
        `^RKE2 +${PINS.rke2.version.replace(/[.+]/g, '\\$&')} +${offered[1].replace(/[.+]/g, '\\$&')} +2 patches behind within 1\\.${minor}$`,
      ),
    );
    expect(strict.stdout).toContain(
      `\nNewer lines (not counted):\n  RKE2 1.${minor + 1} (${offered[0]}): not yet accepted by Rancher ${PINS.rancher.version} (its chart's kubeVersion < 1.37.0-0)\n`,
    );
    expect(line('  @cdktf/provider-kubernetes ')).toMatch(
      /^ {2}@cdktf\/provider-kubernetes \(binds hashicorp\/kubernetes \S+\): the maintained line could not be read: http:\/\/127\.0\.0\.1:\d+\/registry\.npmjs\.org\/@cdktn%2Fprovider-kubernetes: HTTP 404$/,
    );
    expect(strict.stdout).toContain('\n1 pin is behind within its line (security fixes ship as patches; fails --strict): RKE2\n');
    expect(strict.stdout).toContain("\n1 binding's maintained line could not be read (fails --strict): @cdktf/provider-kubernetes\n");
    expect(strict.stdout).toContain('\nno pin is a minor or more behind (the newer lines above aside)\n');
    expect(strict.stdout).not.toContain('minor behind');
    expect(strict.status).toBe(1);
    // Without --strict: the same lines, and neither counts.
    const plain = await check();
    expect(plain.stdout).toBe(strict.stdout);
    expect(plain.status).toBe(0);
  });

  it('--check --strict with Traefik behind within its line (RKE2 ships v3.7.8, Traefik has v3.7.11): fails naming it', async () => {
    answers = {
      ...upToDate,
      [answerKey(SHIPPED.traefik.upstream)]: { status: 200, body: githubReleases(['v3.8.0', 'v3.7.11', 'v2.11.41', TRAEFIK], ['v3.8.1-rc1']) },
    };
    const run = await check('--strict');
    expect(run.stdout).toMatch(/^Traefik \(in RKE2\) +v3\.7\.8 +v3\.7\.11 +3 patches behind within 3\.7$/m);
    expect(run.stdout).toContain(
      `\nShipped inside a pinned release:\n  Traefik (in RKE2): RKE2 ${PINS.rke2.version} ships chart rke2-traefik ${TRAEFIK_CHART}, image rancher/hardened-traefik ${TRAEFIK}\n`,
    );
    expect(run.stdout).toContain('  Traefik (in RKE2) 3.8 (v3.8.0): a newer line\n');
    expect(run.stdout).toContain('1 pin is behind within its line (security fixes ship as patches; fails --strict): Traefik (in RKE2)\n');
    expect(run.status).toBe(1);
  });

  it('--check with a source answering 500 and one never answering: both said, no crash, the rest checked, exit 2', async () => {
    answers = {
      ...upToDate,
      [answerKey(PINS.rancher.upstream)]: { status: 500, body: 'Internal Server Error' },
      [answerKey(PINS.k3s.upstream)]: 'hang',
    };
    const run = await check('--timeout-ms', '400');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^Rancher \(chart rancher\) +\S+ +unknown +could not ask: http:\/\/127\.0\.0\.1:\d+\/releases\.rancher\.com\/server-charts\/stable\/index\.yaml: HTTP 500$/m,
    );
    expect(run.stdout).toMatch(/^K3s +\S+ +unknown +could not ask: .*k3s-io\/k3s\/releases\?per_page=100: no answer within 400 ms$/m);
    expect(run.stdout).toMatch(/^RKE2 +.* up to date within 1\.\d+$/m);
    expect(run.stdout).toContain('2 sources could not say');
    expect(run.status).toBe(2);
  });

  it('--check with nothing listening there: every source said unreachable, exit 2', async () => {
    // A port that was just listening and is closed again: connections to it are refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runBoundedAsync(process.execPath, [PINS_JS, '--check', '--mirror', `http://127.0.0.1:${port}`], { cwd: ROOT });
    expect(run.stdout).toMatch(
      new RegExp(`^RKE2 +\\S+ +unknown +could not ask: http://127\\.0\\.0\\.1:${port}/api\\.github\\.com/\\S+: .*ECONNREFUSED`, 'm'),
    );
    expect(run.stdout).toContain(`${pins.length} sources could not say`);
    expect(run.status).toBe(2);
  });

  describe('--record <rke2|k3s> <version>, against a fake release on 127.0.0.1', () => {
    // What upstream publishes of a release, as it publishes it: each architecture's `sha256sum-<arch>.txt` among the
    // release's files (`sha256sum` lines, `<hex>  <file>`, the tarball beside the image archives, as rancher/rke2's
    // release files list them), and GitHub's record of the release (REST API "Get a release by tag name",
    // docs.github.com/rest/releases/releases): `assets[]` with `name` and `digest` (`sha256:<hex>`, which GitHub
    // computes for every asset since 2025). The tag's `+` is `%2B` in both addresses.
    const VERSION = 'v1.36.9+rke2r1';
    const SUMS = { amd64: 'a'.repeat(63) + '1', arm64: 'b'.repeat(63) + '2' };
    const sumsFile = (arch: 'amd64' | 'arm64', tarball: string) =>
      [
        `${'c'.repeat(64)}  rke2-images.linux-${arch}.tar.zst`,
        `${tarball}  rke2.linux-${arch}.tar.gz`,
        `${'d'.repeat(64)}  rke2.linux-${arch}.tar.zst`,
        '',
      ].join('\n');
    const releaseRecord = (digests: Record<string, string>) =>
      JSON.stringify({
        tag_name: VERSION,
        draft: false,
        prerelease: false,
        assets: Object.entries(digests).map(([name, sum]) => ({ name, digest: `sha256:${sum}`, size: 1 })),
      });
    const release = (digests: Record<string, string>, listed = SUMS): Answers => ({
      'github.com/rancher/rke2/releases/download/v1.36.9%2Brke2r1/sha256sum-amd64.txt': { status: 200, body: sumsFile('amd64', listed.amd64) },
      'github.com/rancher/rke2/releases/download/v1.36.9%2Brke2r1/sha256sum-arm64.txt': { status: 200, body: sumsFile('arm64', listed.arm64) },
      'api.github.com/repos/rancher/rke2/releases/tags/v1.36.9%2Brke2r1': { status: 200, body: releaseRecord(digests) },
    });
    const record = (...args: string[]) =>
      runBoundedAsync(process.execPath, [PINS_JS, '--record', ...args], { cwd: ROOT, env: { ...process.env, RANCHER_PINS_MIRROR: mirror } });
    const agreeing = { 'rke2.linux-amd64.tar.gz': SUMS.amd64, 'rke2.linux-arm64.tar.gz': SUMS.arm64 };

    it('both places agree: prints the entry for release-sums.ts with both sums and both sources each, exit 0', async () => {
      answers = release(agreeing);
      const run = await record('rke2', VERSION);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`  '${VERSION}': {\n`);
      for (const arch of ['amd64', 'arm64'] as const) {
        expect(run.stdout).toContain(`file: 'rke2.linux-${arch}.tar.gz',\n        sha256: '${SUMS[arch]}',`);
        expect(run.stdout).toContain(
          `'rancher/rke2 release ${VERSION} sha256sum-${arch}.txt', 'rancher/rke2 release ${VERSION} asset digest (GitHub REST API)'`,
        );
      }
      expect(requests.sort()).toEqual(Object.keys(release(agreeing)).sort());
    });

    it("the sums file and the release's digest disagree on one file: neither is recorded, both named, exit 1", async () => {
      answers = release({ ...agreeing, 'rke2.linux-arm64.tar.gz': 'e'.repeat(64) });
      const run = await record('rke2', VERSION);
      expect([run.status, run.stdout]).toEqual([
        1,
        `pins: ${VERSION} not recorded:\n  rke2.linux-arm64.tar.gz of ${VERSION}: sha256sum-arm64.txt says ${SUMS.arm64}, the release's asset digest ${'e'.repeat(64)}; record neither\n`,
      ]);
    });

    it('a sums file upstream does not serve (404) or a release without a digest of the file: said, exit 1', async () => {
      answers = { ...release({ 'rke2.linux-amd64.tar.gz': SUMS.amd64 }) };
      delete answers['github.com/rancher/rke2/releases/download/v1.36.9%2Brke2r1/sha256sum-amd64.txt'];
      const run = await record('rke2', VERSION);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(
        /^ {2}http:\/\/127\.0\.0\.1:\d+\/github\.com\/rancher\/rke2\/releases\/download\/v1\.36\.9%2Brke2r1\/sha256sum-amd64\.txt: HTTP 404$/m,
      );
      expect(run.stdout).toContain(`  the release ${VERSION} records no digest of rke2.linux-arm64.tar.gz\n`);
    });

    it('a distribution or version it does not take: said, exit 2, nothing asked', async () => {
      const run = await record('k3s', VERSION);
      expect([run.status, run.stdout]).toEqual([2, expect.stringContaining('--record takes rke2 or k3s and a release of it')]);
      expect(requests).toEqual([]);
    });
  });

  it('a usage mistake (an unknown option, a bad deadline, --strict without --check): said, exit 2, nothing asked', () => {
    const unknown = runBounded(process.execPath, [PINS_JS, '--chek'], { cwd: ROOT });
    expect([unknown.status, unknown.stdout]).toEqual([2, expect.stringContaining('unknown option --chek')]);
    const bad = runBounded(process.execPath, [PINS_JS, '--check', '--timeout-ms', 'soon'], { cwd: ROOT });
    expect([bad.status, bad.stdout]).toEqual([2, expect.stringContaining('--timeout-ms soon is not a whole number')]);
    // --strict judges what --check finds: alone it used to list the pins and pass, as if checked.
    const strictAlone = runBounded(process.execPath, [PINS_JS, '--strict'], { cwd: ROOT, env: { ...process.env, RANCHER_PINS_MIRROR: mirror } });
    expect([strictAlone.status, strictAlone.stdout]).toEqual([
      2,
      'pins: --strict applies to --check only: run npm run pins -- --check --strict; usage: npm run pins [-- --check [--strict] | --record <rke2|k3s> <version>] [--mirror <url>] [--timeout-ms <milliseconds>]\n',
    ]);
    expect(requests).toEqual([]);
  });
});
