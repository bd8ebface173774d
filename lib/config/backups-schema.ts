import { z } from 'zod';
import { cronExpression } from './cron-expression';
import { s3BucketName, wholeNumber } from './primitives';
import type { BackupsSettings, Expect, SameType } from './sections';
import { BACKUP_FILE, DEFAULT_BACKUP_SCHEDULE } from './backup-file';

export { BACKUP_FILE, DEFAULT_BACKUP_SCHEDULE } from './backup-file';

export type { BackupsSettings } from './sections';

/** How many scheduled backups are kept, unless told: the settings file's default and RancherBackups'. */
export const DEFAULT_BACKUP_RETENTION_COUNT = 28;

/**
 * `backups`: Rancher's own backups by the rancher-backup operator (rke-ha and
 * k8s-ha; the docker stack keeps its data volume snapshots instead), to an S3
 * bucket of the stack (docs/backups.md).
 */
export const backupsSchema = z
  .strictObject({
    /** Install the operator and take scheduled backups. Off: the bucket and the backups in it stay, guarded. */
    enabled: z.boolean().default(true),
    /** When the recurring backup runs (five-field cron, UTC). */
    schedule: cronExpression(DEFAULT_BACKUP_SCHEDULE, 'the rancher-backup operator would refuse it').default(DEFAULT_BACKUP_SCHEDULE),
    /** How many scheduled backups the operator keeps; older ones stay recoverable 30 days as noncurrent versions. */
    retentionCount: wholeNumber(1, 1000).default(DEFAULT_BACKUP_RETENTION_COUNT),
    /** Let `destroy` delete the backup bucket with its contents. */
    forceDestroyBucket: z.boolean().default(false),
    /**
     * What the operator writes with. `servers` (rke-ha): hour-long credentials of a backup role, which the servers
     * obtain and hand to the operator alone (no IAM user, no key). `accessKey`: an IAM user with an access key in
     * Terraform state (what an existing deployment keeps until its servers are rolled: docs/backups.md, "Credentials").
     * `irsa`, `pod-identity` (k8s-ha on EKS, with `k8sHa.eks.clusterName`): a role EKS gives the operator's service
     * account, no key. k8s-ha takes `servers` as `accessKey`; rke-ha takes `irsa` and `pod-identity` as `servers`.
     */
    credentials: z.enum(['servers', 'accessKey', 'irsa', 'pod-identity']).default('servers'),
    /**
     * AWS account ids (12 digits) whose deployments may restore from this bucket (a migration into another
     * account): the bucket policy lets each list the bucket and read the backups and their record, nothing more.
     */
    readerAccounts: z
      .array(z.string().regex(/^\d{12}$/, { message: 'expected an AWS account id: 12 digits' }))
      .max(20)
      .refine((ids) => new Set(ids).size === ids.length, { message: 'lists an account id twice' })
      .default([]),
    /**
     * A backup restored on the first apply, before Rancher is installed (Rancher's migration procedure):
     * `file` as the operator named it; `bucket` the deployment it comes from (default: this one's).
     */
    restoreFrom: z
      .strictObject({
        /** The backup file as the operator named it (no folder); `.enc` when encrypted. */
        file: z.string().regex(BACKUP_FILE, {
          message:
            'expected a file name the rancher-backup operator wrote, such as rancher-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz.enc (no folder)',
        }),
        /** The bucket of the deployment the backup comes from; no periods (the operator reaches it by virtual host over TLS). Unset: this deployment's own (`terraform output rancher_backup_bucket`). */
        bucket: s3BucketName({ dots: false }).optional(),
        /**
         * Restore under another hostname than the backup's deployment had (the preflight refuses a different one
         * otherwise): the restored Rancher's `server-url` and its agents still name the old one.
         */
        newHostname: z.boolean().default(false),
        /**
         * The bucket holds no record of a deployment of this project (a backup taken elsewhere, such as the docker
         * route): the preflight checks only that the file is there; its Rancher version, hostname and encryption are
         * yours to check.
         */
        unrecordedSource: z.boolean().default(false),
        /**
         * A drill's restore (`npm run drill` sets it): the backup's Deployments' namespaces start no pod while it runs,
         * and every credential it brought (cloud credentials, `cattle-global-data`, node-driver Secrets of
         * `fleet-default`) is deleted before Rancher is installed. Never for a migration, which needs them.
         */
        disarm: z.boolean().default(false),
        /** Set by `npm run failback` (in-place, prune on). */
        inPlace: z.boolean().default(false),
      })
      .optional(),
  })
  .prefault({});

export type BackupsSettingsHeld = Expect<SameType<z.output<typeof backupsSchema>, BackupsSettings>>;
