import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktn/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktn/provider-aws/lib/sns-topic-subscription';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stackAccount, stackPartition, stackRegion, stackServicePrincipal } from '../common/aws-context';
import type { Metric } from '../common/metric';
import { CLOUDWATCH_SERVICE, type IStackKey } from '../common/stack-key';
import { literal, literalDeep } from '../common/terraform-template';

/** Periods a failure must last before an alarm fires, by default: with one-minute metrics, longer than a blip and shorter than an outage users report. */
export const SUSTAINED_PERIODS = 3;

/** How an alarm compares the metric with its threshold. */
export type AlarmComparison = 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

/** What a period without data counts as. */
export type MissingData = 'missing' | 'breaching' | 'notBreaching' | 'ignore';

/** An alarm on one metric (AlarmTopic.addAlarm, and the deployments' `addAlarm`). */
export interface AlarmOptions {
  /** What the alarm watches: a domain construct's `metric...()` (`server.metricStatusCheckFailed()`, ...). */
  readonly metric: Metric;
  /** The value the metric is compared with, in the metric's unit. */
  readonly threshold: number;
  /** @default 'GreaterThanOrEqualToThreshold' */
  readonly comparisonOperator?: AlarmComparison;
  /** Periods of the metric the alarm looks at. @default SUSTAINED_PERIODS (3) */
  readonly evaluationPeriods?: number;
  /** Of those, how many must breach. @default all of them */
  readonly datapointsToAlarm?: number;
  /**
   * A period without data: `missing` keeps the state the data points there are give (CloudWatch's default), `breaching`
   * for a metric that is only sent while all is well, `ignore` for one sent only when something changes. @default 'missing'
   */
  readonly treatMissingData?: MissingData;
  /**
   * Read the metric through metric math `FILL(m, value)`: a period of the alarm's range without data holds `value`.
   * CloudWatch evaluates a metric with missing periods on the latest real data points of its evaluation range, which
   * is longer than `evaluationPeriods` ("Configuring how CloudWatch alarms treat missing data"), so a series that
   * stopped is judged on its old values for a while; filled, the latest `evaluationPeriods` are exactly what is
   * evaluated. A series with no data in the range at all is left to `treatMissingData`. @default none: the metric as it is
   */
  readonly fillMissing?: number;
  /** The alarm's name, unique in the account and region. @default on a deployment `<name>-<stack id>-<id>`; on a bare AlarmTopic, the id */
  readonly alarmName?: string;
  /** What it means and what to do, as the notification shows it. @default none */
  readonly alarmDescription?: string;
  /** What the alarm is created after. @default on a deployment, Rancher answering `/ping`; on a bare AlarmTopic, nothing */
  readonly dependsOn?: ITerraformDependable[];
  /** Terraform's `count` (a number token), for an alarm that exists only under a plan-time condition. @default always one */
  readonly count?: number;
}

/** The alarm's arguments naming one metric. */
function metricArguments(metric: Metric) {
  return {
    namespace: literal(metric.namespace),
    metricName: literal(metric.metricName),
    dimensions: metric.dimensions === undefined ? undefined : literalDeep({ ...metric.dimensions }),
    statistic: metric.statistic,
    period: metric.period,
  };
}

/** The metric (`m`) and `FILL(m, value)` (`filled`, the alarm's series) as an alarm's metric queries. */
function filledQuery(metric: Metric, value: number): CloudwatchMetricAlarmMetricQuery[] {
  if (!Number.isFinite(value)) throw new Error(`alarm on ${metric.metricName}: fillMissing must be a finite number (got ${value})`);
  const { namespace, metricName, dimensions, statistic, period } = metricArguments(metric);
  return [
    { id: 'm', metric: { namespace, metricName, dimensions, stat: statistic, period }, returnData: false },
    { id: 'filled', expression: `FILL(m, ${value})`, label: `${metricName} (${value} where none was sent)`, returnData: true },
  ];
}

