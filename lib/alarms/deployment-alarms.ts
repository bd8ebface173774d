import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Annotations, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stackAccount, stackPartition } from '../common/aws-context';
import { HEALTH_CHECK_FAILURE_THRESHOLD, HEALTH_CHECK_INTERVAL_SECONDS } from '../dns/round-robin-records';
import { KEY_ADMINISTRATION_ACTIONS } from '../nodes/boot-parameters';
import { AlarmTopic, alarmTopicKeyStatement } from './alarm-topic';
import { notifyingAlarm } from './notifying-alarm';
import { ObjectFreshness } from './object-freshness';
import { freshnessProblem } from './schedule-window';
import { route53MetricsProvider, route53MetricsRegion } from './us-east-1-provider';

/** Days before an ACM certificate's end the alarm fires: ACM renews its own at 60, Terraform re-signs a signed one from 30. */
export const CERTIFICATE_ALARM_DAYS = 30;
/** Minutes a failure must last before an alarm fires: longer than a blip, shorter than an outage users report. */
export const SUSTAINED_MINUTES = 3;

/** The metric the servers' certificate renewal sends (cert-renewal.sh publish_held): 1 while a restart is held, 0 when none is. */
export const RESTART_HELD_METRIC = 'RestartHeld';
/** The metric the servers' backup credentials refresh sends (backup-credentials.sh): 1 after a failed refresh, 0 after the next success. */
export const BACKUP_CREDENTIALS_METRIC = 'BackupCredentialsFailed';
/** The CloudWatch namespace of a deployment's own metrics; the node role may write this one only. */
export const restartMetricNamespace = (name: string): string => `RancherHA/${name}`;

/** The name of a deployment's alarm topic; the key policy of the stack's key names it before it exists. */
export const alarmTopicName = (name: string): string => `${name}-alarms`;

export interface DeploymentAlarmsProps {
  /** The deployment's resource name prefix (`<name>-<stack id>`): alarm, topic and check names start with it. */
  readonly name: string;
  /** The stack's region (a literal): decides whether the Route53 alarms need a topic of their own in their region (us-east-1 in the commercial partition). */
  readonly region: string;
  /**
   * The stack's key, whose policy holds alarmTopicKeyStatement for the topic alarmTopicName(name).
   * @default a key of the alarms' own (a stack without a key, such as k8s-ha's): administered by the account, used by
   * CloudWatch for that topic only
   */
  readonly kmsKeyArn?: string;
  /** Subscribed to the topics by e-mail. @default none */
  readonly email?: string;
  /** The servers, by instance id: one status-check alarm each. */
  readonly servers?: readonly { readonly name: string; readonly instanceId: string }[];
  /** The NLB's ARN suffix and its target groups by port: one unhealthy-target alarm per group. */
  readonly loadBalancer?: { readonly arnSuffix: string; readonly targetGroups: ReadonlyMap<number, LbTargetGroup> };
  /** Rancher's public name: a Route53 HTTPS health check on `/ping` through it, and its alarm. @default none */
  readonly pingHostname?: string;
  /**
   * A Terraform condition (`${...}`, known at plan time) under which the `/ping` check and its alarm exist (`count`),
   * for a name that may lead somewhere Route53's checkers cannot reach (a private address). @default always
   */
  readonly pingWhen?: string;
  /** Health checks that exist already (DNS round robin: one per node, on `/ping`), by name: an alarm each. */
  readonly healthChecks?: readonly { readonly name: string; readonly id: string; readonly what: string }[];
  /** The etcd snapshot bucket, the snapshots' prefix and their schedule. @default none */
  readonly snapshots?: { readonly bucket: string; readonly prefix: string; readonly schedule: string };
  /** Rancher's backup bucket (its events sent to EventBridge), the backups' prefix and their schedule. @default none */
  readonly backups?: { readonly bucket: string; readonly prefix: string; readonly schedule: string };
  /**
   * The namespace the servers send RestartHeld to (restartMetricNamespace): an alarm when a restart is held, in every
   * load balancer mode. @default none
   */
  readonly restartMetricNamespace?: string;
  /**
   * The servers hand the backup operator its credentials (backups.credentials: servers): an alarm on a failed refresh,
   * in restartMetricNamespace. @default false
   */
  readonly backupCredentials?: boolean;
  /** An ACM certificate (TLS at the load balancer): an alarm on its days to expiry. @default none */
  readonly certificateArn?: string;
  /** What the alarms wait for: created once Rancher answered, so a first apply sends no alarm for servers still booting. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * CloudWatch alarms on what AWS measures of a deployment, all notifying one
 * SNS topic of the stack's region (an output), encrypted with the stack's
 * key; the Route53 health-check alarms live in us-east-1 (where Route53
 * publishes the metrics; cn-northwest-1 and us-gov-west-1 in the China and
 * GovCloud partitions, route53MetricsRegion), through the `us_east_1` provider
 * alias (`cn_northwest_1`, `us_gov_west_1`), and notify a topic there (the
 * same one when the stack is in that region; otherwise one of their own, with
 * a key of its own, since a key and a topic serve their region only). docs/day-2.md "Alarms" says what each means and what to do.
 */
export class DeploymentAlarms extends Construct {
  readonly topic: AlarmTopic;
  /** The topic of the Route53 alarms: `topic` itself when the stack is in their region (us-east-1 in the commercial partition). */
  readonly route53Topic?: AlarmTopic;
  /** The region of the Route53 alarms and their topic (route53MetricsRegion), when there are any. */
  readonly route53Region?: string;

