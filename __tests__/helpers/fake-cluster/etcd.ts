import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from '../subprocess';
import { TestCa } from './pki';

/** Debian's etcd-server and etcd-client (3.4): the members and the client the tests run. */
export const ETCD = '/usr/bin/etcd';
export const ETCDCTL = '/usr/bin/etcdctl';

export interface EtcdMember {
  readonly name: string;
  readonly address: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** The member's peer certificate and key (client and server use, as RKE2's peer-server-client.crt). */
  peer: { cert: string; key: string };
  /** Its client-facing serving certificate. */
  readonly server: { cert: string; key: string };
}

export interface MemberListEntry {
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}

/**
 * Three (or `count`) real etcd members on loopback addresses of one random 127.X.Y.0/24, TLS for clients and
 * peers from a test CA, client certificates required on both (as RKE2 runs etcd): quorum, a member restarted and a
 * certificate that ends while the members run behave as etcd does, because it is etcd.
 */
export class EtcdCluster {
  readonly members: EtcdMember[];
  readonly client: { cert: string; key: string };
  private readonly running = new Map<string, ChildProcess>();

  private constructor(
    readonly dir: string,
    readonly ca: TestCa,
    count: number,
  ) {
    const base = `127.${randomInt(100, 250)}.${randomInt(0, 255)}`;
    this.members = Array.from({ length: count }, (_, i) => {
      const address = `${base}.${21 + i}`;
      const name = `member-${i}`;
      return {
        name,
        address,
        clientUrl: `https://${address}:2379`,
        peerUrl: `https://${address}:2380`,
        dataDir: join(dir, `${name}.etcd`),
        peer: ca.issue(`${name}-peer`, [address]),
        server: ca.issue(`${name}-server`, [address]),
      };
    });
    this.client = ca.issue('etcd-client', ['127.0.0.1']);
  }

  /** Starts every member (a new cluster) and waits, bounded, until each answers healthy. */
  static async start(count = 3): Promise<EtcdCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-'));
    const cluster = new EtcdCluster(dir, new TestCa(join(dir, 'pki')), count);
    for (const m of cluster.members) cluster.startMember(m, 'new');
    for (const m of cluster.members) {
      if (!(await cluster.waitFor(() => cluster.healthy(m), 240)))
        throw new Error(`etcd ${m.name} did not become healthy within 240 polls: ${cluster.log(m).slice(-2000)}`);
    }
    return cluster;
  }

  /** Starts a member that is stopped (its data dir kept: it rejoins as the member it was). */
  start(member: EtcdMember): void {
    this.startMember(member, 'existing');
  }

  /** Stops a member (SIGTERM, as systemd stops rke2-server's etcd) and waits until it has ended. */
  stop(member: EtcdMember, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.running.get(member.name);
    if (!child) return Promise.resolve();
    this.running.delete(member.name);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    return ended;
  }

  /** Kills a member at once (SIGKILL: a machine lost). */
  kill(member: EtcdMember): Promise<void> {
    return this.stop(member, 'SIGKILL');
  }

  /** Whether the member's process runs. */
  isRunning(member: EtcdMember): boolean {
    const child = this.running.get(member.name);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /**
   * Gives `member` a new peer certificate, ending at `notAfter`, used from its next start: a certificate that ends
   * while the member runs is made by starting it just before.
   */
  reissuePeer(member: EtcdMember, notAfter: Date): void {
    member.peer = this.ca.issue(`${member.name}-peer-${Date.now()}`, [member.address], notAfter);
  }

  /** `etcdctl endpoint health` on one member: a quorum read through it (etcd's own health check). */
  healthy(member: EtcdMember): boolean {
    return this.etcdctl([member.clientUrl], ['endpoint', 'health']).status === 0;
  }

  /** The member list as `member` answers it (etcd's MemberList), or undefined when it does not answer. */
  memberList(member: EtcdMember): MemberListEntry[] | undefined {
    const r = this.etcdctl([member.clientUrl], ['member', 'list', '-w', 'json']);
    if (r.status !== 0) return undefined;
    const list = JSON.parse(r.stdout) as { members?: (Partial<MemberListEntry> & { name?: string })[] };
    return (list.members ?? []).map((m) => ({
      name: m.name ?? '',
      peerURLs: m.peerURLs ?? [],
      clientURLs: m.clientURLs ?? [],
      isLearner: m.isLearner ?? false,
    }));
  }

  /** A key written through `member` (a raft proposal: needs a leader and a quorum reached through the peer streams). */
  put(member: EtcdMember, key: string, value: string): boolean {
    return this.etcdctl([member.clientUrl], ['put', key, value]).status === 0;
  }

  /**
   * Polls `check` up to `polls` times, a quarter of a second apart (a member is healthy a second or so after it
   * starts: a poll a second spent most of the file's time waiting); true once it holds. Bounded by polls, not by a clock.
   */
  async waitFor(check: () => boolean, polls: number): Promise<boolean> {
    for (let i = 0; i < polls; i++) {
      if (check()) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }

  /** What the member logged (etcd logs to stderr). */
  log(member: EtcdMember): string {
    return readFileSync(join(this.dir, `${member.name}.log`), 'utf8');
  }

  async dispose(): Promise<void> {
    for (const m of this.members) await this.kill(m);
    rmSync(this.dir, { recursive: true, force: true });
  }

  etcdctl(endpoints: readonly string[], args: readonly string[]) {
    return runBounded(
      ETCDCTL,
      [
        '--endpoints',
        endpoints.join(','),
        '--cacert',
        this.ca.cert,
        '--cert',
        this.client.cert,
        '--key',
        this.client.key,
        '--dial-timeout=2s',
        '--command-timeout=3s',
        ...args,
      ],
      { env: { ETCDCTL_API: '3', PATH: process.env.PATH } },
    );
  }

  private startMember(m: EtcdMember, state: 'new' | 'existing'): void {
    mkdirSync(m.dataDir, { recursive: true, mode: 0o700 });
    const log = openSync(join(this.dir, `${m.name}.log`), 'a');
    const child = spawn(
      ETCD,
      [
        `--name=${m.name}`,
        `--data-dir=${m.dataDir}`,
        `--listen-client-urls=${m.clientUrl}`,
        `--advertise-client-urls=${m.clientUrl}`,
        `--listen-peer-urls=${m.peerUrl}`,
        `--initial-advertise-peer-urls=${m.peerUrl}`,
        `--initial-cluster=${this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',')}`,
        `--initial-cluster-state=${state}`,
        '--initial-cluster-token=fake-cluster',
        '--client-cert-auth',
        `--trusted-ca-file=${this.ca.cert}`,
        `--cert-file=${m.server.cert}`,
        `--key-file=${m.server.key}`,
        '--peer-client-cert-auth',
        `--peer-trusted-ca-file=${this.ca.cert}`,
        `--peer-cert-file=${m.peer.cert}`,
        `--peer-key-file=${m.peer.key}`,
        // No metrics listener of its own, small heartbeats: a loaded test machine keeps its leader.
        '--heartbeat-interval=200',
        '--election-timeout=4000',
        '--logger=zap',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.running.set(m.name, child);
  }
}
