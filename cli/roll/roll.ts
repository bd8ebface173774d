import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Aws } from '../shared/aws';
import type { ClientsOfRegion } from '../shared/aws/clients';
import { IoHost } from '../shared/io/io-host';
import { ROLL_STEP_DONE } from './roll-messages';
import { MEMBER_LIST_COMMAND, membersWithoutNode, parseMembers } from './etcd-members';
import { Kubectl, NodeStatus } from '../shared/kubectl';
import {
  acquire,
  holderAlive,
  LeaseLost,
  LockResult,
  markOut,
  newHolder,
  release,
  RESTART_LEASE,
  restartLeaseAnswer,
  restoredLeaseVersion,
  ROLL_LEASE,
} from '../shared/lease';
import { kubeApiFor } from '../shared/kube-api-for';
import { LeaseKeeper } from '../shared/lease-keeper';
import type { KubeApi } from '../shared/kube/kube-api';
import type { LeaseApi } from '../shared/kube/leases';
import { appliedDeployment, type Deployment, inState } from '../shared/module-folder';
import { unexpectedChanges } from './plan-check';
import { Interrupted, waitUntil, yieldFor } from '../shared/poll';
import { StateFile, stateFilePath } from '../shared/state-file';
import { cordonedServers, isHealthy, nodeOf, type Server, serversOf } from '../shared/servers';
import { onServer } from '../shared/server-command';
import { bootLoaderGaveUp, LOADER_LOOK_EVERY } from './boot-loader-state';
import { writeKubeconfig } from '../shared/kubeconfig';
import { ModuleState, Terraform } from '../shared/terraform';
import { disableOldTimers, enableDisabledTimers, TIMER_BUDGETS, type TransitionCode } from '../shared/renewal-transition';
import { planSettledOn, upgradeInFlight } from '../shared/upgrade-state';

/** The bounded budgets of the roll's waits (documented in docs/roll.md "Rolling a server"). */
export const BUDGETS = {
  /** The on-demand snapshot through SSM (etcd) or RDS (K3s). */
  snapshotMs: 15 * 60_000,
  /** `kubectl drain`, passed as its own --timeout. */
  drainSeconds: 600,
  /** The Node gone after `kubectl delete node` (RKE2 removes the etcd member before it lets the Node go). */
  removeMs: 5 * 60_000,
  /** The plan of one server's replacement, and the apply of that saved plan (each). */
  applyMs: 45 * 60_000,
  /** The new server Ready, an etcd voter, and every server healthy. */
  rejoinMs: 25 * 60_000,
  /**
   * The servers' restart Lease free, when a certificate renewal holds it: its
   * restart waits 15 minutes at most for the server to come back
   * (cert-renewal.sh RESTART_WAIT_SECONDS), then gives the Lease back.
   */
  restartLeaseMs: 20 * 60_000,
  /** The etcd member list through SSM, before each RKE2 server. */
  memberListMs: 2 * 60_000,
  /**
   * A server's renewal timer disabled through SSM, with a run already under way waited for (its restart waits 15
   * minutes at most for its server, cert-renewal.sh RESTART_WAIT_SECONDS): the transition's (renewal-transition.ts).
   */
  renewalTimerMs: TIMER_BUDGETS.disableMs,
} as const;

/**
 * The roll's settings and where its messages go: an I/O host, the command line's (progress on a terminal, coded lines
 * elsewhere) or the acceptance run's (its spans inside the run's roll phase).
 */
export type RollOptions = RollSettings & { readonly io: IoHost };

export interface RollSettings {
  readonly dir: string;
  readonly label: string;
  /** The deployment to roll, by name (or construct path), where the module holds more than one. */
  readonly deployment?: string;
  /** Roll every server, not only those servers_pending_replacement lists. @default false */
  readonly all?: boolean;
  /** Roll only this server (server-0, server-1, ...). */
  readonly server?: string;
  /** Move to the newest image first (replaces the recorded image in an apply of its own), then roll every server. @default false */
  readonly newImage?: boolean;
  readonly dryRun?: boolean;
  /** Budget of the wait for each new server (Ready, voter, every server healthy), in minutes. @default 25 */
  readonly waitMinutes?: number;
  /** True once SIGINT/SIGTERM arrived: the roll stops after the step in flight. */
  readonly interrupted?: () => boolean;
  /**
   * Take over the Leases of a roll whose holder is gone (its machine lost, not renewed for an hour) although it has
   * a server out: a person's decision, to resume that roll from here. Never taken from a holder that still renews.
   * @default false
   */
  readonly takeOver?: boolean;
  /**
   * The SDK clients of each region (SSM, RDS) made by the caller: the tests drive the roll in their process against
   * the fake cloud behind them. Unset, the standard settings' clients (the command line's).
   */
  readonly aws?: ClientsOfRegion;
}

/** The steps of one server, in order; the state file records the last one done. */
export const STEPS = ['snapshot', 'drain', 'remove', 'replace', 'rejoin'] as const;
export type Step = (typeof STEPS)[number];

export interface RollRecord {
  readonly holder: string;
  readonly started: string;
  readonly servers: readonly string[];
  /** Per server, the last step done. */
  readonly done: Record<string, Step | undefined>;
  /** Per server, the instance id before its replace: a different one in the state means the apply happened. */
  readonly replacedFrom: Record<string, string>;
  readonly newImageDone?: boolean;
  /** The server whose Node deletion was asked for and not yet seen through: out of the cluster from that moment. */
  readonly removing?: string;
  /**
   * The servers whose renewal timer the roll disabled (they ran another cert-renewal.sh), once it looked, before its
   * first out mark; undefined until then. Each is enabled again at the end unless the roll replaced that server.
   */
  readonly stoppedTimers?: readonly string[];
}

/** A stop the roll explains: its message's code (ROLL_DRAIN_FAILED), what a person reads, and the exit code. */
class Stop extends Error {
  constructor(
    readonly messageCode: string,
    message: string,
    readonly exit = 1,
  ) {
    super(message);
  }
}

/** A stop with the server drained and still a member: it stays marked out under the roll's Leases, and a rerun continues with its removal. */
class StopDrained extends Stop {}

/**
 * Replaces servers one at a time; see docs/roll.md "Rolling a server". Returns the exit code. In steps: the
 * deployment read (readTarget), the servers chosen and the plan stated (planRoll), the roll's lock taken (takeLock),
 * then every server rolled under both Leases (rollUnderLeases).
 */
export async function roll(options: RollOptions): Promise<number> {
  const target = await readTarget(options);
  if (typeof target === 'number') return target;
  const plan = await planRoll(options, target);
  if (typeof plan === 'number') return plan;
  const held = await takeLock(options, target, plan);
  if (typeof held === 'number') return held;
  return rollUnderLeases({ options, target, plan, held });
}

