import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { SnapshotBucket } from '../../../lib/kubernetes/snapshot-bucket';
import { SNAPSHOT_EVENTS, SnapshotEvents } from '../../../lib/kubernetes/private/snapshot-events';
import { dataSources, only, ref, servicePrincipal, synthConstruct } from '../../helpers/synth';

describe('SnapshotEvents', () => {
  const { json } = synthConstruct((stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const bucket = new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-rke-ha-etcd-' });
    new SnapshotEvents(stack, 'events', { bucket, topicName: 'demo-rke-ha-etcd-events', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k' });
  });
  const [bucketName] = only(json, 'aws_s3_bucket');
  const [topicName, topic] = only(json, 'aws_sns_topic');

  it('sends every snapshot written or deleted to a topic of its own, encrypted with the given key', () => {
    expect(topic).toMatchObject({ name: 'demo-rke-ha-etcd-events', kms_master_key_id: 'arn:aws:kms:us-east-1:111122223333:key/k' });
    expect(only(json, 'aws_s3_bucket_notification')[1]).toMatchObject({
      bucket: ref('aws_s3_bucket', bucketName, 'id'),
      topic: [{ topic_arn: ref('aws_sns_topic', topicName, 'arn'), events: [...SNAPSHOT_EVENTS] }],
      depends_on: [expect.stringMatching(/^aws_sns_topic_policy\./)],
    });
  });

  it('lets only S3, for this bucket of this account, publish to the topic', () => {
    const [statement] = Object.values(dataSources(json, 'aws_iam_policy_document')).find(
      (d) => d['//'].metadata.path === 'test/events/policy-document',
    ).statement;
    expect(statement).toMatchObject({
      actions: ['sns:Publish'],
      principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 's3')] }],
      resources: [ref('aws_sns_topic', topicName, 'arn')],
      condition: [
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [ref('aws_s3_bucket', bucketName, 'arn')] },
        { test: 'StringEquals', variable: 'aws:SourceAccount' },
      ],
    });
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('SnapshotEvents for the alarms', () => {
  const build = (topicName?: string) =>
    synthConstruct((stack: TerraformStack) => {
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      const bucket = new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-rke-ha-etcd-' });
      new SnapshotEvents(stack, 'events', { bucket, topicName, kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', eventBridge: true });
    }).json;

  it('without a topic, sends the events to EventBridge only, from the same construct id', () => {
    const json = build();
    expect(json.resource.aws_sns_topic).toBeUndefined();
    const [name, notification] = only(json, 'aws_s3_bucket_notification');
    expect(name).toMatch(/^events_notification_/);
    expect(notification).toMatchObject({ eventbridge: true });
    expect(notification.topic).toBeUndefined();
  });

  it('with a topic, sends to both in the one configuration a bucket has', () => {
    const [, notification] = only(build('demo-rke-ha-etcd-events'), 'aws_s3_bucket_notification');
    expect(notification).toMatchObject({ eventbridge: true, topic: [{ events: [...SNAPSHOT_EVENTS] }] });
  });
});
