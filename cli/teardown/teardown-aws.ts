import { deleteBucket, emptyBucket } from '../shared/aws/bucket-emptying';
import type { AwsClients, ClientsOfRegion } from '../shared/aws/clients';
import { liftDeletionProtection } from '../shared/aws/databases';
import { scheduleKeyDeletion } from '../shared/aws/kms-keys';
import { liftLoadBalancerProtection } from '../shared/aws/load-balancers';
import { deleteLogGroup } from '../shared/aws/log-groups';
import type { StateFile } from '../shared/state-file';
import type { Store } from '../shared/stores';
import type { TeardownPlan, TeardownRecord } from './teardown';

// The teardown's steps in AWS, through the SDK (cli/shared/aws/), and the clients it makes. teardown.ts loads this
// module with import() once it reaches AWS, and scripts/build.js bundles it as a file of its own beside main.js: the
// SDK is most of the CLI's code, and a dry run, a refusal or another command never needs it.
export { clientsByRegion } from '../shared/aws/clients';
export { snapshotsOfVolume } from '../shared/aws/ebs-snapshots';

/**
 * AWS deletion protection of the load balancers and the datastore lifted before the destroy, which the providers
 * refuse while it is on; RDS is waited for until it reports it off (bounded). One already gone (deleted by hand, an
 * earlier run) is nothing to lift.
 */
export async function liftGuards(clients: AwsClients, plan: Pick<TeardownPlan, 'loadBalancers' | 'databases'>): Promise<void> {
  for (const lb of plan.loadBalancers) await liftLoadBalancerProtection(clients, lb.arn);
  for (const db of plan.databases) {
    const lifted = await liftDeletionProtection(clients, db.identifier, { budgetMs: 300_000 });
    if (lifted === undefined)
      throw new Error(`RDS still reports deletion protection on ${db.identifier} after 5 minutes; nothing was destroyed. Run the teardown again.`);
  }
}

/**
 * Deletes the stores on purpose: each bucket emptied then deleted, log groups, then the keys once no bucket of theirs
 * is left. Each store in its own region (a standby's copies and their key are in the standby's region, and KMS finds a
 * key in its own region only), else the deployment's; `aws` gives each region's clients.
 */
export async function deleteStores(
  aws: ClientsOfRegion,
  record: TeardownRecord,
  log: (l: string) => void,
  file: StateFile<TeardownRecord>,
): Promise<TeardownRecord> {
  let current = record;
  const clients = (store: Store) => aws(store.region ?? record.region);
  const markDeleted = (id: string) => {
    current = { ...current, deleted: [...current.deleted, id] };
    file.write(current);
  };
  let bucketLeft = false;
  for (const store of current.stores.filter((s) => s.kind === 'bucket' && !current.deleted.includes(s.id))) {
    // Every version and delete marker, page by page; a bucket already gone has none.
    const locked = (await emptyBucket(clients(store), store.id))?.kept.length ?? 0;
    if (locked > 0) {
      log(
        `S3 bucket ${store.id}: ${locked} object versions are under S3 Object Lock retention and cannot be deleted yet; the bucket stays with its guards.`,
      );
      bucketLeft = true;
      continue;
    }
    await deleteBucket(clients(store), store.id);
    markDeleted(store.id);
  }
  for (const store of current.stores.filter((s) => s.kind === 'log-group' && !current.deleted.includes(s.id))) {
    await deleteLogGroup(clients(store), store.id);
    markDeleted(store.id);
  }
  for (const store of current.stores.filter((s) => s.kind === 'kms-key' && !current.deleted.includes(s.id))) {
    if (bucketLeft) {
      log(`KMS key ${store.id} stays: a bucket encrypted with it is still there.`);
      continue;
    }
    // Already pending deletion (an earlier run) or gone counts as done.
    await scheduleKeyDeletion(clients(store), store.id, 30);
    markDeleted(store.id);
  }
  return current;
}
