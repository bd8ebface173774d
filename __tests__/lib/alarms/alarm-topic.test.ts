import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AlarmTopic, SUSTAINED_PERIODS, type AlarmTopicProps } from '../../../lib/alarms/alarm-topic';
import type { Metric } from '../../../lib/common/metric';
import { accountAdministersStatement, StackKey, type IStackKey } from '../../../lib/common/stack-key';
import { dataSources, only, ref, resources, synthConstruct } from '../../helpers/synth';

const METRIC: Metric = {
  namespace: 'AWS/EC2',
  metricName: 'CPUUtilization',
  dimensions: { InstanceId: 'i-0123' },
  statistic: 'Average',
  period: 300,
};

/** A key that grants nothing: what these tests look at is the alarms. */
const KEY: IStackKey = {
  arn: 'arn:aws:kms:eu-west-1:111122223333:key/demo',
  grantAlarmPublishing: () => {},
  grantSnapshotEventsPublishing: () => {},
};

const build = (add: (topic: AlarmTopic, stack: TerraformStack) => void) =>
  synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const holder = new Construct(stack, 'alarms');
    add(new AlarmTopic(holder, 'topic', { name: 'demo-alarms', key: KEY }), stack);
  }).json;

describe('AlarmTopic.addAlarm (the one path every alarm takes)', () => {
  it("makes an alarm on the metric beside the topic, notifying it on ALARM and OK, with the project's defaults", () => {
    const json = build((topic) => topic.addAlarm('cpu', { metric: METRIC, threshold: 80 }));
    const [topicName] = only(json, 'aws_sns_topic');
    const [name, alarm] = only(json, 'aws_cloudwatch_metric_alarm');
    // The topic's sibling: alarms/cpu, not alarms/topic/cpu.
    expect(name).toMatch(/^alarms_cpu_/);
    const { '//': _metadata, ...attributes } = alarm;
    expect(attributes).toEqual({
      alarm_name: 'cpu',
      namespace: 'AWS/EC2',
      metric_name: 'CPUUtilization',
      dimensions: { InstanceId: 'i-0123' },
      statistic: 'Average',
      period: 300,
      evaluation_periods: SUSTAINED_PERIODS,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: 80,
      treat_missing_data: 'missing',
      alarm_actions: [ref('aws_sns_topic', topicName, 'arn')],
      ok_actions: [ref('aws_sns_topic', topicName, 'arn')],
    });
    // INSUFFICIENT_DATA notifies nobody.
    expect(alarm.insufficient_data_actions).toBeUndefined();
  });

  it("fillMissing reads the metric through FILL: the metric returns no data, the filled series is the alarm's", () => {
    const json = build((topic) => topic.addAlarm('cpu', { metric: METRIC, threshold: 80, fillMissing: -1 }));
    const [, alarm] = only(json, 'aws_cloudwatch_metric_alarm');
    for (const single of ['namespace', 'metric_name', 'dimensions', 'statistic', 'period']) expect(alarm).not.toHaveProperty(single);
    expect(alarm.metric_query).toEqual([
      {
        id: 'm',
        metric: { namespace: 'AWS/EC2', metric_name: 'CPUUtilization', dimensions: { InstanceId: 'i-0123' }, stat: 'Average', period: 300 },
        return_data: false,
      },
      { id: 'filled', expression: 'FILL(m, -1)', label: 'CPUUtilization (-1 where none was sent)', return_data: true },
    ]);
  });

  it('refuses a fillMissing that is not a finite number', () => {
    expect(() => build((topic) => topic.addAlarm('cpu', { metric: METRIC, threshold: 80, fillMissing: Number.NaN }))).toThrow(
      'alarm on CPUUtilization: fillMissing must be a finite number (got NaN)',
    );
  });

  it('takes what the options say, and places the alarm in another scope with another provider', () => {
    const json = build((topic, stack) => {
      const east = new AwsProvider(stack, 'east', { region: 'us-east-1', alias: 'us_east_1' });
      const scope = new Construct(stack, 'elsewhere');
      topic.addAlarm(
        'gone',
        {
          metric: METRIC,
          threshold: 1,
          comparisonOperator: 'LessThanThreshold',
          evaluationPeriods: 5,
          datapointsToAlarm: 4,
          treatMissingData: 'breaching',
          alarmName: 'demo-gone',
          alarmDescription: 'no data',
        },
        { scope, provider: east },
      );
    });
    const [name, alarm] = only(json, 'aws_cloudwatch_metric_alarm');
    expect(name).toMatch(/^elsewhere_gone_/);
    expect(alarm).toMatchObject({
      provider: 'aws.us_east_1',
      alarm_name: 'demo-gone',
      alarm_description: 'no data',
      comparison_operator: 'LessThanThreshold',
      evaluation_periods: 5,
      datapoints_to_alarm: 4,
      treat_missing_data: 'breaching',
    });
  });

  it("passes a user's names, texts and dimensions to Terraform as literals (references stay references)", () => {
    const json = build((topic) =>
      topic.addAlarm('odd', {
        metric: { ...METRIC, namespace: 'Team/${x}', dimensions: { Host: '%{if}' } },
        threshold: 1,
        alarmName: 'a-${b}',
        alarmDescription: 'see ${var.c}',
      }),
    );
    const [, alarm] = only(json, 'aws_cloudwatch_metric_alarm');
    expect(alarm).toMatchObject({
      alarm_name: 'a-$${b}',
      alarm_description: 'see $${var.c}',
      namespace: 'Team/$${x}',
      dimensions: { Host: '%%{if}' },
    });
    expect(Object.keys(resources(json, 'aws_sns_topic'))).toHaveLength(1);
  });
});

