import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { SnapshotBucket } from '../../../lib/kubernetes/snapshot-bucket';
import { dataSources, only, ref, resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

describe('SnapshotBucket', () => {
  const { json } = synth((stack) => {
    new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-rke-ha-etcd-' });
  });
  const [bucketName, bucket] = only(json, 'aws_s3_bucket');
  const bucketId = ref('aws_s3_bucket', bucketName, 'id');
  const bucketArn = ref('aws_s3_bucket', bucketName, 'arn');

  it('names the bucket by prefix and keeps it on destroy by default', () => {
    expect(bucket).toEqual({ '//': expect.anything(), bucket_prefix: 'demo-rke-ha-etcd-', force_destroy: false });
  });

  it('blocks every kind of public access', () => {
    expect(only(json, 'aws_s3_bucket_public_access_block')[1]).toMatchObject({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it('disables ACLs (bucket owner enforced)', () => {
    expect(only(json, 'aws_s3_bucket_ownership_controls')[1]).toMatchObject({ bucket: bucketId, rule: { object_ownership: 'BucketOwnerEnforced' } });
  });

  it('encrypts objects by default', () => {
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration')[1]).toMatchObject({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' }, bucket_key_enabled: true }],
    });
  });

  it('enables versioning and expires old versions after 30 days', () => {
    expect(only(json, 'aws_s3_bucket_versioning')[1]).toMatchObject({ bucket: bucketId, versioning_configuration: { status: 'Enabled' } });
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')[1]).toMatchObject({
      bucket: bucketId,
      rule: [{ status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 30 }] }],
    });
  });

  it('denies every request not made over TLS', () => {
    const documents = Object.entries(dataSources(json, 'aws_iam_policy_document'));
    expect(documents).toHaveLength(1);
    const [documentName, document] = documents[0];
    expect(document.statement).toEqual([
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        actions: ['s3:*'],
        principals: [{ type: '*', identifiers: ['*'] }],
        resources: [bucketArn, `${bucketArn}/*`],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]);
    expect(only(json, 'aws_s3_bucket_policy')[1]).toMatchObject({ bucket: bucketId, policy: `\${data.aws_iam_policy_document.${documentName}.json}` });
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('SnapshotBucket options', () => {
  const { json } = synth((stack) => {
    new SnapshotBucket(stack, 'snapshots', { namePrefix: 'x-', forceDestroy: true, noncurrentDays: 7 });
  });

  it('honours forceDestroy and noncurrentDays', () => {
    expect(only(json, 'aws_s3_bucket')[1].force_destroy).toBe(true);
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')[1].rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 7 }]);
    expect(Object.keys(resources(json, 'aws_s3_bucket_policy'))).toHaveLength(1);
  });
});
