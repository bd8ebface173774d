import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { AlarmTopic } from '../../../lib/alarms/alarm-topic';
import { ObjectFreshness } from '../../../lib/alarms/object-freshness';
import type { IStackKey } from '../../../lib/common/stack-key';
import { freshnessTargetProblems } from '../../helpers/freshness';
import { only, ref, synthConstruct } from '../../helpers/synth';

/** A key that grants nothing: the topic's key is AlarmTopic's to test. */
const KEY: IStackKey = {
  arn: 'arn:aws:kms:eu-west-1:111122223333:key/demo',
  grantAlarmPublishing: () => {},
  grantSnapshotEventsPublishing: () => {},
};

const build = (prefix: string, schedule = '0 */6 * * *') =>
  synthConstruct((stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const topic = new AlarmTopic(stack, 'topic', { name: 'demo-alarms', key: KEY });
    new ObjectFreshness(stack, 'backups', {
      bucket: 'demo-bucket',
      prefix,
      schedule,
      name: 'demo-backup-fresh',
      what: 'Rancher backup',
      topic,
    });
  }).json;

describe('ObjectFreshness (the hook for any scheduled writer of a bucket)', () => {
  it("counts Object Created events under the prefix, and alarms when none came for the schedule's window", () => {
    const json = build('rancher-backups/', '0 2 * * *');
    const [ruleName, rule] = only(json, 'aws_cloudwatch_event_rule');
    expect(rule.name).toBe('demo-backup-fresh');
    expect(rule.event_pattern).toBe(
      '${jsonencode({"source" = ["aws.s3"], "detail-type" = ["Object Created"], "detail" = {"bucket" = {"name" = ["demo-bucket"]}, "object" = {"key" = [{"prefix" = "rancher-backups/"}]}}})}',
    );
    const [, alarm] = only(json, 'aws_cloudwatch_metric_alarm');
    const [topicName] = only(json, 'aws_sns_topic');
    expect(alarm).toMatchObject({
      alarm_name: 'demo-backup-fresh',
      dimensions: { RuleName: ref('aws_cloudwatch_event_rule', ruleName, 'name') },
      period: 3600,
      evaluation_periods: 25,
      datapoints_to_alarm: 25,
      treat_missing_data: 'breaching',
      alarm_actions: [ref('aws_sns_topic', topicName, 'arn')],
      ok_actions: [ref('aws_sns_topic', topicName, 'arn')],
    });
    expect(alarm.alarm_description).toContain('No new Rancher backup under s3://demo-bucket/rancher-backups/ for 25 hours');
  });

  it('gives the rule a target, the documented condition of the per-rule count the alarm reads (Invocations, not MatchedEvents)', () => {
    const json = build('rancher-backups/');
    const [ruleName] = only(json, 'aws_cloudwatch_event_rule');
    expect(only(json, 'aws_cloudwatch_metric_alarm')[1]).toMatchObject({ namespace: 'AWS/Events', metric_name: 'Invocations', statistic: 'Sum' });
    expect(freshnessTargetProblems(json, ruleName)).toEqual([]);
    expect(only(json, 'aws_sqs_queue')[1].name).toBe('demo-backup-fresh');
  });

  it('watches the whole bucket with an empty prefix', () => {
    expect(only(build(''), 'aws_cloudwatch_event_rule')[1].event_pattern).toBe(
      '${jsonencode({"source" = ["aws.s3"], "detail-type" = ["Object Created"], "detail" = {"bucket" = {"name" = ["demo-bucket"]}}})}',
    );
  });

  it('passes a prefix to Terraform as a literal, in the rule and in the alarm (escaped once)', () => {
    const json = build('a${b}%{c}/');
    expect(only(json, 'aws_cloudwatch_event_rule')[1].event_pattern).toContain('"prefix" = "a$${b}%%{c}/"');
    expect(only(json, 'aws_cloudwatch_metric_alarm')[1].alarm_description).toContain('s3://demo-bucket/a$${b}%%{c}/ for');
  });

  it('refuses a schedule one alarm cannot watch', () => {
    expect(() => build('x/', '0 0 1 * *')).toThrow('leaves up to 31 d between two runs');
  });
});
