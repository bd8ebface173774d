import { explore, FIXED_RULES, OLD_RULES, type Config, type Rules } from '../helpers/restart-protocol';

// The protocol of docs/design-notes.md "Who may restart a server", explored over every interleaving of its actors'
// steps with faults injected at every step (helpers/restart-protocol.ts). The numbers it prints are the closing
// numbers of issue 32.

const THREE = (rules: Rules, maxFaults = 2): Config => ({ servers: 3, rules, maxFaults, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 });
const ONE = (rules: Rules, maxFaults = 2): Config => ({ servers: 1, rules, maxFaults, rollTarget: 0, timers: [0], upgradeTarget: 0 });

describe('restart protocol model', () => {
  it.each([
    ['3 servers', THREE(FIXED_RULES)],
    ['1 server', ONE(FIXED_RULES)],
  ])('%s: every interleaving with up to two faults keeps quorum, one server out at a time, and can settle again', (name, config) => {
    const result = explore(config);
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
