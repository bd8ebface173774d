/**
 * Pinned component versions and the compatibility rules checked at synth time.
 *
 * Bumping a pin is a reviewed change: the rules below reject a combination the
 * Rancher chart itself would refuse (`kubeVersion` in its Chart.yaml), so a bad
 * bump fails at `cdktf synth` instead of half-way through an apply. The pins
 * themselves, with their release days and sources, are in pins.ts.
 */

import { PINS } from './pins';

/**
 * The versions a deployment gets when its settings name none.
 *
 * - Rancher: the newest community 2.15 patch (2.15.0 2026-07-30, 2.15.1 2026-08-28, 2.15.2 2026-09-23); 2.14's patches
 *   after 2.14.3 are Rancher Prime only.
 * - RKE2 and K3s: the 1.36 line, the newest Kubernetes minor Rancher 2.15 accepts (chart kubeVersion `< 1.37.0-0`) and
 *   the line RKE2's `stable` channel names (v1.36.5+rke2r1 since 2026-10-05, as public records of the channel say; the
 *   stored rancher/rke2 snapshot, 6ce1a801 of 2026-08-21, ends at v1.36.3 and its channels.yaml still names v1.35.7;
 *   K3s' stable is v1.36.5+k3s1 in public records; v1.37.1 exists but needs Rancher 2.16).
 *   RKE2 stays on v1.36.3: the servers install only a release file whose SHA-256 is recorded (release-sums.ts), and
 *   no public source reachable here records the sum of v1.36.4's or v1.36.5's `rke2.linux-<arch>.tar.gz`; v1.36.3 is
 *   the newest 1.36 patch whose tarball sums, both architectures, are read in a named public repository at a commit,
 *   and whose installer was read at its tag here. K3s is on v1.36.5, whose amd64 binary's sum a named public
 *   repository pins (one record, so the synth warns); no record of its arm64 sum was found, so arm64 K3s servers on
 *   the default need a supplied sum or `versions.k3s: v1.36.3+k3s1`, whose sums are recorded for both. Every boot also
 *   checks the file against the release's own sums file where it can reach the release. From RKE2 1.36 new
 *   clusters default to Traefik (rancher/rke2#9786), as rke-ha's already do; ingress-nginx still ships in 1.36
 *   (RKE2_INGRESS_NGINX_LAST_MINOR).
 * - cert-manager: the newest v1.21 patch in a public record.
 */
export const DEFAULT_VERSIONS = {
  /** RKE2 release installed on every server node (INSTALL_RKE2_VERSION). */
  rke2: PINS.rke2.version,
  /** K3s release, for `rkeHa.distribution: k3s` (INSTALL_K3S_VERSION). */
  k3s: PINS.k3s.version,
  /** cert-manager chart version (jetstack). */
  certManager: PINS.certManager.version,
  /** Rancher chart version: the newest release in the community `stable` repository. */
  rancher: PINS.rancher.version,
} as const;

/**
 * The defaults of the release before (0.4.0): a deployment made with them upgrades to DEFAULT_VERSIONS, so their
 * release sums stay recorded and the upgrade from them is tested (the acceptance run starts from its RKE2 release).
 */
export const PREVIOUS_DEFAULT_VERSIONS = {
  rke2: 'v1.35.7+rke2r1',
  k3s: 'v1.35.7+k3s1',
  certManager: 'v1.21.1',
  rancher: '2.14.3',
} as const;

/**
 * Highest Kubernetes minor (exclusive) each Rancher line accepts, from the
 * `kubeVersion` constraint of its chart, and the lowest minor it is supported on.
 */
export const RANCHER_KUBERNETES_RANGE: Readonly<Record<string, { readonly min: number; readonly maxExclusive: number }>> = {
  '2.12': { min: 31, maxExclusive: 34 },
  '2.13': { min: 32, maxExclusive: 35 },
  '2.14': { min: 33, maxExclusive: 36 },
  '2.15': { min: 34, maxExclusive: 37 },
};

/**
 * Rancher lines whose community releases have ended, and their last community
 * patch: from the next line's release on, Rancher publishes a line's patches to
 * Rancher Prime only. From Rancher's own records: the version tables of its
 * docs (x.4 and later of 2.10-2.13 are Prime only) and the promotions to the
 * community stable repository (the last of 2.14 is 2.14.3, before 2.15.0 shipped).
 */
export const COMMUNITY_LAST_PATCH: Readonly<Record<string, number>> = {
  '2.12': 3,
  '2.13': 3,
  '2.14': 3,
};

/** Rancher refuses to be happy with an older cert-manager. */
export const MIN_CERT_MANAGER_MINOR = 15;

/**
 * Rancher's move of its own ingress off ingress-nginx (rancher/rancher-docs#2239, rancher/rancher#53338) is taken from
 * this release on: below it a running deployment's ingress class stays.
 */
export const INGRESS_MIGRATION_MIN_RANCHER = '2.14.0';

/** From this Kubernetes minor RKE2 defaults new clusters to Traefik; ingress-nginx is gone in the next. */
export const RKE2_INGRESS_NGINX_LAST_MINOR = 36;