/** The deployment as its state shows it, with what the roll needs of it. */
interface RollTarget {
  readonly terraform: Terraform;
  readonly file: StateFile<RollRecord>;
  readonly state: ModuleState;
  readonly deployment: Deployment;
  readonly name: string;
  readonly servers: Server[];
  readonly k3s: boolean;
  readonly region: string;
}

/** The deployment to roll, or the exit code of a refusal: no servers of its own, or RKE2 with fewer than three. */
async function readTarget(options: RollOptions): Promise<RollTarget | number> {
  const { io } = options;
  const terraform = new Terraform(options.dir);
  const file = new StateFile<RollRecord>(stateFilePath(options.dir, 'roll'));
  const applied = await appliedDeployment(terraform, options.dir, options.deployment, 'roll', io.lines('ROLL_NO_DEPLOYMENT', 'error'));
  if (!applied) return 2;
  const { state, deployment } = applied;
  const name = deployment.name ?? options.label;
  const servers = serversOf(state, deployment);
  if (servers.length === 0) {
    io.error(
      'ROLL_NO_SERVERS',
      deployment.kind === 'rke-ha'
        ? `${name} (${options.label}) has none of its servers in the state (${deployment.servers.map((s) => s.address).join(', ') || 'none recorded'}): nothing to roll.`
        : `${name} (${options.label}) is a ${deployment.kind} deployment and has no servers of its own to roll: the docker host is replaced with an apply, k8s-ha's cluster is yours.`,
    );
    return 2;
  }
  const k3s = deployment.distribution === 'k3s';
  if (!k3s && servers.length < 3) {
    io.error(
      'ROLL_SINGLE_SERVER',
      `${name} (${options.label}) runs RKE2 with ${servers.length} server: its only etcd member cannot be taken out, and a replacement has no peer to join (it stops and waits for a restore).\n` +
        'Grow to three servers first (nodeCount: 3, apply), roll, then shrink (docs/grow.md "Shrinking"); or replace it and restore from a snapshot. Nothing was changed.',
    );
    return 2;
  }
  const region = deployment.region;
  if (!region) throw new Error('The region of the deployment is not in the state; nothing was changed.');
  return { terraform, file, state, deployment, name, servers, k3s, region };
}

/** What the roll does: the servers in turn (a resumed roll's own), each from its next step. */
interface RollPlan {
  /** The record a roll that stopped left (resumed: the cluster and the state decide what is done). */
  readonly previous: RollRecord | undefined;
  readonly interrupted: () => boolean;
  readonly rejoinMs: number;
  /** The recorded image's address in the state (--new-image replaces it). */
  readonly imageAddress: string | undefined;
  /** The servers to roll, in order. */
  readonly toRoll: Server[];
}

/** The servers chosen and the plan stated; or the exit code when nothing is to be done or it is refused. */
async function planRoll(options: RollOptions, target: RollTarget): Promise<RollPlan | number> {
  const { io } = options;
  const { terraform, file, state, deployment, name, servers, k3s } = target;
  const previous = file.read();
  const interrupted = options.interrupted ?? (() => false);
  const rejoinMs = (options.waitMinutes ?? BUDGETS.rejoinMs / 60_000) * 60_000;
  const imageAddress = deployment.recordedImage && inState(state, [deployment.recordedImage]).length > 0 ? deployment.recordedImage : undefined;
  if (options.newImage && !imageAddress && !previous?.newImageDone) {
    io.error(
      'ROLL_NEW_IMAGE_UNRECORDED',
      '--new-image needs the recorded server image (terraform_data ...ami_recorded-image in the state), which this deployment does not have:\n' +
        'its servers follow the AMI lookup directly. Upgrade the library (the version that records the image), apply once, then run this again.',
    );
    return 2;
  }

  const chosen = previous ? previous.servers : await chooseServers(options, servers, terraform, state);
  if (typeof chosen === 'string') {
    io.error('ROLL_SERVERS_REFUSED', chosen);
    return 2;
  }
  const toRoll = servers.filter((s) => chosen.includes(s.name));
  if (previous)
    io.info('ROLL_RESUMING', `Resuming the roll started ${previous.started} (${file.path}); the cluster and the state decide what is done.`, {
      started: previous.started,
    });
  // The plan is one message: the steps each server goes through, stated before anything is done.
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  log(`Roll of ${name} (${options.label}, ${k3s ? 'K3s on an external datastore' : 'RKE2 with embedded etcd'}, ${servers.length} servers):`);
  if (options.newImage && !previous?.newImageDone)
    log(`  0. terraform plan -replace=${imageAddress} -out, checked, applied (the newest image becomes the recorded one; no server changes)`);
  if (previous?.stoppedTimers === undefined)
    log(
      "  Before the first server is marked out: each server's cert-renewal.sh compared with this version's (SSM); where it differs, its renewal timer is disabled until the server is replaced (enabled again at the end on a server not replaced)",
    );
  for (const server of toRoll) {
    const at = previous?.done[server.name];
    const next = at === undefined ? 0 : STEPS.indexOf(at) + 1;
    if (next >= STEPS.length) {
      log(`  ${server.name}: done`);
      continue;
    }
    log(`  ${server.name} (${server.address}):${next > 0 ? ` from step ${STEPS[next]}` : ''}`);
    for (const step of STEPS.slice(next)) log(`    ${describe(step, server, k3s, rejoinMs)}`);
  }
  io.info('ROLL_PLAN', lines.join('\n'), { deployment: name, servers: toRoll.map((s) => s.name), resumed: previous !== undefined });
  if (toRoll.length === 0) {
    io.result(
      'ROLL_NOTHING_TO_ROLL',
      '  Nothing to roll: servers_pending_replacement lists no setting for any server (use --all or --server to roll anyway).',
    );
    return 0;
  }
  if (options.dryRun) {
    io.result('ROLL_DRY_RUN', 'Dry run: nothing was changed.');
    return 0;
  }
  return { previous, interrupted, rejoinMs, imageAddress, toRoll };
}

/** The roll's lock held, with the cluster's kubeconfig (removed when the roll ends). */
interface Held {
  readonly kubeconfig: string;
  /** `kubectl drain`, the one call that stays a process (docs/development.md, "The Kubernetes layer"). */
  readonly kubectl: Kubectl;
  /** The other Kubernetes calls through the client layer (cli/shared/kube/), on the same kubeconfig. */
  readonly kube: KubeApi;
  /** The Leases, through the same layer. */
  readonly leases: LeaseApi;
  readonly holder: string;
  /** The dead roll this one resumes: its Leases are this roll's. */
  readonly succeeds: string | undefined;
  /** A server a resumed roll has out (or had started), not yet back. */
  readonly inFlight: Server | undefined;
  /** Renews both Leases every minute from here to the end, during the steps too. */
  readonly keeper: LeaseKeeper;
}

/**
 * The roll's lock (Lease kube-system/rancher-ha-aws-roll) taken, with every server healthy; or the exit code when
 * another roll runs, holds the lock, or a server is not healthy.
 */
