import { markOut, RESTART_LEASE } from '../shared/lease';
import { waitUntil } from '../shared/poll';
import { onServer } from '../shared/server-command';
import type { Server } from '../shared/servers';
import ROTATE_ENCRYPTION_SCRIPT from './rotate-encryption.sh';
import type { RotateOptions } from './rotate';
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
import { StateFile, stateFilePath } from '../shared/state-file';
import { TRANSITION_PLAN } from '../shared/renewal-transition';

/** The re-encryption of every Secret on the rotating server (`rotate-keys` until reencrypt_finished), bounded. */
export const REENCRYPT_BUDGET_MS = 30 * 60_000;

/**
 * What the command keeps between runs (in the same file as the token rotation's: one rotation at a time per folder):
 * who runs it, the server that runs `rotate-keys`, and the name of the active key before it. The key's name is the one
 * fact that tells a rotation not yet made from one made (its stage alone cannot: reencrypt_finished is also where the
 * previous rotation left it). Never a key.
 */
export interface RotateEncryptionRecord {
  readonly holder: string;
  readonly started: string;
  readonly rotation: 'encryption-key';
  readonly server: string;
  readonly keyBefore: string;
  /** The servers whose renewal timer this rotation disabled (the transition), once it looked; enabled again at its end. */
  readonly disabledTimers?: readonly string[];
}

/** One server's secrets-encryption as rotate-encryption.sh `status` reports it (`rke2 secrets-encrypt status`). */
export interface EncryptionStatus {
  /** "Encryption Status": Enabled (yes), Disabled (no), no configuration file (none), the supervisor down (unknown). */
  readonly enabled: 'yes' | 'no' | 'none' | 'unknown';
  /** "Current Rotation Stage": this server's own annotation (start, prepare, rotate, reencrypt_*). */
  readonly stage: string;
  /** The active key's name in this server's encryption configuration. */
  readonly active: string;
  /** "Server Encryption Hashes" as printed: "All hashes match", or "hash does not match between A and B". */
  readonly hashes: string;
  /** cluster_healthy on that server. */
  readonly clusterHealthy: boolean;
}

export function parseEncryptionStatus(output: string): EncryptionStatus | undefined {
  const line = /^rotate-encryption enabled=(yes|no|none|unknown) stage=(\S+) active=(\S+) healthy=(yes|no) hashes=(.+)$/m.exec(output);
  return line
    ? { enabled: line[1] as EncryptionStatus['enabled'], stage: line[2], active: line[3], clusterHealthy: line[4] === 'yes', hashes: line[5].trim() }
    : undefined;
}

export const HASHES_MATCH = 'All hashes match';
/** The stages `rotate-keys` starts from (upstream encryptionRotateKeys refuses any other). */
const ROTATABLE = ['start', 'reencrypt_finished'];

export interface EncryptionView {
  readonly name: string;
  readonly status: EncryptionStatus;
  /** Its Node Ready and an etcd voter, and the cluster whole from there. */
  readonly healthy: boolean;
}

/** The encryption-key rotation's next step, decided from the servers and the record alone (the model decides the same). */
export type EncryptionStep =
  | { readonly kind: 'rotate'; readonly server: string }
  | { readonly kind: 'reencrypting'; readonly server: string }
  | { readonly kind: 'wait'; readonly unhealthy: readonly string[] }
  | { readonly kind: 'restart'; readonly server: string }
  | { readonly kind: 'refuse'; readonly reason: string }
  | { readonly kind: 'done' };

const describe = (views: readonly EncryptionView[]) => views.map((v) => `${v.name} ${v.status.active} (${v.status.stage})`).join(', ');

/**
 * Before `rotate-keys` (the rotating server's active key is still the one recorded): it runs once every server is
 * healthy, every hash matches and the stage allows it, as upstream requires. After it: nothing restarts until that
 * server's stage is reencrypt_finished (the datastore holds the new configuration only then: a server restarted
 * earlier comes back with the old one); then each server whose active key differs from the rotating server's is
 * restarted, one at a time, only with every server healthy; done when every server shows that key and every hash
 * matches.
 */
