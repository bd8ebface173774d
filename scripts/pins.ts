// npm run pins [-- --check [--strict]]: every pin with its release day as recorded, and with --check how far each is
// behind upstream: Rancher, RKE2, K3s, cert-manager and Traefik (read from RKE2 at its pinned tag) within their pinned
// line, newer lines apart and capped by what the pinned Rancher accepts. The component, chart and image pins are
// lib/config/pins.ts's (the table the code reads); the providers and the toolchain are package.json's (the versions
// npm installs), with the Terraform provider each binding wraps. docs/development.md, "Bumping a pin".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PINS, SHIPPED, type Pin, type PinKey, type PinUpstream } from '../lib/config/pins';
import { distributionOf } from '../lib/config/release-sums';
import { RANCHER_KUBERNETES_RANGE, rancherLine } from '../lib/config/versions';
import { recordRelease } from './record-release';

/** A pin as `npm run pins` shows it. */
export interface ListedPin extends Pin {
  readonly kind: 'component' | 'chart' | 'image' | 'provider' | 'toolchain';
  /** A provider binding's Terraform provider and version (its package.json `cdktf.provider`). */
  readonly binds?: string;
  /** Why it stays below upstream's newest (HELD), for a toolchain package that cannot move. */
  readonly held?: string;
  /** Its key in lib/config/pins.ts's PINS, for the table's own pins. */
  readonly key?: PinKey;
  /**
   * For a component shipped inside a pinned release (SHIPPED): which release, the chart and the image it is read from.
   * Its `version` says so until `--check` reads the version the release ships.
   */
  readonly shipped?: { readonly by: string; readonly tag: string; readonly chart: string; readonly image: string };
}

const KINDS: Readonly<Record<keyof typeof PINS, ListedPin['kind']>> = {
  rancher: 'component',
  rke2: 'component',
  k3s: 'component',
  certManager: 'chart',
  rancherBackup: 'chart',
  rancherBackupPrevious: 'chart',
  systemUpgradeController: 'image',
  kubectl: 'image',
  awsCli: 'image',
  rancher2Provider: 'provider',
};

/**
 * The release days of the npm pins, as the npm registry these machines reach gives them (`npm view <package> time`,
 * read 2026-11-26), by `<package>@<version>`. A version not here is shown without a day; `--check` reads it.
 */
export const NPM_RELEASES: Readonly<Record<string, string>> = {
  '@cdktf/provider-helm@12.1.2': '2026-05-29',
  '@cdktf/provider-http@10.0.1': '2026-05-29',
  '@cdktf/provider-kubernetes@12.1.1': '2026-05-29',
  '@cdktf/provider-tls@11.0.1': '2026-05-29',
  '@cdktn/provider-aws@25.7.0': '2026-09-23',
  '@cdktn/provider-random@15.0.1': '2026-09-16',
  'cdktn@0.24.0': '2026-09-27',
  'cdktn-cli@0.24.0': '2026-09-27',
  'constructs@10.7.2': '2026-07-29',
  'typescript@6.0.3': '2026-04-17',
  'jest@30.5.2': '2026-09-18',
  'esbuild@0.28.2': '2026-08-08',
};

/** The toolchain packages shown, beside the provider bindings. */
const TOOLCHAIN = ['cdktn', 'cdktn-cli', 'constructs', 'typescript', 'jest', 'esbuild'];

/**
 * A toolchain package that cannot move to upstream's newest: from which release on it is held back (`7`, `10.8`), and each installed
 * package whose declared peer range leaves that major out (the range as its package.json says it; a test holds these
 * to node_modules, so a blocker that moves is seen).
 */
export interface Hold {
  readonly from: string;
  readonly blockedBy: readonly { readonly package: string; readonly version: string; readonly peer: string }[];
}

export const HELD: Readonly<Record<string, Hold>> = {
  // typescript@latest is 7.x, the native compiler; the linter's parser and the API docs' generator declare 6.0 at most.
  // cdktn 0.24, which the CLI (cdktn-cli) brings as its peer, admits constructs below 10.8 only.
  constructs: { from: '10.8', blockedBy: [{ package: 'cdktn', version: '0.24.0', peer: '>=10.6.0 <10.8.0' }] },
  typescript: {
    from: '7',
    blockedBy: [
      { package: 'typescript-eslint', version: '8.73.0', peer: '>=4.8.4 <6.1.0' },
      {
        package: 'typedoc',
        version: '0.28.20',
        peer: '5.0.x || 5.1.x || 5.2.x || 5.3.x || 5.4.x || 5.5.x || 5.6.x || 5.7.x || 5.8.x || 5.9.x || 6.0.x',
      },
    ],
  },
};

