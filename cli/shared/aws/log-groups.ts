import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';

/** Deletes a log group and its streams; false when it was already gone. */
export async function deleteLogGroup(clients: AwsClients, name: string): Promise<boolean> {
  try {
    await clients.logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return false;
    throw error;
  }
}
