import { leaseVerdict, type LeaseView } from '../../cli/lease';
import { explore, FIXED_RULES, leaseVerdictOf, OLD_RULES, type Config, type Exploration, type Lease, type Rules } from '../helpers/restart-protocol';

// The protocol of docs/design-notes.md "Who may restart a server", explored over every interleaving of its actors'
// steps with faults injected at every step (helpers/restart-protocol.ts), and the roll's real rule held to it. The
// numbers it prints are the closing numbers of issue 32. The servers' copy of the rule is held to the model in the
// tools tier (restart-protocol-conformance.tools.test.ts).

const THREE = (rules: Rules, maxFaults = 2): Config => ({ servers: 3, rules, maxFaults, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 });
const ONE = (rules: Rules, maxFaults = 2): Config => ({ servers: 1, rules, maxFaults, rollTarget: 0, timers: [0], upgradeTarget: 0 });

// The three-server exploration with the fixed rules (76,000 states, about a second) serves both describes below.
let threeFixed: Exploration | undefined;
const exploreThreeFixed = () => (threeFixed ??= explore(THREE(FIXED_RULES)));

describe('restart protocol model', () => {
  it.each([
    ['3 servers', exploreThreeFixed],
    ['1 server', () => explore(ONE(FIXED_RULES))],
  ])('%s: every interleaving with up to two faults keeps quorum, one server out at a time, and can settle again', (name, run) => {
    const result = run();
    console.log(`restart protocol, ${name}, fixed rules: ${result.states} states, ${result.transitions} transitions explored`);
    expect(result.violation).toBeUndefined();
    expect(result.stuck).toBe(0);
    // The exploration is not trivial: it reached states where each actor acted.
    expect(result.states).toBeGreaterThan(1000);
  });

  it('the protocol as it was (counted servers, Leases taken by age, unconditional writes, renewals between steps) loses quorum', () => {
    const result = explore(THREE(OLD_RULES));
    expect(result.violation?.problem).toMatch(/two servers down at once|quorum lost|took back a Lease/);
    console.log(
      `restart protocol, old rules: ${result.violation?.problem} after ${result.states} states:\n  ${result.violation?.trace.join('\n  ')}`,
    );
  });

  it("the race of issue 32: a roll's server out, its Lease gone stale, a renewal that counts the Nodes restarts a second server", () => {
    // Only the roll and one timer, conditional writes already (the race needs none of the other actors or rules).
    const race = explore({ servers: 3, rules: { ...OLD_RULES, conditional: true }, maxFaults: 2, rollTarget: 0, timers: [1], upgradeTarget: null });
    // Old count, no out marker: a roll's server out and a stale Lease let a renewal restart a second server.
    expect(race.violation?.problem).toMatch(/two servers down at once/);
    expect(race.violation?.trace).toEqual(
      expect.arrayContaining(['roll removes its server from etcd', 'fault: the clock jumps past the Lease duration']),
    );
  });

  it('each rule in its place: without the out marker or without conditional writes the invariants break; the expected count is defence in depth behind the out marker', () => {
    const withoutOut = explore(THREE({ ...FIXED_RULES, outMarker: false }));
    const withoutConditional = explore(THREE({ ...FIXED_RULES, conditional: false }));
    const withoutCount = explore(THREE({ ...FIXED_RULES, expectedCount: false }));
    console.log(
      `restart protocol, one rule off: out marker -> ${withoutOut.violation?.problem}; conditional writes -> ${withoutConditional.violation?.problem}; expected count -> ${withoutCount.violation?.problem ?? 'holds'} (${withoutCount.states} states)`,
    );
    expect(withoutOut.violation?.problem).toMatch(/two servers down at once/);
    expect(withoutConditional.violation?.problem).toMatch(/took back a Lease/);
    expect(withoutCount.violation).toBeUndefined();
  });
});

// The roll's real rule (cli/lease.ts leaseVerdict) fed every Lease the model reaches, for every actor: it must
// decide as the model's rule does.

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DURATION = 3600;

/** The model's Lease as the API server would hold it: fresh means renewed a minute ago, stale two durations ago. */
function leaseViewOf(lease: Lease | null): LeaseView | undefined {
  if (lease === null) return undefined;
  return {
    holder: lease.holder,
    renewTimeMs: NOW - (lease.fresh ? 60_000 : 2 * DURATION * 1000),
    durationSeconds: DURATION,
    out: lease.out === null ? undefined : `10.0.${lease.out}.10`,
    resourceVersion: String(lease.rv),
  };
}

describe('restart protocol: the roll decides as the model does', () => {
  it('leaseVerdict agrees with the model on every Lease reached, for every actor', () => {
    const { reached } = exploreThreeFixed();
    const leases = new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const));
    let compared = 0;
    for (const lease of leases.values())
      for (const me of ['roll', 'timer-1', 'timer-2']) {
        expect([me, lease, leaseVerdict(leaseViewOf(lease), me, NOW)]).toEqual([me, lease, leaseVerdictOf(lease, me, FIXED_RULES)]);
        compared++;
      }
    console.log(`restart protocol conformance: ${leases.size} distinct Leases reached, ${compared} verdicts compared`);
    // Every verdict occurs among them, so each branch of the rule was compared.
    const verdicts = new Set([...leases.values()].flatMap((l) => ['roll', 'timer-1'].map((me) => leaseVerdictOf(l, me, FIXED_RULES))));
    expect([...verdicts].sort()).toEqual(['free', 'held', 'held-out', 'mine', 'stale']);
  });
});
