import {
  explore,
  FIXED_RULES,
  ISSUE_62_READ_RULES,
  OLD_RULES,
  REVIEWED_RULES,
  timerGuard,
  type Config,
  type Exploration,
  type Rules,
} from '../helpers/restart-protocol';
import { checkIssue62Path, checkLastGapPath, ISSUE_62_PATHS, LAST_GAPS_PATHS } from '../helpers/restart-protocol-paths';
import { rollVerdicts } from '../helpers/roll-lease-conformance';

// The protocol of docs/design-notes.md "Who may restart a server", explored over every interleaving of its actors'
// steps with faults injected at every step (helpers/restart-protocol.ts), and the roll's real rule held to it. The
// numbers it prints are the closing numbers of issue 32. Three servers with up to two faults in one interleaving
// (66,000 states, about 4 s of CPU each) are explored in the tools tier (restart-protocol.tools.test.ts), with the
// servers' copy of the rule (restart-protocol-conformance.tools.test.ts); here, three servers with one fault.

const THREE = (rules: Rules, maxFaults = 1): Config => ({ servers: 3, rules, maxFaults, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 });
const ONE = (rules: Rules, maxFaults = 2): Config => ({ servers: 1, rules, maxFaults, rollTarget: 0, timers: [0], upgradeTarget: 0 });

// The three-server exploration with the fixed rules and one fault (22,000 states, under a second) serves both describes below.
let threeFixed: Exploration | undefined;
const exploreThreeFixed = () => (threeFixed ??= explore(THREE(FIXED_RULES)));

describe('restart protocol model', () => {
  it.each([
    ['3 servers, up to one fault', exploreThreeFixed],
    ['1 server, up to two faults', () => explore(ONE(FIXED_RULES))],
  ])('%s in one interleaving: every interleaving keeps quorum, one server out at a time, and can settle again', (name, run) => {
    const result = run();
    console.log(`restart protocol, ${name}, fixed rules: ${result.states} states, ${result.transitions} transitions explored`);
    expect(result.violation).toBeUndefined();
    expect(result.stuck).toBe(0);
    // The exploration is not trivial: it reached states where each actor acted.
    expect(result.states).toBeGreaterThan(1000);
  });

  it('the protocol as it was (counted servers, Leases taken by age, unconditional writes, renewals between steps) loses quorum', () => {
    const result = explore(THREE(OLD_RULES, 2));
    expect(result.violation?.problem).toMatch(/two servers down at once|quorum lost|took back a Lease/);
    console.log(
      `restart protocol, old rules: ${result.violation?.problem} after ${result.states} states:\n  ${result.violation?.trace.join('\n  ')}`,
    );
  });

  it("the stale-Lease race: a roll's server out, its Lease gone stale, a renewal that counts the Nodes restarts a second server", () => {
    // Only the roll and one timer, conditional writes already (the race needs none of the other actors or rules).
    const race = explore({ servers: 3, rules: { ...OLD_RULES, conditional: true }, maxFaults: 2, rollTarget: 0, timers: [1], upgradeTarget: null });
    // Old count, no out marker: a roll's server out and a stale Lease let a renewal restart a second server.
    expect(race.violation?.problem).toMatch(/two servers down at once/);
    expect(race.violation?.trace).toEqual(
      expect.arrayContaining(['roll removes server-0 from etcd', 'fault: the clock jumps past the Lease duration']),
    );
  });

  it('each rule in its place: without the out marker or without conditional writes the invariants break; the expected count is defence in depth behind the out marker', () => {
    const withoutOut = explore(THREE({ ...FIXED_RULES, outMarker: false }, 2));
    const withoutConditional = explore(THREE({ ...FIXED_RULES, conditional: false }, 2));
    const withoutCount = explore(THREE({ ...FIXED_RULES, expectedCount: false }));
    console.log(
      `restart protocol, one rule off: out marker -> ${withoutOut.violation?.problem}; conditional writes -> ${withoutConditional.violation?.problem}; expected count -> ${withoutCount.violation?.problem ?? 'holds'} (${withoutCount.states} states)`,
    );
    expect(withoutOut.violation?.problem).toMatch(/two servers down at once/);
    expect(withoutConditional.violation?.problem).toMatch(/took back a Lease/);
    expect(withoutCount.violation).toBeUndefined();
  });
});