async function takeLock(options: RollOptions, target: RollTarget, plan: RollPlan): Promise<Held | number> {
  const { io } = options;
  const { file, servers, k3s } = target;
  const { previous, toRoll } = plan;
  const kubeconfig = writeKubeconfig(options.dir, target.state);
  const kubectl = new Kubectl(kubeconfig);
  // One holder per living process: a roll still running from this folder (its state file's holder, alive on this
  // machine) refuses a second; a resumed roll is a new holder that succeeds the dead one's Leases (conditionally:
  // of two resuming at once, one write wins). A take-over is a new holder too, continuing the record it takes over.
  if (previous && holderAlive(previous.holder)) {
    io.error(
      'ROLL_ANOTHER_RUNS',
      `Another roll runs from this folder now (${previous.holder}, ${file.path}); nothing was changed. Wait for it, or stop it and run this again to resume.`,
    );
    rmSync(kubeconfig, { force: true });
    return 3;
  }
  const holder = newHolder();
  const succeeds = options.takeOver ? undefined : previous?.holder;
  const inFlight = toRoll.find((s) => previous?.done[s.name] !== undefined && previous.done[s.name] !== 'rejoin');
  const kube = await kubeApiFor(kubeconfig);
  try {
    await requireHealthy(kube, servers, k3s, inFlight);
  } catch (error) {
    rmSync(kubeconfig, { force: true });
    if (!(error instanceof Stop)) throw error;
    io.error(error.messageCode, error.message);
    return error.exit;
  }
  const { leases } = kube;
  const lock = await acquire(leases, holder, new Date(), ROLL_LEASE, { takeOver: options.takeOver, succeeds }).catch((error: unknown) => {
    rmSync(kubeconfig, { force: true });
    throw error;
  });
  if (!lock.held) {
    io.error(
      'ROLL_LOCK_HELD',
      `Another roll holds the lock (Lease kube-system/rancher-ha-aws-roll: ${lock.holder}, renewed ${lock.renewed}); nothing was changed.\n` +
        'Wait for it to finish. If its machine is gone, the lock lapses an hour after its last renewal.',
    );
    rmSync(kubeconfig, { force: true });
    return 3;
  }
  // From here to the end, both Leases are renewed every minute, during the steps too (design notes, "Who may restart a server").
  const keeper = new LeaseKeeper(leases, holder);
  keeper.hold(ROLL_LEASE);
  return { kubeconfig, kubectl, kube, leases, holder, succeeds, inFlight, keeper };
}

/** A roll under its lock: its record (saved at every step), and whether it holds the servers' restart Lease. */
interface Rolling {
  readonly options: RollOptions;
  readonly target: RollTarget;
  readonly plan: RollPlan;
  readonly held: Held;
  readonly aws: Aws;
  readonly restart: { held: boolean };
  readonly record: () => RollRecord;
  readonly save: (change: Partial<RollRecord>) => void;
}

/** Every server rolled, then the Leases given back; a stop handled by stopRoll. The kubeconfig removed at the end. */
async function rollUnderLeases(o: Pick<Rolling, 'options' | 'target' | 'plan' | 'held'>): Promise<number> {
  const { file, region } = o.target;
  const { previous, toRoll } = o.plan;
  const { holder, keeper } = o.held;
  let record: RollRecord = previous
    ? { ...previous, holder }
    : { holder, started: new Date().toISOString(), servers: toRoll.map((s) => s.name), done: {}, replacedFrom: {} };
  file.write(record);
  const r: Rolling = {
    ...o,
    aws: new Aws(region, o.options.aws?.(region)),
    restart: { held: false },
    record: () => record,
    save: (change) => {
      record = { ...record, ...change };
      file.write(record);
      // A Lease another took meanwhile stops the roll here, before its next step.
      keeper.check();
    },
  };
  try {
    return await rollEachServer(r);
  } catch (caught) {
    return await stopRoll(r, caught);
  } finally {
    rmSync(o.held.kubeconfig, { force: true });
  }
}

/**
 * Under the servers' restart Lease, from now to the end of the roll: no certificate renewal restarts a server, and
 * no upgrade Job passes its prepare step (readiness-gates.sh), beside the roll; only the server the roll has out may
 * be upgraded (its address on the Lease, OUT_ANNOTATION). The newest image first with --new-image, then each server
 * through every step it has not done.
 */
async function rollEachServer(r: Rolling): Promise<number> {
  const { options, restart, save } = r;
  const { io } = options;
  const { file, terraform, servers, deployment, k3s, name } = r.target;
  const { interrupted, imageAddress, toRoll } = r.plan;
  const { kube, leases, holder, keeper, succeeds, inFlight } = r.held;
  await holdRestartLease({ leases, holder, interrupted, io, restart, takeOver: options.takeOver, succeeds }, 'before touching any server');
  keeper.hold(RESTART_LEASE);
  // Looked at with the Lease held: an upgrade Job that passed its prepare step before is applying, and refused here.
  // With a server out (a resume), the rejoin step waits for that server's own upgrade instead.
  if (!inFlight) await requireNoUpgrade(kube, servers, 'Nothing was changed');
  if (options.newImage && !r.record().newImageDone) {
    const span = io.begin({
      code: 'ROLL_NEW_IMAGE_STARTED',
      label: 'newest image',
      text: `The newest image first: terraform plan -replace=${imageAddress} -out, checked, applied`,
    });
    try {
      const result = await replaceExactly(
        io,
        terraform,
        imageAddress!,
        'the apply that records the newest image',
        'No server was touched: apply them first (a plain `terraform apply`), then run the roll again.',
      );
      if (result.code !== 0)
        throw new Stop(
          'ROLL_NEW_IMAGE_APPLY_FAILED',
          `The apply that records the newest image failed (exit ${result.code}); no server was touched. Fix what Terraform says and run the roll again.`,
        );
      span.end('ROLL_NEW_IMAGE_RECORDED', 'The newest image is the recorded one');
    } finally {
      span.stop();
    }
    save({ newImageDone: true });
  }
  for (const [index, server] of toRoll.entries()) {
    // A span per server (n of m), and one per step within it (n of 5): what a terminal's status line shows.
    const serverSpan = io.begin({
      code: 'ROLL_SERVER_STARTED',
      label: server.name,
      position: { n: index + 1, m: toRoll.length },
      text: `${server.name}, server ${index + 1} of ${toRoll.length} (${server.address})`,
      doing: '',
      data: { server: server.name },
    });
    try {
      for (const step of STEPS) await rollStep(r, server, step);
      serverSpan.end('ROLL_SERVER_ROLLED', `${server.name}: replaced, Ready${k3s ? '' : ' and a voting etcd member'}.`, { server: server.name });
    } finally {
      serverSpan.stop();
    }
    await markOut(leases, holder, undefined);
  }
  await keeper.stop();
  await release(leases, holder, RESTART_LEASE);
  restart.held = false;
  await release(leases, holder);
  await enableRollsTimers({ terraform, deployment, aws: r.aws, io }, r.record());
  file.remove();
  io.result('ROLL_FINISHED', `Roll of ${name} finished: ${toRoll.map((s) => s.name).join(', ')} replaced one at a time.`, {
    servers: toRoll.map((s) => s.name),
  });
  return 0;
}

