import { BACKUP_NAME, BACKUPS, backupProgress, FAILED_LOOKS, takeBackup } from '../../../cli/acceptance/acceptance-backup';
import type { Aws } from '../../../cli/shared/aws';
import type { ClusterObjectsRef } from '../../../cli/shared/kube/custom-objects';
import type { KubeApi } from '../../../cli/shared/kube/kube-api';
import type { Terraform } from '../../../cli/shared/terraform';
import { StepFailed } from '../../../cli/shared/throwaway';

/**
 * The acceptance run's one-time Backup against a stand-in cluster (the client layer's clusterObjects) with
 * rancher-backup's operator in it, as rancher/backup-restore-operator (pkg/controllers/backup/controller.go) and the
 * API server behave:
 * - a create of a Backup whose name exists is refused AlreadyExists (409), a read of a missing one is none (404);
 * - a create keeps no status (the CRD's status subresource: the API server drops it), and answers the object stored;
 * - the operator, some looks after the Backup exists, either writes `status.filename` (`<name>-<kube-system uid>-<time>.tar.gz.enc`
 *   with an encryption config) and uploads the file, or sets the `Reconciling` condition True with reason `Error`
 *   and the error as its message (Ready's message "Retrying") and retries the same error from then on.
 */

const saved = process.env.RANCHER_HA_AWS_POLL_MS;
beforeAll(() => (process.env.RANCHER_HA_AWS_POLL_MS = '0'));
afterAll(() => (saved === undefined ? delete process.env.RANCHER_HA_AWS_POLL_MS : (process.env.RANCHER_HA_AWS_POLL_MS = saved)));

const FILE = `${BACKUP_NAME}-6f0b3c2e-2026-11-28T06-00-00Z.tar.gz.enc`;
const BUCKET = 'acc-x-sb-rke-ha-backups';

interface Cluster {
  /** The run's Backup, when it exists: how many more looks until the operator ends it, and how. */
  backup?: { looksLeft: number; ends: 'written' | 'failed' | 'failed, then written' | 'never' };
}

function cluster(c: Cluster) {
  const calls: string[] = [];
  const bucket: string[] = [];
  const backupJson = () => {
    const b = c.backup!;
    const ended = b.looksLeft <= 0 && b.ends !== 'never';
    // A passing error: one look sees it, the next retry writes the file (and resets the conditions).
    const written = b.ends === 'written' || (b.ends === 'failed, then written' && b.looksLeft < 0);
    const status =
      ended && written
        ? { filename: FILE, conditions: [{ type: 'Ready', status: 'True', message: 'Completed' }] }
        : ended
          ? {
              conditions: [
                { type: 'Reconciling', status: 'True', reason: 'Error', message: 'failed to check if s3 bucket exists: AccessDenied' },
                { type: 'Ready', status: 'Unknown', message: 'Retrying' },
              ],
            }
          : {};
    if (ended && written && !bucket.includes(`rancher/${FILE}`)) bucket.push(`rancher/${FILE}`);
    b.looksLeft -= 1;
    return { kind: 'Backup', metadata: { name: BACKUP_NAME }, status };
  };
  const backups = (ref: ClusterObjectsRef) => expect(ref).toEqual(BACKUPS);
  const kube: Pick<KubeApi, 'clusterObjects'> = {
    clusterObjects: {
      read: async (ref, name) => {
        backups(ref);
        calls.push(`read ${name}`);
        if (name === 'rancher-aws-scheduled')
          return { spec: { resourceSetName: 'rancher-resource-set-full', schedule: '0 */6 * * *', retentionCount: 28 } };
        if (name === BACKUP_NAME) return c.backup ? backupJson() : undefined;
        throw new Error(`unexpected read of ${name}`);
      },
      list: async () => {
        throw new Error('unexpected list');
      },
      create: async (ref, body) => {
        backups(ref);
        calls.push('create');
        const made = body as { metadata: { name: string }; spec: Record<string, unknown> };
        expect(made.spec.schedule).toBeUndefined();
        if (c.backup)
          throw new Error(
            `Creating backups.resources.cattle.io ${BACKUP_NAME}: the API server refused it (409 AlreadyExists): backups.resources.cattle.io "${BACKUP_NAME}" already exists`,
          );
        c.backup = { looksLeft: 2, ends: 'written' };
        return { ...made, status: undefined };
      },
      delete: async () => {
        throw new Error('the run deletes no Backup here');
      },
    },
  };
  const aws = {
    sdk: async () => ({
      clients: {},
      side: {
        listObjects: async (_: unknown, b: string, prefix: string) =>
          b === BUCKET ? bucket.filter((k) => k.startsWith(prefix)).map((key) => ({ key, size: 4100 })) : [],
      },
    }),
  } as unknown as Aws;
  const terraform = { outputJson: async (name: string) => (name === 'rancher_backup_bucket' ? BUCKET : undefined) } as unknown as Terraform;
  const creates = () => calls.filter((l) => l.startsWith('create')).length;
  const looks = () => calls.filter((l) => l === `read ${BACKUP_NAME}`).length;
  return { take: (adopt?: boolean) => takeBackup(kube, aws, terraform, { interrupted: () => false, adopt }), creates, looks };
}

