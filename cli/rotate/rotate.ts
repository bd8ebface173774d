import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Aws } from '../shared/aws';
import { Kubectl, type NodeStatus } from '../shared/kubectl';
import { acquire, holderAlive, LeaseLost, markOut, newHolder, readLease, release, RESTART_LEASE, restartLeaseAnswer } from '../shared/lease';
import { LeaseKeeper } from '../shared/lease-keeper';
import { appliedDeployment } from '../shared/module-folder';
import { Interrupted, POLL_INTERVAL_MS, pollPause, waitUntil, yieldFor } from '../shared/poll';
import { isHealthy, nodeOf, onServer, type Server, serversOf, writeKubeconfig } from '../roll/roll';
import ROTATE_TOKEN_SCRIPT from './rotate-token.sh';
import { StateFile, stateFilePath } from '../shared/state-file';
import { ModuleState, Terraform } from '../shared/terraform';
import { upgradeInFlight } from '../shared/upgrade-state';

/** What `rotate` rotates. */
export const ROTATIONS = ['token', 'encryption-key'] as const;
export type Rotation = (typeof ROTATIONS)[number];

/** The bounded budgets of the rotation's waits (docs/day-2.md "Rotating the cluster token"). */
export const ROTATE_BUDGETS = {
  /** One SSM command on a server (a status, the rotation, the token file, the restart asked). */
  commandMs: 5 * 60_000,
  /** A restarted server Ready (and an etcd voter), and every server healthy, before the next. */
  restartMs: 15 * 60_000,
  /** The servers' restart Lease free, when a certificate renewal holds it (its restart waits 15 minutes at most). */
  restartLeaseMs: 20 * 60_000,
} as const;

export interface RotateOptions {
  readonly dir: string;
  readonly label: string;
  readonly rotation: Rotation;
  /** The deployment, by name, where the module holds more than one. */
  readonly deployment?: string;
  readonly dryRun?: boolean;
  /** Budget of each restarted server's wait, in minutes. @default 15 */
  readonly waitMinutes?: number;
  /** Where the token the rotation replaces is saved (a restore of an older snapshot needs it). @default ./<name>-join-token-<time> */
  readonly tokenFile?: string;
  /** Take the restart Lease of a rotation whose machine is gone (not renewed for an hour) with a server out. */
  readonly takeOver?: boolean;
  readonly interrupted?: () => boolean;
  readonly log: (line: string) => void;
}

/**
 * What the command keeps between runs: who runs it (a resumed run succeeds a dead holder's Lease), the parameter's
 * version before its write (the one fact the world cannot tell: a token never written and a rotation finished look
 * alike), and where the replaced token went. Never a token.
 */
export interface RotateRecord {
  readonly holder: string;
  readonly started: string;
  readonly rotation: Rotation;
  /** The token parameter's version when the rotation started: a later version holds the new token. */
  readonly versionBefore: number;
  readonly tokenFile: string;
}

/** One server's token files as rotate-token.sh `status` reports them. */
export interface TokenStatus {
  /** The token file the service reads at start holds the parameter's token. */
  readonly config: boolean;
  /** The data directory's server/token does (the server that ran `token rotate`, or one started with it). */
  readonly server: boolean;
  /** The service started after that token file was last written. */
  readonly startedAfterConfig: boolean;
  /** cluster_healthy on that server: the deployment's server count Ready and (RKE2) every etcd member voting and healthy. */
  readonly clusterHealthy: boolean;
}

export function parseTokenStatus(output: string): TokenStatus | undefined {
  const line = /^rotate-token config=(yes|no) server=(yes|no) started-after-config=(yes|no) healthy=(yes|no)$/m.exec(output);
  return line
    ? { config: line[1] === 'yes', server: line[2] === 'yes', startedAfterConfig: line[3] === 'yes', clusterHealthy: line[4] === 'yes' }
    : undefined;
}

/**
 * A server as the rotation sees it: its token files, and whether it is healthy (its Node Ready and, RKE2, an etcd
 * voter, as kubectl shows it; and the cluster whole as the server itself sees it, etcd members answering /health).
 */
export interface ServerView {
  readonly name: string;
  readonly status: TokenStatus;
  readonly healthy: boolean;
}

/** The rotation's next step, decided from the world alone (the model's rotation actor decides the same way). */
export type TokenStep =
  | { readonly kind: 'rotate'; readonly server: string }
  | { readonly kind: 'config'; readonly servers: readonly string[] }
  | { readonly kind: 'wait'; readonly unhealthy: readonly string[] }
  | { readonly kind: 'restart'; readonly server: string }
  | { readonly kind: 'done' };

