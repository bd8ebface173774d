import type { Aws } from '../shared/aws';
import type { KubeApi } from '../shared/kube/kube-api';
import { takeOneTimeBackup } from '../shared/one-time-backup';
import type { Terraform } from '../shared/terraform';
import { StepFailed } from '../shared/throwaway';

// The acceptance run's one-time Backup (its backup phase): cli/shared/one-time-backup.ts under the run's name, in the
// bucket of the deployment's rancher_backup_bucket output.

export { BACKUPS, backupProgress, FAILED_LOOKS, type BackupObject, type BackupProgress } from '../shared/one-time-backup';

/** The one-time Backup the run takes (its file name starts with it, as the operator names files, BACKUP_FILE). */
export const BACKUP_NAME = 'rancher-aws-acceptance';

export interface TakeBackupOptions {
  readonly interrupted: () => boolean;
  /** An earlier run went to create this Backup: the one found under its name is adopted (takeOneTimeBackup). */
  readonly adopt?: boolean;
}

/** The run's one-time Backup (takeOneTimeBackup), what was seen of it for the report. */
export async function takeBackup(
  kube: Pick<KubeApi, 'clusterObjects'>,
  aws: Aws,
  terraform: Terraform,
  options: TakeBackupOptions,
): Promise<string[]> {
  const bucket = await terraform.outputJson('rancher_backup_bucket');
  if (typeof bucket !== 'string') throw new StepFailed('the deployment has no rancher_backup_bucket output (backups.enabled)');
  const taken = await takeOneTimeBackup(kube, aws, { name: BACKUP_NAME, bucket, ...options });
  return [`${taken.made} with the scheduled Backup's storage and encryption: ${taken.file}`, `s3://${bucket}/${taken.key}: ${taken.size} bytes`];
}
