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
 * The SSM parameter of the standby region, after the deployment's path, that names where the standby's load balancer
 * answers (written by the pilot light, which makes it ahead of the outage): JSON `{ "dnsName", "zoneId", "type":
 * "alias" }` or `{ "target", "type": "A" | "CNAME" }`. Production's plan reads it for the hostname's SECONDARY records.
 */
export const STANDBY_TARGET_PARAMETER = '/standby-target';

/**
 * The custom metric the failover writes in the standby region (1: failed over; the failback writes 0), in the
 * deployment's own namespace (`RancherHA/<name>-<stack id>`, as its servers' metrics). Its alarm
 * (`failedOverAlarmName`) is the one a Route 53 health check follows: the hostname's PRIMARY records answer while it is
 * not in ALARM (lib/standby/standby-dns.ts).
 */
export const FAILED_OVER_METRIC = 'FailedOver';

/** The namespace of FAILED_OVER_METRIC of the deployment `<name>-<stack id>`. */
export const failedOverNamespace = (deploymentPrefix: string): string => `RancherHA/${deploymentPrefix}`;

/** The alarm on FAILED_OVER_METRIC of the deployment `<name>-<stack id>`, in the standby region. */
export const failedOverAlarmName = (deploymentPrefix: string): string => `${deploymentPrefix}-failed-over`;
