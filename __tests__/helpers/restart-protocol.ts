/**
 * An executable model of "Who may restart a server" (docs/design-notes.md): the actors that take an RKE2 or K3s
 * server down (the roll, each server's certificate-renewal timer, the upgrade Plan's prepare step and the Job it
 * guards, a person's restore), the restart Lease they share, and the faults that hit them (a process killed, a clock
 * jump past a Lease's duration, a write that fails, a restart that hangs). `explore` walks every interleaving of
 * their steps breadth-first and checks the invariants in every state it reaches.
 *
 * Each actor is a small program; each step is one atomic action on the shared state, as one API call (a read, a
 * conditional write) or one change of a server is. What the real code decides at each guard is written once here
 * (`leaseVerdictOf`, `timerGuard`, `prepareGuard`, ...) so the conformance tests can feed the real code the states
 * the model reaches and compare.
 *
 * `Rules` switches each part of the fix on or off; `OLD_RULES` is the protocol as it was (the race of issue 32):
 * counted servers, Leases taken by age whatever they mark, unconditional writes, a roll renewing only between steps.
 */

/** A server: serving; restarting (its service down, back soon); out (removed from etcd by a roll); hung (a restart that never comes back). */
export type ServerState = 'up' | 'down' | 'out' | 'hung';

export interface Lease {
  /** '' when released. */
  readonly holder: string;
  /** Renewed within its duration (false once a clock jump passed it, until its holder renews it). */
  readonly fresh: boolean;
  /** The server marked out (rancher-ha-aws/out), if any. */
  readonly out: number | null;
  /** The resourceVersion: every write moves it on. */
  readonly rv: number;
}

export type Verdict = 'free' | 'mine' | 'stale' | 'held' | 'held-out';

export interface Rules {
  /** Guards count the servers the deployment expects, not the Nodes that exist. */
  readonly expectedCount: boolean;
  /** A Lease naming a server out is never taken by age; the timer names its own server out from its take. */
  readonly outMarker: boolean;
  /** Every Lease write carries the resourceVersion read (a Conflict otherwise). */
  readonly conditional: boolean;
  /** The roll renews its Lease during its long steps too (LeaseKeeper), and stops when a renewal finds it lost. */
  readonly renewDuringSteps: boolean;
}

export const FIXED_RULES: Rules = { expectedCount: true, outMarker: true, conditional: true, renewDuringSteps: true };
export const OLD_RULES: Rules = { expectedCount: false, outMarker: false, conditional: false, renewDuringSteps: false };

interface Actor {
  readonly pc: string;
  readonly alive: boolean;
  /** The resourceVersion read before a write. */
  readonly rv?: number;
}

export interface State {
  readonly servers: readonly ServerState[];
  readonly lease: Lease | null;
  /** The server the upgrade controller applies its Plan on (status.applying), or null. */
  readonly applying: number | null;
  readonly actors: Readonly<Record<string, Actor>>;
  readonly faults: number;
}

export interface Config {
  readonly servers: number;
  readonly rules: Rules;
  /** How many faults one interleaving may hold. */
  readonly maxFaults: number;
  /** The server the roll replaces, the servers whose renewal timers run, the server the upgrade Plan restarts. */
  readonly rollTarget: number;
  readonly timers: readonly number[];
  readonly upgradeTarget: number | null;
}

const ROLL = 'roll';
const UPGRADE = 'upgrade';
const timerName = (i: number) => `timer-${i}`;

/** The protocol's one rule for a Lease, as the roll (cli/lease.ts leaseVerdict) and the timer (lease_verdict) apply it. */
export function leaseVerdictOf(lease: Lease | null, me: string, rules: Rules): Verdict {
  if (lease === null || lease.holder === '') return 'free';
  if (lease.holder === me) return 'mine';
  if (rules.outMarker && lease.out !== null) return 'held-out';
  return lease.fresh ? 'held' : 'stale';
}

const takeable = (v: Verdict) => v === 'free' || v === 'stale' || v === 'mine';

/** Every server up: the whole cluster, as the deployment expects it. With the old rule, every server that is still a member is up. */
export function clusterWhole(servers: readonly ServerState[], rules: Rules): boolean {
  return rules.expectedCount ? servers.every((s) => s === 'up') : servers.filter((s) => s !== 'out').every((s) => s === 'up');
}

