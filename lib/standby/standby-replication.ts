import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3BucketReplicationConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-replication-configuration';
import { Construct } from 'constructs';
import { PARTITION_DNS_SUFFIXES, partitionOf } from '../config/aws-regions';
import { stackAccount, stackServicePrincipal } from '../common/aws-context';
import type { Metric } from '../common/metric';
import { regionProvider } from '../common/providers';
import { accountAdministersStatement, StackKey } from '../common/stack-key';
import { SnapshotBucket } from '../kubernetes/snapshot-bucket';
import { instanceTypeOffered, type StandbyInstanceType } from './instance-type-offered';
import { StandbyDns, type StandbyDnsProps } from './standby-dns';
import { StandbyFacts, type StandbyFactsProps } from './standby-facts';
import { StandbyState } from './standby-state';
import { EtcdBreakGlass, type EtcdBreakGlassProps } from './etcd-break-glass';
import { REPLICATION_TIME_MINUTES } from './replication-time';

export { REPLICATION_TIME_MINUTES };

/** The id of the one replication rule of each source bucket: the `RuleId` dimension of its metrics. */
export const REPLICATION_RULE_ID = 'standby';

/** The id of the copy of Rancher's backup bucket (a Terraform address), where the standby facts are kept too. */
export const RANCHER_BACKUPS_COPY = 'rancher-backups';

/** The id of the copy of the etcd snapshot bucket (rke-ha with RKE2): a Terraform address. */
export const ETCD_SNAPSHOTS_COPY = 'etcd-snapshots';

/** One of the deployment's buckets the standby keeps a copy of. */
export interface ReplicatedBucket {
  /** The copy's construct id (`rancher-backups`, `etcd-snapshots`): a Terraform address. */
  readonly id: string;
  /** The deployment's bucket (versioned; SnapshotBucket). */
  readonly source: SnapshotBucket;
  /** The copy's name prefix (a random suffix makes it unique). */
  readonly namePrefix: string;
  /** The KMS key of the stack that encrypts the source's objects (SSE-KMS); unset for SSE-S3. */
  readonly sourceKey?: StackKey;
  /** As the source's: `destroy` deletes the copy with its objects; otherwise `prevent_destroy`. */
  readonly forceDestroy: boolean;
  /** As the source's: days a deleted or overwritten object stays recoverable. @default 30 */
  readonly noncurrentDays?: number;
  /** As the source's: prefixes whose objects expire (the roll's snapshots, which RKE2 does not prune). @default none */
  readonly expirePrefixes?: readonly string[];
  /** As the source's: Object Lock on (S3 replicates from a bucket with Object Lock only to one with it). @default false */
  readonly objectLock?: boolean;
  /** As the source's: S3 server access logs, into a log bucket of the standby's region. @default false */
  readonly accessLogging?: boolean;
}

/**
 * Rancher's backup bucket as every stack's standby copies it: the copy's id (`rancher-backups`, a Terraform address
 * both rke-ha and k8s-ha keep) and name prefix (`<deployment prefix>-backups-sb-`), destroyed with its source's rule.
 * Its objects are SSE-S3 (Rancher encrypts the backups themselves), so no source key.
 */
export function rancherBackupsCopy(source: SnapshotBucket, name: string, forceDestroy: boolean): ReplicatedBucket {
  return { id: RANCHER_BACKUPS_COPY, source, namePrefix: `${name}-backups-sb-`, forceDestroy };
}

/** Where the standby is and what it keeps. */
export interface StandbyReplicationProps {
  /** The deployment's prefix (`<name>-<stack id>`): the role is named after it. */
  readonly name: string;
  /** The stack's region (a literal): the sources', whose KMS calls S3 makes there. */
  readonly region: string;
  /** The standby's region: of the stack's partition, not the stack's own (the settings' rules refuse both). */
  readonly standbyRegion: string;
  /** The buckets copied there, at least one. */
  readonly buckets: readonly ReplicatedBucket[];
  /**
   * The EC2 instance types a failover launches in the standby region, by what runs on them (`servers`, the
   * construct id's prefix): each is looked up among the region's offerings at every plan, which is refused, naming
   * `standby.region` and the type's setting, while the region does not offer it.
   */
  readonly launches: Readonly<Record<string, StandbyInstanceType>>;
}

