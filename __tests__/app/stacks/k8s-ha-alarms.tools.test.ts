import { K8S_HA_STACK } from '../../../app/stacks/k8s-ha';
import { UNREACHABLE_IPV4_PATTERN } from '../../../lib/dns/private/dns-target';
import { resources, type TerraformJson } from '../../helpers/synth';
import { evaluateEach } from '../../helpers/terraform';
import { synthSettings } from '../../helpers/variants';

// The k8s-ha alarms' plan-time conditions evaluated by terraform (the unit tier's k8s-ha-alarms.test.ts has the rest).
const synth = (settings: Record<string, unknown> = {}) => synthSettings(K8S_HA_STACK, settings).json;
const one = (json: TerraformJson, type: string, prefix: string): [string, any] => {
  const found = Object.entries(resources(json, type)).filter(([name]) => name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.length}`);
  return found[0];
};

describe("k8s-ha alarms: the /ping check's condition, evaluated by terraform", () => {
  it('leaves the check out for a private, shared, loopback or link-local address, and keeps it for a public address or a hostname', () => {
    const targets = [
      '10.0.0.5',
      '172.16.3.4',
      '172.31.255.1',
      '192.168.1.10',
      '100.64.0.1',
      '127.0.0.1',
      '169.254.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '52.1.2.3',
      'k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com',
      'ingress.example.com',
    ];
    const pattern = JSON.stringify(UNREACHABLE_IPV4_PATTERN);
    const counts = evaluateEach(targets.map((t) => `!can(regex(${pattern}, ${JSON.stringify(t)})) ? 1 : 0`));
    expect(Object.fromEntries(targets.map((t, i) => [t, counts[i]]))).toEqual({
      '10.0.0.5': 0,
      '172.16.3.4': 0,
      '172.31.255.1': 0,
      '192.168.1.10': 0,
      '100.64.0.1': 0,
      '127.0.0.1': 0,
      '169.254.1.1': 0,
      '172.32.0.1': 1,
      '100.128.0.1': 1,
      '52.1.2.3': 1,
      'k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com': 1,
      'ingress.example.com': 1,
    });
    // The same pattern in JavaScript (RE2 and JavaScript read it alike: no lookaround, no backreference).
    expect(targets.map((t) => (new RegExp(UNREACHABLE_IPV4_PATTERN).test(t) ? 0 : 1))).toEqual(counts);
  });
});

describe('k8s-ha alarms: no public name (the record leads to a private address)', () => {
  /**
   * The check's count as Terraform computes it for this synthesized stack: its locals written in, the ingress Service
   * (a data source, not read here) as null, the ingress_target variable at its default (the settings' target).
   */
  const countOf = (json: TerraformJson) => {
    const [, check] = one(json, 'aws_route53_health_check', 'alarms_ping-check');
    let expression = (check.count as string).slice(2, -1);
    for (let depth = 0; depth < 5 && expression.includes('local.'); depth++) {
      expression = expression.replace(/local\.([A-Za-z0-9_-]+)/g, (_, name: string) => {
        const value = String(json.locals![name]);
        return value.startsWith('${') ? `(${value.slice(2, -1)})` : JSON.stringify(value);
      });
    }
    expression = expression.replace(/data\.kubernetes_service_v1\.[A-Za-z0-9_.[\]-]+/g, 'null');
    return evaluateEach([expression], { ingress_target: json.variable!.ingress_target.default })[0];
  };

  it("a private k8sHa.dns.target: no check and no alarm at plan time; a load balancer's hostname: both", () => {
    expect(countOf(synth({ k8sHa: { dns: { target: '10.20.30.40' } } }))).toBe(0);
    expect(countOf(synth({ k8sHa: { dns: { target: 'k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com' } } }))).toBe(1);
  });
});
