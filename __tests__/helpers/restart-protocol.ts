/**
 * An executable model of "Who may restart a server" (docs/design-notes.md): the actors that take an RKE2 or K3s
 * server down (the roll, as a living process and a dead one, and a second invocation in the same folder; each
 * server's certificate-renewal timer, with the previous version of the script beside this one; the no-Lease rotation
 * of a certificate that ended; system-upgrade-controller v0.20.1 and its Jobs' prepare step; a person's restore), the
 * restart Lease they share, and the faults that hit them (a process killed, a clock jump past a Lease's duration, a
 * write that commits and then reports failure, a restart that hangs, a server rebooted by AWS, a Lease deleted by
 * hand or put back by an etcd restore). `explore` walks every interleaving of their steps breadth-first and checks
 * the invariants in every state it reaches, and then that no reachable state is a deadlock.
 *
 * Each actor is a small program; each step is one atomic action on the shared state, as one API call (a read, a
 * conditional write) or one change of a server is. What the real code decides at each guard is written once here
 * (`leaseVerdictOf`, `timerGuard`, `prepareGuard`, ...) so the conformance tests can feed the real code the states
 * the model reaches and compare.
 *
 * `Rules` switches each part of the fix on or off: `OLD_RULES` is the protocol before issue 32 (its race),
 * `REVIEWED_RULES` the code issue 47 reviewed (issue 32's fixes, none of issue 47's), `ISSUE_62_READ_RULES` the code
 * issue 62 read (d0e353c: issue 47's fixes, none of issue 62's), `FIXED_RULES` every fix.
 */

/**
 * A server: serving; killed (system-upgrade-controller's Job killed its service and ended: the old etcd pod and
 * kubelet still serve, the Node still looks Ready, the service restarts them soon); restarting (its service down,
 * back soon); out (removed from etcd by a roll); hung (a restart that never comes back, or a member its peers refuse).
 */
export type ServerState = 'up' | 'killed' | 'down' | 'out' | 'hung';

export interface Lease {
  /** '' when released. */
  readonly holder: string;
  /** Renewed within its duration (false once a clock jump passed it, or its holder stopped renewing it). */
  readonly fresh: boolean;
  /** The server marked out (rancher-ha-aws/out), if any. */
  readonly out: number | null;
  /** The resourceVersion: every write moves it on. */
  readonly rv: number;
  /** Put back by a restore: renewed before the cluster's restore record (rke2-restore.sh); any write clears it. */
  readonly restored?: boolean;
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
  /** Item 1: the prepare step compares the Lease's out address with the Node's address of the same family. */
  readonly perFamily: boolean;
  /** Item 2: a roll stops the timers of servers that run another cert-renewal.sh before it takes or marks anything. */
  readonly stopOldTimers: boolean;
  /** Item 3: the no-Lease rotation only for a member its peers refuse, never for a voter. */
  readonly rotationNotVoter: boolean;
  /** Item 4: no_upgrade_running counts a Plan whose version some server does not run yet as running. */
  readonly versionCheck: boolean;
  /** Item 5: a Lease write that reports failure is read back; a Lease naming its writer is held. */
  readonly readBack: boolean;
  /** Item 5: each roll process is its own holder; a second live invocation in the folder is refused. */
  readonly holderPerProcess: boolean;
  /** Item 5: the roll waits (bounded) for a renewal in progress (fresh, its own server out) instead of exiting 3. */
  readonly renewalWait: boolean;
  /** Issue 62 item 1: both rotations run the roll's transition step (old-script timers off before the first out mark). */
  readonly rotationTransition: boolean;
  /** Issue 62 item 2: the transition disables the old timers (systemctl disable --now): a reboot does not start them again. */
  readonly disableTimers: boolean;
  /** Issue 62 item 4: the roll checks every other server Ready and voting right before it deletes its server's Node. */
  readonly recheckBeforeRemove: boolean;
  /**
   * Issue 62 item 6: a Lease renewed before the cluster's restore is taken by the roll and the rotations whatever it
   * marks (lease.ts acquire, restoredAtMs), and a timer's later run gives back a Lease naming its own server that no
   * run of it holds (cert-renewal.sh resume).
   */
  readonly restoredLease: boolean;
  /**
   * Issue 62 item 8a: the timer of a server whose certificates ended while it ran (`expired`) talks through a peer's
   * API (cert-renewal.sh peer_access), and its guard passes over its own Node, NotReady (its kubelet's client
   * certificate ended in the same batch), and over no other.
   */
  readonly peerAccess: boolean;
  /**
   * Every run of a timer (this version's script) reads the Lease first and gives back, conditionally, a Lease the
   * restore put back, whatever its holder (a dead roll's, a timer's), alarms on or off (cert-renewal.sh
   * release_restored): before, only a command took such a Lease, and a timer resumed one naming its own server only
   * where the alarms were on.
   */
  readonly restoredRelease: boolean;
  /**
   * The transition disables the old timer of every server the operation does not replace, whatever its health, and
   * looks again before each restart (renewal-transition.ts disableOldTimers): before, it passed over a server that
   * was not Ready and a voter at its one read, whose old timer came back with it.
   */
  readonly transitionEveryServer: boolean;
  /**
   * The timer cordons its own Node once it holds the Lease, then reads the Lease again before it restarts (write first,
   * read second, cert-renewal.sh cordon_self): a timer of the previous script, which takes a lapsed Lease by age but
   * never restarts beside a cordoned server, and this one then each see the other; and it never takes by age a Lease
   * that script wrote (previousScriptLease), whose holder reads nothing after its last check. Before, after a partial
   * roll, one clock jump let both restart at once.
   */
  readonly cordonBeforeRestart: boolean;
  /**
   * A Lease is put back by the restore only while its resourceVersion is the one the restore record names
   * (rke2-restore.sh record_restore, lease.ts restoredLeaseVersion): the Lease compared with itself. Before, its
   * renewTime was compared with the record's restoredAt: a command's renewTime is its machine's clock, restoredAt the
   * restoring server's, and a machine behind the servers made every Lease a command wrote since look restored.
   */
  readonly restoreByVersion: boolean;
  /**
   * K3s: RDS restores the datastore, and a person then records it on one server (`rancher-aws-restore --record-only`,
   * k3s-restore.sh: the same record as rke2-restore.sh's). Before, a K3s restore left no record, so the Lease its
   * datastore put back was never taken as restored: it waited for a person.
   */
  readonly k3sRestoreRecord: boolean;
}

const ISSUE_47_OFF = {
  perFamily: false,
  stopOldTimers: false,
  rotationNotVoter: false,
  versionCheck: false,
  readBack: false,
  holderPerProcess: false,
  renewalWait: false,
};
const ISSUE_62_OFF = { rotationTransition: false, disableTimers: false, recheckBeforeRemove: false, restoredLease: false, peerAccess: false };
/** The rules the last review of the restart machinery added (the code before them: 40d51f4). */
const LAST_GAPS_OFF = {
  restoredRelease: false,
  transitionEveryServer: false,
  cordonBeforeRestart: false,
  restoreByVersion: false,
  k3sRestoreRecord: false,
};
export const FIXED_RULES: Rules = {
  expectedCount: true,
  outMarker: true,
  conditional: true,
  renewDuringSteps: true,
  perFamily: true,
  stopOldTimers: true,
  rotationNotVoter: true,
  versionCheck: true,
  readBack: true,
  holderPerProcess: true,
  renewalWait: true,
  rotationTransition: true,
  disableTimers: true,
  recheckBeforeRemove: true,
  restoredLease: true,
  peerAccess: true,
  restoredRelease: true,
  transitionEveryServer: true,
  cordonBeforeRestart: true,
  restoreByVersion: true,
  k3sRestoreRecord: true,
};
/** The code at 40d51f4: every fix of issues 32, 47 and 62, none of the last review's. */
export const LAST_GAPS_READ_RULES: Rules = { ...FIXED_RULES, ...LAST_GAPS_OFF };
/** The code issue 62 read (d0e353c): every fix of issues 32 and 47, none of issue 62's. */
export const ISSUE_62_READ_RULES: Rules = { ...FIXED_RULES, ...ISSUE_62_OFF, ...LAST_GAPS_OFF };
/** The code issue 47 reviewed: issue 32's rules, none of issue 47's fixes. */
export const REVIEWED_RULES: Rules = {
  expectedCount: true,
  outMarker: true,
  conditional: true,
  renewDuringSteps: true,
  ...ISSUE_47_OFF,
  ...ISSUE_62_OFF,
  ...LAST_GAPS_OFF,
};
export const OLD_RULES: Rules = {
  expectedCount: false,
  outMarker: false,
  conditional: false,
  renewDuringSteps: false,
  ...ISSUE_47_OFF,
  ...ISSUE_62_OFF,
  ...LAST_GAPS_OFF,
};

