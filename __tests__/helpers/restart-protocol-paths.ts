import { explore, FIXED_RULES, ISSUE_62_READ_RULES, LAST_GAPS_READ_RULES, type Config, type Rules } from './restart-protocol';

/**
 * The restart paths of issue 62, each in the smallest world of the restart model (restart-protocol.ts) that holds it.
 * On the code the issue read (d0e353c: ISSUE_62_READ_RULES, every fix of issues 32 and 47, none of 62's) each is a
 * violation or a deadlock; with every fix but its own the same, through the steps named; with every fix, none. The
 * worlds with one fault run in the unit tier (restart-protocol.test.ts), the larger ones in the tools tier
 * (restart-protocol.tools.test.ts), as the model's other explorations are split.
 */
export interface Issue62Path {
  readonly name: string;
  readonly tier: 'unit' | 'tools';
  readonly config: Omit<Config, 'rules'>;
  readonly fix: keyof Rules;
  /** Later fixes that close this path too (defence in depth), off beside its own so the path shows. */
  readonly alsoOff?: readonly (keyof Rules)[];
  readonly problem: RegExp;
  /** Steps the trace of the violation holds (each matched by one of its lines). */
  readonly steps: readonly RegExp[];
}

const base = { servers: 3, maxFaults: 1, rollTarget: 0, timers: [] as number[], upgradeTarget: null };

export const ISSUE_62_PATHS: readonly Issue62Path[] = [
  {
    name: "1, the token rotation beside a server still on the previous cert-renewal.sh: its renewal takes the rotation's lapsed Lease by age, wiping the mark, and restarts a second server",
    tier: 'unit',
    config: { ...base, roll: false, rotation: true, oldTimers: [1] },
    fix: 'rotationTransition',
    problem: /two servers down at once/,
    steps: [
      /^timer-1 \(old script\): guard passes, reads the Lease$/,
      /^timer-1 restarts server-1$/,
      /^rotation restarts server-\d with the new token$/,
    ],
  },
  {
    name: '1, the encryption-key rotation likewise',
    tier: 'tools',
    config: { ...base, roll: false, rotation: true, encryptionKey: true, oldTimers: [1] },
    fix: 'rotationTransition',
    problem: /two servers down at once/,
    steps: [/^timer-1 \(old script\): guard passes, reads the Lease$/, /^timer-1 restarts server-1$/],
  },
  {
    name: "2, a reboot during the transition roll: the old timer, only stopped, starts again with its server and, after a clock jump, takes the roll's Lease by age",
    tier: 'tools',
    config: { ...base, maxFaults: 2, oldTimers: [1], reboots: true },
    fix: 'disableTimers',
    problem: /two servers down at once/,
    steps: [
      /^roll turns the old renewal timers off \(SSM\)$/,
      /^fault: AWS reboots server-1 \(its stopped timer starts again\)$/,
      /^timer-1 restarts server-1$/,
    ],
  },
  {
    name: "4, a reboot during the drain: the roll deletes its server's Node while a second server is down",
    tier: 'unit',
    config: { ...base, reboots: true },
    fix: 'recheckBeforeRemove',
    problem: /two servers down at once/,
    steps: [/^fault: AWS reboots server-[12]$/, /^roll removes server-0 from etcd$/],
  },
  {
    name: '6, a restore of a snapshot taken while a server was marked out: the Lease comes back marked and stale, and the roll run after the restore refuses it (exit 3) like any Lease with a server out',
    tier: 'unit',
    config: { servers: 1, maxFaults: 1, rollTarget: 0, timers: [0], upgradeTarget: null, leaseFaults: true },
    fix: 'restoredLease',
    // Every timer run gives back a restored Lease too (the last review's fix).
    alsoOff: ['restoredRelease'],
    problem: /deadlock: (roll-earlier|timer-0) holds the Lease with server-0 out/,
    steps: [/^person restores from a snapshot holding .*, (a|its) server marked out$/, /^roll: Lease held with a server out, stops \(exit 3\)$/],
  },
  {
    name: "8a, a voter whose certificates all ended while it ran: its own Node NotReady (its kubelet's client certificate ended with the rest), so its timer's guard refuses it for ever, and nothing else restarts it",
    tier: 'unit',
    config: { ...base, roll: false, timers: [1], expired: [1] },
    fix: 'peerAccess',
    problem: /never renewed: server-1,/,
    // Refused from the first state: no step renews it.
    steps: [],
  },
];

