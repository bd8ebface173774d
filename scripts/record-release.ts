// npm run pins -- --record <rke2|k3s> <version>: the SHA-256 of a release's files, read from two places upstream
// publishes them, compared, and printed as the entry lib/config/release-sums.ts takes, with its sources. A reviewed
// change puts it there (docs/development.md, "Recording a release's sums"); nothing is written by itself.
import { releaseFileName, type Architecture, type Distribution } from '../lib/config/release-sums';
import { viaMirror, type Fetch } from './pins';

const REPOSITORY: Readonly<Record<Distribution, string>> = { rke2: 'rancher/rke2', k3s: 'k3s-io/k3s' };
const ARCHITECTURES: readonly Architecture[] = ['amd64', 'arm64'];

/** The addresses read: the release's own sums file per architecture, and GitHub's record of the release's assets. */
export function recordAddresses(distribution: Distribution, version: string): { sums: Record<Architecture, string>; release: string } {
  const repository = REPOSITORY[distribution];
  // As the installers spell a release in a path: `+` would read as a space in some servers' paths.
  const tag = version.replace(/\+/g, '%2B');
  return {
    sums: Object.fromEntries(
      ARCHITECTURES.map((arch) => [arch, `https://github.com/${repository}/releases/download/${tag}/sha256sum-${arch}.txt`]),
    ) as Record<Architecture, string>,
    release: `https://api.github.com/repos/${repository}/releases/tags/${tag}`,
  };
}

/** The sum a `sha256sum` listing gives `file` (`<64 hex>  <name>` lines, `*` before the name in binary mode). */
export function sumInListing(listing: string, file: string): string | undefined {
  for (const line of listing.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+?)\s*$/.exec(line.trim());
    if (m && m[2] === file) return m[1];
  }
  return undefined;
}

/** The sum GitHub records of the release's asset `file` (REST API "Get a release by tag name": assets[].digest, `sha256:<hex>`). */
export function sumInRelease(body: string, file: string): string | undefined {
  const release = JSON.parse(body) as { assets?: { name?: unknown; digest?: unknown }[] };
  const digest = release.assets?.find((a) => a.name === file)?.digest;
  return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest.slice('sha256:'.length) : undefined;
}

export interface RecordOutcome {
  /** The entry's lines for release-sums.ts, when every architecture's sum was read twice and agreed. */
  readonly entry?: string;
  /** What stopped it, one line each. */
  readonly problems: readonly string[];
}

/** Reads both places for each architecture, and either the entry or why not. */
export async function recordRelease(
  distribution: Distribution,
  version: string,
  fetch: Fetch,
  options: { readonly mirror?: string; readonly timeoutMs?: number } = {},
): Promise<RecordOutcome> {
  const addresses = recordAddresses(distribution, version);
  const timeoutMs = options.timeoutMs ?? 15000;
  const read = async (url: string): Promise<{ body?: string; problem?: string }> => {
    const asked = viaMirror(url, options.mirror);
    try {
      const answer = await fetch(asked, timeoutMs);
      return answer.status === 200 ? { body: answer.body } : { problem: `${asked}: HTTP ${answer.status}` };
    } catch (error) {
      const e = error as Error;
      return { problem: `${asked}: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((e.cause as Error)?.message ?? e.message)}` };
    }
  };
  const release = await read(addresses.release);
  const problems: string[] = release.problem ? [release.problem] : [];
  const files: string[] = [];
  for (const arch of ARCHITECTURES) {
    const file = releaseFileName(distribution, arch);
    const listing = await read(addresses.sums[arch]);
    if (listing.problem) {
      problems.push(listing.problem);
      continue;
    }
    const fromListing = sumInListing(listing.body!, file);
    let fromRelease: string | undefined;
    try {
      fromRelease = release.body === undefined ? undefined : sumInRelease(release.body, file);
    } catch (error) {
      problems.push(`${addresses.release}: ${(error as Error).message}`);
      continue;
    }
    if (fromListing === undefined) problems.push(`sha256sum-${arch}.txt of ${version} lists no ${file}`);
    else if (release.body !== undefined && fromRelease === undefined) problems.push(`the release ${version} records no digest of ${file}`);
    else if (fromRelease !== undefined && fromRelease !== fromListing)
      problems.push(`${file} of ${version}: sha256sum-${arch}.txt says ${fromListing}, the release's asset digest ${fromRelease}; record neither`);
    else if (fromRelease !== undefined)
      files.push(
        [
          `      ${arch}: {`,
          `        file: '${file}',`,
          `        sha256: '${fromListing}',`,
          `        sources: ['${REPOSITORY[distribution]} release ${version} sha256sum-${arch}.txt', '${REPOSITORY[distribution]} release ${version} asset digest (GitHub REST API)'],`,
          '      },',
        ].join('\n'),
      );
  }
  if (problems.length > 0) return { problems };
  return {
    entry: [
      `  '${version}': {`,
      `    // installer: install.sh at the tag's commit, its sum computed from the file (git show '${version}:install.sh' | sha256sum)`,
      '    artifacts: {',
      ...files,
      '    },',
      '  },',
    ].join('\n'),
    problems,
  };
}
