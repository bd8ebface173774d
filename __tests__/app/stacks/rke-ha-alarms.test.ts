import { CERTIFICATE_ALARM_DAYS, SUSTAINED_MINUTES } from '../../../lib/alarms/deployment-alarms';
import {
  BACKUP_CREDENTIALS_METRIC,
  CERTIFICATE_DAYS_LEFT_ALARM_DAYS,
  CERTIFICATE_DAYS_LEFT_METRIC,
  CERTIFICATE_REPORT_WINDOW_HOURS,
  RESTART_HELD_METRIC,
  SERVER_DIMENSION,
  UNVERIFIED_ARTIFACT_METRIC,
} from '../../../lib/kubernetes/server-metrics';
import { BOOTSTRAP_UNIT, CERT_RENEW_WITHIN_DAYS, UNVERIFIED_ARTIFACT_MARKER } from '../../../lib/kubernetes/private/server-units';
import { FRESHNESS_PERIOD_SECONDS, freshnessWindow } from '../../../lib/alarms/schedule-window';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { constructWarnings } from '../../../lib/synth/warnings';
import { evaluateAlarm, type AlarmState, type SentPoint } from '../../helpers/cloudwatch-alarm';
import { freshnessTargetProblems } from '../../helpers/freshness';
import { gate, gateEnv } from '../../helpers/gates';
import { dataSources, dependencyClosure, resources, servicePrincipal, unsynthesizedApp, userDataOf, type TerraformJson } from '../../helpers/synth';
import { RKE_HA_TLS_VARIANTS, STACK_VARIANTS, buildStack, synthSettings, RKE_HA_STACK } from '../../helpers/variants';

const synth = (input: SettingsInput) => synthSettings(RKE_HA_STACK, input).json;
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
/** The deployment's alarms: not the failover's switch (lib/standby/standby-dns.ts), which notifies no one and lives in the standby region. */
const alarms = (json: TerraformJson) =>
  Object.fromEntries(Object.entries(resources(json, 'aws_cloudwatch_metric_alarm')).filter(([name]) => !name.startsWith('standby_dns_')));
const named = (json: TerraformJson, prefix: string) => Object.entries(alarms(json)).filter(([name]) => name.startsWith(prefix));
const topicRef = (json: TerraformJson, id: string) => {
  const name = Object.keys(resources(json, 'aws_sns_topic')).find((n) => n.startsWith(`alarms_${id}_`));
  if (!name) throw new Error(`no topic alarms/${id}`);
  return ref('aws_sns_topic', name, 'arn');
};
const keyPolicyOf = (json: TerraformJson, keyName: string) => {
  const key = resources(json, 'aws_kms_key')[keyName];
  return dataSources(json, 'aws_iam_policy_document')[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(key.policy)![1]];
};

const RKE_VARIANTS: [string, SettingsInput][] = [
  ...STACK_VARIANTS.filter((v) => v.stack === RKE_HA_STACK).map((v) => [v.name, v.settings] as [string, SettingsInput]),
  ...Object.entries(RKE_HA_TLS_VARIANTS).map(([name, tls]) => [`tls ${name}`, { rancher: { tls } }] as [string, SettingsInput]),
];

