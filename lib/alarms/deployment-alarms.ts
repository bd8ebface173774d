import type { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Route53HealthCheck } from '@cdktn/provider-aws/lib/route53-health-check';
import { Annotations, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { Metric } from '../common/metric';
import { accountAdministersStatement, StackKey, type IStackKey } from '../common/stack-key';
import { HEALTH_CHECK_FAILURE_THRESHOLD, HEALTH_CHECK_INTERVAL_SECONDS } from '../dns/round-robin-records';
import { healthCheckStatusMetric } from '../dns/route53-metrics';
import { AlarmTopic, SUSTAINED_PERIODS, type AlarmOptions } from './alarm-topic';
import { ObjectFreshness } from './object-freshness';
import { freshnessProblem } from './schedule-window';

import { route53MetricsProvider, route53MetricsRegion } from './us-east-1-provider';

/** Seconds a standby's replica may lag its source before the lag alarm: Replication Time Control's promise (15 minutes). */
export const REPLICATION_LAG_SECONDS = 15 * 60;

/** Days before an ACM certificate's end the alarm fires: ACM renews its own at 60, Terraform re-signs a signed one from 30. */
export const CERTIFICATE_ALARM_DAYS = 30;
/** Minutes a failure must last before an alarm on a one-minute metric fires. */
export const SUSTAINED_MINUTES = SUSTAINED_PERIODS;

/** The name DeploymentAlarms.addAlarm gives the alarm `id` of the deployment `name`, for a message that names it before it exists. */
export const deploymentAlarmName = (name: string, id: string): string => `${name}-${id}`;

/** The deployment's name, region, key and subscriber. */
export interface DeploymentAlarmsProps {
  /** The deployment's resource name prefix (`<name>-<stack id>`): alarm, topic and check names start with it. */
  readonly name: string;
  /** The stack's region (a literal): an alarm on a metric of another region (Route53's) gets a topic of its own there. */
  readonly region: string;
  /**
   * The stack's key, which encrypts the topic: the topic (AlarmTopic) grants CloudWatch its use for itself only
   * (`grantAlarmPublishing`).
   * @default a key of the alarms' own (a stack without a key, such as k8s-ha's): administered by the account, used by
   * CloudWatch for that topic only
   */
  readonly key?: IStackKey;
  /** Subscribed to the topics by e-mail. @default none */
  readonly email?: string;
  /**
   * What every alarm and check waits for, unless it says otherwise: created once Rancher answered, so a first apply
   * sends no alarm for servers still booting. @default nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** A bucket a schedule writes to, for a freshness alarm. */
export interface ScheduledWriter {
  /** The bucket's name. */
  readonly bucket: string;
  /** Key prefix of the objects the schedule writes; "" for the whole bucket. */
  readonly prefix: string;
  /** The five-field cron expression the objects are written on. */
  readonly schedule: string;
}

/**
 * A deployment's alarm topics and the alarms that notify them: one SNS topic
 * of the stack's region (an output), encrypted with the stack's key, and,
 * for an alarm on a metric of another region (Route53 publishes its health
 * checks' metrics in us-east-1; cn-northwest-1 and us-gov-west-1 in the China
 * and GovCloud partitions, route53MetricsRegion), a topic there with a key
 * of its own (a key and a topic serve their region only), through the
 * provider alias of that region (`us_east_1`, ...). `addAlarm` takes an
 * alarm on any metric; the `alarmOn...` methods are the deployment's own
 * alarms, each on the metric of the construct it watches. docs/day-2.md
 * "Alarms" says what each means and what to do.
 */
export class DeploymentAlarms extends Construct {
  /** The alarm topic of the stack's region (an output). */
  readonly topic: AlarmTopic;
  private readonly props: DeploymentAlarmsProps;
  /** The topics of other regions (with the provider of each), made by the first alarm there. */
  private readonly regions = new Map<string, { readonly topic: AlarmTopic; readonly provider: AwsProvider }>();

  constructor(scope: Construct, id: string, props: DeploymentAlarmsProps) {
    super(scope, id);
    this.props = props;
    const key = props.key ?? this.topicKey('', `Alarm notifications of ${this.topicName}`);
    // The topic grants itself the key's use. The stack's key names the topic in the stack's region as its provider
    // reads it (AlarmTopic's default, as every statement of that key does); a key of the alarms' own, by the region
    // given (the same region).
    this.topic = new AlarmTopic(this, 'topic', { name: this.topicName, key, ...(props.key ? {} : { region: props.region }), email: props.email });
  }

  /** The topic of the Route53 alarms (us-east-1 in the commercial partition): `topic` itself when the stack is in that region; unset without any. */
  get route53Topic(): AlarmTopic | undefined {
    return this.regions.get(route53MetricsRegion(this.props.region))?.topic;
  }

  /** The region of the Route53 alarms and their topic (route53MetricsRegion), when there are any. */
  get route53Region(): string | undefined {
    const region = route53MetricsRegion(this.props.region);
    return this.regions.has(region) ? region : undefined;
  }

  /** The topics of other regions than the stack's and the Route53 alarms': a standby's lag alarms, by region. */
  get otherRegionTopics(): ReadonlyMap<string, AlarmTopic> {
    const route53 = route53MetricsRegion(this.props.region);
    return new Map(
      [...this.regions].filter(([region]) => region !== route53 && region !== this.props.region).map(([region, { topic }]) => [region, topic]),
    );
  }

  /**
   * An alarm on `options.metric` (any construct's `metric...()`), construct `id` here, named `<name>-<id>` unless
   * it says, notifying the topic of the metric's region on ALARM and on OK, created after `dependsOn`.
   */
  addAlarm(id: string, options: AlarmOptions): CloudwatchMetricAlarm {
    const withDefaults = {
      ...options,
      alarmName: options.alarmName ?? deploymentAlarmName(this.props.name, id),
      dependsOn: options.dependsOn ?? this.props.dependsOn,
    };
    const region = options.metric.region;
    if (region === undefined) return this.topic.addAlarm(id, withDefaults);
    const { topic, provider } = this.topicIn(region);
    return topic.addAlarm(id, withDefaults, { provider });
  }

  /** A server fails the NLB's TCP check on `port` (NetworkLoadBalancer.metricUnhealthyHostCount) for SUSTAINED_MINUTES. */
  alarmOnUnhealthyTargets(port: number, metric: Metric): CloudwatchMetricAlarm {
    return this.addAlarm(`unhealthy-targets-${port}`, {
      alarmName: `${this.props.name}-nlb-${port}-unhealthy`,
      alarmDescription: `A server fails the load balancer's TCP check on port ${port} (expected during a roll); docs/day-2.md "Alarms"`,
      metric,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
    });
  }

  /** EC2's status checks of the server `server` (`server-0`; ServerNode.metricStatusCheckFailed) fail for SUSTAINED_MINUTES. */
  alarmOnStatusCheck(server: string, metric: Metric): CloudwatchMetricAlarm {
    return this.addAlarm(`status-check-${server}`, {
      alarmName: `${this.props.name}-${server}-status-check`,
      alarmDescription: `EC2 status checks of ${this.props.name}-${server} fail (instance or the host under it); docs/day-2.md "Alarms"`,
      metric,
      threshold: 1,
    });
  }

  /**
   * A metric the servers send (serverMetric: `restart-held`, `backup-credentials`) is 1. They send a value when
   * something changes and at each run of their timers (minutes to hours apart), not every minute: a minute without
   * data says nothing, so the alarm keeps its state until the next value (`ignore`). With `notBreaching` it would
   * send OK a minute after the 1, while the server is still out.
   *
   * `atFirstBoot`: a metric a server sends once, when its first boot stops for good, and nothing after
   * (`unverified-artifact`). Nothing sends 0, so a minute without data is not breaching and OK follows a minute later:
   * the ALARM notification is the record. Such an alarm waits for nothing (no `dependsOn`): a server that stops at
   * its first boot keeps Rancher from ever answering.
   */
  alarmOnServerSignal(id: string, metric: Metric, description: string, { atFirstBoot = false } = {}): CloudwatchMetricAlarm {
    return this.addAlarm(id, {
      alarmDescription: `${description}; docs/day-2.md "Alarms"`,
      metric,
      evaluationPeriods: 1,
      threshold: 1,
      treatMissingData: atFirstBoot ? 'notBreaching' : 'ignore',
      dependsOn: atFirstBoot ? [] : undefined,
    });
  }

  /**
   * No new object under the writer's prefix for longer than its schedule allows (ObjectFreshness, construct `id`,
   * alarm `<name>-<alarm>`), or, when one alarm cannot watch the schedule, a warning instead.
   */
  alarmOnFreshness(id: string, writer: ScheduledWriter, { alarm, what }: { alarm: string; what: string }): ObjectFreshness | undefined {
    const unwatched = freshnessProblem(writer.schedule);
    if (unwatched) {
      Annotations.of(this).addWarning(`no ${what} freshness alarm: the schedule "${writer.schedule}" ${unwatched}`);
      return undefined;
    }
    return new ObjectFreshness(this, id, { ...writer, name: `${this.props.name}-${alarm}`, what, topic: this.topic });
  }

  /**
   * The standby's copy `id` falls behind its source (lib/standby): an operation S3 could not replicate in a period
   * (`<name>-standby-<id>-failed`, OperationsFailedReplication over 0), or a replica later than Replication Time
   * Control's 15 minutes for SUSTAINED_PERIODS periods (`<name>-standby-<id>-lag`, ReplicationLatency's maximum).
   * The lag alarm is in the copy's region, where S3 publishes ReplicationLatency, and notifies the topic there. A
   * period without data keeps the alarm's state (`ignore`), as the S3 User Guide asks of replication metrics' alarms
   * ("Metrics and dimensions"): S3 sends OperationsFailedReplication only when something replicates.
   */
  alarmOnReplication(id: string, metrics: { readonly failed: Metric; readonly latency: Metric }): CloudwatchMetricAlarm[] {
    return [
      this.addAlarm(`standby-${id}-failed`, {
        alarmDescription: `S3 could not replicate an object of ${id} to the standby region (permissions, the key, the copy's bucket); docs/standby.md "When the alarm fires"`,
        metric: metrics.failed,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: 1,
        treatMissingData: 'ignore',
      }),
      this.addAlarm(`standby-${id}-lag`, {
        alarmDescription: `The standby copy of ${id} is more than ${REPLICATION_LAG_SECONDS / 60} minutes behind its source; docs/standby.md "When the alarm fires"`,
        metric: metrics.latency,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: REPLICATION_LAG_SECONDS,
        treatMissingData: 'ignore',
      }),
    ];
  }

  /**
   * The server `server` (`server-0`) reports its leaf certificates (API, etcd, kubelet) ending within `days`, or
   * reports nothing for `silentHours` (`<name>-server-0-certificate-days-left`). `metric` is that server's own series
   * (RancherOnRke.metricCertificateDaysLeft), sent at each renewal run, hours apart, in hourly periods. An hour
   * without a report is filled with 0 (`FILL`), which breaches, and every one of the last `silentHours` must breach:
   * one report of more days in that window keeps the alarm OK. A series with nothing in the alarm's range is
   * breaching too. One alarm per server, so a silent server is not hidden by the others' reports.
   */
  alarmOnCertificateDaysLeft(server: string, metric: Metric, { days, silentHours }: { days: number; silentHours: number }): CloudwatchMetricAlarm {
    // A period without a report is filled with 0, which must breach.
    if (!(days > 0)) throw new Error(`alarm certificate-days-left-${server}: days must be more than 0 (got ${days})`);
    const periods = Math.ceil((silentHours * 3_600) / metric.period);
    return this.addAlarm(`certificate-days-left-${server}`, {
      alarmName: `${this.props.name}-${server}-certificate-days-left`,
      alarmDescription:
        `${this.props.name}-${server}'s leaf certificates (API, etcd, kubelet) end within ${days} days, or it sent no report for ${silentHours} hours: ` +
        'its certificate renewal has been refused or stopped (journalctl -u rancher-aws-cert-renewal and systemctl status rancher-aws-cert-renewal.timer on it); docs/day-2.md "Alarms"',
      metric,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: 'LessThanThreshold',
      threshold: days,
      fillMissing: 0,
      treatMissingData: 'breaching',
    });
  }

  /** The load balancer's ACM certificate ends within CERTIFICATE_ALARM_DAYS (LoadBalancerCertificate.metricDaysToExpiry). */
  alarmOnCertificateExpiry(metric: Metric): CloudwatchMetricAlarm {
    return this.addAlarm('certificate-expiry', {
      alarmDescription: `The load balancer's ACM certificate ends within ${CERTIFICATE_ALARM_DAYS} days; docs/day-2.md "Alarms"`,
      metric,
      evaluationPeriods: 1,
      comparisonOperator: 'LessThanThreshold',
      threshold: CERTIFICATE_ALARM_DAYS,
    });
  }

  /**
   * Route53's checkers get no 2xx or 3xx from `what` for SUSTAINED_MINUTES (a health check's status,
   * healthCheckStatusMetric): `<name>-<check>-health-check`, in the metric's region.
   */
  alarmOnHealthCheck(check: string, metric: Metric, what: string, count?: number, dependsOn?: ITerraformDependable[]): CloudwatchMetricAlarm {
    return this.addAlarm(`health-check-${check}`, {
      count,
      dependsOn,
      alarmName: `${this.props.name}-${check}-health-check`,
      alarmDescription: `Route53's health checkers get no 2xx or 3xx answer from ${what}; docs/day-2.md "Alarms"`,
      metric,
      comparisonOperator: 'LessThanThreshold',
      threshold: 1,
      treatMissingData: 'breaching',
    });
  }

  /**
   * A Route53 HTTPS health check on `https://<hostname>/ping` (construct `ping-check`) and its alarm. `when`: a
   * Terraform condition (`${...}`, known at plan time) under which both exist (`count`), for a name that may lead
   * somewhere Route53's checkers cannot reach (a private address). `waitFor`: what the check and its alarm wait for
   * instead of the alarms' `dependsOn` (`[]`: nothing, for a name whose record is another deployment's until moved, which
   * answers meanwhile: a failover's standby makes them ahead of the outage, docs/failover.md).
   */
  addPingCheck(hostname: string, when?: string, waitFor?: ITerraformDependable[]): Route53HealthCheck {
    const count = when === undefined ? undefined : Token.asNumber(`\${${when.replace(/^\$\{(.*)\}$/s, '$1')} ? 1 : 0}`);
    const check = new Route53HealthCheck(this, 'ping-check', {
      count,
      type: 'HTTPS',
      fqdn: hostname,
      port: 443,
      enableSni: true,
      resourcePath: '/ping',
      requestInterval: HEALTH_CHECK_INTERVAL_SECONDS,
      failureThreshold: HEALTH_CHECK_FAILURE_THRESHOLD,
      tags: { Name: `${this.props.name}-ping` },
      dependsOn: waitFor ?? this.props.dependsOn,
    });
    // With a count, the check is a list of zero or one: an expression, as a token so it is not escaped as text.
    const id = count === undefined ? check.id : Token.asString(Token.asAny(`\${one(${check.fqn}[*].id)}`));
    this.alarmOnHealthCheck('ping', healthCheckStatusMetric(id, this.props.region), `https://${hostname}/ping`, count, waitFor);
    return check;
  }

  /** The topic of `region` and its provider: the stack's own topic when that is the stack's region. */
  private topicIn(region: string): { topic: AlarmTopic; provider: AwsProvider } {
    let there = this.regions.get(region);
    if (!there) {
      // The provider of that region even in it: an alarm on a Route53 metric reads it through the region's alias.
      const provider = route53MetricsProvider(this, region);
      let topic = this.topic;
      if (region !== this.props.region) {
        // The Route53 metrics region's topic keeps its key's description; another region's holds a standby's lag alarms.
        const what = region === route53MetricsRegion(this.props.region) ? 'Route53 health checks' : "the standby's replication lag";
        const key = this.topicKey(`${region}-`, `Alarm notifications of ${this.topicName} (${what})`, provider);
        topic = new AlarmTopic(this, `${region}-topic`, { name: this.topicName, key, region, email: this.props.email, provider });
      }
      there = { topic, provider };
      this.regions.set(region, there);
    }
    return there;
  }

  /**
   * A key for an alarm topic (the Route53 metrics region's topic's, or the stack's when it has no key of its own):
   * administered by the account; the topic's grant lets CloudWatch use it. `idPrefix` names its construct ids.
   */
  private topicKey(idPrefix: string, description: string, provider?: AwsProvider): StackKey {
    return new StackKey(this, { idPrefix, description, provider, statement: [accountAdministersStatement(this)] });
  }

  /** The name of the deployment's alarm topics, the same in every region. */
  private get topicName(): string {
    return `${this.props.name}-alarms`;
  }
}
