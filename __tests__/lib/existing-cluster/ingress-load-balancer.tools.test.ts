import { rancherOnExistingClusterSchema } from '../../../lib/config/deployment-schema';
import { describeWithTerraform, planVariables } from '../../helpers/terraform';
import { synth, service } from './ingress-load-balancer.setup';

describeWithTerraform('IngressLoadBalancer: ingress_target validation in a plan', () => {
  const { json } = synth({ service });
  const accepted = (target: string | null) => planVariables(json.variable!, { ingress_target: target }).accepted;
  // RancherOnExistingCluster's props (the settings file's k8sHa.dns is those props).
  const targetAccepted = (target: string) => rancherOnExistingClusterSchema.safeParse({ dns: { target } }).success;

  it('accepts null: the Service is read instead', () => {
    expect(accepted(null)).toBe(true);
  });

  it.each([
    ['k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com', true],
    ['lb.example.net', true],
    ['203.0.113.10', true],
    ['203.0.113', false],
    ['203.0.113.256', false],
    ['LB.example.net', false],
    ['lb.example.net.', false],
    ['lb', false],
    ['', false],
    [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`, false],
  ])('%j → %s, as the settings decide for k8sHa.dns.target', (target, ok) => {
    expect(accepted(target)).toBe(ok);
    expect(targetAccepted(target)).toBe(ok);
  });
});
