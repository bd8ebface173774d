import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { DlmLifecyclePolicy } from '@cdktn/provider-aws/lib/dlm-lifecycle-policy';
import { EbsVolume } from '@cdktn/provider-aws/lib/ebs-volume';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment';
import { VolumeAttachment } from '@cdktn/provider-aws/lib/volume-attachment';
import { Construct } from 'constructs';
import { stackPartition, stackServicePrincipal } from '../common/aws-context';

/** Tag on the volume that the snapshot policy targets; its value is the deployment name. */
export const SNAPSHOT_TARGET_TAG = 'rancher-aws:snapshots';
/**
 * Tag of the snapshot the host takes of the volume before it starts another Rancher version on it
 * (docker-bootstrap.sh `snapshot_before_upgrade`); its value is the deployment name, and the host may create
 * snapshots carrying it only.
 */
export const UPGRADE_SNAPSHOT_TAG = 'rancher-aws:before-upgrade';
/** The Name tag of that snapshot: `<name>-data-before-<version>`. */
export const upgradeSnapshotName = (name: string, version: string): string => `${name}-data-before-${version}`;
/** Device name of the attachment. Nitro instances show it as an NVMe device; the bootstrap finds it by volume id. */
export const DATA_DEVICE_NAME = '/dev/sdf';

/** When Data Lifecycle Manager snapshots the volume, and how many it keeps. */
export interface SnapshotSchedule {
  /** Hours between snapshots: 1, 2, 3, 4, 6, 8, 12 or 24. */
  readonly intervalHours: number;
  /** First snapshot of the day, UTC, as HH:MM. */
  readonly time: string;
  /** Snapshots kept; older ones are deleted by the policy. */
  readonly retention: number;
}

/** The data volume's name, zone, size and snapshots. */
export interface DataVolumeProps {
  /** Name tag, snapshot target tag and IAM name prefix. */
  readonly name: string;
  /** Same zone as the instance's subnet. */
  readonly availabilityZone: string;
  /** Size in GiB (gp3, encrypted). */
  readonly sizeGb: number;
  /** The volume's scheduled snapshots (its backups). */
  readonly snapshots: SnapshotSchedule;
  /** Create the volume from this snapshot. Changing it replaces the volume: a restore. */
  readonly snapshotId?: string;
  /** Snapshot the volume when Terraform destroys it. @default true */
  readonly finalSnapshot?: boolean;
}

/**
 * Rancher's data on its own encrypted gp3 volume, a resource of its own that
 * no instance change touches, with scheduled snapshots by Data Lifecycle
 * Manager (a policy that targets the volume's tag, and the role DLM acts with).
 *
 * Not `prevent_destroy`: `destroy` must still work. It takes a final snapshot
 * instead (unless turned off), which outlives the stack like the scheduled ones.
 */
export class DataVolume extends Construct {
  /** The EBS volume. */
  readonly volume: EbsVolume;
  /** The Data Lifecycle Manager policy that snapshots it. */
  readonly policy: DlmLifecyclePolicy;
  /** The role DLM acts with. */
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: DataVolumeProps) {
    super(scope, id);
    this.volume = new EbsVolume(this, 'volume', {
      availabilityZone: props.availabilityZone,
      size: props.sizeGb,
      type: 'gp3',
      encrypted: true,
      snapshotId: props.snapshotId,
      finalSnapshot: props.finalSnapshot ?? true,
      tags: { Name: `${props.name}-data`, [SNAPSHOT_TARGET_TAG]: props.name },
    });

    const partition = stackPartition(this);
    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'dlm')] }] }],
    });
    this.role = new IamRole(this, 'role', { namePrefix: `${props.name}-dlm-`, assumeRolePolicy: assume.json });
    const managed = new IamRolePolicyAttachment(this, 'service-role', {
      role: this.role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole`,
    });

    const { intervalHours, time, retention } = props.snapshots;
    this.policy = new DlmLifecyclePolicy(this, 'snapshots', {
      // DLM allows letters, digits, spaces, dashes and underscores here.
      description: `${props.name} Rancher data volume`,
      executionRoleArn: this.role.arn,
      state: 'ENABLED',
      policyDetails: {
        resourceTypes: ['VOLUME'],
        targetTags: { [SNAPSHOT_TARGET_TAG]: props.name },
        schedule: [
          {
            // Schedule names allow the same characters as the description.
            name: `every ${intervalHours}h keep ${retention}`,
            createRule: { interval: intervalHours, intervalUnit: 'HOURS', times: [time] },
            retainRule: { count: retention },
            copyTags: true,
          },
        ],
      },
      dependsOn: [managed],
    });
  }

  /** The volume's id. */
  get id(): string {
    return this.volume.id;
  }

  /**
   * Attaches the volume to an instance. The attachment is a separate resource:
   * replacing the instance replaces it, never the volume. Detaching stops the
   * instance first, so the file system is unmounted cleanly.
   */
  attachTo(id: string, instanceId: string): VolumeAttachment {
    return new VolumeAttachment(this, id, {
      deviceName: DATA_DEVICE_NAME,
      volumeId: this.volume.id,
      instanceId,
      stopInstanceBeforeDetaching: true,
    });
  }
}
