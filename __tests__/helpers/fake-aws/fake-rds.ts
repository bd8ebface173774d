import {
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  InvalidDBSnapshotStateFault,
  type CreateDBSnapshotCommandInput,
  type DeleteDBSnapshotCommandInput,
  type DescribeDBInstancesCommandInput,
  type DescribeDBSnapshotsCommandInput,
  type ModifyDBInstanceCommandInput,
} from '@aws-sdk/client-rds';

const meta = { $metadata: {} };

/** RDS instances' deletion protection and manual snapshots, in memory (README.md beside this file). */
export class FakeRds {
  readonly instances = new Map<string, { deletionProtection: boolean; pendingLooks: number; pendingValue?: boolean; snapshotsFail?: boolean }>();
  readonly snapshots = new Map<string, { instance: string; status: string; looks: number }>();
  /** Describes a new snapshot answers `creating` before it is `available` (or `failed`). */
  creatingLooks = 2;
  /** Describes after ModifyDBInstance that still show the old deletion protection (it is applied, then reported). */
  modifyLooks = 1;

  addInstance(id: string, deletionProtection = true): void {
    this.instances.set(id, { deletionProtection, pendingLooks: 0 });
  }

  readonly handlers = {
    CreateDBSnapshot: (input: CreateDBSnapshotCommandInput) => {
      const instance = this.instance(input.DBInstanceIdentifier);
      const id = input.DBSnapshotIdentifier ?? '';
      if (this.snapshots.has(id))
        throw new DBSnapshotAlreadyExistsFault({
          message: `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
          ...meta,
        });
      this.snapshots.set(id, { instance: input.DBInstanceIdentifier!, status: instance.snapshotsFail ? 'failed' : 'available', looks: 0 });
      return { DBSnapshot: { DBSnapshotIdentifier: id, DBInstanceIdentifier: input.DBInstanceIdentifier, Status: 'creating' } };
    },
    DescribeDBSnapshots: (input: DescribeDBSnapshotsCommandInput) => {
      const id = input.DBSnapshotIdentifier ?? '';
      const found = this.snapshots.get(id);
      if (!found) throw new DBSnapshotNotFoundFault({ message: `DBSnapshot ${id} not found.`, ...meta });
      found.looks++;
      return {
        DBSnapshots: [
          { DBSnapshotIdentifier: id, DBInstanceIdentifier: found.instance, Status: found.looks <= this.creatingLooks ? 'creating' : found.status },
        ],
      };
    },
    DeleteDBSnapshot: (input: DeleteDBSnapshotCommandInput) => {
      const id = input.DBSnapshotIdentifier ?? '';
      const found = this.snapshots.get(id);
      if (!found) throw new DBSnapshotNotFoundFault({ message: `DBSnapshot ${id} not found.`, ...meta });
      if (found.looks <= this.creatingLooks)
        throw new InvalidDBSnapshotStateFault({ message: 'Cannot delete the snapshot because it is not in available state.', ...meta });
      this.snapshots.delete(id);
      return { DBSnapshot: { DBSnapshotIdentifier: id, Status: 'deleted' } };
    },
    ModifyDBInstance: (input: ModifyDBInstanceCommandInput) => {
      const instance = this.instance(input.DBInstanceIdentifier);
      if (input.DeletionProtection !== undefined) {
        instance.pendingValue = input.DeletionProtection;
        instance.pendingLooks = this.modifyLooks;
      }
      return { DBInstance: { DBInstanceIdentifier: input.DBInstanceIdentifier, DeletionProtection: instance.deletionProtection } };
    },
    DescribeDBInstances: (input: DescribeDBInstancesCommandInput) => {
      const instance = this.instance(input.DBInstanceIdentifier);
      if (instance.pendingValue !== undefined) {
        if (instance.pendingLooks > 0) instance.pendingLooks--;
        else {
          instance.deletionProtection = instance.pendingValue;
          delete instance.pendingValue;
        }
      }
      return {
        DBInstances: [
          { DBInstanceIdentifier: input.DBInstanceIdentifier, DeletionProtection: instance.deletionProtection, DBInstanceStatus: 'available' },
        ],
      };
    },
  };

  private instance(id: string | undefined) {
    const found = this.instances.get(id ?? '');
    if (!found) throw new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, ...meta });
    return found;
  }
}