export interface Actor {
  readonly pc: string;
  readonly alive: boolean;
  /** The resourceVersion read before a write. */
  readonly rv?: number;
  /** A timer running the previous cert-renewal.sh (the server has not been rolled onto this version). */
  readonly old?: boolean;
  /**
   * A timer the transition turned off (cli/shared/renewal-transition.ts): no new run starts. Stopped only (before
   * issue 62) it is still enabled, and a reboot of its server starts it again; disabled, it stays off.
   */
  readonly stopped?: boolean;
  /** A roll stopped by its check before the Node deletion: drained, still a member, its Lease kept marked out. */
  readonly drained?: boolean;
  /**
   * The rotation: how many servers (in order) have restarted since their token file got the new token. A fact of
   * the servers (rotate-token.sh `status`: the service started after the file was written), not of the process: it
   * survives a kill.
   */
  readonly restarted?: number;
  /**
   * The encryption-key rotation: server-0's re-encryption (`rotate-keys` run: active, then finished). A fact of the
   * servers (its stage and active key, read by rotate-encryption.sh `status`), not of the process: it survives a kill.
   */
  readonly reencrypt?: 'active' | 'finished';
}

export interface State {
  readonly servers: readonly ServerState[];
  readonly lease: Lease | null;
  /** The server the upgrade controller applies its Plan on (status.applying), or null. */
  readonly applying: number | null;
  readonly actors: Readonly<Record<string, Actor>>;
  readonly faults: number;
  /** Servers whose Node their own renewal timer cordoned (cordonBeforeRestart), until it uncordons it. @default none */
  readonly cordoned?: readonly number[];
  /** The cluster holds a restore record (a restore ran). @default none */
  readonly recorded?: true;
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
  /** Servers whose timers run the previous cert-renewal.sh (taken by age whatever it marks, Nodes counted). @default none */
  readonly oldTimers?: readonly number[];
  /** Servers whose membership certificate ended while the member runs (rotate_expired's case). @default none */
  readonly rotations?: readonly number[];
  /**
   * Servers all of whose leaf certificates ended in one batch while their service ran (rotate_expired's case, with
   * its API serving, admin and kubelet client certificates): each still a voter, its Node NotReady (its kubelet
   * cannot report: the node lifecycle controller marks it Unknown), its own API refusing its admin, until a restart
   * renews them (the start re-signs every leaf that ended). Its timer runs again every 6 h while they have ended.
   * @default none
   */
  readonly expired?: readonly number[];
  /** A second `npm run roll` in the same folder, replacing this server. @default none */
  readonly secondRoll?: number;
  /** Nodes with an IPv4 and an IPv6 InternalIP (kubectl's jsonpath prints both). @default false */
  readonly dualStack?: boolean;
  /** The server Plan is at a version: the controller gives every new Node (the roll's new server) a Job. @default false */
  readonly newNodeJobs?: boolean;
  /** AWS reboots a server (a scheduled event, a host failure) while the others are up. @default false */
  readonly reboots?: boolean;
  /** A person deletes the Lease by hand; an etcd restore puts back the Lease of its snapshot. @default false */
  readonly leaseFaults?: boolean;
  /** The roll runs. @default true */
  readonly roll?: boolean;
  /** `alarms.enabled`: the timers send RestartHeld and read the Lease at every run (report_hold). @default true */
  readonly alarms?: boolean;
  /** `npm run rotate -- rke-ha token` runs (cli/rotate/rotate.ts): every server restarted once, in order. @default false */
  readonly rotation?: boolean;
  /** The rotation restarts its next server without waiting for the cluster whole (a counterexample's knob). @default false */
  readonly rotationUnguarded?: boolean;
  /**
   * The rotation is `npm run rotate -- rke-ha encryption-key` (cli/rotate/rotate-encryption.ts): rotate-keys once on server-0,
   * then every other server restarted once, in order. @default false (the token)
   */
  readonly encryptionKey?: boolean;
  /** The encryption-key rotation restarts without waiting for reencrypt_finished (a counterexample's knob). @default false */
  readonly encryptionUnwaited?: boolean;
  /** The world begins after a restore: its record is in the cluster, no Lease is. @default false */
  readonly afterRestore?: boolean;
  /**
   * The servers' distribution. K3s keeps the cluster in RDS: the restore is RDS's, recorded only by the person's
   * `rancher-aws-restore --record-only` (rule k3sRestoreRecord). @default 'rke2'
   */
  readonly distribution?: 'rke2' | 'k3s';
  /**
   * The machine the commands run on has a clock behind the servers' by more than the time since the restore: each
   * renewTime a command writes is before the record's restoredAt. @default false
   */
  readonly laptopBehind?: boolean;
}

const ROLL = 'roll';
const ROTATION = 'rotation';
const ROLL_B = 'roll-b';
const UPGRADE = 'upgrade';
const newNodeJob = (i: number) => `job-new-node-${i}`;
const timerName = (i: number) => `timer-${i}`;
const rotationName = (i: number) => `rotate-${i}`;

/** The protocol's one rule for a Lease, as the roll (cli/shared/lease.ts leaseVerdict) and the timer (lease_verdict) apply it. */
export function leaseVerdictOf(lease: Lease | null, me: string, rules: Rules): Verdict {
  if (lease === null || lease.holder === '') return 'free';
  if (lease.holder === me) return 'mine';
  if (rules.outMarker && lease.out !== null) return 'held-out';
  return lease.fresh ? 'held' : 'stale';
}

/**
 * The previous cert-renewal.sh's take_lease (git show 635c0e6^:lib/kubernetes/cert-renewal.sh): its own, or
 * any Lease not renewed within its duration, whatever it marks; a released Lease (one-second duration) is stale.
 */
export function oldVerdictOf(lease: Lease | null, me: string): Verdict {
  if (lease === null || lease.holder === '' || lease.holder === me) return lease?.holder === me ? 'mine' : 'free';
  return lease.fresh ? 'held' : 'stale';
}

const takeable = (v: Verdict) => v === 'free' || v === 'stale' || v === 'mine';

/**
 * What the roll does with the restart Lease it reads (roll.ts holdRestartLease): take it (free, stale, its own),
 * wait (bounded) for a renewal under way (a timer's, fresh, naming its own server out) or a Lease that marks no
 * server out, or stop (exit 3) on a server out under another holder.
 */
export function rollLeaseDecision(lease: Lease | null, me: string, rules: Rules): 'take' | 'wait' | 'stop' {
  const v = leaseVerdictOf(lease, me, rules);
  if (takeable(v) || (rules.restoredLease && lease?.restored)) return 'take';
  const renewal = lease !== null && lease.holder.startsWith('timer-') && lease.fresh && lease.out === Number(lease.holder.slice(6));
  return v === 'held-out' && !(rules.renewalWait && renewal) ? 'stop' : 'wait';
}

/**
 * A Lease the previous cert-renewal.sh wrote: a server's, naming no server out (that script wrote no marker; this one
 * marks its own server out from its take). Its holder restarts without reading anything again after its last check,
 * so with cordonBeforeRestart this script never takes it by age, only once it is given back (that script deletes it).
 */
export function previousScriptLease(lease: Lease | null, me: string): boolean {
  return lease !== null && lease.holder.startsWith('timer-') && lease.holder !== me && lease.out === null;
}

/** Serving: a killed server's old pods still serve (and look Ready) until its service restarts them. */
const serving = (s: ServerState) => s === 'up' || s === 'killed';

/** Every server up: the whole cluster, as the deployment expects it. With the old rule, every server that is still a member is up. */
export function clusterWhole(servers: readonly ServerState[], rules: Pick<Rules, 'expectedCount'>): boolean {
  return rules.expectedCount ? servers.every(serving) : servers.filter((s) => s !== 'out').every(serving);
}

/**
 * The Plan's version reached on every server: no in-place upgrade in the world, none applied yet (the Plan at the
 * version the servers run), or its Job done and its server back on the new version (a killed server still runs the old kubelet; one restarting reports none).
 */
