import { primaryOfPartialMove } from '../../../cli/failover/partial-move';
import { type FailoverOutcome, withZoneMoved } from '../../../cli/shared/failover-record';

describe('a failover rerun after its move stopped between hosted zones', () => {
  const begun: FailoverOutcome = { startedAt: '2026-11-29T04:00:00.000Z', region: 'us-west-2', name: 'rancher-sb', moved: false };

  it('records each zone once, as Route 53 accepted it', () => {
    const one = withZoneMoved(begun, 'ZPUBLIC');
    expect(withZoneMoved(withZoneMoved(one, 'ZPUBLIC'), 'ZPRIVATE').zonesMoved).toEqual(['ZPUBLIC', 'ZPRIVATE']);
  });

  it('does not probe the primary again where the name already leads to the standby: the rerun moves every zone', () => {
    const partly = primaryOfPartialMove(withZoneMoved(begun, 'ZPUBLIC'));
    expect(partly).toMatchObject({ verdict: 'unknown', probes: 0 });
    expect(partly?.why).toContain('already leads to the standby in ZPUBLIC');
  });

  it('probes as before a move began, and leaves a finished move to the wait for /ping', () => {
    expect(primaryOfPartialMove(undefined)).toBeUndefined();
    expect(primaryOfPartialMove(begun)).toBeUndefined();
    expect(primaryOfPartialMove({ ...withZoneMoved(begun, 'ZPUBLIC'), moved: true })).toBeUndefined();
  });
});