/** cert-renewal.sh restart_allowed: the cluster whole and no upgrade applying. */
export function timerGuard(state: Pick<State, 'servers' | 'applying'>, rules: Rules): boolean {
  return clusterWhole(state.servers, rules) && state.applying === null;
}

/**
 * readiness-gates.sh `prepare` (others_ready): every other server Ready and a voter, at least SERVERS - 1 of them
 * registered (the deployment's count: this guard always had it), and the Lease free, naming this very server out,
 * or stale (its holder stopped renewing it) and, with the out-marker rule, naming no server out.
 */
export function prepareGuard(state: Pick<State, 'servers' | 'lease'>, target: number, rules: Rules): boolean {
  const othersUp = state.servers.filter((s, i) => i !== target && s === 'up').length;
  const lease = state.lease;
  const leaseFree = lease === null || lease.holder === '' || lease.out === target || (!lease.fresh && (!rules.outMarker || lease.out === null));
  return othersUp >= state.servers.length - 1 && leaseFree;
}

type Step = { readonly name: string; readonly fault: boolean; readonly next: State; readonly violation?: string };

function withActor(state: State, name: string, actor: Partial<Actor>): State {
  return { ...state, actors: { ...state.actors, [name]: { ...state.actors[name], ...actor } } };
}
function withServer(state: State, i: number, value: ServerState): State {
  return { ...state, servers: state.servers.map((s, j) => (j === i ? value : s)) };
}

/**
 * A Lease write by `writer`: conditional on `rv` (the version read) with the fixed rules; the old rules wrote
 * without it (the roll's delete-then-create and patch). Returns the new state, or undefined on a Conflict.
 */
function writeLease(state: State, rules: Rules, rv: number | undefined, lease: Omit<Lease, 'rv'>): State | undefined {
  const current = state.lease?.rv ?? 0;
  if (rules.conditional && rv !== current) return undefined;
  return { ...state, lease: { ...lease, rv: current + 1 } };
}

/** An actor's last step: it gives the Lease back (no holder, conditionally: it still holds it), or has none to give. */
function releaseStep(state: State, name: string, holds: boolean, add: (name: string, next: State) => void): void {
  if (holds)
    add(
      `${name} releases the Lease`,
      withActor({ ...state, lease: { holder: '', fresh: true, out: null, rv: state.lease!.rv + 1 } }, name, { pc: 'done' }),
    );
  else add(`${name}: nothing to release`, withActor(state, name, { pc: 'done' }));
}

