import { createHash } from 'node:crypto';

/**
 * The objects of the rancher-backup operator this project writes, as plain
 * data (checked in the tests against the CRDs of the pinned chart): the
 * recurring and the first Backup, the Restore of a migration, and the
 * EncryptionConfiguration the backups are encrypted with.
 */

/** Where the operator and its secrets live (the namespace its charts are made for). */
export const BACKUP_NAMESPACE = 'cattle-resources-system';
/** The ResourceSet of the chart that covers Rancher with its secrets (the `basic` one leaves secrets out). */
export const RESOURCE_SET = 'rancher-resource-set-full';
/** The folder (key prefix) of the backups in the bucket: the only place the writer may write. */
export const BACKUP_FOLDER = 'rancher';
/**
 * The Secrets the operator reads, each named `<base>-<suffix>` with a suffix random per deployment: Rancher's
 * resource set backs up every Secret of the `cattle-` namespaces, and a restore overwrites a Secret of the same
 * name, so a migration must not bring the old deployment's key or writer over the new one's.
 */
export const SECRET_BASES = {
  /** The writer's key: `accessKey`, `secretKey` (all the operator reads from its credential Secret). */
  credentials: 'rancher-aws-backup-s3',
  /** The EncryptionConfiguration the backups are encrypted with. */
  encryption: 'rancher-aws-backup-encryption',
  /** The EncryptionConfiguration of the deployment a migration restores from. */
  restoreEncryption: 'rancher-aws-restore-encryption',
} as const;
export type SecretNames = Readonly<Record<keyof typeof SECRET_BASES, string>>;
/** Bytes of the random suffix (`random_id`, in hex: twice as many characters). */
export const SECRET_SUFFIX_BYTES = 3;
/**
 * Every name SECRET_BASES can give, whatever the suffix: a migration's Restore brings the old deployment's Secrets
 * under those names (Rancher's full resource set carries them), and the restore's Job deletes those that are not this
 * deployment's (docs/backups.md, "What a migration brings along").
 */
export const SECRET_NAME_PATTERN = `^(${Object.values(SECRET_BASES).join('|')})-[0-9a-f]{${SECRET_SUFFIX_BYTES * 2}}$`;
/** The key of an encryption Secret the operator reads. */
export const ENCRYPTION_CONFIG_KEY = 'encryption-provider-config.yaml';
/** The name of a deployment's key in its EncryptionConfiguration (the encrypted data carries it). */
export const ENCRYPTION_KEY_NAME = 'rancher-aws';
/** The recurring Backup; its name starts every file it writes, and its retention counts those files only. */
export const SCHEDULED_BACKUP = 'rancher-aws-scheduled';
/** The one-time Backup the first apply takes and waits for. */
export const FIRST_BACKUP = 'rancher-aws-first';
/** The Restore a first apply with `backups.restoreFrom` runs before Rancher is installed. */
export const MIGRATION_RESTORE = 'rancher-aws-migration';
/**
 * The prefix of an in-place Restore (`backups.restoreFrom.inPlace`, the failback's): `<prefix>-<10 hex digits of the
 * file name's SHA-256>`, an object of its own per file. The operator runs a Restore once (rancher/backup-restore-operator
 * v10.0.8 and v11: its Restore handler returns at once for an object whose status has a completion time), so a restore
 * under a name that already completed would restore nothing.
 */
export const IN_PLACE_RESTORE = 'rancher-aws-restore';

const API_VERSION = 'resources.cattle.io/v1';

/** A Backup or Restore of the operator, as the Job applies it. */
export interface OperatorObject {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [key: string]: unknown;
}

