import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster } from '../../helpers/fake-cluster/etcd';
import { FakeCluster, restartLease, type FakeServer } from '../../helpers/fake-cluster/fake-cluster';
import { TestCa } from '../../helpers/fake-cluster/pki';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runBoundedAsync } from '../../helpers/subprocess';

/**
 * cert-renewal.sh against the fake API server through Debian's real kubectl, on a dual-stack cluster whose etcd is
 * three real etcd members: the Lease's take, refusal, Conflict and release are the apiserver's answers (AlreadyExists,
 * Conflict at a stale resourceVersion) as kubectl reports them; etcd_healthy reads the member list through the
 * supervisor's /db/info (served from real etcd) and each member's real /health with real curl and certificates.
 * What stays stubbed in the sandbox: SSM and IMDS (curl), the certificates' days (openssl), and systemctl, which
 * here takes the server down for real (its API refuses connections, its etcd member stopped) when asked to restart.
 */
const SCRIPT = 'lib/kubernetes/cert-renewal.sh';
const TLS = 'var/lib/rancher/rke2/server/tls';
const DUE = [
  `${TLS}/serving-kube-apiserver.crt`,
  `${TLS}/client-admin.crt`,
  `${TLS}/etcd/server-client.crt`,
  'var/lib/rancher/rke2/agent/serving-kubelet.crt',
];

let cluster: FakeCluster;
let etcd: EtcdCluster;
let servers: readonly FakeServer[];
let boxes: NodeSandbox[] = [];
beforeAll(async () => {
  [cluster, etcd] = await Promise.all([FakeCluster.start({ servers: 3, dualStack: true }), EtcdCluster.start(3)]);
  servers = cluster.servers;
  await cluster.etcd(
    etcd.members.map((m) => m.clientUrl),
    etcd.ca.cert,
    etcd.client.cert,
    etcd.client.key,
  );
});
afterAll(async () => {
  await Promise.all([cluster?.stop(), etcd?.dispose()]);
});
beforeEach(async () => {
  await cluster.clearFaults();
  await cluster.remove('leases', 'rancher-aws-server-restart', { group: 'coordination.k8s.io', namespace: 'kube-system' });
  for (const s of servers) await cluster.node(s);
});
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/**
 * The stub systemctl of these runs: `restart` asks the test to take the server down (restart-requested) and returns
 * once it has (restart-taken; bounded), a new invocation, the certificates renewed; `show` the invocation, `is-active`
 * active. The server's API and etcd coming back is the test's doing, on the real processes.
 */
const SYSTEMCTL = [
  '#!/bin/bash',
  'echo "systemctl $*" >>"$T/calls"',
  'case $1 in',
  '  restart)',
  '    : >"$T/restart-requested"',
  '    for _ in $(seq 600); do [ -f "$T/restart-taken" ] && break; /bin/sleep 0.1; done',
  '    [ -f "$T/restart-taken" ] || exit 1',
  '    echo $(($(cat "$T/invocation" 2>/dev/null || echo 0) + 1)) >"$T/invocation"',
  '    grep -rl "^days=" "$T/var" | while read -r cert; do echo days=365 >"$cert"; done',
  '    ;;',
  '  show) echo "invocation-$(cat "$T/invocation" 2>/dev/null || echo 0)" ;;',
  '  is-active) exit 0 ;;',
  'esac',
  '',
].join('\n');

/** curl: the supervisor's /db/info and etcd's /health for real; IMDS and SSM from the sandbox's stub. */
const CURL = [
  '#!/bin/bash',
  'case "$*" in',
  '  *:9345/db/info* | *:2379/health*) exec /usr/bin/curl "$@" ;;',
  'esac',
  // The stub beside this script (dirname, without its subshell and process: curl is called on every poll).
  'exec "${0%/*}/curl-stub" "$@"',
  '',
].join('\n');

