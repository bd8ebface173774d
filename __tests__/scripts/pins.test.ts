import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PINS, SHIPPED } from '../../lib/config/pins';
import { DEFAULT_VERSIONS, PREVIOUS_DEFAULT_VERSIONS, RANCHER_BACKUP_CHARTS } from '../../lib/config/versions';
import { recordedRelease } from '../../lib/config/release-sums';
import { SYSTEM_UPGRADE_CONTROLLER } from '../../lib/kubernetes/private/upgrade-plan';
import {
  behind,
  chartVersionIn,
  checkPins,
  formatCheck,
  formatList,
  HELD,
  highestKubernetesMinor,
  imageVersionsIn,
  linesAbove,
  listPins,
  majorsOf,
  newestOf,
  releasesIn,
  upstreamUrl,
  versionParts,
  viaMirror,
  type Fetch,
} from '../../scripts/pins';
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

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('the pin table (lib/config/pins.ts) is what the code reads', () => {
  it("the default versions, the backup charts and the upgrade Jobs' images are its entries, not copies", () => {
    expect(DEFAULT_VERSIONS).toEqual({
      rke2: PINS.rke2.version,
      k3s: PINS.k3s.version,
      certManager: PINS.certManager.version,
      rancher: PINS.rancher.version,
    });
    expect(Object.values(RANCHER_BACKUP_CHARTS).map((c) => c.version)).toEqual([PINS.rancherBackupPrevious.version, PINS.rancherBackup.version]);
    expect(SYSTEM_UPGRADE_CONTROLLER.image.tag).toBe(PINS.systemUpgradeController.version);
    expect(SYSTEM_UPGRADE_CONTROLLER.kubectlImage.tag).toBe(PINS.kubectl.version);
  });

  it('every entry has a version upstream spells, a day in YYYY-MM-DD where one was read, and a source', () => {
    for (const pin of Object.values(PINS)) {
      expect(versionParts(pin.version)).toBeDefined();
      if ('released' in pin) expect(pin.released).toMatch(/^20\d\d-[01]\d-[0-3]\d$/);
      expect(pin.source.length).toBeGreaterThan(20);
    }
  });

  it('the previous defaults stay recorded (sums of both distributions), so the upgrade from them is a path the servers can take', () => {
    for (const d of ['rke2', 'k3s'] as const) {
      expect(recordedRelease(d, PREVIOUS_DEFAULT_VERSIONS[d])?.artifacts.amd64).toBeDefined();
      expect(recordedRelease(d, DEFAULT_VERSIONS[d])?.artifacts.amd64).toBeDefined();
    }
  });
});

describe('npm run pins: the listing', () => {
  const pins = listPins(ROOT);

  it("lists the table's pins, then package.json's providers (with the Terraform provider each binds) and toolchain, then engines", () => {
    expect(pins.slice(0, Object.keys(PINS).length).map((p) => p.version)).toEqual(Object.values(PINS).map((p) => p.version));
    // The rancher2 provider the project binds by hand is the table's; the others are package.json's bindings.
    const providers = pins.filter((p) => p.kind === 'provider' && p.upstream.kind === 'npm');
    expect(providers.map((p) => p.name)).toEqual(Object.keys(pkg.devDependencies).filter((n) => /^@cdkt[fn]\/provider-/.test(n)));
    expect(pins.find((p) => p.kind === 'provider' && p.upstream.kind === 'github')?.version).toBe(PINS.rancher2Provider.version);
    for (const p of providers) {
      expect(p.version).toBe(pkg.devDependencies[p.name]);
      expect(p.binds).toMatch(/^hashicorp\/[a-z]+ \d+\.\d+\.\d+$/);
    }
    expect(pins.find((p) => p.name === 'typescript')?.version).toBe(pkg.devDependencies.typescript);
    expect(pins.at(-1)).toMatchObject({ name: 'node (engines)', version: pkg.engines.node });
    // Traefik is no pin of its own: it is listed right after the table's, as the pinned RKE2 ships it.
    expect(pins[Object.keys(PINS).length]).toMatchObject({
      name: SHIPPED.traefik.name,
      version: `as RKE2 ${PINS.rke2.version} ships it`,
      shipped: { tag: PINS.rke2.version, chart: 'rke2-traefik', image: 'rancher/hardened-traefik' },
    });
  });

  it('prints one line a pin with its day as recorded, or "not recorded", and then where each was read', () => {
    const text = formatList(pins);
    expect(text).toMatch(
      new RegExp(`^component +Rancher \\(chart rancher\\) +${PINS.rancher.version.replace(/\./g, '\\.')} +${PINS.rancher.released}$`, 'm'),
    );
    expect(text).toMatch(/^provider +@cdktn\/provider-aws +\S+ +\S+ +binds hashicorp\/aws /m);
    expect(text).toMatch(/^toolchain +node \(engines\) +.* not recorded$/m);
    expect(text).toContain(`  RKE2 ${PINS.rke2.version}: ${PINS.rke2.source}`);
  });
});

