/**
 * Every pin of what the stacks deploy (components, charts, images), once: its version, the day upstream released it
 * and where that was read, and where `npm run pins -- --check` asks for a newer one (docs/development.md, "Bumping a
 * pin"). The code reads its pins from here (DEFAULT_VERSIONS, RANCHER_BACKUP_CHARTS, the upgrade controller's images);
 * the providers and the toolchain are pinned by package.json, which `npm run pins` reads beside this table.
 *
 * Import-free, like versions.ts: the operations CLI reads it too.
 */

/** Where a pin's newer releases are listed. */
export type PinUpstream =
  /** A GitHub repository's releases (`/repos/<repository>/releases`): tags, drafts and pre-releases left out. */
  | { readonly kind: 'github'; readonly repository: string }
  /** A GitHub repository's tags (`/repos/<repository>/git/matching-refs/tags/`): one that tags releases without publishing them. */
  | { readonly kind: 'github-tags'; readonly repository: string }
  /**
   * A Helm repository's `index.yaml`: the chart's versions, pre-releases left out; with `sameMajor`, only those of the
   * pinned major (a chart kept for an older Rancher line, whose next major is the next line's).
   */
  | { readonly kind: 'helm'; readonly repository: string; readonly chart: string; readonly sameMajor?: boolean }
  /** The npm registry's document of a package: its `dist-tags.latest`. */
  | { readonly kind: 'npm'; readonly package: string };

export interface Pin {
  /** What is pinned, as a person names it. */
  readonly name: string;
  /** The pinned version, as upstream spells it. */
  readonly version: string;
  /** The day upstream released it (YYYY-MM-DD), as read in `source`; absent where no source here said it. */
  readonly released?: string;
  /** Where the version and its day were read. */
  readonly source: string;
  readonly upstream: PinUpstream;
}

const RANCHER_CHARTS = 'https://charts.rancher.io';

/**
 * The pins. A key is a stable name the code reads; bumping a pin changes `version`, `released` and `source` here and,
 * for RKE2 and K3s, adds the release's sums to release-sums.ts. The previous defaults stay in PREVIOUS_DEFAULT_VERSIONS
 * (versions.ts) with their sums: the upgrade from them is the acceptance run's and the tests'.
 */
export const PINS = {
  rancher: {
    name: 'Rancher (chart rancher)',
    version: '2.15.2',
    released: '2026-09-23',
    source:
      "a public record of rancher/rancher's releases and of releases.rancher.com/server-charts/stable's index.yaml, read 2026-10-04: v2.15.2 a community release of 2026-09-23 and the latest, the stable index 2.15.2, 2.15.1, 2.14.3; 2.15.3 only as release-candidate and -head builds in public records",
    upstream: { kind: 'helm', repository: 'https://releases.rancher.com/server-charts/stable', chart: 'rancher' },
  },
  rke2: {
    name: 'RKE2',
    version: 'v1.36.3+rke2r1',
    released: '2026-08-04',
    source:
      'rancher/rke2 tag v1.36.3+rke2r1 (commit c4f306e6, its GitHub release 2026-08-04); RKE2 stable channel named v1.36.5+rke2r1 on 2026-10-05, whose tarball sum no public source here records (versions.ts)',
    upstream: { kind: 'github', repository: 'rancher/rke2' },
  },
  k3s: {
    name: 'K3s',
    version: 'v1.36.5+k3s1',
    source:
      "k3s-io/k3s release v1.36.5+k3s1, the release K3s' stable channel names in public records of 2026-10 (its release day not read here); its amd64 binary's sum in a named public repository (release-sums.ts)",
    upstream: { kind: 'github', repository: 'k3s-io/k3s' },
  },
  certManager: {
    name: 'cert-manager (chart cert-manager)',
    version: 'v1.21.2',
    source:
      'jetstack cert-manager v1.21.2, the chart pulled from quay.io/jetstack/charts in public records of 2026-09-27 (its release day not read here); no v1.21.3 or v1.22 in a public record',
    upstream: { kind: 'helm', repository: 'https://charts.jetstack.io', chart: 'cert-manager' },
  },
  rancherBackup: {
    name: 'rancher-backup and rancher-backup-crd charts (Rancher 2.15)',
    version: '110.0.2+up11.0.3',
    released: '2026-09-21',
    source:
      'the operator v11.0.3 released 2026-09-21 (rancher/backup-restore-operator); rancher/charts charts/rancher-backup/110.0.2+up11.0.3/Chart.yaml@3d4d67c78546fdc2d83ca9eb4fa180d763c084ea (operator v11.0.3, Rancher >= 2.15.0-0 < 2.16.0-0, Kubernetes >= 1.34.0-0 < 1.37.0-0)',
    upstream: { kind: 'helm', repository: RANCHER_CHARTS, chart: 'rancher-backup' },
  },
  rancherBackupPrevious: {
    name: 'rancher-backup and rancher-backup-crd charts (Rancher 2.14)',
    version: '109.0.7+up10.0.8',
    source: 'rancher/charts charts/rancher-backup/109.0.7+up10.0.8/Chart.yaml (operator v10.0.8, Rancher >= 2.14.0-0 < 2.15.0-0)',
    upstream: { kind: 'helm', repository: RANCHER_CHARTS, chart: 'rancher-backup', sameMajor: true },
  },
  systemUpgradeController: {
    name: 'system-upgrade-controller (image rancher/system-upgrade-controller)',
    version: 'v0.20.1',
    released: '2026-05-19',
    source:
      'rancher/system-upgrade-controller tag v0.20.1 (newest tag of the snapshot at d357e230, 2026-08-06); v0.20.2 appears in third-party records only, its manifests unreadable here',
    upstream: { kind: 'github', repository: 'rancher/system-upgrade-controller' },
  },
  kubectl: {
    name: 'kubectl of the upgrade Jobs (image rancher/kubectl)',
    version: 'v1.36.2',
    source:
      "rancher/kubectl v1.36.2, the newest tag public records pull (v1.36.3 answered 404 where one tried); within Kubernetes' one-minor skew of servers on 1.35 and 1.36, which the controller's own default (v1.30.3) is not",
    upstream: { kind: 'github', repository: 'rancher/kubectl' },
  },
  awsCli: {
    name: "AWS CLI of k8s-ha's failover fence guard (image amazon/aws-cli)",
    version: '2.36.7',
    released: '2026-07-23',
    source:
      "aws/aws-cli tag 2.36.7 (commit 73fb33bb, 2026-07-23), the newest of the snapshot read 2026-11-29; amazon/aws-cli tags its image with the CLI's version (the repository's docker/Dockerfile). aws/aws-cli publishes tags, not GitHub releases (aws/aws-cli#5471)",
    upstream: { kind: 'github-tags', repository: 'aws/aws-cli' },
  },
  rancher2Provider: {
    name: 'Terraform provider rancher/rancher2 (first login, rancher2_bootstrap)',
    version: '14.1.1',
    released: '2026-05-15',
    source:
      "rancher/terraform-provider-rancher2 tag v14.1.1 (snapshot c37fdac6, 2026-08-18, where v15.0.0, Rancher 2.15's line, is at rc.16 and no release); its compatibility matrix: an earlier provider serves a later Rancher for the fields it has, and the stacks use only rancher2_bootstrap",
    upstream: { kind: 'github', repository: 'rancher/terraform-provider-rancher2' },
  },
} as const satisfies Readonly<Record<string, Pin>>;