describe("the acceptance run's one-time Backup", () => {
  it("reads a Backup's progress as the operator writes it: its file, its error (Reconciling, reason Error), or on its way", () => {
    expect(backupProgress({ status: { filename: FILE } })).toEqual({ file: FILE });
    expect(
      backupProgress({ status: { conditions: [{ type: 'Reconciling', status: 'True', reason: 'Error', message: 'resourcesets "x" not found' }] } }),
    ).toEqual({ failed: 'resourcesets "x" not found' });
    // Not yet reconciled, or reconciling with no error: on its way.
    expect(backupProgress({})).toEqual({ pending: 'no file name yet' });
    expect(
      backupProgress({
        status: {
          conditions: [
            { type: 'Reconciling', status: 'False' },
            { type: 'Ready', status: 'Unknown' },
          ],
        },
      }),
    ).toEqual({
      pending: 'no file name yet',
    });
  });

  it('creates it with the scheduled spec and no schedule, waits for its file, and finds the file in the bucket', async () => {
    const w = cluster({});
    await expect(w.take()).resolves.toEqual([
      `backup.resources.cattle.io/${BACKUP_NAME} created with the scheduled Backup's storage and encryption: ${FILE}`,
      `s3://${BUCKET}/rancher/${FILE}: 4100 bytes`,
    ]);
    expect(w.creates()).toBe(1);
  });

  it('run again after a kill during the wait: adopts the Backup the first run created (no AlreadyExists) and waits for it', async () => {
    const w = cluster({ backup: { looksLeft: 3, ends: 'written' } });
    await expect(w.take(true)).resolves.toEqual([
      `${BACKUP_NAME} (created by an earlier run of this phase) adopted with the scheduled Backup's storage and encryption: ${FILE}`,
      `s3://${BUCKET}/rancher/${FILE}: 4100 bytes`,
    ]);
    expect(w.creates()).toBe(0);
  });

  it('run again after a kill before the create: none to adopt, so it creates it', async () => {
    const w = cluster({});
    await expect(w.take(true)).resolves.toHaveLength(2);
    expect(w.creates()).toBe(1);
  });

  it('an adopted Backup the operator keeps failing: reported with its error once seen on FAILED_LOOKS looks in a row, not waited on', async () => {
    const w = cluster({ backup: { looksLeft: 0, ends: 'failed' } });
    const taken = w.take(true);
    await expect(taken).rejects.toThrow(StepFailed);
    await expect(taken).rejects.toThrow(
      `the Backup ${BACKUP_NAME} failed, as its operator reports it: failed to check if s3 bucket exists: AccessDenied`,
    );
    expect(w.creates()).toBe(0);
    // The look that adopted it, then the wait's looks.
    expect(w.looks()).toBe(1 + FAILED_LOOKS);
  });

  it('an error of the operator that its next retry clears is waited through', async () => {
    const w = cluster({ backup: { looksLeft: 1, ends: 'failed, then written' } });
    await expect(w.take(true)).resolves.toHaveLength(2);
  });

  it('a Backup that never ends: the wait stops after its budget of looks (15 minutes of 10 s), naming what it saw', async () => {
    const w = cluster({ backup: { looksLeft: 0, ends: 'never' } });
    await expect(w.take(true)).rejects.toThrow(`the Backup ${BACKUP_NAME} wrote no file within 15 minutes (no file name yet)`);
    expect(w.looks()).toBe(1 + 90);
  });

  it('without the record of an earlier create, a Backup of that name is not taken over: the create answers AlreadyExists', async () => {
    const w = cluster({ backup: { looksLeft: 0, ends: 'written' } });
    await expect(w.take()).rejects.toThrow('AlreadyExists');
  });
});
