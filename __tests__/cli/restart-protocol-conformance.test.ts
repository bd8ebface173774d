import { leaseVerdict, type LeaseView } from '../../cli/lease';
import { explore, FIXED_RULES, leaseVerdictOf, type Lease } from '../helpers/restart-protocol';

// The roll's real rule (cli/lease.ts leaseVerdict) fed every Lease the model reaches, for every actor: it must
// decide as the model's rule does. The shell's copy of the rule is held to the model in the tools tier
// (restart-protocol-conformance.tools.test.ts).

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
    const reached = explore({ servers: 3, rules: FIXED_RULES, maxFaults: 2, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 }).reached;
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
