import { join } from 'node:path';
import { stringify } from 'yaml';
import { bootFiles, cloudConfig, envFile, rootFile, scriptFile, shippedText } from '../nodes/boot-files';
import { rke2Config } from './rke2-config';
import { RKE2_INSTALL_URL, type Rke2Settings } from './rke2-settings';

export interface Rke2NodeIdentity {
  /** `init` may start a new cluster when no peer answers; `join` only joins. */
  readonly role: 'init' | 'join';
  readonly nodeIp: string;
  /** Fixed addresses of the other servers, tried in order. */
  readonly peerIps: readonly string[];
  readonly region: string;
  /** SSM path of the token and CA parameters (BootParameters.prefix). */
  readonly parameterPrefix: string;
}

export const BOOTSTRAP_SCRIPT_PATH = '/usr/local/sbin/rke2-bootstrap.sh';

/**
 * The #cloud-config of one RKE2 server: config files, a small env file, the
 * shared boot helpers and the bootstrap script (shellchecked in the tests),
 * run once at first boot. Holds no secret: the script fetches those from SSM.
 */
export function rke2UserData(settings: Rke2Settings, node: Rke2NodeIdentity): string {
  return cloudConfig({
    write_files: [
      rootFile('/etc/rancher/rke2/config.yaml', '0600', stringify(rke2Config(settings), { lineWidth: 0 })),
      envFile('/etc/rancher/bootstrap.env', [
        ['NODE_ROLE', node.role],
        ['NODE_IP', node.nodeIp],
        ['PEER_IPS', node.peerIps.join(' ')],
        ['AWS_REGION', node.region],
        ['PARAMETER_PREFIX', node.parameterPrefix],
        ['RKE2_VERSION', settings.version],
        ['RKE2_INSTALL_URL', settings.installUrl ?? RKE2_INSTALL_URL],
      ]),
      ...bootFiles(),
      scriptFile(BOOTSTRAP_SCRIPT_PATH, shippedText(join(__dirname, 'rke2-bootstrap.sh'))),
    ],
    runcmd: [[BOOTSTRAP_SCRIPT_PATH]],
  });
}