export type PinKey = keyof typeof PINS;

/**
 * A component the stacks run that is not pinned on its own: it comes inside a pinned release, and its version is the
 * one that release ships at its tag. `npm run pins -- --check` reads it there and compares it with its own upstream.
 */
export interface ShippedComponent {
  readonly name: string;
  /** The pin whose release ships it. */
  readonly in: 'rke2';
  /** Its chart as the release's `charts/chart_versions.yaml` names it (the file whose basename is `<chart>.yaml`). */
  readonly chart: string;
  /** The image the chart runs, as the release's `scripts/build-images` lists it: `<image>:<version>-build<date>`. */
  readonly image: string;
  readonly source: string;
  readonly upstream: PinUpstream;
}

/**
 * Traefik, RKE2's default ingress controller from 1.36 (rancher/rke2#9786): it carries its own CVEs, fixed in its own
 * patches. RKE2 records at each tag the chart version of rke2-traefik in `charts/chart_versions.yaml` (v1.36.3+rke2r1:
 * 40.1.009, beside rke2-traefik-crd at the same version), and the images its charts run in `scripts/build-images`
 * (v1.36.3+rke2r1: rancher/hardened-traefik v3.7.8-build20260717), which its `scripts/validate-charts` holds to the
 * images the charts of chart_versions.yaml render (the air-gap check). The chart's own `appVersion` is not what runs:
 * rke2-charts' 40.1.009 says v3.7.1 and sets the image tag to v3.7.8-build20260717 in its values (rancher/rke2-charts,
 * assets/rke2-traefik/rke2-traefik-40.1.009.tgz). K3s ships its own Traefik chart, which this does not read.
 */
export const SHIPPED = {
  traefik: {
    name: 'Traefik (in RKE2)',
    in: 'rke2',
    chart: 'rke2-traefik',
    image: 'rancher/hardened-traefik',
    source:
      "rancher/rke2 at the pinned tag: charts/chart_versions.yaml (the rke2-traefik chart's version) and scripts/build-images (the rancher/hardened-traefik image it runs, whose tag is Traefik's version); read by --check",
    upstream: { kind: 'github', repository: 'traefik/traefik' },
  },
} as const satisfies Readonly<Record<string, ShippedComponent>>;
