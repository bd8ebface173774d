import type { Aws } from './aws';
import type { KubeApi } from './kube/kube-api';
import { waitUntil, yieldFor } from './poll';
import { StepFailed } from './throwaway';
import { readableError } from './tool-output';

// A one-time Backup of rancher-backup (the acceptance run's backup phase; the failback's quiesce in the standby):
// created with the scheduled Backup's storage and encryption, waited for until the operator names its file, which
// must then be in the bucket. A caller whose record says it went to create the Backup adopts the one of that name
// instead of creating it twice; a Backup the operator keeps failing is reported with its error, not waited on to the
// end of the budget.

/** The recurring Backup of the stack (SCHEDULED_BACKUP of lib/rancher/backup-objects.ts): its spec is copied. */
const SCHEDULED_BACKUP = 'rancher-aws-scheduled';
/** Where Backups are served (resources.cattle.io/v1, cluster-scoped): rancher-backup's CRD. */
export const BACKUPS = { group: 'resources.cattle.io', version: 'v1', plural: 'backups' } as const;
/** How long the operator may take to write the file. */
const BACKUP_BUDGET_MS = 15 * 60_000;
/**
 * Looks in a row that see the operator's error before the Backup is called failed: the operator's controller retries
 * a failed Backup at 5 ms, doubling (rancher/lasso pkg/controller/controller.go, the default rate limiter), about a
 * dozen times in the 20 s between the first and third look, so an error still there then is the Backup's own, not a
 * passing one that the next retry clears.
 */
export const FAILED_LOOKS = 3;

/** What is read of a Backup (resources.cattle.io/v1, cluster-scoped). */
export interface BackupObject {
  readonly status?: {
    readonly filename?: string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly reason?: string; readonly message?: string }[];
  };
}

/** Where a Backup is: its file written, failed with the operator's error, or still on its way (what was seen). */
export type BackupProgress = { readonly file: string } | { readonly failed: string } | { readonly pending: string };

/**
 * A Backup's progress from its status, as rancher-backup's operator writes it (rancher/backup-restore-operator,
 * pkg/controllers/backup/controller.go): `status.filename` once the file is uploaded; on an error, the `Reconciling`
 * condition True with reason `Error` and the error as its message (Ready's message "Retrying"), which the operator
 * retries with backoff (a success resets the conditions and writes the file name).
 */
export function backupProgress(backup: BackupObject): BackupProgress {
  const file = backup.status?.filename?.trim();
  if (file) return { file };
  const error = (backup.status?.conditions ?? []).find((c) => c.type === 'Reconciling' && c.status === 'True' && c.reason === 'Error');
  if (error) return { failed: error.message?.trim() || '(the operator gave no message)' };
  return { pending: 'no file name yet' };
}

export interface OneTimeBackupOptions {
  /** The Backup's name (its file's name starts with it, as the operator names files). */
  readonly name: string;
  /** The bucket the scheduled Backup writes to (the deployment's rancher_backup_bucket output). */
  readonly bucket: string;
  readonly interrupted: () => boolean;
  /**
   * The caller's record says an earlier run went to create this Backup: one found under its name is that one,
   * adopted and waited for (a second create would end in AlreadyExists); none found is created.
   */
  readonly adopt?: boolean;
}

/** The Backup's file, as the operator named it and S3 lists it. */
export interface OneTimeBackup {
  readonly file: string;
  /** Its key in the bucket (`rancher/<file>`). */
  readonly key: string;
  readonly size: number;
  readonly lastModified?: string;
  /** What was done of the Backup: created (as `kubectl create -o name` says it) or adopted. */
  readonly made: string;
}

/**
 * A one-time Backup with the scheduled Backup's storage and encryption (so it lands where the scheduled ones do, and
 * the drill and a failback find it as the newest), waited for until the operator names its file, which must then be
 * in the bucket.
 */
export async function takeOneTimeBackup(kube: Pick<KubeApi, 'clusterObjects'>, aws: Aws, options: OneTimeBackupOptions): Promise<OneTimeBackup> {
  const { name, bucket } = options;
  const backups = kube.clusterObjects;
  const adopted = options.adopt ? await existingBackup(kube, name) : undefined;
  let made = `${name} (created by an earlier run of this phase) adopted`;
  if (!adopted) {
    const scheduled = (await backups.read(BACKUPS, SCHEDULED_BACKUP)) as { spec?: Record<string, unknown> } | undefined;
    if (!scheduled) throw new StepFailed(`the cluster has no Backup ${SCHEDULED_BACKUP} to copy the storage and encryption of (backups.enabled)`);
    const { schedule: _schedule, retentionCount: _retention, ...spec } = scheduled.spec ?? {};
    const created = (await backups.create(BACKUPS, {
      apiVersion: 'resources.cattle.io/v1',
      kind: 'Backup',
      metadata: { name },
      spec,
    } as { metadata: { name: string } })) as { metadata?: { name?: string } } | undefined;
    // As `kubectl create -o name` named it: the kind's resource and group, the name the API server stored.
    made = `backup.resources.cattle.io/${created?.metadata?.name ?? name} created`;
  }
  let last = '';
  let failedLooks = 0;
  const ended = await waitUntil(
    BACKUP_BUDGET_MS,
    options.interrupted,
    async (): Promise<Exclude<BackupProgress, { pending: string }> | undefined> => {
      let progress: BackupProgress;
      try {
        const got = (await backups.read(BACKUPS, name)) as BackupObject | undefined;
        progress = got ? backupProgress(got) : { pending: `no Backup ${name}` };
      } catch (error) {
        progress = { pending: readableError((error as Error).message, 300) };
      }
      failedLooks = 'failed' in progress ? failedLooks + 1 : 0;
      if ('file' in progress) return progress;
      if (!('failed' in progress)) last = progress.pending;
      else if (failedLooks >= FAILED_LOOKS) return progress;
      else last = `the operator's error so far: ${progress.failed}`;
      return undefined;
    },
  );
  if (!ended) throw new StepFailed(`the Backup ${name} wrote no file within ${BACKUP_BUDGET_MS / 60_000} minutes (${last})`);
  if ('failed' in ended) throw new StepFailed(`the Backup ${name} failed, as its operator reports it: ${ended.failed}`);
  const { file } = ended;
  await yieldFor(0);
  const { side, clients } = await aws.sdk();
  const key = `rancher/${file}`;
  const object = (await side.listObjects(clients, bucket, key)).find((o) => o.key === key);
  if (!object) throw new StepFailed(`the operator names ${file}, which is not in s3://${bucket}/rancher/`);
  return { file, key, size: object.size, ...(object.lastModified ? { lastModified: object.lastModified.toISOString() } : {}), made };
}

/** The Backup as the cluster holds it; undefined when there is none (the API server's 404). */
async function existingBackup(kube: Pick<KubeApi, 'clusterObjects'>, name: string): Promise<BackupObject | undefined> {
  try {
    return (await kube.clusterObjects.read(BACKUPS, name)) as BackupObject | undefined;
  } catch (error) {
    throw new StepFailed(`the Backup ${name} could not be read: ${readableError((error as Error).message, 300)}`);
  }
}
