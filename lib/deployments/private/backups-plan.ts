import type { BackupsSettings } from '../../config/sections';
import type { RkeHaOwnProps } from '../../config/rke-ha-schema';

/**
 * What an rke-ha deployment keeps of its state, decided once from its settings: RKE2's etcd snapshots in a bucket of
 * the stack's (none with K3s, whose state is the datastore's, with RDS's own backups), the topic of the bucket's
 * events, and how Rancher's backups are written. The cluster state, boot, server and Rancher steps read this plan;
 * whether the snapshot bucket exists is decided here, not by the steps that find one.
 */
export interface BackupsPlan {
  /** RKE2's scheduled snapshots to S3, in the folder of the stack's id; undefined with K3s. */
  readonly etcdSnapshots?: RkeHaOwnProps['etcdSnapshots'] & {
    readonly folder: string;
    /** The SNS topic of the bucket's events (`etcdSnapshots.eventNotifications`). */
    readonly eventsTopic?: string;
  };
  /** The rancher-backup operator, the bucket's writer and the schedule (`backups.enabled`). */
  readonly rancherBackups: boolean;
  /**
   * A backup role the servers assume, named in their user data: with backups on, whichever credentials the
   * operator uses (a deployment moving off a writer's key rolls its servers onto the role first).
   */
  readonly backupRole: boolean;
  /** The operator writes with the servers' backup role (`backups.credentials: servers`), not an IAM user's key. */
  readonly operatorUsesBackupRole: boolean;
}

export function backupsPlan(
  props: Pick<RkeHaOwnProps, 'distribution' | 'etcdSnapshots'> & { readonly backups: BackupsSettings },
  names: { readonly name: string; readonly stackId: string },
): BackupsPlan {
  const enabled = props.backups.enabled;
  return {
    etcdSnapshots:
      props.distribution === 'k3s'
        ? undefined
        : {
            ...props.etcdSnapshots,
            folder: names.stackId,
            eventsTopic: props.etcdSnapshots.eventNotifications ? `${names.name}-etcd-events` : undefined,
          },
    rancherBackups: enabled,
    backupRole: enabled,
    operatorUsesBackupRole: enabled && props.backups.credentials === 'servers',
  };
}
