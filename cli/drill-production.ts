import { readDeploymentRecord } from './module-folder';
import { Terraform } from './terraform';

/** What the drill needs to know of the deployment it restores: read, never changed. */
export interface ProductionDeployment {
  /** The synthesized module folder of production. */
  readonly dir: string;
  /** The `name` setting, as the deployment guard recorded it. */
  readonly name: string;
  readonly region: string;
  /** `https://<hostname>`: what Rancher's `server-url` setting names after a restore of its backup. */
  readonly url: string | undefined;
  /** Rancher's backups (the `rancher_backup_bucket` output); undefined for a stack without them (docker). */
  readonly backupBucket: string | undefined;
  /** The etcd snapshots (rke-ha with RKE2), which a drill reads nothing of; named so the report can say so. */
  readonly etcdSnapshotBucket: string | undefined;
  /** The EncryptionConfiguration of the backups (sensitive output); undefined when backups were never on. */
  readonly backupEncryptionConfig: string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Production's name, region, buckets and backup key, from its Terraform state (`terraform state pull`: no
 * refresh, no lock, no write): the name and region from the deployment's record (cli/module-folder.ts), the
 * buckets, URL and key from the stack's outputs. The one place the drill looks them up.
 */
export function productionDeployment(dir: string): ProductionDeployment {
  const state = new Terraform(dir).pull();
  if (!state.resources.some((r) => r.mode === 'managed'))
    throw new Error(`${dir} holds no deployment (its state is empty): the drill restores the backup of a deployment that exists.`);
  // The deployment's record (issue 33.1): its name and region whatever the construct's id.
  const { name, region } = readDeploymentRecord(state);
  if (!name || !region)
    throw new Error(
      `The name or region of the deployment in ${dir} is not in its state (no deployment record or guard record): apply it once with this version first.`,
    );
  const output = (key: string) => text(state.outputs[key]?.value);
  return {
    dir,
    name,
    region,
    url: output('rancher_url'),
    backupBucket: output('rancher_backup_bucket'),
    etcdSnapshotBucket: output('etcd_snapshot_bucket'),
    backupEncryptionConfig: output('rancher_backup_encryption_config'),
  };
}
