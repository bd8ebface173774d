import type * as KMS from '@aws-sdk/client-kms';
import { DescribeKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';

/** A key's state (`Enabled`, `PendingDeletion`...), or undefined when KMS has no such key. */
export async function keyState(clients: AwsClients, keyId: string): Promise<KMS.KeyState | string | undefined> {
  try {
    const found = await clients.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    return found.KeyMetadata?.KeyState ?? 'unknown';
  } catch (error) {
    if (isAwsError(error, 'NotFoundException')) return undefined;
    throw error;
  }
}

/**
 * Schedules a key's deletion after `days` (KMS takes 7 to 30): `scheduled` with the date KMS gave, `already-pending`
 * when KMS refused because the key is already pending deletion (KMSInvalidStateException; an earlier run scheduled
 * it), `gone` when KMS has no such key. KMSInvalidStateException for any other state is thrown.
 */
export async function scheduleKeyDeletion(
  clients: AwsClients,
  keyId: string,
  days = 30,
): Promise<{ state: 'scheduled'; deletionDate?: Date } | { state: 'already-pending' } | { state: 'gone' }> {
  if (!Number.isInteger(days) || days < 7 || days > 30) throw new Error(`The pending window is ${days} days: KMS takes a whole number from 7 to 30.`);
  try {
    const answer = await clients.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days }));
    return { state: 'scheduled', ...(answer.DeletionDate ? { deletionDate: answer.DeletionDate } : {}) };
  } catch (error) {
    if (isAwsError(error, 'KMSInvalidStateException') && (await keyState(clients, keyId)) === 'PendingDeletion') return { state: 'already-pending' };
    if (isAwsError(error, 'NotFoundException')) return { state: 'gone' };
    throw error;
  }
}
