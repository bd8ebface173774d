import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { S3BucketNotification } from '@cdktn/provider-aws/lib/s3-bucket-notification';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktn/provider-aws/lib/sns-topic-policy';
import { Construct } from 'constructs';
import type { SnapshotBucket } from '../snapshot-bucket';
import { stackAccount, stackPartition, stackRegion, stackServicePrincipal } from '../../common/aws-context';
import type { IStackKey } from '../../common/stack-key';

/** What the topic hears about: every snapshot (and metadata file) written, and every one deleted. */
export const SNAPSHOT_EVENTS = ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] as const;

export interface SnapshotEventsProps {
  readonly bucket: SnapshotBucket;
  /**
   * Topic name (`<name>-etcd-events`); the key policy names the topic by its ARN built from it (the topic is
   * encrypted with the key, so the key's policy cannot refer to the topic: a cycle), so it is fixed, not generated.
   * @default no topic (the notification only sends the events to EventBridge)
   */
  readonly topicName?: string;
  /**
   * The key the topic's messages are encrypted with. S3 may publish to an
   * encrypted topic only when the key policy lets the S3 service use the key
   * for it: the topic grants that itself (`grantSnapshotEventsPublishing`);
   * the AWS managed `aws/sns` key cannot be given that permission.
   */
  readonly key: IStackKey;
  /**
   * Also send the bucket's events to EventBridge, where the freshness alarms'
   * rules count new objects (lib/alarms/object-freshness.ts). A bucket has one
   * notification configuration, so both destinations live in this one
   * resource. @default false
   */
  readonly eventBridge?: boolean;
}

/**
 * S3 event notifications of the etcd snapshot bucket (FSBP S3.11) to an SNS
 * topic of its own, encrypted with the stack's key: a snapshot that stops
 * arriving, or snapshots deleted by someone other than RKE2's pruning, can be
 * alerted on by subscribing to it (e-mail, a queue, a chat hook); and, for
 * the alarms, to EventBridge.
 */
export class SnapshotEvents extends Construct {
  readonly topic?: SnsTopic;

  constructor(scope: Construct, id: string, props: SnapshotEventsProps) {
    super(scope, id);
    if (props.topicName === undefined) {
      new S3BucketNotification(this, 'notification', { bucket: props.bucket.name, eventbridge: true });
      return;
    }
    const account = stackAccount(this);
    // The topic's ARN from its name, for the key's policy (which the topic, encrypted with the key, cannot be named in).
    props.key.grantSnapshotEventsPublishing(
      `arn:${stackPartition(this).partition}:sns:${stackRegion(this).region}:${account.accountId}:${props.topicName}`,
    );
    const topic = new SnsTopic(this, 'topic', { name: props.topicName, kmsMasterKeyId: props.key.arn });
    this.topic = topic;
    const policy = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: [
        {
          sid: 'SnapshotBucketPublishes',
          actions: ['sns:Publish'],
          principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 's3')] }],
          resources: [topic.arn],
          condition: [
            { test: 'ArnLike', variable: 'aws:SourceArn', values: [props.bucket.arn] },
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] },
          ],
        },
      ],
    });
    const topicPolicy = new SnsTopicPolicy(this, 'topic-policy', { arn: topic.arn, policy: policy.json });
    // S3 checks that it may publish when the configuration is written: the policy comes first.
    new S3BucketNotification(this, 'notification', {
      bucket: props.bucket.name,
      topic: [{ topicArn: topic.arn, events: [...SNAPSHOT_EVENTS] }],
      eventbridge: props.eventBridge,
      dependsOn: [topicPolicy],
    });
  }
}