/** One step of one server, unless the record says it is done: timed, and recorded once done. */
async function rollStep(r: Rolling, server: Server, step: Step): Promise<void> {
  const { save } = r;
  const { io } = r.options;
  const { file, servers, deployment, k3s, terraform, name } = r.target;
  const { interrupted, rejoinMs } = r.plan;
  const { kubectl, kube, leases, holder, keeper } = r.held;
  const at = r.record().done[server.name];
  if (at !== undefined && STEPS.indexOf(at) >= STEPS.indexOf(step)) return;
  // Signals arrive through the event loop: give them a turn before each step.
  await yieldFor(0);
  if (interrupted())
    throw new Stop('ROLL_INTERRUPTED', `Interrupted before ${server.name}'s step ${step}. Run the roll again to continue (${file.path}).`, 130);
  const n = STEPS.indexOf(step) + 1;
  const description = describe(step, server, k3s, rejoinMs);
  const span = io.begin({
    code: 'ROLL_STEP_STARTED',
    label: step,
    position: { n, m: STEPS.length },
    text: `${server.name}, step ${n} of ${STEPS.length}: ${description}`,
    doing: description,
    data: { server: server.name, step },
  });
  try {
    try {
      await runStep(step, {
        server,
        servers,
        deployment,
        k3s,
        kubectl,
        kube,
        leases,
        terraform,
        aws: r.aws,
        name,
        record: r.record(),
        save,
        io,
        rejoinMs,
        interrupted,
        holder,
        restart: r.restart,
      });
      keeper.check();
    } catch (error) {
      if (error instanceof Interrupted)
        throw new Stop('ROLL_INTERRUPTED', `Interrupted during ${server.name}'s step ${step}. Run the roll again to continue (${file.path}).`, 130);
      throw error;
    }
    save({ done: { ...r.record().done, [server.name]: step } });
    const done = ROLL_STEP_DONE[step];
    span.end(done.code, `${server.name}: ${done.text(k3s)}`, { server: server.name, step });
  } finally {
    // A step the run stopped in leaves the status line; the message that stopped the run says why.
    span.stop();
  }
}

/**
 * A roll that stopped: a lost Lease leaves everything as it is (whoever holds it continues). Otherwise, while a
 * server is out of the cluster the lock stays (only a resume of this roll continues it); with none out the cluster
 * is whole: the server in flight starts over (a fresh snapshot), the Leases are given back and the timers the roll
 * stopped run again. The exit code.
 */
async function stopRoll(r: Rolling, caught: unknown): Promise<number> {
  const { save } = r;
  const { io } = r.options;
  const { file, terraform, deployment } = r.target;
  const { toRoll } = r.plan;
  const { kube, leases, holder, keeper } = r.held;
  await keeper.stop();
  if (caught instanceof LeaseLost) {
    // Someone took the lock (a person's --take-over on another machine): that one continues; this roll takes no
    // further step and leaves the cluster, the Leases and its state file as they are.
    io.error('ROLL_LEASE_LOST', `${caught.message}\nThe roll stopped; whoever holds the Lease now continues (${file.path} is left as it was).`);
    return 3;
  }
  // Anything unexpected (a kubectl or AWS call that failed) stops the roll like a known problem does.
  const error =
    caught instanceof Stop
      ? caught
      : new Stop('ROLL_FAILED', `${(caught as Error).message}\nThe roll stopped there; run it again to continue (${file.path}).`);
  io.error(error.messageCode, error.message, { exitCode: error.exit });
  const record = r.record;
  const out =
    caught instanceof StopDrained ||
    toRoll.some((s) => record().done[s.name] === 'remove' || record().done[s.name] === 'replace' || record().removing === s.name);
  if (!out) {
    const started = toRoll.find((s) => record().done[s.name] !== undefined && record().done[s.name] !== 'rejoin');
    if (started) {
      if (record().done[started.name] === 'drain') {
        const node = nodeOf((await kube.nodes.list()) ?? [], started);
        // As `kubectl uncordon` that may fail was: the stop's message says what stopped the roll.
        if (node) await kube.nodes.setUnschedulable(node.name, false).catch(() => false);
      }
      save({ done: { ...record().done, [started.name]: undefined } });
    }
    await release(leases, holder, RESTART_LEASE);
    await release(leases, holder);
    // No server out: the timers it disabled run again (a rerun looks at them afresh).
    if (record().stoppedTimers?.length) {
      await enableRollsTimers({ terraform, deployment, aws: r.aws, io }, record());
      save({ stoppedTimers: undefined });
    }
    // Refused before anything was done (exit 2: what the cluster or the plan holds must change first): nothing to
    // resume, and the next run chooses its servers afresh.
    if (error.exit === 2 && !record().newImageDone && Object.values(record().done).every((step) => step === undefined)) file.remove();
  }
  return error.exit;
}

async function chooseServers(options: RollOptions, servers: Server[], terraform: Terraform, state: ModuleState): Promise<string[] | string> {
  const names = servers.map((s) => s.name);
  if (options.server !== undefined) {
    if (!names.includes(options.server)) return `--server ${options.server}: no such server; the servers are ${names.join(', ')}.`;
    return [options.server];
  }
  if (options.all || options.newImage) return names;
  const pending = (state.outputs.servers_pending_replacement?.value ?? (await terraform.outputJson('servers_pending_replacement'))) as
    Record<string, unknown[]> | undefined;
  if (pending === undefined) return 'The output servers_pending_replacement is not in the state; apply once, or use --all or --server.';
  return names.filter((n) => Array.isArray(pending[n]) && pending[n].length > 0);
}

function describe(step: Step, server: Server, k3s: boolean, rejoinMs: number): string {
  switch (step) {
    case 'snapshot':
      return k3s
        ? 'snapshot of the datastore (aws rds create-db-snapshot), waited for'
        : 'on-demand etcd snapshot to the bucket (rke2 etcd-snapshot save through SSM on another server), waited for';
    case 'drain':
      return `cordon and drain (kubectl drain, ${BUDGETS.drainSeconds} s at most)`;
    case 'remove':
      return k3s
        ? 'every other server Ready again, then delete its Node (and node password secret)'
        : 'every other server Ready and a voter again, then delete its Node: RKE2 removes its etcd member first; wait until it is gone';
    case 'replace':
      return `terraform plan -replace=${server.address} -out, checked (nothing else changes), then applied`;
    case 'rejoin':
      return `wait until the new server is Ready${k3s ? '' : ' and an etcd voter'} and every server healthy (${rejoinMs / 60_000} minutes at most)`;
  }
}

