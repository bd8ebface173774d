import { stringify } from 'yaml';
import { cloudConfig, envFile, rootFile, serverBootFiles, serverScriptFile } from '../../nodes/private/boot-files';
import CLUSTER_LIB from '../cluster-lib.sh';
import RKE2_BOOTSTRAP from '../rke2-bootstrap.sh';
import RKE2_RESTORE from '../rke2-restore.sh';
import { dualStackFiles } from './dual-stack';

import { cisFiles } from './cis-profile';
import type { ServerNodeIdentity } from './node-identity';
import { identityEnvironment } from './node-identity';
import { RANCHER_RPM_KEY_FINGERPRINT, rhelFamily, rhelFamilyFiles, rke2RpmChannels } from './rhel-family';
import { rke2Config } from './rke2-config';
import { registryFiles } from './registry-login';
import { releaseEnvironment } from './release-files';
import { type Rke2Settings } from './rke2-settings';
import { serverUnits } from './server-units';
import { startTimeoutFiles } from './start-timeout';

/** A server's place in the cluster (shared by the RKE2 and K3s bootstraps). */
export type Rke2NodeIdentity = ServerNodeIdentity;

export const BOOTSTRAP_SCRIPT_PATH = '/usr/local/sbin/rke2-bootstrap.sh';
/** Restores the cluster from an etcd snapshot in S3 on a server the bootstrap left stopped (rke2-restore.sh). */
export const RESTORE_SCRIPT_PATH = '/usr/local/sbin/rancher-aws-restore';

/**
 * The #cloud-config of one RKE2 server: config files, a small env file, the
 * shared boot helpers and the bootstrap script (shellchecked in the tests),
 * run by a systemd unit until it succeeds once (server-units.ts), and the
 * day-N units and scripts, and with the CIS profile its host script, kernel
 * parameters and admission configuration. Holds no secret: the script fetches those from SSM.
 */
export function rke2UserData(settings: Rke2Settings, node: Rke2NodeIdentity): string {
  const proxy = settings.proxyEnvironment ?? [];
  const units = serverUnits('rke2', BOOTSTRAP_SCRIPT_PATH, { backupCredentials: node.backupRoleArn !== undefined });
  const registries = registryFiles('rke2', settings.registryMirrors, settings.registryCredentials);
  return cloudConfig({
    write_files: [
      rootFile('/etc/rancher/rke2/config.yaml', '0600', stringify(rke2Config(settings), { lineWidth: 0 })),
      ...registries.files,
      // RKE2's service reads its proxy from here (containerd included).
      ...(proxy.length ? [envFile('/etc/default/rke2-server', proxy)] : []),
      envFile('/etc/rancher/bootstrap.env', [
        ...identityEnvironment(node),
        ['RKE2_VERSION', settings.version],
        ...releaseEnvironment('rke2', settings.version, settings.architecture, settings.installUrl, settings.releaseSums),
        // The RHEL family installs RKE2's signed RPMs (and its SELinux policy) instead of the tarball, from the first
        // channel that carries the version; behind closed egress the tarball, with the policy from the image.
        ...rhelInstallEnvironment(settings),
        ...proxy,
        ...registries.environment,
      ]),
      ...serverBootFiles(CLUSTER_LIB),
      serverScriptFile(BOOTSTRAP_SCRIPT_PATH, RKE2_BOOTSTRAP),
      serverScriptFile(RESTORE_SCRIPT_PATH, RKE2_RESTORE),
      ...dualStackFiles('rke2', settings.dualStack),
      ...startTimeoutFiles('rke2'),

      ...(settings.profile === 'cis' ? cisFiles() : []),
      ...units.files,
      ...rhelFamilyFiles(settings.operatingSystem, 'rke2', BOOTSTRAP_SCRIPT_PATH),
    ],
    runcmd: units.runcmd,
  });
}

/** The RHEL family's install lines of bootstrap.env: the RPM method and its channels, or the policy from the image. */
function rhelInstallEnvironment(settings: Rke2Settings): [string, string][] {
  if (!rhelFamily(settings.operatingSystem)) return [];
  if (settings.selinuxPolicyFromImage) return [['SELINUX_POLICY_FROM_IMAGE', 'true']];
  return [
    ['RKE2_INSTALL_METHOD', 'rpm'],
    ['RKE2_RPM_CHANNELS', rke2RpmChannels(settings.version)],
    ['RKE2_RPM_KEY_FINGERPRINT', RANCHER_RPM_KEY_FINGERPRINT],
  ];
}