/**
 * Once the parameter holds the new token: the cluster's token is rotated first (no data directory holds the new
 * token yet: on the first healthy server), then every server's token file gets it (before any restart: a server
 * that starts with the old token is refused the bootstrap data, and with the new one before the rotation too), then
 * each server not restarted since its file was written is restarted, one at a time, only with every server healthy.
 */
export function nextTokenStep(servers: readonly ServerView[]): TokenStep {
  if (!servers.some((s) => s.status.server)) {
    const first = servers.find((s) => s.healthy);
    return first ? { kind: 'rotate', server: first.name } : { kind: 'wait', unhealthy: servers.map((s) => s.name) };
  }
  const stale = servers.filter((s) => !s.status.config).map((s) => s.name);
  if (stale.length > 0) return { kind: 'config', servers: stale };
  const next = servers.find((s) => !s.status.startedAfterConfig);
  const unhealthy = servers.filter((s) => !s.healthy).map((s) => s.name);
  if (unhealthy.length > 0) return { kind: 'wait', unhealthy };
  return next ? { kind: 'restart', server: next.name } : { kind: 'done' };
}

/** A stop with its exit code (2: refused, nothing changed; 3: someone else restarts servers; 130: interrupted). */
export class Stop extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** The token parameter of the deployment's state: its name, key, tier and description, as Terraform wrote them. */
function tokenParameterOf(state: ModuleState): { name: string; keyId: string; tier: string; description: string } | undefined {
  const r = state.resources.find(
    (x) => x.mode === 'managed' && x.type === 'aws_ssm_parameter' && typeof x.attributes.name === 'string' && x.attributes.name.endsWith('/token'),
  );
  if (!r || typeof r.attributes.key_id !== 'string') return undefined;
  return {
    name: String(r.attributes.name),
    keyId: r.attributes.key_id,
    tier: String(r.attributes.tier ?? 'Standard'),
    description: String(r.attributes.description ?? ''),
  };
}

/** A cluster token in its secure form: the CA's hash, the `server` user, the secret part. */
const SECURE_TOKEN = /^(K10[0-9a-f]{64})::server:([A-Za-z0-9]+)$/;