interface StepContext {
  readonly server: Server;
  readonly servers: Server[];
  readonly deployment: Deployment;
  readonly k3s: boolean;
  /** `kubectl drain` only. */
  readonly kubectl: Kubectl;
  readonly kube: KubeApi;
  readonly leases: LeaseApi;
  readonly terraform: Terraform;
  readonly aws: Aws;
  readonly name: string;
  readonly record: RollRecord;
  readonly save: (change: Partial<RollRecord>) => void;
  readonly io: IoHost;
  readonly rejoinMs: number;
  readonly interrupted: () => boolean;
  /** The roll's holder identity, in both Leases. */
  readonly holder: string;
  /** Whether the roll holds the servers' restart Lease now. */
  readonly restart: { held: boolean };
}

async function runStep(step: Step, c: StepContext): Promise<void> {
  if (step === 'snapshot') {
    await preflight(c);
    if (!c.k3s) await requireMembersAreServers(c);
    return c.k3s ? datastoreSnapshot(c) : etcdSnapshot(c);
  }
  // Before each server's out mark (its drain), and on a resume that never looked: no server runs a renewal timer of
  // another cert-renewal.sh (renewal-transition.ts), Ready or not; the server out and being replaced is passed over.
  if (step === 'drain' || c.record.stoppedTimers === undefined) await disableRollsOldTimers(c, step === 'drain' ? undefined : c.server.name);
  // From the drain until the server is back, the Lease names it: its own upgrade Job may run (a new server gets the
  // Plan too), no other server's. Set at every step: a resume may find the Lease taken afresh.
  await markOut(c.leases, c.holder, c.server.privateIp);
  switch (step) {
    case 'drain':
      // Looked at again once the mark is written (design notes, "Who may restart a server"): an upgrade Job whose
      // prepare step passed before the mark is applying now and seen here; one that starts after it finds the mark.
      await requireNoUpgrade(c.kube, c.servers, `${c.server.name} was not touched`);
      await requireNoneCordoned(c);
      return drain(c);
    case 'remove':
      return removeNode(c);
    case 'replace':
      return replace(c);
    case 'rejoin':
      return rejoin(c);
  }
}

/**
 * The transition (renewal-transition.ts, as both rotations run it): before each server is marked out, the timer of
 * every server whose cert-renewal.sh is not this version's disabled; the record keeps which (every look's together),
 * so the roll's end enables those it did not replace again.
 */
async function disableRollsOldTimers(c: StepContext, replacing: string | undefined): Promise<void> {
  const transition = await disableOldTimers(
    { ...c, log: transitionLog(c.io), operation: 'roll' },
    serversOf(await c.terraform.pull(), c.deployment),
    replacing,
  );
  c.save({ stoppedTimers: [...new Set([...(c.record.stoppedTimers ?? []), ...transition.disabled])] });
  if (transition.failure) throw new Stop('ROLL_RENEWAL_TIMER_FAILED', `${transition.failure} No server was marked out; run the roll again.`);
}

/** The transition's lines as the roll's messages: ROLL_TIMERS_DISABLED, ROLL_TIMER_ENABLED... */
const transitionLog =
  (io: IoHost) =>
  (line: string, code: TransitionCode): void =>
    io.notify(code === 'TIMER_NOT_ENABLED' ? 'warn' : 'info', `ROLL_${code}`, line);

/** The roll's end (or a stop with no server out): the timers it disabled on servers it did not replace run again. */
async function enableRollsTimers(c: Pick<StepContext, 'terraform' | 'deployment' | 'aws' | 'io'>, record: RollRecord): Promise<void> {
  const left = (record.stoppedTimers ?? []).filter((name) => record.done[name] !== 'rejoin');
  if (left.length > 0)
    await enableDisabledTimers({ ...c, log: transitionLog(c.io), operation: 'roll' }, serversOf(await c.terraform.pull(), c.deployment), left);
}

/** What holdRestartLease needs of the roll. */
type LeaseContext = Pick<StepContext, 'leases' | 'holder' | 'interrupted' | 'io' | 'restart'> & {
  readonly takeOver?: boolean;
  /** The dead roll this one resumes: its Lease is this roll's. */
  readonly succeeds?: string;
};

/**
 * Takes the servers' restart Lease (the one lib/kubernetes/cert-renewal.sh
 * takes before it restarts a server), or keeps it when the roll has it; while
 * a renewal holds it, waits (bounded) for that restart to end.
 */