/** Every step the state allows: each actor's next action, the servers' own changes, the faults. */
export function steps(state: State, config: Config): Step[] {
  const { rules } = config;
  const out: Step[] = [];
  const add = (name: string, next: State, fault = false, violation?: string) =>
    out.push({ name, fault, next: fault ? { ...next, faults: next.faults + 1 } : next, violation });
  const canFault = state.faults < config.maxFaults;

  // ---- the roll (cli/roll.ts), replacing one server
  const roll = state.actors[ROLL];
  if (roll && roll.alive) {
    const t = config.rollTarget;
    const holds = state.lease?.holder === ROLL;
    // A renewal by the roll's keeper (fixed: during every step, conditional, LeaseLost when it is not ours; old:
    // between steps only, unconditional, taking the Lease back from whoever took it).
    const longStep = roll.pc === 'replace';
    if (roll.pc !== 'done' && roll.pc !== 'start' && roll.pc !== 'read' && roll.pc !== 'take' && (rules.renewDuringSteps || !longStep)) {
      if (rules.conditional) {
        if (holds && !state.lease!.fresh)
          add('roll renews its Lease', { ...state, lease: { ...state.lease!, fresh: true, rv: state.lease!.rv + 1 } });
        if (!holds && roll.pc !== 'stopped') add('roll finds its Lease lost and stops', withActor(state, ROLL, { pc: 'stopped' }));
      } else if (!holds || !state.lease!.fresh) {
        const stolen = state.lease && state.lease.holder !== ROLL && state.lease.holder !== '';
        add(
          'roll renews its Lease (unconditionally)',
          { ...state, lease: { holder: ROLL, fresh: true, out: state.lease?.out ?? null, rv: (state.lease?.rv ?? 0) + 1 } },
          false,
          stolen ? `the roll took back a Lease ${state.lease!.holder} held` : undefined,
        );
      }
    }
    switch (roll.pc) {
      case 'start':
        if (clusterWhole(state.servers, rules)) add('roll: cluster healthy', withActor(state, ROLL, { pc: 'read' }));
        else add('roll: refuses an unhealthy cluster', withActor(state, ROLL, { pc: 'done' }));
        break;
      case 'read': {
        const v = leaseVerdictOf(state.lease, ROLL, rules);
        if (takeable(v)) add('roll reads the Lease', withActor(state, ROLL, { pc: 'take', rv: state.lease?.rv ?? 0 }));
        else add('roll: Lease held, gives up for now', withActor(state, ROLL, { pc: 'done' }));
        break;
      }
      case 'take': {
        const written = writeLease(state, rules, roll.rv, { holder: ROLL, fresh: true, out: null });
        if (written) add('roll takes the Lease', withActor(written, ROLL, { pc: 'mark' }));
        else add('roll: Conflict, reads again', withActor(state, ROLL, { pc: 'read' }));
        break;
      }
      case 'mark':
        if (rules.conditional && !holds) add('roll: Lease lost before the drain, stops', withActor(state, ROLL, { pc: 'stopped' }));
        else
          add(
            'roll marks its server out',
            withActor({ ...state, lease: { holder: ROLL, fresh: true, out: t, rv: (state.lease?.rv ?? 0) + 1 } }, ROLL, { pc: 'check-upgrade' }),
          );
        break;
      // After the mark, before the drain (roll.ts runStep): an upgrade Job whose prepare step passed before the mark
      // was written is seen here; one that starts later finds the mark. Both write first and read second.
      case 'check-upgrade':
        if (state.applying !== null) add('roll: an upgrade applies, stops', withActor(state, ROLL, { pc: 'release' }));
        else if (clusterWhole(state.servers, rules)) add('roll: no upgrade applying', withActor(state, ROLL, { pc: 'remove' }));
        else add('roll: cluster not whole, stops', withActor(state, ROLL, { pc: 'release' }));
        break;
      case 'remove':
        add('roll removes its server from etcd', withActor(withServer(state, t, 'out'), ROLL, { pc: 'replace' }));
        break;
      case 'replace':
        add('roll: the new server joins', withActor(withServer(state, t, 'up'), ROLL, { pc: 'clear' }));
        if (canFault) add('fault: the new server never joins (the roll stops, holding the Lease)', withActor(state, ROLL, { pc: 'stopped' }), true);
        break;
      case 'clear':
        if (rules.conditional && !holds) add('roll: Lease lost, stops', withActor(state, ROLL, { pc: 'stopped' }));
        else
          add(
            'roll clears the out mark',
            withActor({ ...state, lease: { ...state.lease!, out: null, rv: state.lease!.rv + 1 } }, ROLL, { pc: 'release' }),
          );
        break;
      case 'release':
        releaseStep(state, ROLL, holds, add);
        break;
    }
    if (canFault && roll.pc !== 'done' && roll.pc !== 'stopped') add('fault: the roll is killed', withActor(state, ROLL, { alive: false }), true);
  }
  // A person runs the roll again (its state file): it continues as the same holder.
  if (roll && !roll.alive && roll.pc !== 'done') {
    const resumeAt = roll.pc === 'take' || roll.pc === 'read' ? 'start' : roll.pc === 'start' ? 'start' : roll.pc;
    add('person resumes the roll', withActor(state, ROLL, { alive: true, pc: resumeAt }));
  }
  // A stopped roll: a person (docs/day-2.md) runs it again once what stopped it is fixed; it goes on as the same holder.
  if (roll && roll.pc === 'stopped' && state.lease?.holder === ROLL && state.servers[config.rollTarget] === 'out')
    add('person reruns the stopped roll', withActor(state, ROLL, { alive: true, pc: 'replace' }));
  if (roll && roll.pc === 'stopped' && state.lease?.holder === ROLL && state.servers[config.rollTarget] !== 'out')
    add('person reruns the stopped roll (server back)', withActor(state, ROLL, { alive: true, pc: 'clear' }));

  // ---- the renewal timers (lib/kubernetes/cert-renewal.sh)
  for (const i of config.timers) {
    const name = timerName(i);
    const timer = state.actors[name];
    if (!timer) continue;
    const holds = state.lease?.holder === name;
    if (timer.alive)
      switch (timer.pc) {
        case 'idle':
          if (timerGuard(state, rules) && takeable(leaseVerdictOf(state.lease, name, rules)))
            add(`${name}: guard passes, reads the Lease`, withActor(state, name, { pc: 'take', rv: state.lease?.rv ?? 0 }));
          break;
        case 'take': {
          const written = writeLease(state, rules, timer.rv, { holder: name, fresh: true, out: rules.outMarker ? i : null });
          if (written) add(`${name} takes the Lease`, withActor(written, name, { pc: 'recheck' }));
          else add(`${name}: Conflict, tries at its next run`, withActor(state, name, { pc: 'done' }));
          break;
        }
        case 'recheck':
          if (timerGuard(state, rules)) add(`${name}: still allowed`, withActor(state, name, { pc: 'restart' }));
          else add(`${name}: no longer allowed, releases`, withActor(state, name, { pc: 'release' }));
          break;
        case 'restart':
          add(`${name} restarts its server`, withActor(withServer(state, i, 'down'), name, { pc: 'wait' }));
          break;
        case 'wait':
          if (state.servers[i] === 'up') add(`${name}: its server is back`, withActor(state, name, { pc: 'release' }));
          if (state.servers[i] === 'hung') add(`${name}: not back in time, keeps the Lease`, withActor(state, name, { pc: 'held' }));
          break;
        case 'release':
          releaseStep(state, name, holds, add);
          break;
        case 'held':
          // The next run (resume): gives the Lease back once the cluster is whole.
          if (holds && clusterWhole(state.servers, rules)) add(`${name}: next run, server back: releases`, withActor(state, name, { pc: 'release' }));
          if (!holds) add(`${name}: next run, the Lease was taken over`, withActor(state, name, { pc: 'done' }));
          break;
      }
    if (canFault && timer.alive && timer.pc !== 'idle' && timer.pc !== 'done' && timer.pc !== 'held')
      add(`fault: ${name} is killed`, withActor(state, name, { alive: false }), true);
    // The next run on the same server after a kill (the held-out marker file).
    if (!timer.alive && holds)
      add(`${name}: next run resumes`, withActor(state, name, { alive: true, pc: state.servers[i] === 'up' ? 'held' : 'wait' }));
    if (!timer.alive && !holds) add(`${name}: next run finds nothing of its own`, withActor(state, name, { alive: true, pc: 'done' }));
  }

  // ---- the upgrade controller and its Job's prepare step (readiness-gates.sh GATE=prepare)
  const upgrade = state.actors[UPGRADE];
  if (upgrade && config.upgradeTarget !== null) {
    const u = config.upgradeTarget;
    switch (upgrade.pc) {
      case 'start':
        add('upgrade: the controller applies the Plan on its server', withActor({ ...state, applying: u }, UPGRADE, { pc: 'prepare' }));
        break;
      case 'prepare':
        if (prepareGuard(state, u, rules)) add('upgrade: prepare step passes', withActor(state, UPGRADE, { pc: 'restart' }));
        break;
      case 'restart':
        add('upgrade restarts its server', withActor(withServer(state, u, 'down'), UPGRADE, { pc: 'wait' }));
        break;
      case 'wait':
        if (state.servers[u] === 'up') add('upgrade: server back, Plan done', withActor({ ...state, applying: null }, UPGRADE, { pc: 'done' }));
        break;
    }
  }

  // ---- the servers themselves, and the faults of the world
  state.servers.forEach((s, i) => {
    if (s === 'down') {
      add(`server-${i} is back`, withServer(state, i, 'up'));
      if (canFault) add(`fault: server-${i}'s restart hangs`, withServer(state, i, 'hung'), true);
    }
    // A person repairs a hung server (docs/day-2.md, "When an operation stopped halfway": journal, restart or replace).
    if (s === 'hung') add(`person repairs server-${i}`, withServer(state, i, 'up'));
  });
  if (canFault && state.lease && state.lease.fresh && state.lease.holder !== '')
    add('fault: the clock jumps past the Lease duration', { ...state, lease: { ...state.lease, fresh: false } }, true);
  // A person's --take-over of a roll whose machine is gone (never from a roll that still renews).
  if (roll && !roll.alive && state.lease?.holder === ROLL && !state.lease.fresh)
    add('person: roll --take-over', withActor(state, ROLL, { alive: true, pc: state.servers[config.rollTarget] === 'out' ? 'replace' : 'release' }));
  // A person's restore (rancher-aws-restore): only when no server answers.
  if (state.servers.every((s) => s !== 'up') && state.servers.some((s) => s === 'hung'))
    add('person restores from a snapshot (no server answers)', { ...state, servers: state.servers.map((s) => (s === 'hung' ? 'up' : s)) });
  return out;
}

