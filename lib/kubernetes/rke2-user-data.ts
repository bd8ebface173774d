import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { rke2Config } from './rke2-config';
import { RKE2_INSTALL_URL, type Rke2Settings } from './rke2-settings';
import { escapeTemplate } from './terraform-template';

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

let script: string | undefined;
function bootstrapScript(): string {
  script ??= readFileSync(join(__dirname, 'rke2-bootstrap.sh'), 'utf8');
  return script;
}

/** Double-quoted shell assignment; values here are addresses, names and paths. */
function envLine(name: string, value: string): string {
  if (/["\\`\n]/.test(value)) throw new Error(`${name} must not contain quotes, backslashes or newlines`);
  return `${name}="${value}"`;
}

/**
 * The #cloud-config of one RKE2 server: config files, a small env file and
 * the bootstrap script (shellchecked in the tests), run once at first boot.
 * Holds no secret: the script fetches those from SSM.
 */
export function rke2UserData(settings: Rke2Settings, node: Rke2NodeIdentity): string {
  const env = [
    envLine('NODE_ROLE', node.role),
    envLine('NODE_IP', node.nodeIp),
    envLine('PEER_IPS', node.peerIps.join(' ')),
    envLine('AWS_REGION', node.region),
    envLine('PARAMETER_PREFIX', node.parameterPrefix),
    envLine('RKE2_VERSION', settings.version),
    envLine('RKE2_INSTALL_URL', settings.installUrl ?? RKE2_INSTALL_URL),
  ].join('\n');

  const cloudConfig = {
    write_files: [
      { path: '/etc/rancher/rke2/config.yaml', owner: 'root:root', permissions: '0600', content: stringify(rke2Config(settings), { lineWidth: 0 }) },
      { path: '/etc/rancher/bootstrap.env', owner: 'root:root', permissions: '0600', content: `${env}\n` },
      { path: BOOTSTRAP_SCRIPT_PATH, owner: 'root:root', permissions: '0700', content: escapeTemplate(bootstrapScript()) },
    ],
    runcmd: [[BOOTSTRAP_SCRIPT_PATH]],
  };
  return `#cloud-config\n${stringify(cloudConfig, { lineWidth: 0 })}`;
}
