import { rmSync } from 'node:fs';
import { Aws } from '../shared/aws';
import type { AwsClients } from '../shared/aws/clients';
import type { NodeStatus } from '../shared/kubectl';
import {
  acquire,
  holderAlive,
  LeaseLost,
  markOut,
  newHolder,
  readLease,
  release,
  RESTART_LEASE,
  restartLeaseAnswer,
  restoredLeaseVersion,
} from '../shared/lease';
import { kubeApiFor } from '../shared/kube-api-for';
import { LeaseKeeper } from '../shared/lease-keeper';
import type { KubeApi } from '../shared/kube/kube-api';
import type { LeaseApi } from '../shared/kube/leases';
import type { IoHost } from '../shared/io/io-host';
import type { Span } from '../shared/io/span';
import { disableOldTimers, enableDisabledTimers, type TransitionCode } from '../shared/renewal-transition';
import { Interrupted, waitUntil, yieldFor } from '../shared/poll';
import { cordonedServers, isHealthy, nodeOf, type Server, serversOf } from '../shared/servers';
import { writeKubeconfig } from '../shared/kubeconfig';
import { appliedDeployment, type Deployment } from '../shared/module-folder';
import type { StateFile } from '../shared/state-file';
import { type ModuleState, Terraform } from '../shared/terraform';
import { upgradeInFlight } from '../shared/upgrade-state';

// "Restart each server under the Lease": the restart protocol (DESIGN.md decision 11; design notes, "Who may restart
// a server") as the two rotations follow it, written once. A run from a folder another living run holds is refused;
// the servers' restart Lease is taken (a dead holder's succeeded, or taken over by a person) and renewed throughout;
// the rotation's next step is decided from the servers as they are at each look, never from memory; a server is
// restarted only marked out on the Lease, only with every server healthy, and seen back before the next. A stop
// keeps the Lease while a server is out under it (only a rerun of this rotation continues it), else gives it back.
// What differs between the rotations (their record, their first-run refusals, how a server reports its state and
// what "back" means) is theirs: RestartingRotation.

/**
 * The rke-ha deployment a rotation acts on, as the last apply left it (the folder's state), and its servers; undefined
 * once the reason is told (exit 2): no state, another kind of deployment, or no servers of its own. `rotates` says
 * what the rotation changes, for that message.
 */
export async function rotatedDeployment(
  options: { readonly dir: string; readonly deployment?: string; readonly label: string; readonly io: IoHost },
  rotates: string,
): Promise<{ readonly state: ModuleState; readonly deployment: Deployment; readonly name: string; readonly servers: Server[] } | undefined> {
  const applied = await appliedDeployment(
    new Terraform(options.dir),
    options.dir,
    options.deployment,
    'rotate',
    options.io.lines('ROTATE_NO_DEPLOYMENT', 'error'),
  );
  if (!applied) return undefined;
  const { state, deployment } = applied;
  const name = deployment.name ?? options.label;
  const servers = serversOf(state, deployment);
  if (deployment.kind !== 'rke-ha' || servers.length === 0) {
    options.io.error(
      'ROTATE_NO_SERVERS',
      `${name} (${options.label}) is a ${deployment.kind} deployment without servers of its own in the state: ${rotates} is what this rotates.`,
    );
    return undefined;
  }
  return { state, deployment, name, servers };
}

/**
 * Whether a rotation of another kind started from this folder is unfinished (logged: it is to be finished first, by
 * its own command); one folder holds one rotation's record at a time.
 */
export function otherRotationUnfinished(
  previous: { readonly rotation: string; readonly started: string } | undefined,
  rotation: string,
  file: { readonly path: string },
  io: IoHost,
): boolean {
  if (!previous || previous.rotation === rotation) return false;
  io.error(
    'ROTATE_OTHER_ROTATION_UNFINISHED',
    `A rotation of the ${previous.rotation} started ${previous.started} from this folder is not finished (${file.path}): run \`rotate ${previous.rotation}\` again to finish it first. Nothing was changed.`,
  );
  return true;
}

