import { rootFile, serverScriptFile, type WriteFile } from '../../nodes/private/boot-files';
import CERT_RENEWAL from '../cert-renewal.sh';

/** The distributions whose servers get these units. */
export type ServerDistribution = 'rke2' | 'k3s';

/** Renews the server's leaf certificates by a coordinated restart (cert-renewal.sh); run by its timer. */
export const CERT_RENEWAL_PATH = '/usr/local/sbin/rancher-aws-cert-renewal';
export const CERT_RENEWAL_UNIT = 'rancher-aws-cert-renewal';
/** Days before a certificate's end from which the renewal restarts the server: the script's own default, read from it. */
export const CERT_RENEW_WITHIN_DAYS = Number(/^RENEW_WITHIN_DAYS=\$\{RENEW_WITHIN_DAYS:-(\d+)\}$/m.exec(CERT_RENEWAL)?.[1] ?? NaN);
export const BOOTSTRAP_UNIT = 'rancher-aws-bootstrap';
/** Written by the bootstrap once it succeeded: the bootstrap unit never runs again after that. */
export const BOOTSTRAPPED_MARKER = '/var/lib/rancher/rancher-aws/bootstrapped';
/** The bootstrap's exit status for a failure no rerun can fix (a person must act): the unit stops retrying. */
export const BOOTSTRAP_GIVE_UP_STATUS = 78;

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
 * What every RKE2 or K3s server gets beside its bootstrap script: the units
 * that run the bootstrap until it succeeds and renew the certificates, and the
 * day-N scripts. `runcmd` enables them (the only cloud-init commands).
 */
export function serverUnits(distribution: ServerDistribution, bootstrapScript: string): { files: WriteFile[]; runcmd: string[][] } {
  return {
    files: [
      serverScriptFile(CERT_RENEWAL_PATH, CERT_RENEWAL),
      ...certRenewalUnits(distribution),
      rootFile(unitPath(`${BOOTSTRAP_UNIT}.service`), '0644', bootstrapUnit(bootstrapScript)),
    ],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', `${CERT_RENEWAL_UNIT}.timer`],
      ['systemctl', 'enable', '--now', '--no-block', `${BOOTSTRAP_UNIT}.service`],
    ],
  };
}
