import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktn/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { LogBucket } from '../common/private/log-bucket';
import { denyInsecureTransport, privateBucket } from '../common/private/private-bucket';
import { stackAccount, stackPartition, stackServicePrincipal } from '../common/aws-context';

/** Days the server access logs of the snapshot bucket are kept. */
export const ACCESS_LOG_DAYS = 365;

/**
 * Days an on-demand snapshot a roll takes before each server (`<name>-roll-*`)
 * stays current: long enough for a roll of every server, one stopped over a
 * weekend and resumed, and a rollback to the state before it once a problem
 * shows (docs/day-2.md, "Rolling a server"); by then the scheduled snapshots are
 * newer. Then it is a noncurrent version for `noncurrentDays` more.
 */
export const ROLL_SNAPSHOT_DAYS = 14;

/**
 * The object key prefixes of the snapshots the roll takes, in the folder RKE2
 * uploads to (`etcd-s3-folder`): RKE2 names an on-demand snapshot
 * `<--name>-<node>-<unix time>` and uploads it and its metadata to
 * `<folder>/` and `<folder>/.metadata/` (k3s pkg/etcd/snapshot.go and
 * pkg/etcd/s3/s3.go), and `npm run roll` names it `<name>-roll-<server>-<time>`
 * (cli/roll/roll.ts, etcdSnapshot). Its scheduled snapshots (`etcd-snapshot-*`)
 * are pruned by RKE2 itself and never match.
 */
export function rollSnapshotPrefixes(folder: string, name: string): string[] {
  return [`${folder}/${name}-roll-`, `${folder}/.metadata/${name}-roll-`];
}

/** The snapshot bucket's name, lifetime rules, logging, locking and readers. */
export interface SnapshotBucketProps {
  /** Bucket name prefix (a random suffix makes it unique). */
  readonly namePrefix: string;
  /**
   * Let `destroy` delete the bucket with its snapshots. Otherwise the bucket
   * is `prevent_destroy`: a plan that would delete it (a destroy, or a change
   * that replaces it) is refused before anything is touched. @default false
   */
  readonly forceDestroy?: boolean;
  /** Days a deleted or overwritten snapshot stays recoverable. @default 30 */
  readonly noncurrentDays?: number;
  /**
   * Log every request to the bucket (S3 server access logging, FSBP S3.9)
   * into a log bucket of its own, `<namePrefix>logs-`, kept for
   * `ACCESS_LOG_DAYS`; that bucket follows `forceDestroy`. @default false
   */
  readonly accessLogging?: boolean;
  /**
   * Turn Object Lock on (FSBP S3.15), without a default retention: S3 then
   * refuses uploads that carry neither Content-MD5 nor a checksum header, and
   * RKE2's uploads carry neither. Versions can still be locked one by one
   * (legal hold, retention). Irreversible: Object Lock cannot be turned off.
   * @default false
   */
  readonly objectLock?: boolean;
  /**
   * Key prefixes whose objects expire `ROLL_SNAPSHOT_DAYS` after they were
   * written (`rollSnapshotPrefixes`): snapshots that RKE2's own retention does
   * not prune. @default none
   */
  readonly expirePrefixes?: readonly string[];
  /**
   * Other AWS accounts that may read the bucket: list it and get the objects under `objectPrefixes`, nothing else
   * (no versions, no writes). The grant names each account, whose own IAM decides which of its identities use it.
   * The bucket is SSE-S3, so no key policy is involved. @default none
   */
  readonly readers?: {
    /** The AWS account ids. */
    readonly accounts: readonly string[];
    /** The key prefixes whose objects they may get. */
    readonly objectPrefixes: readonly string[];
  };
  /**
   * The provider of the bucket's region: a standby's copy (lib/standby) in another region, its access-log bucket
   * there too. Not with `readers`. @default the stack's default AWS provider
   */
  readonly provider?: AwsProvider;
}

/**
 * Private, encrypted, versioned bucket for RKE2's scheduled etcd snapshots,
 * so the cluster state outlives the nodes. TLS-only access. Encrypted with
 * S3-managed keys unless `encryptWith` names a KMS key.
 *
 * Destroy: the public access block, TLS-only policy, ownership controls,
 * encryption, versioning and lifecycle rules are resources of their own that
 * depend on the bucket, so Terraform would delete them first and only then
 * find the bucket not empty, leaving the snapshots (every secret of the
 * cluster) unguarded. Unless `forceDestroy`, the bucket is therefore
 * `prevent_destroy`: Terraform refuses such a plan as a whole, before it
 * touches any of them.
 */