/** A new secret part: 48 letters and digits, as the deployment's first one (random_password, no special characters). */
function newSecret(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let secret = '';
  while (secret.length < 48) for (const byte of randomBytes(64)) if (byte < 248 && secret.length < 48) secret += alphabet[byte % 62];
  return secret;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');

/** Rotates the cluster token of an rke-ha deployment; see docs/day-2.md "Rotating the cluster token". Returns the exit code. */
export async function rotate(options: RotateOptions): Promise<number> {
  const { log } = options;
  const terraform = new Terraform(options.dir);
  const file = new StateFile<RotateRecord>(stateFilePath(options.dir, 'rotate'));
  const applied = appliedDeployment(terraform, options.dir, options.deployment, 'rotate', log);
  if (!applied) return 2;
  const { state, deployment } = applied;
  const name = deployment.name ?? options.label;
  const servers = serversOf(state, deployment);
  if (deployment.kind !== 'rke-ha' || servers.length === 0) {
    log(
      `${name} (${options.label}) is a ${deployment.kind} deployment without servers of its own in the state: the cluster token of rke-ha's RKE2 or K3s servers is what this rotates.`,
    );
    return 2;
  }
  const parameter = tokenParameterOf(state);
  const region = deployment.region;
  if (!parameter || !region) {
    log(`The state of ${name} has no token parameter (aws_ssm_parameter .../token) or no region: nothing was changed.`);
    return 2;
  }
  const k3s = deployment.distribution === 'k3s';
  const dist = k3s ? 'k3s' : 'rke2';
  const previous = file.read();
  const restartMs = (options.waitMinutes ?? ROTATE_BUDGETS.restartMs / 60_000) * 60_000;
  const tokenFile = previous?.tokenFile ?? resolve(options.tokenFile ?? `${name}-join-token-${stamp()}`);
  log(
    `Rotation of the cluster token of ${name} (${options.label}, ${k3s ? 'K3s on an external datastore' : 'RKE2 with embedded etcd'}, ${servers.length} servers):`,
  );
  if (previous && previous.rotation !== 'token') {
    log(
      `A rotation of the ${previous.rotation} started ${previous.started} from this folder is not finished (${file.path}): run \`rotate ${previous.rotation}\` again to finish it first. Nothing was changed.`,
    );
    return 2;
  }
  if (previous) log(`  Resuming the rotation started ${previous.started} (${file.path}); the parameter and the servers decide what is done.`);
  log(`  1. the servers' restart Lease (kube-system/${RESTART_LEASE.name}) taken, every server Ready${k3s ? '' : ' and an etcd voter'}`);
  log(`  2. the current token saved to ${tokenFile} (a restore of a snapshot taken before the rotation needs it)`);
  log(`  3. a new token written to the parameter ${parameter.name} first: every server that joins from then on uses it`);
  log(`  4. \`${dist} token rotate\` on the first healthy server (the bootstrap data in the ${k3s ? 'datastore' : 'etcd'} re-encrypted with it)`);
  log(`  5. the new token into every server's /etc/rancher/${dist}/token, before any restart`);
  log(
    `  6. each server restarted, one at a time, marked out on the Lease, until Ready${k3s ? '' : ' and an etcd voter'} with every server healthy (${restartMs / 60_000} minutes at most each)`,
  );
  if (options.dryRun) {
    log('Dry run: nothing was changed.');
    return 0;
  }

  const kubeconfig = writeKubeconfig(options.dir, state);
  const kubectl = new Kubectl(kubeconfig);
  if (previous && holderAlive(previous.holder)) {
    log(`Another rotation runs from this folder now (${previous.holder}, ${file.path}); nothing was changed.`);
    rmSync(kubeconfig, { force: true });
    return 3;
  }
  const holder = newHolder();
  const interrupted = options.interrupted ?? (() => false);
  const aws = new Aws(region);
  const keeper = new LeaseKeeper(kubectl, holder);
  let record: RotateRecord | undefined = previous ? { ...previous, holder } : undefined;
  try {
    await takeRestartLease(kubectl, holder, { takeOver: options.takeOver, succeeds: previous?.holder, interrupted, log });
    keeper.hold(RESTART_LEASE);
    if (record) file.write(record);
    const c: TokenContext = { aws, kubectl, servers, k3s, dist, interrupted, log, keeper, holder, restartMs };

    // The new token, in the parameter before anything uses it. The version read tells a write not yet done from one done.
    const current = readParameter(aws, parameter.name);
    const written = record !== undefined && current.version > record.versionBefore;
    if (!written) {
      const secure = SECURE_TOKEN.exec(current.value);
      if (!secure)
        throw new Stop(
          `The parameter ${parameter.name} does not hold a cluster token in its secure form (K10<CA hash>::server:<secret>); nothing was changed.`,
          2,
        );
      if (!record) {
        const nodes = kubectl.nodes();
        const upgrade =
          nodes &&
          upgradeInFlight(
            kubectl,
            servers.map((x) => nodeOf(nodes, x)).filter((n): n is NodeStatus => n !== undefined),
          );
        if (upgrade)
          throw new Stop(
            `An in-place Kubernetes upgrade is pending or running: ${upgrade}. Nothing was changed; let it finish, then run the rotation.`,
            2,
          );
        // Every server on the parameter's token, and restarted with it: no rotation of someone else's half done.
        const views = await observe(c);
        const off = views.filter((v) => !v.status.config || !v.healthy);
        if (off.length > 0)
          throw new Stop(
            `Before a rotation every server runs the parameter's token and is healthy; ${off.map((v) => `${v.name} (${!v.healthy ? 'not healthy' : 'its token file differs'})`).join(', ')}. Nothing was changed.`,
            2,
          );
      }
      saveOldToken(tokenFile, current.value);
      record = record ?? { holder, started: new Date().toISOString(), rotation: 'token', versionBefore: current.version, tokenFile };
      file.write(record);
      keeper.check();
      // Standard input, never an argument (the process list shows arguments to every local user); the key, tier and
      // description Terraform gave it, so its next plan sees only the value, which it ignores.
      aws.call(
        ['ssm', 'put-parameter', '--cli-input-json', 'file:///dev/stdin'],
        [],
        ROTATE_BUDGETS.commandMs,
        JSON.stringify({
          Name: parameter.name,
          Type: 'SecureString',
          KeyId: parameter.keyId,
          Tier: parameter.tier,
          Description: parameter.description,
          Overwrite: true,
          Value: `${secure[1]}::server:${newSecret()}`,
        }),
      );
      log(`The new token is in ${parameter.name}; the previous one is in ${tokenFile}.`);
    } else log(`The parameter ${parameter.name} already holds the new token (version ${current.version}).`);

    for (let steps = 0; ; steps++) {
      await yieldFor(0);
      if (interrupted()) throw new Stop(`Interrupted. Run the rotation again to continue (${file.path}).`, 130);
      keeper.check();
      if (steps > 4 * servers.length + 4)
        throw new Stop(
          `The rotation took more steps than ${servers.length} servers can need (a server that keeps going back to an earlier state?). Nothing more was done; look at the servers, then run it again.`,
        );
      const views = await observe(c);
      const step = nextTokenStep(views);
      if (step.kind === 'done') break;
      await runTokenStep(c, step);
    }
    keeper.stop();
    release(kubectl, holder, RESTART_LEASE);
    file.remove();
    log(
      `Rotation of ${name}'s cluster token finished: every server restarted with the new token, one at a time. Servers that join from now on (a roll, a new server) read it from ${parameter.name}; the output join_token shows it after the next refresh (terraform apply -refresh-only). Keep ${tokenFile} while snapshots from before the rotation are kept.`,
    );
    return 0;
  } catch (caught) {
    keeper.stop();
    if (caught instanceof LeaseLost) {
      log(`${caught.message}\nThe rotation stopped; whoever holds the Lease now continues (${file.path} is left as it was).`);
      return 3;
    }
    const error =
      caught instanceof Stop
        ? caught
        : caught instanceof Interrupted
          ? new Stop(`Interrupted. Run the rotation again to continue (${file.path}).`, 130)
          : new Stop(`${(caught as Error).message}\nThe rotation stopped there; run it again to continue (${file.path}).`);
    log(error.message);
    // A server out (a restart not seen through) keeps the Lease marked out: only this rotation's rerun continues it.
    let out = true;
    try {
      const lease = readLease(kubectl, RESTART_LEASE);
      out = lease?.holder === holder && lease.out !== undefined;
    } catch {
      // Unreadable: left as it is (held, and renewed by nobody, it lapses within the hour unless a server is out).
    }
    if (!out) release(kubectl, holder, RESTART_LEASE);
    // Refused before anything changed: nothing to resume.
    if (error.code === 2 && record === undefined) file.remove();
    return error.code;
  } finally {
    rmSync(kubeconfig, { force: true });
  }
}

interface TokenContext {
  readonly aws: Aws;
  readonly kubectl: Kubectl;
  readonly servers: readonly Server[];
  readonly k3s: boolean;
  readonly dist: 'rke2' | 'k3s';
  readonly interrupted: () => boolean;
  readonly log: (line: string) => void;
  readonly keeper: LeaseKeeper;
  readonly holder: string;
  readonly restartMs: number;
}

function readParameter(aws: Aws, name: string): { value: string; version: number } {
  const answer = aws.call<{ Parameter?: { Value?: string; Version?: number } }>(['ssm', 'get-parameter', '--name', name, '--with-decryption']);
  const value = answer?.Parameter?.Value;
  if (typeof value !== 'string') throw new Stop(`aws ssm get-parameter answered no value for ${name}; nothing was changed.`);
  return { value, version: Number(answer?.Parameter?.Version ?? 0) };
}

/** The token being replaced, to a file of its own (never over a file holding anything else). */
function saveOldToken(path: string, token: string): void {
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8').trim() === token) return;
    throw new Stop(
      `${path} exists and holds something else than the current cluster token: it is not overwritten. Move it away (or name another file with --token-file), then run the rotation again.`,
      2,
    );
  }
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
}

