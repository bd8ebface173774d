import type { Metric } from '../common/metric';

// The metrics the servers send themselves (aws_post in cluster-lib.sh), with alarms on: the one namespace the node
// role may write (NodeRole metricNamespace), and what each metric says.

/** The metric the servers' certificate renewal sends (cert-renewal.sh publish_held): 1 while a restart is held, 0 when none is. */
export const RESTART_HELD_METRIC = 'RestartHeld';
/**
 * The metric the servers' certificate renewal sends at every run (cert-renewal.sh report_days_left): whole days to the
 * earliest end of the server's leaf certificates (negative once one has ended).
 */
export const CERTIFICATE_DAYS_LEFT_METRIC = 'CertificateDaysLeft';
/**
 * The dimension of a server's own series (CertificateDaysLeft): its place in the deployment (`server-0`, ...; the
 * env file's SERVER_NAME), which a replacement keeps. One series per server, so a server that stops reporting is
 * not hidden by the others; by place rather than instance id, so a roll changes neither the series nor the alarm.
 */
export const SERVER_DIMENSION = 'Server';
/**
 * Hours without a report of days left that `<name>-server-N-certificate-days-left` reads as breaching: two runs of
 * the renewal timer (OnUnitActiveSec=6h, RandomizedDelaySec=1h: at most 7 hours apart), so one late run fires nothing
 * and a timer stopped or a server silent fires within 14 hours.
 */
export const CERTIFICATE_REPORT_WINDOW_HOURS = 14;
/**
 * The days left under which `<name>-server-N-certificate-days-left` fires: well inside the renewal's window (it restarts a
 * server from CERT_RENEW_WITHIN_DAYS, 80, before the end, at every 6-hourly run), so only renewals refused for weeks
 * reach it, and a month is left to act before any leaf ends.
 */
export const CERTIFICATE_DAYS_LEFT_ALARM_DAYS = 30;
/** The metric the servers' backup credentials refresh sends (backup-credentials.sh): 1 after a failed refresh, 0 after the next success. */
export const BACKUP_CREDENTIALS_METRIC = 'BackupCredentialsFailed';
/**
 * The metric a server's bootstrap sends once when it refuses a release file (cluster-lib.sh refuse_unverified): 1,
 * then it stops for good; nothing sends 0.
 */
export const UNVERIFIED_ARTIFACT_METRIC = 'UnverifiedArtifact';
/** The CloudWatch namespace of a deployment's own metrics (`<name>` is `<settings name>-<stack id>`); the node role may write this one only. */
export const restartMetricNamespace = (name: string): string => `RancherHA/${name}`;

/**
 * One of the servers' metrics: the most any server sent in a minute. The servers send a value when something
 * changes and at each run of their timers (minutes to hours apart), not every minute.
 */
export function serverMetric(namespace: string, metricName: string, statistic: Metric['statistic'] = 'Maximum'): Metric {
  return { namespace, metricName, statistic, period: 60 };
}
