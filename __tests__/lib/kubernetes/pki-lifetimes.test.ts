import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformStack } from 'cdktf';
import { DeploymentGuard } from '../../../lib/common/deployment-guard';
import { ClusterPki } from '../../../lib/kubernetes/cluster-pki';
import { ADMIN_WARNING_HOURS, CA_WARNING_HOURS, pkiLifetimes } from '../../../lib/kubernetes/private/pki-lifetimes';
import { resources, synthConstruct } from '../../helpers/synth';

describe('pkiLifetimes', () => {
  const { json } = synthConstruct((stack: TerraformStack) => {
    new TlsProvider(stack, 'tls');
    const pki = new ClusterPki(stack, 'pki', { clusterName: 'demo' });
    new DeploymentGuard(stack, 'guard', { recorded: [], conditions: pkiLifetimes(pki, { pki, checkName: 'cluster_certificates' }) });
  });
  const records = Object.entries(resources(json, 'terraform_data')).filter(([n]) => n.startsWith('pki_'));
  const conditions: { condition: string; error_message: string }[] = resources(json, 'terraform_data')[
    Object.keys(resources(json, 'terraform_data')).find((n) => n.startsWith('guard_'))!
  ].lifecycle.precondition;
  const [serverCert] = Object.keys(resources(json, 'tls_self_signed_cert')).filter((n) => n.includes('server-ca'));
  const [adminCert] = Object.keys(resources(json, 'tls_locally_signed_cert'));
  const asserts: { condition: string; error_message: string }[] = (json as any).check.cluster_certificates.assert;

  it("records each CA's end at the first apply, and keeps it (so a plan that would replace a CA still knows the old end)", () => {
    expect(records.map(([n]) => n.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual(['pki_client-ca-end', 'pki_server-ca-end']);
    for (const [, record] of records) {
      expect(record.input).toMatch(/^\$\{tls_self_signed_cert\.pki_(server|client)-ca-cert_[0-9A-F]+\.validity_end_time\}$/);
      expect(record.lifecycle.ignore_changes).toEqual(['input']);
    }
  });

  it('warns on every plan two years before a CA ends and 60 days before the admin certificate ends', () => {
    expect(CA_WARNING_HOURS).toBe(2 * 8760);
    expect(ADMIN_WARNING_HOURS).toBe(60 * 24);
    expect(asserts).toHaveLength(3);
    expect(asserts[0].condition).toContain(`-${CA_WARNING_HOURS}h`);
    expect(asserts[2].condition).toContain(
      `tls_locally_signed_cert.${adminCert}.validity_end_time, format("-%dh", ${ADMIN_WARNING_HOURS} + tls_locally_signed_cert.${adminCert}.early_renewal_hours)`,
    );
    expect(asserts[2].error_message).toContain(
      `terraform apply -replace=tls_locally_signed_cert.${adminCert} -target=tls_locally_signed_cert.${adminCert}`,
    );
  });

  it('gives the guard one refusal per CA, from its recorded end on', () => {
    expect(conditions).toHaveLength(2);
    for (const c of conditions)
      expect(c.condition).toMatch(/^\$\{timecmp\(plantimestamp\(\), terraform_data\.pki_(server|client)-ca-end_[0-9A-F]+\.input\) < 0\}$/);
    expect(conditions[0].error_message).toContain('this plan would replace it');
    expect(serverCert).toBeDefined();
  });
});
