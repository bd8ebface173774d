import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import type { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktn/provider-aws/lib/sqs-queue-policy';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { stackServicePrincipal } from '../common/aws-context';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';
import { literal, literalArgument } from '../common/terraform-template';
import type { AlarmTopic } from './alarm-topic';
import { FRESHNESS_PERIOD_SECONDS, freshnessWindow } from './schedule-window';

/** Seconds a matched event stays in the rule's queue: SQS's shortest retention. Nobody reads it; the count is the point. */
export const FRESHNESS_QUEUE_RETENTION_SECONDS = 60;

/** The bucket, prefix and schedule of the objects, and the alarm's name and topic. */
export interface ObjectFreshnessProps {
  /** The bucket's name; it must send its events to EventBridge (`eventbridge = true` on its notification). */
  readonly bucket: string;
  /** Key prefix of the objects the schedule writes (`rke-ha/`); "" for the whole bucket. */
  readonly prefix: string;
  /** The five-field cron expression the objects are written on (the node's time zone, UTC). */
  readonly schedule: string;
  /** Name of the EventBridge rule, of its queue and of the alarm (unique in the account and region). */
  readonly name: string;
  /** What the objects are, for the alarm's description (`etcd snapshot`). */
  readonly what: string;
  /** The topic the alarm notifies (its addAlarm makes the alarm). */
  readonly topic: AlarmTopic;
}

/**
 * "An object newer than the schedule in the bucket", as an alarm: an
 * EventBridge rule matches the bucket's Object Created events under the
 * prefix (removals, RKE2's pruning or anyone's, never match) and sends each
 * to an SQS queue of its own (encrypted by SQS, messages gone after a
 * minute), and an alarm on the rule's `Invocations` (the times it invoked its
 * target) fires when none happened in every hourly period of the schedule's
 * longest gap and an hour's grace (schedule-window.ts). EventBridge documents
 * that metric per rule, sent only when not zero, so missing data is what
 * breaches; a rule without a target has none (design notes, "Alarms"). A new
 * rule has no history: the alarm fires at once and turns OK with the first
 * object.
 *
 * The hook for every scheduled writer of a bucket (etcd snapshots, Rancher
 * backups): call it with the bucket, the prefix and the schedule
 * (DeploymentAlarms.alarmOnFreshness).
 */
export class ObjectFreshness extends Construct {
  /** The EventBridge rule matching the bucket's Object Created events under the prefix. */
  readonly rule: CloudwatchEventRule;
  /** The rule's target, which makes EventBridge count what it matched. */
  readonly queue: SqsQueue;
  /** The alarm on the rule's `Invocations`: breaching when no object came within the schedule's longest gap and an hour. */
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ObjectFreshnessProps) {
    super(scope, id);
    const window = freshnessWindow(props.schedule);
    // Strings inside a function call are escaped by cdktf itself for `${` but not `%{` (literalArgument); attribute
    // strings not at all (literal).
    const key = props.prefix === '' ? {} : { object: { key: [{ prefix: literalArgument(props.prefix) }] } };
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: props.name,
      description: `Object Created under ${literal(props.prefix) || '(the whole bucket)'}: counted by the freshness alarm`,
      eventPattern: Fn.jsonencode({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [props.bucket] }, ...key },
      }),
    });
    // A queue rather than a log group: CloudWatch Logs lets EventBridge write only through an account's resource
    // policies, at most 10 per region, and every deployment would take one.
    this.queue = new SqsQueue(this, 'queue', {
      name: props.name,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: FRESHNESS_QUEUE_RETENTION_SECONDS,
    });
    const policy = new DataAwsIamPolicyDocument(this, 'queue-policy-document', {
      statement: [
        {
          sid: 'TheFreshnessRuleSends',
          actions: ['sqs:SendMessage'],
          principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'events')] }],
          resources: [this.queue.arn],
          condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [this.rule.arn] }],
        },
      ],
    });
    const queuePolicy = new SqsQueuePolicy(this, 'queue-policy', { queueUrl: this.queue.url, policy: policy.json });
    new CloudwatchEventTarget(this, 'target', {
      rule: this.rule.name,
      targetId: 'freshness-queue',
      arn: this.queue.arn,
      // Matches before the queue admits EventBridge would be retried, and counted only once they failed for good.
      dependsOn: [queuePolicy],
    });
    this.alarm = props.topic.addAlarm(
      'alarm',
      {
        alarmName: props.name,
        alarmDescription: `No new ${props.what} under s3://${props.bucket}/${props.prefix} for ${window.evaluationPeriods} hours (schedule "${props.schedule}": at most ${window.longestGapMinutes} minutes apart, and an hour's grace); docs/day-2.md "Alarms"`,
        metric: this.metricObjectsCreated(),
        evaluationPeriods: window.evaluationPeriods,
        datapointsToAlarm: window.evaluationPeriods,
        comparisonOperator: 'LessThanThreshold',
        threshold: 1,
        treatMissingData: 'breaching',
      },
      { scope: this },
    );
  }

  /**
   * The objects the rule matched, per hour: its `Invocations` of the queue. EventBridge sends the metric only when it
   * is not zero, so an hour without a new object has no data point at all.
   */
  metricObjectsCreated(options: MetricOptions = {}): Metric {
    return metricWith(
      {
        namespace: 'AWS/Events',
        metricName: 'Invocations',
        dimensions: { RuleName: this.rule.name },
        statistic: 'Sum',
        period: FRESHNESS_PERIOD_SECONDS,
      },
      options,
    );
  }
}
