import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AlarmTopic, SUSTAINED_PERIODS } from '../../../lib/alarms/alarm-topic';
import type { Metric } from '../../../lib/common/metric';
import { only, ref, resources, synthConstruct } from '../../helpers/synth';

const METRIC: Metric = {
  namespace: 'AWS/EC2',
  metricName: 'CPUUtilization',
  dimensions: { InstanceId: 'i-0123' },
  statistic: 'Average',
  period: 300,
};

const build = (add: (topic: AlarmTopic, stack: TerraformStack) => void) =>
  synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const holder = new Construct(stack, 'alarms');
    add(new AlarmTopic(holder, 'topic', { name: 'demo-alarms', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/demo' }), stack);
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