/** The shell command that runs the script with one action on a server. */
const scriptCommand = (action: string, dist: string) =>
  `echo ${Buffer.from(ROTATE_TOKEN_SCRIPT).toString('base64')} | base64 -d > /run/rancher-aws-rotate-token.sh && bash /run/rancher-aws-rotate-token.sh ${action} ${dist}`;

/** The script on a server through SSM, with one action; its output. */
async function onServerScript(c: TokenContext, server: Server, action: string): Promise<string> {
  const command = scriptCommand(action, c.dist);
  const { commandId, result } = await onServer(
    c,
    server,
    command,
    `rancher-ha-aws rotate token: ${action} on ${server.name}`,
    ROTATE_BUDGETS.commandMs,
  );
  if (!result)
    throw new Stop(
      `The token ${action} on ${server.name} did not finish within ${ROTATE_BUDGETS.commandMs / 60_000} minutes (SSM command ${commandId}). Run the rotation again.`,
    );
  if (result.status !== 'Success')
    throw new Stop(
      `The token ${action} on ${server.name} failed (SSM ${result.status}${result.error ? `: ${result.error.split('\n').slice(-2).join(' ')}` : ''}; command ${commandId}). Run the rotation again once it answers.`,
    );
  return result.output;
}

async function statusOf(c: TokenContext, server: Server): Promise<TokenStatus> {
  const output = await onServerScript(c, server, 'status');
  const status = parseTokenStatus(output);
  if (!status) throw new Stop(`${server.name} answered no token status (${output.trim().slice(0, 200)}). Run the rotation again.`);
  return status;
}

