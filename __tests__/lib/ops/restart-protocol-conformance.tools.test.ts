import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explore, FIXED_RULES, leaseVerdictOf, type Lease } from '../../helpers/restart-protocol';

// The servers' copy of the protocol's rule (cluster-lib.sh lease_verdict, used by cert-renewal.sh) fed every Lease
// the model reaches, for every actor, in one real bash: it must decide as the model does.

const CLUSTER_LIB = readFileSync(join(__dirname, '../../../lib/kubernetes/cluster-lib.sh'), 'utf8');
const NOW = Math.floor(Date.parse('2026-11-24T12:00:00Z') / 1000);

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '.000000Z');

describe('restart protocol: the renewal timer decides as the model does', () => {
  it('lease_verdict agrees with the model on every Lease reached, for every actor', () => {
    const reached = explore({ servers: 3, rules: FIXED_RULES, maxFaults: 2, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 }).reached;
    const leases = [...new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const)).values()];
    const cases: { lease: Lease | null; me: string }[] = leases.flatMap((lease) => ['roll', 'timer-1', 'timer-2'].map((me) => ({ lease, me })));
    const calls = cases.map(({ lease, me }) => {
      const holder = lease?.holder ?? '';
      const renewed = lease ? iso(NOW - (lease.fresh ? 60 : 7200)) : '';
      const out = lease?.out === null || lease === null ? '' : `10.0.${lease.out}.10`;
      return `lease_verdict '${holder}' '${renewed}' 1800 '${out}' '${me}' ${NOW}`;
    });
    const result = spawnSync('bash', ['-c', `${CLUSTER_LIB}\nlog() { :; }\n${calls.join('\n')}`], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    const verdicts = result.stdout.trim().split('\n');
    expect(verdicts).toHaveLength(cases.length);
    cases.forEach(({ lease, me }, i) => expect([me, lease, verdicts[i]]).toEqual([me, lease, leaseVerdictOf(lease, me, FIXED_RULES)]));
    expect([...new Set(verdicts)].sort()).toEqual(['free', 'held', 'held-out', 'mine', 'stale']);
  });
});