/** The endpoint S3 calls KMS through in `region` (`kms:ViaService`). */
const s3Endpoint = (region: string) => `s3.${region}.${PARTITION_DNS_SUFFIXES[partitionOf(region)]}`;

/**
 * A cold standby's data in a second region (docs/standby.md): for each of the deployment's buckets a copy there,
 * guarded as the source is (SnapshotBucket: private, TLS only, versioned, `prevent_destroy` unless forced, the same
 * lifetimes, Object Lock and access logging), encrypted under a KMS key of that region, filled by S3 replication with Replication Time Control and
 * its metrics, delete markers included. One IAM role, which S3 assumes, reads the sources' versions and writes the
 * copies, for these buckets and keys only. Besides, in the standby region: a read of whether the region offers the
 * instance types a failover launches there, and (`recordFacts`) what a failover reads of production (StandbyFacts);
 * the lag alarms are DeploymentAlarms'.
 *
 * Delete markers are replicated: a copy then shows what the source shows, and what RKE2's and the operator's
 * retention delete there is a noncurrent version in both, kept `noncurrentDays`, so the copy's storage stays the
 * source's. S3 never replicates the deletion of a version (a request that names a version id), so a version deleted
 * in the source on purpose or by an attacker stays in the copy.
 */
export class StandbyReplication extends Construct {
  /** The copies, by their id. */
  readonly copies: ReadonlyMap<string, SnapshotBucket>;
  /** The standby region's key, which encrypts the copies. */
  readonly key: StackKey;
  /** The role S3 replicates as. */
  readonly role: IamRole;
  /** The replication configurations, by the copy's id. */
  readonly replications: ReadonlyMap<string, S3BucketReplicationConfigurationA>;
  /** Production's facts and the backups' EncryptionConfiguration in the copy of Rancher's backups (`recordFacts`). */
  facts?: StandbyFacts;
  /** The bucket of the standby deployment's own state, named in a parameter there (with the facts). */
  state?: StandbyState;
  /** The hostname's failover routing, moved by a metric of the standby region (`routeFailover`). */
  dns?: StandbyDns;
  /** The role and the token's copy that restore the etcd snapshot copies without production's region (`breakGlass`). */
  breakGlassAccess?: EtcdBreakGlass;
  private readonly props: StandbyReplicationProps;
  /** The standby region's AWS provider. */
  private readonly provider: AwsProvider;