/** The invariants every reached state must hold; the reasons it does not. */
export function invariants(state: State): string[] {
  const problems: string[] = [];
  const notUp = state.servers.map((s, i) => [s, i] as const).filter(([s]) => s !== 'up');
  // (a) and (b): never two servers restarting or out at once; with three servers, never fewer voters than quorum.
  if (notUp.length > 1) problems.push(`two servers down at once: ${notUp.map(([s, i]) => `server-${i} ${s}`).join(', ')}`);
  const up = state.servers.length - notUp.length;
  if (state.servers.length >= 3 && up < Math.floor(state.servers.length / 2) + 1) problems.push(`quorum lost: ${up} of ${state.servers.length} up`);
  return problems;
}

export function initialState(config: Config): State {
  const actors: Record<string, Actor> = { [ROLL]: { pc: 'start', alive: true } };
  for (const i of config.timers) actors[timerName(i)] = { pc: 'idle', alive: true };
  if (config.upgradeTarget !== null) actors[UPGRADE] = { pc: 'start', alive: true };
  return { servers: Array.from({ length: config.servers }, () => 'up'), lease: null, applying: null, actors, faults: 0 };
}

export interface Exploration {
  readonly states: number;
  readonly transitions: number;
  /** The first violation found, with the steps that lead to it. */
  readonly violation?: { readonly problem: string; readonly trace: readonly string[] };
  /** Reached states from which no fault-free sequence of steps settles the deployment (every server up, no Lease held, nothing applying). */
  readonly stuck: number;
  /** Every distinct state reached (for the conformance tests). */
  readonly reached: readonly State[];
}