/** Server `i`'s sandbox: its admin kubeconfig on its own API, its etcd client certificates, leaves due in `days`. */
function server(i: number, days: number): NodeSandbox {
  const s = servers[i];
  const b = new NodeSandbox({
    NODE_IP: s.address,
    NODE_NAME: s.name,
    PEER_IPS: servers
      .filter((_, j) => j !== i)
      .map((p) => p.address)
      .join(' '),
    AWS_REGION: 'us-east-1',
    PARAMETER_PREFIX: '/rancher/rke-ha',
    RESTART_WAIT_SECONDS: '600',
  });
  boxes.push(b);
  b.write('etc/rancher/rke2/token', `K10${'0'.repeat(64)}::server:${cluster.supervisorToken}`);
  b.parameter('server-count', '3');
  for (const cert of DUE) b.write(cert, `days=${days}\n`);
  cluster.kubeconfig(s, b.path('etc/rancher/rke2/rke2.yaml'));
  b.remove('bin/kubectl');
  symlinkSync(join(cluster.bin, 'kubectl'), b.path('bin/kubectl'));
  copyFileSync(cluster.ca.cert, b.path(`${TLS}/server-ca.crt`));
  mkdirSync(b.path(`${TLS}/etcd`), { recursive: true });
  copyFileSync(etcd.ca.cert, b.path(`${TLS}/etcd/server-ca.crt`));
  copyFileSync(etcd.client.cert, b.path(`${TLS}/etcd/client.crt`));
  copyFileSync(etcd.client.key, b.path(`${TLS}/etcd/client.key`));
  b.write('bin/curl-stub', b.read('bin/curl'));
  chmodSync(b.path('bin/curl-stub'), 0o755);
  b.write('bin/curl', CURL);
  b.write('bin/systemctl', SYSTEMCTL);
  // Each fake server's supervisor listens on that server's own loopback address, not on 127.0.0.1 (one machine
  // holds all three): the one change made to the shipped text beyond its paths.
  b.write(
    'lib/boot-lib.sh',
    b.read('lib/boot-lib.sh').replaceAll('${ETCD_SUPERVISOR:-127.0.0.1}:9345/db/info', `\${ETCD_SUPERVISOR:-${s.address}}:9345/db/info`),
  );
  return b;
}

/** Runs the renewal on `b` without blocking the test (the test plays the restart meanwhile). */
function renewAsync(b: NodeSandbox) {
  const path = b.prepare({ file: SCRIPT, args: ['rke2'] });
  // prepare rewrote boot-lib.sh only for `inRegion`; the address change above stays.
  return runBoundedAsync('bash', [path, 'rke2'], { env: b.environment() }).then((r) => ({ status: r.status, output: `${r.stdout}${r.stderr}` }));
}

