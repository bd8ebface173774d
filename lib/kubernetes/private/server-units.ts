import { rootFile, serverScriptFile, type WriteFile } from '../../nodes/private/boot-files';
import BACKUP_CREDENTIALS from '../backup-credentials.sh';
import CERT_RENEWAL from '../cert-renewal.sh';
import CLUSTER_LIB from '../cluster-lib.sh';
import FAILOVER_FENCE from '../failover-fence.sh';
import { BACKUP_CREDENTIALS_UNIT, CERT_RENEWAL_PATH, CERT_RENEWAL_UNIT } from '../object-names';

/** The distributions whose servers get these units. */
export type ServerDistribution = 'rke2' | 'k3s';

/** Renews the server's leaf certificates by a coordinated restart (cert-renewal.sh); run by its timer. */
export { BACKUP_CREDENTIALS_UNIT, CERT_RENEWAL_PATH, CERT_RENEWAL_UNIT };
/** Days before a certificate's end from which the renewal restarts the server: the script's own default, read from it. */
export const CERT_RENEW_WITHIN_DAYS = Number(/^RENEW_WITHIN_DAYS=\$\{RENEW_WITHIN_DAYS:-(\d+)\}$/m.exec(CERT_RENEWAL)?.[1] ?? NaN);
export const BOOTSTRAP_UNIT = 'rancher-aws-bootstrap';
/** Written by the bootstrap once it succeeded: the bootstrap unit never runs again after that. */
export const BOOTSTRAPPED_MARKER = '/var/lib/rancher/rancher-aws/bootstrapped';
/** The bootstrap's exit status for a failure no rerun can fix (a person must act): the unit stops retrying. */
export const BOOTSTRAP_GIVE_UP_STATUS = 78;
const unverifiedMarker = /^UNVERIFIED_MARKER=(\S+)$/m.exec(CLUSTER_LIB)?.[1];
// A script that no longer sets it is an error at load, not a message quoting an empty path.
if (unverifiedMarker === undefined) throw new Error('cluster-lib.sh no longer sets UNVERIFIED_MARKER, which the refusal messages quote');
/** Where the bootstrap records a release file it refused (cluster-lib.sh refuse_unverified): read from the script. */
export const UNVERIFIED_ARTIFACT_MARKER: string = unverifiedMarker;
/** The start of the journal line of a refused release file (cluster-lib.sh refuse_unverified), and its end. */
export const UNVERIFIED_ARTIFACT_LINE = 'refusing <file> of <version> ...; nothing was installed';

/**
 * Where a server that refused a release file records it, for a message about a server that never came up: the gates
 * cannot read the servers' metric (their pods get no AWS credentials: the instance metadata's hop limit is 1), so they
 * name the journal line, the marker and, with alarms on, the alarm that read the metric.
 */
export function unverifiedArtifactHint(alarmName?: string): string {
  const alarm = alarmName ? `, and the alarm ${alarmName} fired` : '';
  return (
    `if a server refused an unverified release file, nothing was installed on it: journalctl -u ${BOOTSTRAP_UNIT} there ` +
    `has the line "${UNVERIFIED_ARTIFACT_LINE}", ${UNVERIFIED_ARTIFACT_MARKER} holds it${alarm}`
  );
}

/** The rancher-backup operator's credentials from the instance role (backup-credentials.sh): refresh timer, socket. */
export const BACKUP_CREDENTIALS_PATH = '/usr/local/sbin/rancher-aws-backup-credentials';
/** Where the refresh keeps the backup role's credentials (root only, in memory: /run). */
export const BACKUP_CREDENTIALS_FILE = '/run/rancher-aws/backup-credentials.json';
/**
 * The port the operator asks for its credentials on, at its node's address: outside RKE2's and K3s' port table and
 * the node security group's rules, so only pods on the same node reach it (and only the operator gets an answer).
 */
export const BACKUP_CREDENTIALS_PORT = 9811;

const unitPath = (name: string) => `/etc/systemd/system/${name}`;

