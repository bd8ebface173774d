import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { KubeClient } from './client';
import { kubeFailure, kubeStatus } from './errors';

/** A Lease as the restart protocol reads it (cli/shared/lease.ts, cert-renewal.sh): the fields the actors write. */
export interface KubeLease {
  readonly namespace: string;
  readonly name: string;
  /** Empty when nobody holds it. */
  readonly holder: string;
  readonly acquireTime?: Date;
  readonly renewTime?: Date;
  readonly durationSeconds?: number;
  readonly annotations: Readonly<Record<string, string>>;
  /** The version to write at: every write but the first create names it. */
  readonly resourceVersion: string;
}

/**
 * The Lease calls the restart protocol makes (cli/shared/lease.ts), as one value: the functions below on a client, or
 * a stand-in of the API server in the unit tier (__tests__/helpers/memory-leases.ts).
 */
export interface LeaseApi {
  readonly read: (namespace: string, name: string) => Promise<KubeLease | undefined>;
  readonly create: (write: LeaseWrite) => Promise<{ readonly created: true; readonly lease: KubeLease } | { readonly created: false }>;
  readonly replace: (write: LeaseWrite, resourceVersion: string) => Promise<LeaseReplaced>;
  /** The data of a ConfigMap (the restore record beside the Lease), undefined when there is none. */
  readonly restoreRecord: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
}

/** What one write of a Lease says. */
export interface LeaseWrite {
  readonly namespace: string;
  readonly name: string;
  /** '' gives it back. */
  readonly holder: string;
  readonly durationSeconds: number;
  readonly acquireTime?: Date;
  readonly renewTime: Date;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A MicroTime field as a Date. The client's types say Date, but its deserializer leaves a `V1MicroTime` field the
 * string the API sent (only fields of type `Date` are converted): both are taken. An unreadable one is an invalid Date
 * (its time NaN), not undefined: a reader of the Lease must not fall back to another field (the acquire time) and
 * judge an unreadable renewal old.
 */
function timeOf(value: Date | string | undefined | null): Date | undefined {
  if (value === undefined || value === null) return undefined;
  return value instanceof Date ? value : new Date(value);
}

function leaseOf(lease: V1Lease): KubeLease {
  return {
    namespace: lease.metadata?.namespace ?? '',
    name: lease.metadata?.name ?? '',
    holder: lease.spec?.holderIdentity ?? '',
    acquireTime: timeOf(lease.spec?.acquireTime),
    renewTime: timeOf(lease.spec?.renewTime),
    durationSeconds: lease.spec?.leaseDurationSeconds,
    annotations: lease.metadata?.annotations ?? {},
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

/** The object a write sends; with a resourceVersion, the API server applies it only at that version. */
function body(write: LeaseWrite, resourceVersion?: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: write.name,
      namespace: write.namespace,
      annotations: { ...write.annotations },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    spec: {
      holderIdentity: write.holder,
      leaseDurationSeconds: write.durationSeconds,
      // MicroTime: the API's format for these fields (RFC 3339 with microseconds).
      ...(write.acquireTime ? { acquireTime: new V1MicroTime(write.acquireTime.getTime()) } : {}),
      renewTime: new V1MicroTime(write.renewTime.getTime()),
    },
  };
}

const named = (namespace: string, name: string) => `Lease ${namespace}/${name}`;

/** The Lease, or undefined when there is none (NotFound). */
export async function readLease(client: KubeClient, namespace: string, name: string): Promise<KubeLease | undefined> {
  try {
    return leaseOf(await client.coordination.readNamespacedLease({ namespace, name }));
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Reading ${named(namespace, name)}`, client.server, false);
  }
}

/** Creates the Lease; `created: false` when one exists already (AlreadyExists: a create is atomic, one taker wins). */
export async function createLease(client: KubeClient, write: LeaseWrite): Promise<{ created: true; lease: KubeLease } | { created: false }> {
  try {
    return { created: true, lease: leaseOf(await client.coordination.createNamespacedLease({ namespace: write.namespace, body: body(write) })) };
  } catch (error) {
    if (kubeStatus(error)?.reason === 'AlreadyExists') return { created: false };
    throw kubeFailure(error, `Creating ${named(write.namespace, write.name)}`, client.server, true);
  }
}

/**
 * What a conditional replace came to: written, or not, because another actor wrote the Lease since it was read
 * (`Conflict`) or deleted it (`NotFound`). Either is the caller's to judge (read again, or stop): never retried here.
 */
export type LeaseReplaced =
  | { readonly written: true; readonly lease: KubeLease }
  | { readonly written: false; readonly reason: 'Conflict' | 'NotFound'; readonly message: string };

/** Replaces the Lease at `resourceVersion` (the one read): applied only if nobody wrote it since. */
export async function replaceLease(client: KubeClient, write: LeaseWrite, resourceVersion: string): Promise<LeaseReplaced> {
  if (resourceVersion === '')
    throw new Error(`Replacing ${named(write.namespace, write.name)}: no resourceVersion given; a Lease is written only at the version read.`);
  try {
    const lease = await client.coordination.replaceNamespacedLease({
      namespace: write.namespace,
      name: write.name,
      body: body(write, resourceVersion),
    });
    return { written: true, lease: leaseOf(lease) };
  } catch (error) {
    const status = kubeStatus(error);
    if (status?.reason === 'Conflict' || status?.reason === 'NotFound') return { written: false, reason: status.reason, message: status.message };
    throw kubeFailure(error, `Replacing ${named(write.namespace, write.name)} at version ${resourceVersion}`, client.server, true);
  }
}

/** Deletes the Lease; false when there was none. */
export async function deleteLease(client: KubeClient, namespace: string, name: string): Promise<boolean> {
  try {
    await client.coordination.deleteNamespacedLease({ namespace, name });
    return true;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return false;
    throw kubeFailure(error, `Deleting ${named(namespace, name)}`, client.server, true);
  }
}
