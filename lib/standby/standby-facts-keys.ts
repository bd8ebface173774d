// Where production keeps, in the standby region, what a failover reads (lib/standby/standby-facts.ts), apart from the
// construct that writes them: the operations CLI reads them too, and must not bundle the constructs.

/** The folder of the standby's copy of Rancher's backup bucket that production's Terraform writes into. */
export const STANDBY_FACTS_FOLDER = 'rancher-aws/standby/';

/** Production's facts (JSON, SSE-S3; docs/development/standby-facts.md gives its fields). */
export const STANDBY_FACTS_KEY = `${STANDBY_FACTS_FOLDER}facts.json`;

/** The backups' EncryptionConfiguration (YAML, SSE-KMS under the standby region's facts key). */
export const STANDBY_ENCRYPTION_KEY = `${STANDBY_FACTS_FOLDER}backup-encryption.yaml`;

/** The facts document's `format`: a reader refuses another (a new field keeps it; a changed or removed one moves it). */
export const STANDBY_FACTS_FORMAT = 1;

/**
 * The SSM parameter of the standby region, after the deployment's path (`/<name>/<stack id>`), whose value is
 * `s3://<copy>/<STANDBY_FACTS_KEY>`: the copy's name has a random suffix, the parameter's name only the settings'.
 */
export const STANDBY_FACTS_PARAMETER = '/standby-facts';

/**
 * The SSM parameter of the standby region, after the deployment's path (`/<name>/<stack id>`), that a failover writes
 * before it moves the hostname's records and a failback deletes (cli/shared/fence.ts): while it exists production's
 * plan refuses to change the records (lib/standby/failover-fence.ts) and production's servers keep Rancher at 0
 * replicas (lib/kubernetes/failover-fence.sh). A String of JSON (when, the standby, the backup restored): nothing secret.
 */
export const FAILOVER_FENCE_PARAMETER = '/failover-fence';

/**
 * The SSM parameter of production's own region, after the deployment's path, that names the standby region (a String)
 * where production's servers look for the fence (lib/kubernetes/failover-fence.sh reads both names as written here).
 */
export const FAILOVER_FENCE_REGION_PARAMETER = '/failover-fence-region';

/**
 * The SSM parameter of the standby region, after the deployment's path, whose value is the name of the bucket there
 * that holds the standby deployment's Terraform state (lib/standby/standby-state.ts): a failover's standby is
 * production from then on, and its state must outlive the machine that ran it and the primary region both.
 */
export const STANDBY_STATE_PARAMETER = '/standby-state';

/** The standby's state object in that bucket (the S3 backend's default key, `<stack>` replaced). */
export const STANDBY_STATE_KEY = 'rancher/<stack>.tfstate';

/**
 * The SSM parameter of the standby region, after the deployment's path, that `failover --prepare` writes once the
 * standby's load balancer exists: JSON `{ "dnsName", "zoneId", "type": "alias" }`, the target production's failover
 * record of the hostname leads to (read at production's next plan).
 */
export const STANDBY_TARGET_PARAMETER = '/standby-target';

/**
 * The custom metric the failover writes in the standby region (1: failed over; the failback writes 0), in the
 * deployment's own namespace (`RancherHA/<name>-<stack id>`, as its servers' metrics). Its alarm
 * (`failedOverAlarmName`) is the one a Route 53 health check follows: the hostname's PRIMARY records answer while it is
 * not in ALARM (lib/standby/standby-dns.ts).
 */
export const FAILED_OVER_METRIC = 'FailedOver';

/** The period of the alarm on FAILED_OVER_METRIC, in seconds, and the periods it evaluates (lib/standby/standby-dns.ts). */
export const FAILED_OVER_ALARM_PERIOD_SECONDS = 60;
export const FAILED_OVER_ALARM_EVALUATION_PERIODS = 1;

/** The namespace of FAILED_OVER_METRIC of the deployment `<name>-<stack id>`. */
export const failedOverNamespace = (deploymentPrefix: string): string => `RancherHA/${deploymentPrefix}`;

/** The alarm on FAILED_OVER_METRIC of the deployment `<name>-<stack id>`, in the standby region. */
export const failedOverAlarmName = (deploymentPrefix: string): string => `${deploymentPrefix}-failed-over`;

/**
 * The SSM SecureString of the standby region, after the deployment's path, that holds the cluster token production's
 * etcd snapshots restore with (lib/standby/etcd-break-glass.ts): Terraform writes it from production's token
 * parameter, `rotate token` writes the new token there right after production's. Not `<path>/token`: that is the
 * boot parameter a failover's standby deployment makes in the same region under the same path.
 */
export const STANDBY_TOKEN_PARAMETER = '/standby-token';
