import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { accountAdministersStatement, StackKey, type IStackKey } from '../../../lib/common/stack-key';
import { SnapshotBucket } from '../../../lib/kubernetes/snapshot-bucket';
import { SNAPSHOT_EVENTS, SnapshotEvents } from '../../../lib/kubernetes/private/snapshot-events';
import { dataSources, only, ref, servicePrincipal, synthConstruct } from '../../helpers/synth';

/** A key that only names itself: what the topic is encrypted with, for the tests of the topic itself. */
const KEY: IStackKey = { arn: 'arn:aws:kms:us-east-1:111122223333:key/k', grantAlarmPublishing: () => {}, grantSnapshotEventsPublishing: () => {} };

describe('SnapshotEvents', () => {
  const { json } = synthConstruct((stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const bucket = new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-rke-ha-etcd-' });
    new SnapshotEvents(stack, 'events', { bucket, topicName: 'demo-rke-ha-etcd-events', key: KEY });
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
      new SnapshotEvents(stack, 'events', { bucket, topicName, key: KEY, eventBridge: true });
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

describe('SnapshotEvents and the stack key', () => {
  const TOPIC_ARN = /^arn:\$\{data\.aws_partition\.[^}]+\}:sns:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:/;
  const build = (topics: readonly string[]) =>
    synthConstruct((stack: TerraformStack) => {
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      const key = new StackKey(stack, { description: 'test', statement: [accountAdministersStatement(stack)] });
      topics.forEach((topicName, i) => {
        const bucket = new SnapshotBucket(stack, `snapshots-${i}`, { namePrefix: `demo-${i}-etcd-` });
        new SnapshotEvents(stack, `events-${i}`, { bucket, topicName, key });
      });
    }).json;
  const keyStatements = (json: ReturnType<typeof build>) =>
    Object.values(dataSources(json, 'aws_iam_policy_document')).find((d) => d['//'].metadata.path === 'test/key-policy').statement as any[];

  it('grants S3 the use of its key for its own topic (by the ARN built from its name), after the key was made', () => {
    const json = build(['demo-rke-ha-etcd-events']);
    const statements = keyStatements(json);
    expect(statements.map((s) => s.sid)).toEqual(['AccountAdministers', 'S3PublishesSnapshotEvents']);
    expect(statements[1]).toMatchObject({
      principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 's3')] }],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    });
    expect(statements[1].condition).toEqual([
      {
        test: 'StringEquals',
        variable: 'kms:EncryptionContext:aws:sns:topicArn',
        values: [expect.stringMatching(new RegExp(TOPIC_ARN.source + 'demo-rke-ha-etcd-events$'))],
      },
    ]);
  });

  it('merges a second topic on the same key into the one statement', () => {
    const statements = keyStatements(build(['first-etcd-events', 'second-etcd-events']));
    expect(statements.map((s) => s.sid)).toEqual(['AccountAdministers', 'S3PublishesSnapshotEvents']);
    expect(statements[1].condition[0].values).toEqual([expect.stringMatching(/:first-etcd-events$/), expect.stringMatching(/:second-etcd-events$/)]);
  });

  it('grants nothing without a topic (the events go to EventBridge only)', () => {
    expect(keyStatements(build([])).map((s) => s.sid)).toEqual(['AccountAdministers']);
  });
});