describe.each(RKE_VARIANTS)('rke-ha alarms: %s', (_name, input) => {
  const json = synth(input);
  const k3s = input.rkeHa?.distribution === 'k3s';
  const dnsRoundRobin = input.rkeHa?.loadBalancer?.type === 'dns';
  const wildcard = input.dns?.mode === 'wildcard';
  const region = input.region ?? 'us-east-1';
  const topic = topicRef(json, 'topic');
  const route53Topic = region === 'us-east-1' ? topic : topicRef(json, 'us-east-1-topic');
  // A standby's lag alarms are in its region, where S3 publishes ReplicationLatency, with a topic there.
  const standbyRegion = input.standby?.region;
  const standbyTopic = standbyRegion ? topicRef(json, `${standbyRegion}-topic`) : undefined;
  const lag = (alarm: any) => alarm.namespace === 'AWS/S3' && alarm.metric_name === 'ReplicationLatency';

  it('notifies the topic of its region on ALARM and OK, never on INSUFFICIENT_DATA', () => {
    for (const [, alarm] of Object.entries(alarms(json))) {
      const expected = alarm.namespace === 'AWS/Route53' ? route53Topic : lag(alarm) ? standbyTopic : topic;
      expect(alarm.alarm_actions).toEqual([expected]);
      expect(alarm.ok_actions).toEqual([expected]);
      expect(alarm.insufficient_data_actions).toBeUndefined();
      // Standard resolution: $0.10 a month each (a metric math alarm: each metric it reads).
      const period = alarm.period ?? alarm.metric_query.find((q: any) => q.metric).metric.period;
      expect(period % 60).toBe(0);
    }
  });

  it('encrypts every alarm topic with a customer managed key whose policy lets CloudWatch use it for that topic only (FSBP SNS.1)', () => {
    const topics = Object.entries(resources(json, 'aws_sns_topic')).filter(([name]) => name.startsWith('alarms_'));
    expect(topics).toHaveLength((region === 'us-east-1' ? 1 : 2) + (standbyRegion ? 1 : 0));
    for (const [, t] of topics) {
      const keyName = /^\$\{aws_kms_key\.([^.]+)\.arn\}$/.exec(t.kms_master_key_id)![1];
      const statement = keyPolicyOf(json, keyName).statement.find((s: any) => s.sid === 'CloudWatchPublishesAlarms');
      expect(statement.principals).toEqual([{ type: 'Service', identifiers: [servicePrincipal(json, 'cloudwatch')] }]);
      expect(statement.condition).toEqual([
        {
          test: 'StringEquals',
          variable: 'kms:EncryptionContext:aws:sns:topicArn',
          values: [
            expect.stringMatching(
              new RegExp(`:sns:(\\$\\{[^}]+\\}|${t.provider ? t.provider.replace(/^aws\./, '').replace(/_/g, '-') : 'x'}):\\$\\{[^}]+\\}:${t.name}$`),
            ),
          ],
        },
      ]);
      expect(t.name).toBe('rancher-rke-ha-alarms');
    }
  });

  it("lets only this account's CloudWatch alarms publish to the topic", () => {
    const policies = Object.entries(dataSources(json, 'aws_iam_policy_document')).filter(([name]) =>
      /^alarms_(us-east-1-)?topic_policy-document/.test(name),
    );
    expect(policies).toHaveLength(region === 'us-east-1' ? 1 : 2);
    for (const [, policy] of policies) {
      expect(policy.statement).toEqual([
        expect.objectContaining({
          actions: ['sns:Publish'],
          principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 'cloudwatch')] }],
          condition: [
            {
              test: 'StringEquals',
              variable: 'aws:SourceAccount',
              values: [expect.stringMatching(/^\$\{data\.aws_caller_identity\.[^.]+\.account_id\}$/)],
            },
          ],
        }),
      ]);
    }
  });

  it("watches every server's EC2 status checks", () => {
    const instances = Object.keys(resources(json, 'aws_instance'));
    const status = named(json, 'alarms_status-check-');
    expect(status.map(([, a]) => a.dimensions.InstanceId).sort()).toEqual(instances.map((i) => ref('aws_instance', i, 'id')).sort());
    for (const [, a] of status) {
      expect(a).toMatchObject({
        namespace: 'AWS/EC2',
        metric_name: 'StatusCheckFailed',
        statistic: 'Maximum',
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        period: 60,
        evaluation_periods: SUSTAINED_MINUTES,
      });
      expect(a.alarm_actions).not.toContainEqual(expect.stringContaining('automate'));
    }
  });

  it('watches every target group of the NLB, with the balancer and the group as dimensions', () => {
    const groups = Object.entries(resources(json, 'aws_lb_target_group')).filter(([, g]) => g.protocol === 'TCP');
    const lbs = Object.entries(resources(json, 'aws_lb')).filter(([, lb]) => lb.load_balancer_type === 'network');
    const unhealthy = named(json, 'alarms_unhealthy-targets-');
    expect(unhealthy).toHaveLength(groups.length);
    if (dnsRoundRobin) expect(groups).toEqual([]);
    for (const [, a] of unhealthy) {
      const [groupName] = groups.find(([, g]) => a.alarm_name === `rancher-rke-ha-nlb-${g.port}-unhealthy`)!;
      expect(a.dimensions).toEqual({
        TargetGroup: ref('aws_lb_target_group', groupName, 'arn_suffix'),
        LoadBalancer: ref('aws_lb', lbs[0][0], 'arn_suffix'),
      });
      expect(a).toMatchObject({
        namespace: 'AWS/NetworkELB',
        metric_name: 'UnHealthyHostCount',
        statistic: 'Maximum',
        comparison_operator: 'GreaterThanThreshold',
        threshold: 0,
      });
    }
  });

  it("checks /ping through Rancher's name where it is in a Route53 zone, per node with DNS round robin, not with a wildcard name; alarms in us-east-1 through the provider alias", () => {
    const checks = resources(json, 'aws_route53_health_check');
    const health = named(json, 'alarms_health-check-');
    if (wildcard) {
      expect(checks).toEqual({});
      expect(health).toEqual([]);
      expect(json.provider!.aws.filter((p) => p.alias)).toEqual([]);
      return;
    }
    const aliased = json.provider!.aws.filter((p) => p.alias === 'us_east_1');
    expect(aliased).toEqual([expect.objectContaining({ region: 'us-east-1' })]);
    expect(aliased[0].default_tags).toEqual(json.provider!.aws.find((p) => !p.alias)!.default_tags);
    const watched = dnsRoundRobin
      ? Object.keys(checks).filter((n) => n.startsWith('dns_'))
      : Object.keys(checks).filter((n) => n.startsWith('alarms_ping-check'));
    expect(watched).toHaveLength(dnsRoundRobin ? 3 : 1);
    expect(health.map(([, a]) => a.dimensions.HealthCheckId).sort()).toEqual(watched.map((n) => ref('aws_route53_health_check', n, 'id')).sort());
    for (const [, a] of health) {
      expect(a).toMatchObject({
        provider: 'aws.us_east_1',
        namespace: 'AWS/Route53',
        metric_name: 'HealthCheckStatus',
        statistic: 'Minimum',
        comparison_operator: 'LessThanThreshold',
        threshold: 1,
        treat_missing_data: 'breaching',
      });
    }
    if (!dnsRoundRobin) {
      expect(checks[watched[0]]).toMatchObject({
        type: 'HTTPS',
        fqdn: '${var.rancher_hostname}',
        port: 443,
        resource_path: '/ping',
        enable_sni: true,
        request_interval: 30,
      });
      expect(checks[watched[0]].provider).toBeUndefined();
    }
    // Everything else stays with the default provider, but a standby's lag alarms (in its region).
    for (const [, a] of Object.entries(alarms(json)).filter(([, a]) => a.namespace !== 'AWS/Route53'))
      expect(a.provider).toBe(lag(a) ? `aws.${standbyRegion!.replace(/-/g, '_')}` : undefined);
  });

  it("watches the etcd snapshots' freshness through EventBridge (RKE2; K3s has no snapshots)", () => {
    const rules = Object.fromEntries(
      Object.entries(resources(json, 'aws_cloudwatch_event_rule')).filter(([n]) => n.startsWith('alarms_etcd-snapshots_')),
    );
    const fresh = named(json, 'alarms_etcd-snapshots_alarm');
    if (k3s) {
      expect(rules).toEqual({});
      expect(fresh).toEqual([]);
      return;
    }
    const [bucketName] = Object.keys(resources(json, 'aws_s3_bucket')).filter((n) => n.startsWith('etcd-snapshots_bucket'));
    const [ruleName, rule] = Object.entries(rules)[0];
    expect(Object.keys(rules)).toHaveLength(1);
    expect(rule.event_pattern).toBe(
      `\${jsonencode({"source" = ["aws.s3"], "detail-type" = ["Object Created"], "detail" = {"bucket" = {"name" = [aws_s3_bucket.${bucketName}.id]}, "object" = {"key" = [{"prefix" = "rke-ha/"}]}}})}`,
    );
    const schedule = input.rkeHa?.etcdSnapshots?.scheduleCron ?? '0 */6 * * *';
    const { evaluationPeriods } = freshnessWindow(schedule);
    expect(fresh).toHaveLength(1);
    expect(fresh[0][1]).toMatchObject({
      namespace: 'AWS/Events',
      metric_name: 'Invocations',
      dimensions: { RuleName: ref('aws_cloudwatch_event_rule', ruleName, 'name') },
      statistic: 'Sum',
      period: FRESHNESS_PERIOD_SECONDS,
      evaluation_periods: evaluationPeriods,
      datapoints_to_alarm: evaluationPeriods,
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      treat_missing_data: 'breaching',
    });
    // A target, which is what makes EventBridge count the rule's matches (Invocations).
    expect(freshnessTargetProblems(json, ruleName)).toEqual([]);
    // The bucket's one notification configuration sends to EventBridge too.
    const notifications = Object.entries(resources(json, 'aws_s3_bucket_notification')).filter(
      ([, n]) => n.bucket === ref('aws_s3_bucket', bucketName, 'id'),
    );
    expect(notifications).toEqual([[expect.stringMatching(/^etcd-snapshot-events_notification_/), expect.objectContaining({ eventbridge: true })]]);
  });

  it("watches the Rancher backups' freshness through EventBridge, under the backups' folder of their own bucket", () => {
    const rules = Object.entries(resources(json, 'aws_cloudwatch_event_rule')).filter(([n]) => n.startsWith('alarms_rancher-backups_'));
    const fresh = named(json, 'alarms_rancher-backups_alarm');
    if (input.backups?.enabled === false) {
      expect(rules).toEqual([]);
      expect(fresh).toEqual([]);
      return;
    }
    const [bucketName] = Object.keys(resources(json, 'aws_s3_bucket')).filter((n) => n.startsWith('rancher-backups_bucket'));
    expect(rules).toHaveLength(1);
    const [ruleName, rule] = rules[0];
    expect(rule.event_pattern).toBe(
      `\${jsonencode({"source" = ["aws.s3"], "detail-type" = ["Object Created"], "detail" = {"bucket" = {"name" = [aws_s3_bucket.${bucketName}.id]}, "object" = {"key" = [{"prefix" = "rancher/"}]}}})}`,
    );
    const { evaluationPeriods } = freshnessWindow(input.backups?.schedule ?? '0 */6 * * *');
    expect(fresh).toHaveLength(1);
    expect(fresh[0][1]).toMatchObject({
      alarm_name: 'rancher-rke-ha-rancher-backup-fresh',
      namespace: 'AWS/Events',
      metric_name: 'Invocations',
      dimensions: { RuleName: ref('aws_cloudwatch_event_rule', ruleName, 'name') },
      evaluation_periods: evaluationPeriods,
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      treat_missing_data: 'breaching',
    });
    expect(freshnessTargetProblems(json, ruleName)).toEqual([]);
    const notifications = Object.entries(resources(json, 'aws_s3_bucket_notification')).filter(
      ([, n]) => n.bucket === ref('aws_s3_bucket', bucketName, 'id'),
    );
    expect(notifications).toEqual([
      [
        expect.stringMatching(/^rancher-backups_bucket-notification_/),
        expect.objectContaining({ bucket: ref('aws_s3_bucket', bucketName, 'id'), eventbridge: true }),
      ],
    ]);
  });

  it('watches the RestartHeld metric the servers send, in every load balancer mode; the node role may send to that namespace only', () => {
    const held = named(json, 'alarms_restart-held');
    expect(held).toHaveLength(1);
    expect(held[0][1]).toMatchObject({
      alarm_name: 'rancher-rke-ha-restart-held',
      namespace: 'RancherHA/rancher-rke-ha',
      metric_name: RESTART_HELD_METRIC,
      statistic: 'Maximum',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      period: 60,
      evaluation_periods: 1,
      // Values come hours apart: a minute without one keeps the state (design notes, "A restart that hangs").
      treat_missing_data: 'ignore',
    });
    expect(held[0][1]).not.toHaveProperty('dimensions');
    const [policy] = Object.entries(dataSources(json, 'aws_iam_policy_document')).filter(([name]) => name.startsWith('node-role_policy'));
    expect(policy[1].statement.filter((st: any) => st.actions.some((a: string) => a.startsWith('cloudwatch:')))).toEqual([
      {
        sid: 'RestartMetric',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: ['RancherHA/rancher-rke-ha'] }],
      },
    ]);
    // Every server is told the namespace (bootstrap.env in its user data), and its script sends that metric.
    const userData = Object.entries(json.locals ?? {}).filter(([name]) => name.includes('user-data'));
    expect(userData).toHaveLength(Object.keys(resources(json, 'aws_instance')).length);
    for (const [, text] of userData) {
      expect(text).toContain('RESTART_METRIC_NAMESPACE="RancherHA/rancher-rke-ha"');
      // put_metric (cluster-lib.sh) sends it, for the renewal's RestartHeld and the backup credentials' metric.
      expect(text).toContain('MetricName=$1&');
      expect(text).toContain(`put_metric ${RESTART_HELD_METRIC} `);
      if (named(json, 'alarms_backup-credentials').length > 0) expect(text).toContain(`put_metric ${BACKUP_CREDENTIALS_METRIC} `);
    }
    // The backup credentials' alarm is there exactly when the servers hand the operator its credentials.
    expect(named(json, 'alarms_backup-credentials').length > 0).toBe(
      Object.keys(resources(json, 'aws_iam_role')).some((n) => n.startsWith('backup-role')),
    );
  });

  it("watches each server's own CertificateDaysLeft (dimension Server, its place): under 30 days, or nothing sent for two renewal runs", () => {
    const servers = Object.keys(resources(json, 'aws_instance')).map((_n, i) => `server-${i}`);
    const daysLeft = named(json, 'alarms_certificate-days-left');
    const of = (server: string) => daysLeft.filter(([name]) => name.startsWith(`alarms_certificate-days-left-${server}_`));
    expect(daysLeft).toHaveLength(servers.length);
    for (const server of servers) {
      expect(of(server)).toHaveLength(1);
      const [[, alarm]] = of(server);
      expect(alarm).toMatchObject({
        alarm_name: `rancher-rke-ha-${server}-certificate-days-left`,
        comparison_operator: 'LessThanThreshold',
        threshold: 30,
        // Hourly periods over 14 hours, every one breaching: one report of more days keeps it OK.
        evaluation_periods: CERTIFICATE_REPORT_WINDOW_HOURS,
        datapoints_to_alarm: CERTIFICATE_REPORT_WINDOW_HOURS,
        treat_missing_data: 'breaching',
        alarm_actions: [topic],
        metric_query: [
          {
            id: 'm',
            metric: {
              namespace: 'RancherHA/rancher-rke-ha',
              metric_name: CERTIFICATE_DAYS_LEFT_METRIC,
              dimensions: { [SERVER_DIMENSION]: server },
              stat: 'Minimum',
              period: 3_600,
            },
            return_data: false,
          },
          { id: 'filled', expression: 'FILL(m, 0)', return_data: true },
        ],
      });
      expect(alarm).not.toHaveProperty('metric_name');
    }
    // Below the days from which the renewal restarts a server (so an ordinary renewal never fires it), and far
    // enough from the end to act.
    expect(CERTIFICATE_DAYS_LEFT_ALARM_DAYS).toBeLessThanOrEqual(CERT_RENEW_WITHIN_DAYS - 42);
    expect(CERTIFICATE_DAYS_LEFT_ALARM_DAYS).toBeGreaterThanOrEqual(14);
    // Two runs of the renewal timer (every 6 hours and up to an hour's random delay) fit in the window.
    expect(CERTIFICATE_REPORT_WINDOW_HOURS).toBeGreaterThanOrEqual(2 * (6 + 1));
    // Every server sends it into its own series, in the namespace the alarm reads (the node role may write that one only).
    const userData = Object.entries(json.locals ?? {}).filter(([name]) => name.includes('user-data'));
    expect(userData).toHaveLength(servers.length);
    for (const [, text] of userData) {
      expect(text).toContain('RESTART_METRIC_NAMESPACE="RancherHA/rancher-rke-ha"');
      expect(text).toContain(`put_server_metric ${CERTIFICATE_DAYS_LEFT_METRIC} `);
      expect(text).toContain(`Dimensions.member.1.Name=${SERVER_DIMENSION}&`);
    }
    expect(userData.map(([, text]) => /^\s*SERVER_NAME="?([^"\n]+)"?$/m.exec(text as string)?.[1]).sort()).toEqual(servers);
  });

  describe('a refused release file (UnverifiedArtifact)', () => {
    const found = named(json, 'alarms_unverified-artifact');
    const [address, alarm] = found[0] ?? ['(none)', {}];

    it('fires on one 1 in the namespace and under the name the servers send, OK when nothing more comes', () => {
      expect(found).toHaveLength(1);
      expect(alarm).toMatchObject({
        alarm_name: 'rancher-rke-ha-unverified-artifact',
        metric_name: UNVERIFIED_ARTIFACT_METRIC,
        statistic: 'Maximum',
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        period: 60,
        evaluation_periods: 1,
        treat_missing_data: 'notBreaching',
      });
      expect(alarm).not.toHaveProperty('dimensions');
      // Read from each server's user data: the namespace its env file carries, and the metric its script sends.
      const instances = Object.values(resources(json, 'aws_instance'));
      expect(instances.length).toBeGreaterThan(0);
      for (const instance of instances) {
        const text = userDataOf(json, instance);
        expect(/\n *RESTART_METRIC_NAMESPACE="([^"]+)"\n/.exec(text)?.[1]).toBe(alarm.namespace);
        expect(text).toContain(`put_metric ${alarm.metric_name} 1 `);
        expect(text).toContain('fetch_verified "$');
      }
    });

    it('names the journal line and the marker file to look for', () => {
      expect(alarm.alarm_description).toContain(`journalctl -u ${BOOTSTRAP_UNIT}`);
      expect(alarm.alarm_description).toContain('"refusing <file> of <version> ...; nothing was installed"');
      expect(alarm.alarm_description).toContain(UNVERIFIED_ARTIFACT_MARKER);
      expect(UNVERIFIED_ARTIFACT_MARKER).toBe('/var/lib/rancher/rancher-aws/unverified-artifact');
    });

    it('exists while the servers first boot: it waits for no server, gate or release, and every server waits for it', () => {
      const closure = [...dependencyClosure(json, `aws_cloudwatch_metric_alarm.${address}`)];
      expect(alarm).not.toHaveProperty('depends_on');
      expect(
        closure.filter((a) => /^(aws_instance|aws_eip|aws_lb_target_group_attachment|helm_release|kubernetes_|data\.http|rancher2_)/.test(a)),
      ).toEqual([]);
      for (const [name, instance] of Object.entries(resources(json, 'aws_instance'))) {
        expect([name, instance.depends_on]).toEqual([name, expect.arrayContaining([`aws_cloudwatch_metric_alarm.${address}`])]);
      }
      // The other alarms on the servers' metrics still wait for Rancher.
      expect(named(json, 'alarms_restart-held')[0][1].depends_on).toEqual([expect.stringMatching(/^data\.http\./)]);
    });

    it("is named in the servers gate's message about a server that never registered", () => {
      expect(gateEnv(gate(json, 'servers-ready')).UNREGISTERED_HINT).toContain(`the alarm ${alarm.alarm_name} fired`);
    });
  });

  it("watches the ACM certificate's days to expiry where TLS ends at the load balancer", () => {
    const certificates = { ...resources(json, 'aws_acm_certificate_validation'), ...resources(json, 'aws_acm_certificate') };
    const expiry = named(json, 'alarms_certificate-expiry');
    if (input.rancher?.tls?.mode !== 'external') {
      expect(certificates).toEqual({});
      expect(expiry).toEqual([]);
      return;
    }
    expect(expiry).toHaveLength(1);
    expect(expiry[0][1]).toMatchObject({
      namespace: 'AWS/CertificateManager',
      metric_name: 'DaysToExpiry',
      statistic: 'Minimum',
      comparison_operator: 'LessThanThreshold',
      threshold: CERTIFICATE_ALARM_DAYS,
      period: 86_400,
    });
    expect(expiry[0][1].dimensions.CertificateArn).toMatch(/^\$\{aws_acm_certificate(_validation)?\.[^.]+\.(certificate_)?arn\}$/);
  });

  it('outputs the topic (and the us-east-1 one when the stack is elsewhere)', () => {
    expect(json.output!.alarm_topic.value).toBe(topic);
    if (region === 'us-east-1') expect(json.output!.alarm_topic_us_east_1).toBeUndefined();
    else expect(json.output!.alarm_topic_us_east_1.value).toBe(route53Topic);
  });
});

