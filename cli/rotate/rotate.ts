import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Aws } from '../shared/aws';
import type { ClientsOfRegion } from '../shared/aws/clients';
import type { SecureParameter } from '../shared/aws/parameters';
import { IoHost } from '../shared/io/io-host';
import { RESTART_LEASE } from '../shared/lease';
import { onServer } from '../shared/server-command';
import type { Server } from '../shared/servers';
import {
  refuseUpgradeInFlight,
  restartEachServer,
  planStep,
  restartMarkedOut,
  ROTATE_BUDGETS,
  Stop,
  type UnderLease,
  waitEveryServerHealthy,
} from './restart-each-server';
import { askEveryServer, otherRotationUnfinished, rotatedDeployment } from './restart-each-server';
import { snapshotAfterTokenRotation } from './rotate-snapshot';
import ROTATE_TOKEN_SCRIPT from './rotate-token.sh';
import { StateFile, stateFilePath } from '../shared/state-file';
import { TRANSITION_PLAN } from '../shared/renewal-transition';
import { ModuleState } from '../shared/terraform';
import { STANDBY_TOKEN_PARAMETER } from '../../lib/standby/standby-facts-keys';

export { ROTATE_BUDGETS, Stop } from './restart-each-server';

/** What `rotate` rotates. */
export const ROTATIONS = ['token', 'encryption-key'] as const;
export type Rotation = (typeof ROTATIONS)[number];

/**
 * A rotation's settings and where its messages go: an I/O host, the command line's (progress on a terminal, coded
 * lines elsewhere) or the acceptance run's (its spans inside the run's rotate phase).
 */
export type RotateOptions = RotateSettings & { readonly io: IoHost };