export function nextEncryptionStep(views: readonly EncryptionView[], record: Pick<RotateEncryptionRecord, 'server' | 'keyBefore'>): EncryptionStep {
  const rotating = views.find((v) => v.name === record.server);
  if (!rotating) return { kind: 'refuse', reason: `${record.server}, which the rotation started on, is no longer a server of the deployment` };
  const unhealthy = views.filter((v) => !v.healthy).map((v) => v.name);
  const r = rotating.status;
  if (r.stage === 'reencrypt_active' || (r.active !== record.keyBefore && r.stage !== 'reencrypt_finished' && r.enabled === 'yes'))
    return { kind: 'reencrypting', server: record.server };
  if (unhealthy.length > 0) return { kind: 'wait', unhealthy };
  if (r.active === record.keyBefore) {
    if (!ROTATABLE.includes(r.stage))
      return { kind: 'refuse', reason: `${record.server} is at the stage ${r.stage}; rotate-keys starts only from ${ROTATABLE.join(' or ')}` };
    const differ = views.find((v) => v.status.hashes !== HASHES_MATCH);
    if (differ || views.some((v) => v.status.active !== r.active))
      return {
        kind: 'refuse',
        reason: `the servers' encryption hashes do not match (${differ?.status.hashes ?? 'active keys differ'}: ${describe(views)})`,
      };
    return { kind: 'rotate', server: record.server };
  }
  const stale = views.find((v) => v.status.active !== r.active);
  if (stale) return { kind: 'restart', server: stale.name };
  const differ = views.find((v) => v.status.hashes !== HASHES_MATCH);
  if (differ)
    return { kind: 'refuse', reason: `every server shows the new key, yet ${differ.name} reports "${differ.status.hashes}" (${describe(views)})` };
  return { kind: 'done' };
}

/** The encryption-key rotation's steps get the Lease's context (RKE2 only: k3s is false). */
type Context = UnderLease;

/**
 * Rotates the secrets-encryption key of an rke-ha deployment on RKE2; see docs/rotate.md "Rotating the
 * secrets-encryption key". Returns the exit code.
 */
export async function rotateEncryptionKey(options: RotateOptions): Promise<number> {
  const { io } = options;
  const file = new StateFile<RotateEncryptionRecord>(stateFilePath(options.dir, 'rotate'));
  const found = await rotatedDeployment(options, "the secrets-encryption key of rke-ha's RKE2 servers");
  if (!found) return 2;
  const { state, deployment, name, servers } = found;
  if (deployment.distribution === 'k3s') {
    io.error(
      'ROTATE_K3S_NO_KEY',
      `${name} runs K3s, whose servers here do not set secrets-encryption: Secrets are stored unencrypted in its datastore (encrypted at rest by RDS), so there is no key to rotate. Nothing was changed.`,
    );
    return 2;
  }
  const region = deployment.region;
  if (!region) {
    io.error('ROTATE_NO_REGION', `The state of ${name} has no region: nothing was changed.`);
    return 2;
  }
  const previous = file.read() as RotateEncryptionRecord | { rotation: string; started: string; holder: string } | undefined;
  if (otherRotationUnfinished(previous, 'encryption-key', file, io)) return 2;
  const restartMs = (options.waitMinutes ?? ROTATE_BUDGETS.restartMs / 60_000) * 60_000;
  if (previous)
    io.info(
      'ROTATE_RESUMING',
      `Resuming the rotation started ${previous.started} (${file.path}); the servers' stages and keys decide what is done.`,
      { started: previous.started },
    );
  // The plan is one message: its numbered steps are the status line's step n of m.
  const plan = [
    `Rotation of the secrets-encryption key of ${name} (${options.label}, RKE2, ${servers.length} servers):`,
    `  1. the servers' restart Lease (kube-system/${RESTART_LEASE.name}) taken, every server Ready and an etcd voter, no upgrade pending`,
    '  2. `rke2 secrets-encrypt status` on every server: encryption enabled, every hash matching, the stage start or reencrypt_finished',
    `  3. \`rke2 secrets-encrypt rotate-keys\` once, on ${servers[0].name}: a new key first, every Secret rewritten with it, the old key dropped`,
    `  4. no server restarted until ${servers[0].name} reports reencrypt_finished (${REENCRYPT_BUDGET_MS / 60_000} minutes at most)`,
    `  5. each other server restarted, one at a time, marked out on the Lease, until it shows the new key and every server is healthy (${restartMs / 60_000} minutes at most each)`,
    `  ${TRANSITION_PLAN}`,
  ];
  io.info('ROTATE_PLAN', plan.join('\n'), {
    rotation: 'encryption-key',
    deployment: name,
    servers: servers.map((s) => s.name),
    resumed: previous !== undefined,
  });
  if (options.dryRun) {
    io.result('ROTATE_DRY_RUN', 'Dry run: nothing was changed.');
    return 0;
  }

  return restartEachServer<RotateEncryptionRecord, Exclude<EncryptionStep, { kind: 'done' }>>({
    operation: 'rotate encryption-key',
    dir: options.dir,
    state,
    region,
    clients: options.aws?.(region),
    servers,
    k3s: false,
    restartMs,
    file,
    previous: previous as RotateEncryptionRecord | undefined,
    takeOver: options.takeOver,
    interrupted: options.interrupted,
    io,
    planSteps: PLAN_STEPS,
    restarts: {
      // The server that ran rotate-keys has the new key already: the others, in order.
      order: (record) => servers.map((s) => s.name).filter((s) => s !== record.server),
      says: (server) => `${server}: restarted to take the new key (marked out on the Lease), then waited for until healthy.`,
    },
    start: async (c, record) => {
      if (!record.current) record.current = await firstRecord(c);
      file.write(record.current);
    },
    next: async (c, record) => {
      const step = nextEncryptionStep(await observe(c), record);
      return step.kind === 'done' ? 'done' : step;
    },
    run: runStep,
    tooManySteps: {
      extra: 6,
      why: 'a server that keeps going back to an older key?',
      lookAt: 'look at `rke2 secrets-encrypt status` on each server',
    },
    finished: (record) =>
      `Rotation of ${name}'s secrets-encryption key finished: every Secret rewritten with the new key on ${record.server}, every other server restarted with it, one at a time; every hash matches.`,
  });
}