describe("AlarmTopic and the stack's key", () => {
  /** The key's policy document and the topic of a stack with the key and one AlarmTopic made with `props`. */
  const keyed = (props: Partial<AlarmTopicProps> = {}, provider?: (stack: TerraformStack) => AwsProvider) => {
    const { json } = synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const key = new StackKey(stack, { description: 'test', statement: [accountAdministersStatement(stack)] });
      new AlarmTopic(new Construct(stack, 'alarms'), 'topic', { name: 'demo-alarms', key, provider: provider?.(stack), ...props });
    });
    const [, policy] = Object.entries(dataSources(json, 'aws_iam_policy_document')).find(([name]) => name.startsWith('key-policy'))!;
    const granted = (policy as any).statement.find((s: any) => s.sid === 'CloudWatchPublishesAlarms');
    return { json, topicArns: granted?.condition[0].values as string[] | undefined };
  };
  const arn = (region: string) =>
    new RegExp(
      `^arn:\\$\\{data\\.aws_partition\\.[^}]+\\.partition\\}:sns:${region}:\\$\\{data\\.aws_caller_identity\\.[^}]+\\.account_id\\}:demo-alarms$`,
    );

  it("grants CloudWatch the key's use for its own topic itself, by the ARN its name makes, and encrypts with the key", () => {
    const { json, topicArns } = keyed();
    expect(topicArns).toHaveLength(1);
    // The stack's region as its default provider reads it.
    expect(topicArns![0]).toMatch(arn('\\$\\{data\\.aws_region\\.[^}]+\\.region\\}'));
    const [keyName] = only(json, 'aws_kms_key');
    expect(only(json, 'aws_sns_topic')[1]).toMatchObject({ name: 'demo-alarms', kms_master_key_id: ref('aws_kms_key', keyName, 'arn') });
  });

  it("names the region it is given, or its provider's", () => {
    expect(keyed({ region: 'eu-west-1' }).topicArns![0]).toMatch(arn('eu-west-1'));
    const east = (stack: TerraformStack) => new AwsProvider(stack, 'east', { region: 'us-east-1', alias: 'us_east_1' });
    expect(keyed({}, east).topicArns![0]).toMatch(arn('us-east-1'));
  });

  it('refuses a provider that names no region without region, in its props words', () => {
    const unnamed = (stack: TerraformStack) => new AwsProvider(stack, 'other', { alias: 'other' });
    expect(() => keyed({}, unnamed)).toThrow(
      "AlarmTopic test/alarms/topic: provider test/other names no region, which the topic's ARN in the key's grant needs; give region",
    );
  });
});
