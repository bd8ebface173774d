import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
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
 * account's administrators may not decrypt with the key.
 *
 * No versioning and no `prevent_destroy`: every object is written by Terraform from the settings and the scripts of
 * this version, so a destroy loses nothing a plan cannot write again (unlike the etcd snapshot bucket). `force_destroy`
 * lets destroy remove it whatever it holds.
 */
export class BootBucket extends Construct {
  /** The S3 bucket. */
  readonly bucket: S3Bucket;
  /** What must exist before a server asks for its document: the bucket policy, and the default encryption once set. */
  readonly guards: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: BootBucketProps) {
    super(scope, id);
    this.bucket = privateBucket(this, { namePrefix: props.namePrefix, forceDestroy: true });
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', { statement: [denyInsecureTransport(this.bucket.arn)] });
    this.guards = [new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: tlsOnly.json })];
    // Its only writes are Terraform's single-part uploads; the rule is there for FSBP S3.13 (a lifecycle on every bucket).
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [{ id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] }],
    });
  }

  /** Encrypts new objects with `kmsKeyArn` by default (SSE-KMS, with an S3 Bucket Key: the key's context is the bucket). */
  encryptWith(kmsKeyArn: string): void {
    if (this.node.tryFindChild('encryption')) throw new Error(`${this.node.path} is encrypted already`);
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