/** The bounded budgets of the rotations' waits (docs/rotate.md "Rotating the cluster token"). */
export const ROTATE_BUDGETS = {
  /** One SSM command on a server (a status, the rotation, the token file, the restart asked). */
  commandMs: 5 * 60_000,
  /** A restarted server Ready (and an etcd voter), and every server healthy, before the next. */
  restartMs: 15 * 60_000,
  /** The servers' restart Lease free, when a certificate renewal holds it (its restart waits 15 minutes at most). */
  restartLeaseMs: 20 * 60_000,
} as const;

/**
 * A stop the rotation explains: its message's code (ROTATE_SERVER_NOT_BACK), what a person reads, and the exit code
 * (2: refused, nothing changed; 3: someone else restarts servers; 130: interrupted).
 */
export class Stop extends Error {
  constructor(
    readonly messageCode: string,
    message: string,
    readonly exit = 1,
  ) {
    super(message);
  }
}

/** What a rotation's steps get: the servers, the cluster, and the restart Lease this run holds. */
export interface UnderLease {
  readonly aws: Aws;
  /** The Kubernetes API through the client layer (cli/shared/kube/), on the rotation's kubeconfig: the Nodes, the upgrade's records and Plan. */
  readonly kube: KubeApi;
  /** The restart Lease, through the same layer. */
  readonly leases: LeaseApi;
  readonly servers: readonly Server[];
  readonly k3s: boolean;
  readonly interrupted: () => boolean;
  /** Where the rotation's messages go (the command line's host, or the lines of a caller that keeps them). */
  readonly io: IoHost;
  readonly keeper: LeaseKeeper;
  /** This run's holder identity on the Lease. */
  readonly holder: string;
  /** Budget of each restarted server's wait. */
  readonly restartMs: number;
}

/** What restartEachServer keeps in a rotation's record: its holder, and the timers its transition disabled. */
interface RotationRecord {
  readonly holder: string;
  readonly disabledTimers?: readonly string[];
}

/** A rotation as restartEachServer runs it; R is what its state file keeps, S its steps. */
export interface RestartingRotation<R extends RotationRecord, S extends { readonly kind: string }> {
  /** The command, in SSM comments and messages ("rotate token"). */
  readonly operation: string;
  readonly dir: string;
  readonly state: ModuleState;
  readonly region: string;
  /** That region's AWS clients (the tests' fake cloud); unset, made at the first AWS call. */
  readonly clients?: AwsClients;
  readonly servers: readonly Server[];
  readonly k3s: boolean;
  readonly restartMs: number;
  readonly file: StateFile<R>;
  /** This rotation's record an earlier run left: resumed (the world decides what is done). */
  readonly previous: R | undefined;
  readonly takeOver?: boolean;
  readonly interrupted?: () => boolean;
  readonly io: IoHost;
  /** How many steps the rotation's plan numbers (its status line's step n of m; the Lease is step 1). */
  readonly planSteps: number;
  /**
   * The servers the rotation restarts, in the order it restarts them (server n of m), and what it says as it starts
   * one: the record tells which (the encryption-key rotation does not restart the server that rotated the key).
   */
  readonly restarts: { readonly order: (record: R) => readonly string[]; readonly says: (server: string) => string };
  /**
   * Under the Lease, before the first step: a first run's refusals (nothing changed yet) and its record written into
   * `record.current`, a resumed one's written again (now this run's holder). `record.current` set means there is
   * something to resume: a refusal then leaves the state file.
   */
  readonly start: (c: UnderLease, record: { current: R | undefined }) => Promise<void>;
  /** The next step, from one look at every server (the model's actor decides the same way); 'done' ends it. */
  readonly next: (c: UnderLease, record: R) => Promise<S | 'done'>;
  readonly run: (c: UnderLease, step: S, record: R) => Promise<void>;
  /** Beyond four steps a server, how many more a rotation may take, and what to say past them. */
  readonly tooManySteps: { readonly extra: number; readonly why: string; readonly lookAt: string };
  /** The closing line of a finished rotation. */
  readonly finished: (record: R) => string;
}

