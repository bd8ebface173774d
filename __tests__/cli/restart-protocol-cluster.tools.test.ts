import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/fake-cluster/etcd';
import { FakeCluster, restartLease } from '../helpers/fake-cluster/fake-cluster';
import { NodeSandbox } from '../helpers/node-sandbox';
import { runBounded } from '../helpers/subprocess';
import {
  certificatesEnded,
  explore,
  FIXED_RULES,
  leaseVerdictOf,
  planReached,
  prepareLeaseFree,
  timerGuard,
  type Lease,
  type ServerState,
} from '../helpers/restart-protocol';

/**
 * The servers' guards of the restart protocol fed the states the model reaches (helpers/restart-protocol.ts), each
 * state written into the fake API server (helpers/fake-cluster) and read back through Debian's real kubectl, as the
 * scripts read them on a server: cert-renewal.sh's cluster_healthy (the Nodes, and real etcd's members through the
 * supervisor's /db/info and their /health), no_upgrade_running (the Nodes' kubelet versions and cordons, the server
 * Plan's status), take_lease (create, read, conditional replace; a write committed and its answer lost, another
 * actor's write between the read and the replace, as the apiserver answers them), and readiness-gates.sh's
 * restart_lease_free (the prepare step's Lease check, with the Job's Node's InternalIPs of one family and of both).
 * Each must decide as the model does. The pure rule lease_verdict and the no-Lease rotation stay in
 * restart-protocol-conformance.tools.test.ts (no API call in them).
 */

