import { dataSources, resources } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';

// The API certificate check as the app's rke-ha stack wires it to its servers and node role (both distributions); the
// check itself, built alone, is __tests__/lib/kubernetes/api-certificate-check.test.ts's.

const check = (json: any) => json.check.api_serving_certificate;

describe('rke-ha: the API certificate check', () => {
  it('makes a parameter per server named by the address it runs with, and lets the node role put only there', () => {
    for (const rkeHa of [{}, { distribution: 'k3s' as const }]) {
      const { json } = synthSettings('rke-ha', { rkeHa });
      expect(Object.keys(check(json))).toEqual(['assert']);
      const names = Object.values(resources(json, 'aws_ssm_parameter'))
        .map((p: any) => p.name as string)
        .filter((n) => n.includes('/api-certificate-end/'))
        .sort();
      expect(names).toHaveLength(rkeHa.distribution === 'k3s' ? 2 : 3);
      names.forEach((n) =>
        expect(n).toMatch(/^\/rancher\/rke-ha\/api-certificate-end\/\$\{aws_instance\.server-\d_instance_[0-9A-F]+\.private_ip\}$/),
      );
      const policy = Object.entries(dataSources(json, 'aws_iam_policy_document')).find(([name]) => name.startsWith('node-role_policy'))![1];
      const puts = policy.statement.filter((s: any) => s.actions.some((a: string) => a.startsWith('ssm:Put')));
      expect(puts).toEqual([
        {
          sid: 'Reports',
          actions: ['ssm:PutParameter'],
          resources: [expect.stringMatching(/^arn:\$\{.*\}:ssm:\$\{.*\}:\$\{.*\}:parameter\/rancher\/rke-ha\/api-certificate-end\/\*$/)],
        },
      ]);
    }
  });
});