export function planReached(state: Pick<State, 'servers' | 'actors'>, config: Pick<Config, 'upgradeTarget'>): boolean {
  const upgrade = state.actors[UPGRADE];
  if (!upgrade || config.upgradeTarget === null || upgrade.pc === 'planned') return true;
  return upgrade.pc === 'done' && state.servers[config.upgradeTarget] === 'up';
}

/** A server of `expired` whose certificates have not been renewed yet (its rotation actor still at 'ended'). */
export const certificatesEnded = (state: Partial<Pick<State, 'actors'>>, config: Pick<Config, 'expired'>, i: number) =>
  (config.expired ?? []).includes(i) && state.actors?.[rotationName(i)]?.pc === 'ended';

/**
 * The servers as the timer of server `self` reads them: a server whose certificates ended while it ran serves (a
 * voter) with its Node NotReady, which counts as not whole; with peerAccess, the timer passes over its own.
 */
function asTimerSees(
  state: Pick<State, 'servers'> & Partial<Pick<State, 'actors'>>,
  rules: Pick<Rules, 'peerAccess'>,
  config: Pick<Config, 'expired'>,
  self?: number,
): readonly ServerState[] {
  return state.servers.map((s, i) => (serving(s) && certificatesEnded(state, config, i) && !(rules.peerAccess && i === self) ? 'down' : s));
}

/**
 * cert-renewal.sh restart_allowed, on server `self`: the cluster whole and no upgrade running: none applying and, with
 * the version check, the Plan's version reached on every server.
 */
export function timerGuard(
  state: Pick<State, 'servers' | 'applying'> & Partial<Pick<State, 'actors' | 'cordoned'>>,
  rules: Rules,
  config: Pick<Config, 'upgradeTarget'> & Pick<Config, 'expired'> = { upgradeTarget: null },
  self?: number,
): boolean {
  const versions = !rules.versionCheck || planReached({ servers: state.servers, actors: state.actors ?? {} }, config);
  // No server cordoned (no_upgrade_running), but this one by its own timer.
  const cordons = (state.cordoned ?? []).every((i) => i === self);
  return clusterWhole(asTimerSees(state, rules, config, self), rules) && state.applying === null && versions && cordons;
}

/** The previous cert-renewal.sh's restart_allowed: the Nodes that exist Ready and voting, the Plan applying nowhere. */
export function oldTimerGuard(state: Pick<State, 'servers' | 'applying' | 'cordoned'>): boolean {
  // Its no_upgrade_running refused any server cordoned (git show 635c0e6^:lib/kubernetes/cert-renewal.sh).
  return clusterWhole(state.servers, { expectedCount: false }) && state.applying === null && !state.cordoned?.length;
}

/**
 * readiness-gates.sh `prepare` (others_ready): every other server Ready and a voter, at least SERVERS - 1 of them
 * registered (the deployment's count: this guard always had it), and the Lease free, naming this very server out,
 * or stale (its holder stopped renewing it) and, with the out-marker rule, naming no server out. "This very server"
 * is an address comparison: with dual stack, the Node's InternalIPs as one jsonpath string ("v4 v6") never equal
 * the Lease's one address, unless compared per family.
 */
export function prepareGuard(state: Pick<State, 'servers' | 'lease'>, target: number, rules: Rules, dualStack = false): boolean {
  const othersUp = state.servers.filter((s, i) => i !== target && s === 'up').length;
  return othersUp >= state.servers.length - 1 && prepareLeaseFree(state.lease, target, rules, dualStack);
}

/** The Lease part of the prepare step (readiness-gates.sh restart_lease_free) for the Job of server `target`. */
export function prepareLeaseFree(lease: Lease | null, target: number, rules: Rules, dualStack = false): boolean {
  const itself = lease !== null && lease.out === target && (!dualStack || rules.perFamily);
  return lease === null || lease.holder === '' || itself || (!lease.fresh && (!rules.outMarker || lease.out === null));
}

type Step = { readonly name: string; readonly fault: boolean; readonly next: State; readonly violation?: string };

function withActor(state: State, name: string, actor: Partial<Actor>): State {
  return { ...state, actors: { ...state.actors, [name]: { ...state.actors[name], ...actor } } };
}
/** The timer of server `i` uncordons its Node (nothing when it cordoned none). */
function uncordoned(state: State, i: number): State {
  if (!state.cordoned?.includes(i)) return state;
  const rest = state.cordoned.filter((j) => j !== i);
  return { ...state, cordoned: rest.length ? rest : undefined };
}
function withServer(state: State, i: number, value: ServerState): State {
  return { ...state, servers: state.servers.map((s, j) => (j === i ? value : s)) };
}

/**
 * A Lease write by `writer`: conditional on `rv` (the version read) with the fixed rules; the old rules wrote
 * without it (the roll's delete-then-create and patch). Returns the new state, or undefined on a Conflict.
 */
function writeLease(state: State, rules: Pick<Rules, 'conditional'>, rv: number | undefined, lease: Omit<Lease, 'rv'>): State | undefined {
  const current = state.lease?.rv ?? 0;
  if (rules.conditional && rv !== current) return undefined;
  return { ...state, lease: { ...lease, rv: current + 1 } };
}

/**
 * What a command's Lease write (the roll's, a rotation's: their machine's clock) looks like to a reader of the restore
 * record: compared by time (before restoreByVersion), with that clock behind the servers', as put back by the restore.
 */
