import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROCESS_TIMEOUT_MS } from '../subprocess';
import { debianKubectl } from './kubectl';
import { TestCa } from './pki';

/** A server of the fake cluster: its API (ADDRESS:6443) and supervisor (ADDRESS:9345) on a loopback address of its own. */
export interface FakeServer {
  readonly name: string;
  /** The loopback address it listens on, which is also its Node's IPv4 InternalIP (the servers' fixed addresses). */
  readonly address: string;
  /** Its Node's InternalIPs: the IPv4 address and, on dual stack, an IPv6 one after it (IPv4 is the primary family). */
  readonly internalIps: readonly string[];
}

export interface NodeState {
  readonly ready?: boolean;
  readonly voter?: boolean;
  readonly unschedulable?: boolean;
  readonly kubelet?: string;
  readonly labels?: Record<string, string>;
}

export interface Fault {
  readonly verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
  readonly resource?: string;
  readonly name?: string;
  readonly address?: string;
  /**
   * commit-then-drop / commit-then-hang: the write is stored, the answer lost; drop: nothing done; status: answered
   * with `code`; answer-then-write: a read answered, then `write` stored (another actor's write between a read and
   * the reader's conditional write); hang: no answer at all, nothing done (an API server whose etcd does not answer
   * keeps the request open until the client's own timeout ends it).
   */
  readonly action: 'commit-then-drop' | 'commit-then-hang' | 'drop' | 'status' | 'answer-then-write' | 'hang';
  readonly write?: KubeObject;
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
  /** How many requests it hits (every one when unset). */
  readonly times?: number;
  /** How many matching requests it lets through untouched before it hits. @default 0 */
  readonly skip?: number;
}

export interface AdmissionHook {
  /** The webhook's name, as its configuration lists it (rancher-webhook: e.g. rancher.cattle.io.secrets). */
  readonly name: string;
  readonly operations: readonly ('CREATE' | 'UPDATE' | 'DELETE')[];
  readonly resource: string;
  readonly namespace?: string;
  /** deny: the webhook answers not allowed; unreachable: failurePolicy Fail and no pod to call. */
  readonly mode: 'deny' | 'unreachable';
  readonly message?: string;
  readonly code?: number;
  readonly service?: string;
  readonly serviceNamespace?: string;
}

/** A Kubernetes object as the control API takes and gives it. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
};

/**
 * The fake Kubernetes API server (api-server.js, a process of its own) with `servers` servers on loopback addresses
 * of one random 127.X.Y.0/24 (so files run side by side never share one), a test CA, and a bin folder whose
 * `kubectl` is Debian's real one. The Nodes are the servers' (control plane, etcd), Ready voters, dual stack when
 * asked: what the scripts read goes through the real kubectl's decoding and printing.
 */
export class FakeCluster {
  private constructor(
    readonly dir: string,
    readonly servers: readonly FakeServer[],
    readonly ca: TestCa,
    /** A folder with `kubectl` (Debian's), to put first on PATH. */
    readonly bin: string,
    readonly token: string,
    /** The password of RKE2's supervisor (/db/info), as the servers' token file holds it. */
    readonly supervisorToken: string,
    private readonly child: ChildProcess,
    private readonly port: number,
  ) {}

