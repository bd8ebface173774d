import type { DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktn/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
import type { Construct } from 'constructs';

export interface PrivateBucketProps {
  /** Bucket name prefix (a random suffix makes it unique). */
  readonly namePrefix: string;
  /** Let `destroy` delete the bucket with its objects; otherwise it is `prevent_destroy`. */
  readonly forceDestroy: boolean;
  /** The provider of the bucket's region. @default the stack's default AWS provider */
  readonly provider?: AwsProvider;
}

/**
 * The start every bucket of the stacks shares, made in `scope` with the ids
 * its constructs always had (`bucket`, `public-access`, `ownership`: Terraform
 * addresses): `prevent_destroy` unless forced (Terraform then refuses a plan
 * that would delete it before it touches the guards that depend on it), all
 * public access blocked, objects owned by the bucket owner (no ACLs).
 */
export function privateBucket(scope: Construct, props: PrivateBucketProps): S3Bucket {
  const provider = props.provider;
  const bucket = new S3Bucket(scope, 'bucket', {
    provider,
    bucketPrefix: props.namePrefix,
    forceDestroy: props.forceDestroy,
    lifecycle: props.forceDestroy ? undefined : { preventDestroy: true },
  });
  new S3BucketPublicAccessBlock(scope, 'public-access', {
    provider,
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'ownership', { provider, bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  return bucket;
}

/** The bucket policy statement every bucket of the stacks starts with: nothing over plain HTTP. */
export function denyInsecureTransport(bucketArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    actions: ['s3:*'],
    principals: [{ type: '*', identifiers: ['*'] }],
    resources: [bucketArn, `${bucketArn}/*`],
    condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
  };
}
