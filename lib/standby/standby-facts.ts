import { DataAwsIamSessionContext } from '@cdktn/provider-aws/lib/data-aws-iam-session-context';
import { DataAwsS3Objects } from '@cdktn/provider-aws/lib/data-aws-s3-objects';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { S3Object } from '@cdktn/provider-aws/lib/s3-object';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { Fn, TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { PARTITION_DNS_SUFFIXES, partitionOf } from '../config/aws-regions';
import { stackAccount } from '../common/aws-context';
import { addCheck } from '../common/private/check';
import type { StackKey } from '../common/stack-key';
import { literal } from '../common/terraform-template';
import type { SnapshotBucket } from '../kubernetes/snapshot-bucket';
import type { BackupRecordObjects } from '../rancher/restore-preflight';
import { STANDBY_ENCRYPTION_KEY, STANDBY_FACTS_FOLDER, STANDBY_FACTS_FORMAT, STANDBY_FACTS_KEY, STANDBY_FACTS_PARAMETER } from './standby-facts-keys';

export { STANDBY_ENCRYPTION_KEY, STANDBY_FACTS_FOLDER, STANDBY_FACTS_FORMAT, STANDBY_FACTS_KEY, STANDBY_FACTS_PARAMETER };

/** What production knows of itself that a failover needs in the standby region (docs/development/standby-facts.md). */
export interface StandbyFactsProps {
  /** The `name` setting (the deployment record's). */
  readonly name: string;
  /** The stack's kind: `rke-ha` or `k8s-ha`. */
  readonly kind: 'rke-ha' | 'k8s-ha';
  /** rke-ha's distribution (`rke2`, `k3s`). @default none */
  readonly distribution?: string;
  /** Production's region (a literal). */
  readonly region: string;
  /** The standby's region (a literal). */
  readonly standbyRegion: string;
  /** The standby region's AWS provider. */
  readonly provider: AwsProvider;
  /** The standby's copy of Rancher's backup bucket, where the facts are written. */
  readonly copy: SnapshotBucket;
  /** The copies' key, in the standby region: it encrypts the EncryptionConfiguration too. */
  readonly key: StackKey;
  /** Production's backup bucket (the copy's source). */
  readonly sourceBucket: string;
  /** Rancher's hostname (a literal or a reference). */
  readonly hostname: string;
  /** The hosted zone's name (a literal or a reference); none without a Route53 name. @default none */
  readonly hostedZone?: string;
  /** Production's records of `hostname` (each may have a count of 0 or 1). @default none */
  readonly records?: readonly Route53Record[];
  /** The load balancer the records lead to: an alias target (rke-ha's NLB or ALB). @default none */
  readonly loadBalancer?: { readonly dnsName: string; readonly zoneId: string };
  /** k8s-ha: the ingress load balancer's hostname or address and the record it needs (`alias`, `A`, `CNAME`). @default none */
  readonly ingress?: { readonly target: string; readonly recordType: string };
  /** The record beside the backups (and of the CA agents trust); none while backups are off. @default none */
  readonly record?: BackupRecordObjects;
  /** The backups' EncryptionConfiguration (sensitive, a reference); none while backups are off. @default none */
  readonly encryptionConfig?: string;
  /** IAM roles or users besides the one running Terraform that deploy production and so may fail it over. @default [] */
  readonly deployerArns?: readonly string[];
  /**
   * The deployment's SSM path (`/<name>/<stack id>`): in the standby region, `<parameterPath>/standby-facts` names the
   * facts' object, so a failover finds the copy (its name has a random suffix) from the settings alone.
   */
  readonly parameterPath: string;
  /** A unique name at the stack's root: the facts' local and their check are named so. */
  readonly stackLevelName: string;
}

/**
 * What a failover reads, kept in the standby region at every apply of production (issue 91; docs/development/standby-facts.md):
 * production's facts as one JSON object in the standby's copy of the backup bucket (`STANDBY_FACTS_KEY`, SSE-S3: nothing
 * secret in it), and the backups' EncryptionConfiguration beside it (`STANDBY_ENCRYPTION_KEY`), SSE-KMS under the copies'
 * key, which the identities deploying production may use for it, through S3 there, for that bucket only. Terraform
 * writes both through the standby region's provider, so they are there whatever the replication rule's age: S3
 * replicates only objects written after the rule exists, and a standby added to a running deployment would otherwise
 * never hold production's records. A failover reads nothing of production's region.
 *
 * A `check` says, at each plan, when the copy lacks either object (a listing there, read after this apply writes them).
 */
export class StandbyFacts extends Construct {
  /** The facts document. */
  readonly object: S3Object;
  /** The EncryptionConfiguration (with `encryptionConfig`). */
  readonly encryptionObject?: S3Object;
  /** The listing the check reads. */
  readonly listing: DataAwsS3Objects;
  /** Where the facts are (`s3://<copy>/<STANDBY_FACTS_KEY>`), under a name the settings give (`STANDBY_FACTS_PARAMETER`). */
  readonly pointer: SsmParameter;

  constructor(scope: Construct, id: string, props: StandbyFactsProps) {
    super(scope, id);
    const { provider, copy } = props;
    const viaS3 = `s3.${props.standbyRegion}.${PARTITION_DNS_SUFFIXES[partitionOf(props.standbyRegion)]}`;

    if (props.encryptionConfig !== undefined) {
      // The role or user behind the session running Terraform (an assumed-role session ARN changes every time), and
      // the other deployers: they write it at each apply, and a failover, run by one of them, reads it.
      const deployer = new DataAwsIamSessionContext(this, 'deployer', { arn: stackAccount(this).arn });
      const deployers = Fn.concat([[deployer.issuerArn], [...(props.deployerArns ?? [])]]);
      // The copies' key (kept, and deleted, with the copies: teardown counts it among their stores). Through S3 there,
      // for this copy only: its one object under the key is this one (its replicas keep production's SSE-S3).
      props.key.grant({
        sid: 'DeployersUseStandbyFacts',
        principals: [{ type: 'AWS', identifiers: deployers }],
        // An upload needs a data key, a download Decrypt.
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [viaS3] },
          // Written with an S3 Bucket Key: the encryption context is the bucket's ARN.
          { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:s3:arn', values: [copy.arn] },
        ],
      });
      this.encryptionObject = new S3Object(this, 'backup-encryption', {
        provider,
        bucket: copy.name,
        key: STANDBY_ENCRYPTION_KEY,
        content: props.encryptionConfig,
        contentType: 'application/yaml',
        serverSideEncryption: 'aws:kms',
        kmsKeyId: props.key.arn,
        bucketKeyEnabled: true,
      });
    }

    // The document as a local (an object of the module's JSON), written once and read by the content and its ETag.
    const document = new TerraformLocal(this, 'document', facts(props, this.encryptionObject));
    document.overrideLogicalId(props.stackLevelName);
    const content = Fn.jsonencode(document.asAnyMap);
    this.object = new S3Object(this, 'object', {
      provider,
      bucket: copy.name,
      key: STANDBY_FACTS_KEY,
      content,
      contentType: 'application/json',
      // Nothing secret: SSE-S3, which a reader needs no key for (the copy's default is its KMS key).
      serverSideEncryption: 'AES256',
      // The MD5 of a single-part SSE-S3 upload is its ETag: a refresh that reads another ETag (the object overwritten
      // or gone) plans the write again.
      etag: Fn.md5(Fn.jsonencode(document.asAnyMap)),
    });

    this.pointer = new SsmParameter(this, 'pointer', {
      provider,
      name: `${props.parameterPath}${STANDBY_FACTS_PARAMETER}`,
      type: 'String',
      value: `s3://${copy.name}/${STANDBY_FACTS_KEY}`,
      description: `Where ${props.name}'s facts for a failover to ${props.standbyRegion} are (docs/standby.md)`,
    });

    this.listing = new DataAwsS3Objects(this, 'listing', {
      provider,
      bucket: copy.name,
      prefix: STANDBY_FACTS_FOLDER,
      // Read after this apply writes them (deferred only while one of them has a change planned).
      dependsOn: [this.object, ...(this.encryptionObject ? [this.encryptionObject] : [])],
    });
    const where = `s3://\${${copy.bucket.fqn}.id}/${STANDBY_FACTS_FOLDER} (${props.standbyRegion})`;
    const lacks = (key: string, what: string) => ({
      condition: `\${contains(${this.listing.fqn}.keys, "${key}")}`,
      errorMessage:
        `The standby's copy ${where} lacks ${key}, ${what}: a failover reads it there, never in ${props.region}. ` +
        'Apply production to write it again (a delete marker hides it: aws s3api list-object-versions shows one; docs/standby.md).',
    });
    addCheck(this, props.stackLevelName, [
      lacks(STANDBY_FACTS_KEY, "production's facts"),
      ...(this.encryptionObject ? [lacks(STANDBY_ENCRYPTION_KEY, "the backups' EncryptionConfiguration")] : []),
    ]);
  }
}