async function holdRestartLease(c: LeaseContext, where: string): Promise<void> {
  let other: Extract<LockResult, { held: false }> | undefined;
  // A Lease the cluster's restore put back is taken whatever it marks (lease.ts RESTORE_RECORD).
  const restoredVersion = await restoredLeaseVersion(c.leases);
  const held = await waitUntil(BUDGETS.restartLeaseMs, c.interrupted, async () => {
    const result = await acquire(c.leases, c.holder, new Date(), RESTART_LEASE, {
      takeOver: c.takeOver,
      succeeds: c.succeeds,
      restoredVersion,
    });
    if (result.held) return true;
    // A certificate renewal names its own server out from its take (cert-renewal.sh take_lease): while it renews
    // the Lease's time, its restart is under way, and the roll waits for it as for any renewal, bounded. A server
    // out under another holder (restartLeaseAnswer): never taken by age; a person decides (design notes, "Who may
    // restart a server").
    if (restartLeaseAnswer(result) === 'refuse')
      throw new Stop(
        'ROLL_RESTART_LEASE_REFUSED',
        `${result.holder} holds the servers' restart Lease (kube-system/${RESTART_LEASE.name}, renewed ${result.renewed}) with ${result.out} out of the cluster. Nothing was changed. If it is a roll whose machine is gone, resume it from its state file, or run \`roll --take-over\` once an hour has passed since its last renewal; if it is a server whose certificate renewal did not come back, see docs/recover.md "When an operation stopped halfway".`,
        3,
      );
    if (!other)
      c.io.warn(
        'ROLL_RESTART_LEASE_WAIT',
        `  ${result.holder} holds the servers' restart Lease (kube-system/${RESTART_LEASE.name})${result.out ? ` with ${result.out} out` : ''}: a certificate renewal restart; waiting for it.`,
      );
    other = result;
    return undefined;
  });
  if (!held) {
    throw new Stop(
      'ROLL_RESTART_LEASE_TIMEOUT',
      `${other?.holder} still holds the servers' restart Lease (kube-system/${RESTART_LEASE.name}, renewed ${other?.renewed}) after ${BUDGETS.restartLeaseMs / 60_000} minutes: a certificate renewal whose server has not come back (journalctl -u rancher-aws-cert-renewal on it). The roll stopped ${where}; run it again once that server is healthy.`,
    );
  }
  c.restart.held = true;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');

/** A healthy server other than the one about to go (instance ids as the state has them now). */
async function healthyPeer(c: StepContext, what: string): Promise<Server> {
  const nodes = (await c.kube.nodes.list()) ?? [];
  const peer = serversOf(await c.terraform.pull(), c.deployment).find((s) => s.name !== c.server.name && isHealthy(nodeOf(nodes, s), false));
  if (!peer) throw new Stop('ROLL_NO_HEALTHY_PEER', `No other healthy server to ${what} on; ${c.server.name} was not touched.`);
  return peer;
}

async function etcdSnapshot(c: StepContext): Promise<void> {
  // Another server takes it (the one about to go is drained next).
  const peer = await healthyPeer(c, 'take the snapshot');
  const snapshot = `${c.name}-roll-${c.server.name}-${stamp()}`;
  const { commandId, result: status } = await onServer(
    c,
    peer,
    `PATH="$PATH:/usr/local/bin" rke2 etcd-snapshot save --name ${snapshot}`,
    `rancher-ha-aws roll: snapshot before ${c.server.name}`,
    BUDGETS.snapshotMs,
  );
  if (!status)
    throw new Stop(
      'ROLL_ETCD_SNAPSHOT_TIMEOUT',
      `The etcd snapshot on ${peer.name} did not finish within ${BUDGETS.snapshotMs / 60_000} minutes (SSM command ${commandId}); ${c.server.name} was not touched. Look at the command's output (aws ssm get-command-invocation), then run the roll again.`,
    );
  if (status.status !== 'Success')
    throw new Stop(
      'ROLL_ETCD_SNAPSHOT_FAILED',
      `The etcd snapshot on ${peer.name} failed (SSM ${status.status}${status.error ? `: ${status.error.split('\n').slice(-3).join(' ')}` : ''}); ${c.server.name} was not touched. Fix it (rke2-server running? the bucket reachable?), then run the roll again.`,
    );
  c.io.info('ROLL_ETCD_SNAPSHOT_SAVED', `  snapshot ${snapshot} saved to the bucket by ${peer.name}.`);
}

/**
 * Voters = servers, read from etcd itself: every member of the etcd member
 * list (through SSM on a healthy server) has a server Node. A leftover member
 * (a server lost without its Node deletion) counts towards the quorum without
 * voting, so taking one more out could lose it.
 */
async function requireMembersAreServers(c: StepContext): Promise<void> {
  const peer = await healthyPeer(c, 'read the etcd member list');
  const { commandId, result } = await onServer(
    c,
    peer,
    MEMBER_LIST_COMMAND,
    `rancher-ha-aws roll: etcd members before ${c.server.name}`,
    BUDGETS.memberListMs,
  );
  if (!result || result.status !== 'Success') {
    throw new Stop(
      'ROLL_MEMBER_LIST_FAILED',
      `Reading the etcd member list on ${peer.name} ${result ? `failed (SSM ${result.status}${result.error ? `: ${result.error.split('\n').slice(-2).join(' ')}` : ''})` : `did not finish (SSM command ${commandId})`}; ${c.server.name} was not touched. Run the roll again once rke2-server answers there.`,
    );
  }
  const nodes = await c.kube.nodes.list();
  if (nodes === undefined)
    throw new Stop('ROLL_API_DOWN', `The Kubernetes API did not answer; ${c.server.name} was not touched. Run the roll again.`);
  const stray = membersWithoutNode(parseMembers(result.output), serverNodes(nodes, c.servers));
  if (stray.length > 0) {
    throw new Stop(
      'ROLL_STRAY_ETCD_MEMBERS',
      `etcd has members no server Node stands for: ${stray.map((m) => `${m.name || '(unnamed)'} ${m.peerURLs.join(' ')}${m.isLearner ? ' (learner)' : ''}`).join(', ')}. ${c.server.name} was not touched: with a member that does not vote, taking one more out may lose quorum. Remove the stale member first (docs/recover.md "Shrinking, losing servers, restoring"), then run the roll again.`,
      2,
    );
  }
}

async function datastoreSnapshot(c: StepContext): Promise<void> {
  const state = await c.terraform.pull();
  const db = inState(state, c.deployment.databases)[0];
  if (!db) throw new Stop('ROLL_NO_DATASTORE', 'K3s without a datastore in the state; nothing was touched.');
  const identifier = String(db.attributes.identifier);
  const snapshot = `${identifier}-roll-${c.server.name}-${stamp()}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const { side, clients } = await c.aws.sdk();
  await side.createDbSnapshot(clients, identifier, snapshot);
  const status = await waitUntil(BUDGETS.snapshotMs, c.interrupted, async () => {
    // Undefined (no such snapshot yet) is looked at again, as `creating` is.
    const s = await side.dbSnapshotStatus(clients, snapshot);
    return s === 'available' || s === 'failed' ? s : undefined;
  });
  if (status !== 'available')
    throw new Stop(
      'ROLL_DATASTORE_SNAPSHOT_FAILED',
      `The datastore snapshot ${snapshot} ${status ?? 'did not finish in time'}; ${c.server.name} was not touched. Run the roll again once RDS is healthy.`,
    );
  c.io.info('ROLL_DATASTORE_SNAPSHOT_AVAILABLE', `  datastore snapshot ${snapshot} available.`, { snapshot });
}

async function drain(c: StepContext): Promise<void> {
  const node = await requireNode(c);
  // Cordoned through the API (a merge patch of spec.unschedulable, as kubectl cordon sends); drain stays kubectl's.
  if (!(await c.kube.nodes.setUnschedulable(node.name, true)))
    throw new Error(`Cordoning Node ${node.name}: the API server has no such Node (NotFound).`);
  const result = await c.kubectl.tryCallAsync(
    ['drain', node.name, '--ignore-daemonsets', '--delete-emptydir-data', `--timeout=${BUDGETS.drainSeconds}s`],
    {
      timeoutMs: (BUDGETS.drainSeconds + 60) * 1000,
    },
  );
  if (!result.ok) {
    await c.kube.nodes.setUnschedulable(node.name, false).catch(() => false);
    throw new Stop(
      'ROLL_DRAIN_FAILED',
      `Draining ${node.name} (${c.server.name}) did not finish within ${BUDGETS.drainSeconds} s: ${result.stderr.trim().split('\n').slice(-2).join(' ')}\nIt was uncordoned; every server is still in the cluster. Look at what blocks the eviction (a PodDisruptionBudget?), then run the roll again.`,
    );
  }
}

async function removeNode(c: StepContext): Promise<void> {
  const nodes = await c.kube.nodes.list();
  if (nodes === undefined)
    throw new Stop(
      'ROLL_API_DOWN',
      `The API did not answer before ${c.server.name}'s Node was deleted; every server is still a member. Run the roll again.`,
    );
  const node = nodeOf(nodes, c.server);
  // Looked at again right before the deletion (design notes, "Who may restart a server"): the drain took up to ten
  // minutes, and a server that went down meanwhile (a reboot, a hung restart) would be the second member out. Not on
  // a rerun that already asked for the deletion.
  if (c.record.removing !== c.server.name) {
    const others = c.servers.filter((s) => s.name !== c.server.name && !isHealthy(nodeOf(nodes, s), c.k3s));
    if (others.length > 0)
      throw new StopDrained(
        'ROLL_OTHER_SERVER_DOWN',
        `After the drain, ${others.map((s) => describeHealth(nodes, s, c.k3s)).join(', ')}: removing ${c.server.name} now would take a second ${c.k3s ? 'server' : 'etcd member'} out. ${c.server.name} was not removed: it stays drained, cordoned and marked out on the restart Lease (the roll keeps its Leases). Bring the other server back, then run the roll again: it continues with this removal.`,
      );
  }
  // Recorded before the deletion is asked for: from then on the server counts as out (its member may go any moment),
  // so a stop keeps the lock and a rerun resumes this wait instead of starting the server over.
  if (c.record.removing !== c.server.name) c.save({ removing: c.server.name });
  if (node && !(await c.kube.nodes.delete(node.name))) throw new Error(`Deleting Node ${node.name}: the API server has no such Node (NotFound).`);
  const nodeName = node?.name ?? c.server.name;
  // The Node stays (a finalizer) until RKE2 has removed its etcd member; then it is gone.
  const gone = await waitUntil(BUDGETS.removeMs, c.interrupted, async () => {
    const now = await c.kube.nodes.list();
    if (now === undefined) return undefined;
    const still = nodeOf(now, c.server);
    if (still) return undefined;
    if (c.k3s) return true;
    const others = c.servers.filter((s) => s.name !== c.server.name);
    return others.every((s) => isHealthy(nodeOf(now, s), false)) ? true : undefined;
  });
  if (!gone)
    throw new Stop(
      'ROLL_REMOVE_TIMEOUT',
      `${c.server.name}'s Node (${nodeName}) was deleted but is still there after ${BUDGETS.removeMs / 60_000} minutes: its etcd member may not be removed yet (rke2-server logs on the other servers; \`kubectl get node ${nodeName} -o jsonpath='{.metadata.finalizers}'\`). ${c.server.name} counts as out: the lock stays, and no other server is touched. Run the roll again to keep waiting for the removal and continue.`,
    );
  c.save({ removing: undefined });
  // The replacement registers under the same name: its old node password would refuse it.
  // None is fine (`--ignore-not-found` before), and a failure does not stop the roll, as the kubectl call's did not.
  await c.kube.deleteSecret('kube-system', `${nodeName}.node-password.${c.k3s ? 'k3s' : 'rke2'}`).catch(() => false);
}

