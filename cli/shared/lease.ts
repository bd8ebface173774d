import { hostname } from 'node:os';
import type { KubeLease, LeaseApi, LeaseWrite as KubeLeaseWrite } from './kube/leases';

/** A Lease in kube-system used as a lock: its name, and how long after its last renewal it is stale. */
export interface LeaseLock {
  readonly name: string;
  readonly seconds: number;
}

/** A lease not renewed for this long is stale (its holder was killed): the roll renews it every minute, during every step. */
export const LEASE_SECONDS = 3600;
/** The roll lock, in the cluster so that pipelines on other machines see it too. */
export const ROLL_LEASE: LeaseLock = { name: 'rancher-ha-aws-roll', seconds: LEASE_SECONDS };
/**
 * The servers' restart lock (design notes, "Who may restart a server"):
 * lib/kubernetes/cert-renewal.sh takes it before a certificate-renewal
 * restart, the upgrade Plan's prepare step waits while it is held, and the
 * roll holds it from before its first server to its end.
 */
export const RESTART_LEASE: LeaseLock = { name: 'rancher-aws-server-restart', seconds: LEASE_SECONDS };
const NAMESPACE = 'kube-system';

/**
 * The record a restore leaves (lib/kubernetes/rke2-restore.sh record_restore): ConfigMap kube-system/rancher-aws-restore,
 * its `restoredLeaseVersion` the resourceVersion of the restart Lease the snapshot put back. While the Lease still has
 * that version nothing has written it since: its holder's work ended with the cluster it ran in, and a server it marks
 * out is not out of this one. The Lease compared with itself: no clock of this machine or of a server is read.
 */
export const RESTORE_RECORD = 'rancher-aws-restore';

/**
 * The resourceVersion of the restart Lease the last restore put back, or undefined: no restore, no Lease in its
 * snapshot, or a record of an earlier version (only `restoredAt`, a server's clock: it names no Lease, so none is
 * taken as the restore's; `roll --take-over`, or `rancher-aws-restore --forget-only` run again, which records anew).
 */
export async function restoredLeaseVersion(api: Pick<LeaseApi, 'restoreRecord'>): Promise<string | undefined> {
  // A record that cannot be read names no Lease, as one that is not there: the take then judges the Lease by its
  // holder and renewal alone (the stricter reading).
  const record = await api.restoreRecord(NAMESPACE, RESTORE_RECORD).catch(() => undefined);
  const version = (record?.restoredLeaseVersion ?? '').trim();
  return version === '' ? undefined : version;
}

/**
 * The annotation of the restart Lease naming the server that is out of the
 * cluster (its private address): a roll's server between its drain and its
 * rejoin, or a server whose certificate-renewal restart did not come back.
 * A Lease that carries it is never taken over by age; only its holder (a
 * resumed roll) or a person (`roll --take-over`) takes it.
 */
export const OUT_ANNOTATION = 'rancher-ha-aws/out';

/**
 * Who holds the lock: this machine and process, and when it started. One holder per living process: a resumed roll
 * is a new holder that succeeds the one its state file records (acquire's `succeeds`), once that process is gone.
 */
export function newHolder(): string {
  return `${hostname()}/${process.pid}/${new Date().toISOString()}`;
}

/** The process a holder names is alive on this machine, and is not this one (a roll running from the same folder). */
export function holderAlive(holder: string): boolean {
  const [host, pid] = holder.split('/');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '') || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A Lease as the protocol reads it. */
export interface LeaseView {
  /** Empty when nobody holds it (a released Lease keeps existing, with no holder). */
  readonly holder: string;
  /** The last renewal, in ms since the epoch (NaN when unreadable: then it counts as held, never as stale). */
  readonly renewTimeMs: number;
  readonly durationSeconds: number;
  /** The server that is out, when one is. */
  readonly out?: string;
  /** '' when the API server gave none (kube/leases.ts leaseOf): a replace at it is refused before any request. */
  readonly resourceVersion: string;
}

/**
 * What a taker may do with the Lease: `free` (none, or no holder) and
 * `stale` (its holder stopped renewing it, and no server is out) may be
 * taken; `mine` is ours already; `held` and `held-out` (a server is out) are
 * another's. The one rule every actor applies (cert-renewal.sh
 * `lease_verdict` is the same rule in shell; the tests hold them to the
 * protocol model).
 */
export type LeaseVerdict = 'free' | 'mine' | 'stale' | 'held' | 'held-out';

export function leaseVerdict(lease: LeaseView | undefined, me: string, nowMs: number): LeaseVerdict {
  if (lease === undefined || lease.holder === '') return 'free';
  if (lease.holder === me) return 'mine';
  if (lease.out) return 'held-out';
  return lapsed(lease, nowMs) ? 'stale' : 'held';
}