export interface RotateSettings {
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
  /** The AWS clients of each region (the tests' fake cloud); unset, the SDK's default chain, made at the first call. */
  readonly aws?: ClientsOfRegion;
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
  /** The servers whose renewal timer this rotation disabled (the transition), once it looked; enabled again at its end. */
  readonly disabledTimers?: readonly string[];
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

/** The token parameter of the deployment's state: its name, key, tier and description, as Terraform wrote them. */
interface TokenParameter {
  readonly name: string;
  readonly keyId: string;
  readonly tier: string;
  readonly description: string;
}

/** The parameter of the state whose name ends with `suffix`, and its region (its ARN's). */
function parameterOf(state: ModuleState, suffix: string): (TokenParameter & { readonly region?: string }) | undefined {
  const r = state.resources.find(
    (x) => x.mode === 'managed' && x.type === 'aws_ssm_parameter' && typeof x.attributes.name === 'string' && x.attributes.name.endsWith(suffix),
  );
  if (!r || typeof r.attributes.key_id !== 'string') return undefined;
  return {
    name: String(r.attributes.name),
    keyId: r.attributes.key_id,
    tier: String(r.attributes.tier ?? 'Standard'),
    description: String(r.attributes.description ?? ''),
    region: typeof r.attributes.arn === 'string' ? r.attributes.arn.split(':')[3] || undefined : undefined,
  };
}

const tokenParameterOf = (state: ModuleState) => parameterOf(state, '/token');

/**
 * The token's copy in the standby region (lib/standby/etcd-break-glass.ts: rke-ha with RKE2 and `standby.region`),
 * which a restore of the etcd snapshot copies reads there: the rotation writes it right after production's parameter.
 */
function standbyTokenParameterOf(state: ModuleState): (TokenParameter & { readonly region: string }) | undefined {
  const p = parameterOf(state, STANDBY_TOKEN_PARAMETER);
  return p?.region ? { ...p, region: p.region } : undefined;
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

/** Rotates the cluster token of an rke-ha deployment; see docs/rotate.md "Rotating the cluster token". Returns the exit code. */
export async function rotate(options: RotateOptions): Promise<number> {
  const { io } = options;
  const file = new StateFile<RotateRecord>(stateFilePath(options.dir, 'rotate'));
  const found = await rotatedDeployment(options, "the cluster token of rke-ha's RKE2 or K3s servers");
  if (!found) return 2;
  const { state, deployment, name, servers } = found;
  const parameter = tokenParameterOf(state);
  const region = deployment.region;
  if (!parameter || !region) {
    io.error(
      'ROTATE_NO_TOKEN_PARAMETER',
      `The state of ${name} has no token parameter (aws_ssm_parameter .../token) or no region: nothing was changed.`,
    );
    return 2;
  }
  const standby = standbyTokenParameterOf(state);
  const k3s = deployment.distribution === 'k3s';
  const dist = k3s ? 'k3s' : 'rke2';
  const previous = file.read();
  const restartMs = (options.waitMinutes ?? ROTATE_BUDGETS.restartMs / 60_000) * 60_000;
  const tokenFile = previous?.tokenFile ?? resolve(options.tokenFile ?? `${name}-join-token-${stamp()}`);
  if (otherRotationUnfinished(previous, 'token', file, io)) return 2;
  if (previous)
    io.info(
      'ROTATE_RESUMING',
      `Resuming the rotation started ${previous.started} (${file.path}); the parameter and the servers decide what is done.`,
      { started: previous.started },
    );
  // The plan is one message: its numbered steps are the status line's step n of m.
  const plan = [
    `Rotation of the cluster token of ${name} (${options.label}, ${k3s ? 'K3s on an external datastore' : 'RKE2 with embedded etcd'}, ${servers.length} servers):`,
    `  1. the servers' restart Lease (kube-system/${RESTART_LEASE.name}) taken, every server Ready${k3s ? '' : ' and an etcd voter'}`,
    `  2. the current token saved to ${tokenFile} (a restore of a snapshot taken before the rotation needs it)`,
    `  3. a new token written to the parameter ${parameter.name} first: every server that joins from then on uses it${standby ? `; then to its copy ${standby.name} in ${standby.region}, which a restore of the standby's etcd snapshot copies reads` : ''}`,
    `  4. \`${dist} token rotate\` on the first healthy server (the bootstrap data in the ${k3s ? 'datastore' : 'etcd'} re-encrypted with it)`,
    `  5. the new token into every server's /etc/rancher/${dist}/token, before any restart`,
    `  6. each server restarted, one at a time, marked out on the Lease, until Ready${k3s ? '' : ' and an etcd voter'} with every server healthy (${restartMs / 60_000} minutes at most each)`,
    `  ${TRANSITION_PLAN}`,
    ...(k3s
      ? []
      : ['  7. an etcd snapshot after the last restart (rke2 etcd-snapshot save on one server): the newest, which restores with the new token']),
  ];
  io.info('ROTATE_PLAN', plan.join('\n'), {
    rotation: 'token',
    deployment: name,
    servers: servers.map((s) => s.name),
    resumed: previous !== undefined,
  });
  if (options.dryRun) {
    io.result('ROTATE_DRY_RUN', 'Dry run: nothing was changed.');
    return 0;
  }
  const planSteps = k3s ? 6 : 7;

  const code = await restartEachServer<RotateRecord, Exclude<TokenStep, { kind: 'done' }>>({
    operation: 'rotate token',
    dir: options.dir,
    state,
    region,
    clients: options.aws?.(region),
    servers,
    k3s,
    restartMs,
    file,
    previous,
    takeOver: options.takeOver,
    interrupted: options.interrupted,
    io,
    planSteps,
    restarts: {
      order: () => servers.map((s) => s.name),
      says: (server) => `${server}: restarted with the new token (marked out on the Lease), then waited for until healthy.`,
    },
    start: (c, record) =>
      startTokenRotation({ ...c, dist, planSteps }, record, {
        file,
        parameter,
        tokenFile,
        standby: standby && { parameter: standby, aws: new Aws(standby.region, options.aws?.(standby.region)) },
      }),
    next: async (c) => {
      const step = nextTokenStep(await observe({ ...c, dist, planSteps }));
      return step.kind === 'done' ? 'done' : step;
    },
    run: (c, step) => runTokenStep({ ...c, dist, planSteps }, step),
    tooManySteps: { extra: 4, why: 'a server that keeps going back to an earlier state?', lookAt: 'look at the servers' },
    finished: () =>
      `Rotation of ${name}'s cluster token finished: every server restarted with the new token, one at a time. Servers that join from now on (a roll, a new server) read it from ${parameter.name}; the output join_token shows it after the next refresh (terraform apply -refresh-only). Keep ${tokenFile} while snapshots from before the rotation are kept.`,
  });
  if (code !== 0 || k3s) return code;
  const rotatedAt = new Date().toISOString();
  // The rotation has succeeded whatever the snapshot does: exit 0 either way (rotate-snapshot.ts says why).
  await snapshotAfterTokenRotation({
    aws: new Aws(region, options.aws?.(region)),
    interrupted: options.interrupted ?? (() => false),
    io,
    step: { n: 7, m: planSteps },
    name,
    servers,
    tokenFile,
    rotatedAt,
  });
  return 0;
}

/** The token's copy in the standby region and the clients of that region. */
interface StandbyToken {
  readonly parameter: TokenParameter & { readonly region: string };
  readonly aws: Aws;
}

/**
 * Under the Lease, before the first step: the new token in the parameter before anything uses it (a first run's
 * refusals before, the replaced token saved and the record written first), then in its standby copy. The version
 * read tells a write not yet done from one done.
 */
async function startTokenRotation(
  c: TokenContext,
  record: { current: RotateRecord | undefined },
  o: { readonly file: StateFile<RotateRecord>; readonly parameter: TokenParameter; readonly tokenFile: string; readonly standby?: StandbyToken },
): Promise<void> {
  const { aws, keeper, io } = c;
  const { file, parameter, tokenFile } = o;
  if (record.current) file.write(record.current);
  const current = await readParameter(aws, parameter.name);
  const written = record.current !== undefined && current.version > record.current.versionBefore;
  if (written) {
    io.info('ROTATE_TOKEN_ALREADY_WRITTEN', `The parameter ${parameter.name} already holds the new token (version ${current.version}).`, {
      parameter: parameter.name,
    });
    // A run stopped between the two writes: the copy gets it now, still before `token rotate` (step 4).
    if (o.standby) await copyToStandby(io, o.standby, current.value);
    return;
  }
  const secure = SECURE_TOKEN.exec(current.value);
  if (!secure)
    throw new Stop(
      'ROTATE_TOKEN_NOT_SECURE',
      `The parameter ${parameter.name} does not hold a cluster token in its secure form (K10<CA hash>::server:<secret>); nothing was changed.`,
      2,
    );
  if (!record.current) {
    await refuseUpgradeInFlight(c);
    // Every server on the parameter's token, and restarted with it: no rotation of someone else's half done.
    const views = await observe(c);
    const off = views.filter((v) => !v.status.config || !v.healthy);
    if (off.length > 0)
      throw new Stop(
        'ROTATE_CLUSTER_NOT_READY',
        `Before a rotation every server runs the parameter's token and is healthy; ${off.map((v) => `${v.name} (${!v.healthy ? 'not healthy' : 'its token file differs'})`).join(', ')}. Nothing was changed.`,
        2,
      );
  }
  saveOldToken(tokenFile, current.value);
  record.current = record.current ?? {
    holder: c.holder,
    started: new Date().toISOString(),
    rotation: 'token',
    versionBefore: current.version,
    tokenFile,
  };
  file.write(record.current);
  keeper.check();
  // Through the SDK: the value in the request's body alone, never an argument of a process or a line of a log (the
  // SDK's own log filter hides SSM's Value); the key, tier and description Terraform gave it, so its next plan sees
  // only the value, which it ignores.
  const { side, clients } = await aws.sdk();
  const token = `${secure[1]}::server:${newSecret()}`;
  await side.writeSecureParameter(clients, asWritten(parameter, token));
  io.info('ROTATE_TOKEN_WRITTEN', `The new token is in ${parameter.name}; the previous one is in ${tokenFile}.`, {
    parameter: parameter.name,
    tokenFile,
  });
  if (o.standby) await copyToStandby(io, o.standby, token);
}

/** The token as a parameter Terraform made holds it: its key, tier and description kept, the value alone new. */
const asWritten = (
  parameter: { readonly name: string; readonly keyId: string; readonly tier?: string; readonly description?: string },
  token: string,
): SecureParameter => ({
  name: parameter.name,
  value: token,
  keyId: parameter.keyId,
  tier: parameter.tier as SecureParameter['tier'],
  description: parameter.description,
  overwrite: true,
});

/**
 * The new token into its copy in the standby region, before `token rotate` re-encrypts the bootstrap data with it:
 * every snapshot the copies receive from then on restores with a token the standby region holds (the earlier ones
 * with the copy's previous version, which SSM keeps in the parameter's history). Written only when the copy holds
 * another value; a failure there stops the rotation before any server changes (a rerun writes it, as does an apply).
 */
async function copyToStandby(io: IoHost, standby: StandbyToken, token: string): Promise<void> {
  const { parameter } = standby;
  try {
    const { side, clients } = await standby.aws.sdk();
    const there = await side.readSecureParameter(clients, parameter.name);
    if (there?.value === token) {
      io.info('ROTATE_STANDBY_TOKEN_ALREADY_WRITTEN', `Its copy ${parameter.name} in ${parameter.region} already holds the new token.`, {
        parameter: parameter.name,
        region: parameter.region,
      });
      return;
    }
    await side.writeSecureParameter(clients, asWritten(parameter, token));
  } catch (e) {
    throw new Stop(
      'ROTATE_STANDBY_TOKEN_UNWRITTEN',
      `The new token is in production's parameter, but its copy ${parameter.name} in ${parameter.region} could not be written (${(e as Error).name}: ${(e as Error).message}). The rotation stops here, before any further step; run it again once ${parameter.region} answers (it writes the copy first).`,
    );
  }
  io.info('ROTATE_STANDBY_TOKEN_WRITTEN', `The new token is in its copy ${parameter.name} in ${parameter.region} too.`, {
    parameter: parameter.name,
    region: parameter.region,
  });
}

/** What the token rotation's steps get: the Lease's context and the distribution's name. */
interface TokenContext extends UnderLease {
  readonly dist: 'rke2' | 'k3s';
  /** How many steps the plan numbers (6 on K3s, 7 with RKE2's snapshot). */
  readonly planSteps: number;
}

/** The parameter's decrypted value and version (SSM GetParameter through the SDK). */
async function readParameter(aws: Aws, name: string): Promise<{ value: string; version: number }> {
  const { side, clients } = await aws.sdk();
  const found = await side.readSecureParameter(clients, name);
  if (!found) throw new Stop('ROTATE_PARAMETER_UNREADABLE', `SSM has no parameter ${name} (ParameterNotFound); nothing was changed.`);
  return found;
}

/** The token being replaced, to a file of its own (never over a file holding anything else). */
function saveOldToken(path: string, token: string): void {
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8').trim() === token) return;
    throw new Stop(
      'ROTATE_TOKEN_FILE_TAKEN',
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
      'ROTATE_COMMAND_TIMEOUT',
      `The token ${action} on ${server.name} did not finish within ${ROTATE_BUDGETS.commandMs / 60_000} minutes (SSM command ${commandId}). Run the rotation again.`,
    );
  if (result.status !== 'Success')
    throw new Stop(
      'ROTATE_COMMAND_FAILED',
      `The token ${action} on ${server.name} failed (SSM ${result.status}${result.error ? `: ${result.error.split('\n').slice(-2).join(' ')}` : ''}; command ${commandId}). Run the rotation again once it answers.`,
    );
  return result.output;
}

async function statusOf(c: TokenContext, server: Server): Promise<TokenStatus> {
  const output = await onServerScript(c, server, 'status');
  const status = parseTokenStatus(output);
  if (!status)
    throw new Stop('ROTATE_NO_STATUS', `${server.name} answered no token status (${output.trim().slice(0, 200)}). Run the rotation again.`);
  return status;
}

/**
 * Each server's token files and its health: one `status` command sent to every server at once, their answers read
 * together (list-command-invocations), and the Nodes. The SSM agent is a service of its own: a server whose
 * rke2-server (k3s) restarts, or failed to start, still answers.
 */
async function observe(c: TokenContext): Promise<ServerView[]> {
  return askEveryServer(c, {
    comment: 'rancher-ha-aws rotate token: status of every server',
    command: scriptCommand('status', c.dist),
    what: 'token',
    k3s: c.k3s,
    parse: parseTokenStatus,
  });
}

async function runTokenStep(c: TokenContext, step: Exclude<TokenStep, { kind: 'done' }>): Promise<void> {
  const server = (name: string) => c.servers.find((s) => s.name === name)!;
  switch (step.kind) {
    case 'rotate':
      return planStep(
        c,
        {
          m: c.planSteps,
          label: 'token rotate',
          n: 4,
          text: `${step.server}: ${c.dist} token rotate --new-token (from the parameter): the bootstrap data re-encrypted with the new token.`,
          doing: `${c.dist} token rotate on ${step.server}`,
        },
        async () => {
          await onServerScript(c, server(step.server), 'rotate');
          return { code: 'ROTATE_TOKEN_ROTATED', text: `${step.server}: ${c.dist} token rotate done`, data: { server: step.server } };
        },
      );
    case 'config':
      return planStep(
        c,
        {
          m: c.planSteps,
          label: 'token files',
          n: 5,
          text: `The new token into the token file of ${step.servers.join(', ')}`,
          doing: `the new token into /etc/rancher/${c.dist}/token`,
        },
        async () => {
          for (const name of step.servers) {
            await onServerScript(c, server(name), 'config');
            c.io.info('ROTATE_TOKEN_FILE_WRITTEN', `${name}: the new token is in /etc/rancher/${c.dist}/token (read at its next start).`, {
              server: name,
            });
          }
          return {
            code: 'ROTATE_TOKEN_FILES_WRITTEN',
            text: `The new token is in the token file of ${step.servers.join(', ')}`,
            data: { servers: step.servers },
          };
        },
      );
    case 'wait':
      return waitEveryServerHealthy(c, step.unhealthy);
    case 'restart': {
      const s = server(step.server);
      return restartMarkedOut(c, s, {
        ask: async () => {
          await onServerScript(c, s, 'restart');
        },
        // Seen started again (after its token file), then healthy with every other server: one restart at a time.
        back: async () => {
          const status = await statusOf(c, s);
          return status.startedAfterConfig && status.clusterHealthy;
        },
        notBack: `${s.name} was restarted with the new token and is not healthy after ${c.restartMs / 60_000} minutes; it stays marked out on the Lease and no other server is restarted. Look at journalctl -u ${c.k3s ? 'k3s' : 'rke2-server'} on it, then run the rotation again.`,
      });
    }
  }
}