async function replace(c: StepContext): Promise<void> {
  const before = c.record.replacedFrom[c.server.name];
  const current = serversOf(await c.terraform.pull(), c.deployment).find((s) => s.name === c.server.name);
  if (before !== undefined && current && current.instanceId !== before) {
    c.io.info('ROLL_ALREADY_REPLACED', `  ${c.server.name} was already replaced (${before} → ${current.instanceId}) by the interrupted run.`);
    return;
  }
  c.save({ replacedFrom: { ...c.record.replacedFrom, [c.server.name]: current?.instanceId ?? c.server.instanceId } });
  const result = await replaceExactly(
    c.io,
    c.terraform,
    c.server.address,
    `the replacement of ${c.server.name}`,
    `Nothing was applied; ${c.server.name} is out of the cluster and the others are at quorum. Do not apply those changes while a server is out: undo them in the settings (synthesize again), run the roll again to finish this server, then apply them.`,
  );
  if (result.code !== 0)
    throw new Stop(
      'ROLL_REPLACE_FAILED',
      `terraform plan/apply -replace=${c.server.address} ${result.timedOut ? 'did not finish in time' : `failed (exit ${result.code})`}. The other servers are at quorum; ${c.server.name} is out of the cluster. Fix what Terraform says, then run the roll again: it continues with this server.`,
    );
}

async function rejoin(c: StepContext): Promise<void> {
  let upgrade: string | undefined;
  let looks = 0;
  let gaveUp: { instanceId: string; reason: string } | undefined;
  const healthy = await waitUntil(c.rejoinMs, c.interrupted, async () => {
    const nodes = await c.kube.nodes.list();
    if (nodes === undefined) return undefined;
    // Not registered yet: every few looks, whether its boot loader gave up (boot-loader-state.ts), which ends the wait.
    if (!nodeOf(nodes, c.server) && ++looks % LOADER_LOOK_EVERY === 0) {
      gaveUp = await replacementLoaderGaveUp(c);
      if (gaveUp) return false;
    }
    if (!c.servers.every((s) => isHealthy(nodeOf(nodes, s), c.k3s))) return undefined;
    // The upgrade controller runs its Plan on the new Node too (cordoned while it does): wait for that as well. An
    // upgrade held up on the other servers (the roll's Lease holds their Jobs) is the next server's preflight's.
    const others = serverNodes(nodes, c.servers);
    if (await planSettledOn(c.kube, nodeOf(nodes, c.server)!, others)) return true;
    upgrade = await upgradeInFlight(c.kube, others);
    return undefined;
  });
  if (gaveUp) {
    // Replaced again at the next run: the same server stays the one out (its member removed, the lock held).
    c.save({ done: { ...c.record.done, [c.server.name]: 'remove' }, replacedFrom: { ...c.record.replacedFrom, [c.server.name]: gaveUp.instanceId } });
    throw new Stop(
      'ROLL_BOOT_LOADER_GAVE_UP',
      `The new ${c.server.name} (${gaveUp.instanceId}) will never join: its boot loader gave up (${gaveUp.reason}). The other servers are at quorum; ${c.server.name} is out of the cluster. Fix what it names (docs/recover.md, "A server whose boot loader has not succeeded"), apply nothing else, then run the roll again: it replaces ${c.server.name} again before the next server.`,
    );
  }
  if (!healthy && upgrade !== undefined) {
    throw new Stop(
      'ROLL_REJOIN_UPGRADE_PENDING',
      `The new ${c.server.name} is healthy, but ${upgrade} after ${c.rejoinMs / 60_000} minutes. The roll stops before the next server; run it again once the upgrade is finished.`,
    );
  }
  if (!healthy) {
    const nodes = (await c.kube.nodes.list()) ?? [];
    const node = nodeOf(nodes, c.server);
    const state = node
      ? `its Node ${node.name} is ${node.ready ? 'Ready' : 'not Ready'}${c.k3s ? '' : node.etcdVoter ? ', a voter' : ', not an etcd voter'}`
      : 'it has not registered a Node';
    throw new Stop(
      'ROLL_REJOIN_TIMEOUT',
      `The new ${c.server.name} did not become healthy within ${c.rejoinMs / 60_000} minutes: ${state}. The other servers are at quorum. Look at /var/log/cloud-init-output.log on it (aws ssm start-session), then run the roll again: it waits for this server before the next.`,
    );
  }
}

