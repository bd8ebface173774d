import { hostname } from 'node:os';
import { Kubectl } from './kubectl';

/** A Lease in kube-system used as a lock: its name, and how long after its last renewal it is stale. */
export interface LeaseLock {
  readonly name: string;
  readonly seconds: number;
}

/** A lease not renewed for this long is stale (its holder was killed): the longest step renews well within it. */
export const LEASE_SECONDS = 3600;
/** The roll lock, in the cluster so that pipelines on other machines see it too. */
export const ROLL_LEASE: LeaseLock = { name: 'rancher-ha-aws-roll', seconds: LEASE_SECONDS };
/**
 * The servers' restart lock (lib/kubernetes/cert-renewal.sh takes it before a
 * certificate-renewal restart; the upgrade Plan's prepare step waits while it
 * is held). The roll holds it from before its first server to its end, its
 * duration as long as its longest step (the apply): cert-renewal.sh and the
 * prepare step judge a Lease stale by its own leaseDurationSeconds.
 */
export const RESTART_LEASE: LeaseLock = { name: 'rancher-aws-server-restart', seconds: LEASE_SECONDS };
const NAMESPACE = 'kube-system';

/** Who holds the lock: this machine and process, and when the roll started (kept in the state file to resume). */
export function newHolder(): string {
  return `${hostname()}/${process.pid}/${new Date().toISOString()}`;
}

// The fields cert-renewal.sh writes and reads (holderIdentity, leaseDurationSeconds, acquireTime, renewTime, in
// RFC 3339 with microseconds), so either side can judge the other's Lease.
const manifest = (lock: LeaseLock, holder: string, now: Date) =>
  JSON.stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: lock.name, namespace: NAMESPACE },
    spec: { holderIdentity: holder, leaseDurationSeconds: lock.seconds, acquireTime: micro(now), renewTime: micro(now) },
  });
const micro = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export type LockResult = { readonly held: true } | { readonly held: false; readonly holder: string; readonly renewed: string };

/**
 * Takes the lock: `kubectl create` of the Lease, which the API server makes
 * atomic (a second create fails with AlreadyExists). A lease held by `holder`
 * (this roll, resumed) is ours; a stale one (not renewed within its duration)
 * is deleted and created again, and only one of two racing takers can win that
 * create.
 */
export function acquire(kubectl: Kubectl, holder: string, now = new Date(), lock: LeaseLock = ROLL_LEASE): LockResult {
  for (let attempt = 0; attempt < 2; attempt++) {
    const created = kubectl.tryCall(['create', '-f', '-'], { input: manifest(lock, holder, now) });
    if (created.ok) return { held: true };
    if (!created.stderr.includes('AlreadyExists'))
      throw new Error(`Could not create the lock (Lease ${NAMESPACE}/${lock.name}): ${created.stderr.trim()}`);
    const existing = kubectl.tryCall(['-n', NAMESPACE, 'get', 'lease', lock.name, '-o', 'json']);
    // Deleted between our create and this read (its holder released it): try the create again.
    if (!existing.ok && existing.stderr.includes('NotFound')) continue;
    if (!existing.ok) throw new Error(`Could not read the lock (Lease ${NAMESPACE}/${lock.name}): ${existing.stderr.trim()}`);
    const spec = JSON.parse(existing.stdout).spec ?? {};
    const current = String(spec.holderIdentity ?? '');
    const renewed = String(spec.renewTime ?? spec.acquireTime ?? '');
    if (current === holder) {
      renew(kubectl, holder, now, lock);
      return { held: true };
    }
    const age = (now.getTime() - Date.parse(renewed)) / 1000;
    if (!(age > Number(spec.leaseDurationSeconds ?? lock.seconds))) return { held: false, holder: current, renewed };
    kubectl.call(['-n', NAMESPACE, 'delete', 'lease', lock.name, '--ignore-not-found']);
  }
  return { held: false, holder: 'another taker (it took the stale lock first)', renewed: '' };
}

/** The arguments of a merge patch of the lease `lock`. */
function leasePatch(lock: LeaseLock, patch: object): string[] {
  return ['-n', NAMESPACE, 'patch', 'lease', lock.name, '--type', 'merge', '-p', JSON.stringify(patch)];
}

/** Renews the lease (between steps, and while waiting). */
export function renew(kubectl: Kubectl, holder: string, now = new Date(), lock: LeaseLock = ROLL_LEASE): void {
  kubectl.tryCall(leasePatch(lock, { spec: { holderIdentity: holder, renewTime: micro(now) } }));
}

/**
 * The annotation of the restart Lease naming the server a roll has out of the
 * cluster (its private address): the upgrade Plan's prepare step lets that
 * server's own upgrade Job go on (readiness-gates.sh `restart_lease_free`).
 */
export const OUT_ANNOTATION = 'rancher-ha-aws/out';

/** Names the server the roll has out on the restart Lease it holds, or (undefined) clears it. */
export function markOut(kubectl: Kubectl, address: string | undefined, lock: LeaseLock = RESTART_LEASE): void {
  kubectl.call(leasePatch(lock, { metadata: { annotations: { [OUT_ANNOTATION]: address ?? null } } }));
}

/** Gives the lock back (only ours: a lease someone else took is left alone). */
export function release(kubectl: Kubectl, holder: string, lock: LeaseLock = ROLL_LEASE): void {
  const existing = kubectl.tryCall(['-n', NAMESPACE, 'get', 'lease', lock.name, '-o', 'json']);
  if (existing.ok && JSON.parse(existing.stdout).spec?.holderIdentity === holder)
    kubectl.tryCall(['-n', NAMESPACE, 'delete', 'lease', lock.name, '--ignore-not-found']);
}
