import { stringify } from 'yaml';
import { rke2Files, upstreamUrl } from '../../scripts/pins';
import type { PinUpstream } from '../../lib/config/pins';

/**
 * Recorded answers of the upstreams `npm run pins -- --check` asks, by the address it asks (without `https://`), in
 * the shapes upstream gives them, with the traits that can mislead a check:
 * - GitHub's REST API, "List releases" (docs.github.com/rest/releases/releases): an array of release objects with
 *   `tag_name`, `draft`, `prerelease`, `published_at`, ordered by creation, newest first: a patch of an older line
 *   published after a newer line's release comes first, and release candidates are listed with `prerelease: true`.
 * - A Helm repository's `index.yaml` (helm.sh/docs/topics/chart_repository, "The index file"): `apiVersion: v1`,
 *   `entries.<chart>[]` with `version` and `created`; release candidates (`2.16.0-rc1`) are listed beside releases.
 *   `helm repo index` writes each chart's Chart.yaml metadata into its entry (Helm's repo.ChartVersion embeds
 *   chart.Metadata), so an entry carries the chart's `kubeVersion`: Rancher's chart says `< 1.37.0-0` on the 2.15
 *   line (rancher/rancher chart/Chart.yaml), `< 1.36.0-0` on 2.14.
 * - RKE2's records at a release tag, read from raw.githubusercontent.com: `charts/chart_versions.yaml` (`charts[]` with
 *   `version`, `filename: /charts/<chart>.yaml`, `bootstrap`; rke2-traefik and rke2-traefik-crd at one version, as at
 *   v1.36.3+rke2r1: 40.1.009) and `scripts/build-images` (a shell script whose here-documents list the images as
 *   `${REGISTRY}/<repository>:<tag>`, v1.36.3+rke2r1: `rancher/hardened-traefik:v3.7.8-build20260717`). The chart's
 *   version is not Traefik's, and its appVersion is not what runs (40.1.009 says v3.7.1): the image list is.
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

/**
 * A Helm repository index holding `versions` of `chart` (and of `other`, another chart in the same index); `kubeVersion`
 * gives a version's entry the chart's constraint, as Chart.yaml says it.
 */
export function helmIndex(
  chart: string,
  versions: readonly string[],
  other: Record<string, readonly string[]> = {},
  kubeVersion: Record<string, string> = {},
): string {
  const entry = (name: string, version: string) => ({
    apiVersion: 'v2',
    name,
    version,
    ...(name === chart && kubeVersion[version] !== undefined ? { kubeVersion: kubeVersion[version] } : {}),
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
/**
 * GitHub's "List matching references" answer for `tags/`: a reference per tag (`refs/tags/<tag>`, its commit), in the
 * names' order, as git sorts refs (aws/aws-cli's 1.x and 2.x tags interleaved: the order says nothing of versions).
 */
export function githubTags(tags: readonly string[]): string {
  return JSON.stringify(
    [...tags].sort().map((tag, i) => ({ ref: `refs/tags/${tag}`, object: { sha: String(i).padStart(40, '0'), type: 'commit' } })),
  );
}

export const answerKey = (upstream: PinUpstream): string => upstreamUrl(upstream).replace(/^https:\/\//, '');

/** The Rancher chart's index with `versions`, each 2.15 release saying `< 1.37.0-0` and each 2.14 `< 1.36.0-0`, as its Chart.yaml does. */
export function rancherIndex(versions: readonly string[]): string {
  const bound = (v: string) => (v.startsWith('2.14.') ? '< 1.36.0-0' : v.startsWith('2.15.') ? '< 1.37.0-0' : undefined);
  return helmIndex('rancher', versions, {}, Object.fromEntries(versions.flatMap((v) => (bound(v) ? [[v, bound(v)!]] : []))));
}

/** RKE2's charts/chart_versions.yaml at a tag: the charts it builds in, rke2-traefik's and its CRD chart at `traefik`. */
export function rke2ChartVersions(traefik: string | undefined): string {
  const charts = [
    { version: 'v3.32.1-build2026072200', filename: '/charts/rke2-canal.yaml', bootstrap: true },
    { version: '1.46.201', filename: '/charts/rke2-coredns.yaml', bootstrap: true },
    { version: '4.15.107', filename: '/charts/rke2-ingress-nginx.yaml', bootstrap: false },
    ...(traefik === undefined
      ? []
      : [
          { version: traefik, filename: '/charts/rke2-traefik.yaml', bootstrap: false },
          { version: traefik, filename: '/charts/rke2-traefik-crd.yaml', bootstrap: false },
        ]),
    { version: '3.13.105', filename: '/charts/rke2-metrics-server.yaml', bootstrap: false },
  ];
  return stringify({ charts });
}

/** RKE2's scripts/build-images at a tag: the image lists as here-documents, the Traefik image at `traefik` (`v3.7.8-build20260717`). */
export function rke2BuildImages(traefik: readonly string[]): string {
  return [
    '#!/usr/bin/env bash',
    'set -ex',
    'xargs -n1 -t $PULL_CMD_CORE << EOF >> $BUILD_DIR/images-core.txt',
    '    ${REGISTRY}/rancher/hardened-kubernetes:${KUBERNETES_IMAGE_TAG}',
    '    ${REGISTRY}/rancher/hardened-coredns:v1.14.6-build20260722',
    '    ${REGISTRY}/rancher/klipper-helm:${KLIPPERHELM_VERSION}',
    ...traefik.map((tag) => `    \${REGISTRY}/rancher/hardened-traefik:${tag}`),
    'EOF',
    '',
  ].join('\n');
}

/** The keys of RKE2's two records at `tag`. */
export const rke2FileKeys = (tag: string): { charts: string; images: string } => {
  const files = rke2Files(tag);
  return { charts: files.charts.replace(/^https:\/\//, ''), images: files.images.replace(/^https:\/\//, '') };
};