/** The replacement's instance (the state's, after the apply) and its loader's refusal, when it gave up. */
async function replacementLoaderGaveUp(c: StepContext): Promise<{ instanceId: string; reason: string } | undefined> {
  const instanceId = serversOf(await c.terraform.pull(), c.deployment).find((s) => s.name === c.server.name)?.instanceId;
  if (instanceId === undefined) return undefined;
  const reason = await bootLoaderGaveUp(c, instanceId);
  return reason === undefined ? undefined : { instanceId, reason };
}

/** Before a server is touched: no upgrade in flight, and a plan that replaces that server and changes nothing else. */
async function preflight(c: StepContext): Promise<void> {
  await requireNoUpgrade(c.kube, c.servers, `${c.server.name} was not touched`);
  const planFile = rollPlanFile(c.terraform.dir);
  try {
    const planned = await c.terraform.planReplace([c.server.address], planFile, BUDGETS.applyMs, terraformOutput(c.io));
    if (planned.code !== 0)
      throw new Stop(
        'ROLL_PLAN_FAILED',
        `terraform plan -replace=${c.server.address} failed (exit ${planned.code}); ${c.server.name} was not touched. Fix what Terraform says, then run the roll again.`,
      );
    await refuseOtherChanges(
      c.terraform,
      planFile,
      c.server.address,
      `the replacement of ${c.server.name}`,
      `${c.server.name} was not touched: apply them first (a plain \`terraform apply\`, every server in the cluster), then run the roll again.`,
    );
  } finally {
    rmSync(planFile, { force: true });
  }
}

/**
 * After the out mark (written first), no other server cordoned (read second): a renewal timer cordons its own server
 * before it reads the Lease again and restarts it (cert-renewal.sh cordon_self).
 */
async function requireNoneCordoned(c: StepContext): Promise<void> {
  const cordoned = cordonedServers((await c.kube.nodes.list()) ?? [], c.servers, c.server.name);
  if (cordoned.length > 0)
    throw new Stop(
      'ROLL_SERVERS_CORDONED',
      `${cordoned.join(', ')} ${cordoned.length === 1 ? 'is' : 'are'} cordoned (a certificate renewal about to restart it, an upgrade, or a person); ${c.server.name} was not touched. Run the roll again once ${cordoned.length === 1 ? 'it is' : 'they are'} uncordoned.`,
    );
}

/** No in-place upgrade pending or running (it restarts servers one by one: never while the roll has one out). */
async function requireNoUpgrade(kube: KubeApi, servers: readonly Server[], untouched: string): Promise<void> {
  const nodes = await kube.nodes.list();
  if (nodes === undefined) throw new Stop('ROLL_API_DOWN', `The Kubernetes API does not answer; ${untouched}. Run the roll again.`);
  const upgrade = await upgradeInFlight(kube, serverNodes(nodes, servers));
  if (upgrade)
    throw new Stop(
      'ROLL_UPGRADE_IN_FLIGHT',
      `An in-place Kubernetes upgrade is pending or running: ${upgrade}. ${untouched}. Let it finish (or apply again until it does), then run the roll.`,
      2,
    );
}

const serverNodes = (nodes: readonly NodeStatus[], servers: readonly Server[]) =>
  servers.map((s) => nodeOf(nodes, s)).filter((n): n is NodeStatus => n !== undefined);

/** Terraform's plan and apply output, a message a line (on a terminal above the status line, in CI each line coded). */
const terraformOutput = (io: IoHost) => io.lines('ROLL_TERRAFORM_OUTPUT');

/** The saved plan of the roll, beside its state file. */
const rollPlanFile = (dir: string) => resolve(dirname(stateFilePath(dir, 'roll')), 'roll.tfplan');

/** Stops (exit 2) when the saved plan changes anything beyond replacing `address` and what follows it. */
async function refuseOtherChanges(terraform: Terraform, planFile: string, address: string, what: string, advice: string): Promise<void> {
  const others = unexpectedChanges(await terraform.showPlan(planFile), [address]);
  if (others.length === 0) return;
  throw new Stop(
    'ROLL_PLAN_CHANGES_MORE',
    `The plan for ${what} changes more than that:\n${others.map((o) => `  - ${o}`).join('\n')}\nThose are pending changes of the settings (an upgrade among them would restart servers while one is out). ${advice}`,
    2,
  );
}

/** `terraform plan -replace=<address> -out`, its changes checked, then `terraform apply` of exactly that saved plan. */
async function replaceExactly(io: IoHost, terraform: Terraform, address: string, what: string, advice: string) {
  const planFile = rollPlanFile(terraform.dir);
  mkdirSync(dirname(planFile), { recursive: true });
  try {
    const planned = await terraform.planReplace([address], planFile, BUDGETS.applyMs, terraformOutput(io));
    if (planned.code !== 0) return planned;
    await refuseOtherChanges(terraform, planFile, address, what, advice);
    return await terraform.applyPlan(planFile, BUDGETS.applyMs, terraformOutput(io));
  } finally {
    rmSync(planFile, { force: true });
  }
}

async function requireNode(c: StepContext): Promise<NodeStatus> {
  const nodes = await c.kube.nodes.list();
  const node = nodes && nodeOf(nodes, c.server);
  if (!node) throw new Stop('ROLL_NO_NODE', `${c.server.name} has no Node in the cluster; stopped before touching it.`);
  return node;
}

/**
 * The roll starts only with the cluster whole: every server's Node Ready and,
 * with RKE2, a voting etcd member (so voters = servers). A resumed roll accepts
 * the one server it left out of the cluster, and no other.
 */
async function requireHealthy(kube: KubeApi, servers: readonly Server[], k3s: boolean, inFlight: Server | undefined): Promise<void> {
  const nodes = await kube.nodes.list();
  if (nodes === undefined)
    throw new Stop('ROLL_API_DOWN', 'The Kubernetes API does not answer: the roll starts only on a healthy cluster. Nothing was changed.');
  const unhealthy = servers.filter((s) => s !== inFlight && !isHealthy(nodeOf(nodes, s), k3s));
  if (unhealthy.length > 0) {
    const what = unhealthy.map((s) => describeHealth(nodes, s, k3s));
    throw new Stop(
      'ROLL_CLUSTER_UNHEALTHY',
      `The cluster is not healthy and at full membership: ${what.join(', ')}. Nothing was changed. Bring it back first (docs/recover.md "Shrinking, losing servers, restoring").`,
    );
  }
}

/** A server's health as its Node shows it, for a message: `server-1 (ip-10-0-1-10: not Ready)`. */
function describeHealth(nodes: readonly NodeStatus[], s: Server, k3s: boolean): string {
  const node = nodeOf(nodes, s);
  return `${s.name} (${node ? `${node.name}: ${node.ready ? 'Ready' : 'not Ready'}${k3s ? '' : node.etcdVoter ? '' : ', not an etcd voter'}` : 'no Node'})`;
}
