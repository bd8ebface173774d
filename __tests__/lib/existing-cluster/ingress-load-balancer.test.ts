import { INGRESS_TARGET_VARIABLE } from '../../../lib/existing-cluster/ingress-load-balancer';
import { dataSources } from '../../helpers/synth';
import { synth, service } from './ingress-load-balancer.setup';

describe('IngressLoadBalancer', () => {
  const { json } = synth({ service });
  const [serviceName, lookup] = Object.entries(dataSources(json, 'kubernetes_service_v1'))[0];
  const variable = json.variable![INGRESS_TARGET_VARIABLE];

  it('declares the ingress_target variable, null (discover) unless configured, validated', () => {
    expect(INGRESS_TARGET_VARIABLE).toBe('ingress_target');
    expect(variable).toMatchObject({ type: 'string', nullable: true, default: null });
    expect(variable.validation[0].condition).toMatch(/^\$\{var\.ingress_target == null \? true : /);
    expect(synth({ service, target: 'lb.example.net' }).json.variable!.ingress_target.default).toBe('lb.example.net');
  });

  it("reads the controller's Service only when no target is given", () => {
    expect(lookup.metadata).toEqual(service);
    expect(lookup.count).toBe('${var.ingress_target == null ? 1 : 0}');
  });

  it('fails the plan, saying what to set, when the Service has no load-balancer address', () => {
    const [check] = lookup.lifecycle.postcondition;
    expect(check.condition).toBe('${length(try(self.status[0].load_balancer[0].ingress, [])) > 0}');
    expect(check.error_message).toContain('Service ingress-nginx/ingress-nginx-controller');
    expect(check.error_message).toContain('give the address with dns.target');
  });

  it('uses the variable when set, else the first load-balancer hostname, else its IP', () => {
    const local = Object.entries(json.locals!).find(([name]) => name.startsWith('ingress_address'))!;
    const first = `data.kubernetes_service_v1.${serviceName}[0].status[0].load_balancer[0].ingress[0]`;
    expect(local[1]).toBe(`\${var.ingress_target != null ? var.ingress_target : try(coalesce(${first}.hostname, ${first}.ip), null)}`);
    expect(json.output!.address.value).toBe(`\${local.${local[0]}}`);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