// The five paths of issue 47, each in the smallest world that holds it: the model configured as the reviewed code
// behaves finds each as a violation or a deadlock (with its trace); each fix alone closes its own path, and every
// fix together leaves none. The actors each path needs, nothing more, keep the exploration small.
const base = { servers: 3, maxFaults: 1, rollTarget: 0, timers: [] as number[], upgradeTarget: null };
const PATHS: {
  readonly name: string;
  readonly config: Omit<Config, 'rules'>;
  readonly fix: keyof Rules;
  /** Later fixes that close this path too (defence in depth), off beside its own so the path shows. */
  readonly alsoOff?: readonly (keyof Rules)[];
  readonly problem: RegExp;
  readonly steps: readonly string[];
}[] = [
  {
    name: "1, dual stack: the new server's Job never sees itself named out, the roll's rejoin waits on it, every rerun repeats it",
    config: { ...base, dualStack: true, newNodeJobs: true },
    fix: 'perFamily',
    problem: /deadlock: roll holds the Lease with server-0 out/,
    steps: ['roll: the new server-0 joins', "roll: the new server's Job waits past the budget, stops (exit 1, Lease kept)"],
  },
  {
    name: "2, the transition roll: a server still on the previous cert-renewal.sh takes the paused roll's stale Lease by age and restarts a second server",
    config: { ...base, oldTimers: [1] },
    fix: 'stopOldTimers',
    problem: /two servers down at once/,
    steps: ['roll removes server-0 from etcd', 'timer-1 (old script): guard passes, reads the Lease', 'timer-1 restarts server-1'],
  },
  {
    name: '3, the no-Lease rotation of a voter: two members whose certificate ended while they ran are both stopped',
    config: { ...base, maxFaults: 0, timers: [1, 2], rotations: [1, 2] },
    fix: 'rotationNotVoter',
    problem: /two servers down at once/,
    steps: ['rotate-1: stops, rotates and starts server-1 without the Lease', 'rotate-2: stops, rotates and starts server-2 without the Lease'],
  },
  {
    name: "4, after the last upgrade Job: applying cleared while the killed server's old pods still serve, a renewal restarts a second server",
    config: { ...base, maxFaults: 0, timers: [2], upgradeTarget: 1 },
    fix: 'versionCheck',
    problem: /two servers down at once/,
    steps: ['upgrade: the Job kills the service and completes; applying cleared', 'timer-2 restarts server-2'],
  },
  {
    name: "5a, a timer's write that commits and then reports failure: its Lease marked out, nobody's, and the upgrade waits on it",
    config: { ...base, timers: [2], upgradeTarget: 1 },
    fix: 'readBack',
    problem: /deadlock: timer-2 holds the Lease with server-2 out/,
    steps: ["fault: timer-2's write commits, then reports failure", 'upgrade: the controller applies the Plan on its server'],
  },
  {
    name: '5b, two `npm run roll` in one folder: the same holder, so both take the Lease and each removes a server',
    config: { ...base, maxFaults: 0, secondRoll: 1 },
    fix: 'holderPerProcess',
    // The second roll's look before its Node deletion (issue 62) refuses it too, with the first roll's server out.
    alsoOff: ['recheckBeforeRemove'],
    problem: /two servers down at once/,
    steps: ['roll removes server-0 from etcd', 'roll-b removes server-1 from etcd'],
  },
  {
    name: '5c, the roll during an ordinary renewal: the timer marks its own server out from its take, and the roll exits 3 at once',
    config: { ...base, maxFaults: 0, timers: [1] },
    fix: 'renewalWait',
    problem: /the roll gave up on a renewal in progress/,
    steps: ['timer-1 takes the Lease'],
  },
];

describe('restart protocol model: every actor as the code and upstream behave', () => {
  it('every actor together (the roll and a second invocation, an old-script timer, a rotation, the controller with new-Node Jobs, dual stack, reboots, Leases deleted and restored), every fix: no violation, no deadlock', () => {
    const all = explore({
      servers: 3,
      rules: FIXED_RULES,
      maxFaults: 1,
      rollTarget: 0,
      timers: [],
      oldTimers: [1],
      rotations: [2],
      secondRoll: 2,
      upgradeTarget: 1,
      dualStack: true,
      newNodeJobs: true,
      reboots: true,
      leaseFaults: true,
    });
    console.log(`restart protocol, every actor together, fixed rules: ${all.states} states, ${all.transitions} transitions explored`);
    expect(all.violation).toBeUndefined();
    expect(all.stuck).toBe(0);
    expect(all.states).toBeGreaterThan(1000);
  });

  it.each(PATHS.map((p) => [p.name, p] as const))('%s', (_name, path) => {
    // Every fix but this path's: the reviewed behaviour of this part, so the first violation found is this path's.
    const off = Object.fromEntries([path.fix, ...(path.alsoOff ?? [])].map((rule) => [rule, false]));
    const reviewed = explore({ ...path.config, rules: { ...FIXED_RULES, ...off } });
    expect(reviewed.violation?.problem).toMatch(path.problem);
    expect(reviewed.violation?.trace).toEqual(expect.arrayContaining([...path.steps]));
    // The code as reviewed (none of the fixes) fails in the same world too.
    expect(explore({ ...path.config, rules: REVIEWED_RULES }).violation).toBeDefined();
    const fixed = explore({ ...path.config, rules: FIXED_RULES });
    console.log(
      `restart protocol, path ${path.name.split(',')[0]}: without ${path.fix} -> ${reviewed.violation?.problem} (${reviewed.states} states):\n  ${reviewed.violation?.trace.join('\n  ')}\n` +
        `  fixed: ${fixed.states} states, ${fixed.transitions} transitions`,
    );
    expect(fixed.violation).toBeUndefined();
    expect(fixed.stuck).toBe(0);
  });
});

