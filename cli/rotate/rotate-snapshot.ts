import type { Aws } from '../shared/aws';
import type { IoHost } from '../shared/io/io-host';
import { onServer } from '../shared/server-command';
import type { Server } from '../shared/servers';

// After a token rotation, the snapshot a restore can use with the new token, and which older ones need the old one.
//
// k3s (which RKE2 v1.35.7+rke2r1 wraps) keeps the bootstrap data (the cluster's CAs and keys) in the datastore
// encrypted under the token (pkg/cluster/storage.go), so an etcd snapshot holds it under the token of its moment;
// `token rotate` itself warns that a restore from a snapshot needs the token that went with that snapshot
// (pkg/cli/token/token.go, Rotate, at 0678ae99). Both restores take the newest snapshot in the bucket by default:
// `rancher-aws-restore` (lib/kubernetes/rke2-restore.sh, the last of the bucket's listing by LastModified) and
// `drill --etcd` (cli/drill/drill-etcd.ts newestSnapshot), which restores it with the parameter's token, the new one.
// Until a snapshot is taken after the rotation, the newest is under the old token: a drill right after a rotation
// would fail. So one is taken at once.

/** One on-demand snapshot: as the roll's (cli/roll/roll.ts BUDGETS.snapshotMs). */
export const ROTATION_SNAPSHOT_MS = 15 * 60_000;

export interface RotationSnapshot {
  readonly aws: Aws;
  readonly interrupted: () => boolean;
  readonly io: IoHost;
  /** Its place in the rotation's plan (step 7 of 7). */
  readonly step: { readonly n: number; readonly m: number };
  /** The deployment's name: the snapshot's prefix. */
  readonly name: string;
  /** The servers; the first takes the snapshot (every one was healthy at the rotation's end). */
  readonly servers: readonly Server[];
  /** Where the rotation saved the old token. */
  readonly tokenFile: string;
  /** When the last server was restarted with the new token (ISO): every snapshot before is under the old one. */
  readonly rotatedAt: string;
  /** The snapshot's name as given to `--name` (RKE2 appends `-<node>-<unix time>`). @default `<name>-token-rotated-<time>` */
  readonly snapshot?: string;
  /** @default ROTATION_SNAPSHOT_MS */
  readonly budgetMs?: number;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');

/**
 * `rke2 etcd-snapshot save` through SSM on the first server, then what the output must say either way: the rotation
 * has succeeded whatever happens here (its record is gone, the Lease given back), so a failed snapshot is a warning
 * with the command to take it by hand, and returns false; the caller keeps exit code 0 (a second `rotate token`
 * would rotate the token again, not take the snapshot).
 */
export async function snapshotAfterTokenRotation(o: RotationSnapshot): Promise<boolean> {
  const snapshot = o.snapshot ?? `${o.name}-token-rotated-${stamp()}`;
  const budgetMs = o.budgetMs ?? ROTATION_SNAPSHOT_MS;
  const server = o.servers[0];
  const older =
    `Every etcd snapshot taken before ${o.rotatedAt} (the scheduled etcd-snapshot-*, the roll's ${o.name}-roll-*, any other) holds ` +
    `the cluster's bootstrap data under the old token, saved in ${o.tokenFile}: to restore one of them, write that token into ` +
    `/etc/rancher/rke2/token on the server before \`rancher-aws-restore --snapshot <name>\` (docs/rotate.md "Rotating the cluster token"), ` +
    `and keep the file until the last of them has expired.`;
  let failure: string;
  const span = o.io.begin({
    code: 'ROTATE_STEP_STARTED',
    label: 'snapshot',
    position: o.step,
    text: `Step ${o.step.n} of ${o.step.m}: an etcd snapshot after the rotation, on ${server.name}: ${snapshot}`,
    doing: `rke2 etcd-snapshot save on ${server.name}`,
    data: { step: 'snapshot' },
  });
  try {
    const { commandId, result } = await onServer(
      o,
      server,
      `PATH="$PATH:/usr/local/bin" rke2 etcd-snapshot save --name ${snapshot}`,
      `rancher-ha-aws rotate token: snapshot after the rotation`,
      budgetMs,
    );
    if (result?.status === 'Success') {
      span.end(
        'ROTATE_SNAPSHOT_SAVED',
        `etcd snapshot ${snapshot}-<node>-<time> saved to the bucket by ${server.name}, after the last restart: under the new token. ` +
          `It is the newest, so rancher-aws-restore and \`npm run drill -- rke-ha --etcd\` take it unless told otherwise.`,
        { snapshot, server: server.name },
      );
      o.io.info('ROTATE_OLDER_SNAPSHOTS', older, { before: o.rotatedAt, tokenFile: o.tokenFile });
      return true;
    }
    failure = result
      ? `failed on ${server.name} (SSM ${result.status}${result.error ? `: ${result.error.split('\n').slice(-2).join(' ')}` : ''}; command ${commandId})`
      : `did not finish on ${server.name} within ${budgetMs / 60_000} minutes (SSM command ${commandId})`;
  } catch (caught) {
    failure = `could not be asked of ${server.name} (${(caught as Error).message})`;
  } finally {
    span.stop();
  }
  o.io.warn(
    'ROTATE_SNAPSHOT_FAILED',
    `WARNING: the rotation has succeeded, but the etcd snapshot after it ${failure}. Until a snapshot is taken, the newest one in ` +
      `the bucket is under the old token (${o.tokenFile}), and \`drill --etcd\` restores it with the new one, which fails. Take one by hand ` +
      `on any server (aws ssm start-session --target ${server.instanceId}): sudo rke2 etcd-snapshot save --name ${snapshot}; ` +
      `or wait for the next scheduled snapshot. Do not run the rotation again for it: that rotates the token again.`,
    { snapshot, server: server.name },
  );
  o.io.info('ROTATE_OLDER_SNAPSHOTS', older, { before: o.rotatedAt, tokenFile: o.tokenFile });
  return false;
}
