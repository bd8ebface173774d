import type { Metric } from '../common/metric';

// The metrics the servers send themselves (aws_post in cluster-lib.sh), with alarms on: the one namespace the node
// role may write (NodeRole metricNamespace), and what each metric says.

/** The metric the servers' certificate renewal sends (cert-renewal.sh publish_held): 1 while a restart is held, 0 when none is. */
export const RESTART_HELD_METRIC = 'RestartHeld';
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
export function serverMetric(namespace: string, metricName: string): Metric {
  return { namespace, metricName, statistic: 'Maximum', period: 60 };
}