describe('restart protocol model: each restart path that broke quorum or the Lease before its rule, one fault: broken without the rule, safe with it', () => {
  it.each(ISSUE_62_PATHS.filter((p) => p.tier === 'unit').map((p) => [p.name, p] as const))('%s', (_name, path) => checkIssue62Path(path));
});

describe('restart protocol model: the last gaps, each a violation or a deadlock on the code before its fix and none after', () => {
  it.each(LAST_GAPS_PATHS.filter((p) => p.tier === 'unit').map((p) => [p.name, p] as const))('%s', (_name, path) => checkLastGapPath(path));
});

describe('restart protocol model: old-script and current timers side by side after a partial roll', () => {
  it('with the roll too (every fix, one fault): no violation, no deadlock', () => {
    const result = explore({ servers: 3, rules: FIXED_RULES, maxFaults: 1, rollTarget: 0, timers: [2], oldTimers: [1], upgradeTarget: null });
    console.log(
      `restart protocol, timers [2] and old timers [1] with the roll, fixed rules: ${result.states} states, ${result.transitions} transitions`,
    );
    expect(result.violation).toBeUndefined();
    expect(result.stuck).toBe(0);
    expect(result.states).toBeGreaterThan(1000);
  });
});

describe('restart protocol: the roll decides as the model does', () => {
  it('leaseVerdict agrees with the model on every Lease reached (3 servers, one fault), for every actor', () => {
    const verdicts = rollVerdicts(exploreThreeFixed().reached);
    for (const v of verdicts) expect([v.me, v.lease, v.roll]).toEqual([v.me, v.lease, v.model]);
    console.log(`restart protocol conformance: ${verdicts.length / 3} distinct Leases reached, ${verdicts.length} verdicts compared`);
    // Every verdict occurs among them, so each branch of the rule was compared.
    expect([...new Set(verdicts.map((v) => v.model))].sort()).toEqual(['free', 'held', 'held-out', 'mine', 'stale']);
  });
});

describe('restart protocol model: a voter whose certificates ended while it ran', () => {
  const world = { servers: 3, maxFaults: 1, rollTarget: 0, upgradeTarget: null, roll: false };
  const ended = { servers: ['up', 'up', 'up'] as const, applying: null, actors: { 'rotate-1': { pc: 'ended', alive: true } } };

  it("its timer's guard passes over its own NotReady Node, with the fix only, and another server's never", () => {
    const guard = (rules: Rules, self: number, expired: number[]) =>
      timerGuard({ ...ended, actors: { ...ended.actors, 'rotate-2': { pc: 'ended', alive: true } } }, rules, { upgradeTarget: null, expired }, self);
    expect(guard(FIXED_RULES, 1, [1])).toBe(true);
    expect(guard(ISSUE_62_READ_RULES, 1, [1])).toBe(false);
    // Another server's Node NotReady (its certificates ended too, or anything else): refused, on either rules.
    expect(guard(FIXED_RULES, 1, [1, 2])).toBe(false);
    expect(guard(FIXED_RULES, 2, [1])).toBe(false);
  });

  it('renewed with every interleaving and fault of the world around it (every timer, AWS reboots): one restart at a time, under the Lease', () => {
    const result = explore({ ...world, rules: FIXED_RULES, timers: [0, 1, 2], expired: [1], reboots: true });
    console.log(`restart protocol, 8a with every timer and reboots, fixed rules: ${result.states} states, ${result.transitions} transitions`);
    expect(result.violation).toBeUndefined();
    expect(result.stuck).toBe(0);
    expect(result.states).toBeGreaterThan(100);
  });

  it('two such servers: each sees the other NotReady and refuses, so neither restarts (a person restarts one, docs/day-2.md), and no server ever goes down', () => {
    const result = explore({ ...world, rules: FIXED_RULES, timers: [1, 2], expired: [1, 2] });
    expect(result.violation?.problem).toMatch(/never renewed: server-1, server-2,/);
    expect(result.reached.every((s) => s.servers.every((x) => x === 'up') && s.lease === null)).toBe(true);
  });
});
