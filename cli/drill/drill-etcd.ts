import { posix } from 'node:path';
import type { Aws } from '../shared/aws';
import type { IoHost } from '../shared/io/io-host';
import type { Comparison } from './drill-report';
import RESTORE_SCRIPT from './drill-etcd-restore.sh';
import { newestObject } from '../shared/production';
import { readDeploymentRecord } from '../shared/module-folder';
import { onServer } from '../shared/server-command';
import { serversOf, type Server } from '../shared/servers';
import type { ModuleState } from '../shared/terraform';

/**
 * The drill's `--etcd` path (docs/drill.md, "With --etcd"): production's newest etcd snapshot, found and read
 * with the operator's credentials, copied into the throwaway's own snapshot bucket, and restored there on the
 * throwaway's first server with production's cluster token. Production is only read; the throwaway's servers get
 * no access to production's bucket or key.
 */

/** RKE2's `etcd-s3-folder`: the stack's id (rancher-on-rke.ts), in production's bucket and in the throwaway's. */
export const snapshotFolder = (stack: string): string => stack;

/** The parameter, under the throwaway's own parameter path, that holds production's token during the restore. */
export const TOKEN_PARAMETER = 'drill-restore-token';

/** The budgets of the restore's SSM commands: the other servers' stop, and the reset with its API wait (15 min in the script). */
const STOP_MS = 300_000;
const RESTORE_MS = 2_700_000;

/** The kinds the restore script counts, as the Rancher-backup path counts them. */
export const ETCD_COUNTED = [
  'clusters.management.cattle.io',
  'users.management.cattle.io',
  'projects.management.cattle.io',
  'settings.management.cattle.io',
] as const;

export interface EtcdSnapshot {
  readonly key: string;
  /** The file name RKE2 gave it (`etcd-snapshot-<node>-<time>`, or the roll's `<name>-roll-...`). */
  readonly name: string;
  readonly lastModified: string;
  readonly bytes: number;
}

/** RKE2's snapshot names: no folder, nothing a shell or an S3 key would read twice. */
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The newest snapshot in the folder (not its `.metadata/` twin), by LastModified; undefined when there is none. */
export function newestSnapshot(aws: Aws, bucket: string, folder: string): Promise<EtcdSnapshot | undefined> {
  return newestObject(aws, bucket, `${folder}/`, (name) => SNAPSHOT_NAME.test(name));
}

/**
 * Whether the operator's credentials can read the snapshot: its first byte, thrown away. The bucket is encrypted
 * with production's key, whose policy lets the identities that deploy production decrypt through S3 for that bucket
 * (`DeployersReadSnapshots`, lib/nodes/boot-parameters.ts) and nobody else: undefined when it reads, else why not
 * (S3's error in its words).
 */
export async function snapshotUnreadable(aws: Aws, bucket: string, key: string): Promise<string | undefined> {
  const { side, clients } = await aws.sdk();
  return side.objectUnreadable(clients, bucket, key);
}

/** The token's parameter of a module's state (`<path>/token`): its path, and the key it is encrypted with. */
export function parameterPathOf(state: ModuleState): { path: string; keyId: string } | undefined {
  const token = state.resources.find(
    (r) => r.mode === 'managed' && r.type === 'aws_ssm_parameter' && typeof r.attributes.name === 'string' && r.attributes.name.endsWith('/token'),
  );
  if (!token || typeof token.attributes.key_id !== 'string') return undefined;
  return { path: posix.dirname(String(token.attributes.name)), keyId: token.attributes.key_id };
}

/** What the restore found in the restored cluster (the script's `drill-result` lines). */
export interface EtcdRestored {
  readonly nodes?: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly serverUrl?: string;
  /** Rancher's `cacerts` setting, PEM; empty for a certificate of a public CA. */
  readonly cacerts: string;
}

/** Reads the script's `drill-result` lines. */
export function parseRestored(output: string): EtcdRestored {
  const counts: Record<string, number> = {};
  let nodes: number | undefined;
  let serverUrl: string | undefined;
  let cacerts = '';
  for (const line of output.split('\n')) {
    const [tag, what, ...rest] = line.trim().split(' ');
    if (tag !== 'drill-result') continue;
    if (what === 'nodes') nodes = Number(rest[0]);
    if (what === 'count' && rest.length === 2) counts[rest[0]] = Number(rest[1]);
    if (what === 'server-url') serverUrl = rest.join(' ') || undefined;
    if (what === 'cacerts') cacerts = Buffer.from(rest.join(''), 'base64').toString('utf8');
  }
  return { nodes, counts, serverUrl, cacerts };
}

/** The restored cluster against production: its Nodes, Rancher's objects (present at all), and server-url. */
export function compareRestored(restored: EtcdRestored, productionServers: number, productionUrl: string | undefined): Comparison[] {
  return [
    {
      what: 'nodes',
      backup: productionServers,
      restored: restored.nodes,
      passed: restored.nodes === productionServers,
      note: "production's servers (its state) against the Node objects in the snapshot",
    },
    ...ETCD_COUNTED.map((kind) => ({
      what: kind,
      backup: 'at least 1',
      restored: restored.counts[kind],
      passed: (restored.counts[kind] ?? 0) >= 1,
    })),
    {
      what: 'setting server-url',
      backup: productionUrl,
      restored: restored.serverUrl,
      passed: restored.serverUrl !== undefined && restored.serverUrl === productionUrl,
      note: "compared with production's URL",
    },
  ];
}

