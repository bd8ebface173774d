import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { literal } from '../common/terraform-template';
import { notifyingAlarm } from './notifying-alarm';
import { FRESHNESS_PERIOD_SECONDS, freshnessWindow } from './schedule-window';

export interface ObjectFreshnessProps {
  /** The bucket's name; it must send its events to EventBridge (`eventbridge = true` on its notification). */
  readonly bucket: string;
  /** Key prefix of the objects the schedule writes (`rke-ha/`); "" for the whole bucket. */
  readonly prefix: string;
  /** The five-field cron expression the objects are written on (the node's time zone, UTC). */
  readonly schedule: string;
  /** Name of the EventBridge rule and of the alarm (unique in the account and region). */
  readonly name: string;
  /** What the objects are, for the alarm's description (`etcd snapshot`). */
  readonly what: string;
  readonly topicArn: string;
}

/**
 * "An object newer than the schedule in the bucket", as an alarm: an
 * EventBridge rule matches the bucket's Object Created events under the
 * prefix (removals, RKE2's pruning or anyone's, never match), and an alarm on
 * the rule's MatchedEvents fires when none arrived for every hourly period
 * of the schedule's longest gap and an hour's grace (schedule-window.ts).
 * EventBridge sends the metric only for periods with a match, so missing
 * data is what breaches. A new rule has no history: the alarm fires at once
 * and turns OK with the first object.
 *
 * The hook for every scheduled writer of a bucket (etcd snapshots, Rancher
 * backups): call it with the bucket, the prefix and the schedule.
 */
export class ObjectFreshness extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ObjectFreshnessProps) {
    super(scope, id);
    const window = freshnessWindow(props.schedule);
    // Strings inside a function call are escaped by cdktf itself; attribute strings are not (literal).
    const key = props.prefix === '' ? {} : { object: { key: [{ prefix: props.prefix }] } };
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: props.name,
      description: `Object Created under ${literal(props.prefix) || '(the whole bucket)'}: counted by the freshness alarm`,
      eventPattern: Fn.jsonencode({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [props.bucket] }, ...key },
      }),
    });
    this.alarm = notifyingAlarm(this, 'alarm', {
      alarmName: props.name,
      alarmDescription: `No new ${props.what} under s3://${props.bucket}/${literal(props.prefix)} for ${window.evaluationPeriods} hours (schedule "${literal(props.schedule)}": at most ${window.longestGapMinutes} minutes apart, and an hour's grace); docs/day-2.md "Alarms"`,
      namespace: 'AWS/Events',
      metricName: 'MatchedEvents',
      dimensions: { RuleName: this.rule.name },
      statistic: 'Sum',
      period: FRESHNESS_PERIOD_SECONDS,
      evaluationPeriods: window.evaluationPeriods,
      datapointsToAlarm: window.evaluationPeriods,
      comparisonOperator: 'LessThanThreshold',
      threshold: 1,
      treatMissingData: 'breaching',
      topicArn: props.topicArn,
    });
  }
}
