import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';
import { waitFor, type WaitBudget } from './wait';

const NOT_FOUND = ['DBInstanceNotFoundFault', 'DBInstanceNotFound'];

/** Whether RDS reports deletion protection on the instance; undefined when there is no such instance. */
export async function deletionProtection(clients: AwsClients, instance: string): Promise<boolean | undefined> {
  try {
    const found = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instance }));
    return found.DBInstances?.[0]?.DeletionProtection === true;
  } catch (error) {
    if (isAwsError(error, ...NOT_FOUND)) return undefined;
    throw error;
  }
}

/**
 * Turns deletion protection off (applied immediately) and waits until RDS reports it off, since a delete is refused
 * until then: `off`, `gone` (no such instance), or undefined when RDS still reported it on when the budget ran out.
 */
export async function liftDeletionProtection(clients: AwsClients, instance: string, budget: WaitBudget): Promise<'off' | 'gone' | undefined> {
  try {
    await clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: instance, DeletionProtection: false, ApplyImmediately: true }));
  } catch (error) {
    if (isAwsError(error, ...NOT_FOUND)) return 'gone';
    throw error;
  }
  return waitFor(budget, async () => {
    const on = await deletionProtection(clients, instance);
    if (on === undefined) return 'gone';
    return on ? undefined : 'off';
  });
}
