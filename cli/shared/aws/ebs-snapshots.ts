import { paginateDescribeSnapshots } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients';

/** The ids of the account's own EBS snapshots of a volume, all pages. */
export async function snapshotsOfVolume(clients: AwsClients, volumeId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateDescribeSnapshots(
    { client: clients.ec2 },
    { OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: [volumeId] }] },
  ))
    for (const s of page.Snapshots ?? []) if (s.SnapshotId) ids.push(s.SnapshotId);
  return ids;
}
