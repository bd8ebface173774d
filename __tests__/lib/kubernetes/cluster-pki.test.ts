import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { LocalBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { ClusterPki } from '../../../lib/kubernetes/cluster-pki';
import { ref, resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new TlsProvider(stack, 'tls');
    add(stack);
  });
}

describe('ClusterPki', () => {
  const { json, text } = synth((stack) => {
    const pki = new ClusterPki(stack, 'pki', { clusterName: 'demo-rke-ha' });
    new TerraformOutput(stack, 'server_ca_cert', { value: pki.serverCa.certPem });
    new TerraformOutput(stack, 'server_ca_key', { value: pki.serverCa.privateKeyPem, sensitive: true });
    new TerraformOutput(stack, 'client_ca_cert', { value: pki.clientCa.certPem });
    new TerraformOutput(stack, 'admin_cert', { value: pki.adminCertPem });
    new TerraformOutput(stack, 'admin_key', { value: pki.adminKeyPem, sensitive: true });
  });
  const named = (type: string, id: string): [string, any] => {
    const found = Object.entries(resources(json, type)).filter(([, r]) => r['//'].metadata.path === `test/pki/${id}`);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const [serverCaName, serverCa] = named('tls_self_signed_cert', 'server-ca-cert');
  const [clientCaName, clientCa] = named('tls_self_signed_cert', 'client-ca-cert');
  const [serverKeyName] = named('tls_private_key', 'server-ca-key');
  const [clientKeyName] = named('tls_private_key', 'client-ca-key');
  const [adminKeyName] = named('tls_private_key', 'admin-key');
  const [csrName, csr] = named('tls_cert_request', 'admin-csr');
  const [adminName, admin] = named('tls_locally_signed_cert', 'admin-cert');

  it('uses ECDSA P-256 for every key', () => {
    const keys = Object.values(resources(json, 'tls_private_key'));
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(key).toMatchObject({ algorithm: 'ECDSA', ecdsa_curve: 'P256' });
  });

  it('creates two distinct self-signed certificate authorities', () => {
    expect(Object.keys(resources(json, 'tls_self_signed_cert'))).toHaveLength(2);
    for (const [ca, key, commonName] of [
      [serverCa, serverKeyName, 'demo-rke-ha-server-ca'],
      [clientCa, clientKeyName, 'demo-rke-ha-client-ca'],
    ]) {
      expect(ca).toMatchObject({
        is_ca_certificate: true,
        private_key_pem: ref('tls_private_key', key, 'private_key_pem'),
        subject: [{ common_name: commonName }],
        validity_period_hours: 87600,
      });
      expect(ca.allowed_uses).toContain('cert_signing');
      expect(ca.allowed_uses).not.toContain('client_auth');
      expect(ca.allowed_uses).not.toContain('server_auth');
    }
  });

  it('signs an admin client certificate in system:masters with the client CA', () => {
    expect(csr).toMatchObject({
      private_key_pem: ref('tls_private_key', adminKeyName, 'private_key_pem'),
      subject: [{ common_name: 'rancher-aws-admin', organization: 'system:masters' }],
    });
    expect(admin).toMatchObject({
      cert_request_pem: ref('tls_cert_request', csrName, 'cert_request_pem'),
      ca_cert_pem: ref('tls_self_signed_cert', clientCaName, 'cert_pem'),
      ca_private_key_pem: ref('tls_private_key', clientKeyName, 'private_key_pem'),
      // As long as its CA (whose key is in the same state): no renewal within the CA's life.
      validity_period_hours: 87600,
    });
    expect(admin).not.toHaveProperty('early_renewal_hours');
    // A deployment made with a one-year certificate keeps it (no replacement now) until its last renewal.
    expect(admin.lifecycle.ignore_changes).toEqual(['validity_period_hours', 'early_renewal_hours']);
    expect(admin.allowed_uses).toContain('client_auth');
    expect(admin.allowed_uses).not.toContain('server_auth');
    expect(admin.allowed_uses).not.toContain('cert_signing');
    expect(admin).not.toHaveProperty('is_ca_certificate');
  });

  it('no CA renews itself: no early renewal, so the tls provider plans a replacement only once one has ended (the guard refuses that plan)', () => {
    for (const ca of [serverCa, clientCa]) expect(ca).not.toHaveProperty('early_renewal_hours');
  });

  it('exposes references to the generated PEMs', () => {
    expect(json.output).toMatchObject({
      server_ca_cert: { value: ref('tls_self_signed_cert', serverCaName, 'cert_pem') },
      server_ca_key: { value: ref('tls_private_key', serverKeyName, 'private_key_pem') },
      client_ca_cert: { value: ref('tls_self_signed_cert', clientCaName, 'cert_pem') },
      admin_cert: { value: ref('tls_locally_signed_cert', adminName, 'cert_pem') },
      admin_key: { value: ref('tls_private_key', adminKeyName, 'private_key_pem') },
    });
  });

  it('writes no PEM material into the synthesized configuration', () => {
    expect(text).not.toMatch(/-----BEGIN/);
    expect(text).not.toMatch(/PRIVATE KEY/);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