/**
 * Waits (bounded) until `server` reports a start after its token file was written and the whole cluster healthy from
 * there, and kubectl shows every server Ready (and a voter): the restart asked for is seen through, not assumed.
 */
async function backAndWhole(c: TokenContext, server: Server): Promise<boolean> {
  const looks = Math.max(1, Math.ceil(c.restartMs / POLL_INTERVAL_MS));
  for (let look = 0; look < looks; look++) {
    if (c.interrupted()) throw new Interrupted();
    const nodes = c.kubectl.nodes();
    if (nodes && c.servers.every((x) => isHealthy(nodeOf(nodes, x), c.k3s))) {
      const status = await statusOf(c, server);
      if (status.startedAfterConfig && status.clusterHealthy) return true;
    }
    if (look + 1 < looks) await yieldFor(pollPause());
  }
  return false;
}

/**
 * Each server's token files and its health: one `status` command sent to every server at once, their answers read
 * together (list-command-invocations), and the Nodes. The SSM agent is a service of its own: a server whose
 * rke2-server (k3s) restarts, or failed to start, still answers.
 */
async function observe(c: TokenContext): Promise<ServerView[]> {
  const ids = c.servers.map((s) => s.instanceId);
  const sent = c.aws.call<{ Command?: { CommandId?: string } }>([
    'ssm',
    'send-command',
    '--instance-ids',
    ...ids,
    '--document-name',
    'AWS-RunShellScript',
    '--comment',
    'rancher-ha-aws rotate token: status of every server',
    '--parameters',
    JSON.stringify({ commands: [scriptCommand('status', c.dist)], executionTimeout: [String(ROTATE_BUDGETS.commandMs / 1000)] }),
  ]);
  const commandId = sent?.Command?.CommandId;
  if (!commandId) throw new Error('aws ssm send-command answered without a command id.');
  type Invocation = { InstanceId?: string; Status?: string; CommandPlugins?: { Output?: string }[] };
  const answers = await waitUntil(ROTATE_BUDGETS.commandMs, c.interrupted, () => {
    const listed = c.aws.call<{ CommandInvocations?: Invocation[] }>(['ssm', 'list-command-invocations', '--command-id', commandId, '--details']);
    const invocations = listed?.CommandInvocations ?? [];
    const over = invocations.filter((i) => i.Status !== undefined && !['Pending', 'InProgress', 'Delayed'].includes(i.Status));
    return over.length === ids.length ? invocations : undefined;
  });
  if (!answers)
    throw new Stop(
      `The servers' token status did not finish within ${ROTATE_BUDGETS.commandMs / 60_000} minutes (SSM command ${commandId}). Run the rotation again.`,
    );
  const nodes = c.kubectl.nodes();
  if (nodes === undefined) throw new Stop('The Kubernetes API did not answer. Run the rotation again.');
  return c.servers.map((server) => {
    const answer = answers.find((i) => i.InstanceId === server.instanceId);
    const output = (answer?.CommandPlugins ?? []).map((p) => p.Output ?? '').join('\n');
    const status = answer?.Status === 'Success' ? parseTokenStatus(output) : undefined;
    if (!status)
      throw new Stop(
        `${server.name} answered no token status (SSM ${answer?.Status ?? 'no answer'}: ${output.trim().slice(0, 200)}; command ${commandId}). Run the rotation again once it answers.`,
      );
    return { name: server.name, status, healthy: isHealthy(nodeOf(nodes, server), c.k3s) && status.clusterHealthy };
  });
}

