import { stringify } from 'yaml';
import { upstreamUrl } from '../../scripts/pins';
import type { PinUpstream } from '../../lib/config/pins';

/**
 * Recorded answers of the upstreams `npm run pins -- --check` asks, by the address it asks (without `https://`), in
 * the shapes upstream gives them, with the traits that can mislead a check:
 * - GitHub's REST API, "List releases" (docs.github.com/rest/releases/releases): an array of release objects with
 *   `tag_name`, `draft`, `prerelease`, `published_at`, ordered by creation, newest first: a patch of an older line
 *   published after a newer line's release comes first, and release candidates are listed with `prerelease: true`.
 * - A Helm repository's `index.yaml` (helm.sh/docs/topics/chart_repository, "The index file"): `apiVersion: v1`,
 *   `entries.<chart>[]` with `version` and `created`; release candidates (`2.16.0-rc1`) are listed beside releases.
 * - The npm registry's package document (github.com/npm/registry, "package endpoints"): `dist-tags.latest`,
 *   `versions`, `time`; a pre-release may be newer than `latest` but is not tagged `latest`.
 */
export type Answers = Record<string, { status: number; body: string } | 'hang'>;

/** GitHub's list of releases: `tags` as given (newest first), `candidates` added as pre-releases, first. */
export function githubReleases(tags: readonly string[], candidates: readonly string[] = []): string {
  const release = (tag: string, prerelease: boolean, i: number) => ({
    tag_name: tag,
    name: tag,
    draft: false,
    prerelease,
    published_at: new Date(Date.UTC(2026, 10, 20 - i)).toISOString(),
  });
  return JSON.stringify([...candidates.map((t, i) => release(t, true, i)), ...tags.map((t, i) => release(t, false, i + candidates.length))]);
}

/** A Helm repository index holding `versions` of `chart` (and of `other`, another chart in the same index). */
export function helmIndex(chart: string, versions: readonly string[], other: Record<string, readonly string[]> = {}): string {
  const entry = (name: string, version: string) => ({
    apiVersion: 'v2',
    name,
    version,
    created: '2026-11-01T00:00:00Z',
    urls: [`${name}-${version}.tgz`],
  });
  const entries = Object.fromEntries(Object.entries({ [chart]: versions, ...other }).map(([name, list]) => [name, list.map((v) => entry(name, v))]));
  return stringify({ apiVersion: 'v1', entries, generated: '2026-11-26T00:00:00Z' });
}

/** The npm registry's document of a package whose `latest` is `latest` (and `next`, a newer pre-release). */
export function npmDocument(name: string, latest: string, next?: string): string {
  const versions = [latest, ...(next ? [next] : [])];
  return JSON.stringify({
    name,
    'dist-tags': { latest, ...(next ? { next } : {}) },
    versions: Object.fromEntries(versions.map((v) => [v, { name, version: v }])),
    time: Object.fromEntries(versions.map((v) => [v, '2026-11-01T00:00:00.000Z'])),
  });
}

/**
 * The npm document of a provider binding whose `latest` binds `provider` at `providerVersion`: each version's manifest
 * carries the binding's package.json, whose `cdktf.provider` names the Terraform provider it was generated from
 * (`npm view @cdktn/provider-aws@25.7.0 cdktf`: `{ name: 'registry.terraform.io/hashicorp/aws', version: '6.66.0' }`;
 * @cdktf/provider-aws 21.22.1's says 6.25.0).
 */
export function bindingDocument(name: string, latest: string, provider: string, providerVersion: string): string {
  return JSON.stringify({
    name,
    'dist-tags': { latest },
    versions: { [latest]: { name, version: latest, cdktf: { provider: { name: `registry.terraform.io/${provider}`, version: providerVersion } } } },
    time: { [latest]: '2026-09-23T00:00:00.000Z' },
  });
}

/** The key of an upstream's answer: the address the check asks, without the scheme. */
export const answerKey = (upstream: PinUpstream): string => upstreamUrl(upstream).replace(/^https:\/\//, '');
