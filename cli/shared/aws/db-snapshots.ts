import { CreateDBSnapshotCommand, DeleteDBSnapshotCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';
import { waitFor, type WaitBudget } from './wait';

const NOT_FOUND = ['DBSnapshotNotFoundFault', 'DBSnapshotNotFound'];

/** Starts a manual snapshot of a DB instance (RDS answers at once, the snapshot `creating`). */
export async function createDbSnapshot(clients: AwsClients, instance: string, snapshot: string): Promise<void> {
  await clients.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: instance, DBSnapshotIdentifier: snapshot }));
}

/** The snapshot's status (`creating`, `available`, `failed`...), or undefined when there is no such snapshot. */
export async function dbSnapshotStatus(clients: AwsClients, snapshot: string): Promise<string | undefined> {
  try {
    const found = await clients.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshot }));
    return found.DBSnapshots?.[0]?.Status ?? 'unknown';
  } catch (error) {
    if (isAwsError(error, ...NOT_FOUND)) return undefined;
    throw error;
  }
}

/** Waits until the snapshot is `available` or `failed` (or gone: `gone`); undefined when the budget ran out first. */
export function waitForDbSnapshot(clients: AwsClients, snapshot: string, budget: WaitBudget): Promise<'available' | 'failed' | 'gone' | undefined> {
  return waitFor(budget, async () => {
    const status = await dbSnapshotStatus(clients, snapshot);
    if (status === undefined) return 'gone';
    return status === 'available' || status === 'failed' ? status : undefined;
  });
}

/** Deletes a manual snapshot; false when it was already gone. */
export async function deleteDbSnapshot(clients: AwsClients, snapshot: string): Promise<boolean> {
  try {
    await clients.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshot }));
    return true;
  } catch (error) {
    if (isAwsError(error, ...NOT_FOUND)) return false;
    throw error;
  }
}