/** Polls, a second apart, at most `polls` times, until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, polls: number): Promise<boolean> {
  for (let i = 0; i < polls; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

describe('cert-renewal.sh on the fake cluster with real etcd and the real kubectl (dual stack)', () => {
  it("a renewal takes the Lease naming its IPv4 address out, restarts its server (API down, etcd member stopped), waits, releases; another server's renewal meanwhile is refused by the Lease", async () => {
    const third = server(2, 10);
    const first = server(0, 10);
    const run = renewAsync(third);
    expect(await until(() => existsSync(third.path('restart-requested')), 120)).toBe(true);
    // Taken, through the real kubectl's create: holder, duration and the out mark (its IPv4 address, as the roll's).
    const taken = (await cluster.lease()) as any;
    expect(taken.spec.holderIdentity).toBe(servers[2].name);
    expect(taken.metadata.annotations['rancher-ha-aws/out']).toBe(servers[2].address);
    // The first server's renewal, due too, while the third is about to restart: the third's Node cordoned by its
    // timer (written before it read the Lease again) holds it first; the Lease marks the third out besides. It
    // restarts nothing.
    const refused = await renewAsync(first);
    expect(refused.output).toContain(`servers cordoned (an upgrade, a roll or a drain is under way): ${servers[2].name}`);
    expect(first.calls().some((c) => c.startsWith('systemctl restart'))).toBe(false);
    expect(refused.status).toBe(0);
    // The restart: the third server's API refuses connections and its etcd member stops.
    await cluster.down(servers[2].address);
    await etcd.stop(etcd.members[2]);
    await cluster.node(servers[2], { ready: false, voter: false });
    third.write('restart-taken', '');
    // A few of its polls see it down (the API refuses; etcd has two members answering).
    expect(await until(() => third.calls().filter((c) => c.startsWith('systemctl show')).length >= 3, 120)).toBe(true);
    etcd.start(etcd.members[2]);
    expect(await etcd.waitFor(() => etcd.healthy(etcd.members[2]), 240)).toBe(true);
    await cluster.up(servers[2].address);
    await cluster.node(servers[2]);
    const done = await run;
    expect(done.output).toContain(`rke2-server restarted on ${servers[2].name}: certificates renewed`);
    expect(done.status).toBe(0);
    // Given back at the version it read: no holder, a one-second duration.
    const released = (await cluster.lease()) as any;
    expect(released.spec.holderIdentity ?? '').toBe('');
    expect(released.spec.leaseDurationSeconds).toBe(1);
    // Its etcd health checks went to the real members' /health.
    const requests = await cluster.requests();
    expect(requests.some((r) => r.address === servers[2].address && r.path === 'supervisor:/db/info')).toBe(true);
  });

  it('takes a stale Lease that names no server out at the version it read; a racing writer in between gets it a Conflict, and it restarts nothing', async () => {
    const b = server(0, 10);
    // A roll's, which marks no server out (a server's with no out marker is the previous script's: never taken by age).
    await cluster.put(restartLease('laptop/4242/2026-11-24T10:00:00.000Z', 7200, 3600));
    // Another server takes it right after this one's read before its take (the run's first read, resume's, looks for
    // a Lease a restore put back): the replace at the read version is refused (409).
    await cluster.fault({
      verb: 'get',
      resource: 'leases',
      action: 'answer-then-write',
      write: restartLease(servers[1].name, 0, 1800, servers[1].address),
      times: 1,
      skip: 1,
    });
    const raced = await renewAsync(b);
    expect(raced.output).toContain('another took the restart Lease first: trying again at the next run');
    expect(b.calls().some((c) => c.startsWith('systemctl restart'))).toBe(false);
    expect(((await cluster.lease()) as any).spec.holderIdentity).toBe(servers[1].name);
  });

  it('a run after a restart that did not come back reads the Lease through a peer (--server) while its own API refuses, keeps it, and gives it back once the cluster is whole', async () => {
    const b = server(1, 365);
    b.write('var/lib/rancher/rancher-aws/cert-renewal-held-out', '');
    await cluster.put(restartLease(servers[1].name, 0, 1800, servers[1].address));
    await cluster.down(servers[1].address);
    await cluster.node(servers[1], { ready: false });
    await cluster.clearRequests();
    const held = await renewAsync(b);
    expect(held.status).toBe(1);
    expect(held.output).toContain(
      `CRITICAL: ${servers[1].name} still holds the restart Lease with ${servers[1].address} out and the cluster is not whole`,
    );
    const peers = (await cluster.requests()).filter((r) => r.path.endsWith('/leases/rancher-aws-server-restart')).map((r) => r.address);
    expect(peers).toEqual([servers[0].address]);
    expect(((await cluster.lease()) as any).spec.holderIdentity).toBe(servers[1].name);
    // Back: its API answers, its Node is Ready, etcd's three real members are healthy.
    await cluster.up(servers[1].address);
    await cluster.node(servers[1]);
    const back = await renewAsync(b);
    expect(back.output).toContain(`${servers[1].name} is back and the cluster is whole: giving the restart Lease back`);
    expect(back.status).toBe(0);
    expect(((await cluster.lease()) as any).spec.holderIdentity ?? '').toBe('');
    expect(b.exists('var/lib/rancher/rancher-aws/cert-renewal-held-out')).toBe(false);
  });

  it('does not take a Lease another server holds, within its duration and naming no server out', async () => {
    const b = server(0, 10);
    await cluster.put(restartLease(servers[1].name, 60, 1800));
    const r = await renewAsync(b);
    expect(r.output).toContain(`${servers[1].name} holds the restart Lease: trying again at the next run`);
    expect(((await cluster.lease()) as any).spec.holderIdentity).toBe(servers[1].name);
  });
});

// Issue 62 item 8a: peer_access (cert-renewal.sh) as the real kubectl and the fake API server's x509 authentication
// answer it, and real etcd its minted etcd client: the run of a server whose every certificate ended while it ran.
describe('cert-renewal.sh peer_access on the fake cluster: a client certificate signed on the server, checked by the API server and etcd', () => {
  const extract = (fn: string) =>
    new RegExp(`^${fn}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'))![0];
  /** Server 0 holding the cluster's client CA (its key too, as every server does) and the etcd CA; `clientCa` another. */
  const holding = (clientCa: { cert: string; key: string }) => {
    const b = server(0, 10);
    copyFileSync(clientCa.cert, b.path(`${TLS}/client-ca.crt`));
    copyFileSync(clientCa.key, b.path(`${TLS}/client-ca.key`));
    copyFileSync(etcd.ca.key, b.path(`${TLS}/etcd/server-ca.key`));
    b.write('tmp/.keep', '');
    return b;
  };
  const source = `server_paths rke2\n${extract('peer_access')}\nif peer_access && cluster_healthy 3; then echo THROUGH; else echo REFUSED; fi\nPEER_AUTH=()`;
  const verdict = (out: string) => out.split('\n').find((l) => l === 'THROUGH' || l === 'REFUSED');

  it("signed by the cluster's client CA: the peer's API authenticates it as rancher-aws-cert-renewal:<its Node> (system:masters), real etcd accepts its etcd client, and its own NotReady Node is passed over", async () => {
    const b = holding(cluster.ca);
    await cluster.node(servers[0], { ready: false });
    await cluster.clearRequests();
    const r = b.run({ source }, { TMPDIR: b.path('tmp') });
    expect([verdict(r.output), r.output]).toEqual(['THROUGH', expect.anything()]);
    const asked = (await cluster.requests()).filter((q) => q.address === servers[1].address && !q.path.startsWith('supervisor:'));
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked.map((q) => q.user))).toEqual(new Set([`rancher-aws-cert-renewal:${servers[0].name}`]));
    expect((await cluster.requests()).some((q) => q.address === servers[1].address && q.path === 'supervisor:/db/info')).toBe(true);
    // Another server NotReady: refused, through the same peer.
    await cluster.node(servers[2], { ready: false });
    const refused = b.run({ source }, { TMPDIR: b.path('tmp') });
    expect(verdict(refused.output)).toBe('REFUSED');
    expect(refused.output).toContain(`servers not Ready:`);
  });

  it("signed by a CA that is not the cluster's: 401 at every peer (the x509 authenticator, not the handshake, refuses it), nothing through", async () => {
    const other = new TestCa(mkdtempSync(join(tmpdir(), 'other-ca-')));
    const b = holding(other);
    await cluster.clearRequests();
    const r = b.run({ source }, { TMPDIR: b.path('tmp') });
    expect(verdict(r.output)).toBe('REFUSED');
    const asked = (await cluster.requests()).filter((q) => q.path === '/readyz');
    expect(asked.map((q) => q.address).sort()).toEqual([servers[1].address, servers[2].address].sort());
    expect(asked.every((q) => q.user === undefined)).toBe(true);
  });
});
