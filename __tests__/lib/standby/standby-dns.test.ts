import { failedOverAlarmName, failedOverNamespace, FAILED_OVER_METRIC } from '../../../lib/standby/standby-facts-keys';
import { PRIMARY_SET_ID, SECONDARY_SET_ID } from '../../../lib/standby/standby-dns';
import type { TerraformJson } from '../../helpers/synth';
import { K8S_HA_STACK, RKE_HA_STACK, synthSettings, type StackName } from '../../helpers/variants';

// Production's hostname records with a standby become Route 53 failover routing that a metric of the standby region
// moves (lib/standby/standby-dns.ts; issue 91 item 1): PRIMARY on a CLOUDWATCH_METRIC health check of the alarm the
// failover drives, a SECONDARY of the same name and type per target kind (counted on the standby-target parameter).
// Without a standby, nothing of it: the records stay simple (the stacks' snapshots hold them byte for byte).

const SITE = { hostname: 'rancher.acme.io', hostedZone: 'acme.io' };
const STANDBY = { standby: { region: 'us-west-2' } };
const K8S_STANDBY = { standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } } } } };

type Resources = Record<string, Record<string, any>>;
const recordsOf = (json: TerraformJson): Record<string, any> => (json.resource as Resources).aws_route53_record ?? {};
/** The hostname's records the stack itself makes (production's), by name. */
const production = (json: TerraformJson) => Object.entries(recordsOf(json)).filter(([name]) => name.startsWith('dns_'));
const secondaries = (json: TerraformJson) => Object.entries(recordsOf(json)).filter(([name]) => name.startsWith('standby_dns_'));
const failoverCheck = (json: TerraformJson) => (json as any).check?.standby_dns;