/** Not renewed within its own duration (an unreadable renewal time never lapses). */
function lapsed(lease: LeaseView, nowMs: number): boolean {
  return lease.renewTimeMs + lease.durationSeconds * 1000 < nowMs;
}

function viewOf(lease: KubeLease, lock: LeaseLock): LeaseView {
  return {
    holder: lease.holder,
    renewTimeMs: (lease.renewTime ?? lease.acquireTime)?.getTime() ?? Number.NaN,
    durationSeconds: lease.durationSeconds ?? lock.seconds,
    out: lease.annotations[OUT_ANNOTATION] || undefined,
    resourceVersion: lease.resourceVersion,
  };
}

/** What one write of the Lease says: its holder ('' gives it back), and what it keeps of the Lease it replaces. */
interface LeaseWrite {
  readonly holder: string;
  /** The server that is out. @default none */
  readonly out?: string;
  /** The acquire time to keep (a renewal). @default now, or none when giving it back */
  readonly acquired?: Date;
  /** @default the lock's duration */
  readonly seconds?: number;
}

/**
 * The Lease as one write leaves it, renewed `now` (the API's MicroTime: microseconds, kube/leases.ts). Written at the
 * resourceVersion read, the API server applies it only if the Lease has not changed since (a Conflict otherwise):
 * every write but the first create is conditional (replaceAt). The fields are the ones cert-renewal.sh writes and
 * reads, so either side can judge the other's Lease.
 */
function written(lock: LeaseLock, now: Date, write: LeaseWrite): KubeLeaseWrite {
  const acquired = write.acquired ?? (write.holder === '' ? undefined : now);
  return {
    namespace: NAMESPACE,
    name: lock.name,
    holder: write.holder,
    durationSeconds: write.seconds ?? lock.seconds,
    ...(acquired ? { acquireTime: acquired } : {}),
    renewTime: now,
    annotations: write.out ? { [OUT_ANNOTATION]: write.out } : {},
  };
}

/** The lock is not (or no longer) ours: the actor stops at once, and takes no further step. */
export class LeaseLost extends Error {}

const named = (lock: LeaseLock) => `Lease ${NAMESPACE}/${lock.name}`;
const why = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Reads the Lease: undefined when there is none. */
export async function readLease(api: Pick<LeaseApi, 'read'>, lock: LeaseLock): Promise<(LeaseView & { readonly acquired?: Date }) | undefined> {
  let lease: KubeLease | undefined;
  try {
    lease = await api.read(NAMESPACE, lock.name);
  } catch (error) {
    throw new Error(`Could not read the lock (${named(lock)}): ${why(error)}`, { cause: error });
  }
  return lease && { ...viewOf(lease, lock), acquired: lease.acquireTime };
}

/** A conditional replace at `resourceVersion`: true when written, false on a Conflict or NotFound (someone else wrote first). */
async function replaceAt(api: Pick<LeaseApi, 'replace'>, lock: LeaseLock, write: KubeLeaseWrite, resourceVersion: string): Promise<boolean> {
  try {
    return (await api.replace(write, resourceVersion)).written;
  } catch (error) {
    throw new Error(`Could not write the lock (${named(lock)}): ${why(error)}`, { cause: error });
  }
}

export type LockResult =
  | { readonly held: true }
  | {
      readonly held: false;
      readonly holder: string;
      readonly renewed: string;
      readonly out?: string;
      /** Renewed within its duration: its holder is at work (a renewal's restart under way), not gone. */
      readonly fresh?: boolean;
    };

/**
 * The roll's answer to the servers' restart Lease it could not take: `wait` (bounded) while a certificate renewal
 * restarts its server (a holder that is a server, not a roll's host/pid/time, renewed within its duration: the
 * timer marks its own server out from its take) or while the Lease marks no server out; `refuse` (exit 3) for a
 * server out under any other holder (a roll, or a renewal that stopped renewing): never taken by age.
 */
export function restartLeaseAnswer(result: Extract<LockResult, { held: false }>): 'wait' | 'refuse' {
  const renewal = !result.holder.includes('/') && result.fresh === true;
  return result.out && !renewal ? 'refuse' : 'wait';
}

/**
 * Takes the lock: a create of the Lease (atomic: a second create is refused
 * with AlreadyExists), or, when one exists, a conditional replace at the
 * resourceVersion read, only when leaseVerdict allows it (free, stale, or
 * ours already). Of two takers racing for a stale Lease, one write fails with
 * a Conflict. With `takeOver` (a person's `roll --take-over`), a Lease held
 * whose holder stopped renewing it is taken even with a server out (the
 * server stays named as out). With `restoredVersion` (restoredLeaseVersion),
 * a Lease still at the version the restore put back is taken whatever it
 * marks, and its mark cleared (a resumed roll's own Lease keeps it).
 */