describe('rke-ha alarms: settings', () => {
  it('subscribes alarms.email to every alarm topic, as a literal', () => {
    const json = synth({ region: 'eu-west-1', alarms: { email: 'ops+${x}@acme.io' } });
    const subscriptions = Object.values(resources(json, 'aws_sns_topic_subscription'));
    expect(subscriptions).toHaveLength(2);
    for (const s of subscriptions) expect(s).toMatchObject({ protocol: 'email', endpoint: 'ops+$${x}@acme.io' });
    expect(subscriptions.map((s) => s.topic_arn).sort()).toEqual([topicRef(json, 'topic'), topicRef(json, 'us-east-1-topic')].sort());
  });

  it('creates no subscription without alarms.email', () => {
    expect(resources(synth({}), 'aws_sns_topic_subscription')).toEqual({});
  });

  it('leaves the freshness alarm out, with a warning, for a schedule one alarm cannot watch (more than 7 days apart)', () => {
    const monthly = { rkeHa: { etcdSnapshots: { scheduleCron: '0 3 1 * *' } }, backups: { schedule: '0 4 1 * *' } };
    const json = synth(monthly);
    expect(resources(json, 'aws_cloudwatch_event_rule')).toEqual({});
    expect(named(json, 'alarms_etcd-snapshots')).toEqual([]);
    expect(named(json, 'alarms_rancher-backups')).toEqual([]);
    expect(named(json, 'alarms_status-check-')).toHaveLength(3);
    const stack = buildStack(unsynthesizedApp(), RKE_HA_STACK, monthly);
    // The pin's own warning, if its sum comes from one record (unconfirmed-facts.test.ts), is not this test's.
    expect(constructWarnings(stack).filter((w) => !w.includes('not confirmed here'))).toEqual([
      'rke-ha: no etcd snapshot freshness alarm: the schedule "0 3 1 * *" leaves up to 31 d between two runs, and a CloudWatch alarm watches at most 7 days (with the 60-minute grace); a schedule that runs at least every 6 d 23 h can be watched',
      'rke-ha: no Rancher backup freshness alarm: the schedule "0 4 1 * *" leaves up to 31 d between two runs, and a CloudWatch alarm watches at most 7 days (with the 60-minute grace); a schedule that runs at least every 6 d 23 h can be watched',
    ]);
  });

  it('derives the freshness window from the schedule', () => {
    const json = synth({ rkeHa: { etcdSnapshots: { scheduleCron: '30 1 * * mon-fri' } } });
    expect(named(json, 'alarms_etcd-snapshots_alarm')[0][1]).toMatchObject({ evaluation_periods: 73, datapoints_to_alarm: 73 });
  });
});

