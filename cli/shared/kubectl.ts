import { CommandFailed, run, runAsync } from './process';

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

/** `kubectl` with the deployment's kubeconfig (and a context of it), a request timeout on every call, and JSON output. */
export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    readonly context?: string,
  ) {}

  private args(args: readonly string[]): string[] {
    return ['--kubeconfig', this.kubeconfig, ...(this.context ? ['--context', this.context] : []), '--request-timeout=30s', ...args];
  }

  /** Runs kubectl; throws CommandFailed unless it succeeded. */
  call(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): string {
    const result = run('kubectl', this.args(args), { input: options.input, timeoutMs: options.timeoutMs ?? 120_000 });
    if (result.code !== 0) throw new CommandFailed(`kubectl ${args.join(' ')}`, result);
    return result.stdout;
  }

  /** Like call, but undefined instead of an error (a read that may fail while a server restarts). */
  tryCall(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): { ok: boolean; stdout: string; stderr: string } {
    const result = run('kubectl', this.args(args), { input: options.input, timeoutMs: options.timeoutMs ?? 120_000 });
    return { ok: result.code === 0, stdout: result.stdout, stderr: result.stderr };
  }

  /** Like tryCall, without blocking this process (a drain: the roll renews its Leases meanwhile). */
  async tryCallAsync(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<{ ok: boolean; stdout: string; stderr: string }> {
    const result = await runAsync('kubectl', this.args(args), { timeoutMs: options.timeoutMs ?? 120_000 });
    return { ok: result.code === 0, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * One object as JSON; undefined when it does not exist (NotFound), or when
   * its kind is not known to the API server (a CRD not installed).
   */
  object<T = KubeObject>(namespace: string, kind: string, name: string): T | undefined {
    const result = this.tryCall(['-n', namespace, 'get', kind, name, '-o', 'json']);
    if (result.ok) return JSON.parse(result.stdout) as T;
    if (/NotFound|doesn't have a resource type|the server could not find the requested resource/.test(result.stderr)) return undefined;
    throw new Error(`kubectl -n ${namespace} get ${kind} ${name} failed: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`);
  }

  /** Every Node, or undefined when the API did not answer. */
  nodes(): NodeStatus[] | undefined {
    const result = this.tryCall(['get', 'nodes', '-o', 'json']);
    if (!result.ok) return undefined;
    return (JSON.parse(result.stdout).items ?? []).map(nodeStatus);
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
