import { stringify } from 'yaml';
import { cloudConfig, envFile, rootFile, serverBootFiles, serverScriptFile } from '../../nodes/private/boot-files';
import CLUSTER_LIB from '../cluster-lib.sh';
import K3S_BOOTSTRAP from '../k3s-bootstrap.sh';
import K3S_DATASTORE_ENDPOINT from '../k3s-datastore-endpoint.sh';
import { registriesFiles } from './rke2-config';
import { identityEnvironment, type ServerNodeIdentity } from './node-identity';
import { serverUnits } from './server-units';

export const K3S_INSTALL_URL = 'https://get.k3s.io';
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
  /** Installer script. @default https://get.k3s.io */
  readonly installUrl?: string;
  readonly systemDefaultRegistry?: string;
  readonly registryMirrors?: Readonly<Record<string, readonly string[]>>;
  /** HTTP_PROXY / HTTPS_PROXY / NO_PROXY; the installer copies them into K3s' service environment. */
  readonly proxyEnvironment?: readonly (readonly [string, string])[];
}

/** /etc/rancher/k3s/config.yaml; the datastore endpoint is added at boot from SSM (it holds a password). */
export function k3sConfig(s: K3sSettings): Record<string, unknown> {
  return {
    'token-file': '/etc/rancher/k3s/token',
    'tls-san': s.tlsSans,
    'write-kubeconfig-mode': '0600',
    ...(s.systemDefaultRegistry ? { 'system-default-registry': s.systemDefaultRegistry } : {}),
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
  return cloudConfig({
    write_files: [
      rootFile('/etc/rancher/k3s/config.yaml', '0600', stringify(k3sConfig(settings), { lineWidth: 0 })),
      ...registriesFiles('/etc/rancher/k3s', settings.registryMirrors),
      envFile('/etc/rancher/bootstrap.env', [
        ...identityEnvironment(node),
        ['K3S_VERSION', settings.version],
        ['K3S_INSTALL_URL', settings.installUrl ?? K3S_INSTALL_URL],
        ...(settings.proxyEnvironment ?? []),
      ]),
      ...serverBootFiles(CLUSTER_LIB),
      serverScriptFile(K3S_DATASTORE_ENDPOINT_PATH, K3S_DATASTORE_ENDPOINT),
      // Written before the installer creates k3s.service; systemd merges it in.
      rootFile(K3S_DROP_IN_PATH, '0644', `[Service]\nExecStartPre=${K3S_DATASTORE_ENDPOINT_PATH}\n`),
      serverScriptFile(K3S_BOOTSTRAP_PATH, K3S_BOOTSTRAP),
      ...units.files,
    ],
    runcmd: units.runcmd,
  });
}
