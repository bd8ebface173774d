/**
 * SHA-256 sums of the release files the servers would install, recorded per
 * distribution, version and architecture (issue 37, item 1).
 *
 * These machines cannot download GitHub release assets, so no sum here was
 * computed from the asset itself: each was read in public repositories that
 * pin the same file, and each cites where (repository, path, commit). A sum is
 * recorded only when found; none is derived or guessed. The installer scripts'
 * sums were computed here from the upstream repository at the release's tag
 * (docs/design-notes.md, "Release files and their recorded sums", lists every
 * source and what was not found).
 *
 * Every version in DEFAULT_VERSIONS must have its entry (a test holds this):
 * bumping a pin without recording the new release's sums fails.
 */

export type Distribution = 'rke2' | 'k3s';
export type Architecture = 'amd64';

export interface RecordedFile {
  /** The file's name in the release (GitHub's release downloads, or the repository at the tag for an installer). */
  readonly file: string;
  /** Lower-case hex. */
  readonly sha256: string;
  /** Size in bytes, where a source recorded it. */
  readonly bytes?: number;
  /** Where the sum was read: `owner/repository path@commit` (at least one, two where found). */
  readonly sources: readonly string[];
}

export interface RecordedRelease {
  /** The upstream installer script at the release's tag, where its sum is recorded. */
  readonly installer?: RecordedFile;
  /** The release file that carries the distribution, per architecture. */
  readonly artifacts: Readonly<Record<Architecture, RecordedFile>>;
}

export const RECORDED_SUMS: Readonly<Record<Distribution, Readonly<Record<string, RecordedRelease>>>> = {
  rke2: {
    'v1.35.7+rke2r1': {
      installer: {
        file: 'install.sh',
        sha256: '2d24db2184dd6b1a5e281fa45cc9a8234c889394721746f89b5fe953fdaaf40a',
        bytes: 25288,
        sources: [
          // Computed from the file itself: the tag v1.35.7+rke2r1 is commit 382a8b31.
          'rancher/rke2 install.sh@382a8b31a8fd78e376ab6f02c4bb0ec5592aada2',
          'vivym/vela deploy/lab/rke2-airgap/release.env@85799d9fc164e5b4abc08282272ca3338882244a',
          'kaycee1771/verda-platform-takehome versions.lock.yaml@ac58095f8feab8c3febdb091080acaefb9d0e82a',
        ],
      },
      artifacts: {
        amd64: {
          file: 'rke2.linux-amd64.tar.gz',
          sha256: '7a29a6fbf512903a6a4611a289bcb3bdf01ddeea9df1a09b1bd1f210f3d6948a',
          bytes: 40598468,
          sources: [
            'vivym/vela deploy/lab/rke2-airgap/release.env@85799d9fc164e5b4abc08282272ca3338882244a',
            'kaycee1771/verda-platform-takehome versions.lock.yaml@ac58095f8feab8c3febdb091080acaefb9d0e82a',
            'KornaKube/terraform-hcloud-kube-hetzner locals.tf@93f53303ee6672ff1c8bf22b83d7c203f82f666c',
          ],
        },
      },
    },
  },
  k3s: {
    'v1.35.7+k3s1': {
      // No sum of install.sh at v1.35.7+k3s1 was found, and the k3s repository was too large to fetch here.
      artifacts: {
        amd64: {
          file: 'k3s',
          sha256: '5fc25309c53031e0cf03f7ee85f6f60969381ff3649039ffda19e30f5c26947a',
          sources: ['BIRAJ49/OpsForge infra/terraform/variables.tf@b1b55332f9c14862176cb04e8fd9be1917a36eae'],
        },
      },
    },
  },
};

/** The recorded sums of a release, or undefined when this project records none for it. */
export function recordedRelease(distribution: Distribution, version: string): RecordedRelease | undefined {
  return Object.prototype.hasOwnProperty.call(RECORDED_SUMS[distribution], version) ? RECORDED_SUMS[distribution][version] : undefined;
}
