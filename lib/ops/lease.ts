import { hostname } from 'node:os';
import { Kubectl } from './kubectl';

/** The Lease that holds the roll lock in the cluster (kube-system), so pipelines on other machines see it too. */
export const LEASE_NAME = 'rancher-ha-aws-roll';
const NAMESPACE = 'kube-system';
/** A lease not renewed for this long is stale (its holder was killed): the longest step renews well within it. */
export const LEASE_SECONDS = 3600;

/** Who holds the lock: this machine and process, and when the roll started (kept in the state file to resume). */
export function newHolder(): string {
  return `${hostname()}/${process.pid}/${new Date().toISOString()}`;
}

const manifest = (holder: string, now: Date) =>
  JSON.stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace: NAMESPACE },
    spec: { holderIdentity: holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: micro(now), renewTime: micro(now) },
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
export function acquire(kubectl: Kubectl, holder: string, now = new Date()): LockResult {
  for (let attempt = 0; attempt < 2; attempt++) {
    const created = kubectl.tryCall(['create', '-f', '-'], { input: manifest(holder, now) });
    if (created.ok) return { held: true };
    if (!created.stderr.includes('AlreadyExists')) throw new Error(`Could not create the roll lock (Lease ${NAMESPACE}/${LEASE_NAME}): ${created.stderr.trim()}`);
    const existing = JSON.parse(kubectl.call(['-n', NAMESPACE, 'get', 'lease', LEASE_NAME, '-o', 'json']));
    const current = String(existing.spec?.holderIdentity ?? '');
    const renewed = String(existing.spec?.renewTime ?? existing.spec?.acquireTime ?? '');
    if (current === holder) {
      renew(kubectl, holder, now);
      return { held: true };
    }
    const age = (now.getTime() - Date.parse(renewed)) / 1000;
    if (!(age > Number(existing.spec?.leaseDurationSeconds ?? LEASE_SECONDS))) return { held: false, holder: current, renewed };
    kubectl.call(['-n', NAMESPACE, 'delete', 'lease', LEASE_NAME, '--ignore-not-found']);
  }
  return { held: false, holder: 'another roll (it took the stale lock first)', renewed: '' };
}

/** Renews the lease (between steps, and while waiting). */
export function renew(kubectl: Kubectl, holder: string, now = new Date()): void {
  kubectl.tryCall(['-n', NAMESPACE, 'patch', 'lease', LEASE_NAME, '--type', 'merge', '-p', JSON.stringify({ spec: { holderIdentity: holder, renewTime: micro(now) } })]);
}

/** Gives the lock back (only ours: a lease someone else took is left alone). */
export function release(kubectl: Kubectl, holder: string): void {
  const existing = kubectl.tryCall(['-n', NAMESPACE, 'get', 'lease', LEASE_NAME, '-o', 'json']);
  if (existing.ok && JSON.parse(existing.stdout).spec?.holderIdentity === holder) kubectl.tryCall(['-n', NAMESPACE, 'delete', 'lease', LEASE_NAME, '--ignore-not-found']);
}