/** The facts document (format STANDBY_FACTS_FORMAT; docs/development/standby-facts.md), its references as cdktf tokens. */
function facts(props: StandbyFactsProps, encryption: S3Object | undefined): Record<string, unknown> {
  // Production's records as its state holds them (every attribute of aws_route53_record, whatever their count): a
  // reader of either reads them alike.
  const records = (props.records ?? []).map((r) => `${r.fqn}[*]`);
  const record = props.record;
  return {
    format: STANDBY_FACTS_FORMAT,
    name: literal(props.name),
    kind: props.kind,
    distribution: props.distribution ?? null,
    region: props.region,
    standbyRegion: props.standbyRegion,
    hostname: literal(props.hostname),
    // What Rancher's server-url names (not the readiness probe's URL, which a plan may read only at apply).
    url: literal(`https://${props.hostname}`),
    dns: {
      hostedZone: props.hostedZone === undefined ? null : literal(props.hostedZone),
      records: records.length ? `\${concat(${records.join(', ')})}` : [],
    },
    loadBalancer: props.loadBalancer ? { dnsName: props.loadBalancer.dnsName, zoneId: props.loadBalancer.zoneId } : null,
    ingress: props.ingress ? { target: literal(props.ingress.target), recordType: props.ingress.recordType } : null,
    backups: {
      bucket: props.sourceBucket,
      copy: props.copy.name,
      encryption: encryption ? { key: encryption.key, kmsKeyArn: props.key.arn, format: 'EncryptionConfiguration' } : null,
    },
    // The record's fields hold a digest of the EncryptionConfiguration: not secret, though derived from one.
    backupRecord: record ? { key: Fn.nonsensitive(record.object.key), fields: Fn.jsondecode(Fn.nonsensitive(record.object.content)) } : null,
    caRecord: record?.caObject ? { key: record.caObject.key, ca: Fn.lookup(Fn.jsondecode(record.caObject.content), 'ca') } : null,
  };
}
