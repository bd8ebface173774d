import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCluster, restartLease, type FakeServer } from '../../helpers/fake-cluster/fake-cluster';
import { runBounded } from '../../helpers/subprocess';

/**
 * The upgrade Plan's prepare step (readiness-gates.sh, GATE=prepare) against the fake API server through Debian's
 * real kubectl, on a dual-stack cluster: what the script compares is what kubectl 1.20 prints (jsonpath prints every
 * InternalIP of a Node, space separated), and the Lease's answers are the apiserver's (NotFound, a transient
 * InternalError) as kubectl reports them. The stub-driven cases of readiness-gates-script.tools.test.ts keep the
 * gate's polling logic; these hold what depends on the output format and the server's answer.
 */
const SCRIPT = join(__dirname, '../../../lib/kubernetes/readiness-gates.sh');
const NEW = 'v1.36.1+rke2r1';
const OLD = 'v1.35.7+rke2r1';
const HASH = '3f2a';
const ROLL = 'laptop/4242/2026-11-23T08:00:00.000Z';

let cluster: FakeCluster;
let servers: readonly FakeServer[];
let scratch: string;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 3, dualStack: true });
  servers = cluster.servers;
  scratch = mkdtempSync(join(tmpdir(), 'prepare-'));
  mkdirSync(join(scratch, 'bin'));
  // sleep only counts: the gate's budget is polls, not time.
  writeFileSync(join(scratch, 'bin/sleep'), '#!/bin/sh\necho "$1" >>"$SLEPT"\n');
  chmodSync(join(scratch, 'bin/sleep'), 0o755);
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  // The first server upgraded and back; this Job's (the second) and the third on the old version; all whole.
  await cluster.node(servers[0], { kubelet: NEW, labels: { 'plan.upgrade.cattle.io/server-plan': HASH } });
  await cluster.node(servers[1], { kubelet: OLD });
  await cluster.node(servers[2], { kubelet: OLD });
  await cluster.remove('leases', 'rancher-aws-server-restart', { group: 'coordination.k8s.io', namespace: 'kube-system' });
  await cluster.clearFaults();
});

/** The prepare step of the Job on servers[1], DEADLINE_SECONDS 10 (two polls, 10 s apart, when it waits). */
function prepare(env: Record<string, string> = {}) {
  const slept = join(scratch, `slept-${Math.random().toString(36).slice(2)}`);
  writeFileSync(slept, '');
  const result = runBounded('bash', [SCRIPT], {
    env: {
      PATH: `${join(scratch, 'bin')}:${cluster.bin}:${process.env.PATH}`,
      HOME: cluster.dir,
      KUBECONFIG: cluster.kubeconfig(),
      SLEPT: slept,
      GATE: 'prepare',
      DEADLINE_SECONDS: '10',
      VERSION: NEW,
      SERVERS: '3',
      EMBEDDED_ETCD: 'true',
      SYSTEM_UPGRADE_NODE_NAME: servers[1].name,
      SYSTEM_UPGRADE_PLAN_NAME: 'server-plan',
      SYSTEM_UPGRADE_PLAN_LATEST_HASH: HASH,
      ...env,
    },
  });
  const polls = readFileSync(slept, 'utf8').split('\n').filter(Boolean).length;
  return { status: result.status, out: `${result.stdout}${result.stderr}`, polls };
}

