/**
 * Names of the Kubernetes objects the stacks create that the operations CLI
 * (cli/) reads: plain strings with no imports, so the CLI loads no cdktf
 * and no provider binding (it runs where only the package is installed).
 */

/** Namespace of the readiness gates and of the version records. */
export const GATES_NAMESPACE = 'rancher-aws-gates';
/** Namespace of the system-upgrade-controller and its Plans (the upstream manifests' own). */
export const SYSTEM_UPGRADE_NAMESPACE = 'system-upgrade';
/** The server Plan's name; the controller labels each node it upgraded `plan.upgrade.cattle.io/<name>`. */
export const SERVER_PLAN_NAME = 'server-plan';
/** The ConfigMap (in GATES_NAMESPACE) holding the Kubernetes version an apply is upgrading to. */
export const UPGRADE_TARGET_RECORD = 'rancher-aws-kubernetes-target';
/** The ConfigMap (in GATES_NAMESPACE) holding the Kubernetes version every server runs after the last upgrade. */
export const KUBERNETES_RECORD = 'rancher-aws-kubernetes-version';

/** Where the servers' user data installs cert-renewal.sh, and its systemd units' name (server-units.ts writes them; the roll stops and starts the timer). */
export const CERT_RENEWAL_PATH = '/usr/local/sbin/rancher-aws-cert-renewal';
export const CERT_RENEWAL_UNIT = 'rancher-aws-cert-renewal';
/** The backup operator's credentials units' name (server-units.ts writes `<name>-refresh.service` and its timer; the acceptance run starts the service once). */
export const BACKUP_CREDENTIALS_UNIT = 'rancher-aws-backup-credentials';
/** The file backup-credentials.sh keeps while its last refresh failed: the next success sends BackupCredentialsFailed 0 and removes it. */
export const BACKUP_CREDENTIALS_FAILED_MARKER = '/var/lib/rancher/rancher-aws/backup-credentials-failed';
