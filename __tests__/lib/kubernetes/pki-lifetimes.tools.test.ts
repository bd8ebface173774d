import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformStack } from 'cdktf';
import { DeploymentGuard } from '../../../lib/common/deployment-guard';
import { ClusterPki } from '../../../lib/kubernetes/cluster-pki';
import { pkiLifetimes } from '../../../lib/kubernetes/private/pki-lifetimes';
import { resources, synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf } from '../../helpers/terraform';

describe('pkiLifetimes', () => {
  const { json } = synthConstruct((stack: TerraformStack) => {
    new TlsProvider(stack, 'tls');
    const pki = new ClusterPki(stack, 'pki', { clusterName: 'demo' });
    new DeploymentGuard(stack, 'guard', { recorded: [], conditions: pkiLifetimes(pki, { pki, checkName: 'cluster_certificates' }) });
  });
  const conditions: { condition: string; error_message: string }[] = resources(json, 'terraform_data')[
    Object.keys(resources(json, 'terraform_data')).find((n) => n.startsWith('guard_'))!
  ].lifecycle.precondition;
  const asserts: { condition: string; error_message: string }[] = (json as any).check.cluster_certificates.assert;

  describeWithTerraform('evaluated by terraform', () => {
    // plantimestamp() has no value in the console: the same expressions with a fixed "now".
    const at = (expression: string, now: string, end: string, earlyRenewalHours = 0) =>
      evaluate(
        expressionOf(expression)
          .replace('plantimestamp()', JSON.stringify(now))
          .replace(/terraform_data\.[A-Za-z0-9_-]+\.input|tls_locally_signed_cert\.[A-Za-z0-9_-]+\.validity_end_time/g, JSON.stringify(end))
          .replace(/tls_locally_signed_cert\.[A-Za-z0-9_-]+\.early_renewal_hours/g, String(earlyRenewalHours)),
      );
    const END = '2036-11-23T06:00:00Z';

    it('the CA warning holds until two years before the end, then fails', () => {
      expect(at(asserts[0].condition, '2034-11-22T06:00:00Z', END)).toBe(true);
      expect(at(asserts[0].condition, '2034-11-24T06:00:00Z', END)).toBe(false);
    });

    it('the admin warning holds until 60 days before the end, then fails', () => {
      expect(at(asserts[2].condition, '2036-09-23T06:00:00Z', END)).toBe(true);
      expect(at(asserts[2].condition, '2036-09-25T06:00:00Z', END)).toBe(false);
    });

    it('a one-year admin certificate (720 h of early renewal, kept by ignore_changes) is warned 60 days before the provider would replace it, 90 before its end', () => {
      expect(at(asserts[2].condition, '2036-08-24T06:00:00Z', END, 720)).toBe(true);
      expect(at(asserts[2].condition, '2036-08-26T06:00:00Z', END, 720)).toBe(false);
      // Still 60 days before the end, where the old warning began: already past the replacement's own warning.
      expect(at(asserts[2].condition, '2036-09-23T06:00:00Z', END, 720)).toBe(false);
    });

    it("the guard refuses from the CA's end on", () => {
      expect(at(conditions[0].condition, '2036-11-23T05:59:59Z', END)).toBe(true);
      expect(at(conditions[0].condition, '2036-11-23T06:00:00Z', END)).toBe(false);
    });
  });
});
