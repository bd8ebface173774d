import { deleteBucket, emptyBucket } from '../shared/aws/bucket-emptying';
import type { AwsClients, ClientsOfRegion } from '../shared/aws/clients';
import { liftDeletionProtection } from '../shared/aws/databases';
import { scheduleKeyDeletion } from '../shared/aws/kms-keys';
import { liftLoadBalancerProtection } from '../shared/aws/load-balancers';
import { deleteLogGroup } from '../shared/aws/log-groups';
import { isAwsError } from '../shared/aws/errors';
import { deleteParameter } from '../shared/aws/parameters';
import { readObjectText } from '../shared/aws/standby-object';
import type { IoHost } from '../shared/io/io-host';
import type { StateFile } from '../shared/state-file';
import type { Store } from '../shared/stores';
import type { OperationsParameter, StandbyFinding, TeardownPlan, TeardownRecord } from './teardown';

// The teardown's steps in AWS, through the SDK (cli/shared/aws/), and the clients it makes. teardown.ts loads this
// module with import() once it reaches AWS, and scripts/build.js bundles it with the SDK side (aws-sdk.js) apart from
// main.js: the SDK is most of the CLI's code, and a dry run or a refusal never needs it.
export { clientsByRegion } from '../shared/aws/clients';
export { snapshotsOfVolume } from '../shared/aws/ebs-snapshots';

/**
 * AWS deletion protection of the load balancers and the datastore lifted before the destroy, which the providers
 * refuse while it is on; RDS is waited for until it reports it off (bounded). Each in its own region (its ARN's), else
 * the deployment's: a standby's module (its pilot light) holds resources of the standby's region and of us-east-1, and
 * an endpoint of another region answers NotFound, which would read as gone. One already gone (deleted by hand, an
 * earlier run) is nothing to lift.
 */
export async function liftGuards(aws: ClientsOfRegion, plan: Pick<TeardownPlan, 'loadBalancers' | 'databases'>, region: string): Promise<void> {
  for (const lb of plan.loadBalancers) await liftLoadBalancerProtection(aws(lb.region ?? region), lb.arn);
  for (const db of plan.databases) {
    const lifted = await liftDeletionProtection(aws(db.region ?? region), db.identifier, { budgetMs: 300_000 });
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

/** The largest standby state read (a standby deployment's whole state is a few MB). */
const STANDBY_STATE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * What a standby's Terraform state holds (S3 GetObject of its backend's key, in its region): its managed resource
 * instances, as Terraform's state format v4 lists them (`resources[].mode`, `instances`). No object (NoSuchKey: the
 * prepare never ran, or the S3 backend's state was never written) or no bucket is an empty state; any other answer
 * (access denied, the region not answering, not a state) is said as unread.
 */
export async function readStandbyState(clients: AwsClients, bucket: string, key: string): Promise<StandbyFinding> {
  let text: string;
  try {
    text = await readObjectText(clients, bucket, key, STANDBY_STATE_MAX_BYTES);
  } catch (error) {
    if (isAwsError(error, 'NoSuchKey', 'NoSuchBucket')) return { resources: 0, servers: false, datastore: false };
    return { unread: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300) };
  }
  let state: { resources?: { mode?: string; type?: string; instances?: unknown[] }[] };
  try {
    state = JSON.parse(text) as typeof state;
  } catch {
    return { unread: 'not a Terraform state (not JSON)' };
  }
  const live = (state.resources ?? []).filter((r) => r.mode === 'managed' && (r.instances ?? []).length > 0);
  return {
    resources: live.reduce((n, r) => n + (r.instances ?? []).length, 0),
    servers: live.some((r) => r.type === 'aws_instance' || r.type === 'aws_autoscaling_group'),
    datastore: live.some((r) => r.type === 'aws_db_instance'),
  };
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
 * Once `stopped` says so (a signal), no further store is begun: the record says which are left for a rerun. The
 * stores `held` names (a standby's state bucket while that state describes resources) are not begun: left, recorded.
 */
export async function deleteStores(
  aws: ClientsOfRegion,
  record: TeardownRecord,
  io: IoHost,
  file: StateFile<TeardownRecord>,
  stopped: () => boolean = () => false,
  held: ReadonlySet<string> = new Set(),
): Promise<TeardownRecord> {
  let current = record;
  const clients = (store: Store) => aws(store.region ?? record.region);
  const markDeleted = (id: string) => {
    current = { ...current, deleted: [...current.deleted, id] };
    file.write(current);
  };
  const order: readonly Store['kind'][] = ['bucket', 'log-group', 'kms-key'];
  const left = order.flatMap((kind) => current.stores.filter((s) => s.kind === kind && !current.deleted.includes(s.id) && !held.has(s.id)));
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