describe('rke-ha alarms: alarms.enabled false changes nothing else', () => {
  const on = synth({});
  const off = synth({ alarms: { enabled: false } });
  const flat = (json: TerraformJson) => {
    const out = new Map<string, unknown>();
    for (const [kind, blocks] of [
      ['resource', json.resource],
      ['data', json.data ?? {}],
    ] as const) {
      for (const [type, byName] of Object.entries(blocks))
        for (const [name, block] of Object.entries(byName)) out.set(`${kind}.${type}.${name}`, block);
    }
    return out;
  };
  const a = flat(on);
  const b = flat(off);

  it('adds only the alarms, their topic, and the bucket notification that sends to EventBridge', () => {
    const added = [...a.keys()].filter((k) => !b.has(k));
    // The name CloudWatch signs as in the partition (aws_service_principal), which the key policy gives it.
    expect(
      added.filter(
        (k) =>
          !/\.alarms_/.test(k) &&
          !/(etcd-snapshot-events_notification|rancher-backups_bucket-notification)_/.test(k) &&
          k !== 'data.aws_service_principal.boot-parameters_service-principal-cloudwatch_1FB9CA4E',
      ),
    ).toEqual([]);
    expect([...b.keys()].filter((k) => !a.has(k))).toEqual([]);
    expect(Object.keys(off.output!)).toEqual(Object.keys(on.output!).filter((o) => o !== 'alarm_topic'));
    expect(off.provider!.aws).toHaveLength(1);
  });

  it("changes no existing block but the stack key's policy and the node role's, by one statement each, the servers' user data by one line, their wait for the refused file's alarm and the servers gate's naming it", () => {
    const changes = [...b.keys()].filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)));
    // The servers wait for the alarm on a refused release file (and only that differs); the servers gate names it.
    const [[alarm]] = named(on, 'alarms_unverified-artifact');
    const instances = changes.filter((k) => k.startsWith('resource.aws_instance.'));
    expect(instances).toHaveLength(Object.keys(resources(off, 'aws_instance')).length);
    for (const k of instances) {
      const { depends_on: withAlarm, ...rest } = a.get(k) as { depends_on: string[] };
      const { depends_on: without, ...restOff } = b.get(k) as { depends_on: string[] };
      expect(rest).toEqual(restOff);
      expect(withAlarm).toEqual([...without, `aws_cloudwatch_metric_alarm.${alarm}`]);
    }
    const servers = [gate(on, 'servers-ready'), gate(off, 'servers-ready')];
    expect(changes.filter((k) => k.startsWith('resource.helm_release.'))).toEqual([`resource.helm_release.${servers[1].address}`]);
    expect(gateEnv(servers[0]).UNREGISTERED_HINT).toBe(
      `${gateEnv(servers[1]).UNREGISTERED_HINT}, and the alarm rancher-rke-ha-unverified-artifact fired`,
    );
    expect(gateEnv(servers[1]).UNREGISTERED_HINT).not.toContain('alarm');
    const changed = changes.filter((k) => !instances.includes(k) && !k.startsWith('resource.helm_release.'));
    expect(changed).toEqual([
      expect.stringMatching(/^data\.aws_iam_policy_document\.boot-parameters_key-policy_/),
      expect.stringMatching(/^data\.aws_iam_policy_document\.node-role_policy_/),
    ]);
    for (const [key, sid] of [
      [changed[0], 'CloudWatchPublishesAlarms'],
      [changed[1], 'RestartMetric'],
    ]) {
      const before = b.get(key) as { statement: { sid: string }[] };
      const after = a.get(key) as { statement: { sid: string }[] };
      expect(after.statement.filter((s) => s.sid !== sid)).toEqual(before.statement);
      expect(after.statement.map((s) => s.sid)).toContain(sid);
    }
    // The namespace the renewal sends to; the user data is held on running servers (they get it when rolled).
    const localsChanged = Object.keys(on.locals ?? {}).filter((k) => JSON.stringify(on.locals![k]) !== JSON.stringify(off.locals![k]));
    expect(localsChanged.length).toBeGreaterThan(0);
    for (const k of localsChanged) {
      expect((on.locals![k] as string).replace(/\n *RESTART_METRIC_NAMESPACE="RancherHA\/rancher-rke-ha"\n *SERVER_NAME="server-\d"(?=\n)/, '')).toBe(
        off.locals![k],
      );
    }
    expect(named(off, 'alarms_restart-held')).toEqual([]);
    expect(named(off, 'alarms_unverified-artifact')).toEqual([]);
  });

  it('keeps the snapshot events topic to its own setting', () => {
    expect(Object.keys(resources(on, 'aws_sns_topic')).filter((n) => n.startsWith('etcd-snapshot-events'))).toEqual([]);
    expect(resources(off, 'aws_s3_bucket_notification')).toEqual({});
  });
});

