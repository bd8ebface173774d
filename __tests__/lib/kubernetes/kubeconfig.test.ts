import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { LocalBackend, TerraformOutput } from 'cdktf';
import { ClusterPki } from '../../../lib/kubernetes/cluster-pki';
import { kubeconfig } from '../../../lib/kubernetes/private/kubeconfig';
import { ref, resources, synthConstruct } from '../../helpers/synth';

describe('kubeconfig', () => {
  const { json, text } = synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new TlsProvider(stack, 'tls');
    const pki = new ClusterPki(stack, 'pki', { clusterName: 'demo' });
    const access = {
      host: 'https://demo-lb.elb.us-east-1.amazonaws.com:6443',
      clusterCaCertificate: pki.serverCa.certPem,
      clientCertificate: pki.adminCertPem,
      clientKey: pki.adminKeyPem,
    };
    new TerraformOutput(stack, 'kubeconfig', { value: kubeconfig('demo', access), sensitive: true });
  });
  const expression: string = json.output?.kubeconfig.value;
  const name = (type: string, id: string) => Object.entries(resources(json, type)).find(([, r]) => r['//'].metadata.path === `test/pki/${id}`)![0];
  const unwrap = (reference: string) => reference.slice(2, -1);

  it('is a yamlencode expression of a Config document', () => {
    expect(expression).toMatch(/^\$\{yamlencode\(\{.*\}\)\}$/);
    expect(expression).toContain('"apiVersion" = "v1"');
    expect(expression).toContain('"kind" = "Config"');
  });

  it('base64-encodes the server CA, the admin certificate and the admin key', () => {
    const ca = unwrap(ref('tls_self_signed_cert', name('tls_self_signed_cert', 'server-ca-cert'), 'cert_pem'));
    const cert = unwrap(ref('tls_locally_signed_cert', name('tls_locally_signed_cert', 'admin-cert'), 'cert_pem'));
    const key = unwrap(ref('tls_private_key', name('tls_private_key', 'admin-key'), 'private_key_pem'));
    expect(expression).toContain(`"certificate-authority-data" = base64encode(${ca})`);
    expect(expression).toContain(`"client-certificate-data" = base64encode(${cert})`);
    expect(expression).toContain(`"client-key-data" = base64encode(${key})`);
  });

  it('points one context at the cluster server with the admin user', () => {
    expect(expression).toContain('"server" = "https://demo-lb.elb.us-east-1.amazonaws.com:6443"');
    expect(expression).toContain('"users" = [{"name" = "demo-admin"');
    expect(expression).toContain('"contexts" = [{"name" = "demo", "context" = {"cluster" = "demo", "user" = "demo-admin"}}]');
    expect(expression).toContain('"current-context" = "demo"');
  });

  it('holds no PEM literal and is marked sensitive', () => {
    expect(text).not.toMatch(/-----BEGIN/);
    expect(json.output?.kubeconfig.sensitive).toBe(true);
  });
});