function byCommand(state: State, config: Config, rules: Rules): { readonly restored?: boolean } {
  return !rules.restoreByVersion && config.laptopBehind && state.recorded ? { restored: true } : {};
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

/** The roll's holder identity: one per process with the fix; before it, every run in one folder was the same holder. */
const rollIdentity = (name: string, rules: Rules) => (rules.holderPerProcess ? name : ROLL);
/** The roll processes that have not ended: running, or stopped but still holding (a person reruns it). */
export const rollRunning = (a: Actor | undefined) => a !== undefined && a.alive && a.pc !== 'done' && a.pc !== 'stopped';

/**
 * The rotation's next step once the new token is everywhere (cli/rotate/rotate.ts nextTokenStep, which the conformance test
 * holds to this): wait while any server is not whole, restart the first server not yet restarted, done when every
 * server is.
 */
export function rotationDecision(servers: readonly ServerState[], restarted: number): 'wait' | 'done' | { readonly restart: number } {
  if (!servers.every(serving)) return 'wait';
  return restarted >= servers.length ? 'done' : { restart: restarted };
}

/**
 * The encryption-key rotation's next step once rotate-keys ran on server-0 (cli/rotate/rotate-encryption.ts
 * nextEncryptionStep, which the conformance test holds to this): wait while server-0 re-encrypts (the datastore holds
 * the new configuration only at reencrypt_finished) or any server is not whole; restart the first other server not
 * yet restarted; done when every other server is.
 */
export function encryptionDecision(
  servers: readonly ServerState[],
  reencrypt: Actor['reencrypt'],
  restarted: number,
): 'wait' | 'done' | { readonly restart: number } {
  if (reencrypt !== 'finished' || !servers.every(serving)) return 'wait';
  return 1 + restarted >= servers.length ? 'done' : { restart: 1 + restarted };
}

/** The actor a Lease holder stands for (a roll's identity is its first process with the old rule). */
const holderActor = (holder: string) => holder;

/**
 * Actors whose next step is a restart they already checked for: a reboot by AWS then is a race no protocol closes.
 * The roll's drain is not among them: it lasts up to ten minutes, and its check before the Node's deletion (with
 * recheckBeforeRemove) is one step with the deletion.
 */
const aboutToRestart = (state: State) => Object.values(state.actors).some((a) => a.alive && (a.pc === 'restart' || a.pc === 'kill'));

/**
 * The transition step (cli/shared/renewal-transition.ts disableOldTimers), taken by whoever holds the Lease before
 * its first out mark: the servers on the previous cert-renewal.sh get their timer turned off (SSM), once no run of
 * theirs is under way (the command's bounded wait for the service to end). Undefined while one is.
 */
function transitionStep(
  state: State,
  name: string,
  pc: string,
  on: boolean,
  everyServer = true,
): { readonly label: string; readonly next: State } | undefined {
  // Without everyServer (40d51f4), a server not serving at the transition's one read was passed over.
  const olds = Object.entries(state.actors).filter(
    ([n, a]) => n.startsWith('timer-') && a.old && !a.stopped && (everyServer || serving(state.servers[Number(n.slice(6))])),
  );
  if (!on || olds.length === 0) return { label: `${name}: no old timer to turn off`, next: withActor(state, name, { pc }) };
  if (!olds.every(([, a]) => a.pc === 'idle' || a.pc === 'done' || !a.alive)) return undefined;
  let next = withActor(state, name, { pc });
  for (const [n] of olds) next = withActor(next, n, { stopped: true });
  return { label: `${name} turns the old renewal timers off (SSM)`, next };
}

/** The transition's end (enableDisabledTimers): with no server out, the timers it turned off on servers not replaced run again. */
function timersBackOn(state: State): State {
  let next = state;
  for (const [n, a] of Object.entries(state.actors)) if (n.startsWith('timer-') && a.old && a.stopped) next = withActor(next, n, { stopped: false });
  return next;
}

/** Every step the state allows: each actor's next action, the servers' own changes, the faults. */
export function steps(state: State, config: Config): Step[] {
  const { rules } = config;
  const out: Step[] = [];
  const add = (name: string, next: State, fault = false, violation?: string) =>
    out.push({ name, fault, next: fault ? { ...next, faults: next.faults + 1 } : next, violation });
  const canFault = state.faults < config.maxFaults;
  const upgradePending = () => state.applying !== null || !planReached(state, config);
  // A server its renewal timer cordoned (cordonBeforeRestart): that timer is about to restart it, or restarts it.
  const timerCordoned = (except?: number) => rules.cordonBeforeRestart && (state.cordoned ?? []).some((j) => j !== except);

  // ---- the rolls (cli/roll/roll.ts), each replacing one server
  for (const name of [ROLL, ROLL_B]) {
    const roll = state.actors[name];
    if (!roll) continue;
    const t = name === ROLL ? config.rollTarget : config.secondRoll!;
    const me = rollIdentity(name, rules);
    const other = state.actors[name === ROLL ? ROLL_B : ROLL];
    const holds = state.lease?.holder === me;
    if (roll.alive) {
      // A renewal by the roll's keeper (fixed: during every step, conditional, LeaseLost when it is not ours; old:
      // between steps only, unconditional, taking the Lease back from whoever took it).
      const longStep = roll.pc === 'replace';
      const renewing = !['done', 'start', 'read', 'take', 'stopped'].includes(roll.pc);
      if (renewing && (rules.renewDuringSteps || !longStep)) {
        if (rules.conditional) {
          if (holds && !state.lease!.fresh)
            add(`${name} renews its Lease`, {
              ...state,
              lease: { ...state.lease!, restored: undefined, fresh: true, rv: state.lease!.rv + 1, ...byCommand(state, config, rules) },
            });
          if (!holds) add(`${name} finds its Lease lost and stops`, withActor(state, name, { pc: 'stopped' }));
        } else if (!holds || !state.lease!.fresh) {
          const stolen = state.lease && state.lease.holder !== me && state.lease.holder !== '';
          add(
            `${name} renews its Lease (unconditionally)`,
            { ...state, lease: { holder: me, fresh: true, out: state.lease?.out ?? null, rv: (state.lease?.rv ?? 0) + 1 } },
            false,
            stolen ? `the roll took back a Lease ${state.lease!.holder} held` : undefined,
          );
        }
      }
      switch (roll.pc) {
        case 'start':
          // One holder per living process: the state file records the pid; a second live invocation is refused.
          if (rules.holderPerProcess && rollRunning(other))
            add(`${name}: another roll runs from this folder, refused`, withActor(state, name, { pc: 'done' }));
          else if (clusterWhole(state.servers, rules)) add(`${name}: cluster healthy`, withActor(state, name, { pc: 'read' }));
          else add(`${name}: refuses an unhealthy cluster`, withActor(state, name, { pc: 'done' }));
          break;
        case 'stop-old': {
          // The transition (holding the Lease, before its first out mark).
          const step = transitionStep(state, name, 'mark', rules.stopOldTimers, rules.transitionEveryServer);
          if (step) add(step.label, step.next);
          break;
        }
        case 'read': {
          const lease = state.lease;
          const v = leaseVerdictOf(lease, me, rules);
          const decision = rollLeaseDecision(lease, me, rules);
          const holderActorState = lease ? state.actors[holderActor(lease.holder)] : undefined;
          const renewal = lease !== null && lease.holder.startsWith('timer-') && lease.fresh && lease.out === Number(lease.holder.slice(6));
          const renewalOver = holderActorState === undefined || !holderActorState.alive || ['held', 'done', 'idle'].includes(holderActorState.pc);
          if (decision === 'take') add(`${name} reads the Lease`, withActor(state, name, { pc: 'take', rv: lease?.rv ?? 0 }));
          else if (decision === 'wait' && v === 'held-out') {
            // Waits (bounded by the renewal's own wait): a step only when the budget is spent on a renewal that is over.
            if (renewalOver)
              add(`${name}: the renewal did not give the Lease back within the budget, stops (exit 3)`, withActor(state, name, { pc: 'done' }));
          } else if (decision === 'stop')
            add(
              `${name}: Lease held with a server out, stops (exit 3)`,
              withActor(state, name, { pc: 'done' }),
              false,
              renewal && !renewalOver ? `the roll gave up on a renewal in progress (${lease!.holder}, fresh, its own server out)` : undefined,
            );
          else if (renewalOver || holderActorState?.pc === 'stopped' || lease?.holder.startsWith('roll'))
            add(`${name}: Lease held, gives up for now`, withActor(state, name, { pc: 'done' }));
          break;
        }
        case 'take': {
          const written = writeLease(state, rules, roll.rv, {
            holder: me,
            fresh: true,
            out: state.lease?.holder === me ? state.lease.out : null,
            ...byCommand(state, config, rules),
          });
          if (written) add(`${name} takes the Lease`, withActor(written, name, { pc: config.oldTimers?.length ? 'stop-old' : 'mark' }));
          else add(`${name}: Conflict, reads again`, withActor(state, name, { pc: 'read' }));
          break;
        }
        case 'mark':
          if (rules.conditional && !holds) add(`${name}: Lease lost before the drain, stops`, withActor(state, name, { pc: 'stopped' }));
          else
            add(
              `${name} marks its server out`,
              withActor(
                { ...state, lease: { holder: me, fresh: true, out: t, rv: (state.lease?.rv ?? 0) + 1, ...byCommand(state, config, rules) } },
                name,
                {
                  pc: 'check-upgrade',
                },
              ),
            );
          break;
        // After the mark, before the drain (roll.ts runStep requireNoUpgrade): an upgrade applying or pending (the
        // apply's target record not yet the running one, a server Node behind the Plan's hash) stops the roll. No
        // health check here: the drain (up to ten minutes, pc 'remove') follows.
        case 'check-upgrade':
          if (upgradePending()) add(`${name}: an upgrade is pending or applies, stops`, withActor(state, name, { pc: 'release' }));
          // Read second, after its mark (written first): a timer that cordoned its server before it read the Lease.
          else if (timerCordoned(t)) add(`${name}: another server cordoned (a renewal restart), stops`, withActor(state, name, { pc: 'release' }));
          else add(`${name}: no upgrade applying`, withActor(state, name, { pc: 'remove' }));
          break;
        case 'remove':
          // Drained; right before `kubectl delete node` (roll.ts removeNode, with the fix) every other server Ready
          // and voting, or it stops with its server drained and marked out (a rerun continues here).
          if (rules.recheckBeforeRemove && !clusterWhole(state.servers, rules))
            add(
              `${name}: another server not Ready and voting after the drain, stops (server-${t} marked out)`,
              withActor(state, name, { pc: 'stopped', drained: true }),
            );
          else add(`${name} removes server-${t} from etcd`, withActor(withServer(state, t, 'out'), name, { pc: 'replace' }));
          break;
        case 'replace': {
          // The new server boots this version's scripts; with a Plan at a version, the controller gives its new Node a Job.
          let next = withActor(withServer(state, t, 'up'), name, { pc: config.newNodeJobs ? 'rejoin' : 'clear' });
          if (next.actors[timerName(t)]) next = withActor(next, timerName(t), { pc: 'idle', alive: true, old: false, stopped: false });
          if (config.newNodeJobs) next = withActor({ ...next, applying: t }, newNodeJob(t), { pc: 'prepare', alive: true });
          add(`${name}: the new server-${t} joins`, next);
          if (canFault)
            add(`fault: the new server-${t} never joins (${name} stops, holding the Lease)`, withActor(state, name, { pc: 'stopped' }), true);
          break;
        }
        case 'rejoin': {
          // rejoin waits for the new server's own upgrade Job (upgrade-state.ts planSettledOn), bounded.
          const job = state.actors[newNodeJob(t)];
          if (!job || job.pc === 'done') add(`${name}: the new server's Job is done`, withActor(state, name, { pc: 'clear' }));
          else if (!prepareGuard(state, t, rules, config.dualStack))
            add(`${name}: the new server's Job waits past the budget, stops (exit 1, Lease kept)`, withActor(state, name, { pc: 'stopped' }));
          break;
        }
        case 'clear':
          if (rules.conditional && !holds) add(`${name}: Lease lost, stops`, withActor(state, name, { pc: 'stopped' }));
          else
            add(
              `${name} clears the out mark`,
              withActor({ ...state, lease: { ...state.lease!, restored: undefined, out: null, rv: state.lease!.rv + 1 } }, name, { pc: 'release' }),
            );
          break;
        case 'release':
          // With no server out, the timers it turned off on servers it did not replace run again.
          releaseStep(timersBackOn(state), name, holds, add);
          break;
      }
      if (canFault && roll.pc !== 'done' && roll.pc !== 'stopped') add(`fault: ${name} is killed`, withActor(state, name, { alive: false }), true);
    }
    // A person runs the roll again from the folder (its state file): it continues as the recorded holder, unless
    // (with one holder per process) another invocation runs.
    const blocked = rules.holderPerProcess && rollRunning(other);
    if (!roll.alive && roll.pc !== 'done' && !blocked) {
      const resumeAt = ['take', 'read', 'start', 'stop-old'].includes(roll.pc) ? 'start' : roll.pc;
      add(`person resumes ${name}`, withActor(state, name, { alive: true, pc: resumeAt }));
    }
    // A stopped roll: a person (docs/roll.md) runs it again once what stopped it is fixed; it goes on as the same
    // holder (a Lease deleted meanwhile is created again, naming its server out again).
    const mayRetake = holds || state.lease === null || state.lease.holder === '' || (rules.restoredLease && state.lease.restored === true);
    if (roll.alive && roll.pc === 'stopped' && mayRetake && !blocked && roll.drained)
      add(
        `person reruns the stopped ${name} (server-${t} drained)`,
        withActor({ ...state, lease: { holder: me, fresh: true, out: t, rv: (state.lease?.rv ?? 0) + 1 } }, name, {
          pc: 'remove',
          drained: undefined,
        }),
      );
    else if (roll.alive && roll.pc === 'stopped' && mayRetake && !blocked) {
      const back = state.servers[t] !== 'out';
      const lease = { holder: me, fresh: true, out: back && !config.newNodeJobs ? (state.lease?.out ?? null) : t, rv: (state.lease?.rv ?? 0) + 1 };
      add(
        `person reruns the stopped ${name}${back ? ' (server back)' : ''}`,
        withActor({ ...state, lease }, name, { pc: back ? (config.newNodeJobs ? 'rejoin' : 'clear') : 'replace' }),
      );
    }
    // A person's --take-over of a roll whose machine is gone (never from a roll that still renews).
    if (!roll.alive && holds && !state.lease!.fresh)
      add(`person: ${name} --take-over`, withActor(state, name, { alive: true, pc: state.servers[t] === 'out' ? 'replace' : 'release' }));
  }

  // ---- the token rotation (cli/rotate/rotate.ts): under the Lease, one server restarted at a time, each marked out
  const rotation = state.actors[ROTATION];
  if (rotation) {
    const holds = state.lease?.holder === ROTATION;
    const restarted = rotation.restarted ?? 0;
    if (rotation.alive) {
      // Its keeper renews the Lease during every step and stops it at once when a renewal finds the Lease lost.
      if (!['done', 'start', 'read', 'take', 'stopped'].includes(rotation.pc)) {
        if (holds && !state.lease!.fresh)
          add('rotation renews its Lease', {
            ...state,
            lease: { ...state.lease!, restored: undefined, fresh: true, rv: state.lease!.rv + 1, ...byCommand(state, config, rules) },
          });
        if (!holds) add('rotation finds its Lease lost and stops', withActor(state, ROTATION, { pc: 'stopped' }));
      }
      switch (rotation.pc) {
        case 'start':
          // A fresh start requires every server healthy (a run again starts at `read` and waits for it instead).
          if (clusterWhole(state.servers, rules)) add('rotation: reads the Lease', withActor(state, ROTATION, { pc: 'read' }));
          else add('rotation: refuses an unhealthy cluster', withActor(state, ROTATION, { pc: 'done' }));
          break;
        case 'read': {
          const decision = rollLeaseDecision(state.lease, ROTATION, rules);
          if (decision === 'take') add('rotation reads the Lease', withActor(state, ROTATION, { pc: 'take', rv: state.lease?.rv ?? 0 }));
          else if (decision === 'stop') add('rotation: Lease held with a server out, stops (exit 3)', withActor(state, ROTATION, { pc: 'done' }));
          else {
            const holder = state.lease ? state.actors[holderActor(state.lease.holder)] : undefined;
            if (!holder || !holder.alive || ['held', 'done', 'idle', 'stopped'].includes(holder.pc))
              add('rotation: Lease held past its wait, stops (exit 3)', withActor(state, ROTATION, { pc: 'done' }));
          }
          break;
        }
        case 'take': {
          const out = state.lease?.holder === ROTATION ? state.lease.out : null;
          const written = writeLease(state, rules, rotation.rv, { holder: ROTATION, fresh: true, out, ...byCommand(state, config, rules) });
          if (written) add('rotation takes the Lease', withActor(written, ROTATION, { pc: config.oldTimers?.length ? 'stop-old' : 'token' }));
          else add('rotation: Conflict, reads again', withActor(state, ROTATION, { pc: 'read' }));
          break;
        }
        case 'stop-old': {
          // The same transition as the roll's (restart-each-server.ts, before its first out mark).
          const step = transitionStep(state, ROTATION, 'token', rules.rotationTransition, rules.transitionEveryServer);
          if (step) add(step.label, step.next);
          break;
        }
        case 'token':
          // The parameter, `token rotate` on one server, every token file (each skipped when the servers show it done):
          // no server goes down. The encryption key: rotate-keys on server-0, unless its key shows it ran.
          if (!config.encryptionKey)
            add('rotation: new token in the parameter, rotated, in every token file', withActor(state, ROTATION, { pc: 'next' }));
          else if (rotation.reencrypt === undefined)
            add('rotation: rotate-keys on server-0 (re-encryption under way)', withActor(state, ROTATION, { pc: 'next', reencrypt: 'active' }));
          else add('rotation: rotate-keys already ran (the key changed), not again', withActor(state, ROTATION, { pc: 'next' }));
          break;
        case 'next': {
          const decision = config.encryptionKey
            ? config.encryptionUnwaited && 1 + restarted < state.servers.length && state.servers.every(serving)
              ? { restart: 1 + restarted }
              : encryptionDecision(state.servers, rotation.reencrypt, restarted)
            : config.rotationUnguarded && restarted < state.servers.length
              ? { restart: restarted }
              : rotationDecision(state.servers, restarted);
          if (decision === 'done') releaseStep(timersBackOn(state), ROTATION, holds, add);
          // markOut is a conditional rewrite of a Lease still ours (cli/shared/lease.ts rewrite): lost, LeaseLost stops it.
          else if (decision !== 'wait' && !holds) add('rotation: Lease lost before its mark, stops', withActor(state, ROTATION, { pc: 'stopped' }));
          else if (decision !== 'wait')
            add(
              `rotation marks server-${decision.restart} out`,
              withActor(
                {
                  ...state,
                  lease: { ...state.lease!, restored: undefined, out: decision.restart, rv: state.lease!.rv + 1, ...byCommand(state, config, rules) },
                },
                ROTATION,
                {
                  pc: 'restart',
                },
              ),
            );
          else if (state.lease?.out !== null && state.lease?.out !== undefined && state.servers[state.lease.out] === 'hung')
            add(
              `rotation: server-${state.lease.out} not back within the budget, stops (Lease kept marked out)`,
              withActor(state, ROTATION, { pc: 'stopped' }),
            );
          else if (state.servers.some((x) => x === 'hung'))
            add('rotation: a server not healthy within the budget, stops', withActor(state, ROTATION, { pc: 'stopped' }));
          break;
        }
        case 'restart':
          // Write first, read second (as the roll): with its mark written, an upgrade Job whose prepare step passed
          // before is seen applying (or its Plan not yet on every server): the mark is cleared and the rotation stops.
          if ((upgradePending() || timerCordoned()) && !config.rotationUnguarded)
            add(
              'rotation: an upgrade is pending or applies, clears its mark and stops',
              withActor({ ...state, lease: { ...state.lease!, restored: undefined, out: null, rv: state.lease!.rv + 1 } }, ROTATION, {
                pc: 'release',
              }),
            );
          else {
            const target = config.encryptionKey ? 1 + restarted : restarted;
            add(
              `rotation restarts server-${target} with the new ${config.encryptionKey ? 'key' : 'token'}`,
              withActor(withServer(state, target, 'down'), ROTATION, { pc: 'back', restarted: restarted + 1 }),
              false,
              // The datastore holds the new configuration only at reencrypt_finished (k3s reencryptAndRemoveKey saves the
              // bootstrap data last): a server restarted earlier comes back with the old key and cannot read the Secrets
              // already rewritten.
              config.encryptionKey && rotation.reencrypt === 'active'
                ? `server-${target} restarted before reencrypt_finished: it comes back with the old key`
                : undefined,
            );
          }
          break;
        case 'release':
          releaseStep(timersBackOn(state), ROTATION, holds, add);
          break;
        case 'back': {
          const t = config.encryptionKey ? restarted : restarted - 1;
          if (clusterWhole(state.servers, rules) && !holds) add('rotation: Lease lost, stops', withActor(state, ROTATION, { pc: 'stopped' }));
          else if (clusterWhole(state.servers, rules))
            add(
              `rotation: server-${t} back, clears its mark`,
              withActor({ ...state, lease: { ...state.lease!, restored: undefined, out: null, rv: state.lease!.rv + 1 } }, ROTATION, { pc: 'next' }),
            );
          else if (state.servers[t] === 'hung')
            add(`rotation: server-${t} not back within the budget, stops (Lease kept marked out)`, withActor(state, ROTATION, { pc: 'stopped' }));
          break;
        }
      }
      if (canFault && rotation.pc !== 'done' && rotation.pc !== 'stopped')
        add('fault: rotation is killed', withActor(state, ROTATION, { alive: false }), true);
    }
    // server-0's re-encryption goes on whether the command runs or not (the request runs on the server).
    if (rotation.reencrypt === 'active' && serving(state.servers[0]))
      add('server-0 finishes the re-encryption (reencrypt_finished, saved in the datastore)', withActor(state, ROTATION, { reencrypt: 'finished' }));
    // Run again from its folder (kill -9): a new process that succeeds its own Lease, deciding from the servers.
    if (!rotation.alive && rotation.pc !== 'done') add('person runs the rotation again', withActor(state, ROTATION, { alive: true, pc: 'read' }));
    // Stopped (a server not back): a person repairs the server (docs/recover.md), then runs it again.
    if (
      rotation.alive &&
      rotation.pc === 'stopped' &&
      !state.servers.includes('hung') &&
      (holds || state.lease === null || state.lease.holder === '' || (rules.restoredLease && state.lease.restored))
    )
      add('person reruns the stopped rotation', withActor(state, ROTATION, { pc: 'read' }));
  }

  // ---- the renewal timers (lib/kubernetes/cert-renewal.sh; `old`: the previous version, 635c0e6^)
  for (const i of [...config.timers, ...(config.oldTimers ?? [])]) {
    const name = timerName(i);
    const timer = state.actors[name];
    if (!timer) continue;
    const holds = state.lease?.holder === name;
    const old = timer.old === true;
    const guard = () => (old ? oldTimerGuard(state) : timerGuard(state, rules, config, i));
    if (timer.alive)
      switch (timer.pc) {
        case 'idle':
          if (timer.stopped) break;
          if (
            guard() &&
            takeable(old ? oldVerdictOf(state.lease, name) : leaseVerdictOf(state.lease, name, rules)) &&
            !(rules.cordonBeforeRestart && !old && previousScriptLease(state.lease, name))
          )
            add(
              `${name}${old ? ' (old script)' : ''}: guard passes, reads the Lease`,
              withActor(state, name, { pc: 'take', rv: state.lease?.rv ?? 0 }),
            );
          break;
        case 'take': {
          // The old script wrote no out marker (and so wiped one it took over).
          const written = writeLease(state, rules, timer.rv, { holder: name, fresh: true, out: rules.outMarker && !old ? i : null });
          const afterTake = rules.cordonBeforeRestart && !old ? 'cordon' : 'recheck';
          if (written) {
            add(`${name} takes the Lease`, withActor(written, name, { pc: afterTake }));
            // The write commits and the call reports failure (a timeout): read back, a Lease naming this server is
            // held, with its marker; before, the run ended as if another had taken it, leaving its Lease marked out.
            if (canFault && !old)
              add(
                `fault: ${name}'s write commits, then reports failure`,
                withActor(written, name, { pc: rules.readBack ? afterTake : 'idle' }),
                true,
              );
          } else add(`${name}: Conflict, tries at its next run`, withActor(state, name, { pc: 'done' }));
          break;
        }
        case 'cordon':
          // Write first: its own Node cordoned, which the previous script's guard refuses.
          add(`${name} cordons its own Node`, withActor({ ...state, cordoned: [...(state.cordoned ?? []), i] }, name, { pc: 'recheck' }));
          break;
        case 'recheck':
          // Read second: the Lease still its own (a timer of the previous script may have taken it by age meanwhile).
          if (rules.cordonBeforeRestart && !old && !holds)
            add(`${name}: the Lease was taken meanwhile, uncordons and stops`, withActor(uncordoned(state, i), name, { pc: 'done' }));
          else if (guard()) add(`${name}: still allowed`, withActor(state, name, { pc: 'restart' }));
          else add(`${name}: no longer allowed, releases`, withActor(state, name, { pc: 'release' }));
          break;
        case 'restart':
          add(`${name} restarts server-${i}`, withActor(withServer(state, i, 'down'), name, { pc: 'wait' }));
          break;
        case 'wait':
          if (state.servers[i] === 'up') add(`${name}: its server is back`, withActor(state, name, { pc: 'release' }));
          // The old script's trap gave the Lease back whatever happened.
          if (state.servers[i] === 'hung')
            add(
              `${name}: not back in time, ${old ? 'releases (old script)' : 'keeps the Lease'}`,
              withActor(state, name, { pc: old ? 'release' : 'held' }),
            );
          break;
        case 'release':
          releaseStep(uncordoned(state, i), name, holds, add);
          break;
        case 'held':
          // The next run (resume): gives the Lease back once the cluster is whole.
          if (holds && clusterWhole(state.servers, rules)) add(`${name}: next run, server back: releases`, withActor(state, name, { pc: 'release' }));
          if (!holds) add(`${name}: next run, the Lease was taken over`, withActor(uncordoned(state, i), name, { pc: 'done' }));
          break;
        case 'done':
          // The timer fires every 6 h: while its server's certificates have ended, a next run has a renewal to do.
          if (certificatesEnded(state, config, i)) add(`${name}: the next run, its certificates still ended`, withActor(state, name, { pc: 'idle' }));
          break;
      }
    // A later run that finds the Lease naming its own server while no run of it holds it (no held-out marker file:
    // put back by a restore): resumes it as its own (cert-renewal.sh resume), giving it back once the cluster is whole.
    if (rules.restoredLease && config.alarms !== false && timer.alive && timer.pc === 'done' && holds && !old)
      add(`${name}: a later run finds its own server marked out, held by no run: resumes`, withActor(state, name, { pc: 'held' }));
    // Every run first gives back a Lease the restore put back, whoever it names, alarms on or off (release_restored):
    // its holder's work ended with the cluster it ran in. A conditional write at the version read.
    if (rules.restoredRelease && timer.alive && !old && state.lease?.restored && (timer.pc === 'idle' || timer.pc === 'done'))
      add(
        `${name}: a run finds the Lease put back by the restore (${state.lease.holder}), gives it back`,
        withActor({ ...state, lease: { holder: '', fresh: true, out: null, rv: state.lease.rv + 1 } }, name, {}),
      );
    if (canFault && timer.alive && !['idle', 'done', 'held'].includes(timer.pc))
      add(`fault: ${name} is killed`, withActor(state, name, { alive: false }), true);
    // The next run on the same server after a kill (the held-out marker file).
    if (!timer.alive && holds && !old)
      add(`${name}: next run resumes`, withActor(state, name, { alive: true, pc: state.servers[i] === 'up' ? 'held' : 'wait' }));
    // (Its own Node uncordoned, if the killed run had cordoned it: the next run's cordon_self.)
    if (!timer.alive && (!holds || old))
      add(`${name}: next run finds nothing of its own`, withActor(uncordoned(state, i), name, { alive: true, pc: 'done' }));
  }

  // ---- the no-Lease rotation (cert-renewal.sh rotate_expired) of a server whose membership certificate ended while
  // its member ran: TLS checks validity at the handshake, so its established peer streams go on and it stays a
  // voter until it restarts; its peers refuse it only then (a restart that does not renew it: 'hung'). A voter is
  // restarted by its own timer under the Lease (the timer above; through a peer's API when every certificate of its
  // server ended: `expired`), never here.
  for (const i of new Set([...(config.rotations ?? []), ...(config.expired ?? [])])) {
    const name = rotationName(i);
    const rotation = state.actors[name];
    if (!rotation || rotation.pc !== 'ended') continue;
    const voter = serving(state.servers[i]);
    if (state.servers[i] === 'hung' || (voter && !rules.rotationNotVoter))
      add(`${name}: stops, rotates and starts server-${i} without the Lease`, withActor(withServer(state, i, 'down'), name, { pc: 'done' }));
  }

  // ---- system-upgrade-controller v0.20.1 and the Job's prepare step (readiness-gates.sh GATE=prepare)
  const upgrade = state.actors[UPGRADE];
  if (upgrade && config.upgradeTarget !== null) {
    const u = config.upgradeTarget;
    switch (upgrade.pc) {
      case 'planned':
        add('upgrade: an apply sets a new version on the Plan', withActor(state, UPGRADE, { pc: 'start' }));
        break;
      case 'start':
        add('upgrade: the controller applies the Plan on its server', withActor({ ...state, applying: u }, UPGRADE, { pc: 'prepare' }));
        break;
      case 'prepare':
        if (prepareGuard(state, u, rules, config.dualStack)) add('upgrade: prepare step passes', withActor(state, UPGRADE, { pc: 'kill' }));
        break;
      case 'kill':
        // rke2-upgrade replaces the binary, kills the service and exits: the Job completes, the controller labels the
        // Node and clears status.applying (handle_batch.go, plan.go SelectConcurrentNodes), while the old pods still serve.
        add(
          'upgrade: the Job kills the service and completes; applying cleared',
          withActor({ ...withServer(state, u, 'killed'), applying: null }, UPGRADE, { pc: 'done' }),
        );
        break;
    }
  }
  // The new Node's Job (every Node without the Plan's hash label gets one): the new server already runs the Plan's
  // version, so rke2-upgrade finds nothing to replace once its prepare step lets it run.
  for (const [name, job] of Object.entries(state.actors)) {
    if (!name.startsWith('job-new-node-') || job.pc !== 'prepare') continue;
    const t = Number(name.slice('job-new-node-'.length));
    if (prepareGuard(state, t, rules, config.dualStack))
      add(
        `server-${t}'s Job: prepare step passes, nothing to replace; applying cleared`,
        withActor({ ...state, applying: null }, name, { pc: 'done' }),
      );
  }

  // ---- the servers themselves, and the faults of the world
  // A start that comes back renews every leaf certificate of the server that ended (k3s-io/k3s
  // pkg/daemons/control/deps/deps.go, createClientCertKey: an expired leaf is signed again).
  const renewedAt = (next: State, i: number) =>
    state.actors[rotationName(i)]?.pc === 'ended' ? withActor(next, rotationName(i), { pc: 'renewed' }) : next;
  state.servers.forEach((s, i) => {
    if (s === 'killed') add(`server-${i}'s service restarts its pods (etcd goes down)`, withServer(state, i, 'down'));
    if (s === 'down') {
      add(`server-${i} is back`, renewedAt(withServer(state, i, 'up'), i));
      if (canFault) add(`fault: server-${i}'s restart hangs`, withServer(state, i, 'hung'), true);
    }
    // A person repairs a hung server (docs/recover.md, "When an operation stopped halfway": journal, restart or replace).
    if (s === 'hung') add(`person repairs server-${i}`, renewedAt(withServer(state, i, 'up'), i));
    if (config.reboots && canFault && s === 'up' && state.servers.every((x) => x === 'up') && !aboutToRestart(state)) {
      // systemd starts at boot every timer enabled into timers.target (systemctl(1): `stop` leaves it enabled,
      // `disable` removes the link): a timer only stopped runs again after the reboot.
      const timer = state.actors[timerName(i)];
      const rearmed = timer?.stopped && !rules.disableTimers;
      const next = withServer(state, i, 'down');
      add(
        `fault: AWS reboots server-${i}${rearmed ? ' (its stopped timer starts again)' : ''}`,
        rearmed ? withActor(next, timerName(i), { stopped: false }) : next,
        true,
      );
    }
  });
  if (canFault && state.lease && state.lease.fresh && state.lease.holder !== '')
    add('fault: the clock jumps past the Lease duration', { ...state, lease: { ...state.lease, fresh: false } }, true);
  // Time passes: a Lease nobody renews lapses (a dead or stopped roll's; a timer's, which never renews, once its run is over).
  const lease = state.lease;
  const holder = lease ? state.actors[holderActor(lease.holder)] : undefined;
  const renewed =
    lease !== null &&
    holder !== undefined &&
    holder.alive &&
    (lease.holder.startsWith('roll') || lease.holder === ROTATION
      ? holder.pc !== 'stopped' && holder.pc !== 'done'
      : !['held', 'done', 'idle'].includes(holder.pc));
  if (lease && lease.fresh && lease.holder !== '' && !renewed)
    add(`time passes: ${lease.holder}'s Lease lapses`, { ...state, lease: { ...lease, fresh: false } });
  // A person deletes the Lease by hand, as docs/recover.md says to: once its holder is gone (a server replaced, a roll
  // whose machine is lost). Deleting a Lease a living actor holds is outside the protocol.
  if (config.leaseFaults && canFault && lease && !renewed) add('fault: a person deletes the Lease by hand', { ...state, lease: null }, true);
  // A person's restore (rancher-aws-restore): only when no server answers. The snapshot may hold the Lease as the
  // roll held it when it took the snapshot (before its out mark), or as any holder held it with a server marked out
  // (a scheduled snapshot during a roll of an earlier run, or during a timer's restart): renewed before the restore.
  if (state.servers.every((s) => !serving(s)) && state.servers.some((s) => s === 'hung')) {
    // The restore runs on a replacement of a server that did not come back (rke2-restore.sh: the server the bootstrap
    // left stopped), and each such server is replaced: no run of their timers holds anything (no marker file).
    // Whatever Lease the snapshot holds was renewed before the restore.
    // K3s: RDS restores the datastore (its servers restart onto it); the record is the person's step after it.
    const recordedRestore = config.distribution !== 'k3s' || rules.k3sRestoreRecord;
    const marked = recordedRestore ? { restored: true as const } : {};
    const lease = state.lease && state.lease.holder !== '' ? { ...state.lease, ...marked } : state.lease;
    let restored: State = {
      ...state,
      lease,
      servers: state.servers.map((s) => (s === 'hung' ? 'up' : s)),
      ...(recordedRestore ? { recorded: true as const } : {}),
    };
    state.servers.forEach((s, i) => {
      // The snapshot's Nodes of the servers gone are deleted (rke2-restore.sh forget_gone_servers): no cordon stays.
      if (s === 'hung') restored = uncordoned(restored, i);
      if (s === 'hung' && restored.actors[timerName(i)]) restored = withActor(restored, timerName(i), { pc: 'done', alive: true, rv: undefined });
    });
    add('person restores from a snapshot (no server answers)', restored);
    const rv = (state.lease?.rv ?? 0) + 1;
    if (config.leaseFaults && state.actors[ROLL])
      add("person restores from a snapshot holding the roll's Lease", {
        ...restored,
        lease: { holder: rollIdentity(ROLL, rules), fresh: false, out: null, rv, ...marked },
      });
    if (config.leaseFaults) {
      // Then a roll runs (docs/recover.md: once every server is back, the next roll or rotation takes a restored Lease;
      // a roll that had finished runs anew).
      const thenRoll = (next: State) => (state.actors[ROLL]?.pc === 'done' ? withActor(next, ROLL, { pc: 'start', alive: true }) : next);
      add(
        "person restores from a snapshot holding an earlier roll's Lease, a server marked out",
        thenRoll({ ...restored, lease: { holder: 'roll-earlier', fresh: false, out: config.rollTarget, rv, ...marked } }),
      );
      for (const i of config.timers)
        add(
          `person restores from a snapshot holding ${timerName(i)}'s Lease, its server marked out`,
          thenRoll({ ...restored, lease: { holder: timerName(i), fresh: false, out: i, rv, ...marked } }),
        );
    }
  }
  return out;
}

/** The invariants every reached state must hold; the reasons it does not. */
export function invariants(state: State): string[] {
  const problems: string[] = [];
  const notUp = state.servers.map((s, i) => [s, i] as const).filter(([s]) => !serving(s));
  // (a) and (b): never two servers restarting or out at once; with three servers, never fewer voters than quorum.
  if (notUp.length > 1) problems.push(`two servers down at once: ${notUp.map(([s, i]) => `server-${i} ${s}`).join(', ')}`);
  const up = state.servers.length - notUp.length;
  if (state.servers.length >= 3 && up < Math.floor(state.servers.length / 2) + 1) problems.push(`quorum lost: ${up} of ${state.servers.length} up`);
  return problems;
}

export function initialState(config: Config): State {
  const actors: Record<string, Actor> = config.roll === false ? {} : { [ROLL]: { pc: 'start', alive: true } };
  if (config.rotation) actors[ROTATION] = { pc: 'start', alive: true, restarted: 0 };
  if (config.secondRoll !== undefined) actors[ROLL_B] = { pc: 'start', alive: true };
  for (const i of config.timers) actors[timerName(i)] = { pc: 'idle', alive: true };
  for (const i of config.oldTimers ?? []) actors[timerName(i)] = { pc: 'idle', alive: true, old: true };
  for (const i of new Set([...(config.rotations ?? []), ...(config.expired ?? [])])) actors[rotationName(i)] = { pc: 'ended', alive: true };
  if (config.upgradeTarget !== null) actors[UPGRADE] = { pc: 'planned', alive: true };
  const start: State = { servers: Array.from({ length: config.servers }, () => 'up'), lease: null, applying: null, actors, faults: 0 };
  return config.afterRestore ? { ...start, recorded: true } : start;
}

export interface Exploration {
  readonly states: number;
  readonly transitions: number;
  /** The first violation found (a broken invariant, a forbidden step, or a deadlock), with the steps that lead to it. */
  readonly violation?: { readonly problem: string; readonly trace: readonly string[] };
  /** Reached states from which no fault-free sequence of steps settles the deployment (every server up, no Lease held, nothing applying). */
  readonly stuck: number;
  /** Every distinct state reached (for the conformance tests). */
  readonly reached: readonly State[];
}

const key = (s: State) => JSON.stringify(s);

/**
 * The state with its resourceVersions renumbered: only whether an actor's version read is the Lease's current one
 * decides its conditional write (1: current; 0: it read no Lease, so a create; -1: anything older), so states that
 * differ only in how often the Lease was written are one state.
 */
function canonical(state: State): State {
  const current = state.lease?.rv ?? 0;
  const rank = (rv: number) => (rv === current ? (state.lease ? 1 : 0) : rv === 0 ? 0 : -1);
  const actors: Record<string, Actor> = {};
  for (const [name, actor] of Object.entries(state.actors)) actors[name] = actor.rv === undefined ? actor : { ...actor, rv: rank(actor.rv) };
  return { ...state, lease: state.lease && { ...state.lease, rv: 1 }, actors };
}

/**
 * Settled: every server up, no Lease held (a stale one marking nothing is free to every taker), nothing applying; and,
 * given the world's config, every server whose certificates ended while it ran renewed.
 */
export function settled(state: State, config: Pick<Config, 'expired'> = {}): boolean {
  const lease = state.lease;
  const free = lease === null || lease.holder === '' || (!lease.fresh && lease.out === null);
  const renewed = (config.expired ?? []).every((i) => !certificatesEnded(state, config, i));
  return state.servers.every((s) => s === 'up') && free && state.applying === null && renewed && !state.cordoned?.length;
}

/**
 * Breadth-first over every interleaving (each state once), checking the invariants in each. Then, over the graph
 * reached, which states can still settle by steps that are not faults (invariant (e): every stopped operation can be
 * resumed or undone, and nothing else makes it worse meanwhile). A state that cannot, with a Lease marking a server
 * out, is a deadlock: no actor's step, nor a person's documented one, ever gives that Lease back.
 */
export function explore(config: Config, limit = 2_000_000): Exploration {
  const start = canonical(initialState(config));
  const seen = new Map<string, number>([[key(start), 0]]);
  const states: State[] = [start];
  const parent: [number, string][] = [[-1, '']];
  const edges: number[][] = [];
  let transitions = 0;
  const traceOf = (i: number) => {
    const names: string[] = [];
    for (let j = i; j > 0; j = parent[j][0]) names.unshift(parent[j][1]);
    return names;
  };
  for (let i = 0; i < states.length; i++) {
    if (states.length > limit) throw new Error(`the model reached more than ${limit} states`);
    const state = states[i];
    const problems = invariants(state);
    if (problems.length)
      return { states: states.length, transitions, violation: { problem: problems[0], trace: traceOf(i) }, stuck: 0, reached: states };
    edges[i] = [];
    for (const step of steps(state, config)) {
      transitions++;
      if (step.violation)
        return {
          states: states.length,
          transitions,
          violation: { problem: step.violation, trace: [...traceOf(i), step.name] },
          stuck: 0,
          reached: states,
        };
      const next = canonical(step.next);
      const k = key(next);
      let j = seen.get(k);
      if (j === undefined) {
        j = states.length;
        seen.set(k, j);
        states.push(next);
        parent.push([i, step.name]);
      }
      if (!step.fault) edges[i].push(j);
    }
  }
  // Backwards from the settled states over fault-free steps.
  const incoming: number[][] = states.map(() => []);
  edges.forEach((targets, from) => targets.forEach((to) => incoming[to].push(from)));
  const canSettle = new Uint8Array(states.length);
  const queue = states.flatMap((s, i) => (settled(s, config) ? [i] : []));
  for (const i of queue) canSettle[i] = 1;
  while (queue.length) {
    const i = queue.pop()!;
    for (const from of incoming[i])
      if (!canSettle[from]) {
        canSettle[from] = 1;
        queue.push(from);
      }
  }
  const stuck = canSettle.reduce((n, v) => n + (v ? 0 : 1), 0);
  if (process.env.MODEL_DEBUG) states.forEach((s, i) => canSettle[i] || console.log(JSON.stringify(s), traceOf(i).join(' / ')));
  // The deepest such state (breadth-first order is by depth): its trace shows the steps that led into it.
  let deadlock = -1;
  states.forEach((s, i) => {
    if (!canSettle[i] && s.lease !== null && s.lease.out !== null) deadlock = i;
  });
  if (deadlock >= 0) {
    const s = states[deadlock];
    return {
      states: states.length,
      transitions,
      violation: {
        problem: `deadlock: ${s.lease!.holder} holds the Lease with server-${s.lease!.out} out and nothing ever gives it back`,
        trace: traceOf(deadlock),
      },
      stuck,
      reached: states,
    };
  }
  // A server whose certificates ended while it ran, and no step of any actor ever restarts it: its API, kubelet and
  // etcd certificates stay past their end (the deepest such state, with its trace).
  let unrenewed = -1;
  states.forEach((s, i) => {
    if (!canSettle[i] && (config.expired ?? []).some((e) => certificatesEnded(s, config, e))) unrenewed = i;
  });
  if (unrenewed >= 0) {
    const ended = (config.expired ?? []).filter((e) => certificatesEnded(states[unrenewed], config, e));
    return {
      states: states.length,
      transitions,
      violation: {
        problem: `never renewed: ${ended.map((e) => `server-${e}`).join(', ')}, certificates ended while running, never restarted`,
        trace: traceOf(unrenewed),
      },
      stuck,
      reached: states,
    };
  }
  return { states: states.length, transitions, stuck, reached: states };
}