  constructor(scope: Construct, id: string, props: DeploymentAlarmsProps) {
    super(scope, id);
    const topicName = alarmTopicName(props.name);
    const dependsOn = props.dependsOn;
    const kmsKeyArn = props.kmsKeyArn ?? this.topicKey('', topicName, `Alarm notifications of ${topicName}`, props.region).arn;
    this.topic = new AlarmTopic(this, 'topic', { name: topicName, kmsKeyArn, email: props.email });
    const topicArn = this.topic.arn;

    for (const [port, group] of props.loadBalancer?.targetGroups ?? []) {
      notifyingAlarm(this, `unhealthy-targets-${port}`, {
        alarmName: `${props.name}-nlb-${port}-unhealthy`,
        alarmDescription: `A server fails the load balancer's TCP check on port ${port} (expected during a roll); docs/day-2.md "Alarms"`,
        namespace: 'AWS/NetworkELB',
        metricName: 'UnHealthyHostCount',
        dimensions: { TargetGroup: group.arnSuffix, LoadBalancer: props.loadBalancer!.arnSuffix },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: SUSTAINED_MINUTES,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
        treatMissingData: 'missing',
        topicArn,
        dependsOn,
      });
    }

    for (const server of props.servers ?? []) {
      notifyingAlarm(this, `status-check-${server.name}`, {
        alarmName: `${props.name}-${server.name}-status-check`,
        alarmDescription: `EC2 status checks of ${props.name}-${server.name} fail (instance or the host under it); docs/day-2.md "Alarms"`,
        namespace: 'AWS/EC2',
        metricName: 'StatusCheckFailed',
        dimensions: { InstanceId: server.instanceId },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: SUSTAINED_MINUTES,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        treatMissingData: 'missing',
        topicArn,
        dependsOn,
      });
    }

    if (props.restartMetricNamespace !== undefined) {
      // The servers send a value when something changes and at each run of their timers (minutes to hours apart),
      // not every minute: a minute without data says nothing, so each alarm keeps its state until the next value
      // (`ignore`). With `notBreaching` it would send OK a minute after the 1, while the server is still out.
      const serverMetrics = [
        {
          id: 'restart-held',
          metricName: RESTART_HELD_METRIC,
          description: 'A server restart did not come back (or an upgrade Job failed): every other restart waits',
        },
        ...(props.backupCredentials
          ? [
              {
                id: 'backup-credentials',
                metricName: BACKUP_CREDENTIALS_METRIC,
                description: "A server could not refresh the backup operator's credentials (AssumeRole of the backup role)",
              },
            ]
          : []),
      ];
      for (const { id, metricName, description } of serverMetrics) {
        notifyingAlarm(this, id, {
          alarmName: `${props.name}-${id}`,
          alarmDescription: `${description}; docs/day-2.md "Alarms"`,
          namespace: props.restartMetricNamespace,
          metricName,
          statistic: 'Maximum',
          period: 60,
          evaluationPeriods: 1,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          threshold: 1,
          treatMissingData: 'ignore',
          topicArn,
          dependsOn,
        });
      }
    }

    // Each scheduled writer of a bucket: an alarm when its objects stop arriving, or a warning when one alarm cannot watch its schedule.
    const writers = [
      { id: 'etcd-snapshots', of: props.snapshots, alarm: 'etcd-snapshot-fresh', what: 'etcd snapshot' },
      { id: 'rancher-backups', of: props.backups, alarm: 'rancher-backup-fresh', what: 'Rancher backup' },
    ];
    for (const { id, of, alarm, what } of writers) {
      if (!of) continue;
      const unwatched = freshnessProblem(of.schedule);
      if (unwatched) Annotations.of(this).addWarning(`no ${what} freshness alarm: the schedule "${of.schedule}" ${unwatched}`);
      else new ObjectFreshness(this, id, { ...of, name: `${props.name}-${alarm}`, what, topicArn });
    }

    if (props.certificateArn !== undefined) {
      notifyingAlarm(this, 'certificate-expiry', {
        alarmName: `${props.name}-certificate-expiry`,
        alarmDescription: `The load balancer's ACM certificate ends within ${CERTIFICATE_ALARM_DAYS} days; docs/day-2.md "Alarms"`,
        namespace: 'AWS/CertificateManager',
        metricName: 'DaysToExpiry',
        dimensions: { CertificateArn: props.certificateArn },
        statistic: 'Minimum',
        period: 86_400,
        evaluationPeriods: 1,
        comparisonOperator: 'LessThanThreshold',
        threshold: CERTIFICATE_ALARM_DAYS,
        treatMissingData: 'missing',
        topicArn,
        dependsOn,
      });
    }

    const checks: { name: string; id: string; what: string; count?: number }[] = [...(props.healthChecks ?? [])];
    if (props.pingHostname !== undefined) {
      const count = props.pingWhen === undefined ? undefined : Token.asNumber(`\${${props.pingWhen.replace(/^\$\{(.*)\}$/s, '$1')} ? 1 : 0}`);
      const check = new Route53HealthCheck(this, 'ping-check', {
        count,
        type: 'HTTPS',
        fqdn: props.pingHostname,
        port: 443,
        enableSni: true,
        resourcePath: '/ping',
        requestInterval: HEALTH_CHECK_INTERVAL_SECONDS,
        failureThreshold: HEALTH_CHECK_FAILURE_THRESHOLD,
        tags: { Name: `${props.name}-ping` },
        dependsOn,
      });
      // With a count, the check is a list of zero or one.
      const id = count === undefined ? check.id : `\${one(${check.fqn}[*].id)}`;
      checks.push({ name: 'ping', id, what: `https://${props.pingHostname}/ping`, count });
    }
    if (checks.length === 0) return;
    const metricsRegion = route53MetricsRegion(props.region);
    const provider = route53MetricsProvider(this, metricsRegion);
    this.route53Region = metricsRegion;
    let route53TopicArn = topicArn;
    if (props.region !== metricsRegion) {
      const key = this.topicKey(
        `${metricsRegion}-`,
        topicName,
        `Alarm notifications of ${topicName} (Route53 health checks)`,
        metricsRegion,
        provider,
      );
      this.route53Topic = new AlarmTopic(this, `${metricsRegion}-topic`, { name: topicName, kmsKeyArn: key.arn, email: props.email, provider });
      route53TopicArn = this.route53Topic.arn;
    } else {
      this.route53Topic = this.topic;
    }
    for (const check of checks) {
      notifyingAlarm(this, `health-check-${check.name}`, {
        count: check.count,
        provider,
        alarmName: `${props.name}-${check.name}-health-check`,
        alarmDescription: `Route53's health checkers get no 2xx or 3xx answer from ${check.what}; docs/day-2.md "Alarms"`,
        namespace: 'AWS/Route53',
        metricName: 'HealthCheckStatus',
        dimensions: { HealthCheckId: check.id },
        statistic: 'Minimum',
        period: 60,
        evaluationPeriods: SUSTAINED_MINUTES,
        comparisonOperator: 'LessThanThreshold',
        threshold: 1,
        treatMissingData: 'breaching',
        topicArn: route53TopicArn,
        dependsOn,
      });
    }
  }

  /**
   * A key for the topic `topicName` of `region` (the Route53 metrics region's topic's, or the stack's when it has no key of its
   * own): administered by the account, used by CloudWatch for that topic only. `idPrefix` names its construct ids.
   */
  private topicKey(
    idPrefix: string,
    topicName: string,
    description: string,
    region: string,
    provider?: ReturnType<typeof route53MetricsProvider>,
  ): KmsKey {
    const partition = stackPartition(this);
    const account = stackAccount(this);
    const policy = new DataAwsIamPolicyDocument(this, `${idPrefix}key-policy`, {
      provider,
      statement: [
        {
          sid: 'AccountAdministers',
          principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
          actions: [...KEY_ADMINISTRATION_ACTIONS],
          resources: ['*'],
        },
        alarmTopicKeyStatement(this, `arn:${partition.partition}:sns:${region}:${account.accountId}:${topicName}`),
      ],
    });
    return new KmsKey(this, `${idPrefix}key`, {
      provider,
      description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policy.json,
    });
  }
}
