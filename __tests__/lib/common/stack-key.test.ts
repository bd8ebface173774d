import { configureBaseProviders } from '../../../lib/common/providers';
import { accountAdministersStatement, StackKey } from '../../../lib/common/stack-key';
import { dataSources, synthConstruct } from '../../helpers/synth';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:prod-rke-ha-alarms';

describe('StackKey', () => {
  it('grows its policy by grants, after the statements it was made with, for the one topic named', () => {
    const { json } = synthConstruct((stack) => {
      configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
      const key = new StackKey(stack, { description: 'test', statement: [accountAdministersStatement(stack)] });
      key.grantAlarmPublishing(TOPIC);
    });
    const [policy] = Object.values(dataSources(json, 'aws_iam_policy_document')) as any[];
    expect(policy.statement.map((s: any) => s.sid)).toEqual(['AccountAdministers', 'CloudWatchPublishesAlarms']);
    expect(policy.statement[1]).toMatchObject({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      condition: [{ test: 'StringEquals', variable: 'kms:EncryptionContext:aws:sns:topicArn', values: [TOPIC] }],
    });
  });

  it('refuses a second grant of the same statement', () => {
    expect(() =>
      synthConstruct((stack) => {
        const key = new StackKey(stack, { description: 'test', statement: [accountAdministersStatement(stack)] });
        key.grantAlarmPublishing(TOPIC);
        key.grantAlarmPublishing(TOPIC);
      }),
    ).toThrow(/grants CloudWatchPublishesAlarms already/);
  });

  it('merges a second topic granted the same use into that statement, and refuses the same topic twice', () => {
    const second = 'arn:aws:sns:eu-west-1:123456789012:prod-rke-ha-alarms-2';
    const { json } = synthConstruct((stack) => {
      configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
      const key = new StackKey(stack, { description: 'test', statement: [accountAdministersStatement(stack)] });
      key.grantAlarmPublishing(TOPIC);
      key.grantSnapshotEventsPublishing(TOPIC);
      key.grantAlarmPublishing(second);
      expect(() => key.grantSnapshotEventsPublishing(TOPIC)).toThrow(
        /grants S3PublishesSnapshotEvents already, for arn:aws:sns:eu-west-1:123456789012:prod-rke-ha-alarms$/,
      );
    });
    const [policy] = Object.values(dataSources(json, 'aws_iam_policy_document')) as any[];
    expect(policy.statement.map((s: any) => s.sid)).toEqual(['AccountAdministers', 'CloudWatchPublishesAlarms', 'S3PublishesSnapshotEvents']);
    expect(policy.statement[1].condition[0].values).toEqual([TOPIC, second]);
    expect(policy.statement[2].condition[0].values).toEqual([TOPIC]);
  });
});
