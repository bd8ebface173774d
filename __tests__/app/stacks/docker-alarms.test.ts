import { CERTIFICATE_ALARM_DAYS, SUSTAINED_MINUTES } from '../../../lib/alarms/deployment-alarms';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { evaluateAlarm, type SentPoint } from '../../helpers/cloudwatch-alarm';
import { resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { STACK_VARIANTS, synthSettings, DOCKER_STACK } from '../../helpers/variants';

const alarms = (json: TerraformJson) => Object.entries(resources(json, 'aws_cloudwatch_metric_alarm'));
const DOCKER_VARIANTS = STACK_VARIANTS.filter((v) => v.stack === DOCKER_STACK).map((v) => [v.name, v.settings] as [string, SettingsInput]);

describe.each(DOCKER_VARIANTS)('docker alarms: %s', (_name, input) => {
  const json = synthSettings(DOCKER_STACK, input).json;
  const [topicName, topic] = Object.entries(resources(json, 'aws_sns_topic')).find(([name]) => name.startsWith('alarms_topic_'))!;
  const topicArn = `\${aws_sns_topic.${topicName}.arn}`;

  it('has a topic encrypted with the stack key, and outputs it', () => {
    expect(topic).toMatchObject({
      name: 'rancher-docker-alarms',
      kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.boot-parameters_key_[^.]+\.arn\}$/),
    });
    expect(json.output!.alarm_topic.value).toBe(topicArn);
  });

  it("watches the host's status checks", () => {
    const [instance] = Object.keys(resources(json, 'aws_instance'));
    const status = alarms(json).filter(([name]) => name.startsWith('alarms_status-check-server'));
    expect(status).toHaveLength(1);
    expect(status[0][1]).toMatchObject({
      metric_name: 'StatusCheckFailed',
      dimensions: { InstanceId: `\${aws_instance.${instance}.id}` },
      evaluation_periods: SUSTAINED_MINUTES,
      alarm_actions: [topicArn],
      ok_actions: [topicArn],
    });
  });

  it('checks /ping through a Route53 name (not a wildcard one), its alarm in us-east-1', () => {
    const checks = resources(json, 'aws_route53_health_check');
    const health = alarms(json).filter(([name]) => name.startsWith('alarms_health-check-'));
    if (input.dns?.mode === 'wildcard') {
      expect(checks).toEqual({});
      expect(health).toEqual([]);
      return;
    }
    expect(Object.values(checks)).toEqual([expect.objectContaining({ type: 'HTTPS', fqdn: '${var.rancher_hostname}', resource_path: '/ping' })]);
    expect(health).toHaveLength(1);
    expect(health[0][1]).toMatchObject({ provider: 'aws.us_east_1', namespace: 'AWS/Route53', alarm_actions: [topicArn] });
  });

  it("watches the ALB's ACM certificate (docker.tls.mode external)", () => {
    const expiry = alarms(json).filter(([name]) => name.startsWith('alarms_certificate-expiry'));
    expect(expiry).toHaveLength(input.docker?.tls?.mode === 'external' ? 1 : 0);
    for (const [, a] of expiry) expect(a).toMatchObject({ metric_name: 'DaysToExpiry', threshold: CERTIFICATE_ALARM_DAYS });
  });

  it("has no alarm on a refused release file: the host installs Docker from the distribution's packages and verifies no release file", () => {
    const [instance] = Object.values(resources(json, 'aws_instance'));
    const text = userDataOf(json, instance);
    expect(text).toContain('install docker.io');
    expect(text).not.toContain('fetch_verified');
    expect(text).not.toContain('UnverifiedArtifact');
    expect(alarms(json).map(([, a]) => a.metric_name)).not.toContain('UnverifiedArtifact');
  });

  it('watches the K3s certificates the host reports daily: under 30 days, or two whole days without a report, evaluated as CloudWatch does', () => {
    const found = alarms(json).filter(([name]) => name.startsWith('alarms_k3s-certificate-days-left'));
    expect(found).toHaveLength(1);
    const [, alarm] = found[0];
    expect(alarm).toMatchObject({
      comparison_operator: 'LessThanThreshold',
      threshold: 30,
      evaluation_periods: 2,
      datapoints_to_alarm: 2,
      treat_missing_data: 'breaching',
      metric_query: [
        { id: 'm', metric: { metric_name: 'K3sCertificateDaysLeft', stat: 'Minimum', period: 86_400 }, return_data: false },
        { id: 'filled', expression: 'FILL(m, 0)', return_data: true },
      ],
    });
    const DAY = 86_400;
    const now = 60 * DAY + 3_000;
    // The daily timer (OnUnitActiveSec=1d, RandomizedDelaySec=1h): each run up to 25 hours after the one before.
    const daily = (until: number) => {
      const sent: SentPoint[] = [];
      for (let at = now - 20 * DAY, k = 0; at < until; k++, at += DAY + ((k * 977) % 3_600)) sent.push({ at, value: 300 });
      return sent;
    };
    for (const range of [2, 5, 10]) {
      expect(evaluateAlarm(alarm, daily(now), { now, range })).toBe('OK');
      expect(evaluateAlarm(alarm, daily(now - 3 * DAY), { now, range })).toBe('ALARM');
    }
  });

  it("has no snapshot freshness alarm (the data volume snapshots are DLM's)", () => {
    expect(resources(json, 'aws_cloudwatch_event_rule')).toEqual({});
  });
});

describe('docker alarms: alarms.enabled false', () => {
  it('has no alarm, topic or output', () => {
    const json = synthSettings(DOCKER_STACK, { alarms: { enabled: false } }).json;
    expect(resources(json, 'aws_cloudwatch_metric_alarm')).toEqual({});
    expect(resources(json, 'aws_sns_topic')).toEqual({});
    expect(json.output!.alarm_topic).toBeUndefined();
  });
});