/** How many steps the plan numbers (the status line's step n of m). */
const PLAN_STEPS = 5;

/**
 * A first run's refusals (nothing changed yet): an upgrade under way, encryption not enabled everywhere, a server
 * not healthy, hashes that differ or a stage rotate-keys does not start from; else its record: the first server
 * rotates, from the active key every server shows now.
 */
async function firstRecord(c: Context): Promise<RotateEncryptionRecord> {
  const { servers } = c;
  await refuseUpgradeInFlight(c);
  const views = await observe(c);
  const off = views.filter((v) => v.status.enabled !== 'yes');
  if (off.length > 0)
    throw new Stop(
      'ROTATE_ENCRYPTION_DISABLED',
      `Secrets encryption is not enabled on ${off.map((v) => `${v.name} (${v.status.enabled})`).join(', ')}: there is no key to rotate there. Nothing was changed; look at \`rke2 secrets-encrypt status\` on it.`,
      2,
    );
  const first = nextEncryptionStep(views, { server: servers[0].name, keyBefore: views[0].status.active });
  if (first.kind === 'wait')
    throw new Stop(
      'ROTATE_CLUSTER_NOT_READY',
      `Before a rotation every server is healthy; ${first.unhealthy.join(', ')} ${first.unhealthy.length === 1 ? 'is' : 'are'} not. Nothing was changed.`,
      2,
    );
  if (first.kind === 'refuse' || first.kind === 'reencrypting')
    throw new Stop(
      'ROTATE_HALF_DONE',
      `${first.kind === 'refuse' ? first.reason : `${first.server} is re-encrypting (a rotation under way)`}. Nothing was changed. A rotation left half done: restart, one at a time and each only once every server is Ready and a voter, the servers whose active key is not the newest (\`systemctl restart rke2-server\` through aws ssm start-session), or run \`rotate encryption-key\` again from the folder of the run that started it; then run this again (docs/rotate.md "Rotating the secrets-encryption key").`,
      2,
    );
  return {
    holder: c.holder,
    started: new Date().toISOString(),
    rotation: 'encryption-key',
    server: servers[0].name,
    keyBefore: views[0].status.active,
  };
}

/** The shell command that runs the script with one action on a server. */
const scriptCommand = (args: string) =>
  `echo ${Buffer.from(ROTATE_ENCRYPTION_SCRIPT).toString('base64')} | base64 -d > /run/rancher-aws-rotate-encryption.sh && bash /run/rancher-aws-rotate-encryption.sh ${args}`;

async function onServerScript(
  c: Context,
  server: Server,
  action: string,
  argument?: string,
): Promise<{ status: string; output: string; error: string }> {
  const { commandId, result } = await onServer(
    c,
    server,
    scriptCommand(argument ? `${action} ${argument}` : action),
    `rancher-ha-aws rotate encryption-key: ${action} on ${server.name}`,
    ROTATE_BUDGETS.commandMs,
  );
  if (!result)
    throw new Stop(
      'ROTATE_COMMAND_TIMEOUT',
      `The encryption-key ${action} on ${server.name} did not finish within ${ROTATE_BUDGETS.commandMs / 60_000} minutes (SSM command ${commandId}). Run the rotation again.`,
    );
  return result;
}

async function statusOf(c: Context, server: Server): Promise<EncryptionStatus> {
  const result = await onServerScript(c, server, 'status');
  const status = result.status === 'Success' ? parseEncryptionStatus(result.output) : undefined;
  if (!status)
    throw new Stop(
      'ROTATE_NO_STATUS',
      `${server.name} answered no encryption status (SSM ${result.status}: ${`${result.output} ${result.error}`.trim().slice(0, 200)}). Run the rotation again.`,
    );
  return status;
}