  constructor(scope: Construct, id: string, props: StandbyReplicationProps) {
    super(scope, id);
    if (props.buckets.length === 0) throw new Error(`StandbyReplication ${this.node.path}: buckets is empty; give the buckets the standby keeps`);
    if (props.standbyRegion === props.region)
      throw new Error(`StandbyReplication ${this.node.path}: standbyRegion ${props.standbyRegion} is the stack's own region; name another region`);
    if (partitionOf(props.standbyRegion) !== partitionOf(props.region))
      throw new Error(
        `StandbyReplication ${this.node.path}: standbyRegion ${props.standbyRegion} is not in the partition of ${props.region} (${partitionOf(props.region)}); S3 replicates within one partition`,
      );
    this.props = props;
    const provider = (this.provider = regionProvider(this, props.standbyRegion));
    for (const [what, launched] of Object.entries(props.launches))
      instanceTypeOffered(this, `${what}-instance-type`, { ...launched, provider, region: props.standbyRegion, regionSetting: 'standby.region' });
    const copies = new Map<string, SnapshotBucket>();
    for (const b of props.buckets) {
      copies.set(
        b.id,
        new SnapshotBucket(this, b.id, {
          provider,
          namePrefix: b.namePrefix,
          forceDestroy: b.forceDestroy,
          noncurrentDays: b.noncurrentDays,
          expirePrefixes: b.expirePrefixes,
          objectLock: b.objectLock,
          accessLogging: b.accessLogging,
        }),
      );
    }
    this.copies = copies;
    const all = props.buckets.map((b) => ({ ...b, copy: copies.get(b.id)! }));

    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 's3')] }],
          // S3 of this account only (the confused deputy).
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [stackAccount(this).accountId] }],
        },
      ],
    });
    this.role = new IamRole(this, 'role', { namePrefix: `${props.name}-standby-`, assumeRolePolicy: assume.json });

    // The copies' key outlives a destroy as long as a copy it encrypts does.
    this.key = new StackKey(this, {
      description: `Standby copies of ${props.name}'s backups and etcd snapshots (${props.standbyRegion})`,
      statement: [accountAdministersStatement(this)],
      provider,
      preventDestroy: all.some((b) => !b.forceDestroy),
    });
    this.key.grantReplication(
      'encrypt',
      this.role.arn,
      all.map((b) => b.copy.arn),
      s3Endpoint(props.standbyRegion),
    );
    for (const b of all) b.copy.encryptWith(this.key.arn);
    // A source key encrypts one or more sources: each is granted once, for its buckets.
    const sourceKeys = new Map<StackKey, string[]>();
    for (const b of all) if (b.sourceKey) sourceKeys.set(b.sourceKey, [...(sourceKeys.get(b.sourceKey) ?? []), b.source.arn]);
    for (const [key, arns] of sourceKeys) key.grantReplication('decrypt', this.role.arn, arns, s3Endpoint(props.region));

    const locked = all.filter((b) => b.objectLock);
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: 'ReadReplicationConfiguration', actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: all.map((b) => b.source.arn) },
      {
        sid: 'ReadSourceVersions',
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        resources: all.map((b) => `${b.source.arn}/*`),
      },
      // Object Lock's retention and legal hold travel with a version; S3 reads them as the role (S3 User Guide, "Object
      // Lock considerations": s3:GetObjectRetention and s3:GetObjectLegalHold on the source), for locked sources only.
      ...(locked.length
        ? [{ sid: 'ReadSourceLocks', actions: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'], resources: locked.map((b) => `${b.source.arn}/*`) }]
        : []),
      {
        sid: 'WriteReplicas',
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: all.map((b) => `${b.copy.arn}/*`),
      },
      ...[...sourceKeys].map(([key, arns]) => ({
        sid: 'DecryptSources',
        actions: ['kms:Decrypt'],
        resources: [key.arn],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [s3Endpoint(props.region)] },
          { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: arns.flatMap((arn) => [arn, `${arn}/*`]) },
        ],
      })),
      {
        // kms:Decrypt too: S3 checks the copy's Bucket Key by decrypting it (S3 User Guide, "S3 Bucket Keys and replication").
        sid: 'EncryptReplicas',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.arn],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [s3Endpoint(props.standbyRegion)] },
          { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: all.flatMap((b) => [b.copy.arn, `${b.copy.arn}/*`]) },
        ],
      },
    ];
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', { statement: statements });
    const policy = new IamRolePolicy(this, 'role-policy', { name: 'replicate-to-standby', role: this.role.id, policy: permissions.json });

    const replications = new Map<string, S3BucketReplicationConfigurationA>();
    for (const b of all) {
      replications.set(
        b.id,
        new S3BucketReplicationConfigurationA(this, `${b.id}-replication`, {
          bucket: b.source.name,
          role: this.role.arn,
          rule: [
            {
              id: REPLICATION_RULE_ID,
              status: 'Enabled',
              // Every object (the empty filter: the rule's current schema, which delete marker replication needs).
              filter: {},
              deleteMarkerReplication: { status: 'Enabled' },
              // SSE-KMS objects are replicated only when asked; SSE-S3 ones always.
              sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
              destination: {
                bucket: b.copy.arn,
                encryptionConfiguration: { replicaKmsKeyId: this.key.arn },
                replicationTime: { status: 'Enabled', time: { minutes: REPLICATION_TIME_MINUTES } },
                metrics: { status: 'Enabled', eventThreshold: { minutes: REPLICATION_TIME_MINUTES } },
              },
            },
          ],
          // S3 refuses a configuration while either side is not versioned, and the role's permissions come first.
          dependsOn: [b.source.versioning, b.copy.versioning, policy],
        }),
      );
    }
    this.replications = replications;
  }

  /**
   * Writes what a failover reads into the copy of Rancher's backups (`rancher-backups`), directly in the standby region
   * (StandbyFacts, construct id `facts`): once, after the records exist (RancherBackups.scheduleAfter). With them, the
   * bucket of the standby deployment's state and its parameter (StandbyState, construct id `state`), destroyed as that
   * copy is.
   */
  recordFacts(props: Omit<StandbyFactsProps, 'region' | 'standbyRegion' | 'provider' | 'copy' | 'key'>): StandbyFacts {
    if (this.facts) throw new Error(`StandbyReplication ${this.node.path}: its facts are recorded already`);
    const copy = this.copies.get(RANCHER_BACKUPS_COPY);
    if (!copy) throw new Error(`StandbyReplication ${this.node.path}: no copy ${RANCHER_BACKUPS_COPY}, where the facts are kept`);
    this.facts = new StandbyFacts(this, 'facts', {
      ...props,
      region: this.props.region,
      standbyRegion: this.props.standbyRegion,
      provider: this.provider,
      copy,
      key: this.key,
    });
    const forceDestroy = this.props.buckets.find((b) => b.id === RANCHER_BACKUPS_COPY)!.forceDestroy;
    this.state = new StandbyState(this, 'state', {
      name: this.props.name,
      standbyRegion: this.props.standbyRegion,
      provider: this.provider,
      forceDestroy,
      parameterPath: props.parameterPath,
    });
    return this.facts;
  }

  /**
   * The etcd snapshot copy (`etcd-snapshots`) made restorable without production's region (EtcdBreakGlass, construct
   * id `break-glass`): a role that reads it and the cluster token's copy in the standby region.
   */
  breakGlass(props: Pick<EtcdBreakGlassProps, 'token' | 'parameterPath' | 'deployerArns'>): EtcdBreakGlass {
    if (this.breakGlassAccess) throw new Error(`StandbyReplication ${this.node.path}: its break-glass role is made already`);
    const copy = this.copies.get(ETCD_SNAPSHOTS_COPY);
    if (!copy) throw new Error(`StandbyReplication ${this.node.path}: no copy ${ETCD_SNAPSHOTS_COPY}, which the break-glass role reads`);
    this.breakGlassAccess = new EtcdBreakGlass(this, 'break-glass', {
      ...props,
      name: this.props.name,
      standbyRegion: this.props.standbyRegion,
      provider: this.provider,
      copy,
      key: this.key,
    });
    return this.breakGlassAccess;
  }

  /**
   * Production's records of its hostname made failover routing that a metric of the standby region moves (StandbyDns,
   * construct id `dns`): the failover moves the name without Route 53's control plane.
   */
  routeFailover(props: Omit<StandbyDnsProps, 'standbyRegion' | 'provider'>): StandbyDns {
    if (this.dns) throw new Error(`StandbyReplication ${this.node.path}: its failover routing is made already`);
    this.dns = new StandbyDns(this, 'dns', { ...props, standbyRegion: this.props.standbyRegion, provider: this.provider });
    return this.dns;
  }

  /**
   * The replication metrics of the copy `id` (namespace AWS/S3, per source bucket, destination bucket and rule; on
   * with Replication Time Control): `failed` counts the operations that did not replicate in a period, published in
   * the source's region; `latency`, the seconds the copy lags its source, is published in the copy's region, where
   * an alarm on it must be (S3 User Guide, "Using S3 Replication metrics" and "Metrics and dimensions").
   */
  metrics(id: string): { readonly failed: Metric; readonly latency: Metric } {
    const b = this.props.buckets.find((x) => x.id === id);
    const copy = this.copies.get(id);
    if (!b || !copy) throw new Error(`StandbyReplication ${this.node.path}: no copy ${id}; copies: ${[...this.copies.keys()].join(', ')}`);
    const dimensions = { SourceBucket: b.source.name, DestinationBucket: copy.name, RuleId: REPLICATION_RULE_ID };
    return {
      failed: { namespace: 'AWS/S3', metricName: 'OperationsFailedReplication', dimensions, statistic: 'Sum', period: 300 },
      latency: {
        namespace: 'AWS/S3',
        metricName: 'ReplicationLatency',
        dimensions,
        statistic: 'Maximum',
        period: 300,
        region: this.props.standbyRegion,
      },
    };
  }
}