/** Runs a rotation's steps under the servers' restart Lease, from start (or resume) to the end; the exit code. */
export async function restartEachServer<R extends RotationRecord, S extends { readonly kind: string; readonly server?: string }>(
  rotation: RestartingRotation<R, S>,
): Promise<number> {
  const { file, previous, io, servers } = rotation;
  const kubeconfig = writeKubeconfig(rotation.dir, rotation.state);
  if (previous && holderAlive(previous.holder)) {
    io.error('ROTATE_ANOTHER_RUNS', `Another rotation runs from this folder now (${previous.holder}, ${file.path}); nothing was changed.`);
    rmSync(kubeconfig, { force: true });
    return 3;
  }
  const kube = await kubeApiFor(kubeconfig);
  const { leases } = kube;
  const aws = new Aws(rotation.region, rotation.clients);
  const holder = newHolder();
  const interrupted = rotation.interrupted ?? (() => false);
  const keeper = new LeaseKeeper(leases, holder);
  const record: { current: R | undefined } = { current: previous ? { ...previous, holder } : undefined };
  try {
    const lease = io.begin({
      code: 'ROTATE_STEP_STARTED',
      label: 'lease',
      position: { n: 1, m: rotation.planSteps },
      text: `Step 1 of ${rotation.planSteps}: taking the servers' restart Lease (kube-system/${RESTART_LEASE.name})`,
      doing: "taking the servers' restart Lease",
      data: { step: 'lease' },
    });
    try {
      await takeRestartLease(leases, holder, { takeOver: rotation.takeOver, succeeds: previous?.holder, interrupted, io });
      lease.end('ROTATE_LEASE_TAKEN', `The servers' restart Lease (kube-system/${RESTART_LEASE.name}) is this rotation's`);
    } finally {
      lease.stop();
    }
    keeper.hold(RESTART_LEASE);
    const c: UnderLease = {
      aws,
      kube,
      leases,
      servers,
      k3s: rotation.k3s,
      interrupted,
      io,
      keeper,
      holder,
      restartMs: rotation.restartMs,
    };
    await rotation.start(c, record);
    // The transition (as the roll's): before this rotation's first out mark, and again before each restart, no
    // server runs an old-script timer, Ready or not (renewal-transition.ts).
    const transition = async () => {
      const looked = await disableOldTimers({ ...c, log: transitionLog(io), operation: rotation.operation }, servers);
      record.current = { ...record.current!, disabledTimers: [...new Set([...(record.current!.disabledTimers ?? []), ...looked.disabled])] };
      file.write(record.current);
      if (looked.failure) throw new Stop('ROTATE_RENEWAL_TIMER_FAILED', `${looked.failure} No server was marked out; run the rotation again.`);
    };
    if (record.current!.disabledTimers === undefined) await transition();
    const { extra, why, lookAt } = rotation.tooManySteps;
    for (let steps = 0; ; steps++) {
      await yieldFor(0);
      if (interrupted()) throw new Stop('ROTATE_INTERRUPTED', `Interrupted. Run the rotation again to continue (${file.path}).`, 130);
      keeper.check();
      if (steps > 4 * servers.length + extra)
        throw new Stop(
          'ROTATE_TOO_MANY_STEPS',
          `The rotation took more steps than ${servers.length} servers can need (${why}). Nothing more was done; ${lookAt}, then run it again.`,
        );
      const step = await rotation.next(c, record.current!);
      if (step === 'done') break;
      if (step.kind !== 'restart' || step.server === undefined) {
        await rotation.run(c, step, record.current!);
        continue;
      }
      // A span per server restarted (n of m): the transition looked at again, then its restart and its way back
      // (restartMarkedOut's two steps), what a terminal's status line shows.
      const order = rotation.restarts.order(record.current!);
      const position = { n: order.indexOf(step.server) + 1, m: order.length };
      const server = io.begin({
        code: 'ROTATE_SERVER_STARTED',
        label: step.server,
        position,
        text: `Restart ${position.n} of ${position.m}: ${rotation.restarts.says(step.server)}`,
        doing: '',
        data: { server: step.server },
      });
      try {
        await transition();
        await rotation.run(c, step, record.current!);
        server.end('ROTATE_SERVER_RESTARTED', `${step.server}: restarted, healthy again with every server`, { server: step.server });
      } finally {
        server.stop();
      }
    }
    const started = record.current!;
    await keeper.stop();
    await release(leases, holder, RESTART_LEASE);
    await enableDisabledTimers({ aws: c.aws, log: transitionLog(io), operation: rotation.operation }, servers, started.disabledTimers ?? []);
    file.remove();
    io.result('ROTATE_FINISHED', rotation.finished(started));
    return 0;
  } catch (caught) {
    await keeper.stop();
    if (caught instanceof LeaseLost) {
      io.error(
        'ROTATE_LEASE_LOST',
        `${caught.message}\nThe rotation stopped; whoever holds the Lease now continues (${file.path} is left as it was).`,
      );
      return 3;
    }
    const error =
      caught instanceof Stop
        ? caught
        : caught instanceof Interrupted
          ? new Stop('ROTATE_INTERRUPTED', `Interrupted. Run the rotation again to continue (${file.path}).`, 130)
          : new Stop('ROTATE_FAILED', `${(caught as Error).message}\nThe rotation stopped there; run it again to continue (${file.path}).`);
    io.error(error.messageCode, error.message, { exitCode: error.exit });
    // A server out (a restart not seen through) keeps the Lease marked out: only this rotation's rerun continues it.
    let out = true;
    try {
      const lease = await readLease(leases, RESTART_LEASE);
      out = lease?.holder === holder && lease.out !== undefined;
    } catch {
      // Unreadable: left as it is (held, and renewed by nobody, it lapses within the hour unless a server is out).
    }
    if (!out) {
      await release(leases, holder, RESTART_LEASE);
      // No server out: the timers its transition disabled run again (a rerun looks at them afresh).
      const disabled = record.current?.disabledTimers ?? [];
      if (disabled.length > 0) {
        await enableDisabledTimers({ aws, log: transitionLog(io), operation: rotation.operation }, servers, disabled);
        record.current = { ...record.current!, disabledTimers: undefined };
        file.write(record.current);
      }
    }
    // Refused before anything changed: nothing to resume.
    if (error.exit === 2 && record.current === undefined) file.remove();
    return error.exit;
  } finally {
    rmSync(kubeconfig, { force: true });
  }
}

