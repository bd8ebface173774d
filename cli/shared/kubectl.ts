import { runAsync } from './process';

/** The parts of a Node the roll reads. */
export interface NodeStatus {
  readonly name: string;
  /**
   * Every InternalIP the Node lists, in its order: one per family on a dual-stack cluster (IPv4 first when it is the
   * primary family, but nothing here relies on the order).
   */
  readonly internalIps: readonly string[];
  readonly ready: boolean;
  /**
   * RKE2's `EtcdIsVoter` condition: true for a voting etcd member, false for a
   * learner, an unhealthy member or a node that is not a member; undefined
   * when the node has no such condition (K3s on an external datastore).
   */
  readonly etcdVoter: boolean | undefined;
  readonly unschedulable: boolean;
  readonly deleting: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The metadata of any object as `kubectl get -o json` prints it (the parts the operations read). */
export interface KubeObject {
  readonly metadata?: {
    readonly name?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly deletionTimestamp?: string;
  };
}

/** A Node as `kubectl get -o json` prints it (the parts nodeStatus reads). */
export interface NodeObject extends KubeObject {
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: {
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly addresses?: readonly { readonly type: string; readonly address: string }[];
  };
}

/** `kubectl` with the deployment's kubeconfig (and a context of it) and a request timeout on every call. */
export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    readonly context?: string,
  ) {}

  private args(args: readonly string[]): string[] {
    return ['--kubeconfig', this.kubeconfig, ...(this.context ? ['--context', this.context] : []), '--request-timeout=30s', ...args];
  }

  /**
   * Runs kubectl without blocking this process (a drain: the roll renews its Leases meanwhile); ok false instead of an
   * error. The one call left on kubectl (docs/design-notes.md): every plain API call goes through the client (kube/).
   */
  async tryCallAsync(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<{ ok: boolean; stdout: string; stderr: string }> {
    const result = await runAsync('kubectl', this.args(args), { timeoutMs: options.timeoutMs ?? 120_000 });
    return { ok: result.code === 0, stdout: result.stdout, stderr: result.stderr };
  }
}

export function nodeStatus(item: NodeObject): NodeStatus {
  const conditions = item.status?.conditions ?? [];
  const condition = (type: string) => conditions.find((c) => c.type === type)?.status;
  const voter = condition('EtcdIsVoter');
  return {
    name: item.metadata?.name ?? '',
    internalIps: (item.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address),
    ready: condition('Ready') === 'True',
    etcdVoter: voter === undefined ? undefined : voter === 'True',
    unschedulable: item.spec?.unschedulable === true,
    deleting: item.metadata?.deletionTimestamp !== undefined,
    labels: item.metadata?.labels ?? {},
    annotations: item.metadata?.annotations ?? {},
  };
}

/** Whether `address` is one of the Node's InternalIPs (of either family). */
export function hasAddress(node: NodeStatus, address: string): boolean {
  return node.internalIps.includes(address);
}