export class SnapshotBucket extends Construct {
  /** The S3 bucket (encrypted, versioned, public access blocked). */
  readonly bucket: S3Bucket;
  /** The bucket's versioning: S3 replicates only from and to a versioned bucket. */
  readonly versioning: S3BucketVersioningA;
  private readonly encryption: S3BucketServerSideEncryptionConfigurationA;

  constructor(scope: Construct, id: string, props: SnapshotBucketProps) {
    super(scope, id);
    const forceDestroy = props.forceDestroy ?? false;
    const provider = props.provider;
    if (provider && props.readers?.accounts.length)
      throw new Error(`SnapshotBucket ${this.node.path}: provider is for a standby's copy, which has no reader accounts; remove readers or provider`);
    this.bucket = privateBucket(this, { namePrefix: props.namePrefix, forceDestroy, provider });
    const bucket = this.bucket.id;
    this.encryption = new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', { provider, bucket, versioningConfiguration: { status: 'Enabled' } });
    this.versioning = versioning;
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket,
      rule: [
        {
          id: 'expire-old-versions',
          status: 'Enabled',
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentDays ?? 30 }],
        },
        // Expiring a current version leaves a delete marker: the snapshot stays recoverable as a noncurrent version
        // (the rule above), and S3 keeps any version under an Object Lock retention or legal hold until it ends.
        ...(props.expirePrefixes ?? []).map((prefix, i) => ({
          id: `expire-roll-snapshots-${i}`,
          status: 'Enabled',
          filter: [{ prefix }],
          expiration: [{ days: ROLL_SNAPSHOT_DAYS }],
        })),
      ],
    });

    const readers = props.readers?.accounts.length ? props.readers : undefined;
    const partition = readers ? stackPartition(this).partition : '';
    const readerPrincipals = readers ? [{ type: 'AWS', identifiers: readers.accounts.map((id) => `arn:${partition}:iam::${id}:root`) }] : [];
    // The id stays `tls-only` (a Terraform address) though readers add to the document.
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', {
      provider,
      statement: [
        denyInsecureTransport(this.bucket.arn),
        ...(readers
          ? [
              {
                sid: 'ReaderAccountsList',
                actions: ['s3:ListBucket', 's3:GetBucketLocation'],
                principals: readerPrincipals,
                resources: [this.bucket.arn],
              },
              {
                sid: 'ReaderAccountsRead',
                actions: ['s3:GetObject'],
                principals: readerPrincipals,
                resources: readers.objectPrefixes.map((prefix) => `${this.bucket.arn}/${prefix}*`),
              },
            ]
          : []),
      ],
    });
    new S3BucketPolicy(this, 'policy', { provider, bucket, policy: tlsOnly.json });

    if (props.accessLogging) {
      const account = stackAccount(this);
      const logs = new LogBucket(this, 'access-logs', {
        provider,
        namePrefix: `${props.namePrefix}logs-`,
        expireDays: ACCESS_LOG_DAYS,
        forceDestroy,
        // S3's log delivery, for this bucket of this account only.
        writers: (arn) => [
          {
            sid: 'S3ServerAccessLogs',
            actions: ['s3:PutObject'],
            principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'logging.s3')] }],
            resources: [`${arn}/access-logs/*`],
            condition: [
              { test: 'ArnLike', variable: 'aws:SourceArn', values: [this.bucket.arn] },
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] },
            ],
          },
        ],
      });
      new S3BucketLoggingA(this, 'logging', { provider, bucket, targetBucket: logs.name, targetPrefix: 'access-logs/', dependsOn: [logs.policy] });
    }
    if (props.objectLock) {
      // Versioning first: S3 turns Object Lock on only for a versioned bucket.
      new S3BucketObjectLockConfigurationA(this, 'object-lock', { provider, bucket, objectLockEnabled: 'Enabled', dependsOn: [versioning] });
    }
  }

  /**
   * Encrypts new objects with a KMS key instead of S3-managed keys (FSBP S3.17), with an S3 Bucket Key so KMS is
   * asked for a data key about once a day per bucket instead of once per object. Writers need `kms:GenerateDataKey`
   * and `kms:Decrypt` on the key. Existing objects keep the encryption they were written with. The bucket usually
   * exists before the key (the key policy names the bucket), hence a method rather than a prop.
   */
  encryptWith(kmsKeyArn: string): void {
    this.encryption.putRule([{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true }]);
  }

  /** The bucket's ARN. */
  get arn(): string {
    return this.bucket.arn;
  }

  /** The bucket's name. */
  get name(): string {
    return this.bucket.id;
  }
}
