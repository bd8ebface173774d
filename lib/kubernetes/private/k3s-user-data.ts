import { stringify } from 'yaml';
import type { RegistryCredentialsSettings } from '../../config/sections';
import type { SuppliedSums } from '../../config/release-sums';
import { cloudConfig, envFile, rootFile, serverBootFiles, serverScriptFile } from '../../nodes/private/boot-files';
import CLUSTER_LIB from '../cluster-lib.sh';
import K3S_BOOTSTRAP from '../k3s-bootstrap.sh';
import K3S_DATASTORE_ENDPOINT from '../k3s-datastore-endpoint.sh';
import K3S_RESTORE from '../k3s-restore.sh';
import { dualStackConfig, dualStackFiles } from './dual-stack';
import type { ServerOperatingSystem } from '../../config/sections';
import { RANCHER_RPM_KEY_FINGERPRINT, rhelFamily, rhelFamilyFiles, selinuxConfig } from './rhel-family';
import { identityEnvironment, type ServerNodeIdentity } from './node-identity';
import { registryFiles } from './registry-login';
import { RESTORE_SCRIPT_PATH } from './rke2-user-data';
import { releaseEnvironment } from './release-files';
import { serverUnits } from './server-units';
import { startTimeoutFiles } from './start-timeout';

export const K3S_BOOTSTRAP_PATH = '/usr/local/sbin/k3s-bootstrap.sh';
/** Writes the datastore endpoint from SSM; on PATH, run by the bootstrap and before every start of K3s. */
export const K3S_DATASTORE_ENDPOINT_PATH = '/usr/local/sbin/rancher-aws-datastore-endpoint';
export const K3S_DROP_IN_PATH = '/etc/systemd/system/k3s.service.d/rancher-aws.conf';

/** What a K3s server with an external datastore needs; values may be Terraform tokens. */
export interface K3sSettings {
  /** Exact release, e.g. v1.35.7+k3s1. */
  readonly version: string;
  /** Extra names on the API server certificate. */
  readonly tlsSans: string[];
  /**
   * Installer script of a mirror (airGap.installerUrl), which must serve the recorded installer's bytes; the binary
   * comes from its folder (release-files.ts). @default the recorded installer, from GitHub at its commit
   */
  readonly installUrl?: string;
  /**
   * SHA-256 sums of release files the project records none for, per version (`versions.releaseSums`): the servers
   * check the release file against them as against a recorded one. @default none: only recorded sums
   */
  readonly releaseSums?: SuppliedSums;
  /** The servers' CPU architecture: which binary is installed. @default 'x86_64' */
  readonly architecture?: 'x86_64' | 'arm64';
  readonly systemDefaultRegistry?: string;
  readonly registryMirrors?: Readonly<Record<string, readonly string[]>>;
  /** The private registry's login, read at boot (registry-login.ts). */
  readonly registryCredentials?: Readonly<RegistryCredentialsSettings>;
  /** HTTP_PROXY / HTTPS_PROXY / NO_PROXY; the installer copies them into K3s' service environment. */
  readonly proxyEnvironment?: readonly (readonly [string, string])[];
  /** Pods and services in IPv4 and IPv6, and the wait for the server's IPv6 address (dual-stack.ts). @default false */
  readonly dualStack?: boolean;

  /** The servers' operating system: the RHEL family adds SELinux and its host preparation (rhel-family.ts). @default 'ubuntu-24.04' */
  readonly operatingSystem?: ServerOperatingSystem;
  /**
   * The RHEL family behind closed egress (proxy.egressOnlyTo without a proxy): no repository is reachable, so the
   * distribution's SELinux policy must be on the image and the release comes from its verified file. @default false
   */
  readonly selinuxPolicyFromImage?: boolean;
}

/** /etc/rancher/k3s/config.yaml; the datastore endpoint is added at boot from SSM (it holds a password). */
export function k3sConfig(s: K3sSettings): Record<string, unknown> {
  return {
    'token-file': '/etc/rancher/k3s/token',
    'tls-san': s.tlsSans,
    'write-kubeconfig-mode': '0600',
    ...(s.systemDefaultRegistry ? { 'system-default-registry': s.systemDefaultRegistry } : {}),
    ...dualStackConfig('k3s', s.dualStack),

    ...selinuxConfig(s.operatingSystem),
  };
}

/**
 * The #cloud-config of one K3s server: config, registries, env file, the
 * shared boot helpers, the bootstrap script (run by a systemd unit until it
 * succeeds once) and the day-N units (server-units.ts). No secret: the token,
 * the datastore endpoint and the CA keys come from SSM at boot.
 */
export function k3sUserData(settings: K3sSettings, node: ServerNodeIdentity): string {
  const units = serverUnits('k3s', K3S_BOOTSTRAP_PATH, { backupCredentials: node.backupRoleArn !== undefined });
  const registries = registryFiles('k3s', settings.registryMirrors, settings.registryCredentials);
  return cloudConfig({
    write_files: [
      rootFile('/etc/rancher/k3s/config.yaml', '0600', stringify(k3sConfig(settings), { lineWidth: 0 })),
      ...registries.files,
      envFile('/etc/rancher/bootstrap.env', [
        ...identityEnvironment(node),
        ['K3S_VERSION', settings.version],
        ...releaseEnvironment('k3s', settings.version, settings.architecture, settings.installUrl, settings.releaseSums),
        // The RHEL family behind closed egress: k3s-selinux from the image, the installer's dnf step skipped; with
        // egress: the installer's k3s-selinux, signed with the key Rancher signs RKE2's RPMs with.
        ...((rhelFamily(settings.operatingSystem)
          ? [settings.selinuxPolicyFromImage ? ['SELINUX_POLICY_FROM_IMAGE', 'true'] : ['K3S_RPM_KEY_FINGERPRINT', RANCHER_RPM_KEY_FINGERPRINT]]
          : []) as [string, string][]),
        ...(settings.proxyEnvironment ?? []),
        ...registries.environment,
      ]),
      ...serverBootFiles(CLUSTER_LIB),
      serverScriptFile(K3S_DATASTORE_ENDPOINT_PATH, K3S_DATASTORE_ENDPOINT),
      // Written before the installer creates k3s.service; systemd merges it in.
      rootFile(K3S_DROP_IN_PATH, '0644', `[Service]\nExecStartPre=${K3S_DATASTORE_ENDPOINT_PATH}\n`),
      serverScriptFile(K3S_BOOTSTRAP_PATH, K3S_BOOTSTRAP),
      // Records a restore of the datastore (RDS restores the data; the record lets the restart Lease it put back go).
      serverScriptFile(RESTORE_SCRIPT_PATH, K3S_RESTORE),
      ...dualStackFiles('k3s', settings.dualStack),
      ...startTimeoutFiles('k3s'),
      ...units.files,
      ...rhelFamilyFiles(settings.operatingSystem, 'k3s', K3S_BOOTSTRAP_PATH),
    ],
    runcmd: units.runcmd,
  });
}
