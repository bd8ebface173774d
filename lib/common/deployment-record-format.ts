// What a deployment tells the operations commands about itself, as the construct writes it into the synthesized
// module (lib/common/deployment-record.ts) and cli/ reads it back from the state (cli/shared/module-folder.ts). No
// imports: the operations CLI loads it without cdktf.

/** The record's format marker; a reader refuses a record whose format it does not know. */
export const DEPLOYMENT_RECORD_FORMAT = 'rancher-ha-aws/deployment-record/1';

/**
 * The tag every AWS resource of a deployment carries (the AWS provider's default_tags, lib/common/private/tags.ts):
 * `<name>-<stack>`. The acceptance run refuses a name a deployment has by it; the drill puts it on its throwaway.
 */
export const DEPLOYMENT_TAG = 'rancher-aws:deployment';

/** The construct id of the record under each deployment: `terraform_data.deployment-record` in the app's stacks. */
export const DEPLOYMENT_RECORD_ID = 'deployment-record';

/**
 * The construct ids (directly under a deployment) of the stores that outlive it: etcd snapshots with their access logs,
 * Rancher's backups, flow logs, and the standby's copies of the first two in its region (lib/standby).
 */
export const STORE_IDS = ['etcd-snapshots', 'rancher-backups', 'flow-logs', 'standby'] as const;

/** The three kinds of deployment, named as the app's stacks. */
export type DeploymentKind = 'rke-ha' | 'k8s-ha' | 'docker';

/**
 * One deployment of a module, as the commands need it. Addresses are Terraform resource addresses
 * (`aws_instance.rancher_server-0_instance_1A2B3C4D`), whatever construct id and nesting the deployment has.
 */
export interface DeploymentRecord {
  readonly format: typeof DEPLOYMENT_RECORD_FORMAT;
  /** The `name` setting (resource names are `<name>-<stack id>`): what a person types to confirm a teardown. */
  readonly name: string;
  readonly kind: DeploymentKind;
  /** rke-ha only. */
  readonly distribution?: 'rke2' | 'k3s';
  readonly region: string;
  /** The construct's path under its stack (`rancher`, `platform/rancher`; `Default` for the app's stacks). */
  readonly path: string;
  /** The cluster's servers the roll replaces one at a time (rke-ha), in order: `server-0`, `server-1`, ... */
  readonly servers: readonly { readonly name: string; readonly address: string }[];
  /** The recorded server image (`terraform_data ... ami_recorded-image`), where there is one. */
  readonly recordedImage?: string;
  /** The buckets and log groups that outlive the deployment (kept or deleted on purpose by the teardown). */
  readonly stores: readonly string[];
  /** Load balancers whose AWS deletion protection the teardown lifts. */
  readonly loadBalancers: readonly string[];
  /** Databases (K3s's datastore) whose RDS deletion protection the teardown lifts. */
  readonly databases: readonly string[];
  /** EBS volumes holding Rancher's data (docker), whose snapshots the teardown reports. */
  readonly dataVolumes: readonly string[];
  /** The deployment guard's records by setting (`name`, `region`, `rkeHa.distribution`, ...). */
  readonly guardRecords: Readonly<Record<string, string>>;
}
