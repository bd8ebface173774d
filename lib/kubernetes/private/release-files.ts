import {
  releaseArchitecture,
  releaseFileName,
  releaseFileSum,
  releaseFileUrl,
  releaseInstaller,
  releaseSumsFileName,
  type Distribution,
  type SuppliedSums,
} from '../../config/release-sums';
import type { SERVER_ARCHITECTURES } from '../../config/sections';

type ServerArchitecture = (typeof SERVER_ARCHITECTURES)[number];

/** The environment variables' prefix of each distribution's release files. */
const PREFIX: Readonly<Record<Distribution, string>> = { rke2: 'RKE2', k3s: 'K3S' };

/**
 * The bootstrap's env lines for a verified install (cluster-lib.sh fetch_verified): where the installer script and
 * the release file come from, and the SHA-256 each must have. Without `installerUrl` both come from upstream at fixed
 * addresses (the installer at a commit, the file from the release); with it (`airGap.installerUrl`), the installer
 * from there and the release file from the same folder, laid out as GitHub's release downloads
 * (`<folder>/<version>/<file>`). Either way the sums are the recorded ones, or for a release the project does not
 * record the operator's (`versions.releaseSums`, `supplied`): a mirror must serve the same bytes. The settings refuse
 * a version whose release file has neither (missingReleaseSums); should one get here, its sum is empty and the
 * servers refuse to install it (fetch_verified).
 *
 * From upstream (no mirror), the release's own sums file (`sha256sum-<arch>.txt`, published with the release) is a
 * second record the servers read at boot (`<PREFIX>_RELEASE_SUMS_URL`, cluster-lib.sh check_release_sums): the
 * recorded sum rests on one public record for most releases (release-sums.ts), and the release itself must agree
 * with it. Behind a mirror (an air gap) there is no second, independent origin: the recorded sum alone, as before.
 */
export function releaseEnvironment(
  distribution: Distribution,
  version: string,
  architecture: ServerArchitecture | undefined,
  installerUrl?: string,
  supplied?: SuppliedSums,
): [string, string][] {
  const prefix = PREFIX[distribution];
  const arch = releaseArchitecture(architecture);
  const installer = releaseInstaller(distribution, version);
  const artifact = releaseFileSum(distribution, version, arch, supplied);
  const file = artifact?.file ?? releaseFileName(distribution, arch);
  // The mirror's folder: the installer's address without its file name and query string.
  const folder = installerUrl === undefined ? undefined : installerUrl.replace(/[?#].*$/s, '').replace(/\/[^/]*$/, '');
  return [
    [`${prefix}_INSTALL_URL`, installerUrl ?? installer.url],
    [`${prefix}_INSTALL_SHA256`, installer.sha256],
    [`${prefix}_ARTIFACT_URL`, releaseFileUrl(distribution, version, file, folder)],
    [`${prefix}_ARTIFACT_SHA256`, artifact?.sha256 ?? ''],
    ...(folder === undefined
      ? [[`${prefix}_RELEASE_SUMS_URL`, releaseFileUrl(distribution, version, releaseSumsFileName(arch))] as [string, string]]
      : []),
  ];
}