export interface EtcdRestoreOptions {
  readonly aws: Aws;
  readonly interrupted: () => boolean;
  /** Where the restore tells what it did (the drill's host). */
  readonly io: IoHost;
  readonly stack: string;
  /** Production's snapshot bucket and the snapshot: read only. */
  readonly productionBucket: string;
  readonly snapshot: EtcdSnapshot;
  /** Production's cluster token (sensitive): goes to the throwaway's parameter through standard input only. */
  readonly token: string;
  /** Production's servers' private addresses: none may be a throwaway server's (a Node name is its address). */
  readonly productionAddresses: readonly string[];
  /** The throwaway's state after its apply. */
  readonly throwaway: ModuleState;
  /** Called with the parameter's name before it is written, so that a teardown after a kill deletes it. */
  readonly willWrite: (parameter: string) => void;
  /** The tags every resource of the throwaway carries (its settings' tags and its deployment tag): the parameter's too. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Restores the snapshot on the throwaway's first server: the copy into its bucket, the token into its parameter,
 * its other servers stopped, the restore script (drill-etcd-restore.sh) through SSM; the parameter deleted in every
 * case. Throws, saying why, at the first problem.
 */
export async function restoreEtcd(o: EtcdRestoreOptions): Promise<EtcdRestored> {
  const servers = serversOf(o.throwaway, readDeploymentRecord(o.throwaway));
  if (servers.length === 0) throw new Error("the throwaway's state holds none of its servers");
  const shared = servers.filter((s) => o.productionAddresses.includes(s.privateIp));
  if (shared.length > 0)
    throw new Error(
      `the throwaway's ${shared.map((s) => `${s.name} (${s.privateIp})`).join(', ')} has an address of production's servers, and so the name of one of production's Nodes: the restored pods would start there before the drill has taken production's backup writer out. Nothing was restored`,
    );
  const bucket = o.throwaway.outputs.etcd_snapshot_bucket?.value;
  const parameters = parameterPathOf(o.throwaway);
  if (typeof bucket !== 'string' || !parameters) throw new Error('the throwaway has no etcd snapshot bucket or token parameter in its state');
  const folder = snapshotFolder(o.stack);
  // Server-side copy with the operator's credentials: production's key decrypts for them through S3 (only they may);
  // SSE-S3 in the throwaway's bucket, which its node role reads without production's key or any grant on it.
  const { side, clients } = await o.aws.sdk();
  await side.copyObject(clients, { bucket: o.productionBucket, key: o.snapshot.key }, { bucket, key: `${folder}/${o.snapshot.name}` });
  o.io.info('DRILL_SNAPSHOT_COPIED', `  copied s3://${o.productionBucket}/${o.snapshot.key} to s3://${bucket}/${folder}/${o.snapshot.name}`, {
    bucket,
    key: `${folder}/${o.snapshot.name}`,
  });
  const name = `${parameters.path}/${TOKEN_PARAMETER}`;
  o.willWrite(name);
  // SSM takes tags only when it creates a parameter, never with Overwrite: one a killed drill left goes first.
  await deleteTokenParameter(o.aws, name);
  // In the request's body only (the SDK's own log filter hides SSM's Value as sensitive): never an argument.
  await side.writeSecureParameter(clients, {
    name,
    value: o.token,
    keyId: parameters.keyId,
    tags: o.tags,
    description: "Production's cluster token for the drill's restore; deleted once it ran",
  });
  try {
    const [first, ...others] = servers;
    for (const other of others) await stopServer(o, other);
    o.io.info('DRILL_RESTORE_SENT', `  restoring on ${first.name} (${first.instanceId}); the other servers are stopped`, { server: first.name });
    const command = `echo ${Buffer.from(RESTORE_SCRIPT).toString('base64')} | base64 -d > /run/rancher-aws-drill-restore.sh && bash /run/rancher-aws-drill-restore.sh ${o.snapshot.name} ${TOKEN_PARAMETER}`;
    const { commandId, result } = await onServer(o, first, command, 'rancher-ha-aws drill --etcd: restore', RESTORE_MS);
    if (!result) throw new Error(`the restore on ${first.name} did not finish within ${RESTORE_MS / 60_000} minutes (SSM command ${commandId})`);
    if (result.status !== 'Success')
      throw new Error(
        `the restore on ${first.name} failed (SSM ${result.status}${result.error ? `: ${result.error.split('\n').slice(-3).join(' ')}` : ''}; command ${commandId})`,
      );
    return parseRestored(result.output);
  } finally {
    try {
      await deleteTokenParameter(o.aws, name);
    } catch (error) {
      o.io.warn('DRILL_TOKEN_PARAMETER_LEFT', `  the parameter ${name} was not deleted (${(error as Error).message}): the teardown tries again`, {
        parameter: name,
      });
    }
  }
}

/** A throwaway server other than the first stops for good (its etcd member with it): the restore runs on one server. */
async function stopServer(o: EtcdRestoreOptions, server: Server): Promise<void> {
  const { commandId, result } = await onServer(
    o,
    server,
    'systemctl disable --now rke2-server.service && { PATH="$PATH:/usr/local/bin" rke2-killall.sh >/dev/null 2>&1 || true; }',
    `rancher-ha-aws drill --etcd: stop ${server.name}`,
    STOP_MS,
  );
  if (result?.status !== 'Success')
    throw new Error(
      `${server.name} of the throwaway did not stop (SSM ${result?.status ?? 'no answer'}, command ${commandId}): nothing was restored`,
    );
}

/** Deletes the token's parameter; already gone is fine. */
export async function deleteTokenParameter(aws: Aws, name: string): Promise<void> {
  const { side, clients } = await aws.sdk();
  await side.deleteParameter(clients, name);
}