describe('npm run pins: a toolchain package held back says which package blocks it', () => {
  it.each(Object.entries(HELD).flatMap(([name, hold]) => hold.blockedBy.map((b) => [name, b.package, b] as const)))(
    '%s, blocked by %s: the blocker and its peer range are the installed ones (a blocker that moves is seen here)',
    (name, _package, blocker) => {
      const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', blocker.package, 'package.json'), 'utf8')) as {
        version: string;
        peerDependencies: Record<string, string>;
      };
      expect({ version: installed.version, peer: installed.peerDependencies[name] }).toEqual({ version: blocker.version, peer: blocker.peer });
    },
  );

  it('the listing names the hold and its blockers; a package with no hold says nothing of one', () => {
    const pins = listPins(ROOT);
    expect(pins.find((p) => p.name === 'typescript')?.held).toBe(
      'typescript 7 is held back: typescript-eslint 8.73.0 declares peer typescript >=4.8.4 <6.1.0; typedoc 0.28.20 declares peer typescript ' +
        '5.0.x || 5.1.x || 5.2.x || 5.3.x || 5.4.x || 5.5.x || 5.6.x || 5.7.x || 5.8.x || 5.9.x || 6.0.x',
    );
    expect(pins.find((p) => p.name === 'constructs')?.held).toBe(
      'constructs 10.8 is held back: cdktn 0.24.0 declares peer constructs >=10.6.0 <10.8.0',
    );
    expect(pins.find((p) => p.name === 'jest')?.held).toBeUndefined();
    expect(formatList(pins)).toMatch(/\nHeld back:\n {2}constructs 10\.8 is held back: .*\n {2}typescript 7 is held back: typescript-eslint /);
  });
});

describe('versions, ordered and compared', () => {
  it.each([
    ['v1.36.3+rke2r1', [1, 36, 3, 1]],
    ['v1.36.3+k3s2', [1, 36, 3, 2]],
    ['2.15.2', [2, 15, 2, 0]],
    ['110.0.2+up11.0.3', [110, 0, 2, 0]],
    ['v0.20.1', [0, 20, 1, 0]],
  ])('%s reads as %p', (version, parts) => expect(versionParts(version)).toEqual(parts));

  it.each(['2.16.0-rc1', 'v1.37.0-rc2+rke2r1', '110.0.3-rc.1+up11.0.4', 'latest', ''])('%p is no release version', (v) =>
    expect(versionParts(v)).toBeUndefined(),
  );

  it('says how far behind, by the highest part that differs; nothing when up to date or ahead', () => {
    expect(behind('v1.36.3+rke2r1', 'v1.36.5+rke2r1')).toEqual({ level: 'patch', text: '2 patches behind' });
    expect(behind('v1.36.3+rke2r1', 'v1.37.1+rke2r1')).toEqual({ level: 'minor', text: '1 minor behind' });
    expect(behind('2.14.3', '3.0.0')).toEqual({ level: 'major', text: '1 major behind' });
    expect(behind('v1.36.3+rke2r1', 'v1.36.3+rke2r2')?.level).toBe('revision');
    expect(behind('2.15.2', '2.15.2')).toBeUndefined();
    expect(behind('2.15.2', '2.15.1')).toBeUndefined();
  });

  it('the newest is by version, not by the order upstream lists them; pre-releases never count', () => {
    expect(newestOf(['v1.35.9+rke2r1', 'v1.36.5+rke2r1', 'v1.34.12+rke2r1', 'v1.37.0-rc1+rke2r1'])).toBe('v1.36.5+rke2r1');
    expect(newestOf(['110.0.2+up11.0.3', '109.0.9+up10.0.10', '111.0.0-rc.1+up12.0.0'], 109)).toBe('109.0.9+up10.0.10');
    expect(newestOf(['x', '2.16.0-rc1'])).toBeUndefined();
  });
});

