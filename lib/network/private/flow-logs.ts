import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { FlowLog } from '@cdktn/provider-aws/lib/flow-log';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { LogBucket } from '../../common/private/log-bucket';
import { stackAccount, stackPartition, stackRegion, stackServicePrincipal } from '../../common/aws-context';

export interface FlowLogsProps {
  readonly vpcId: string;
  /** Prefix of the names: log group `/aws/vpc-flow-logs/<name>`, role and bucket `<name>-flow-logs-`. */
  readonly name: string;
  /** A CloudWatch Logs group, or an S3 bucket of its own. */
  readonly destination: 'cloudwatch' | 's3';
  /** Days the records are kept: a CloudWatch Logs retention period. */
  readonly retentionDays: number;
  /**
   * Let destroy delete the records: the bucket with its logs, or the log
   * group. Otherwise either is `prevent_destroy`, like the snapshot bucket
   * (a destroy is refused before it touches anything). @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * A flow log of every packet's accept or reject decision in the VPC (FSBP
 * EC2.6): `traffic_type = ALL`, aggregated over 10 minutes, delivered to
 * CloudWatch Logs (through a role only the flow logs service of this account
 * may assume) or to a private bucket.
 */
export class FlowLogs extends Construct {
  readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: FlowLogsProps) {
    super(scope, id);
    const partition = stackPartition(this);
    const account = stackAccount(this);
    const region = stackRegion(this);
    // Only flow logs of this account may deliver (the confused-deputy conditions AWS documents for both).
    const ownAccount = { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] };

    if (props.destination === 'cloudwatch') {
      const group = new CloudwatchLogGroup(this, 'log-group', {
        name: `/aws/vpc-flow-logs/${props.name}`,
        retentionInDays: props.retentionDays,
        lifecycle: props.forceDestroy ? undefined : { preventDestroy: true },
      });
      const assume = new DataAwsIamPolicyDocument(this, 'assume', {
        statement: [
          {
            actions: ['sts:AssumeRole'],
            principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'vpc-flow-logs')] }],
            condition: [
              ownAccount,
              {
                test: 'ArnLike',
                variable: 'aws:SourceArn',
                values: [`arn:${partition.partition}:ec2:${region.region}:${account.accountId}:vpc-flow-log/*`],
              },
            ],
          },
        ],
      });
      const role = new IamRole(this, 'role', { namePrefix: `${props.name}-flow-logs-`, assumeRolePolicy: assume.json });
      const write = new DataAwsIamPolicyDocument(this, 'write', {
        statement: [
          {
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
            resources: [group.arn, `${group.arn}:*`],
          },
        ],
      });
      const grant = new IamRolePolicy(this, 'write-policy', { role: role.id, name: 'flow-logs', policy: write.json });
      this.flowLog = new FlowLog(this, 'flow-log', {
        vpcId: props.vpcId,
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logDestination: group.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 600,
        tags: { Name: props.name },
        dependsOn: [grant],
      });
      return;
    }

    const logSource = {
      test: 'ArnLike',
      variable: 'aws:SourceArn',
      values: [`arn:${partition.partition}:logs:${region.region}:${account.accountId}:*`],
    };
    const bucket = new LogBucket(this, 'bucket', {
      namePrefix: `${props.name}-flow-logs-`,
      expireDays: props.retentionDays,
      forceDestroy: props.forceDestroy,
      writers: (arn) => [
        {
          sid: 'AWSLogDeliveryWrite',
          actions: ['s3:PutObject'],
          principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'delivery.logs')] }],
          resources: [`${arn}/AWSLogs/${account.accountId}/*`],
          condition: [{ test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] }, ownAccount, logSource],
        },
        {
          sid: 'AWSLogDeliveryAclCheck',
          actions: ['s3:GetBucketAcl'],
          principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'delivery.logs')] }],
          resources: [arn],
          condition: [ownAccount, logSource],
        },
      ],
    });
    this.flowLog = new FlowLog(this, 'flow-log', {
      vpcId: props.vpcId,
      trafficType: 'ALL',
      logDestinationType: 's3',
      logDestination: bucket.arn,
      maxAggregationInterval: 600,
      tags: { Name: props.name },
      // With its policy in place the delivery service needs none of its own (it would otherwise try to add one).
      dependsOn: [bucket.policy],
    });
  }
}
