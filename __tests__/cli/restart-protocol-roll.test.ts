import { hostname } from 'node:os';
import { acquire, holderAlive, RESTART_LEASE, restartLeaseAnswer } from '../../cli/shared/lease';
import { MemoryLeases } from '../helpers/memory-leases';
import { explore, FIXED_RULES, rollLeaseDecision, rollRunning, type Lease } from '../helpers/restart-protocol';

// The roll's own steps run on the model's pre-states (helpers/restart-protocol.ts), their post-states compared with
// the model's: its take of the servers' restart Lease or its answer to one it cannot take (acquire, then
// restartLeaseAnswer: take, wait for a renewal under way, or stop with exit 3), against a Lease API with
// resourceVersion checks (helpers/memory-leases.ts, behind the calls of the client layer); and one holder per living process (holderAlive).

const NOW = Date.parse('2026-11-24T12:00:00Z');
const ROLL = 'ci-runner/4242/2026-11-24T11:00:00.000Z';
/** The model's actors as the API server's Lease names its holder: a roll by host/pid/time, a timer by its Node. */
const holderOf = (actor: string) =>
  actor === 'roll'
    ? ROLL
    : actor === 'roll-b'
      ? 'ci-runner/4243/2026-11-24T11:00:00.000Z'
      : actor === 'roll-earlier'
        ? 'ci-runner/4000/2026-11-20T11:00:00.000Z'
        : actor.replace(/^timer-(\d)$/, 'ip-10-0-$1-10');
const actorOf = (holder: string) => (holder === ROLL ? 'roll' : holder.replace(/^ip-10-0-(\d)-10$/, 'timer-$1'));

/** The model's Lease as the API server holds it: fresh renewed a minute ago, stale two durations ago. */
function leaseObject(lease: Lease) {
  const renewed = new Date(NOW - (lease.fresh ? 60_000 : 2 * 1800_000)).toISOString();
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: RESTART_LEASE.name,
      namespace: 'kube-system',
      annotations: lease.out === null ? {} : { 'rancher-ha-aws/out': `10.0.${lease.out}.10` },
    },
    spec: { holderIdentity: holderOf(lease.holder), leaseDurationSeconds: 1800, acquireTime: renewed, renewTime: renewed },
  };
}

describe("restart protocol: the roll's steps run on the model's states", () => {
  it("acquire of the restart Lease, then restartLeaseAnswer: the same decision and the same Lease after it as the model's roll, on every Lease reached (a roll, two renewal timers, a second roll; one fault)", async () => {
    const reached = explore({
      servers: 3,
      rules: FIXED_RULES,
      maxFaults: 1,
      rollTarget: 0,
      timers: [1, 2],
      upgradeTarget: null,
      secondRoll: 2,
    }).reached;
    const leases = [...new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const)).values()];
    const decisions = new Set<string>();
    for (const lease of leases) {
      const api = new MemoryLeases();
      if (lease) api.put(leaseObject(lease));
      const before = api.writes;
      const result = await acquire(api.asApi(), ROLL, new Date(NOW), RESTART_LEASE);
      const decision = result.held ? 'take' : restartLeaseAnswer(result) === 'wait' ? 'wait' : 'stop';
      const expected = rollLeaseDecision(lease, 'roll', FIXED_RULES);
      expect([lease, decision]).toEqual([lease, expected]);
      decisions.add(decision);
      const after = api.get(RESTART_LEASE.name);
      if (decision === 'take') {
        // Taken: the roll's, renewed; its own Lease keeps the server it marks out, any other is taken unmarked.
        const out = after.metadata.annotations['rancher-ha-aws/out'];
        expect([lease, actorOf(after.spec.holderIdentity), out === undefined ? null : Number(out.split('.')[2])]).toEqual([
          lease,
          'roll',
          lease?.holder === 'roll' ? lease.out : null,
        ]);
      } else expect([lease, api.writes]).toEqual([lease, before]);
    }
    console.log(`restart protocol, the roll's restart Lease step: ${leases.length} Leases reached, decisions ${[...decisions].sort().join(', ')}`);
    expect([...decisions].sort()).toEqual(['stop', 'take', 'wait']);
  });

  it("acquire with the restore record: a Lease the model put back by a restore (an earlier roll's or a timer's, its server marked out) is taken and its mark cleared; every other Lease decided as before", async () => {
    // The world of issue 62's path 6 (one server, a timer, Leases deleted and restored), every fix.
    const reached = explore({
      servers: 1,
      rules: FIXED_RULES,
      maxFaults: 1,
      rollTarget: 0,
      timers: [0],
      upgradeTarget: null,
      leaseFaults: true,
    }).reached;
    const leases = [...new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const)).values()];
    let restored = 0;
    for (const lease of leases) {
      const api = new MemoryLeases();
      if (lease) api.put(leaseObject(lease));
      // The restore record: the version the restore put back for a Lease it flags, else an earlier one (written since).
      const version = api.get(RESTART_LEASE.name)?.metadata.resourceVersion;
      const restoredVersion = lease?.restored ? version : String(Number(version ?? 0) - 1);
      const result = await acquire(api.asApi(), ROLL, new Date(NOW), RESTART_LEASE, { restoredVersion });
      const decision = result.held ? 'take' : restartLeaseAnswer(result) === 'wait' ? 'wait' : 'stop';
      expect([lease, decision]).toEqual([lease, rollLeaseDecision(lease, 'roll', FIXED_RULES)]);
      if (lease?.restored && lease.out !== null) {
        restored++;
        expect([lease, api.get(RESTART_LEASE.name).metadata.annotations['rancher-ha-aws/out']]).toEqual([lease, undefined]);
      }
    }
    expect(restored).toBeGreaterThanOrEqual(2);
  });

  it('holderAlive: a second roll in the folder is refused exactly while the first runs, in every state the model reaches with one (one fault: a roll killed)', () => {
    const reached = explore({ servers: 3, rules: FIXED_RULES, maxFaults: 1, rollTarget: 0, timers: [], upgradeTarget: null, secondRoll: 1 }).reached;
    // The first roll's state file names its process: this test's parent while it runs, a pid no process has once it
    // ended (killed, or stopped holding its Lease: the process exited).
    const alive = `${hostname()}/${process.ppid}/2026-11-24T11:00:00.000Z`;
    const dead = `${hostname()}/4194305/2026-11-24T11:00:00.000Z`;
    const starts = reached.filter((s) => s.actors['roll-b'].pc === 'start' && s.actors['roll-b'].alive);
    for (const s of starts) {
      const running = rollRunning(s.actors.roll);
      expect([s.actors.roll, holderAlive(running ? alive : dead)]).toEqual([s.actors.roll, running]);
    }
    expect(new Set(starts.map((s) => rollRunning(s.actors.roll)))).toEqual(new Set([true, false]));
  });
});
