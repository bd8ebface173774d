import type { FailoverOutcome } from '../shared/failover-record';
import type { PrimaryProbes } from './primary-probe';

// A failover rerun after a move interrupted between hosted zones (cli/shared/aws/records.ts, ZoneMoved): the name
// leads to the standby in the zones the record lists, so /ping at the hostname may answer from the standby. Probing
// the primary there again would take the standby's pong for the primary serving and refuse the rerun; the run that
// began the move decided the primary lost before its first zone moved, so a rerun does not judge it again and moves
// every zone (an UPSERT of a record already at the target changes nothing).

/** The primary's summary for a rerun whose move began in some zones (no probe), or undefined when none moved yet. */
export function primaryOfPartialMove(
  earlier: Pick<FailoverOutcome, 'moved' | 'zonesMoved'> | undefined,
): Pick<PrimaryProbes, 'verdict' | 'probes' | 'seconds' | 'targets' | 'why'> | undefined {
  const zones = earlier?.zonesMoved ?? [];
  if (earlier?.moved || zones.length === 0) return undefined;
  return {
    verdict: 'unknown',
    probes: 0,
    seconds: 0,
    targets: ['no target'],
    why: `not probed again: the move began, the hostname already leads to the standby in ${zones.join(', ')}, and the run that moved it decided the primary lost`,
  };
}
