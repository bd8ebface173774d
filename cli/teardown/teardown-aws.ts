import { deleteBucket, emptyBucket } from '../shared/aws/bucket-emptying';
import type { AwsClients, ClientsOfRegion } from '../shared/aws/clients';
import { liftDeletionProtection } from '../shared/aws/databases';
import { scheduleKeyDeletion } from '../shared/aws/kms-keys';
import { liftLoadBalancerProtection } from '../shared/aws/load-balancers';
import { deleteLogGroup } from '../shared/aws/log-groups';
import { deleteParameter } from '../shared/aws/parameters';
import type { IoHost } from '../shared/io/io-host';
import type { StateFile } from '../shared/state-file';
import type { Store } from '../shared/stores';
import type { OperationsParameter, TeardownPlan, TeardownRecord } from './teardown';

// The teardown's steps in AWS, through the SDK (cli/shared/aws/), and the clients it makes. teardown.ts loads this
// module with import() once it reaches AWS, and scripts/build.js bundles it with the SDK side (aws-sdk.js) apart from
// main.js: the SDK is most of the CLI's code, and a dry run or a refusal never needs it.
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
 * Deletes the parameters operations commands wrote beside the deployment (OperationsParameter), each in its region
 * (the standby's) through SSM DeleteParameter, one already gone counting as deleted; each recorded as it goes, and
 * said (`TEARDOWN_PARAMETER_DELETED`, or `..._GONE`). Throws when SSM refuses: the record says which are left.
 */
export async function deleteParameters(
  aws: ClientsOfRegion,
  record: TeardownRecord,
  io: IoHost,
  file: StateFile<TeardownRecord>,
): Promise<TeardownRecord> {
  let current = record;
  const left = (current.parameters ?? []).filter((p: OperationsParameter) => !(current.parametersDeleted ?? []).includes(p.name));
  for (const p of left) {
    const deleted = await deleteParameter(aws(p.region), p.name);
    current = {
      ...current,
      parametersDeleted: [...(current.parametersDeleted ?? []), p.name],
      ...(deleted ? {} : { parametersGone: [...(current.parametersGone ?? []), p.name] }),
    };
    file.write(current);
    if (deleted)
      io.info('TEARDOWN_PARAMETER_DELETED', `SSM parameter ${p.name} (${p.region}): deleted (failover --prepare wrote it).`, {
        parameter: p.name,
        region: p.region,
      });
    else io.info('TEARDOWN_PARAMETER_GONE', `SSM parameter ${p.name} (${p.region}): gone already.`, { parameter: p.name, region: p.region });
  }
  return current;
}

/** What a store's span says it does, by kind. */
const DOING: Readonly<Record<Store['kind'], string>> = {
  bucket: 'every object version and delete marker deleted, then the bucket',
  'log-group': 'the log group deleted',
  'kms-key': 'the key scheduled for deletion (30 days)',
};

/**
 * Deletes the stores on purpose: each bucket emptied then deleted, log groups, then the keys once no bucket of theirs
 * is left. Each store in its own region (a standby's copies and their key are in the standby's region, and KMS finds a
 * key in its own region only), else the deployment's; `aws` gives each region's clients. Each store is a timed step
 * (`TEARDOWN_STORE_STARTED`, store n of m among those left), ended by `TEARDOWN_STORE_DELETED` (a bucket's with the
 * number of versions deleted), or stopped after `TEARDOWN_BUCKET_LOCKED` / `TEARDOWN_KEY_KEPT`, which say why it stays.
 * Once `stopped` says so (a signal), no further store is begun: the record says which are left for a rerun.
 */
export async function deleteStores(
  aws: ClientsOfRegion,
  record: TeardownRecord,
  io: IoHost,
  file: StateFile<TeardownRecord>,
  stopped: () => boolean = () => false,
): Promise<TeardownRecord> {
  let current = record;
  const clients = (store: Store) => aws(store.region ?? record.region);
  const markDeleted = (id: string) => {
    current = { ...current, deleted: [...current.deleted, id] };
    file.write(current);
  };
  const order: readonly Store['kind'][] = ['bucket', 'log-group', 'kms-key'];
  const left = order.flatMap((kind) => current.stores.filter((s) => s.kind === kind && !current.deleted.includes(s.id)));
  let bucketLeft = false;
  for (const [i, store] of left.entries()) {
    if (stopped()) break;
    const span = io.begin({
      code: 'TEARDOWN_STORE_STARTED',
      label: store.id,
      position: { n: i + 1, m: left.length },
      text: `${describe(store)}: ${DOING[store.kind]}`,
      doing: DOING[store.kind],
      data: { store: store.id, kind: store.kind },
    });
    try {
      if (store.kind === 'bucket') {
        // Every version and delete marker, page by page; a bucket already gone has none.
        const emptied = await emptyBucket(clients(store), store.id);
        const locked = emptied?.kept.length ?? 0;
        if (locked > 0) {
          span.stop();
          io.warn(
            'TEARDOWN_BUCKET_LOCKED',
            `S3 bucket ${store.id}: ${locked} object versions are under S3 Object Lock retention and cannot be deleted yet; the bucket stays with its guards.`,
            { store: store.id, locked, versionsDeleted: emptied?.removed ?? 0 },
          );
          bucketLeft = true;
          continue;
        }
        await deleteBucket(clients(store), store.id);
        markDeleted(store.id);
        const versions = emptied?.removed ?? 0;
        span.end('TEARDOWN_STORE_DELETED', `S3 bucket ${store.id}: ${versions} object versions and delete markers deleted, then the bucket`, {
          store: store.id,
          kind: store.kind,
          versionsDeleted: versions,
        });
      } else if (store.kind === 'log-group') {
        await deleteLogGroup(clients(store), store.id);
        markDeleted(store.id);
        span.end('TEARDOWN_STORE_DELETED', `log group ${store.id}: deleted`, { store: store.id, kind: store.kind });
      } else {
        if (bucketLeft) {
          span.stop();
          io.warn('TEARDOWN_KEY_KEPT', `KMS key ${store.id} stays: a bucket encrypted with it is still there.`, { store: store.id });
          continue;
        }
        // Already pending deletion (an earlier run) or gone counts as done.
        await scheduleKeyDeletion(clients(store), store.id, 30);
        markDeleted(store.id);
        span.end('TEARDOWN_STORE_DELETED', `KMS key ${store.id}: scheduled for deletion in 30 days`, { store: store.id, kind: store.kind });
      }
    } finally {
      span.stop();
    }
  }
  return current;
}

const describe = (s: Store) => `${s.kind === 'bucket' ? 'S3 bucket' : s.kind === 'log-group' ? 'log group' : 'KMS key'} ${s.id}`;
