/**
 * Pinned component versions and the compatibility rules checked at synth time.
 *
 * Bumping a pin is a reviewed change: the rules below reject a combination the
 * Rancher chart itself would refuse (`kubeVersion` in its Chart.yaml), so a bad
 * bump fails at `cdktf synth` instead of half-way through an apply.
 */

export const DEFAULT_VERSIONS = {
  /** RKE2 release installed on every server node (INSTALL_RKE2_VERSION). */
  rke2: 'v1.35.7+rke2r1',
  /** K3s release, for `rkeHa.distribution: k3s` (INSTALL_K3S_VERSION). */
  k3s: 'v1.35.7+k3s1',
  /** cert-manager chart version (jetstack). */
  certManager: 'v1.21.1',
  /**
   * Rancher chart version: the newest release in the community `stable`
   * repository (2.14.4 and later 2.14 patches are Rancher Prime only).
   */
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

/**
 * The rancher-backup and rancher-backup-crd charts (one version for both) from Rancher's chart repository, as
 * rancher/charts publishes them: `charts/rancher-backup/109.0.7+up10.0.8/Chart.yaml` packages operator v10.0.8 for
 * Rancher `>= 2.14.0-0 < 2.15.0-0` and Kubernetes `>= 1.33.0-0 < 1.36.0-0`. The chart's patch number lags the
 * operator's (two operator patches were tagged the same day), so it is read, never derived (docs/design-notes.md,
 * "Rancher backups").
 */
export const RANCHER_BACKUP_CHART = { version: '109.0.7+up10.0.8', operator: 'v10.0.8', rancherLine: '2.14' } as const;
