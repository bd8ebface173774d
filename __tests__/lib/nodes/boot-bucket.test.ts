import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend } from 'cdktf';
import { BootBucket } from '../../../lib/nodes/boot-bucket';
import { dataSources, only, resources, synthConstruct } from '../../helpers/synth';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/demo';
const WRITERS = ['arn:aws:iam::123456789012:role/deployer', 'arn:aws:iam::123456789012:role/ci'];

describe('BootBucket', () => {
  const { json } = synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new BootBucket(stack, 'boot', { namePrefix: 'demo-boot-' }).encryptWith(KEY, WRITERS);
  });
  const [name, bucket] = only(json, 'aws_s3_bucket');

  it('is destroyed with whatever it holds: Terraform writes every object again (no versioning, no prevent_destroy)', () => {
    expect(bucket).toMatchObject({ bucket_prefix: 'demo-boot-', force_destroy: true });
    expect(bucket).not.toHaveProperty('lifecycle');
    expect(resources(json, 'aws_s3_bucket_versioning')).toEqual({});
  });

  it('is private: public access blocked, objects owned by the bucket owner, TLS only', () => {
    expect(only(json, 'aws_s3_bucket_public_access_block')[1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(json, 'aws_s3_bucket_ownership_controls')[1].rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    const [, policy] = Object.entries(dataSources(json, 'aws_iam_policy_document'))[0];
    expect(policy.statement[0]).toEqual(
      expect.objectContaining({ effect: 'Deny', condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] }),
    );
  });

  it('refuses, to anyone, a write not under its key (SSE-KMS), and a write by anyone but the writers', () => {
    const [, policy] = only(json, 'aws_s3_bucket_policy');
    const document = Object.entries<any>(dataSources(json, 'aws_iam_policy_document')).find(
      ([id]) => policy.policy === `\${data.aws_iam_policy_document.${id}.json}`,
    )![1];
    const objects = [`\${aws_s3_bucket.${name}.arn}/*`];
    const anyone = [{ type: '*', identifiers: ['*'] }];
    expect(document.statement.slice(1)).toEqual([
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
        condition: [{ test: 'StringNotEquals', variable: 's3:x-amz-server-side-encryption-aws-kms-key-id', values: [KEY] }],
      },
      {
        sid: 'DenyWritesByOthers',
        effect: 'Deny',
        principals: anyone,
        actions: ['s3:PutObject'],
        resources: objects,
        condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: WRITERS }],
      },
    ]);
    // Nothing denies a change of the policy itself (the TLS rule only over plain HTTP): the next apply lets a new
    // deploying identity in.
    expect(document.statement.filter((st: any) => st.actions.includes('s3:*')).map((st: any) => st.sid)).toEqual(['DenyInsecureTransport']);
  });

  it("encrypts objects with the given key by default, with an S3 Bucket Key (the key's context is the bucket)", () => {
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration')[1].rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/demo' },
        bucket_key_enabled: true,
      },
    ]);
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration')[1].bucket).toBe(`\${aws_s3_bucket.${name}.id}`);
  });
});
