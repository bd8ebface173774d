import { UNREACHABLE_IPV4_PATTERN } from '../../../lib/dns/private/dns-target';
import { dataSources, dependencyClosure, resources, servicePrincipal, type TerraformJson } from '../../helpers/synth';
import { synthSettings, K8S_HA_STACK } from '../../helpers/variants';
import { freshnessTargetProblems } from '../../helpers/freshness';

const synth = (settings: Record<string, unknown> = {}) => synthSettings(K8S_HA_STACK, settings).json;
const named = (json: TerraformJson, type: string, prefix: string): [string, any][] =>
  Object.entries(resources(json, type)).filter(([name]) => name.startsWith(prefix));
const one = (json: TerraformJson, type: string, prefix: string): [string, any] => {
  const found = named(json, type, prefix);
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.length}`);
  return found[0];
};
const statementsOf = (json: TerraformJson, policy: string) =>
  dataSources(json, 'aws_iam_policy_document')[/^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy)![1]].statement;
const ALARM_TYPES = [
  'aws_sns_topic',
  'aws_sns_topic_policy',
  'aws_kms_key',
  'aws_cloudwatch_metric_alarm',
  'aws_route53_health_check',
  'aws_cloudwatch_event_rule',
  'aws_cloudwatch_event_target',
  'aws_sqs_queue',
  'aws_sqs_queue_policy',
  'aws_s3_bucket_notification',
];

// k8s-ha's alarms (issue 24): what AWS can see of a deployment whose cluster, nodes and load balancer are not the stack's.
describe('k8s-ha alarms, on by default', () => {
  const json = synth();
  const [topicName, topic] = one(json, 'aws_sns_topic', 'alarms_topic');
  const [keyName, key] = one(json, 'aws_kms_key', 'alarms_key');
  const [checkName, check] = one(json, 'aws_route53_health_check', 'alarms_ping-check');
  const [, pingAlarm] = one(json, 'aws_cloudwatch_metric_alarm', 'alarms_health-check-ping');
  const [, freshness] = one(json, 'aws_cloudwatch_metric_alarm', 'alarms_rancher-backups_alarm');
  const [ruleName, rule] = one(json, 'aws_cloudwatch_event_rule', 'alarms_rancher-backups_rule');
  const [bucketName] = one(json, 'aws_s3_bucket', 'rancher-backups_bucket');
  const ping = Object.keys(dataSources(json, 'http')).find((n) => n.startsWith('rancher-readiness_ping'))!;

  it('notifies one SNS topic, encrypted with a key of its own that CloudWatch may use for that topic only (output alarm_topic)', () => {
    expect(topic).toMatchObject({ name: 'rancher-k8s-ha-alarms', kms_master_key_id: `\${aws_kms_key.${keyName}.arn}` });
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const statements = statementsOf(json, key.policy);
    const cloudwatch = statements.find((s: any) => s.sid === 'CloudWatchPublishesAlarms');
    expect(cloudwatch.principals).toEqual([{ type: 'Service', identifiers: [servicePrincipal(json, 'cloudwatch')] }]);
    expect(cloudwatch.condition[0]).toMatchObject({
      variable: 'kms:EncryptionContext:aws:sns:topicArn',
      values: [expect.stringMatching(/:sns:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\}:rancher-k8s-ha-alarms$/)],
    });
    // The account administers the key and decrypts nothing with it.
    const account = statements.find((s: any) => s.sid === 'AccountAdministers');
    expect(account.actions.filter((a: string) => /Decrypt|GenerateDataKey|ReEncrypt|^kms:\*$/.test(a))).toEqual([]);
    expect(json.output!.alarm_topic.value).toBe(`\${aws_sns_topic.${topicName}.arn}`);
    expect(json.output).not.toHaveProperty('alarm_topic_us_east_1');
  });

  it("checks /ping through the stack's record, its alarm in us-east-1, both only where the record does not lead to a private address", () => {
    expect(check).toMatchObject({ type: 'HTTPS', fqdn: '${var.rancher_hostname}', port: 443, enable_sni: true, resource_path: '/ping' });
    const [recordLocal] = Object.keys(json.locals ?? {}).filter((n) => n.startsWith('dns_target'));
    const condition = `\${!can(regex(local.unreachable-ipv4-pattern, local.${recordLocal})) ? 1 : 0}`;
    expect(check.count).toBe(condition);
    expect(pingAlarm.count).toBe(condition);
    expect(json.locals!['unreachable-ipv4-pattern']).toBe(UNREACHABLE_IPV4_PATTERN);
    expect(pingAlarm).toMatchObject({
      provider: 'aws.us_east_1',
      namespace: 'AWS/Route53',
      metric_name: 'HealthCheckStatus',
      treat_missing_data: 'breaching',
    });
    expect(pingAlarm.dimensions).toEqual({ HealthCheckId: `\${one(aws_route53_health_check.${checkName}[*].id)}` });
    expect(pingAlarm.alarm_actions).toEqual([`\${aws_sns_topic.${topicName}.arn}`]);
    expect(pingAlarm.ok_actions).toEqual([`\${aws_sns_topic.${topicName}.arn}`]);
  });

  it("watches the backups' freshness on the bucket the stack owns (its events to EventBridge, Object Created under rancher/)", () => {
    const [, notification] = one(json, 'aws_s3_bucket_notification', 'rancher-backups_bucket-notification');
    expect(notification).toMatchObject({ bucket: `\${aws_s3_bucket.${bucketName}.id}`, eventbridge: true });
    // The pattern is a jsonencode of the bucket's name (a reference) and the prefix.
    expect(rule.event_pattern).toContain(`aws_s3_bucket.${bucketName}.id`);
    expect(rule.event_pattern).toMatch(/"Object Created"/);
    expect(rule.event_pattern).toMatch(/"prefix" = "rancher\/"/);
    // The default schedule, every 6 hours: 7 hourly periods.
    expect(freshness).toMatchObject({
      alarm_name: 'rancher-k8s-ha-rancher-backup-fresh',
      namespace: 'AWS/Events',
      metric_name: 'Invocations',
      dimensions: { RuleName: `\${aws_cloudwatch_event_rule.${ruleName}.name}` },
      evaluation_periods: 7,
      period: 3600,
      treat_missing_data: 'breaching',
    });
    expect(freshnessTargetProblems(json, ruleName)).toEqual([]);
  });

  it("watches nothing of the cluster, its nodes or its load balancer (not the stack's), and no certificate (none in ACM here)", () => {
    const alarms = Object.values(resources(json, 'aws_cloudwatch_metric_alarm'))
      .map((a) => a.namespace)
      .sort();
    expect(alarms).toEqual(['AWS/Events', 'AWS/Route53']);
    expect(resources(json, 'aws_acm_certificate')).toEqual({});
  });

  it('waits for Rancher to answer /ping before the check and its alarm exist', () => {
    for (const address of [
      `aws_route53_health_check.${checkName}`,
      ...named(json, 'aws_cloudwatch_metric_alarm', 'alarms_health-check').map(([n]) => `aws_cloudwatch_metric_alarm.${n}`),
    ]) {
      expect(dependencyClosure(json, address)).toContain(`data.http.${ping}`);
    }
  });
});

describe('k8s-ha alarms: the settings', () => {
  it('alarms.enabled: false creates no topic, key, alarm, check or bucket notification, and no alarm_topic output', () => {
    const json = synth({ alarms: { enabled: false } });
    for (const type of ALARM_TYPES) expect([type, Object.keys(resources(json, type))]).toEqual([type, []]);
    expect(json.output).not.toHaveProperty('alarm_topic');
    expect(json.locals ?? {}).not.toHaveProperty('unreachable-ipv4-pattern');
  });

  it('backups.enabled: false keeps the topic and /ping, without a freshness alarm', () => {
    const json = synth({ backups: { enabled: false } });
    expect(named(json, 'aws_cloudwatch_metric_alarm', 'alarms_rancher-backups')).toEqual([]);
    for (const type of ['aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target', 'aws_sqs_queue'])
      expect(named(json, type, 'alarms_')).toEqual([]);
    expect(named(json, 'aws_cloudwatch_metric_alarm', 'alarms_health-check-ping')).toHaveLength(1);
  });

  it('alarms.email subscribes the address; outside us-east-1 a second topic there, with a key of its own, for the Route53 alarm', () => {
    const json = synth({ region: 'eu-west-1', alarms: { email: 'ops@acme.io' } });
    const subscriptions = Object.values(resources(json, 'aws_sns_topic_subscription'));
    expect(subscriptions.map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'ops@acme.io'],
      ['email', 'ops@acme.io'],
    ]);
    const [usTopicName, usTopic] = one(json, 'aws_sns_topic', 'alarms_us-east-1-topic');
    expect(usTopic.provider).toBe('aws.us_east_1');
    expect(one(json, 'aws_kms_key', 'alarms_us-east-1-key')[1].provider).toBe('aws.us_east_1');
    expect(one(json, 'aws_cloudwatch_metric_alarm', 'alarms_health-check-ping')[1].alarm_actions).toEqual([`\${aws_sns_topic.${usTopicName}.arn}`]);
    expect(json.output!.alarm_topic_us_east_1.value).toBe(`\${aws_sns_topic.${usTopicName}.arn}`);
    const [, key] = one(json, 'aws_kms_key', 'alarms_key');
    expect(JSON.stringify(statementsOf(json, key.policy))).toContain(':sns:eu-west-1:');
  });

  it('a backup schedule no single alarm can watch (monthly) gets no freshness alarm', () => {
    const json = synth({ backups: { schedule: '0 0 1 * *' } });
    expect(named(json, 'aws_cloudwatch_metric_alarm', 'alarms_rancher-backups')).toEqual([]);
  });
});
