import { explore, FIXED_RULES, type Config, type Exploration, type Rules } from '../helpers/restart-protocol';
import { rollVerdicts } from '../helpers/roll-lease-conformance';
import { checkIssue62Path, checkLastGapPath, ISSUE_62_PATHS, LAST_GAPS_PATHS } from '../helpers/restart-protocol-paths';

// The restart model's largest explorations, three servers with up to two faults in one interleaving (66,000 states,
// about 4 s of CPU each): kept out of the unit tier's budget, which explores the same world with one fault
// (restart-protocol.test.ts). No process is started here.

const THREE: Omit<Config, 'rules'> = { servers: 3, maxFaults: 2, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 };
let threeFixed: Exploration | undefined;
const exploreThreeFixed = () => (threeFixed ??= explore({ ...THREE, rules: FIXED_RULES }));

describe('restart protocol model: three servers, up to two faults in one interleaving', () => {
  it.each<[string, () => Exploration]>([
    ['every fix', exploreThreeFixed],
    // The expected count is defence in depth behind the out marker: off, nothing breaks.
    ['without the expected count', () => explore({ ...THREE, rules: { ...FIXED_RULES, expectedCount: false } as Rules })],
  ])('%s: every interleaving keeps quorum, one server out at a time, and can settle again', (name, run) => {
    const result = run();
    console.log(`restart protocol, 3 servers, two faults, ${name}: ${result.states} states, ${result.transitions} transitions explored`);
    expect(result.violation).toBeUndefined();
    expect(result.stuck).toBe(0);
    expect(result.states).toBeGreaterThan(50_000);
  });

  it("the roll's leaseVerdict agrees with the model on every Lease reached, for every actor", () => {
    const verdicts = rollVerdicts(exploreThreeFixed().reached);
    for (const v of verdicts) expect([v.me, v.lease, v.roll]).toEqual([v.me, v.lease, v.model]);
    console.log(`restart protocol conformance (two faults): ${verdicts.length / 3} distinct Leases reached, ${verdicts.length} verdicts compared`);
    expect([...new Set(verdicts.map((v) => v.model))].sort()).toEqual(['free', 'held', 'held-out', 'mine', 'stale']);
  });
});

describe('restart protocol model: the roll and the token rotation together', () => {
  it('with a renewal timer and the upgrade controller, one fault: never two servers down, every interleaving settles', () => {
    const both = explore({ ...THREE, maxFaults: 1, timers: [2], rotation: true, rules: FIXED_RULES });
    console.log(`restart protocol, the roll and the token rotation together: ${both.states} states, ${both.transitions} transitions explored`);
    expect(both.violation).toBeUndefined();
    expect(both.stuck).toBe(0);
    expect(both.states).toBeGreaterThan(50_000);
  });
});

describe('restart protocol model: the restart paths whose worlds are larger (two faults, or the encryption key beside the token): broken without the rule, safe with it', () => {
  it.each(ISSUE_62_PATHS.filter((p) => p.tier === 'tools').map((p) => [p.name, p] as const))('%s', (_name, path) => checkIssue62Path(path));
});

describe('restart protocol model: the last gaps whose worlds are larger (two faults)', () => {
  it.each(LAST_GAPS_PATHS.filter((p) => p.tier === 'tools').map((p) => [p.name, p] as const))('%s', (_name, path) => checkLastGapPath(path));
});