/** Takes the servers' restart Lease, waiting (bounded) while a certificate renewal's restart holds it. */
export async function takeRestartLease(
  leases: LeaseApi,
  holder: string,
  o: { takeOver?: boolean; succeeds?: string; interrupted: () => boolean; io: IoHost },
): Promise<void> {
  let told = false;
  let last = '';
  // A Lease the cluster's restore put back is taken whatever it marks (lease.ts RESTORE_RECORD).
  const restoredVersion = await restoredLeaseVersion(leases);
  const held = await waitUntil(ROTATE_BUDGETS.restartLeaseMs, o.interrupted, async () => {
    const result = await acquire(leases, holder, new Date(), RESTART_LEASE, { takeOver: o.takeOver, succeeds: o.succeeds, restoredVersion });
    if (result.held) return true;
    if (restartLeaseAnswer(result) === 'refuse')
      throw new Stop(
        'ROTATE_RESTART_LEASE_REFUSED',
        `${result.holder} holds the servers' restart Lease (kube-system/${RESTART_LEASE.name}, renewed ${result.renewed}) with ${result.out} out of the cluster. Nothing was changed. A roll: finish it first; a rotation whose machine is gone: resume it from its folder, or \`rotate --take-over\` an hour after its last renewal.`,
        3,
      );
    last = `${result.holder}, renewed ${result.renewed}`;
    if (!told) o.io.warn('ROTATE_RESTART_LEASE_WAIT', `  ${result.holder} holds the servers' restart Lease: waiting for it.`);
    told = true;
    return undefined;
  });
  if (!held)
    throw new Stop(
      'ROTATE_RESTART_LEASE_TIMEOUT',
      `The servers' restart Lease is still held (${last}) after ${ROTATE_BUDGETS.restartLeaseMs / 60_000} minutes. Nothing was changed; run the rotation again later.`,
      3,
    );
}