describe('failover routing of the hostname with a standby', () => {
  it.each<[string, StackName, Record<string, unknown>, string[]]>([
    ['rke-ha, its NLB', RKE_HA_STACK, {}, ['A']],
    ['rke-ha, TLS at the load balancer (its ALB)', RKE_HA_STACK, { rancher: { tls: { mode: 'external', issuer: 'acme' } } }, ['A']],
    ['rke-ha dual stack (A and AAAA)', RKE_HA_STACK, { rkeHa: { dualStack: true } }, ['A', 'AAAA']],
    ["k8s-ha (its record's three kinds, one counted in)", K8S_HA_STACK, {}, ['A', 'A', 'CNAME']],
  ])('%s: PRIMARY on the alarm-driven health check, a SECONDARY per target kind', (_, stack, extra, types) => {
    const json = synthSettings(stack, { ...SITE, ...extra, ...(stack === K8S_HA_STACK ? K8S_STANDBY : STANDBY) } as never).json;
    const resources = json.resource as Resources;
    const [checkName, check] = Object.entries(resources.aws_route53_health_check).find(([, h]) => h.type === 'CLOUDWATCH_METRIC')!;
    const deployment = `rancher-${stack}`;
    expect(check).toMatchObject({
      cloudwatch_alarm_region: 'us-west-2',
      insufficient_data_health_status: 'LastKnownStatus',
      cloudwatch_alarm_name: expect.stringMatching(/^\$\{aws_cloudwatch_metric_alarm\.standby_dns_alarm_\w+\.alarm_name\}$/),
    });
    const alarm = Object.values(resources.aws_cloudwatch_metric_alarm).find((a) => a.alarm_name === failedOverAlarmName(deployment));
    expect(alarm).toMatchObject({
      provider: 'aws.us_west_2',
      namespace: failedOverNamespace(deployment),
      metric_name: FAILED_OVER_METRIC,
      statistic: 'Maximum',
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      evaluation_periods: 1,
      // One point keeps the state: what the failover writes once holds until the failback writes again.
      treat_missing_data: 'ignore',
    });

    const primaries = production(json);
    expect(primaries.map(([, r]) => r.type).sort()).toEqual(types);
    for (const [, r] of primaries) {
      expect(r).toMatchObject({
        set_identifier: PRIMARY_SET_ID,
        failover_routing_policy: { type: 'PRIMARY' },
        health_check_id: `\${aws_route53_health_check.${checkName}.id}`,
      });
      // Nothing fails over by itself: only the failover's metric moves the name.
      if (r.alias) expect(r.alias.evaluate_target_health).toBe(false);
    }
    // Each primary's SECONDARY forms (alias; A; CNAME as its type allows), after it, counted on the target's kind.
    const second = secondaries(json);
    for (const [name, r] of primaries) {
      const pair = second.filter(([, s]) => s.depends_on?.includes(`aws_route53_record.${name}`));
      const kinds = pair.map(([, s]) => (s.alias ? 'alias' : s.type)).sort();
      expect(kinds).toEqual(r.type === 'AAAA' ? ['alias'] : r.type === 'A' ? ['A', 'alias'] : ['CNAME']);
      for (const [, s] of pair) {
        expect(s).toMatchObject({
          type: r.type,
          name: r.name,
          zone_id: r.zone_id,
          set_identifier: SECONDARY_SET_ID,
          failover_routing_policy: { type: 'SECONDARY' },
        });
        expect(s.count).toContain(`length(aws_route53_record.${name}[*]) > 0`);
        expect(s.count).toMatch(new RegExp(`== "${s.alias ? 'alias' : s.type}" \\? 1 : 0}$`));
        if (s.alias) expect(s.alias.evaluate_target_health).toBe(false);
      }
    }
    // The standby's target, read at plan time in the standby region from a path (absent: no secondary, a warning).
    // StandbyDns's own listing, which the failover fence reads for its precondition (lib/standby/failover-fence.ts).
    const parameters = Object.entries((json.data as Resources).aws_ssm_parameters_by_path)
      .filter(([name, p]) => p.provider && name.startsWith('standby_dns_'))
      .map(([, p]) => p);
    expect(parameters).toEqual([expect.objectContaining({ provider: 'aws.us_west_2', path: `/rancher/${stack}`, with_decryption: false })]);
    const target = Object.entries(json.locals!).find(([name]) => name.startsWith('standby_dns_target'))![1];
    expect(target).toContain(`"/rancher/${stack}/standby-target"`);
    expect(failoverCheck(json).assert).toEqual([
      expect.objectContaining({ error_message: expect.stringContaining('a failover cannot move the name yet') }),
    ]);
  });

  it.each<[string, StackName, Record<string, unknown>]>([
    ['rke-ha', RKE_HA_STACK, {}],
    ['k8s-ha', K8S_HA_STACK, {}],
  ])('%s without a standby: simple records, no health check on an alarm, no secondary', (_, stack, extra) => {
    const json = synthSettings(stack, { ...SITE, ...extra } as never).json;
    for (const [, r] of production(json)) {
      expect(Object.keys(r)).not.toEqual(expect.arrayContaining(['set_identifier']));
      expect(r.failover_routing_policy).toBeUndefined();
      expect(r.health_check_id).toBeUndefined();
    }
    expect(secondaries(json)).toEqual([]);
    expect(Object.values((json.resource as Resources).aws_route53_health_check ?? {}).filter((h) => h.type === 'CLOUDWATCH_METRIC')).toEqual([]);
    expect(failoverCheck(json)).toBeUndefined();
  });

  it('rke-ha with DNS round robin (no load balancer record): no failover routing, the round robin as it was', () => {
    const json = synthSettings(RKE_HA_STACK, {
      ...SITE,
      ...STANDBY,
      rancher: { tls: { issuer: 'acme', acme: { email: 'ops@acme.io' } } },
      rkeHa: { loadBalancer: { type: 'dns' } },
    } as never).json;
    expect(secondaries(json)).toEqual([]);
    expect(failoverCheck(json)).toBeUndefined();
  });
});