/** The sentence `npm run pins` gives for a held package. */
export const heldBecause = (name: string, hold: Hold): string =>
  `${name} ${hold.from} is held back: ${hold.blockedBy.map((b) => `${b.package} ${b.version} declares peer ${name} ${b.peer}`).join('; ')}`;

/** Every pin: lib/config/pins.ts's (its pins, then what RKE2 ships), then package.json's providers and toolchain, then the Node.js lines `engines` names. */
export function listPins(root: string): ListedPin[] {
  const own = (Object.keys(PINS) as PinKey[]).map((key): ListedPin => ({ ...PINS[key], kind: KINDS[key], key }));
  const shipped = Object.values(SHIPPED).map((s): ListedPin => ({
    kind: 'component',
    name: s.name,
    version: `as ${PINS[s.in].name} ${PINS[s.in].version} ships it`,
    source: s.source,
    upstream: s.upstream,
    shipped: { by: PINS[s.in].name, tag: PINS[s.in].version, chart: s.chart, image: s.image },
  }));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
    dependencies?: Record<string, string>;
    engines?: { node?: string };
  };
  const declared = { ...pkg.dependencies, ...pkg.devDependencies };
  const npmPin = (name: string, kind: ListedPin['kind']): ListedPin => {
    const version = declared[name];
    const manifest = join(root, 'node_modules', name, 'package.json');
    const provider =
      kind === 'provider' && existsSync(manifest)
        ? (JSON.parse(readFileSync(manifest, 'utf8')) as { cdktf?: { provider?: { name?: string; version?: string } } }).cdktf?.provider
        : undefined;
    return {
      kind,
      name,
      version,
      released: NPM_RELEASES[`${name}@${version}`],
      source: 'package.json; its day from the npm registry',
      upstream: { kind: 'npm', package: name },
      ...(HELD[name] !== undefined ? { held: heldBecause(name, HELD[name]) } : {}),
      ...(provider?.name ? { binds: `${provider.name.replace(/^registry\.terraform\.io\//, '')} ${provider.version}` } : {}),
    };
  };
  const providers = Object.keys(declared)
    .filter((name) => name.startsWith('@cdktf/provider-') || name.startsWith('@cdktn/provider-'))
    .sort()
    .map((name) => npmPin(name, 'provider'));
  const toolchain = TOOLCHAIN.filter((name) => declared[name] !== undefined).map((name) => npmPin(name, 'toolchain'));
  const node: ListedPin[] =
    pkg.engines?.node === undefined
      ? []
      : [
          {
            kind: 'toolchain',
            name: 'node (engines)',
            version: pkg.engines.node,
            source: 'package.json engines.node',
            upstream: { kind: 'github', repository: 'nodejs/node' },
          },
        ];
  return [...own, ...shipped, ...providers, ...toolchain, ...node];
}

