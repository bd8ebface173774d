/** A server's place in the cluster, as its bootstrap script sees it. */
export interface ServerNodeIdentity {
  /** `init` may start a new cluster when the cluster was never initialized and no peer answers; `join` only joins. */
  readonly role: 'init' | 'join';
  readonly nodeIp: string;
  /**
   * Addresses the other servers may have, tried in order: where the settings
   * put them first, then where an earlier layout put them (servers keep their
   * address until replaced, see ServerNode), so a server replaced into the new
   * layout still finds the others.
   */
  readonly peerIps: readonly string[];
  /** Addresses of the server created just before this one; it waits until that one is a voting member. @default none */
  readonly previousServerIps?: readonly string[];
  /** How long a joining server waits for a live peer. @default 1800 */
  readonly peerWaitSeconds?: number;
  readonly region: string;
  /** SSM path of the token and CA parameters (BootParameters.prefix). */
  readonly parameterPrefix: string;
  /**
   * CloudWatch namespace of the RestartHeld metric the certificate renewal sends (restartMetricNamespace), watched by
   * an alarm. @default none: nothing is sent (alarms off)
   */
  readonly restartMetricNamespace?: string;
  /**
   * The server's place in the deployment (`server-0`, ...), which its replacement keeps: the `Server` dimension of its
   * own series (CertificateDaysLeft; cluster-lib.sh put_server_metric). @default none: sent with alarms on only
   */
  readonly server?: string;
  /**
   * The role whose hour-long credentials the server hands to the rancher-backup operator (backups.credentials:
   * servers; backup-credentials.sh): its refresh timer and credentials socket are installed with it. @default none
   */
  readonly backupRoleArn?: string;
}

/** Thirty minutes: the first server's install and first start, with room for a slow mirror. */
export const DEFAULT_PEER_WAIT_SECONDS = 1800;

/**
 * The env file's PEER_IPS line as a Terraform regular expression (RE2): a running server does not take a change
 * of it (ServerNode `notTaken`). The bootstrap reads it once, to join; a joined server finds the others through
 * etcd's member list, and its certificate renewal tries them only to reach a peer's API while its own is down.
 */
export const PEER_ADDRESSES_PATTERN = '(?m)^[ ]*PEER_IPS=.*$';

/** The identity as the bootstrap env file's first lines. */
export function identityEnvironment(node: ServerNodeIdentity): [string, string][] {
  return [
    ['NODE_ROLE', node.role],
    ['NODE_IP', node.nodeIp],
    ['PEER_IPS', node.peerIps.join(' ')],
    ['PREVIOUS_SERVER_IPS', (node.previousServerIps ?? []).join(' ')],
    ['PEER_WAIT_SECONDS', String(node.peerWaitSeconds ?? DEFAULT_PEER_WAIT_SECONDS)],
    ['AWS_REGION', node.region],
    ['PARAMETER_PREFIX', node.parameterPrefix],
    ...(node.restartMetricNamespace ? ([['RESTART_METRIC_NAMESPACE', node.restartMetricNamespace]] as [string, string][]) : []),
    ...(node.server ? ([['SERVER_NAME', node.server]] as [string, string][]) : []),
    ...(node.backupRoleArn ? ([['BACKUP_ROLE_ARN', node.backupRoleArn]] as [string, string][]) : []),
  ];
}