/**
 * The bootstrap as a systemd service instead of a cloud-init command: a run
 * that stopped for a transient reason (no egress yet, SSM throttled, no peer
 * yet) is run again, 30 s later and then up to every 30 minutes, until it
 * succeeds or fails for a reason no rerun fixes (exit 78, logged). The script
 * is idempotent; once it succeeded (its marker) the unit never runs again, so
 * a reboot never reinstalls a server that was upgraded in place.
 */
function bootstrapUnit(script: string): string {
  return [
    '[Unit]',
    'Description=rancher-aws bootstrap of this server (rerun after a transient failure)',
    'Wants=network-online.target',
    'After=network-online.target',
    `ConditionPathExists=!${BOOTSTRAPPED_MARKER}`,
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${script}`,
    'TimeoutStartSec=infinity',
    'Restart=on-failure',
    'RestartSec=30s',
    'RestartSteps=8',
    'RestartMaxDelaySec=30min',
    `RestartPreventExitStatus=${BOOTSTRAP_GIVE_UP_STATUS}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * The certificate renewal: every 6 hours (spread by up to an hour, so the
 * servers do not all look at once), from 2 hours after boot. The script
 * itself decides whether anything is due and takes the cluster-wide Lease.
 */
function certRenewalUnits(distribution: ServerDistribution): WriteFile[] {
  const service = distribution === 'rke2' ? 'rke2-server.service' : 'k3s.service';
  return [
    rootFile(
      unitPath(`${CERT_RENEWAL_UNIT}.service`),
      '0644',
      [
        '[Unit]',
        "Description=rancher-aws renewal of this server's certificates (restarts it when due, one server at a time)",
        `After=${service}`,
        '',
        '[Service]',
        'Type=oneshot',
        `ExecStart=${CERT_RENEWAL_PATH} ${distribution}`,
        // The client key a run signs to reach a peer (cert-renewal.sh peer_access): in /run (memory), 0700, removed
        // by systemd when the unit stops, however the run ended (systemd.exec(5), RuntimeDirectory=).
        `RuntimeDirectory=${CERT_RENEWAL_UNIT}`,
        'RuntimeDirectoryMode=0700',
        '',
      ].join('\n'),
    ),
    rootFile(
      unitPath(`${CERT_RENEWAL_UNIT}.timer`),
      '0644',
      [
        '[Unit]',
        `Description=Runs ${CERT_RENEWAL_UNIT} every 6 hours`,
        '',
        '[Timer]',
        'OnBootSec=2h',
        'OnUnitActiveSec=6h',
        'RandomizedDelaySec=1h',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    ),
  ];
}

/**
 * The operator's credentials (backup-credentials.sh): a timer refreshes them every 15 minutes (hour-long sessions,
 * so two refreshes may fail before the operator's run out), from a minute after boot; a socket on the credentials
 * port hands each connection to one run of the script, which answers only the operator's service account.
 */
function backupCredentialsUnits(distribution: ServerDistribution): WriteFile[] {
  const unit = (suffix: string, lines: string[]) => rootFile(unitPath(`${BACKUP_CREDENTIALS_UNIT}${suffix}`), '0644', [...lines, ''].join('\n'));
  return [
    serverScriptFile(BACKUP_CREDENTIALS_PATH, BACKUP_CREDENTIALS),
    unit('-refresh.service', [
      '[Unit]',
      "Description=rancher-aws refresh of the backup operator's credentials (AssumeRole with the instance role)",
      '',
      '[Service]',
      'Type=oneshot',
      `ExecStart=${BACKUP_CREDENTIALS_PATH} refresh ${distribution}`,
    ]),
    unit('-refresh.timer', [
      '[Unit]',
      `Description=Runs ${BACKUP_CREDENTIALS_UNIT}-refresh every 15 minutes`,
      '',
      '[Timer]',
      'OnBootSec=1min',
      'OnUnitActiveSec=15min',
      '',
      '[Install]',
      'WantedBy=timers.target',
    ]),
    unit('.socket', [
      '[Unit]',
      "Description=rancher-aws backup operator's credentials endpoint",
      '',
      '[Socket]',
      `ListenStream=${BACKUP_CREDENTIALS_PORT}`,
      'Accept=yes',
      'MaxConnections=16',
      '',
      '[Install]',
      'WantedBy=sockets.target',
    ]),
    unit('@.service', [
      '[Unit]',
      "Description=rancher-aws backup operator's credentials, one request",
      '',
      '[Service]',
      `ExecStart=${BACKUP_CREDENTIALS_PATH} serve ${distribution}`,
      'StandardInput=socket',
      'StandardOutput=socket',
      'StandardError=journal',
      'RuntimeMaxSec=30',
    ]),
  ];
}

/** Production's side of the failover's fence (failover-fence.sh): its script, and the unit its timer runs. */
export const FAILOVER_FENCE_PATH = '/usr/local/sbin/rancher-aws-failover-fence';
export const FAILOVER_FENCE_UNIT = 'rancher-aws-failover-fence';

/**
 * The failover's fence honoured (failover-fence.sh): a timer runs the script a few seconds after boot and every 30
 * seconds after, on every server (each run is idempotent). On every server whatever the settings: where the fence is
 * comes from an SSM parameter production's apply writes with `standby.region`, so turning a standby on or off leaves
 * the servers' boot documents as they are (no server goes stale for it).
 */
function failoverFenceUnits(distribution: ServerDistribution): WriteFile[] {
  const unit = (suffix: string, lines: string[]) => rootFile(unitPath(`${FAILOVER_FENCE_UNIT}${suffix}`), '0644', [...lines, ''].join('\n'));
  return [
    serverScriptFile(FAILOVER_FENCE_PATH, FAILOVER_FENCE),
    unit('.service', [
      '[Unit]',
      "Description=rancher-aws failover fence: Rancher kept at 0 replicas while the standby region holds the failover's fence",
      '',
      '[Service]',
      'Type=oneshot',
      `ExecStart=${FAILOVER_FENCE_PATH} ${distribution}`,
      'TimeoutStartSec=120',
    ]),
    unit('.timer', [
      '[Unit]',
      `Description=Runs ${FAILOVER_FENCE_UNIT} at boot and every 30 seconds`,
      '',
      '[Timer]',
      'OnBootSec=10s',
      'OnUnitActiveSec=30s',
      'AccuracySec=1s',
      '',
      '[Install]',
      'WantedBy=timers.target',
    ]),
  ];
}

/**
 * What every RKE2 or K3s server gets beside its bootstrap script: the units
 * that run the bootstrap until it succeeds and renew the certificates, and the
 * day-N scripts. `runcmd` enables them (the only cloud-init commands).
 */
export function serverUnits(
  distribution: ServerDistribution,
  bootstrapScript: string,
  options: { readonly backupCredentials?: boolean } = {},
): { files: WriteFile[]; runcmd: string[][] } {
  const backups = options.backupCredentials === true;
  return {
    files: [
      serverScriptFile(CERT_RENEWAL_PATH, CERT_RENEWAL),
      ...certRenewalUnits(distribution),
      ...(backups ? backupCredentialsUnits(distribution) : []),
      ...failoverFenceUnits(distribution),
      rootFile(unitPath(`${BOOTSTRAP_UNIT}.service`), '0644', bootstrapUnit(bootstrapScript)),
    ],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', `${CERT_RENEWAL_UNIT}.timer`],
      ...(backups ? [['systemctl', 'enable', '--now', `${BACKUP_CREDENTIALS_UNIT}-refresh.timer`, `${BACKUP_CREDENTIALS_UNIT}.socket`]] : []),
      ['systemctl', 'enable', '--now', `${FAILOVER_FENCE_UNIT}.timer`],
      ['systemctl', 'enable', '--now', '--no-block', `${BOOTSTRAP_UNIT}.service`],
    ],
  };
}