/** An in-place Kubernetes upgrade pending or running on the servers (upgradeInFlight); nodes undefined: the API did not answer. */
async function upgradeNow(c: Pick<UnderLease, 'kube' | 'servers'>): Promise<{ nodes: NodeStatus[] | undefined; upgrade: string | undefined }> {
  const nodes = await c.kube.nodes.list();
  const upgrade =
    (nodes &&
      (await upgradeInFlight(
        c.kube,
        c.servers.map((x) => nodeOf(nodes, x)).filter((n): n is NodeStatus => n !== undefined),
      ))) ||
    undefined;
  return { nodes, upgrade };
}

/** A first run's refusal while an upgrade is pending or running (nothing changed yet). */
export async function refuseUpgradeInFlight(c: Pick<UnderLease, 'kube' | 'servers'>): Promise<void> {
  const { upgrade } = await upgradeNow(c);
  if (upgrade)
    throw new Stop(
      'ROTATE_UPGRADE_IN_FLIGHT',
      `An in-place Kubernetes upgrade is pending or running: ${upgrade}. Nothing was changed; let it finish, then run the rotation.`,
      2,
    );
}

/**
 * A server out or restarting (this rotation's restart under way, or anything else): no other server restarts until
 * every one is healthy again, bounded; then no server is marked out.
 */
export async function waitEveryServerHealthy(c: UnderLease, unhealthy: readonly string[]): Promise<void> {
  const span = c.io.begin({
    code: 'ROTATE_WAIT_STARTED',
    label: 'wait',
    text: `  waiting for ${unhealthy.join(', ')} to be healthy before any restart`,
    data: { unhealthy },
  });
  let healthy: true | undefined;
  try {
    healthy = await waitUntil(c.restartMs, c.interrupted, async () => {
      const nodes = await c.kube.nodes.list();
      return nodes && c.servers.every((s) => isHealthy(nodeOf(nodes, s), c.k3s)) ? true : undefined;
    });
    if (healthy) span.end('ROTATE_SERVERS_HEALTHY', `  ${unhealthy.join(', ')} healthy again, with every server`, { servers: unhealthy });
  } finally {
    span.stop();
  }
  if (!healthy)
    throw new Stop(
      'ROTATE_WAIT_TIMEOUT',
      `${unhealthy.join(', ')} ${unhealthy.length === 1 ? 'is' : 'are'} not healthy after ${c.restartMs / 60_000} minutes: no other server is restarted while one is out. Look at journalctl -u ${serviceOf(c)} there (aws ssm start-session), then run the rotation again.`,
    );
  await markOut(c.leases, c.holder, undefined);
}

/**
 * One server restarted under the Lease: marked out first, then an upgrade looked for (write first, read second:
 * with the mark written, an upgrade Job whose prepare step passed before it is seen here, applying; one that starts
 * after it finds the mark), the restart asked (`ask`, which throws when it was not made), the server seen back
 * (`back`) with every server healthy, then the mark cleared. A server not back stays marked out: no other server is
 * restarted, and only a rerun of this rotation continues.
 */