/** Every server's encryption status (one command to all, answers read together) and its health. */
async function observe(c: Context): Promise<EncryptionView[]> {
  return askEveryServer(c, {
    comment: 'rancher-ha-aws rotate encryption-key: status of every server',
    command: scriptCommand('status'),
    what: 'encryption',
    k3s: false,
    parse: parseEncryptionStatus,
  });
}

async function runStep(c: Context, step: Exclude<EncryptionStep, { kind: 'done' }>, record: RotateEncryptionRecord): Promise<void> {
  const server = (name: string) => c.servers.find((s) => s.name === name)!;
  switch (step.kind) {
    case 'refuse':
      throw new Stop(
        'ROTATE_REFUSED',
        `${step.reason}. Nothing more was done; look at \`rke2 secrets-encrypt status\` and \`journalctl -u rke2-server\` there, then run the rotation again (docs/rotate.md "Rotating the secrets-encryption key").`,
      );
    case 'rotate':
      return planStep(
        c,
        {
          m: PLAN_STEPS,
          label: 'rotate-keys',
          n: 3,
          text: `${step.server}: rke2 secrets-encrypt rotate-keys (a new key, every Secret rewritten with it).`,
          doing: `rke2 secrets-encrypt rotate-keys on ${step.server}`,
        },
        async () => {
          const result = await onServerScript(c, server(step.server), 'rotate', record.keyBefore);
          if (result.status !== 'Success')
            throw new Stop(
              'ROTATE_KEYS_NOT_ROTATED',
              `rotate-keys on ${step.server} was not made (${`${result.output} ${result.error}`.trim().split('\n').slice(-2).join(' ')}): nothing was rotated. Look at \`rke2 secrets-encrypt status\` there, then run the rotation again.`,
            );
          return {
            code: 'ROTATE_KEYS_ROTATED',
            text: `${step.server}: rotate-keys made, the re-encryption under way`,
            data: { server: step.server },
          };
        },
      );
    case 'reencrypting':
      // No restart of any server meanwhile: the datastore gets the new configuration only at reencrypt_finished.
      return planStep(
        c,
        {
          m: PLAN_STEPS,
          label: 're-encryption',
          n: 4,
          text: `  ${step.server} re-encrypts every Secret: no server is restarted until it reports reencrypt_finished`,
          doing: `${step.server} re-encrypts every Secret (${REENCRYPT_BUDGET_MS / 60_000} minutes at most)`,
        },
        async () => {
          const s = server(step.server);
          const finished = await waitUntil(REENCRYPT_BUDGET_MS, c.interrupted, async () => {
            c.keeper.check();
            await c.kube.nodes.list();
            const status = await statusOf(c, s);
            return status.stage === 'reencrypt_finished' && status.active !== record.keyBefore ? true : undefined;
          });
          if (finished)
            return {
              code: 'ROTATE_REENCRYPTED',
              text: `${step.server}: reencrypt_finished, every Secret under the new key`,
              data: { server: step.server },
            };
          throw new Stop(
            'ROTATE_REENCRYPT_TIMEOUT',
            `${step.server} has not reported reencrypt_finished after ${REENCRYPT_BUDGET_MS / 60_000} minutes: no server was restarted. Look at its journal (journalctl -u rke2-server) and the events of the re-encryption (kubectl get events -A --field-selector reason=SecretsUpdateError), then run the rotation again: it waits again and never rotates twice.`,
          );
        },
      );
    case 'wait':
      return waitEveryServerHealthy(c, step.unhealthy);
    case 'restart': {
      const s = server(step.server);
      return restartMarkedOut(c, s, {
        ask: async () => {
          const result = await onServerScript(c, s, 'restart');
          if (result.status !== 'Success') {
            await markOut(c.leases, c.holder, undefined);
            throw new Stop(
              'ROTATE_RESTART_NOT_ASKED',
              `The restart of ${s.name} was not asked (SSM ${result.status}: ${result.error.split('\n').slice(-1).join('')}). Run the rotation again.`,
            );
          }
        },
        back: async () => {
          const status = await statusOf(c, s);
          return status.enabled === 'yes' && status.clusterHealthy;
        },
        notBack: `${s.name} was restarted to take the new key and is not healthy after ${c.restartMs / 60_000} minutes; it stays marked out on the Lease and no other server is restarted. Look at journalctl -u rke2-server on it, then run the rotation again.`,
      });
    }
  }
}
