import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { FlowLogs, type FlowLogsProps } from '../../../lib/network/private/flow-logs';
import { dataSources, only, ref, resources, servicePrincipal, synthConstruct } from '../../helpers/synth';

function synth(props: Partial<FlowLogsProps>) {
  return synthConstruct((stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new FlowLogs(stack, 'flow-logs', { vpcId: 'vpc-0123', name: 'demo-rke-ha', destination: 'cloudwatch', retentionDays: 90, ...props });
  }).json;
}
const document = (json: ReturnType<typeof synth>, path: string) =>
  Object.values(dataSources(json, 'aws_iam_policy_document')).find((d) => d['//'].metadata.path === `test/flow-logs/${path}`);

describe('FlowLogs to CloudWatch Logs', () => {
  const json = synth({});
  const [groupName, group] = only(json, 'aws_cloudwatch_log_group');
  const [roleName] = only(json, 'aws_iam_role');
  const [, flowLog] = only(json, 'aws_flow_log');

  it('logs every accepted and rejected flow of the VPC into a log group kept for the given days', () => {
    expect(group).toMatchObject({ name: '/aws/vpc-flow-logs/demo-rke-ha', retention_in_days: 90, lifecycle: { prevent_destroy: true } });
    // As the S3 destination: the records go with a destroy only when forced.
    expect(only(synth({ forceDestroy: true }), 'aws_cloudwatch_log_group')[1].lifecycle).toBeUndefined();
    expect(flowLog).toMatchObject({
      vpc_id: 'vpc-0123',
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: ref('aws_cloudwatch_log_group', groupName, 'arn'),
      iam_role_arn: ref('aws_iam_role', roleName, 'arn'),
      max_aggregation_interval: 600,
    });
    expect(flowLog.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\./)]);
  });

  it('delivers through a role only the flow logs service of this account may assume, writing to that group only', () => {
    const [statement] = document(json, 'assume').statement;
    expect(statement.principals).toEqual([{ type: 'Service', identifiers: [servicePrincipal(json, 'vpc-flow-logs')] }]);
    expect(statement.condition.map((c: any) => c.variable)).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
    expect(document(json, 'write').statement[0].resources).toEqual([
      ref('aws_cloudwatch_log_group', groupName, 'arn'),
      `${ref('aws_cloudwatch_log_group', groupName, 'arn')}:*`,
    ]);
    expect(resources(json, 'aws_s3_bucket')).toEqual({});
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('FlowLogs to S3', () => {
  const json = synth({ destination: 's3', retentionDays: 30 });
  const [bucketName, bucket] = only(json, 'aws_s3_bucket');
  const [, flowLog] = only(json, 'aws_flow_log');

  it('delivers to a private bucket of its own, once the bucket policy lets the delivery service write', () => {
    expect(flowLog).toMatchObject({ traffic_type: 'ALL', log_destination_type: 's3', log_destination: ref('aws_s3_bucket', bucketName, 'arn') });
    expect(flowLog).not.toHaveProperty('iam_role_arn');
    expect(flowLog.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
    expect(bucket).toMatchObject({ bucket_prefix: 'demo-rke-ha-flow-logs-', force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(only(json, 'aws_s3_bucket_public_access_block')[1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')[1].rule[0].expiration).toEqual([{ days: 30 }]);
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration')[1].rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe(
      'AES256',
    );
  });

  it('lets the log delivery service of this account write under AWSLogs/, and denies everything without TLS', () => {
    const statements = document(json, 'bucket/policy-document').statement;
    expect(statements.map((s: any) => s.sid)).toEqual(['DenyInsecureTransport', 'AWSLogDeliveryWrite', 'AWSLogDeliveryAclCheck']);
    expect(statements[1].resources[0]).toMatch(/\/AWSLogs\/\$\{data\.aws_caller_identity\.[^.]+\.account_id\}\/\*$/);
    for (const s of statements.slice(1)) {
      expect(s.principals).toEqual([{ type: 'Service', identifiers: [servicePrincipal(json, 'delivery.logs')] }]);
      expect(s.condition.map((c: any) => c.variable)).toEqual(expect.arrayContaining(['aws:SourceAccount', 'aws:SourceArn']));
    }
    expect(resources(json, 'aws_iam_role')).toEqual({});
  });

  it('lets destroy delete the bucket with its logs only when asked', () => {
    const forced = only(synth({ destination: 's3', forceDestroy: true }), 'aws_s3_bucket')[1];
    expect(forced.force_destroy).toBe(true);
    expect(forced).not.toHaveProperty('lifecycle');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