  static async start(options: { servers: number; dualStack: boolean }): Promise<FakeCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'fake-cluster-'));
    const base = `127.${randomInt(100, 250)}.${randomInt(0, 255)}`;
    const servers = Array.from({ length: options.servers }, (_, i) => {
      const address = `${base}.${11 + i}`;
      return { name: `ip-${address.replaceAll('.', '-')}`, address, internalIps: options.dualStack ? [address, `fd00:10:0:${i + 1}::a`] : [address] };
    });
    const ca = new TestCa(join(dir, 'pki'));
    const server = ca.issue('server', ['127.0.0.1', ...servers.map((s) => s.address)]);
    renameSync(server.cert, join(dir, 'pki/server.crt'));
    renameSync(server.key, join(dir, 'pki/server.key'));
    const tokens = { token: randomBytes(16).toString('hex'), supervisorToken: randomBytes(16).toString('hex') };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(tokens));
    const child = spawn(process.execPath, [join(__dirname, 'api-server.js'), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const limit = setTimeout(
        () => reject(new Error(`the fake API server printed no control port within ${PROCESS_TIMEOUT_MS / 1000} s`)),
        PROCESS_TIMEOUT_MS,
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n')) {
          clearTimeout(limit);
          resolve(JSON.parse(line).control);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(limit);
        reject(new Error(`the fake API server ended (exit ${code}) before it printed its control port`));
      });
    });
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(debianKubectl(), join(bin, 'kubectl'));
    const self = new FakeCluster(dir, servers, ca, bin, tokens.token, tokens.supervisorToken, child, port);
    for (const s of servers) {
      await self.up(s.address);
      await self.node(s);
    }
    await self.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    await self.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'system-upgrade' } });
    return self;
  }

  /**
   * A kubeconfig for `server`'s API (the first server's by default), authenticated with the cluster's token, trusting
   * the test CA: what a server's admin kubeconfig is to the scripts. Written to `path` (default: in the cluster's folder).
   */
  kubeconfig(server: FakeServer = this.servers[0], path = join(this.dir, `kubeconfig-${server.name}`)): string {
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: fake\n  cluster:\n    server: https://${server.address}:6443\n    certificate-authority: ${this.ca.cert}`,
        'users:',
        `- name: admin\n  user:\n    token: ${this.token}`,
        'contexts:',
        '- name: fake\n  context:\n    cluster: fake\n    user: admin',
        'current-context: fake',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return path;
  }

  /** Writes `server`'s Node as its kubelet and RKE2 would: both InternalIPs, Ready and EtcdIsVoter, the roles' labels. */
  node(server: FakeServer, state: NodeState = {}): Promise<KubeObject> {
    const condition = (type: string, on: boolean) => ({ type, status: on ? 'True' : 'False', reason: on ? type : `Not${type}` });
    return this.put({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: server.name,
        labels: {
          'kubernetes.io/hostname': server.name,
          'node-role.kubernetes.io/control-plane': 'true',
          'node-role.kubernetes.io/etcd': 'true',
          ...state.labels,
        },
      },
      spec: state.unschedulable ? { unschedulable: true } : {},
      status: {
        addresses: [...server.internalIps.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: server.name }],
        conditions: [condition('Ready', state.ready ?? true), condition('EtcdIsVoter', state.voter ?? true)],
        nodeInfo: { kubeletVersion: state.kubelet ?? 'v1.35.7+rke2r1' },
      },
    });
  }

  /** Stores `object` as a controller or the kubelet writes it (no admission, no version check); returns it stored. */
  put(object: KubeObject): Promise<KubeObject> {
    return this.call('PUT', '/objects', object);
  }

  /** The stored object, or undefined. */
  async get(resource: string, name: string, options: { group?: string; version?: string; namespace?: string } = {}): Promise<KubeObject | undefined> {
    const query = new URLSearchParams({
      resource,
      name,
      group: options.group ?? '',
      version: options.version ?? 'v1',
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
    const res = await fetch(`http://127.0.0.1:${this.port}/objects?${query}`);
    return res.status === 404 ? undefined : ((await res.json()) as KubeObject);
  }

  lease(name = 'rancher-aws-server-restart'): Promise<KubeObject | undefined> {
    return this.get('leases', name, { group: 'coordination.k8s.io', namespace: 'kube-system' });
  }

  remove(resource: string, name: string, options: { group?: string; version?: string; namespace?: string } = {}): Promise<unknown> {
    const query = new URLSearchParams({
      resource,
      name,
      group: options.group ?? '',
      version: options.version ?? 'v1',
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
    return this.call('DELETE', `/objects?${query}`);
  }

  /** The server's API and supervisor refuse connections from now on (its service stopped). */
  down(address: string): Promise<unknown> {
    return this.call('POST', '/servers/down', { address });
  }

  up(address: string): Promise<unknown> {
    return this.call('POST', '/servers/up', { address });
  }

  fault(fault: Fault): Promise<unknown> {
    return this.call('POST', '/faults', fault);
  }

  clearFaults(): Promise<unknown> {
    return this.call('DELETE', '/faults');
  }

  clearHooks(): Promise<unknown> {
    return this.call('DELETE', '/hooks');
  }

  hook(hook: AdmissionHook): Promise<unknown> {
    return this.call('POST', '/hooks', hook);
  }

  /** The etcd members the supervisors' /db/info lists (real etcd, through etcdctl). */
  etcd(endpoints: readonly string[], cacert: string, cert: string, key: string): Promise<unknown> {
    return this.call('POST', '/etcd', { endpoints, cacert, cert, key });
  }

  /** Every request the API and supervisors got since the last `clearRequests` (an API request with the client's address and port: its connection). */
  requests(): Promise<{ address: string; method: string; path: string; query?: string; user?: string; connection?: string }[]> {
    return this.call('GET', '/requests');
  }

  clearRequests(): Promise<unknown> {
    return this.call('DELETE', '/requests');
  }

  /** Ends the server process and removes its folder. */
  async stop(): Promise<void> {
    const ended = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await ended;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json()) as T & { error?: string };
    if (res.status >= 400) throw new Error(`fake cluster control ${method} ${path}: ${answer.error ?? res.status}`);
    return answer;
  }
}

/** The servers' restart Lease as an actor leaves it: `holder` ('' when given back), renewed `secondsAgo`, and the server `out`. */
export function restartLease(holder: string, secondsAgo: number, duration: number, out?: string): KubeObject {
  const renewed = new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.(\d+)Z$/, '.$1000Z');
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'rancher-aws-server-restart', namespace: 'kube-system', ...(out ? { annotations: { 'rancher-ha-aws/out': out } } : {}) },
    spec: { ...(holder ? { holderIdentity: holder } : {}), leaseDurationSeconds: duration, acquireTime: renewed, renewTime: renewed },
  };
}