// Release tags as published: numbers without leading zeros (v1.035.7+rke2r1 names no release; the installer would 404).
const RKE2_VERSION = /^v1\.(0|[1-9]\d*)\.(0|[1-9]\d*)\+rke2r([1-9]\d*)$/;
const K3S_VERSION = /^v1\.(0|[1-9]\d*)\.(0|[1-9]\d*)\+k3s([1-9]\d*)$/;
const RANCHER_VERSION = /^(2\.(?:0|[1-9]\d*))\.(0|[1-9]\d*)$/;
const CERT_MANAGER_VERSION = /^v1\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export const VERSION_FORMATS = {
  rke2: RKE2_VERSION,
  k3s: K3S_VERSION,
  rancher: RANCHER_VERSION,
  certManager: CERT_MANAGER_VERSION,
} as const;

/** Kubernetes minor of an RKE2 release, e.g. 35 for v1.35.2+rke2r1. */
export function rke2KubernetesMinor(version: string): number | undefined {
  const m = RKE2_VERSION.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** Kubernetes minor of a K3s release, e.g. 35 for v1.35.7+k3s1. */
export function k3sKubernetesMinor(version: string): number | undefined {
  const m = K3S_VERSION.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** Rancher release line, e.g. "2.14" for 2.14.3. */
export function rancherLine(version: string): string | undefined {
  return RANCHER_VERSION.exec(version)?.[1];
}

/**
 * The full version to write for a Rancher line given without its patch: the default's patch on the default's line,
 * the last community patch of a line whose community releases have ended, the line's first release otherwise.
 */
export function rancherFullVersion(line: string): string | undefined {
  if (RANCHER_KUBERNETES_RANGE[line] === undefined) return undefined;
  if (rancherLine(DEFAULT_VERSIONS.rancher) === line) return DEFAULT_VERSIONS.rancher;
  const last = COMMUNITY_LAST_PATCH[line];
  return `${line}.${last ?? 0}`;
}

/**
 * What to write instead of a Rancher version that is a number to YAML (an unquoted `2.15`) or a line without its
 * patch (`"2.15"`): one message with the full version, quoted; undefined for any other value.
 */
export function rancherVersionFix(given: unknown): string | undefined {
  const text = typeof given === 'number' && Number.isFinite(given) ? String(given) : typeof given === 'string' ? given.trim() : undefined;
  if (text === undefined || !/^\d+\.\d+$/.test(text)) return undefined;
  const full = rancherFullVersion(text);
  const what =
    typeof given === 'number'
      ? `is the number ${text} to YAML (it is unquoted), and a Rancher version is text with its patch`
      : `names Rancher's ${text} line without its patch`;
  if (full !== undefined) return `${what}: write versions.rancher: "${full}"`;
  const known = Object.keys(RANCHER_KUBERNETES_RANGE).join(', ');
  return `${what}; this release knows the lines ${known}: write one in full, quoted, such as versions.rancher: "${DEFAULT_VERSIONS.rancher}"`;
}

/** True when Rancher published this version to Rancher Prime only (see COMMUNITY_LAST_PATCH). */
export function primeOnly(version: string): boolean {
  const m = RANCHER_VERSION.exec(version);
  if (!m) return false;
  const last = COMMUNITY_LAST_PATCH[m[1]];
  return last !== undefined && Number(m[2]) > last;
}

export function certManagerMinor(version: string): number | undefined {
  const m = CERT_MANAGER_VERSION.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** A rancher-backup chart (the rancher-backup-crd chart has the same version) and the operator it packages. */
export interface RancherBackupChart {
  readonly version: string;
  readonly operator: string;
  /** The Rancher line it is published for (`catalog.cattle.io/rancher-version`). */
  readonly rancherLine: string;
}

/**
 * The rancher-backup and rancher-backup-crd charts (one version for both) from Rancher's chart repository, one per
 * Rancher line, as rancher/charts publishes them: `charts/rancher-backup/110.0.2+up11.0.3/Chart.yaml` packages
 * operator v11.0.3 for Rancher `>= 2.15.0-0 < 2.16.0-0` and Kubernetes `>= 1.34.0-0 < 1.37.0-0`;
 * `109.0.7+up10.0.8` operator v10.0.8 for Rancher `>= 2.14.0-0 < 2.15.0-0` and Kubernetes `>= 1.33.0-0 < 1.36.0-0`.
 * The chart's patch number lags the operator's, so it is read, never derived (docs/design-notes.md, "Rancher
 * backups"). A deployment gets the chart of the Rancher line it runs: the operator moves with Rancher, in the same apply.
 */
export const RANCHER_BACKUP_CHARTS: Readonly<Record<string, RancherBackupChart>> = {
  '2.14': { version: PINS.rancherBackupPrevious.version, operator: 'v10.0.8', rancherLine: '2.14' },
  '2.15': { version: PINS.rancherBackup.version, operator: 'v11.0.3', rancherLine: '2.15' },
};

/** The rancher-backup chart of a Rancher version's line; the default line's for a version of no line this project pins. */
export function rancherBackupChart(rancherVersion: string | undefined): RancherBackupChart {
  const line = rancherVersion === undefined ? undefined : rancherLine(rancherVersion);
  return (
    (line !== undefined && Object.prototype.hasOwnProperty.call(RANCHER_BACKUP_CHARTS, line) ? RANCHER_BACKUP_CHARTS[line] : undefined) ??
    RANCHER_BACKUP_CHART
  );
}

/** The rancher-backup chart of the default Rancher line. */
export const RANCHER_BACKUP_CHART: RancherBackupChart = RANCHER_BACKUP_CHARTS[rancherLine(DEFAULT_VERSIONS.rancher)!];
