import { createHash } from 'node:crypto';
import { distributionOf, recordedRelease, releaseFileName, type Architecture, type SuppliedSums } from '../../lib/config/release-sums';

/**
 * Sums for the fictional releases the tests name (upgrade targets such as v1.36.1+rke2r1, Kubernetes minors at the
 * edges of Rancher's range), supplied through `versions.releaseSums` as an operator supplies the sums of a release the
 * project does not record. Each is well formed (64 hex characters), stable and distinct (made from the version and the
 * file name), and fictional: no server checks a real file against one. The recorded table is never overridden: a file
 * with a recorded sum gets none here.
 */

const ARCHITECTURES: readonly Architecture[] = ['amd64', 'arm64'];

/** The fictional sum of a release file. */
export function testSum(version: string, file: string): string {
  return createHash('sha256').update(`fictional release file ${version} ${file}`).digest('hex');
}

/** `versions.releaseSums` for these versions: each release file of its distribution that has no recorded sum. */
export function testReleaseSums(...versions: readonly unknown[]): Record<string, Record<string, string>> {
  const sums: Record<string, Record<string, string>> = {};
  for (const version of versions) {
    const distribution = typeof version === 'string' ? distributionOf(version) : undefined;
    if (distribution === undefined) continue;
    const recorded = recordedRelease(distribution, version as string);
    for (const arch of ARCHITECTURES) {
      if (recorded?.artifacts[arch] !== undefined) continue;
      const file = releaseFileName(distribution, arch);
      (sums[version as string] ??= {})[file] = testSum(version as string, file);
    }
  }
  return sums;
}

/**
 * The settings (or a construct's props) with test sums for the versions they name in `versions.rke2` and
 * `versions.k3s`, added to any `versions.releaseSums` they have; everything else as given.
 */
export function withTestSums<T>(settings: T): T {
  const s = settings as { versions?: { rke2?: unknown; k3s?: unknown; releaseSums?: SuppliedSums } };
  const versions = s.versions ?? {};
  const releaseSums = { ...testReleaseSums(versions.rke2, versions.k3s), ...(versions.releaseSums ?? {}) };
  if (Object.keys(releaseSums).length === 0) return settings;
  return { ...settings, versions: { ...versions, releaseSums } };
}

/**
 * A fictional release twenty patches above `version` (v1.36.3+rke2r1 → v1.36.23+rke2r1, far above any published
 * patch, so no real release takes a fictional sum): "a newer release than the pin", whatever the pin is.
 */
export function patchAbove(version: string): string {
  return version.replace(/^(v1\.\d+\.)(\d+)/, (_, head: string, patch: string) => `${head}${Number(patch) + 20}`);
}
