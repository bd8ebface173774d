import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LogBucket } from '../../../lib/common/private/log-bucket';
import { dataSources, resources, synthConstruct } from '../../helpers/synth';

describe('LogBucket', () => {
  const { json } = synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new LogBucket(stack, 'logs', {
      namePrefix: 'demo-flow-logs-',
      expireDays: 90,
      writers: (arn) => [
        {
          sid: 'Delivery',
          actions: ['s3:PutObject'],
          resources: [`${arn}/*`],
          principals: [{ type: 'Service', identifiers: ['delivery.logs.amazonaws.com'] }],
        },
      ],
    });
  });

  it('is a private bucket, kept from a destroy, with S3-managed encryption (what log delivery writes into)', () => {
    const [bucket] = Object.values(resources(json, 'aws_s3_bucket'));
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(Object.keys(resources(json, 'aws_s3_bucket_public_access_block'))).toHaveLength(1);
    const [encryption] = Object.values(resources(json, 'aws_s3_bucket_server_side_encryption_configuration'));
    expect(encryption.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
  });

  it('expires the logs after the given days', () => {
    const [lifecycle] = Object.values(resources(json, 'aws_s3_bucket_lifecycle_configuration'));
    expect(lifecycle.rule[0]).toMatchObject({ status: 'Enabled', expiration: [{ days: 90 }] });
  });

  it('lets the writers deliver, over TLS only', () => {
    const [document] = Object.values(dataSources(json, 'aws_iam_policy_document'));
    const sids = document.statement.map((s: { sid?: string }) => s.sid);
    expect(sids).toContain('Delivery');
    const denyPlain = document.statement.find((s: { effect?: string }) => s.effect === 'Deny');
    expect(denyPlain.condition).toEqual([expect.objectContaining({ variable: 'aws:SecureTransport', values: ['false'] })]);
  });
});