async function runTokenStep(c: TokenContext, step: Exclude<TokenStep, { kind: 'done' }>): Promise<void> {
  const server = (name: string) => c.servers.find((s) => s.name === name)!;
  switch (step.kind) {
    case 'rotate':
      c.log(`${step.server}: ${c.dist} token rotate --new-token (from the parameter): the bootstrap data re-encrypted with the new token.`);
      await onServerScript(c, server(step.server), 'rotate');
      return;
    case 'config':
      for (const name of step.servers) {
        await onServerScript(c, server(name), 'config');
        c.log(`${name}: the new token is in /etc/rancher/${c.dist}/token (read at its next start).`);
      }
      return;
    case 'wait': {
      // A server out or restarting (this rotation's restart under way, or anything else): no other server restarts
      // until every one is healthy again, bounded.
      c.log(`  waiting for ${step.unhealthy.join(', ')} to be healthy before any restart`);
      const healthy = await waitUntil(c.restartMs, c.interrupted, () => {
        const nodes = c.kubectl.nodes();
        return nodes && c.servers.every((s) => isHealthy(nodeOf(nodes, s), c.k3s)) ? true : undefined;
      });
      if (!healthy)
        throw new Stop(
          `${step.unhealthy.join(', ')} ${step.unhealthy.length === 1 ? 'is' : 'are'} not healthy after ${c.restartMs / 60_000} minutes: no other server is restarted while one is out. Look at journalctl -u ${c.k3s ? 'k3s' : 'rke2-server'} there (aws ssm start-session), then run the rotation again.`,
        );
      markOut(c.kubectl, c.holder, undefined);
      return;
    }
    case 'restart': {
      const s = server(step.server);
      c.log(`${s.name}: restarted with the new token (marked out on the Lease), then waited for until healthy.`);
      markOut(c.kubectl, c.holder, s.privateIp);
      // Write first, read second (design notes, "Who may restart a server"): with the mark written, an upgrade Job
      // whose prepare step passed before it is seen here, applying; one that starts after it finds the mark.
      const nodes = c.kubectl.nodes();
      const upgrade =
        nodes &&
        upgradeInFlight(
          c.kubectl,
          c.servers.map((x) => nodeOf(nodes, x)).filter((n): n is NodeStatus => n !== undefined),
        );
      if (nodes === undefined || upgrade) {
        markOut(c.kubectl, c.holder, undefined);
        throw new Stop(
          `${upgrade ? `An in-place Kubernetes upgrade is pending or running: ${upgrade}` : 'The Kubernetes API did not answer'}. ${s.name} was not restarted; let the upgrade finish, then run the rotation again (it continues from here).`,
          2,
        );
      }
      await onServerScript(c, s, 'restart');
      // Seen started again (after its token file), then healthy with every other server: one restart at a time.
      if (!(await backAndWhole(c, s)))
        throw new Stop(
          `${s.name} was restarted with the new token and is not healthy after ${c.restartMs / 60_000} minutes; it stays marked out on the Lease and no other server is restarted. Look at journalctl -u ${c.k3s ? 'k3s' : 'rke2-server'} on it, then run the rotation again.`,
        );
      markOut(c.kubectl, c.holder, undefined);
      return;
    }
  }
}

/** Takes the servers' restart Lease, waiting (bounded) while a certificate renewal's restart holds it. */
export async function takeRestartLease(
  kubectl: Kubectl,
  holder: string,
  o: { takeOver?: boolean; succeeds?: string; interrupted: () => boolean; log: (line: string) => void },
): Promise<void> {
  let told = false;
  let last = '';
  const held = await waitUntil(ROTATE_BUDGETS.restartLeaseMs, o.interrupted, () => {
    const result = acquire(kubectl, holder, new Date(), RESTART_LEASE, { takeOver: o.takeOver, succeeds: o.succeeds });
    if (result.held) return true;
    if (restartLeaseAnswer(result) === 'refuse')
      throw new Stop(
        `${result.holder} holds the servers' restart Lease (kube-system/${RESTART_LEASE.name}, renewed ${result.renewed}) with ${result.out} out of the cluster. Nothing was changed. A roll: finish it first; a rotation whose machine is gone: resume it from its folder, or \`rotate --take-over\` an hour after its last renewal.`,
        3,
      );
    last = `${result.holder}, renewed ${result.renewed}`;
    if (!told) o.log(`  ${result.holder} holds the servers' restart Lease: waiting for it.`);
    told = true;
    return undefined;
  });
  if (!held)
    throw new Stop(
      `The servers' restart Lease is still held (${last}) after ${ROTATE_BUDGETS.restartLeaseMs / 60_000} minutes. Nothing was changed; run the rotation again later.`,
      3,
    );
}
