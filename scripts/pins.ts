// npm run pins [-- --check]: every pin with its release day as recorded, and with --check how far each is behind
// upstream. The component, chart and image pins are lib/config/pins.ts's (the table the code reads); the providers
// and the toolchain are package.json's (the versions npm installs), with the Terraform provider each binding wraps.
// docs/development.md, "Bumping a pin".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PINS, type Pin, type PinUpstream } from '../lib/config/pins';
import { distributionOf } from '../lib/config/release-sums';
import { recordRelease } from './record-release';

/** A pin as `npm run pins` shows it. */
export interface ListedPin extends Pin {
  readonly kind: 'component' | 'chart' | 'image' | 'provider' | 'toolchain';
  /** A provider binding's Terraform provider and version (its package.json `cdktf.provider`). */
  readonly binds?: string;
  /** Why it stays below upstream's newest (HELD), for a toolchain package that cannot move. */
  readonly held?: string;
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

/** Every pin: lib/config/pins.ts's, then package.json's providers and toolchain, then the Node.js lines `engines` names. */
export function listPins(root: string): ListedPin[] {
  const own = (Object.keys(PINS) as (keyof typeof PINS)[]).map((key): ListedPin => ({ ...PINS[key], kind: KINDS[key] }));
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
  return [...own, ...providers, ...toolchain, ...node];
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

/** A pin's line in `--check`. */
export interface Checked {
  readonly pin: ListedPin;
  readonly newest?: string;
  readonly behind?: ReturnType<typeof behind>;
  /** Why upstream could not say (unreachable, an error status, no answer in time, an answer not understood). */
  readonly problem?: string;
  /**
   * For a `@cdktf/provider-<name>` binding (CDKTF's archived line): the maintained line's binding of the same provider
   * (`@cdktn/provider-<name>`'s latest on the registry) and how far the provider this one binds is behind the one it
   * binds; `problem` when the registry could not say (a 404: it serves no such binding).
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
  return Promise.all(
    pins.map(async (pin): Promise<Checked> => {
      const own = await checkOne(pin);
      const maintainedName = /^@cdktf\/provider-(.+)$/.exec(pin.name)?.[1];
      if (maintainedName === undefined || pin.binds === undefined) return own;
      return { ...own, maintained: await maintainedLine(`@cdktn/provider-${maintainedName}`, pin.binds) };
    }),
  );

  /** The maintained binding of the provider `binds` names (`hashicorp/aws 6.25.0`), from its npm document. */
  async function maintainedLine(name: string, binds: string): Promise<NonNullable<Checked['maintained']>> {
    const { answer, problem, url } = await ask(upstreamUrl({ kind: 'npm', package: name }));
    if (problem !== undefined) return { package: name, problem };
    if (answer!.status !== 200) return { package: name, problem: `${url}: HTTP ${answer!.status}` };
    try {
      const document = JSON.parse(answer!.body) as {
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

  async function checkOne(pin: ListedPin): Promise<Checked> {
    const { answer: asked, problem, url } = await ask(upstreamUrl(pin.upstream));
    if (problem !== undefined) return { pin, problem };
    const answer = asked!;
    if (answer.status !== 200) return { pin, problem: `${url}: HTTP ${answer.status}` };
    let versions: string[];
    try {
      versions = releasesIn(pin.upstream, answer.body);
    } catch (error) {
      return { pin, problem: `${url}: ${(error as Error).message}` };
    }
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
}

/** The majors of a range such as `20 || 22 || 24` (or `>=20`), undefined for a version. */
export function majorsOf(range: string): number[] | undefined {
  if (versionParts(range) !== undefined || !/^[\s\d|<>=^~.]+$/.test(range)) return undefined;
  const majors = [...range.matchAll(/(?<![.\d])(\d+)/g)].map((m) => Number(m[1]));
  return majors.length > 0 ? majors : undefined;
}

/** The pins whose patch releases carry security fixes: a patch behind is named (and fails `--strict`). */
export const PATCH_WATCHED: readonly string[] = [PINS.rancher.name, PINS.rke2.name, PINS.k3s.name, PINS.certManager.name];

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

/**
 * The report of --check, and its exit status: 1 when a pin is a minor or more behind (a held one aside), when a binding
 * is behind the maintained line, or (`strict`) when a watched pin is a patch behind; 2 when only some source could not say.
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
      : c.behind === undefined
        ? 'up to date'
        : `${c.behind.text}${isHeld(c) ? ' (held back)' : ''}`,
  ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  const far = checked.filter((c) => (c.behind?.level === 'major' || c.behind?.level === 'minor') && !isHeld(c));
  // Security fixes ship as patches: a patch behind on these is said on its own (and fails --strict).
  const patches = checked.filter((c) => PATCH_WATCHED.includes(c.pin.name) && (c.behind?.level === 'patch' || c.behind?.level === 'revision'));
  const bindings = checked.filter((c) => c.maintained?.behind !== undefined);
  const maintainedLines = checked
    .filter((c) => c.maintained !== undefined)
    .map((c) => {
      const m = c.maintained!;
      if (m.problem !== undefined) return `  ${c.pin.name} (binds ${c.pin.binds}): the maintained line could not say: ${m.problem}`;
      return `  ${c.pin.name} (binds ${c.pin.binds}): ${m.package} ${m.version} binds ${m.binds}${m.behind ? `: ${m.behind.text}` : ', no newer provider'}`;
    });
  const held = checked.filter(isHeld).map((c) => `  ${c.pin.held}`);
  const unknown = checked.filter((c) => c.problem !== undefined);
  const summary = [
    ...(patches.length > 0
      ? [`${patches.length} a patch behind (security fixes ship as patches): ${patches.map((c) => c.pin.name).join(', ')}`]
      : []),
    ...(bindings.length > 0
      ? [
          `${bindings.length} binding${bindings.length === 1 ? ' is' : 's are'} behind the maintained line (@cdktn): ${bindings.map((c) => c.pin.name).join(', ')}`,
        ]
      : []),
    far.length > 0
      ? `${far.length} pin${far.length === 1 ? ' is' : 's are'} a minor or more behind: ${far.map((c) => c.pin.name).join(', ')}`
      : 'no pin is a minor or more behind',
    ...(unknown.length > 0
      ? [`${unknown.length} source${unknown.length === 1 ? '' : 's'} could not say: ${unknown.map((c) => c.pin.name).join(', ')}`]
      : []),
  ];
  return {
    text:
      [
        ...lines,
        ...(maintainedLines.length > 0 ? ['', 'Bindings against the maintained line (CDK Terrain, @cdktn):', ...maintainedLines] : []),
        '',
        ...summary,
        ...(held.length > 0 ? ['', 'Held back (not counted):', ...held] : []),
      ].join('\n') + '\n',
    status: far.length > 0 || bindings.length > 0 || (options.strict === true && patches.length > 0) ? 1 : unknown.length > 0 ? 2 : 0,
  };
}

/** The command: `npm run pins [-- --check [--strict] [--mirror <url>] [--timeout-ms <n>]]`. */
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
    write(
      `pins: unknown option ${unknown[0]}; usage: npm run pins [-- --check [--strict] | --record <rke2|k3s> <version>] [--mirror <url>] [--timeout-ms <milliseconds>]\n`,
    );
    return 64;
  }
  if (argv.includes('--record')) {
    const [distribution, version] = argv.slice(argv.indexOf('--record') + 1);
    if ((distribution !== 'rke2' && distribution !== 'k3s') || version === undefined || distributionOf(version) !== distribution) {
      write(
        `pins: --record takes rke2 or k3s and a release of it, such as --record rke2 v1.36.5+rke2r1 (given: ${argv.slice(argv.indexOf('--record') + 1).join(' ') || 'nothing'})\n`,
      );
      return 64;
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
    return 64;
  }
  const mirror = option('--mirror') ?? process.env.RANCHER_PINS_MIRROR;
  const report = formatCheck(await checkPins(pins, { mirror: mirror || undefined, timeoutMs }), { strict: argv.includes('--strict') });
  write(report.text);
  return report.status;
}
