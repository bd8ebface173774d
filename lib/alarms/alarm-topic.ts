import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { stackAccount, stackServicePrincipal } from '../common/aws-context';
import { literal } from '../common/terraform-template';

/** The service that publishes an alarm's state changes, Route53 health-check alarms included (CloudWatch alarms in the partition's Route53 region). */
export const CLOUDWATCH_SERVICE = 'cloudwatch';

/**
 * The key-policy statement that lets CloudWatch publish to a topic encrypted
 * with the key: SNS asks KMS for a data key on the publisher's behalf, with
 * the topic's ARN as encryption context, so the statement is for that topic
 * only. Without it the alarms change state and nobody hears of it.
 */
export function alarmTopicKeyStatement(scope: Construct, topicArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: 'CloudWatchPublishesAlarms',
    principals: [{ type: 'Service', identifiers: [stackServicePrincipal(scope, CLOUDWATCH_SERVICE)] }],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'],
    condition: [{ test: 'StringEquals', variable: 'kms:EncryptionContext:aws:sns:topicArn', values: [topicArn] }],
  };
}

export interface AlarmTopicProps {
  /** Topic name (`<name>-alarms`): the key policy names the topic by it, so it is fixed, not generated. */
  readonly name: string;
  /** The KMS key the messages are encrypted with; its policy must hold alarmTopicKeyStatement for this topic. */
  readonly kmsKeyArn: string;
  /** An e-mail address to subscribe (AWS mails a confirmation link first). @default none */
  readonly email?: string;
  /** The provider of the topic's region. @default the stack's default AWS provider */
  readonly provider?: AwsProvider;
}

/**
 * The SNS topic a deployment's alarms notify (alarm and OK), encrypted with a
 * customer managed key (FSBP SNS.1; the AWS managed `aws/sns` key cannot let
 * CloudWatch use it), publishable by this account's CloudWatch alarms only.
 */
export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;
  readonly subscription?: SnsTopicSubscription;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const account = stackAccount(this);
    this.topic = new SnsTopic(this, 'topic', { name: props.name, kmsMasterKeyId: props.kmsKeyArn, provider: props.provider });
    const policy = new DataAwsIamPolicyDocument(this, 'policy-document', {
      provider: props.provider,
      statement: [
        {
          sid: 'AccountAlarmsPublish',
          actions: ['sns:Publish'],
          principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, CLOUDWATCH_SERVICE)] }],
          resources: [this.topic.arn],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] }],
        },
      ],
    });
    new SnsTopicPolicy(this, 'topic-policy', { arn: this.topic.arn, policy: policy.json, provider: props.provider });
    if (props.email !== undefined) {
      this.subscription = new SnsTopicSubscription(this, 'email', {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: literal(props.email),
        provider: props.provider,
      });
    }
  }

  get arn(): string {
    return this.topic.arn;
  }
}