export async function acquire(
  api: LeaseApi,
  holder: string,
  now = new Date(),
  lock: LeaseLock = ROLL_LEASE,
  options: { readonly takeOver?: boolean; readonly succeeds?: string; readonly restoredVersion?: string } = {},
): Promise<LockResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let created: boolean;
    try {
      created = (await api.create(written(lock, now, { holder }))).created;
    } catch (error) {
      throw new Error(`Could not create the lock (${named(lock)}): ${why(error)}`, { cause: error });
    }
    if (created) return { held: true };
    const lease = await readLease(api, lock);
    // Deleted between our create and this read: try the create again.
    if (lease === undefined) continue;
    // A resumed roll succeeds its own earlier process (dead: holderAlive said so): that holder's Lease is ours.
    const verdict = options.succeeds !== undefined && lease.holder === options.succeeds ? 'mine' : leaseVerdict(lease, holder, now.getTime());
    // A take-over is for a Lease with a server out whose holder stopped renewing it (a roll's machine lost): never
    // for a holder that is alive.
    const abandoned = verdict === 'held-out' && lapsed(lease, now.getTime());
    // Put back by a restore: not written since the restore recorded its version (any write moves it on). Whatever its
    // verdict, a server it marks out is not out of this cluster, so a take-over does not keep the mark.
    const restored = options.restoredVersion !== undefined && lease.resourceVersion === options.restoredVersion;
    const taking = verdict === 'free' || verdict === 'stale' || verdict === 'mine' || restored || (options.takeOver === true && abandoned);
    if (!taking)
      return {
        held: false,
        holder: lease.holder,
        // An unreadable renewal (NaN) is said as such: Date's toISOString throws on it.
        renewed: Number.isNaN(lease.renewTimeMs) ? 'at a time that cannot be read' : new Date(lease.renewTimeMs).toISOString(),
        out: lease.out,
        fresh: !lapsed(lease, now.getTime()),
      };
    // Ours already (a resumed roll) keeps its acquire time and its out marker; anything else starts afresh, except
    // that a take-over keeps the server that is out named (it is still out).
    const out = verdict === 'mine' || (options.takeOver && !restored) ? lease.out : undefined;
    const write = written(lock, now, { holder, out, acquired: verdict === 'mine' ? lease.acquired : undefined });
    if (await replaceAt(api, lock, write, lease.resourceVersion)) return { held: true };
    // Conflict: someone wrote it since we read it; read again.
  }
  return { held: false, holder: 'another taker (it wrote the Lease first)', renewed: '' };
}

/**
 * Rewrites the Lease we hold (a renewal, or a new out marker), conditionally:
 * read, check we still hold it, replace at that resourceVersion. A Conflict
 * (a concurrent write) is read again once more; a Lease that is no longer
 * ours throws LeaseLost, so a roll that lost its lock never takes it back.
 */
async function rewrite(
  api: LeaseApi,
  holder: string,
  now: Date,
  lock: LeaseLock,
  out: (current: string | undefined) => string | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const lease = await readLease(api, lock);
    if (lease === undefined || lease.holder !== holder)
      throw new LeaseLost(
        `The lock (${named(lock)}) is no longer ours: ${lease ? `${lease.holder || 'nobody'} holds it now` : 'it was deleted'}. Stopping here, without another step.`,
      );
    if (await replaceAt(api, lock, written(lock, now, { holder, out: out(lease.out), acquired: lease.acquired }), lease.resourceVersion)) return;
  }
  throw new Error(`Could not renew the lock (${named(lock)}): it kept changing under us.`);
}

/** Renews the lease we hold (every minute, during every step); throws LeaseLost when it is no longer ours. */
export async function renew(api: LeaseApi, holder: string, now = new Date(), lock: LeaseLock = ROLL_LEASE): Promise<void> {
  await rewrite(api, holder, now, lock, (out) => out);
}

/** Names the server that is out on the restart Lease we hold, or (undefined) clears it; throws LeaseLost when it is not ours. */
export async function markOut(api: LeaseApi, holder: string, address: string | undefined, lock: LeaseLock = RESTART_LEASE): Promise<void> {
  await rewrite(api, holder, new Date(), lock, () => address);
}

/**
 * Gives the lock back, conditionally: the Lease stays, with no holder (a
 * `free` Lease), written at the resourceVersion read and only while we hold
 * it. A Lease someone else took is left alone.
 */
export async function release(api: LeaseApi, holder: string, lock: LeaseLock = ROLL_LEASE): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const lease = await readLease(api, lock);
    if (lease === undefined || lease.holder !== holder) return;
    // No holder and a one-second duration, as client-go's leader election releases: a reader of the older rule
    // (servers not yet rolled onto this version's scripts) sees it stale, so free, at once.
    if (await replaceAt(api, lock, written(lock, new Date(), { holder: '', seconds: 1 }), lease.resourceVersion)) return;
  }
}