describe('rke-ha alarms: a server that stops reporting its certificates, evaluated as CloudWatch does (helpers/cloudwatch-alarm.ts)', () => {
  const json = synth({});
  const HOUR = 3_600;
  const now = 40 * 86_400 + 17 * 60;
  const daysLeft = (server: string) => named(json, `alarms_certificate-days-left-${server}_`)[0][1];
  /** What a server's renewal timer sends: every 6 hours and a random part of an hour (fixed here), from `from` to `until`. */
  const reports = (server: string, { from = now - 6 * 86_400, until = now, value = 300 } = {}): SentPoint[] => {
    const sent: SentPoint[] = [];
    for (let k = 0, at = from + Number(server.slice(-1)) * 1_100; at < until; k++, at += 6 * HOUR + ((k * 1_373) % HOUR))
      sent.push({ at, value, dimensions: { [SERVER_DIMENSION]: server } });
    return sent;
  };
  // CloudWatch does not publish how many periods its evaluation range holds: the verdicts hold for several.
  const RANGES = [CERTIFICATE_REPORT_WINDOW_HOURS, CERTIFICATE_REPORT_WINDOW_HOURS + 5, 3 * CERTIFICATE_REPORT_WINDOW_HOURS];

  it.each(RANGES)('one server silent for three days is in ALARM while the others report and are OK (evaluation range %i)', (range) => {
    const sent = [...reports('server-0'), ...reports('server-1', { until: now - 3 * 86_400 }), ...reports('server-2')];
    expect(['server-0', 'server-1', 'server-2'].map((s) => evaluateAlarm(daysLeft(s), sent, { now, range }))).toEqual(['OK', 'ALARM', 'OK']);
  });

  it("today's one alarm (d0e353c: no dimension, the least of any server's values a minute, missing data ignored) stays OK on the same data", () => {
    const before = {
      metric_name: CERTIFICATE_DAYS_LEFT_METRIC,
      namespace: 'RancherHA/rancher-rke-ha',
      statistic: 'Minimum',
      period: 60,
      evaluation_periods: 1,
      comparison_operator: 'LessThanThreshold',
      threshold: 30,
      treat_missing_data: 'ignore',
    };
    // The servers sent no dimension then: every report is in the one series.
    const sent = [...reports('server-0'), ...reports('server-1', { until: now - 3 * 86_400 }), ...reports('server-2')].map(({ at, value }) => ({
      at,
      value,
    }));
    for (let t = now - 86_400; t <= now; t += 600) expect(evaluateAlarm(before, sent, { now: t, range: 5 })).toBe('OK');
  });

  it.each(RANGES)('fires between two and three missed runs after the last report, never for one late run (evaluation range %i)', (range) => {
    const last = now - 30 * HOUR;
    const sent = reports('server-1', { until: last + 1 });
    const lastAt = sent[sent.length - 1].at;
    const states: [number, AlarmState][] = [];
    for (let t = lastAt; t <= now; t += 600) states.push([t - lastAt, evaluateAlarm(daysLeft('server-1'), sent, { now: t, range })]);
    const firstAlarm = states.find(([, state]) => state === 'ALARM')![0];
    // A run an hour late (7 hours after the one before) is nowhere near; two runs missed is past 12 hours.
    expect(firstAlarm).toBeGreaterThan(12 * HOUR);
    expect(firstAlarm).toBeLessThanOrEqual((CERTIFICATE_REPORT_WINDOW_HOURS + 1) * HOUR);
    expect(states.filter(([since]) => since >= firstAlarm).every(([, state]) => state === 'ALARM')).toBe(true);
  });

  it('a server reporting under 30 days is in ALARM once its last report of more days is 14 hours old', () => {
    const more = reports('server-2', { until: now - 20 * HOUR });
    const sent = [...more, ...reports('server-2', { from: now - 20 * HOUR, value: 29 })];
    const lastMore = more[more.length - 1].at;
    const range = CERTIFICATE_REPORT_WINDOW_HOURS + 5;
    expect(evaluateAlarm(daysLeft('server-2'), sent, { now: lastMore + 10 * HOUR, range })).toBe('OK');
    expect(evaluateAlarm(daysLeft('server-2'), sent, { now: lastMore + 16 * HOUR, range })).toBe('ALARM');
    expect(evaluateAlarm(daysLeft('server-2'), sent, { now, range })).toBe('ALARM');
  });

  it('why FILL: the same alarm on the bare metric judges a server silent for 20 hours on its older reports while the evaluation range holds them', () => {
    const { metric_query: query, ...rest } = daysLeft('server-1');
    const m = query.find((q: any) => q.id === 'm').metric;
    const bare = { ...rest, namespace: m.namespace, metric_name: m.metric_name, dimensions: m.dimensions, statistic: m.stat, period: m.period };
    const sent = reports('server-1', { until: now - 20 * HOUR });
    expect(evaluateAlarm(bare, sent, { now, range: 3 * CERTIFICATE_REPORT_WINDOW_HOURS })).toBe('OK');
    expect(evaluateAlarm(daysLeft('server-1'), sent, { now, range: 3 * CERTIFICATE_REPORT_WINDOW_HOURS })).toBe('ALARM');
  });
});
