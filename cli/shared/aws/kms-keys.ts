import type * as KMS from '@aws-sdk/client-kms';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';

/**
 * KMS's package, required at a call, not at the top: this module is in the SDK side every roll and rotation loads
 * (sdk-side.ts), and only the acceptance run's sweep and the teardown look at keys (the package's evaluation costs
 * every run that loads it).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kms = (): typeof KMS => require('@aws-sdk/client-kms') as typeof KMS;

/** A key's state (`Enabled`, `PendingDeletion`...), or undefined when KMS has no such key. */
export async function keyState(clients: AwsClients, keyId: string): Promise<KMS.KeyState | string | undefined> {
  const { DescribeKeyCommand } = kms();
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
  const { ScheduleKeyDeletionCommand } = kms();
  try {
    const answer = await clients.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days }));
    return { state: 'scheduled', ...(answer.DeletionDate ? { deletionDate: answer.DeletionDate } : {}) };
  } catch (error) {
    if (isAwsError(error, 'KMSInvalidStateException') && (await keyState(clients, keyId)) === 'PendingDeletion') return { state: 'already-pending' };
    if (isAwsError(error, 'NotFoundException')) return { state: 'gone' };
    throw error;
  }
}