/** The path's three explorations, held to what it claims; prints each count and the trace without its fix. */
export function checkIssue62Path(
  path: Issue62Path,
  before: { readonly rules: Rules; readonly name: string } = { rules: ISSUE_62_READ_RULES, name: 'd0e353c' },
): void {
  const off = Object.fromEntries([path.fix, ...(path.alsoOff ?? [])].map((rule) => [rule, false]));
  const without = explore({ ...path.config, rules: { ...FIXED_RULES, ...off } });
  expect(without.violation?.problem).toMatch(path.problem);
  for (const step of path.steps) expect([step, without.violation?.trace.some((s) => step.test(s))]).toEqual([step, true]);
  const read = explore({ ...path.config, rules: before.rules });
  expect(read.violation?.problem).toMatch(path.problem);
  const fixed = explore({ ...path.config, rules: FIXED_RULES });
  console.log(
    `restart protocol, path ${path.name.split(',')[0]}: without ${path.fix} -> ${without.violation?.problem} (${without.states} states):\n  ${without.violation?.trace.join('\n  ')}\n` +
      `  on ${before.name}'s rules: ${read.violation?.problem} (${read.states} states); fixed: ${fixed.states} states, ${fixed.transitions} transitions`,
  );
  expect(fixed.violation).toBeUndefined();
  expect(fixed.stuck).toBe(0);
}

/**
 * The restart paths the last review of the restart machinery found, each in the smallest world that holds it: on the
 * code before their fixes (40d51f4: LAST_GAPS_READ_RULES) each is a violation or a deadlock; with every fix, none.
 */
export const LAST_GAPS_PATHS: readonly Issue62Path[] = [
  {
    name: 'restored Lease of a dead roll: a restore of a snapshot taken while a roll held the Lease with a server out, and no command runs after it: nothing but a person ever gives it back',
    tier: 'unit',
    config: { servers: 1, maxFaults: 1, rollTarget: 0, timers: [0], upgradeTarget: null, roll: false, leaseFaults: true },
    fix: 'restoredRelease',
    problem: /deadlock: roll-earlier holds the Lease with server-0 out/,
    steps: [/^person restores from a snapshot holding an earlier roll's Lease, a server marked out$/],
  },
  {
    name: "restored Lease of a timer, alarms off: its server's next run never reads the Lease (no report_hold), so it never resumes it",
    tier: 'unit',
    config: { servers: 1, maxFaults: 1, rollTarget: 0, timers: [0], upgradeTarget: null, roll: false, leaseFaults: true, alarms: false },
    fix: 'restoredRelease',
    problem: /deadlock: (roll-earlier|timer-0) holds the Lease with server-0 out/,
    steps: [/^person restores from a snapshot holding (timer-0's|an earlier roll's) Lease, (its|a) server marked out$/],
  },
  {
    name: 'K3s: RDS restores the datastore to a moment a dead roll held the Lease with a server out; with no restore record, nothing but a person ever gives it back',
    tier: 'unit',
    config: { servers: 1, maxFaults: 1, rollTarget: 0, timers: [0], upgradeTarget: null, roll: false, leaseFaults: true, distribution: 'k3s' },
    fix: 'k3sRestoreRecord',
    problem: /deadlock: roll-earlier holds the Lease with server-0 out/,
    steps: [/^person restores from a snapshot holding an earlier roll's Lease, a server marked out$/],
  },
  {
    name: 'after a partial roll, an old-script timer and a current one with no operation running: one clock jump while the current timer is about to restart, the old one takes its Lease by age and both restart',
    tier: 'unit',
    config: { servers: 3, maxFaults: 1, rollTarget: 0, timers: [2], oldTimers: [1], upgradeTarget: null, roll: false },
    fix: 'cordonBeforeRestart',
    problem: /two servers down at once/,
    steps: [
      /^fault: the clock jumps past the Lease duration$/,
      /^timer-1 \(old script\): guard passes, reads the Lease$/,
      /^timer-2 restarts server-2$/,
      /^timer-1 restarts server-1$/,
    ],
  },
  {
    name: "transition past a rebooting server: AWS reboots a server on the previous cert-renewal.sh right before the roll's one look, the transition passes over it, and its old timer comes back with it and, after a clock jump, takes the roll's Lease by age",
    tier: 'tools',
    config: { servers: 3, maxFaults: 2, rollTarget: 0, timers: [], upgradeTarget: null, oldTimers: [1], reboots: true },
    fix: 'transitionEveryServer',
    problem: /two servers down at once/,
    steps: [/^fault: AWS reboots server-1$/, /^roll: no old timer to turn off$/, /^timer-1 restarts server-1$/],
  },
  {
    name: "a command's clock behind the servers', after a restore: its Lease, renewed after the restore record's time by the servers' clock but before it by its own, reads as put back by the restore, and a timer gives it back while the roll has its server out",
    tier: 'unit',
    config: { servers: 3, maxFaults: 0, rollTarget: 0, timers: [2], upgradeTarget: null, afterRestore: true, laptopBehind: true, rotation: true },
    fix: 'restoreByVersion',
    problem: /two servers down at once/,
    steps: [
      /^roll marks its server out$/,
      /^timer-2: a run finds the Lease put back by the restore \(roll\), gives it back$/,
      /^timer-2 restarts server-2$/,
    ],
  },
];

/** A path of the last review, held to what it claims against the code before its fix (40d51f4). */
export const checkLastGapPath = (path: Issue62Path) => checkIssue62Path(path, { rules: LAST_GAPS_READ_RULES, name: '40d51f4' });