describe('upstream answers read as upstream gives them', () => {
  it('GitHub: releases only (no pre-release, no draft), whatever their order', () => {
    const body = JSON.stringify([
      { tag_name: 'v1.37.0-rc1+rke2r1', draft: false, prerelease: true },
      { tag_name: 'v1.35.10+rke2r1', draft: false, prerelease: false },
      { tag_name: 'v1.38.0+rke2r1', draft: true, prerelease: false },
      { tag_name: 'v1.36.5+rke2r1', draft: false, prerelease: false },
    ]);
    expect(releasesIn({ kind: 'github', repository: 'rancher/rke2' }, body)).toEqual(['v1.35.10+rke2r1', 'v1.36.5+rke2r1']);
    expect(() => releasesIn({ kind: 'github', repository: 'rancher/rke2' }, '{"message":"API rate limit exceeded"}')).toThrow(
      'not a list of releases',
    );
  });

  it('GitHub tags (aws/aws-cli tags its releases and publishes none): every tag at once, the newest by version, not by name', () => {
    const upstream = { kind: 'github-tags', repository: 'aws/aws-cli' } as const;
    expect(upstreamUrl(upstream)).toBe('https://api.github.com/repos/aws/aws-cli/git/matching-refs/tags/');
    const tags = releasesIn(upstream, githubTags(['1.45.55', '2.36.7', '2.9.9', 'nightly']));
    expect([...tags].sort()).toEqual(['1.45.55', '2.36.7', '2.9.9', 'nightly']);
    expect(newestOf(tags)).toBe('2.36.7');
    expect(() => releasesIn(upstream, '{"message":"Not Found"}')).toThrow('not a list of references');
  });

  it("Helm: the chart's entries of the index, not another chart's", () => {
    const body = helmIndex('rancher', ['2.15.2', '2.16.0-rc1'], { 'rancher-other': ['9.9.9'] });
    expect(releasesIn({ kind: 'helm', repository: 'https://x', chart: 'rancher' }, body)).toEqual(['2.15.2', '2.16.0-rc1']);
    expect(() => releasesIn({ kind: 'helm', repository: 'https://x', chart: 'cert-manager' }, body)).toThrow('no chart cert-manager');
  });

  it('npm: the latest dist-tag, not a newer pre-release', () => {
    expect(releasesIn({ kind: 'npm', package: 'cdktf' }, npmDocument('cdktf', '0.21.0', '0.22.0-pre.1'))).toEqual(['0.21.0']);
  });

  it('a mirror takes the host and path of every address', () => {
    expect(viaMirror('https://api.github.com/repos/rancher/rke2/releases?per_page=100', 'http://127.0.0.1:9/')).toBe(
      'http://127.0.0.1:9/api.github.com/repos/rancher/rke2/releases?per_page=100',
    );
    expect(viaMirror('https://charts.jetstack.io/index.yaml', undefined)).toBe('https://charts.jetstack.io/index.yaml');
  });
});

