import { Annotations } from 'cdktf';
import type { Construct } from 'constructs';
import type { Architecture } from '../../config/instance-types';
import { rancherLine } from '../../config/versions';

/**
 * Rancher's own word on arm64: the docs page "Running on ARM64 Mixed Architecture (Experimental)", the same at
 * Rancher 2.12, 2.13, 2.14 and the latest docs (read there; no 2.15 page was read), calls arm64 nodes an experimental
 * feature that Rancher does not yet officially support, not recommended for production (docs/design-notes.md, "arm64").
 */
export const ARM64_SUPPORT_PAGE =
  'https://ranchermanager.docs.rancher.com/how-to-guides/advanced-user-guides/enable-experimental-features/rancher-on-arm64';

/** The warning a deployment on Graviton carries, naming the setting and the Rancher version it runs. */
export function arm64Warning(setting: string, rancherVersion: string): string {
  const line = rancherLine(rancherVersion) ?? rancherVersion;
  return `${setting} arm64: Rancher's docs call running on arm64 experimental (Rancher ${line} here), not yet officially supported and not recommended for production (${ARM64_SUPPORT_PAGE})`;
}

/** Warns on the construct when its servers run on arm64. */
export function warnOnArm64(scope: Construct, architecture: Architecture | undefined, setting: string, rancherVersion: string): void {
  if (architecture === 'arm64') Annotations.of(scope).addWarning(arm64Warning(setting, rancherVersion));
}