export async function restartMarkedOut(
  c: UnderLease,
  s: Server,
  o: { readonly ask: () => Promise<void>; readonly back: () => Promise<boolean>; readonly notBack: string },
): Promise<void> {
  // Two steps within the server's span: its restart asked (marked out first), then its way back.
  await restartStep(c, s, { n: 1, what: 'marked out on the Lease, its restart asked', doing: 'marked out, restart asked' }, async (span) => {
    await askRestart(c, s, o.ask);
    span.end('ROTATE_SERVER_RESTART_ASKED', `${s.name}: marked out on the Lease, its restart asked`, { server: s.name });
  });
  const budget = `${c.restartMs / 60_000} minutes at most`;
  await restartStep(c, s, { n: 2, what: `back, with every server healthy (${budget})`, doing: `healthy again (${budget})` }, async (span) => {
    if (!(await seenBack(c, o.back))) throw new Stop('ROTATE_SERVER_NOT_BACK', o.notBack);
    span.end('ROTATE_SERVER_BACK', `${s.name}: back, every server healthy`, { server: s.name });
  });
  await markOut(c.leases, c.holder, undefined);
}

/**
 * One of a rotation plan's steps as a timed step (step n of m, the plan's numbers): its start message, then the end
 * `run` returns, or stopped when the run stops in it.
 */
export async function planStep(
  c: Pick<UnderLease, 'io'>,
  step: { readonly label: string; readonly n: number; readonly m: number; readonly text: string; readonly doing?: string },
  run: () => Promise<{ code: string; text: string; data: Readonly<Record<string, unknown>> }>,
): Promise<void> {
  const span = c.io.begin({
    code: 'ROTATE_STEP_STARTED',
    label: step.label,
    position: { n: step.n, m: step.m },
    text: `Step ${step.n} of ${step.m}: ${step.text.trimStart()}`,
    doing: step.doing ?? step.text.trimStart(),
    data: { step: step.label },
  });
  try {
    const done = await run();
    span.end(done.code, done.text, done.data);
  } finally {
    span.stop();
  }
}

/** One of a restart's two steps, timed: its span stopped when the run stops in it. */
async function restartStep(
  c: UnderLease,
  s: Server,
  step: { readonly n: number; readonly what: string; readonly doing: string },
  run: (span: Span) => Promise<void>,
): Promise<void> {
  const label = step.n === 1 ? 'restart' : 'back';
  const span = c.io.begin({
    code: 'ROTATE_STEP_STARTED',
    label,
    position: { n: step.n, m: 2 },
    text: `${s.name}, step ${step.n} of 2: ${step.what}`,
    doing: step.doing,
    data: { server: s.name, step: label },
  });
  try {
    await run(span);
  } finally {
    span.stop();
  }
}

/** Marked out, then (write first, read second) no cordoned server and no upgrade, then the restart asked. */
async function askRestart(c: UnderLease, s: Server, ask: () => Promise<void>): Promise<void> {
  await markOut(c.leases, c.holder, s.privateIp);
  const { nodes, upgrade } = await upgradeNow(c);
  const cordoned = nodes ? cordonedServers(nodes, c.servers) : [];
  if (cordoned.length > 0) {
    await markOut(c.leases, c.holder, undefined);
    throw new Stop(
      'ROTATE_SERVERS_CORDONED',
      `${cordoned.join(', ')} ${cordoned.length === 1 ? 'is' : 'are'} cordoned (a certificate renewal about to restart it, an upgrade, or a person): ${s.name} was not restarted. Run the rotation again once ${cordoned.length === 1 ? 'it is' : 'they are'} uncordoned (it continues from here).`,
    );
  }
  if (nodes === undefined || upgrade) {
    await markOut(c.leases, c.holder, undefined);
    throw new Stop(
      upgrade ? 'ROTATE_UPGRADE_IN_FLIGHT' : 'ROTATE_API_DOWN',
      `${upgrade ? `An in-place Kubernetes upgrade is pending or running: ${upgrade}` : 'The Kubernetes API did not answer'}. ${s.name} was not restarted; let the upgrade finish, then run the rotation again (it continues from here).`,
      2,
    );
  }
  await ask();
}