const key = (s: State) => JSON.stringify(s);

/** Settled: every server up, no Lease held, nothing applying. */
export function settled(state: State): boolean {
  return state.servers.every((s) => s === 'up') && (state.lease === null || state.lease.holder === '') && state.applying === null;
}

/**
 * Breadth-first over every interleaving (each state once), checking the invariants in each. Then, over the graph
 * reached, which states can still settle by steps that are not faults (invariant (e): every stopped operation can be
 * resumed or undone, and nothing else makes it worse meanwhile).
 */
export function explore(config: Config, limit = 2_000_000): Exploration {
  const start = initialState(config);
  const seen = new Map<string, number>([[key(start), 0]]);
  const states: State[] = [start];
  const parent: [number, string][] = [[-1, '']];
  const edges: number[][] = [];
  let transitions = 0;
  for (let i = 0; i < states.length; i++) {
    if (states.length > limit) throw new Error(`the model reached more than ${limit} states`);
    const state = states[i];
    const trace = () => {
      const names: string[] = [];
      for (let j = i; j > 0; j = parent[j][0]) names.unshift(parent[j][1]);
      return names;
    };
    const problems = invariants(state);
    if (problems.length)
      return { states: states.length, transitions, violation: { problem: problems[0], trace: trace() }, stuck: 0, reached: states };
    edges[i] = [];
    for (const step of steps(state, config)) {
      transitions++;
      if (step.violation)
        return {
          states: states.length,
          transitions,
          violation: { problem: step.violation, trace: [...trace(), step.name] },
          stuck: 0,
          reached: states,
        };
      const k = key(step.next);
      let j = seen.get(k);
      if (j === undefined) {
        j = states.length;
        seen.set(k, j);
        states.push(step.next);
        parent.push([i, step.name]);
      }
      if (!step.fault) edges[i].push(j);
    }
  }
  // Backwards from the settled states over fault-free steps.
  const incoming: number[][] = states.map(() => []);
  edges.forEach((targets, from) => targets.forEach((to) => incoming[to].push(from)));
  const canSettle = new Uint8Array(states.length);
  const queue = states.flatMap((s, i) => (settled(s) ? [i] : []));
  for (const i of queue) canSettle[i] = 1;
  while (queue.length) {
    const i = queue.pop()!;
    for (const from of incoming[i])
      if (!canSettle[from]) {
        canSettle[from] = 1;
        queue.push(from);
      }
  }
  return { states: states.length, transitions, stuck: canSettle.reduce((n, v) => n + (v ? 0 : 1), 0), reached: states };
}
