import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import type { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { denyInsecureTransport, privateBucket } from '../common/private/private-bucket';

/** The boot bucket's name. */
export interface BootBucketProps {
  /** Bucket name prefix (a random suffix makes it unique). */
  readonly namePrefix: string;
}

/**
 * The servers' boot documents (ServerNode `bootStore`): a private bucket, TLS only, objects owned by the bucket owner,
 * SSE-KMS under the stack's key by default (`encryptWith`: the key's policy names this bucket, so it is made after it). Only the node role may read the plaintext: it alone is granted the objects
 * (NodeRole `bootDocumentArns`) and the key's use through S3 for this bucket (BootParameters `bootBucketArn`); the
 * account's administrators may not decrypt with the key. Once encrypted, the policy also refuses a write that does not
 * ask for SSE-KMS under that key, and a write by anyone but the identities that run Terraform: a document
 * written otherwise would only be refused by the loader's SHA-256, leaving a server that does not boot.
 *
 * No versioning and no `prevent_destroy`: every object is written by Terraform from the settings and the scripts of
 * this version, so a destroy loses nothing a plan cannot write again (unlike the etcd snapshot bucket). `force_destroy`
 * lets destroy remove it whatever it holds.
 */
export class BootBucket extends Construct {
  /** The S3 bucket. */
  readonly bucket: S3Bucket;
  /**
   * What must exist before a document is written and a server asks for it: the bucket policy, and the default
   * encryption once set.
   */
  readonly guards: ITerraformDependable[];
  private readonly policyDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: BootBucketProps) {
    super(scope, id);
    this.bucket = privateBucket(this, { namePrefix: props.namePrefix, forceDestroy: true });
    // Its id from when the policy only demanded TLS (a data source's address; encryptWith adds the writers' rules).
    this.policyDocument = new DataAwsIamPolicyDocument(this, 'tls-only', { statement: [denyInsecureTransport(this.bucket.arn)] });
    this.guards = [new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: this.policyDocument.json })];
    // Its only writes are Terraform's single-part uploads; the rule is there for FSBP S3.13 (a lifecycle on every bucket).
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [{ id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] }],
    });
  }

  /**
   * Encrypts new objects with `kmsKeyArn` by default (SSE-KMS, with an S3 Bucket Key: the key's context is the bucket),
   * and refuses, to anyone, a write that does not ask for SSE-KMS under that key (default encryption would take a
   * write without the header; the policy does not), and a write of an object by any principal but `writerArns` (the
   * identities that run Terraform: BootParameters `deployerArns`). The policy can still be changed by the account
   * (nothing here denies `s3:PutBucketPolicy`), so a new deploying identity is let in by the next apply. Deletions are
   * not denied: a destroy run by an identity the policy does not name yet (it deletes before any policy update) would
   * fail, and a deleted document is only a server that waits (its loader retries), never one that runs other scripts.
   */
  encryptWith(kmsKeyArn: string, writerArns: string[]): void {
    if (this.node.tryFindChild('encryption')) throw new Error(`${this.node.path} is encrypted already`);
    this.policyDocument.putStatement([denyInsecureTransport(this.bucket.arn), ...writeRules(this.bucket.arn, kmsKeyArn, writerArns)]);
    this.guards.push(
      new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
        bucket: this.bucket.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true }],
      }),
    );
  }

  /** The ARN of the object `key`. */
  objectArn(key: string): string {
    return `${this.bucket.arn}/${key}`;
  }
}

/**
 * The boot bucket's rules for writes: PutObject denied unless its `s3:x-amz-server-side-encryption` is `aws:kms`, and
 * unless its `s3:x-amz-server-side-encryption-aws-kms-key-id` is the key, the two statements
 * terraform-aws-modules/terraform-aws-s3-bucket writes for `attach_deny_incorrect_encryption_headers` and
 * `attach_deny_incorrect_kms_key_sse`. A negated condition operator matches a request without the key (IAM user guide,
 * "Condition operators"), so a write without the headers is denied too. Two statements, not one with both
 * conditions: conditions within a statement must all match, which a write naming aws:kms with another key would not.
 * Writers are matched by `aws:PrincipalArn` (for an assumed role the role's ARN, not the session's; for a user the
 * user's), the ARNs the key policy names (the session's issuer).
 */
function writeRules(bucketArn: string, kmsKeyArn: string, writerArns: string[]): DataAwsIamPolicyDocumentStatement[] {
  const anyone = [{ type: '*', identifiers: ['*'] }];
  const objects = [`${bucketArn}/*`];
  return [
    {
      sid: 'DenyWritesNotSseKms',
      effect: 'Deny',
      principals: anyone,
      actions: ['s3:PutObject'],
      resources: objects,
      condition: [{ test: 'StringNotEquals', variable: 's3:x-amz-server-side-encryption', values: ['aws:kms'] }],
    },
    {
      sid: 'DenyWritesUnderAnotherKey',
      effect: 'Deny',
      principals: anyone,
      actions: ['s3:PutObject'],
      resources: objects,
      condition: [{ test: 'StringNotEquals', variable: 's3:x-amz-server-side-encryption-aws-kms-key-id', values: [kmsKeyArn] }],
    },
    {
      sid: 'DenyWritesByOthers',
      effect: 'Deny',
      principals: anyone,
      actions: ['s3:PutObject'],
      resources: objects,
      condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: writerArns }],
    },
  ];
}