/**
 * Waits (bounded) until the Nodes show every server Ready (and a voter) and the restarted server itself says it is
 * back (`backHere`: started after its change, the cluster whole from there): the restart seen through, not assumed.
 */
async function seenBack(c: UnderLease, backHere: () => Promise<boolean>): Promise<boolean> {
  const back = await waitUntil(c.restartMs, c.interrupted, async () => {
    const nodes = await c.kube.nodes.list();
    return nodes && c.servers.every((x) => isHealthy(nodeOf(nodes, x), c.k3s)) && (await backHere()) ? true : undefined;
  });
  return back === true;
}

/** The systemd unit of the servers' Kubernetes. */
export const serviceOf = (c: Pick<UnderLease, 'k3s'>) => (c.k3s ? 'k3s' : 'rke2-server');

/**
 * Runs a rotation's `status` script on every server in one SSM command, within the command budget, and reads each
 * server's answer (`parse`) beside its Node's health: what both rotations decide their next step from. `what` names
 * the status in messages ("token", "encryption"); `k3s` is how Node health is read.
 */
export async function askEveryServer<S extends { readonly clusterHealthy: boolean }>(
  c: UnderLease,
  ask: {
    readonly comment: string;
    readonly command: string;
    readonly what: string;
    readonly k3s: boolean;
    readonly parse: (output: string) => S | undefined;
  },
): Promise<{ name: string; status: S; healthy: boolean }[]> {
  const ids = c.servers.map((s) => s.instanceId);
  const { side, clients } = await c.aws.sdk();
  const commandId = await side.sendShellCommand(clients, {
    instanceIds: ids,
    commands: [ask.command],
    comment: ask.comment,
    timeoutSeconds: ROTATE_BUDGETS.commandMs / 1000,
  });
  if (!commandId)
    throw new Error(
      `SSM SendCommand refused one of ${ids.join(', ')} (InvalidInstanceId): its SSM agent is not registered; check the servers are running.`,
    );
  // Every server's invocation, all pages: done once each has ended (not Pending, InProgress or Delayed).
  const answers = await waitUntil(ROTATE_BUDGETS.commandMs, c.interrupted, async () => {
    const invocations = await side.listInvocations(clients, commandId);
    const over = invocations.filter((i) => i.status !== '' && !['Pending', 'InProgress', 'Delayed'].includes(i.status));
    return over.length === ids.length ? invocations : undefined;
  });
  if (!answers)
    throw new Stop(
      'ROTATE_STATUS_TIMEOUT',
      `The servers' ${ask.what} status did not finish within ${ROTATE_BUDGETS.commandMs / 60_000} minutes (SSM command ${commandId}). Run the rotation again.`,
    );
  const nodes = await c.kube.nodes.list();
  if (nodes === undefined) throw new Stop('ROTATE_API_DOWN', 'The Kubernetes API did not answer. Run the rotation again.');
  return c.servers.map((server) => {
    const answer = answers.find((i) => i.instanceId === server.instanceId);
    const output = answer?.output ?? '';
    const status = answer?.status === 'Success' ? ask.parse(output) : undefined;
    if (!status)
      throw new Stop(
        'ROTATE_NO_STATUS',
        `${server.name} answered no ${ask.what} status (SSM ${answer?.status ?? 'no answer'}: ${output.trim().slice(0, 200)}; command ${commandId}). Run the rotation again once it answers.`,
      );
    return { name: server.name, status, healthy: isHealthy(nodeOf(nodes, server), ask.k3s) && status.clusterHealthy };
  });
}

/** The transition's lines as the rotation's messages: ROTATE_TIMERS_DISABLED, ROTATE_TIMER_ENABLED... */
const transitionLog =
  (io: IoHost) =>
  (line: string, code: TransitionCode): void =>
    io.notify(code === 'TIMER_NOT_ENABLED' ? 'warn' : 'info', `ROTATE_${code}`, line);
