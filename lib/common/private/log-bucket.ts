import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { Construct } from 'constructs';
import { denyInsecureTransport, privateBucket } from './private-bucket';

export interface LogBucketProps {
  /** Bucket name prefix (a random suffix makes it unique). */
  readonly namePrefix: string;
  /** Days a log object is kept. */
  readonly expireDays: number;
  /**
   * Let `destroy` (or turning the log off) delete the bucket with its logs.
   * Otherwise it is `prevent_destroy`, like the snapshot bucket: a plan that
   * would delete it is refused before anything is touched. @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * Who delivers into the bucket: statements for the log delivery service,
   * given the bucket's ARN. TLS-only access is added to them.
   */
  readonly writers: (bucketArn: string) => DataAwsIamPolicyDocumentStatement[];
  /**
   * The provider of the bucket's region: S3 delivers server access logs to a bucket in the logged bucket's region
   * only, so a standby's copy logs into a bucket of its own region. @default the stack's default AWS provider
   */
  readonly provider?: AwsProvider;
}

/**
 * A private bucket that AWS services deliver logs into (VPC flow logs, S3
 * server access logs): public access blocked, objects owned by the bucket
 * owner, S3-managed encryption (S3 server access logging delivers to no other
 * kind), TLS only, expiring after `expireDays`.
 */
export class LogBucket extends Construct {
  readonly bucket: S3Bucket;
  /** The delivery permissions: what a log source should wait for. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    const forceDestroy = props.forceDestroy ?? false;
    const provider = props.provider;
    this.bucket = privateBucket(this, { namePrefix: props.namePrefix, forceDestroy, provider });
    const bucket = this.bucket.id;
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket,
      rule: [{ id: 'expire-logs', status: 'Enabled', filter: [{}], expiration: [{ days: props.expireDays }] }],
    });
    const policy = new DataAwsIamPolicyDocument(this, 'policy-document', {
      provider,
      statement: [denyInsecureTransport(this.bucket.arn), ...props.writers(this.bucket.arn)],
    });
    this.policy = new S3BucketPolicy(this, 'policy', { provider, bucket, policy: policy.json });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.id;
  }
}