const CERT_RENEWAL = readFileSync(join(__dirname, '../../lib/kubernetes/cert-renewal.sh'), 'utf8');
const GATES = readFileSync(join(__dirname, '../../lib/kubernetes/readiness-gates.sh'), 'utf8');
const TLS = 'var/lib/rancher/rke2/server/tls';
const HELD_OUT = 'var/lib/rancher/rancher-aws/cert-renewal-held-out';
const ROLL = 'ci-runner/4242/2026-11-24T11:00:00.000Z';
const extract = (text: string, fn: string) => new RegExp(`^${fn}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(text)![0];
const serving = (s: ServerState) => s === 'up' || s === 'killed';

let dual: FakeCluster;
let single: FakeCluster;
let etcd: EtcdCluster;
let boxes: NodeSandbox[] = [];
beforeAll(async () => {
  [dual, single, etcd] = await Promise.all([
    FakeCluster.start({ servers: 3, dualStack: true }),
    FakeCluster.start({ servers: 3, dualStack: false }),
    EtcdCluster.start(3),
  ]);
  await dual.etcd(
    etcd.members.map((m) => m.clientUrl),
    etcd.ca.cert,
    etcd.client.cert,
    etcd.client.key,
  );
});
afterAll(async () => {
  await Promise.all([dual?.stop(), single?.stop(), etcd?.dispose()]);
});
afterEach(async () => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
  for (const c of [dual, single]) {
    await c.clearFaults();
    for (const s of c.servers) await c.node(s);
  }
});

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

/** Server `i` of the dual-stack cluster as the timer runs there: its admin kubeconfig on its own API, its etcd client certificates. */
function server(i: number): NodeSandbox {
  const s = dual.servers[i];
  const b = new NodeSandbox({
    NODE_IP: s.address,
    NODE_NAME: s.name,
    PEER_IPS: dual.servers
      .filter((_, j) => j !== i)
      .map((p) => p.address)
      .join(' '),
    AWS_REGION: 'us-east-1',
    PARAMETER_PREFIX: '/rancher/rke-ha',
  });
  boxes.push(b);
  b.write('etc/rancher/rke2/token', `K10${'0'.repeat(64)}::server:${dual.supervisorToken}`);
  b.parameter('server-count', '3');
  dual.kubeconfig(s, b.path('etc/rancher/rke2/rke2.yaml'));
  b.remove('bin/kubectl');
  symlinkSync(join(dual.bin, 'kubectl'), b.path('bin/kubectl'));
  mkdirSync(b.path(`${TLS}/etcd`), { recursive: true });
  copyFileSync(dual.ca.cert, b.path(`${TLS}/server-ca.crt`));
  copyFileSync(etcd.ca.cert, b.path(`${TLS}/etcd/server-ca.crt`));
  copyFileSync(etcd.client.cert, b.path(`${TLS}/etcd/client.crt`));
  copyFileSync(etcd.client.key, b.path(`${TLS}/etcd/client.key`));
  b.write('bin/curl-stub', b.read('bin/curl'));
  chmodSync(b.path('bin/curl-stub'), 0o755);
  b.write('bin/curl', CURL);
  // Each fake server's supervisor listens on its own loopback address (one machine holds all three).
  b.write(
    'lib/boot-lib.sh',
    b.read('lib/boot-lib.sh').replaceAll('${ETCD_SUPERVISOR:-127.0.0.1}:9345/db/info', `\${ETCD_SUPERVISOR:-${s.address}}:9345/db/info`),
  );
  return b;
}

/** The model's Lease as its holder wrote it on `cluster`: a roll by host/pid/time, a timer by its Node; out by its IPv4 address. */
function leaseOf(cluster: FakeCluster, lease: Lease) {
  const holder = lease.holder === '' ? '' : lease.holder.startsWith('roll') ? ROLL : cluster.servers[Number(lease.holder.slice(6))].name;
  return restartLease(holder, lease.fresh ? 60 : 7200, 1800, lease.out === null ? undefined : cluster.servers[lease.out].address);
}
async function putLease(cluster: FakeCluster, lease: Lease | null): Promise<void> {
  await cluster.remove('leases', 'rancher-aws-server-restart', { group: 'coordination.k8s.io', namespace: 'kube-system' });
  if (lease) await cluster.put(leaseOf(cluster, lease));
}

// Before the cases below: the first of them removes an etcd member for good (a roll's 'out').
describe('restart protocol: cluster_healthy on a server whose certificates ended while it ran, through the real kubectl', () => {
  it("passes over its own NotReady Node (SKIP_NODE, as peer_access sets it) and over no other, on every server state the model reaches, as the model's timer guard", async () => {
    const config = { servers: 3, rules: FIXED_RULES, maxFaults: 1, rollTarget: 0, timers: [0, 1, 2], expired: [1], roll: false, upgradeTarget: null };
    const views = new Map<string, { servers: readonly ServerState[]; ended: boolean; here: number; whole: boolean }>();
    for (const s of explore(config).reached) {
      const ended = certificatesEnded(s, config, 1);
      // The timer runs on a server whose service runs.
      for (const here of [0, 1, 2].filter((i) => s.servers[i] === 'up')) {
        // cluster_healthy's part of the guard: the cordons a timer writes are no_upgrade_running's (cert-renewal.tools).
        const view = { servers: s.servers, ended, here, whole: timerGuard({ ...s, cordoned: undefined }, FIXED_RULES, config, here) };
        views.set(JSON.stringify(view), view);
      }
    }
    const boxOf = new Map<number, NodeSandbox>();
    for (const view of views.values()) {
      // The Nodes as the cluster shows them: a server not serving is NotReady, and so is server-1 while its kubelet's
      // certificate has ended. etcd's real members stay healthy (the guard reads the Nodes first).
      for (const [i, state] of view.servers.entries()) await dual.node(dual.servers[i], { ready: serving(state) && !(view.ended && i === 1) });
      const skip = view.ended && view.here === 1 ? dual.servers[1].name : '';
      if (!boxOf.has(view.here)) boxOf.set(view.here, server(view.here));
      const r = boxOf.get(view.here)!.run({
        source: `server_paths rke2\nSKIP_NODE=${skip}\nif cluster_healthy 3; then echo WHOLE; else echo NOT-WHOLE; fi`,
      });
      expect([view, r.output.split('\n').find((l) => l === 'WHOLE' || l === 'NOT-WHOLE')]).toEqual([view, view.whole ? 'WHOLE' : 'NOT-WHOLE']);
    }
    console.log(`restart protocol conformance (real kubectl): cluster_healthy fed ${views.size} views of a server whose certificates ended`);
    // Each branch was compared: its own Node passed over (whole), another's refused, and the cluster as ever.
    expect([...views.values()].some((v) => v.ended && v.here === 1 && v.whole)).toBe(true);
    expect([...views.values()].some((v) => v.ended && v.here !== 1 && !v.whole)).toBe(true);
    expect([...views.values()].some((v) => !v.ended && v.whole)).toBe(true);
  });
});

describe("restart protocol: the renewal timer's guards, through the real kubectl and the fake API server, decide as the model does", () => {
  it('cluster_healthy with the expected count, on every server state the model reaches (3 servers, two faults): Nodes absent (out), NotReady (restarting, hung) or Ready', async () => {
    const reached = explore({ servers: 3, rules: FIXED_RULES, maxFaults: 2, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 }).reached;
    // Those with a server out last: the roll's Node deletion removes its etcd member (RKE2's member controller), done
    // here once, for real (etcdctl member remove), before the first of them.
    const states = [...new Map(reached.map((s) => [s.servers.join(','), s.servers] as const)).values()].sort(
      (a, b) => Number(a.includes('out')) - Number(b.includes('out')),
    );
    expect(states.every((s) => s.every((x, i) => x !== 'out' || i === 0))).toBe(true);
    // The timer runs on a server that is up. The other members stay healthy: a server that is not serving has its
    // Node NotReady, which the guard reads first (servers_ready) and refuses on; with every Node Ready, the real
    // members answer.
    const boxOf = new Map<number, NodeSandbox>();
    const answers = new Set<string | undefined>();
    let removed = false;
    for (const servers of states) {
      if (servers.includes('out') && !removed) {
        const row = etcd
          .etcdctl([etcd.members[1].clientUrl], ['member', 'list'])
          .stdout.split('\n')
          .find((l) => l.includes(`, ${etcd.members[0].name}, `));
        // etcd refuses a member removal until the members that stay have been connected for its health interval
        // (etcd 3.4 server.go, mayRemoveMember: "not enough started members"), which a just-started cluster on a
        // loaded machine may not yet have: asked again, a bounded number of times.
        let result = etcd.etcdctl([etcd.members[1].clientUrl], ['member', 'remove', row!.split(',')[0]]);
        for (let attempt = 1; result.status !== 0 && attempt < 30; attempt++) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
          result = etcd.etcdctl([etcd.members[1].clientUrl], ['member', 'remove', row!.split(',')[0]]);
        }
        expect([result.status, result.stderr]).toEqual([0, expect.anything()]);
        removed = true;
      }
      for (const [i, state] of servers.entries()) {
        if (state === 'out') await dual.remove('nodes', dual.servers[i].name);
        else await dual.node(dual.servers[i], { ready: serving(state) });
      }
      const here = Math.max(
        1,
        servers.findIndex((s, i) => i > 0 && s === 'up'),
      );
      if (!boxOf.has(here)) boxOf.set(here, server(here));
      const r = boxOf
        .get(here)!
        .run({ source: 'server_paths rke2\nif cluster_healthy "$(expected_servers)"; then echo WHOLE; else echo NOT-WHOLE; fi' });
      const answer = r.output.split('\n').find((l) => l === 'WHOLE' || l === 'NOT-WHOLE');
      answers.add(answer);
      expect([servers, answer]).toEqual([servers, timerGuard({ servers, applying: null }, FIXED_RULES) ? 'WHOLE' : 'NOT-WHOLE']);
    }
    console.log(`restart protocol conformance (real kubectl): cluster_healthy fed ${states.length} server states the model reached`);
    expect(answers).toEqual(new Set(['WHOLE', 'NOT-WHOLE']));
    expect(states.some((s) => s.includes('out'))).toBe(true);
    // The whole cluster's answer came from real etcd: the supervisors' member list and each member's /health.
    expect((await dual.requests()).some((q) => q.path === 'supervisor:/db/info')).toBe(true);
  });

  it('no_upgrade_running on every (applying, Plan version, kubelet versions) the model reaches with an in-place upgrade of server-1 (system-upgrade-controller v0.20.1)', async () => {
    const config = { servers: 3, rules: FIXED_RULES, maxFaults: 0, rollTarget: 0, timers: [2], upgradeTarget: 1 };
    const views = new Map<string, { applying: number | null; planned: boolean; newOnOne: boolean; expected: boolean }>();
    for (const s of explore(config).reached) {
      const upgrade = s.actors.upgrade;
      const view = {
        applying: s.applying,
        planned: upgrade.pc === 'planned',
        newOnOne: upgrade.pc === 'done' && s.servers[1] === 'up',
        expected: s.applying === null && planReached(s, config),
      };
      views.set(JSON.stringify(view), view);
    }
    const NEW = 'v1.35.7+rke2r1';
    const OLD = 'v1.34.9+rke2r1';
    const b = server(2);
    const source = `server_paths rke2\nUPGRADE_PLAN=server-plan\nUPGRADE_NAMESPACE=system-upgrade\n${extract(CERT_RENEWAL, 'no_upgrade_running')}\nif no_upgrade_running; then echo NONE; else echo RUNNING; fi`;
    for (const view of views.values()) {
      // The controller's view: the Plan at the version it applies (written with + as -, a label value), applying
      // on server-1 while its Job runs; server-1's kubelet on the old version until its service is back.
      for (const [i, s] of dual.servers.entries()) await dual.node(s, { kubelet: view.planned ? OLD : i === 1 && !view.newOnOne ? OLD : NEW });
      await dual.put({
        apiVersion: 'upgrade.cattle.io/v1',
        kind: 'Plan',
        metadata: { name: 'server-plan', namespace: 'system-upgrade' },
        spec: { concurrency: 1 },
        status: {
          latestVersion: (view.planned ? OLD : NEW).replace('+', '-'),
          ...(view.applying === null ? {} : { applying: [dual.servers[view.applying].name] }),
        },
      });
      const r = b.run({ source });
      expect([view, r.output.split('\n').find((l) => l === 'NONE' || l === 'RUNNING')]).toEqual([view, view.expected ? 'NONE' : 'RUNNING']);
    }
    await dual.remove('plans', 'server-plan', { group: 'upgrade.cattle.io', namespace: 'system-upgrade' });
    console.log(`restart protocol conformance (real kubectl): no_upgrade_running fed ${views.size} upgrade views the model reached`);
    expect([...views.values()].map((v) => v.expected).sort()).toEqual(expect.arrayContaining([false, true]));
  });

  it('take_lease on every Lease a timer takes in the model, as the write succeeds, commits and then loses its answer, or loses a race: held or not, and the Lease after it, as the model says', async () => {
    // The timer of server-2 beside the roll and an upgrade (the world of issue 47's path 5a), every fix, one fault.
    const config = { servers: 3, rules: FIXED_RULES, maxFaults: 1, rollTarget: 0, timers: [2], upgradeTarget: 1 };
    type Case = { lease: Lease | null; outcome: 'written' | 'commits-then-fails' | 'conflict' };
    const cases = new Map<string, Case>();
    for (const s of explore(config).reached) {
      const timer = s.actors['timer-2'];
      if (timer.pc !== 'take' || !timer.alive) continue;
      const current = timer.rv === (s.lease ? 1 : 0);
      const outcomes: Case['outcome'][] = current ? (s.lease ? ['written', 'commits-then-fails'] : ['written']) : ['conflict'];
      for (const outcome of outcomes) cases.set(JSON.stringify([s.lease && { ...s.lease, rv: 0 }, outcome]), { lease: s.lease, outcome });
    }
    const functions = ['lease_manifest', 'read_lease', 'take_lease'].map((fn) => extract(CERT_RENEWAL, fn)).join('\n');
    const source = `server_paths rke2\nLEASE=rancher-aws-server-restart\nLEASE_SECONDS=1800\nHELD_OUT=/${HELD_OUT}\n${functions}\nif take_lease; then echo HELD; else echo NOT-HELD; fi`;
    const me = dual.servers[2];
    let raced = 0;
    for (const { lease, outcome } of cases.values()) {
      const b = server(2);
      await putLease(dual, lease);
      // The replace applied and its answer lost (a timeout); or another actor's write right after this run's read.
      if (outcome === 'commits-then-fails') await dual.fault({ verb: 'update', resource: 'leases', action: 'commit-then-drop', times: 1 });
      if (outcome === 'conflict')
        await dual.fault({
          verb: 'get',
          resource: 'leases',
          action: 'answer-then-write',
          write: restartLease('ci-runner/4243/2026-11-24T11:30:00.000Z', 0, 3600),
          times: 1,
        });
      const r = b.run({ source });
      // The apiserver's answers as kubectl reported them to the script.
      if (outcome === 'commits-then-fails')
        expect([lease, r.output]).toEqual([lease, expect.stringContaining('it committed, and this run holds it')]);
      // A Lease the timer may take meets the racing write at its replace (409); one it may not, it never writes.
      if (outcome === 'conflict' && ['free', 'stale', 'mine'].includes(leaseVerdictOf(lease, 'timer-2', FIXED_RULES))) {
        expect([lease, r.output]).toEqual([lease, expect.stringContaining('another took the restart Lease first')]);
        raced++;
      }
      const after = (await dual.lease()) as any;
      const real = {
        held: r.output.split('\n').includes('HELD'),
        marker: b.exists(HELD_OUT),
        lease:
          after?.spec?.holderIdentity === me.name
            ? { holder: 'timer-2', out: after.metadata.annotations?.['rancher-ha-aws/out'] === me.address ? 2 : 'other' }
            : 'not its own',
      };
      await dual.clearFaults();
      // The model: written or read back, the timer holds the Lease naming its own server out (and resumes from the
      // marker if killed); a Conflict ends the run holding nothing.
      const held = outcome !== 'conflict';
      expect([lease, outcome, real]).toEqual([lease, outcome, { held, marker: held, lease: held ? { holder: 'timer-2', out: 2 } : 'not its own' }]);
    }
    console.log(`restart protocol conformance (real kubectl): take_lease run on ${cases.size} (Lease, outcome) pairs the model reaches`);
    expect(new Set([...cases.values()].map((c) => c.outcome))).toEqual(new Set(['written', 'commits-then-fails', 'conflict']));
    expect(raced).toBeGreaterThan(0);
  });
});

describe("restart protocol: the upgrade Job's prepare step decides on the restart Lease as the model does, through the real kubectl", () => {
  // Every actor together, every fix, one fault: the roll's Leases (its server out), the timers', stale ones.
  const leasesOf = (dualStack: boolean) => {
    const reached = explore({
      servers: 3,
      rules: FIXED_RULES,
      maxFaults: 1,
      rollTarget: 0,
      timers: [2],
      oldTimers: [1],
      upgradeTarget: 1,
      dualStack,
      newNodeJobs: true,
      leaseFaults: true,
    }).reached;
    return [...new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const)).values()];
  };
  it.each([
    ['one address family (IPv4 InternalIPs)', false],
    ['both address families (each Node an IPv4 and an IPv6 InternalIP)', true],
  ])("restart_lease_free on every Lease the model reaches, for each server's Job, %s", async (_name, dualStack) => {
    const cluster = dualStack ? dual : single;
    const leases = leasesOf(dualStack);
    const script = `RESTART_LEASE=rancher-aws-server-restart\n${extract(GATES, 'restart_lease_free')}\n${cluster.servers
      .map((s) => `if restart_lease_free '${s.internalIps.join(' ')}'; then echo FREE; else echo HELD; fi`)
      .join('\n')}`;
    // What the Job's prepare step is given: its Node's InternalIPs as kubectl's jsonpath prints them.
    const printed = runBounded(
      `${cluster.bin}/kubectl`,
      ['get', 'node', cluster.servers[1].name, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'],
      {
        env: { HOME: cluster.dir, KUBECONFIG: cluster.kubeconfig(), PATH: process.env.PATH },
      },
    ).stdout;
    expect(printed).toBe(cluster.servers[1].internalIps.join(' '));
    let compared = 0;
    const seen = new Set<string>();
    for (const lease of leases) {
      await putLease(cluster, lease);
      const r = runBounded('bash', ['-c', script], {
        env: { PATH: `${cluster.bin}:${process.env.PATH}`, HOME: cluster.dir, KUBECONFIG: cluster.kubeconfig() },
      });
      const answers = r.stdout.trim().split('\n');
      answers.forEach((a) => seen.add(a));
      expect([lease, r.stderr]).toEqual([lease, '']);
      cluster.servers.forEach((_, target) =>
        expect([lease, target, answers[target]]).toEqual([lease, target, prepareLeaseFree(lease, target, FIXED_RULES, dualStack) ? 'FREE' : 'HELD']),
      );
      compared += cluster.servers.length;
    }
    console.log(`restart protocol conformance (real kubectl): restart_lease_free fed ${leases.length} Leases x 3 Jobs the model reached (${_name})`);
    expect(compared).toBeGreaterThan(10);
    expect(seen).toEqual(new Set(['FREE', 'HELD']));
    // Its own server named out (free to its Job only), another's, stale, free: both answers occur.
    expect(leases.some((l) => l !== null && l.out !== null && l.fresh)).toBe(true);
  });
});
