import type { KubeLease, LeaseApi, LeaseWrite } from '../../cli/shared/kube/leases';

/** A MicroTime as the API server prints it (RFC 3339, microseconds), as the client's V1MicroTime serializes a Date. */
const micro = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

/**
 * The Kubernetes API server's Lease behaviour that cli/shared/lease.ts relies on, in memory, behind the same calls
 * the client layer makes (LeaseApi, cli/shared/kube/leases.ts), for in-process conformance cases (the tools tier runs
 * the same calls through @kubernetes/client-node against the fake API server, helpers/fake-cluster, and against the
 * roll's fake world, ops-stubs/stub-server.js): a create answers AlreadyExists for a Lease that exists; a replace
 * applies only at the resourceVersion it carries (Conflict otherwise, NotFound without a Lease), as the API server's
 * optimistic concurrency does (kubernetes `pkg/registry/coordination/lease/strategy.go` refuses an unconditional
 * update); every write moves the version on. The objects are kept as the API serves them (`get`).
 */
export class MemoryLeases {
  private readonly leases = new Map<string, { object: any; version: number }>();
  private version = 0;
  /** The writes that succeeded. */
  writes = 0;
  /** The restore record's data (ConfigMap kube-system/rancher-aws-restore), or none. */
  record: Record<string, string> | undefined;

  /** Puts a Lease object in place (a pre-state), at a new version. */
  put(object: any): void {
    this.leases.set(object.metadata.name, { object, version: ++this.version });
  }

  /** The Lease as the API serves it (`kubectl get -o json`), or undefined. */
  get(name: string): any {
    const held = this.leases.get(name);
    return held && { ...held.object, metadata: { ...held.object.metadata, resourceVersion: String(held.version) } };
  }

  /** The Lease as the client layer reads it (kube/leases.ts leaseOf: MicroTime fields as Dates). */
  private read(name: string): KubeLease | undefined {
    const lease = this.get(name);
    if (!lease) return undefined;
    const time = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
    return {
      namespace: lease.metadata.namespace ?? '',
      name,
      holder: lease.spec?.holderIdentity ?? '',
      acquireTime: time(lease.spec?.acquireTime),
      renewTime: time(lease.spec?.renewTime),
      durationSeconds: lease.spec?.leaseDurationSeconds,
      annotations: lease.metadata.annotations ?? {},
      resourceVersion: lease.metadata.resourceVersion,
    };
  }

  /** Stores a write as the object the client layer sends (kube/leases.ts body) and the API server keeps. */
  private store(write: LeaseWrite): KubeLease {
    this.put({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: write.name, namespace: write.namespace, annotations: { ...write.annotations } },
      spec: {
        holderIdentity: write.holder,
        leaseDurationSeconds: write.durationSeconds,
        ...(write.acquireTime ? { acquireTime: micro(write.acquireTime) } : {}),
        renewTime: micro(write.renewTime),
      },
    });
    this.writes++;
    return this.read(write.name)!;
  }

  /** This, as the restart protocol's Lease calls. */
  asApi(): LeaseApi {
    return {
      read: async (_namespace, name) => this.read(name),
      create: async (write) => (this.leases.has(write.name) ? { created: false } : { created: true, lease: this.store(write) }),
      replace: async (write, resourceVersion) => {
        // Refused as the client layer refuses it (kube/leases.ts replaceLease), before any request: the API server would
        // refuse it too (a Lease's update strategy allows no unconditional update: 422, resourceVersion must be specified).
        if (resourceVersion === '') throw new Error(`memory-leases: a replace of ${write.name} without a resourceVersion`);
        const held = this.leases.get(write.name);
        if (!held) return { written: false, reason: 'NotFound', message: `leases.coordination.k8s.io "${write.name}" not found` };
        if (resourceVersion !== String(held.version))
          return {
            written: false,
            reason: 'Conflict',
            message: `Operation cannot be fulfilled on leases.coordination.k8s.io "${write.name}": the object has been modified; please apply your changes to the latest version and try again`,
          };
        return { written: true, lease: this.store(write) };
      },
      restoreRecord: async () => this.record,
    };
  }
}