/** Where a Backup or Restore reads and writes: a bucket of the region over TLS, with the writer's key. */
export interface BackupLocation {
  readonly bucket: string;
  readonly region: string;
  /** The DNS suffix of the region's partition (`amazonaws.com`, `amazonaws.com.cn`): the endpoint is `s3.<region>.<suffix>`. */
  readonly dnsSuffix: string;
  readonly secrets: SecretNames;
  /**
   * The operator's credentials come from the servers (backups.credentials: servers), not from a Secret: the location
   * names none, and the operator's S3 client asks its container-credentials endpoint. @default false
   */
  readonly keyless?: boolean;
}

/**
 * The S3 client settings of every Backup and Restore: the operator (v10.0.8, minio-go v7.0.87) turns an Amazon
 * endpoint into the dual-stack name `<bucket>.s3.dualstack.<region>.<suffix>` unless `dualStack` is false, and
 * S3's VPC endpoints and a proxy allow-list written for the regional name (docs/air-gap.md) know only
 * `<bucket>.s3.<region>.<suffix>`. Not in the chart's values: the chart writes them as a string its operator
 * cannot read back (design notes, "Rancher backups").
 */
export const S3_CLIENT_CONFIG = { aws: { dualStack: false } } as const;

export function s3Location(location: BackupLocation): Record<string, unknown> {
  return {
    s3: {
      bucketName: location.bucket,
      folder: BACKUP_FOLDER,
      region: location.region,
      endpoint: `s3.${location.region}.${location.dnsSuffix}`,
      ...(location.keyless ? {} : { credentialSecretName: location.secrets.credentials, credentialSecretNamespace: BACKUP_NAMESPACE }),
      clientConfig: S3_CLIENT_CONFIG,
    },
  };
}

/**
 * A Backup of Rancher's resource set, encrypted: recurring on `schedule`, keeping `retentionCount` files (the
 * operator deletes older ones after each run), or one-time without them.
 */
export function backupObject(props: {
  readonly name: string;
  readonly location: BackupLocation;
  readonly schedule?: string;
  readonly retentionCount?: number;
}): OperatorObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: { name: props.name },
    spec: {
      resourceSetName: RESOURCE_SET,
      encryptionConfigSecretName: props.location.secrets.encryption,
      storageLocation: s3Location(props.location),
      ...(props.schedule === undefined ? {} : { schedule: props.schedule, retentionCount: props.retentionCount }),
    },
  };
}

/** The in-place Restore's name for a file (IN_PLACE_RESTORE). */
export function inPlaceRestoreName(file: string): string {
  return `${IN_PLACE_RESTORE}-${createHash('sha256').update(file).digest('hex').slice(0, 10)}`;
}

/**
 * The Restore of Rancher's migration procedure: into a cluster with the operator and without Rancher, `prune`
 * off (nothing there to prune), named MIGRATION_RESTORE (unchanged since the first deployments: its Job is not run
 * again). `inPlace` (a failback onto production's running cluster): Rancher's in-place restore, `prune` on, so what
 * was deleted since the cluster's own data was written does not come back, under a name of its own per file. An
 * encrypted file (`.enc`) is read with the EncryptionConfiguration of the deployment that wrote it
 * (`secrets.restoreEncryption`).
 */
export function restoreObject(props: { readonly file: string; readonly location: BackupLocation; readonly inPlace?: boolean }): OperatorObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Restore',
    metadata: { name: props.inPlace ? inPlaceRestoreName(props.file) : MIGRATION_RESTORE },
    spec: {
      backupFilename: props.file,
      prune: props.inPlace === true,
      ...(props.file.endsWith('.enc') ? { encryptionConfigSecretName: props.location.secrets.restoreEncryption } : {}),
      storageLocation: s3Location(props.location),
    },
  };
}

/**
 * An EncryptionConfiguration as the API server's encryption at rest reads it (the operator loads it the same way):
 * secretbox with one key of 32 bytes, base64 (`key`: a Terraform reference, never a literal).
 */
export function encryptionConfiguration(key: string): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['*.*'], providers: [{ secretbox: { keys: [{ name: ENCRYPTION_KEY_NAME, secret: key }] } }] }],
  };
}
