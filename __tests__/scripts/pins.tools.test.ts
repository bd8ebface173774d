import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PINS, type PinUpstream } from '../../lib/config/pins';
import { listPins, majorsOf, type ListedPin } from '../../scripts/pins';
import { answerKey, bindingDocument, githubReleases, helmIndex, npmDocument, type Answers } from '../helpers/pins-upstream';
import { runBounded, runBoundedAsync } from '../helpers/subprocess';

/**
 * `npm run pins` as a user runs it (node scripts/pins.js, the TypeScript bundled with esbuild), its `--check` pointed
 * at a local HTTP server on 127.0.0.1 that serves recorded answers (__tests__/helpers/pins-upstream.ts) under
 * `/<host>/<path>` (`--mirror`, `RANCHER_PINS_MIRROR`): the tests never reach out.
 */
const ROOT = join(__dirname, '..', '..');
const PINS_JS = join(ROOT, 'scripts', 'pins.js');
const pins = listPins(ROOT);

/** The answer that makes a pin up to date: its own version listed as upstream lists it (the newest there). */
function answerFor(pin: ListedPin, others: readonly ListedPin[]): string {
  const upstream: PinUpstream = pin.upstream;
  switch (upstream.kind) {
    case 'github':
      // engines' lines ("20 || 22 || 24") as Node.js tags their releases.
      return githubReleases(majorsOf(pin.version)?.map((major) => `v${major}.9.0`) ?? [pin.version]);
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

/** The maintained line's (@cdktn) document of each @cdktf binding, binding the same provider version: none behind. */
const maintained = pins
  .filter((p) => p.name.startsWith('@cdktf/provider-') && p.binds !== undefined)
  .map((p) => {
    const name = p.name.replace('@cdktf/', '@cdktn/');
    const [provider, version] = p.binds!.split(' ');
    return [answerKey({ kind: 'npm', package: name }), { status: 200, body: bindingDocument(name, '1.0.0', provider, version) }] as const;
  });

const upToDate: Answers = {
  ...Object.fromEntries(pins.map((p) => [answerKey(p.upstream), { status: 200, body: answerFor(p, pins) }])),
  ...Object.fromEntries(maintained),
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
    expect(run.stdout).toContain('no pin is a minor or more behind');
    expect(run.stdout).not.toContain('could not ask');
    expect(run.status).toBe(0);
    expect(requests.sort()).toEqual([...new Set([...pins.map((p) => answerKey(p.upstream)), ...maintained.map(([key]) => key)])].sort());
  });

  it('--check --strict with K3s a patch behind upstream fails (exit 1) naming it; without --strict it is said and passes', async () => {
    answers = { ...upToDate, [answerKey(PINS.k3s.upstream)]: { status: 200, body: githubReleases(['v1.36.99+k3s1', PINS.k3s.version]) } };
    const strict = await check('--strict');
    expect(strict.stdout).toContain('1 a patch behind (security fixes ship as patches): K3s');
    expect(strict.status).toBe(1);
    expect((await check()).status).toBe(0);
  });

  it('--check with a newer minor of RKE2 and a newer patch of cert-manager upstream: exits 1, naming RKE2', async () => {
    answers = {
      ...upToDate,
      [answerKey(PINS.rke2.upstream)]: {
        status: 200,
        body: githubReleases(['v1.37.1+rke2r1', 'v1.36.5+rke2r1', PINS.rke2.version], ['v1.38.0-rc1+rke2r1']),
      },
      [answerKey(PINS.certManager.upstream)]: { status: 200, body: helmIndex('cert-manager', ['v1.21.5', PINS.certManager.version]) },
    };
    const run = await check();
    expect(run.stdout).toMatch(/^RKE2 +\S+ +v1\.37\.1\+rke2r1 +1 minor behind$/m);
    expect(run.stdout).toMatch(/^cert-manager \(chart cert-manager\) +\S+ +v1\.21\.5 +\d+ patch(es)? behind$/m);
    expect(run.stdout).toContain('1 pin is a minor or more behind: RKE2');
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
    expect(run.stdout).toMatch(/^RKE2 +.* up to date$/m);
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

    it('a distribution or version it does not take: said, exit 64, nothing asked', async () => {
      const run = await record('k3s', VERSION);
      expect([run.status, run.stdout]).toEqual([64, expect.stringContaining('--record takes rke2 or k3s and a release of it')]);
      expect(requests).toEqual([]);
    });
  });

  it('an unknown option or a bad deadline: said, exit 64, nothing asked', () => {
    const unknown = runBounded(process.execPath, [PINS_JS, '--chek'], { cwd: ROOT });
    expect([unknown.status, unknown.stdout]).toEqual([64, expect.stringContaining('unknown option --chek')]);
    const bad = runBounded(process.execPath, [PINS_JS, '--check', '--timeout-ms', 'soon'], { cwd: ROOT });
    expect([bad.status, bad.stdout]).toEqual([64, expect.stringContaining('--timeout-ms soon is not a whole number')]);
    expect(requests).toEqual([]);
  });
});