describe('npm run pins -- --check, against recorded answers (no network)', () => {
  const names = [
    PINS.rancher.name,
    PINS.rke2.name,
    PINS.certManager.name,
    PINS.rancherBackup.name,
    PINS.rancherBackupPrevious.name,
    PINS.k3s.name,
    SHIPPED.traefik.name,
    '@cdktf/provider-tls',
    '@cdktn/provider-aws',
    'typescript',
    'node (engines)',
  ];
  const pins = listPins(ROOT).filter((p) => names.includes(p.name));
  const TLS_BINDS = pins.find((p) => p.name === '@cdktf/provider-tls')!.binds!.split(' ')[1];
  const AWS_BINDS = pins.find((p) => p.name === '@cdktn/provider-aws')!.binds!.split(' ')[1];
  /** The pinned RKE2's line and patch: the issue's answers are its patch + 2 (v1.36.5) and the next line's .1 (v1.37.1). */
  const [, K8S_MINOR, RKE2_PATCH] = versionParts(PINS.rke2.version)!;
  const rke2 = (minor: number, patch: number) => `v1.${minor}.${patch}+rke2r1`;
  const RKE2_FILES = rke2FileKeys(PINS.rke2.version);
  /** What RKE2 v1.36.3+rke2r1 ships (its charts/chart_versions.yaml and scripts/build-images at the tag). */
  const TRAEFIK_CHART = '40.1.009';
  const TRAEFIK = 'v3.7.8';
  /** A fetch answering from `answers`, counting the requests; 'hang' rejects as an aborted request would at its deadline. */
  const served = (answers: Answers) => {
    const asked: string[] = [];
    const fetch: Fetch = async (url, timeoutMs) => {
      asked.push(url);
      const answer = answers[url.replace(/^https:\/\//, '')];
      if (answer === undefined) return { status: 404, body: 'Not Found' };
      if (answer === 'hang') throw Object.assign(new Error(`The operation was aborted due to timeout (${timeoutMs})`), { name: 'TimeoutError' });
      return answer;
    };
    return { fetch, asked };
  };
  const ok = (body: string) => ({ status: 200, body });
  const current: Answers = {
    [answerKey(PINS.rancher.upstream)]: ok(rancherIndex([PINS.rancher.version, '2.14.3', '2.16.0-rc1'])),
    [RKE2_FILES.charts]: ok(rke2ChartVersions(TRAEFIK_CHART)),
    [RKE2_FILES.images]: ok(rke2BuildImages([`${TRAEFIK}-build20260717`])),
    // Traefik tags its lines' patches side by side (v2.11 goes on beside v3).
    [answerKey(SHIPPED.traefik.upstream)]: ok(githubReleases([TRAEFIK, 'v2.11.40', 'v3.7.0'], ['v3.8.0-rc1'])),
    [answerKey(PINS.rke2.upstream)]: ok(githubReleases(['v1.35.10+rke2r1', PINS.rke2.version], ['v1.37.0-rc1+rke2r1'])),
    [answerKey(PINS.certManager.upstream)]: ok(helmIndex('cert-manager', [PINS.certManager.version])),
    // rancherBackupPrevious and rancherBackup share the index: the 2.14 chart is compared within its major.
    [answerKey(PINS.rancherBackupPrevious.upstream)]: ok(
      helmIndex('rancher-backup', [PINS.rancherBackupPrevious.version, PINS.rancherBackup.version]),
    ),
    [answerKey(PINS.k3s.upstream)]: ok(githubReleases([PINS.k3s.version])),
    [answerKey({ kind: 'npm', package: '@cdktf/provider-tls' })]: ok(npmDocument('@cdktf/provider-tls', pkg.devDependencies['@cdktf/provider-tls'])),
    // The maintained line's binding of the same provider, at the version this one binds: not behind.
    [answerKey({ kind: 'npm', package: '@cdktn/provider-tls' })]: ok(bindingDocument('@cdktn/provider-tls', '23.0.0', 'hashicorp/tls', TLS_BINDS)),
    // A maintained binding is its own maintained line: its latest binds the provider it binds.
    [answerKey({ kind: 'npm', package: '@cdktn/provider-aws' })]: ok(
      bindingDocument('@cdktn/provider-aws', pkg.devDependencies['@cdktn/provider-aws'], 'hashicorp/aws', AWS_BINDS),
    ),
    [answerKey({ kind: 'npm', package: 'typescript' })]: ok(npmDocument('typescript', pkg.devDependencies.typescript, '7.1.0-dev.1')),
    // Node.js tags every line's releases; engines names lines, compared by major.
    [answerKey({ kind: 'github', repository: 'nodejs/node' })]: ok(githubReleases([`v${Math.max(...majorsOf(pkg.engines.node)!)}.9.0`, 'v20.19.5'])),
  };

  it('every pin up to date: each named with its newest (of its line, for the five compared there), exit 0 with --strict too', async () => {
    const { fetch } = served(current);
    const checked = await checkPins(pins, { fetch });
    const report = formatCheck(checked);
    expect(report.status).toBe(0);
    expect(formatCheck(checked, { strict: true }).status).toBe(0);
    expect(report.text).toContain('no pin is a minor or more behind\n');
    const v = (version: string) => version.replace(/[.+]/g, '\\$&');
    expect(report.text).toMatch(new RegExp(`^RKE2 +${v(PINS.rke2.version)} +${v(PINS.rke2.version)} +up to date within 1\\.${K8S_MINOR}$`, 'm'));
    expect(report.text).toMatch(/^typescript +\S+ +\S+ +up to date$/m);
    // Traefik: the version RKE2 ships at the pinned tag, compared within its own line.
    expect(report.text).toMatch(new RegExp(`^Traefik \\(in RKE2\\) +${v(TRAEFIK)} +${v(TRAEFIK)} +up to date within 3\\.7$`, 'm'));
    expect(report.text).toContain(
      `\nShipped inside a pinned release:\n  Traefik (in RKE2): RKE2 ${PINS.rke2.version} ships chart rke2-traefik ${TRAEFIK_CHART}, image rancher/hardened-traefik ${TRAEFIK}\n`,
    );
    expect(report.text).toContain(`  @cdktn/provider-aws (binds hashicorp/aws ${AWS_BINDS}): @cdktn/provider-aws `);
  });

  it("the issue's answers: RKE2 a newer patch and a newer line: the patches said within 1.36, the line apart as not yet accepted by Rancher", async () => {
    const offered = [rke2(K8S_MINOR + 1, 1), rke2(K8S_MINOR, RKE2_PATCH + 2), PINS.rke2.version];
    const { fetch } = served({
      ...current,
      [answerKey(PINS.rke2.upstream)]: ok(githubReleases(offered, [rke2(K8S_MINOR + 2, 0).replace('+', '-rc1+')])),
    });
    const checked = await checkPins(pins, { fetch });
    const report = formatCheck(checked);
    expect(report.text).toMatch(new RegExp(`^RKE2 +\\S+ +${offered[1].replace(/[.+]/g, '\\$&')} +2 patches behind within 1\\.${K8S_MINOR}$`, 'm'));
    expect(report.text).toContain(
      `\nNewer lines (not counted):\n  RKE2 1.${K8S_MINOR + 1} (${offered[0]}): not yet accepted by Rancher ${PINS.rancher.version} (its chart's kubeVersion < 1.37.0-0)\n`,
    );
    expect(report.text).not.toContain('minor behind');
    expect(report.text).toContain('1 pin is behind within its line (security fixes ship as patches; fails --strict): RKE2\n');
    expect(report.text).toContain('no pin is a minor or more behind (the newer lines above aside)');
    expect(report.status).toBe(0);
    expect(formatCheck(checked, { strict: true }).status).toBe(1);
  });

  it("the cap is the pinned Rancher's kubeVersion as its chart index says it; without one there, the range versions.ts records", async () => {
    const offered = githubReleases([rke2(K8S_MINOR + 1, 1), PINS.rke2.version]);
    const wider = served({
      ...current,
      [answerKey(PINS.rke2.upstream)]: ok(offered),
      [answerKey(PINS.rancher.upstream)]: ok(helmIndex('rancher', [PINS.rancher.version], {}, { [PINS.rancher.version]: '>= 1.34.0-0 < 1.38.0-0' })),
    });
    expect(formatCheck(await checkPins(pins, { fetch: wider.fetch })).text).toContain(
      `  RKE2 1.${K8S_MINOR + 1} (${rke2(K8S_MINOR + 1, 1)}): a newer line Rancher ${PINS.rancher.version} accepts (its chart's kubeVersion >= 1.34.0-0 < 1.38.0-0)\n`,
    );
    const silent = served({
      ...current,
      [answerKey(PINS.rke2.upstream)]: ok(offered),
      [answerKey(PINS.rancher.upstream)]: ok(helmIndex('rancher', [PINS.rancher.version])),
    });
    expect(formatCheck(await checkPins(pins, { fetch: silent.fetch })).text).toContain(
      `: not yet accepted by Rancher ${PINS.rancher.version} (its chart's kubeVersion, as lib/config/versions.ts records it: below 1.37; the index did not say)\n`,
    );
    expect(highestKubernetesMinor('< 1.37.0-0')).toBe(36);
    expect(highestKubernetesMinor('<1.34')).toBe(33);
    expect(highestKubernetesMinor('>= 1.34.0-0 <= 1.36.9')).toBe(36);
    expect(highestKubernetesMinor('>= 1.25.0-0')).toBeUndefined();
  });

  it("Traefik behind within its line: said with the newest of its line (a newer line apart), fails --strict; RKE2's records unreadable: said", async () => {
    const { fetch } = served({
      ...current,
      [answerKey(SHIPPED.traefik.upstream)]: ok(githubReleases(['v3.8.0', 'v2.11.41', 'v3.7.11', 'v3.7.10', TRAEFIK])),
    });
    const checked = await checkPins(pins, { fetch });
    const report = formatCheck(checked);
    expect(report.text).toMatch(/^Traefik \(in RKE2\) +v3\.7\.8 +v3\.7\.11 +3 patches behind within 3\.7$/m);
    expect(report.text).toContain('  Traefik (in RKE2) 3.8 (v3.8.0): a newer line\n');
    expect(report.text).toContain('1 pin is behind within its line (security fixes ship as patches; fails --strict): Traefik (in RKE2)');
    expect([report.status, formatCheck(checked, { strict: true }).status]).toEqual([0, 1]);

    const noChart = served({ ...current, [RKE2_FILES.charts]: ok(rke2ChartVersions(undefined)) });
    expect(formatCheck(await checkPins(pins, { fetch: noChart.fetch })).text).toMatch(
      new RegExp(
        `^Traefik \\(in RKE2\\) .* +unknown +could not ask: https://raw\\.githubusercontent\\.com/rancher/rke2/v1\\.${K8S_MINOR}\\.${RKE2_PATCH}%2Brke2r1/charts/chart_versions\\.yaml: RKE2 \\S+ ships no chart rke2-traefik$`,
        'm',
      ),
    );
    const noImage = served({ ...current, [RKE2_FILES.images]: ok(rke2BuildImages([])) });
    expect(formatCheck(await checkPins(pins, { fetch: noImage.fetch })).text).toMatch(
      /could not ask: \S+\/scripts\/build-images: no image rancher\/hardened-traefik$/m,
    );
    const missing = served({ ...current, [RKE2_FILES.images]: { status: 404, body: '404: Not Found' } });
    const unread = formatCheck(await checkPins(pins, { fetch: missing.fetch }));
    expect(unread.text).toMatch(/^Traefik \(in RKE2\) .*could not ask: \S+\/scripts\/build-images: HTTP 404$/m);
    expect(unread.status).toBe(2);
  });

  it("RKE2's records read as RKE2 writes them: the chart itself, not its CRD chart; the image's version without its build", () => {
    const manifest =
      'charts:\n  - version: 2.0.0\n    filename: /charts/rke2-traefik-crd.yaml\n  - version: 40.1.009\n    filename: /charts/rke2-traefik.yaml\n';
    expect(chartVersionIn(manifest, 'rke2-traefik')).toBe('40.1.009');
    expect(chartVersionIn(manifest, 'rke2-coredns')).toBeUndefined();
    expect(() => chartVersionIn('{}', 'rke2-traefik')).toThrow('lists no charts');
    expect(imageVersionsIn(rke2BuildImages(['v3.7.8-build20260717']), 'rancher/hardened-traefik')).toEqual(['v3.7.8']);
    expect(imageVersionsIn('    ${REGISTRY}/rancher/hardened-traefik-hub:v3.20.8\n', 'rancher/hardened-traefik')).toEqual([]);
    expect(linesAbove('v3.7.8', ['v3.8.1', 'v3.7.9', 'v2.11.40', 'v3.8.0', 'v4.0.0'])).toEqual({
      inLine: 'v3.7.9',
      newer: [
        { line: '3.8', newest: 'v3.8.1', minor: 8 },
        { line: '4.0', newest: 'v4.0.0', minor: 0 },
      ],
    });
  });

  it('a source that answers 500 or not in time is said, the others still checked; exit 2 when nothing is behind', async () => {
    const { fetch, asked } = served({
      ...current,
      [answerKey(PINS.rke2.upstream)]: { status: 500, body: 'oops' },
      [answerKey(PINS.certManager.upstream)]: 'hang',
    });
    const report = formatCheck(await checkPins(pins, { fetch, timeoutMs: 50 }));
    expect(report.text).toMatch(
      /^RKE2 +\S+ +unknown +could not ask: https:\/\/api\.github\.com\/repos\/rancher\/rke2\/releases\?per_page=100: HTTP 500$/m,
    );
    expect(report.text).toMatch(/could not ask: https:\/\/charts\.jetstack\.io\/index\.yaml: no answer within 50 ms$/m);
    expect(report.text).toMatch(/^Rancher \(chart rancher\) .* up to date within 2\.15$/m);
    expect(report.text).toContain('2 sources could not say: RKE2, cert-manager (chart cert-manager)');
    expect(report.status).toBe(2);
    // One request per address: the two rancher-backup pins share an index.
    expect(asked).toHaveLength(new Set(asked).size);
    expect(asked.filter((url) => url.endsWith('charts.rancher.io/index.yaml'))).toHaveLength(1);
  });

  it('a held package a major behind is said with "held back" and why, and does not fail the check; a minor behind still does', async () => {
    const { fetch } = served({ ...current, [answerKey({ kind: 'npm', package: 'typescript' })]: ok(npmDocument('typescript', '7.0.2')) });
    const report = formatCheck(await checkPins(pins, { fetch }));
    expect(report.text).toMatch(/^typescript +\S+ +7\.0\.2 +1 major behind \(held back\)$/m);
    expect(report.text).toContain('no pin is a minor or more behind');
    expect(report.text).toMatch(/\nHeld back \(not counted\):\n {2}typescript 7 is held back: /);
    expect(report.status).toBe(0);
    const minor = served({ ...current, [answerKey({ kind: 'npm', package: 'typescript' })]: ok(npmDocument('typescript', '6.1.0')) });
    const behindByMinor = formatCheck(await checkPins(pins, { fetch: minor.fetch }));
    expect(behindByMinor.text).toContain('1 pin is a minor or more behind: typescript');
    expect(behindByMinor.status).toBe(1);
  });

  it('an @cdktf binding whose provider the maintained @cdktn binding has newer is behind: named, exit 1; a registry without that binding is said', async () => {
    const { fetch, asked } = served({
      ...current,
      [answerKey({ kind: 'npm', package: '@cdktn/provider-tls' })]: ok(bindingDocument('@cdktn/provider-tls', '13.0.0', 'hashicorp/tls', '4.2.0')),
    });
    const report = formatCheck(await checkPins(pins, { fetch }));
    expect(report.text).toContain(
      `\nBindings against the maintained line (CDK Terrain, @cdktn):\n  @cdktf/provider-tls (binds hashicorp/tls ${TLS_BINDS}): @cdktn/provider-tls 13.0.0 binds hashicorp/tls 4.2.0: `,
    );
    expect(report.text).toContain('1 binding is behind the maintained line (@cdktn): @cdktf/provider-tls');
    expect(report.status).toBe(1);
    expect(asked.filter((url) => url.endsWith('@cdktn%2Fprovider-tls'))).toHaveLength(1);
  });

  it('a maintained binding the registry does not serve (404) or that does not answer: said; it fails --strict, not the plain check', async () => {
    // This registry serves no @cdktn binding of some providers (helm, kubernetes, tls, http).
    const { fetch: without } = served({
      ...current,
      [answerKey({ kind: 'npm', package: '@cdktn/provider-tls' })]: { status: 404, body: 'Not Found' },
    });
    const checked = await checkPins(pins, { fetch: without });
    const missing = formatCheck(checked);
    expect(missing.text).toMatch(
      /^ {2}@cdktf\/provider-tls \(binds hashicorp\/tls \S+\): the maintained line could not be read: .*@cdktn%2Fprovider-tls: HTTP 404$/m,
    );
    expect(missing.text).toContain("1 binding's maintained line could not be read (fails --strict): @cdktf/provider-tls\n");
    expect([missing.status, formatCheck(checked, { strict: true }).status]).toEqual([0, 1]);
    const { fetch: silent } = served({ ...current, [answerKey({ kind: 'npm', package: '@cdktn/provider-tls' })]: 'hang' });
    const unanswered = formatCheck(await checkPins(pins, { fetch: silent, timeoutMs: 50 }), { strict: true });
    expect(unanswered.text).toMatch(/the maintained line could not be read: \S+@cdktn%2Fprovider-tls: no answer within 50 ms$/m);
    expect(unanswered.status).toBe(1);
  });

  it('a maintained (@cdktn) binding whose latest binds a newer provider than the pinned one binds: behind, exit 1', async () => {
    const { fetch } = served({
      ...current,
      [answerKey({ kind: 'npm', package: '@cdktn/provider-aws' })]: ok(bindingDocument('@cdktn/provider-aws', '25.7.1', 'hashicorp/aws', '6.68.0')),
    });
    const report = formatCheck(await checkPins(pins, { fetch }));
    expect(report.text).toMatch(/^@cdktn\/provider-aws +\S+ +25\.7\.1 +\d+ patch(es)? behind$/m);
    expect(report.text).toContain(
      `  @cdktn/provider-aws (binds hashicorp/aws ${AWS_BINDS}): @cdktn/provider-aws 25.7.1 binds hashicorp/aws 6.68.0: `,
    );
    expect(report.text).toContain('1 binding is behind the maintained line (@cdktn): @cdktn/provider-aws');
    expect(report.status).toBe(1);
  });

  it('a patch behind on Rancher, RKE2, K3s, cert-manager or Traefik is named and passes; with --strict it fails the check', async () => {
    const answers = {
      ...current,
      [answerKey(PINS.k3s.upstream)]: ok(githubReleases(['v1.36.99+k3s1', PINS.k3s.version])),
      [answerKey(PINS.rancherBackupPrevious.upstream)]: ok(helmIndex('rancher-backup', ['109.0.99+up10.0.99', PINS.rancherBackup.version])),
    };
    const checked = await checkPins(pins, { fetch: served(answers).fetch });
    const report = formatCheck(checked);
    expect(report.text).toContain('1 pin is behind within its line (security fixes ship as patches; fails --strict): K3s\n');
    expect(report.status).toBe(0);
    // The 2.14 backup chart a patch behind is no watched pin: said in its row, not in the summary, not failing --strict.
    expect(report.text).toMatch(/^rancher-backup and rancher-backup-crd charts \(Rancher 2\.14\) .* patch(es)? behind$/m);
    expect(formatCheck(checked, { strict: true }).status).toBe(1);
    expect(formatCheck(await checkPins(pins, { fetch: served(current).fetch }), { strict: true }).status).toBe(0);
  });

  it('engines is behind only by a major above its highest line', async () => {
    const highest = Math.max(...majorsOf(pkg.engines.node)!);
    const { fetch } = served({
      ...current,
      [answerKey({ kind: 'github', repository: 'nodejs/node' })]: ok(githubReleases([`v${highest + 2}.1.0`, `v${highest}.9.0`])),
    });
    const report = formatCheck(await checkPins(pins, { fetch }));
    expect(report.text).toMatch(new RegExp(`^node \\(engines\\) +.* v${highest + 2}\\.1\\.0 +2 majors behind$`, 'm'));
    expect(report.status).toBe(1);
    expect(majorsOf('20 || 22 || 24')).toEqual([20, 22, 24]);
    expect(majorsOf('>=22')).toEqual([22]);
    expect(majorsOf('v1.36.3+rke2r1')).toBeUndefined();
  });

  it('an answer that is not what the source gives (an error page, a refused rate limit) is said, not thrown', async () => {
    const { fetch } = served({ ...current, [answerKey(PINS.rke2.upstream)]: ok('{"message":"API rate limit exceeded"}') });
    const report = formatCheck(await checkPins(pins, { fetch }));
    expect(report.text).toMatch(/^RKE2 .*could not ask: .*: the answer is not a list of releases$/m);
  });
});
