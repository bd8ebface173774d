import { leaseVerdict, type LeaseView } from '../../cli/shared/lease';
import { FIXED_RULES, leaseVerdictOf, type Lease, type State, type Verdict } from './restart-protocol';

// The roll's real rule (cli/shared/lease.ts leaseVerdict) fed every Lease a model exploration reached, for every actor: it
// must decide as the model's rule does. The unit tier feeds it the states of one fault per interleaving, the tools
// tier those of two.

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

/** Each distinct Lease of `reached`, for each actor: the model's verdict and the roll's (they must be equal). */
export function rollVerdicts(
  reached: readonly State[],
): { readonly me: string; readonly lease: Lease | null; readonly model: Verdict; readonly roll: Verdict }[] {
  const leases = new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const));
  return [...leases.values()].flatMap((lease) =>
    ['roll', 'timer-1', 'timer-2'].map((me) => ({
      me,
      lease,
      model: leaseVerdictOf(lease, me, FIXED_RULES),
      roll: leaseVerdict(leaseViewOf(lease), me, NOW),
    })),
  );
}