/** Where an alarm goes, when not beside the topic. */
export interface AlarmPlacement {
  /** The alarm's construct scope. @default the topic's own scope: the alarm is the topic's sibling */
  readonly scope?: Construct;
  /** The provider of the metric's region (an alarm reads its own region's metrics only). @default the topic's provider */
  readonly provider?: AwsProvider;
}

/** The topic's name, key and region. */
export interface AlarmTopicProps {
  /**
   * Topic name (`<name>-alarms`): the key's grant names the topic by the ARN built from it (the topic is encrypted with
   * the key, so the key's policy cannot refer to the topic itself: a cycle), so it is fixed, not generated.
   */
  readonly name: string;
  /**
   * The key the messages are encrypted with (a customer managed key: the AWS managed `aws/sns` key cannot let
   * CloudWatch use it). The topic grants CloudWatch its use for this topic alone (`key.grantAlarmPublishing`): nothing
   * is arranged in the key's policy beforehand.
   */
  readonly key: IStackKey;
  /**
   * The topic's region, as the topic's ARN in the key's grant names it (a literal where you know it).
   * @default the region of `provider`; without a provider, the stack's region as its default provider reads it
   */
  readonly region?: string;
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
  /** The SNS topic, encrypted with the stack's key. */
  readonly topic: SnsTopic;
  /** The e-mail subscription, when an address is given (AWS asks it to confirm). */
  readonly subscription?: SnsTopicSubscription;
  private readonly provider?: AwsProvider;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.provider = props.provider;
    props.key.grantAlarmPublishing(this.arnInAdvance(props));
    const account = stackAccount(this);
    this.topic = new SnsTopic(this, 'topic', { name: props.name, kmsMasterKeyId: props.key.arn, provider: props.provider });
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

  /** The topic's ARN. */
  get arn(): string {
    return this.topic.arn;
  }

  /**
   * The topic's ARN before the topic exists, from its name, for the key's grant: the topic is encrypted with the key,
   * so the key's policy cannot refer to `topic.arn` (a cycle). Its region is the provider's, which a provider of
   * another region must name.
   */
  private arnInAdvance(props: AlarmTopicProps): string {
    const region = props.region ?? props.provider?.region;
    if (region === undefined && props.provider !== undefined)
      throw new Error(
        `AlarmTopic ${this.node.path}: provider ${props.provider.node.path} names no region, which the topic's ARN in the key's grant needs; give region`,
      );
    return `arn:${stackPartition(this).partition}:sns:${region ?? stackRegion(this).region}:${stackAccount(this).accountId}:${props.name}`;
  }

  /**
   * A CloudWatch alarm on `options.metric` that notifies this topic on ALARM and again on OK, so a subscriber also
   * hears when it is over. INSUFFICIENT_DATA notifies nobody: each alarm says itself whether missing data breaches
   * (`treatMissingData`). Every alarm of a deployment is made here. The names and texts are taken as written:
   * Terraform references stay references, any other `${` or `%{` is escaped (literal).
   */
  addAlarm(id: string, options: AlarmOptions, placement: AlarmPlacement = {}): CloudwatchMetricAlarm {
    const { metric } = options;
    return new CloudwatchMetricAlarm(placement.scope ?? (this.node.scope as Construct), id, {
      count: options.count,
      provider: placement.provider ?? this.provider,
      alarmName: literal(options.alarmName ?? id),
      alarmDescription: options.alarmDescription === undefined ? undefined : literal(options.alarmDescription),
      ...(options.fillMissing === undefined ? metricArguments(metric) : { metricQuery: filledQuery(metric, options.fillMissing) }),
      evaluationPeriods: options.evaluationPeriods ?? SUSTAINED_PERIODS,
      datapointsToAlarm: options.datapointsToAlarm,
      comparisonOperator: options.comparisonOperator ?? 'GreaterThanOrEqualToThreshold',
      threshold: options.threshold,
      treatMissingData: options.treatMissingData ?? 'missing',
      alarmActions: [this.arn],
      okActions: [this.arn],
      // None given and none at all are the same: no empty depends_on in the JSON.
      dependsOn: options.dependsOn?.length ? options.dependsOn : undefined,
    });
  }
}
