import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordSet } from './hostname-record';

// What a failover records in its folder (`failover.out/failover.json`, cli/failover/failover.ts) that a failback reads
// (cli/failback/failback.ts): where the standby is, and whether the hostname moved there for good. A failback, once
// done, retires the record (retireFailoverRecord): the next failover finds none and starts anew, and the next failback
// tells the new failover's record from the one it returned from by its start.

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
  /** The hostname's records were moved to the standby (in every zone that holds them). */
  readonly moved: boolean;
  /**
   * The hosted zones whose change batch Route 53 accepted, each as it did (cli/shared/aws/records.ts, ZoneMoved): a
   * move interrupted between zones lists the ones the name already leads to the standby in, before `moved`.
   */
  readonly zonesMoved?: readonly string[];
  /** Rancher answered on the hostname after the move: the standby serves production. */
  readonly done?: boolean;
  /** k8s-ha: the record set the move wrote, which a failback deletes (its values must match, hostname-record.ts). */
  readonly written?: RecordSet;
}

/** Where a retired failover record is kept, in the failover's folder: its name carries the failover's start. */
export function retiredFailoverRecord(root: string, startedAt: string): string {
  return join(root, `failover-${startedAt.replace(/[:.]/g, '-')}.json`);
}

/** The file names retiredFailoverRecord gives. */
export const RETIRED_FAILOVER_RECORD = /^failover-\d{4}-\d{2}-\d{2}T[-0-9]+Z\.json$/;

/**
 * The failover record of the failover that started at `startedAt` retired once its failback is done: renamed to
 * retiredFailoverRecord (kept for the person), so that a later failover does not take it for its own finished run
 * (FAILOVER_ALREADY_DONE). Nothing when the folder holds another failover's record (a new failover already began) or
 * none. Whether it was retired by this call.
 */
export function retireFailoverRecord(root: string, startedAt: string, read: () => FailoverOutcome | undefined): boolean {
  const file = join(root, FAILOVER_RECORD);
  if (!existsSync(file) || read()?.startedAt !== startedAt) return false;
  renameSync(file, retiredFailoverRecord(root, startedAt));
  return true;
}

/** The record with `zoneId` added to the zones moved (once). */
export function withZoneMoved<R extends FailoverOutcome>(record: R, zoneId: string): R {
  const zones = record.zonesMoved ?? [];
  return zones.includes(zoneId) ? record : { ...record, zonesMoved: [...zones, zoneId] };
}