describe('readiness-gates.sh prepare, through the real kubectl on a dual-stack cluster', () => {
  it('kubectl prints both InternalIPs of a dual-stack Node (what the step compares the Lease with)', () => {
    const r = runBounded(
      `${cluster.bin}/kubectl`,
      ['get', 'node', servers[1].name, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'],
      {
        env: { HOME: cluster.dir, KUBECONFIG: cluster.kubeconfig(), PATH: process.env.PATH },
      },
    );
    expect(r.stdout).toBe(servers[1].internalIps.join(' '));
  });

  it('passes at once for the server a roll has out (its IPv4 address on the Lease), though its Node lists an IPv6 address too', async () => {
    await cluster.put(restartLease(ROLL, 60, 3600, servers[1].address));
    const r = prepare();
    expect(r.out).toContain(`the 2 other servers are whole; upgrading ${servers[1].name}`);
    expect(r.status).toBe(0);
    expect(r.polls).toBe(0);
  });

  it('waits while a roll has another server out, and fails at its bound naming it; never frees it by age', async () => {
    await cluster.put(restartLease(ROLL, 7200, 3600, servers[0].address));
    const r = prepare();
    expect(r.status).toBe(1);
    // Within its budget: at most one sleep of 10 s (the clock of a loaded machine may end it before).
    expect(r.polls).toBeLessThanOrEqual(1);
    expect(r.out).toContain(
      `a roll holds the servers' restart Lease (kube-system/rancher-aws-server-restart, ${ROLL}) with ${servers[0].address} out`,
    );
  });

  it("an IPv6 address of this server's Node on the Lease names it too (the comparison is per address, either family)", async () => {
    await cluster.put(restartLease(ROLL, 60, 3600, servers[1].internalIps[1]));
    expect(prepare().status).toBe(0);
    // Another server's IPv6 address: not this one.
    await cluster.put(restartLease(ROLL, 60, 3600, servers[2].internalIps[1]));
    expect(prepare().status).toBe(1);
  });

  it("an address that only begins like this server's is not its own", async () => {
    // 127.a.b.1 is a prefix of 127.a.b.11..13: a word-wise comparison, not a substring search.
    await cluster.put(restartLease(ROLL, 60, 3600, servers[1].address.replace(/\.\d+$/, '.1')));
    const r = prepare();
    expect(r.status).toBe(1);
  });

  it("waits while a server's renewal holds the Lease; no Lease (the apiserver's NotFound), one given back, or a stale one naming no server out lets it go on", async () => {
    await cluster.put(restartLease(servers[2].name, 60, 1800, servers[2].address));
    const held = prepare();
    expect(held.status).toBe(1);
    expect(held.out).toContain(
      `${servers[2].name} is restarting to renew its certificates (Lease kube-system/rancher-aws-server-restart), ${servers[2].address} out`,
    );
    await cluster.remove('leases', 'rancher-aws-server-restart', { group: 'coordination.k8s.io', namespace: 'kube-system' });
    expect(prepare()).toMatchObject({ status: 0, polls: 0 });
    await cluster.put(restartLease('', 0, 1));
    expect(prepare()).toMatchObject({ status: 0, polls: 0 });
    await cluster.put(restartLease(servers[2].name, 3600, 1800));
    expect(prepare()).toMatchObject({ status: 0, polls: 0 });
  });

  it("a Lease the API cannot read (a transient InternalError) holds the step, with kubectl's own line", async () => {
    await cluster.put(restartLease(servers[2].name, 3600, 1800));
    await cluster.fault({
      verb: 'get',
      resource: 'leases',
      action: 'status',
      code: 500,
      reason: 'InternalError',
      message: 'etcdserver: request timed out',
      times: 4,
    });
    const r = prepare();
    expect(r.status).toBe(1);
    expect(r.out).toContain(
      'could not read the Lease kube-system/rancher-aws-server-restart: Error from server (InternalError): etcdserver: request timed out',
    );
  });

  it('waits while another server is cordoned or not a voter, with the roll having this server out', async () => {
    await cluster.put(restartLease(ROLL, 60, 3600, servers[1].address));
    await cluster.node(servers[2], { kubelet: OLD, unschedulable: true });
    await cluster.node(servers[0], { kubelet: NEW, voter: false, labels: { 'plan.upgrade.cattle.io/server-plan': HASH } });
    const r = prepare();
    expect(r.status).toBe(1);
    expect(r.out).toContain(`before upgrading ${servers[1].name}: ${servers[0].name} is not a voting etcd member; ${servers[2].name} is cordoned`);
  });
});