/** The listing: one line a pin (kind, name, version, release day, what a binding wraps), then where each was read. */
export function formatList(pins: readonly ListedPin[]): string {
  const rows = pins.map((p) => [p.kind, p.name, p.version, p.released ?? 'not recorded', p.binds ? `binds ${p.binds}` : '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  const held = pins.filter((p) => p.held !== undefined).map((p) => `  ${p.held}`);
  return (
    [
      ...lines,
      '',
      'Sources:',
      ...pins.map((p) => `  ${p.name} ${p.version}: ${p.source}`),
      ...(held.length > 0 ? ['', 'Held back:', ...held] : []),
    ].join('\n') + '\n'
  );
}

// ---- --check ----------------------------------------------------------------------------------------------------

/** A release version as numbers, for ordering: v1.36.3+rke2r1 → [1, 36, 3, 1], 110.0.2+up11.0.3 → [110, 0, 2]. */
export function versionParts(version: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(?:\+(?:rke2r|k3s)(\d+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m || m[4] !== undefined) return undefined; // not a version, or a pre-release
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), Number(m[5] ?? 0)];
}

const compare = (a: readonly number[], b: readonly number[]) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** How far `pinned` is behind `newest`: undefined when it is not (up to date, or ahead). */
export function behind(
  pinned: string,
  newest: string,
): { readonly level: 'major' | 'minor' | 'patch' | 'revision'; readonly text: string } | undefined {
  const p = versionParts(pinned);
  const n = versionParts(newest);
  if (p === undefined || n === undefined || compare(p, n) >= 0) return undefined;
  if (n[0] !== p[0]) return { level: 'major', text: `${n[0] - p[0]} major${n[0] - p[0] === 1 ? '' : 's'} behind` };
  if (n[1] !== p[1]) return { level: 'minor', text: `${n[1] - p[1]} minor${n[1] - p[1] === 1 ? '' : 's'} behind` };
  if (n[2] !== p[2]) return { level: 'patch', text: `${n[2] - p[2]} patch${n[2] - p[2] === 1 ? '' : 'es'} behind` };
  return { level: 'revision', text: 'a newer build of the same release' };
}

/** The newest release version among `versions` (pre-releases and non-versions left out); with `major`, only of that major. */
export function newestOf(versions: readonly string[], major?: number): string | undefined {
  let best: { version: string; parts: number[] } | undefined;
  for (const version of versions) {
    const parts = versionParts(version);
    if (parts === undefined || (major !== undefined && parts[0] !== major)) continue;
    if (best === undefined || compare(parts, best.parts) > 0) best = { version, parts };
  }
  return best?.version;
}

/** The address a pin's upstream is asked at. */
export function upstreamUrl(upstream: PinUpstream): string {
  switch (upstream.kind) {
    case 'github':
      return `https://api.github.com/repos/${upstream.repository}/releases?per_page=100`;
    case 'github-tags':
      // Every tag at once ("List matching references" of `tags/`): the tags listing pages by name, not by version.
      return `https://api.github.com/repos/${upstream.repository}/git/matching-refs/tags/`;
    case 'helm':
      return `${upstream.repository.replace(/\/$/, '')}/index.yaml`;
    case 'npm':
      return `https://registry.npmjs.org/${upstream.package.replace('/', '%2F')}`;
  }
}

/**
 * The address actually fetched: with a mirror (`--mirror`, `RANCHER_PINS_MIRROR`), `https://<host>/<path>` becomes
 * `<mirror>/<host>/<path>` (the tests serve recorded answers there, and a site without the internet a cache).
 */
export const viaMirror = (url: string, mirror: string | undefined): string =>
  mirror === undefined ? url : `${mirror.replace(/\/$/, '')}/${url.replace(/^https:\/\//, '')}`;

/** The release versions an upstream's answer lists. */
export function releasesIn(upstream: PinUpstream, body: string): string[] {
  switch (upstream.kind) {
    case 'github': {
      // GitHub's REST API, "List releases": tag_name, draft, prerelease per release.
      const releases = JSON.parse(body) as { tag_name?: unknown; draft?: unknown; prerelease?: unknown }[];
      if (!Array.isArray(releases)) throw new Error('the answer is not a list of releases');
      return releases.filter((r) => r.draft !== true && r.prerelease !== true && typeof r.tag_name === 'string').map((r) => r.tag_name as string);
    }
    case 'github-tags': {
      // GitHub's REST API, "List matching references": `ref` per reference, `refs/tags/<tag>` (versionParts leaves
      // names that are no version out).
      const refs = JSON.parse(body) as { ref?: unknown }[];
      if (!Array.isArray(refs)) throw new Error('the answer is not a list of references');
      return refs.filter((r) => typeof r.ref === 'string' && r.ref.startsWith('refs/tags/')).map((r) => (r.ref as string).slice('refs/tags/'.length));
    }
    case 'helm': {
      // A Helm repository's index.yaml: entries.<chart>[].version.
      const index = parseYaml(body) as { entries?: Record<string, { version?: unknown }[]> };
      const entries = index?.entries?.[upstream.chart];
      if (!Array.isArray(entries)) throw new Error(`the index has no chart ${upstream.chart}`);
      return entries.map((e) => e.version).filter((v): v is string => typeof v === 'string');
    }
    case 'npm': {
      // The registry's package document: dist-tags.latest.
      const latest = (JSON.parse(body) as { 'dist-tags'?: { latest?: unknown } })['dist-tags']?.latest;
      if (typeof latest !== 'string') throw new Error('the document has no dist-tags.latest');
      return [latest];
    }
  }
}

// ---- the pinned line, newer lines, and what RKE2 ships ------------------------------------------------------------

/** A version's line, its major and minor: `1.36` of v1.36.3+rke2r1, `2.15` of 2.15.2, `3.7` of v3.7.8. */
export function lineOf(version: string): string | undefined {
  const parts = versionParts(version);
  return parts === undefined ? undefined : `${parts[0]}.${parts[1]}`;
}

/** A newer line than the pinned one: its newest release, and what keeps it from being taken (a Rancher that refuses it). */
export interface NewerLine {
  readonly line: string;
  readonly newest: string;
  readonly note: string;
}

/** The newest release of the pinned version's line, and the newest of each newer line (lowest line first). */
export function linesAbove(
  pinned: string,
  versions: readonly string[],
): { readonly inLine?: string; readonly newer: readonly { line: string; newest: string; minor: number }[] } {
  const own = versionParts(pinned);
  if (own === undefined) return { newer: [] };
  const inLine = newestOf(versions.filter((v) => lineOf(v) === lineOf(pinned)));
  const newer = new Map<string, { line: string; newest: string; minor: number }>();
  for (const version of versions) {
    const parts = versionParts(version);
    if (parts === undefined || compare(parts.slice(0, 2), own.slice(0, 2)) <= 0) continue;
    const line = `${parts[0]}.${parts[1]}`;
    const seen = newer.get(line);
    if (seen === undefined || compare(parts, versionParts(seen.newest)!) > 0) newer.set(line, { line, newest: version, minor: parts[1] });
  }
  return { inLine, newer: [...newer.values()].sort((a, b) => compare(versionParts(a.newest)!, versionParts(b.newest)!)) };
}

/**
 * The highest Kubernetes minor a chart's `kubeVersion` admits, from its upper bound (Helm reads it as a semver range):
 * `< 1.37.0-0` admits 1.36 at most, `<1.34` 1.33, `<= 1.36.9` 1.36; undefined without an upper bound.
 */
export function highestKubernetesMinor(kubeVersion: string): number | undefined {
  const m = /<(=?)\s*v?1\.(\d+)(?:\.(\d+))?/.exec(kubeVersion);
  if (m === null) return undefined;
  const minor = Number(m[2]);
  return m[1] === '=' || Number(m[3] ?? 0) > 0 ? minor : minor - 1;
}

/**
 * A chart version's `kubeVersion` in a Helm repository's index: `helm repo index` writes each chart's Chart.yaml
 * metadata into its entry (Helm's repo.ChartVersion embeds chart.Metadata), so the entry carries it.
 */
export function kubeVersionIn(body: string, chart: string, version: string): string | undefined {
  const index = parseYaml(body) as { entries?: Record<string, { version?: unknown; kubeVersion?: unknown }[]> };
  const entry = index?.entries?.[chart]?.find((e) => e.version === version);
  return typeof entry?.kubeVersion === 'string' ? entry.kubeVersion : undefined;
}

/**
 * Where RKE2 records, at a release's tag, the charts it ships (`charts/chart_versions.yaml`: `charts[]` with `version`
 * and `filename`, which its Dockerfile's charts stage builds) and the images they run (`scripts/build-images`, the
 * lists of the air-gap image archives). The tag's `+` is `%2B`, as the release addresses spell it.
 */
export function rke2Files(tag: string): { readonly charts: string; readonly images: string } {
  const base = `https://raw.githubusercontent.com/rancher/rke2/${tag.replace(/\+/g, '%2B')}`;
  return { charts: `${base}/charts/chart_versions.yaml`, images: `${base}/scripts/build-images` };
}

/** The version chart_versions.yaml gives `chart` (its entry whose filename is `/charts/<chart>.yaml`, not `<chart>-crd`). */
export function chartVersionIn(body: string, chart: string): string | undefined {
  const manifest = parseYaml(body) as { charts?: { version?: unknown; filename?: unknown }[] };
  if (!Array.isArray(manifest?.charts)) throw new Error('the file lists no charts');
  const entry = manifest.charts.find((c) => typeof c.filename === 'string' && c.filename.split('/').pop() === `${chart}.yaml`);
  return entry === undefined ? undefined : String(entry.version);
}

/** The versions build-images lists `image` at: `rancher/hardened-traefik:v3.7.8-build20260717` → v3.7.8. */
export function imageVersionsIn(body: string, image: string): string[] {
  const escaped = image.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const found = [...body.matchAll(new RegExp(`(?:^|[\\s/])${escaped}:(v?\\d+\\.\\d+\\.\\d+)(?:-build\\d+)?(?=\\s|$)`, 'gm'))].map((m) => m[1]);
  return [...new Set(found)];
}

// ---- --check ----------------------------------------------------------------------------------------------------

/** The pins compared within their line (security fixes ship as patches of a line): newer lines are said apart. */
export const LINE_WATCHED: readonly PinKey[] = ['rancher', 'rke2', 'k3s', 'certManager'];

/** Whether a pin is compared within its line: the table's LINE_WATCHED, and what a pinned release ships (Traefik). */
export const watchesLine = (pin: ListedPin): boolean => (pin.key !== undefined && LINE_WATCHED.includes(pin.key)) || pin.shipped !== undefined;

/** A pin's line in `--check`. */
export interface Checked {
  readonly pin: ListedPin;
  /** The newest release: of the pinned line, for a pin compared within its line. */
  readonly newest?: string;
  readonly behind?: ReturnType<typeof behind>;
  /** For a pin compared within its line: the line (`1.36`) and the newer lines upstream has, not counted. */
  readonly line?: string;
  readonly newer?: readonly NewerLine[];
  /** For a shipped component: where its version was read (`RKE2 v1.36.3+rke2r1 ships chart rke2-traefik 40.1.009, image ...`). */
  readonly via?: string;
  /** Why upstream could not say (unreachable, an error status, no answer in time, an answer not understood). */
  readonly problem?: string;
  /**
   * For a provider binding: the maintained line's binding of the same provider (`@cdktn/provider-<name>`'s latest on
   * the registry) and how far the provider this one binds is behind the one it binds; `problem` when the registry
   * could not say (a 404: it serves no such binding; no answer).
   */
  readonly maintained?: {
    readonly package: string;
    readonly version?: string;
    readonly binds?: string;
    readonly behind?: ReturnType<typeof behind>;
    readonly problem?: string;
  };
}

export type Fetch = (url: string, timeoutMs: number) => Promise<{ status: number; body: string }>;

/** Node's fetch with a deadline: an answer's status and text, or a rejection naming why none came. */
export const httpFetch: Fetch = async (url, timeoutMs) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json, application/yaml, */*' } });
  return { status: response.status, body: await response.text() };
};

/** Asks each pin's upstream (one request per address, however many pins read it) and compares. */
export async function checkPins(
  pins: readonly ListedPin[],
  options: { readonly fetch?: Fetch; readonly mirror?: string; readonly timeoutMs?: number } = {},
): Promise<Checked[]> {
  const get = options.fetch ?? httpFetch;
  const timeoutMs = options.timeoutMs ?? 15000;
  const asked = new Map<string, Promise<{ status: number; body: string }>>();
  const ask = async (address: string): Promise<{ answer?: { status: number; body: string }; problem?: string; url: string }> => {
    const url = viaMirror(address, options.mirror);
    if (!asked.has(url)) asked.set(url, get(url, timeoutMs));
    try {
      return { answer: await asked.get(url)!, url };
    } catch (error) {
      const e = error as Error;
      const why =
        e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : ((e.cause as Error)?.message ?? e.message);
      return { problem: `${url}: ${why}`, url };
    }
  };
  /** An answer's body, or why there is none (no answer, a status other than 200). */
  const read = async (address: string): Promise<{ body?: string; problem?: string; url: string }> => {
    const { answer, problem, url } = await ask(address);
    if (problem !== undefined) return { problem, url };
    return answer!.status === 200 ? { body: answer!.body, url } : { problem: `${url}: HTTP ${answer!.status}`, url };
  };
  let rancherCap: Promise<{ readonly highest: number; readonly why: string }> | undefined;
  return Promise.all(
    pins.map(async (pin): Promise<Checked> => {
      const own = await checkOne(pin);
      const bindingName = /^@cdkt[fn]\/provider-(.+)$/.exec(pin.name)?.[1];
      if (bindingName === undefined || pin.binds === undefined) return own;
      return { ...own, maintained: await maintainedLine(`@cdktn/provider-${bindingName}`, pin.binds) };
    }),
  );

  /**
   * The highest Kubernetes minor the pinned Rancher accepts: its chart's kubeVersion as the stable index gives it for
   * the pinned version, or, when the index cannot say, the range lib/config/versions.ts records from that chart.
   */
  function rancherAccepts(): Promise<{ readonly highest: number; readonly why: string }> {
    rancherCap ??= (async () => {
      const { body } = await read(upstreamUrl(PINS.rancher.upstream));
      try {
        const kubeVersion = body === undefined ? undefined : kubeVersionIn(body, PINS.rancher.upstream.chart, PINS.rancher.version);
        const highest = kubeVersion === undefined ? undefined : highestKubernetesMinor(kubeVersion);
        if (highest !== undefined) return { highest, why: `its chart's kubeVersion ${kubeVersion}` };
      } catch {
        // An index that does not parse is said on Rancher's own row; the recorded range stands in here.
      }
      const range = RANCHER_KUBERNETES_RANGE[rancherLine(PINS.rancher.version)!];
      return {
        highest: range.maxExclusive - 1,
        why: `its chart's kubeVersion, as lib/config/versions.ts records it: below 1.${range.maxExclusive}; the index did not say`,
      };
    })();
    return rancherCap;
  }

  /** The maintained binding of the provider `binds` names (`hashicorp/aws 6.25.0`), from its npm document. */
  async function maintainedLine(name: string, binds: string): Promise<NonNullable<Checked['maintained']>> {
    const { body, problem, url } = await read(upstreamUrl({ kind: 'npm', package: name }));
    if (problem !== undefined) return { package: name, problem };
    try {
      const document = JSON.parse(body!) as {
        'dist-tags'?: { latest?: string };
        versions?: Record<string, { cdktf?: { provider?: { name?: string; version?: string } } }>;
      };
      const version = document['dist-tags']?.latest;
      const provider = version === undefined ? undefined : document.versions?.[version]?.cdktf?.provider;
      if (version === undefined || provider?.version === undefined)
        return { package: name, problem: `${url}: no latest version naming the provider it binds` };
      const bound = `${(provider.name ?? '').replace(/^registry\.terraform\.io\//, '')} ${provider.version}`;
      return { package: name, version, binds: bound, behind: behind(binds.split(' ').pop()!, provider.version) };
    } catch (error) {
      return { package: name, problem: `${url}: ${(error as Error).message}` };
    }
  }

  /** What the pinned release ships of a component: its version as the release's image list names it, and the chart's. */
  async function shippedVersion(shipped: NonNullable<ListedPin['shipped']>): Promise<{ version?: string; via?: string; problem?: string }> {
    const files = rke2Files(shipped.tag);
    const [charts, images] = await Promise.all([read(files.charts), read(files.images)]);
    if (charts.problem !== undefined) return { problem: charts.problem };
    if (images.problem !== undefined) return { problem: images.problem };
    let chart: string | undefined;
    try {
      chart = chartVersionIn(charts.body!, shipped.chart);
    } catch (error) {
      return { problem: `${charts.url}: ${(error as Error).message}` };
    }
    if (chart === undefined) return { problem: `${charts.url}: ${shipped.by} ${shipped.tag} ships no chart ${shipped.chart}` };
    const versions = imageVersionsIn(images.body!, shipped.image);
    if (versions.length !== 1)
      return {
        problem: `${images.url}: ${versions.length === 0 ? `no image ${shipped.image}` : `${shipped.image} at ${versions.join(' and ')}`}`,
      };
    return { version: versions[0], via: `${shipped.by} ${shipped.tag} ships chart ${shipped.chart} ${chart}, image ${shipped.image} ${versions[0]}` };
  }

  async function checkOne(listed: ListedPin): Promise<Checked> {
    let pin = listed;
    let via: string | undefined;
    if (listed.shipped !== undefined) {
      const shipped = await shippedVersion(listed.shipped);
      if (shipped.problem !== undefined) return { pin, problem: shipped.problem };
      pin = { ...listed, version: shipped.version! };
      via = shipped.via;
    }
    const { body, problem, url } = await read(upstreamUrl(pin.upstream));
    if (problem !== undefined) return { pin, via, problem };
    let versions: string[];
    try {
      versions = releasesIn(pin.upstream, body!);
    } catch (error) {
      return { pin, via, problem: `${url}: ${(error as Error).message}` };
    }
    if (watchesLine(pin)) return { ...(await withinLine(pin, versions, url)), via };
    // A chart kept for an older Rancher line (sameMajor) is compared within its own major only.
    const major = pin.upstream.kind === 'helm' && pin.upstream.sameMajor === true ? versionParts(pin.version)?.[0] : undefined;
    const newest = newestOf(versions, major);
    if (newest === undefined) return { pin, problem: `${url}: no release version listed` };
    // A range of majors (engines' "20 || 22 || 24") is behind only by majors above its highest.
    const majors = majorsOf(pin.version);
    if (majors !== undefined) {
      const ahead = versionParts(newest)![0] - Math.max(...majors);
      return { pin, newest, behind: ahead > 0 ? { level: 'major', text: `${ahead} major${ahead === 1 ? '' : 's'} behind` } : undefined };
    }
    return { pin, newest, behind: behind(pin.version, newest) };
  }

  /** A pin compared within its line; each newer line said with what keeps it (for RKE2 and K3s, the pinned Rancher). */
  async function withinLine(pin: ListedPin, versions: readonly string[], url: string): Promise<Checked> {
    const line = lineOf(pin.version)!;
    const { inLine, newer } = linesAbove(pin.version, versions);
    if (inLine === undefined) return { pin, line, problem: `${url}: no release of ${line} listed` };
    const kubernetes = pin.key === 'rke2' || pin.key === 'k3s';
    const cap = kubernetes && newer.length > 0 ? await rancherAccepts() : undefined;
    const rancher = `Rancher ${PINS.rancher.version}`;
    return {
      pin,
      line,
      newest: inLine,
      behind: behind(pin.version, inLine),
      newer: newer.map(({ line: newerLine, newest, minor }) => ({
        line: newerLine,
        newest,
        note:
          cap === undefined
            ? 'a newer line'
            : minor > cap.highest
              ? `not yet accepted by ${rancher} (${cap.why})`
              : `a newer line ${rancher} accepts (${cap.why})`,
      })),
    };
  }
}

/** The majors of a range such as `20 || 22 || 24` (or `>=20`), undefined for a version. */
export function majorsOf(range: string): number[] | undefined {
  if (versionParts(range) !== undefined || !/^[\s\d|<>=^~.]+$/.test(range)) return undefined;
  const majors = [...range.matchAll(/(?<![.\d])(\d+)/g)].map((m) => Number(m[1]));
  return majors.length > 0 ? majors : undefined;
}

/** A pin behind only by the release its hold names (HELD) or later: said, with why, and not counted. */
function isHeld(c: Checked): boolean {
  const hold = HELD[c.pin.name];
  const newest = c.newest === undefined ? undefined : versionParts(c.newest);
  return (
    hold !== undefined &&
    (c.behind?.level === 'major' || c.behind?.level === 'minor') &&
    newest !== undefined &&
    compare(newest, hold.from.split('.').map(Number)) >= 0
  );
}

const names = (list: readonly Checked[]) => list.map((c) => c.pin.name).join(', ');

/**
 * The report of --check, and its exit status: 1 when a pin not compared within its line is a minor or more behind (a
 * held one aside), when a binding is behind the maintained line, or (`strict`) when a pin compared within its line is a
 * patch behind there or a maintained binding could not be read; 2 when only some source could not say. Newer lines of
 * the pins compared within their line are said apart and never counted.
 */
export function formatCheck(
  checked: readonly Checked[],
  options: { readonly strict?: boolean } = {},
): { readonly text: string; readonly status: number } {
  const rows = checked.map((c) => [
    c.pin.name,
    c.pin.version,
    c.problem !== undefined ? 'unknown' : c.newest!,
    c.problem !== undefined
      ? `could not ask: ${c.problem}`
      : `${c.behind === undefined ? 'up to date' : `${c.behind.text}${isHeld(c) ? ' (held back)' : ''}`}${c.line !== undefined ? ` within ${c.line}` : ''}`,
  ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  const far = checked.filter((c) => c.line === undefined && (c.behind?.level === 'major' || c.behind?.level === 'minor') && !isHeld(c));
  // Security fixes ship as patches of a line: behind within the pinned line is said on its own (and fails --strict).
  const patches = checked.filter((c) => c.line !== undefined && c.behind !== undefined);
  const bindings = checked.filter((c) => c.maintained?.behind !== undefined);
  const unreadBindings = checked.filter((c) => c.maintained?.problem !== undefined);
  const maintainedLines = checked
    .filter((c) => c.maintained !== undefined)
    .map((c) => {
      const m = c.maintained!;
      if (m.problem !== undefined) return `  ${c.pin.name} (binds ${c.pin.binds}): the maintained line could not be read: ${m.problem}`;
      return `  ${c.pin.name} (binds ${c.pin.binds}): ${m.package} ${m.version} binds ${m.binds}${m.behind ? `: ${m.behind.text}` : ', no newer provider'}`;
    });
  const newerLines = checked.flatMap((c) => (c.newer ?? []).map((n) => `  ${c.pin.name} ${n.line} (${n.newest}): ${n.note}`));
  const shipped = checked.filter((c) => c.via !== undefined).map((c) => `  ${c.pin.name}: ${c.via}`);
  const held = checked.filter(isHeld).map((c) => `  ${c.pin.held}`);
  const unknown = checked.filter((c) => c.problem !== undefined);
  const summary = [
    ...(patches.length > 0
      ? [
          `${patches.length} pin${patches.length === 1 ? ' is' : 's are'} behind within ${patches.length === 1 ? 'its' : 'their'} line (security fixes ship as patches; fails --strict): ${names(patches)}`,
        ]
      : []),
    ...(bindings.length > 0
      ? [`${bindings.length} binding${bindings.length === 1 ? ' is' : 's are'} behind the maintained line (@cdktn): ${names(bindings)}`]
      : []),
    ...(unreadBindings.length > 0
      ? [
          `${unreadBindings.length} binding${unreadBindings.length === 1 ? "'s" : "s'"} maintained line could not be read (fails --strict): ${names(unreadBindings)}`,
        ]
      : []),
    far.length > 0
      ? `${far.length} pin${far.length === 1 ? ' is' : 's are'} a minor or more behind: ${names(far)}`
      : `no pin is a minor or more behind${newerLines.length > 0 ? ' (the newer lines above aside)' : ''}`,
    ...(unknown.length > 0 ? [`${unknown.length} source${unknown.length === 1 ? '' : 's'} could not say: ${names(unknown)}`] : []),
  ];
  const strictFails = options.strict === true && (patches.length > 0 || unreadBindings.length > 0);
  return {
    text:
      [
        ...lines,
        ...(shipped.length > 0 ? ['', 'Shipped inside a pinned release:', ...shipped] : []),
        ...(newerLines.length > 0 ? ['', 'Newer lines (not counted):', ...newerLines] : []),
        ...(maintainedLines.length > 0 ? ['', 'Bindings against the maintained line (CDK Terrain, @cdktn):', ...maintainedLines] : []),
        '',
        ...summary,
        ...(held.length > 0 ? ['', 'Held back (not counted):', ...held] : []),
      ].join('\n') + '\n',
    status: far.length > 0 || bindings.length > 0 || strictFails ? 1 : unknown.length > 0 ? 2 : 0,
  };
}

const USAGE = 'usage: npm run pins [-- --check [--strict] | --record <rke2|k3s> <version>] [--mirror <url>] [--timeout-ms <milliseconds>]';

/** The command: `npm run pins [-- --check [--strict] [--mirror <url>] [--timeout-ms <n>]]`; a usage mistake exits 2. */
export async function main(argv: readonly string[], root: string, write: (text: string) => void): Promise<number> {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const unknown = argv.filter(
    (a, i) =>
      a.startsWith('--') &&
      !['--check', '--strict', '--record', '--mirror', '--timeout-ms'].includes(a) &&
      !['--mirror', '--timeout-ms'].includes(argv[i - 1]),
  );
  if (unknown.length > 0) {
    write(`pins: unknown option ${unknown[0]}; ${USAGE}\n`);
    return 2;
  }
  // --strict judges what --check finds: alone it would pass without asking anything.
  if (argv.includes('--strict') && !argv.includes('--check')) {
    write(`pins: --strict applies to --check only: run npm run pins -- --check --strict; ${USAGE}\n`);
    return 2;
  }
  if (argv.includes('--record')) {
    const [distribution, version] = argv.slice(argv.indexOf('--record') + 1);
    if ((distribution !== 'rke2' && distribution !== 'k3s') || version === undefined || distributionOf(version) !== distribution) {
      write(
        `pins: --record takes rke2 or k3s and a release of it, such as --record rke2 v1.36.5+rke2r1 (given: ${argv.slice(argv.indexOf('--record') + 1).join(' ') || 'nothing'})\n`,
      );
      return 2;
    }
    const outcome = await recordRelease(distribution, version, httpFetch, {
      mirror: option('--mirror') ?? process.env.RANCHER_PINS_MIRROR ?? undefined,
    });
    if (outcome.entry === undefined) {
      write(`pins: ${version} not recorded:\n${outcome.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
    write(
      `Both places upstream publishes the sums agree. The entry for lib/config/release-sums.ts (RECORDED_SUMS.${distribution}), to review:\n${outcome.entry}\n`,
    );
    return 0;
  }
  const pins = listPins(root);
  if (!argv.includes('--check')) {
    write(formatList(pins));
    return 0;
  }
  const timeout = option('--timeout-ms');
  const timeoutMs = timeout === undefined ? undefined : Number(timeout);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    write(`pins: --timeout-ms ${timeout} is not a whole number of milliseconds above 0\n`);
    return 2;
  }
  const mirror = option('--mirror') ?? process.env.RANCHER_PINS_MIRROR;
  const report = formatCheck(await checkPins(pins, { mirror: mirror || undefined, timeoutMs }), { strict: argv.includes('--strict') });
  write(report.text);
  return report.status;
}
