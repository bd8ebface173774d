import { recordedRelease, releaseFileUrl, releaseInstaller, type Architecture, type Distribution } from '../../config/release-sums';
import type { SERVER_ARCHITECTURES } from '../../config/sections';

type ServerArchitecture = (typeof SERVER_ARCHITECTURES)[number];

/** The release architecture of a server architecture setting (`x86_64` by default). */
export function releaseArchitecture(architecture: ServerArchitecture | undefined): Architecture {
  return architecture === 'arm64' ? 'arm64' : 'amd64';
}

/**
 * The bootstrap's env lines for a verified install (cluster-lib.sh install_verified): where the installer script and
 * the release file come from, and the SHA-256 each must have. Without `installerUrl` both come from upstream at fixed
 * addresses (the installer at a commit, the file from the release); with it (`airGap.installerUrl`), the installer
 * from there and the release file from the same folder, laid out as GitHub's release downloads
 * (`<folder>/<version>/<file>`). Either way the sums are the recorded ones: a mirror must serve the same bytes.
 * A version without recorded sums gets empty ones, and its servers refuse to install it (fetch_verified): the
 * synth does not refuse it yet (docs/design-notes.md, "Release files and their recorded sums", says why).
 */
/** The environment variables' prefix of each distribution's release files. */
export const RELEASE_PREFIX = { rke2: 'RKE2', k3s: 'K3S' } as const;

export function releaseEnvironment(
  prefix: 'RKE2' | 'K3S',
  version: string,
  architecture: ServerArchitecture | undefined,
  installerUrl?: string,
): [string, string][] {
  const distribution: Distribution = prefix === 'RKE2' ? 'rke2' : 'k3s';
  const arch = releaseArchitecture(architecture);
  const release = recordedRelease(distribution, version);
  const installer = releaseInstaller(distribution, version);
  const file = release?.artifacts[arch]?.file ?? RELEASE_FILE[distribution](arch);
  // The mirror's folder: the installer's address without its file name and query string.
  const folder = installerUrl === undefined ? undefined : installerUrl.replace(/[?#].*$/s, '').replace(/\/[^/]*$/, '');
  return [
    [`${prefix}_INSTALL_URL`, installerUrl ?? installer.url],
    [`${prefix}_INSTALL_SHA256`, installer.sha256],
    [`${prefix}_ARTIFACT_URL`, releaseFileUrl(distribution, version, file, folder)],
    [`${prefix}_ARTIFACT_SHA256`, release?.artifacts[arch]?.sha256 ?? ''],
  ];
}

/** The release file's name, as upstream publishes it (the installers' own names for it). */
const RELEASE_FILE: Readonly<Record<Distribution, (arch: Architecture) => string>> = {
  rke2: (arch) => `rke2.linux-${arch}.tar.gz`,
  k3s: (arch) => (arch === 'amd64' ? 'k3s' : `k3s-${arch}`),
};
