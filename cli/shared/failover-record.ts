import type { RecordSet } from './hostname-record';

// What a failover records in its folder (`failover.out/failover.json`, cli/failover/failover.ts) that a failback reads
// (cli/failback/failback.ts): where the standby is, and whether the hostname moved there for good.

/** The record's file, in the failover's folder. */
export const FAILOVER_RECORD = 'failover.json';

/** The Terraform variable a restoring deployment takes the backup's EncryptionConfiguration from. */
export const RESTORE_VARIABLE = 'rancher_backup_restore_encryption_config';

/** The part of the failover's record a failback reads. */
export interface FailoverOutcome {
  readonly startedAt: string;
  /** The standby's region, and its deployment's `name`. */
  readonly region: string;
  readonly name: string;
  /** The hostname's records were moved to the standby. */
  readonly moved: boolean;
  /** Rancher answered on the hostname after the move: the standby serves production. */
  readonly done?: boolean;
  /** k8s-ha: the record set the move wrote, which a failback deletes (its values must match, hostname-record.ts). */
  readonly written?: RecordSet;
}
