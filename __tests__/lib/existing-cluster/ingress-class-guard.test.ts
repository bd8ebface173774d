import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { LocalBackend, TerraformOutput } from 'cdktf';
import { IngressClassGuard, type IngressClassGuardProps } from '../../../lib/existing-cluster/ingress-class-guard';
import { dataSources, synthConstruct } from '../../helpers/synth';

const BASE: IngressClassGuardProps = {
  className: 'traefik',
  classDefaulted: false,
  rancherRunning: '"2.14.3"',
  rancherIngress: { namespace: 'cattle-system', name: 'rancher' },
};

function synth(props: IngressClassGuardProps) {
  let conditions: IngressClassGuard['conditions'] = [];
  const { json } = synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new KubernetesProvider(stack, 'kubernetes', {});
    conditions = new IngressClassGuard(stack, 'guard', props).conditions;
    new TerraformOutput(stack, 'rules', { value: conditions.length });
  });
  return { json, conditions };
}

// Terraform evaluates the rules on the cluster's answers in __tests__/app/stacks/k8s-ha-ingress-class.tools.test.ts.
describe('IngressClassGuard', () => {
  it("reads Rancher's Ingress and every IngressClass at plan time (nothing the plan creates comes first)", () => {
    const lookups = Object.values(dataSources(synth(BASE).json, 'kubernetes_resources'));
    expect(lookups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'Ingress', namespace: 'cattle-system', field_selector: 'metadata.name=rancher' }),
        expect.objectContaining({ kind: 'IngressClass' }),
      ]),
    );
    expect(lookups).toHaveLength(2);
    for (const lookup of lookups) expect(lookup.depends_on).toBeUndefined();
  });

  it('with a class named: the move off ingress-nginx onto Traefik only, and with Rancher 2.14.0 or later running', () => {
    const { conditions } = synth(BASE);
    expect(conditions.map((c) => c.condition)).toEqual([
      expect.stringContaining('== "k8s.io/ingress-nginx" && '),
      expect.stringMatching(/>= 140000, false\)\}$/),
    ]);
    expect(conditions[1].condition).toContain('"2.14.3"');
  });

  it('with the class defaulted: no move at all (a running deployment never follows a new default)', () => {
    const { conditions } = synth({ ...BASE, classDefaulted: true });
    expect(conditions).toHaveLength(1);
    expect(conditions[0].condition).not.toContain('k8s.io/ingress-nginx');
    expect(conditions[0].errorMessage).toMatch(/^ingress\.className is unset/);
  });

  it('writes a class name with template characters as a literal', () => {
    // The schema allows no such name; the construct takes any string and must not let Terraform evaluate it.
    const { conditions } = synth({ ...BASE, className: 'a${b}' });
    expect(conditions[0].condition).toContain('"a$${b}"');
    expect(conditions[0].errorMessage).toContain('"a$${b}"');
  });
});
