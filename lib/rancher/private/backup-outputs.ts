import { TerraformOutput, type TerraformStack } from 'cdktf';
import type { RancherBackups } from '../rancher-backups';

/**
 * The outputs of Rancher's backups (rke-ha, k8s-ha): the bucket, and the
 * encryption configuration without which no backup can be restored
 * (sensitive; keep a copy outside the deployment: docs/backups.md).
 */
export function rancherBackupOutputs(stack: TerraformStack, backups: RancherBackups): void {
  new TerraformOutput(stack, 'rancher_backup_bucket', {
    value: backups.bucket.name,
    description: "Bucket holding Rancher's backups (folder rancher/), kept with backups off",
  });
  if (backups.encryptionConfig !== undefined) {
    new TerraformOutput(stack, 'rancher_backup_encryption_config', {
      value: backups.encryptionConfig,
      sensitive: true,
      description:
        'The EncryptionConfiguration of the backups: no restore without it; keep a copy (terraform output -raw rancher_backup_encryption_config)',
    });
  }
}
