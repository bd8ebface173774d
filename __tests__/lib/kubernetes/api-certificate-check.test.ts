import { API_CERTIFICATE_WARNING_DAYS } from '../../../lib/kubernetes/private/api-certificate-check';
import { CERT_RENEW_WITHIN_DAYS } from '../../../lib/kubernetes/private/server-units';
import { synthSettings } from '../../helpers/variants';
import { synthCheck } from './api-certificate-check.setup';

const check = (json: any) => json.check.api_serving_certificate;

describe('apiCertificateCheck', () => {
  const { json } = synthCheck();

  it('reads the served certificate inside the check block, so a failed read is a warning and never stops a plan', () => {
    expect(json.data).toBeUndefined();
    expect(check(json).data).toEqual({
      tls_certificate: { api_serving_certificate: { url: 'tls://api.example.internal:6443', verify_chain: false } },
    });
  });

  it('warns from 60 days before the end of the last certificate of the chain (the served leaf: the provider reverses the handshake order)', () => {
    expect(API_CERTIFICATE_WARNING_DAYS).toBe(60);
    // Read from cert-renewal.sh's default; the warning starts only after the renewal should have run.
    expect(CERT_RENEW_WITHIN_DAYS).toBe(80);
    expect(API_CERTIFICATE_WARNING_DAYS).toBeLessThan(CERT_RENEW_WITHIN_DAYS);
    const [assertion] = check(json).assert;
    const leaf = 'data.tls_certificate.api_serving_certificate.certificates[length(data.tls_certificate.api_serving_certificate.certificates) - 1]';
    expect(assertion.condition).toBe(`\${timecmp(plantimestamp(), timeadd(${leaf}.not_after, "-1440h")) < 0}`);
    expect(assertion.error_message).toContain(`ends at \${${leaf}.not_after}`);
    expect(assertion.error_message).toContain('although the servers renew theirs 80 days ahead');
    expect(assertion.error_message).toContain('systemctl status rancher-aws-cert-renewal.timer and journalctl -u rancher-aws-cert-renewal');
    expect(assertion.error_message).toContain('npm run roll -- test --server <name>');
  });
});

describe('rke-ha: the API certificate check', () => {
  it('reads the API by the name the cluster providers use (the NLB), on every distribution', () => {
    for (const rkeHa of [{}, { distribution: 'k3s' as const }]) {
      const { json } = synthSettings('rke-ha', { rkeHa });
      const url = check(json).data.tls_certificate.api_serving_certificate.url;
      expect(url).toMatch(/^tls:\/\/\$\{aws_lb\.load-balancer_lb_[0-9A-F]+\.dns_name\}:6443$/);
      expect(json.provider!.kubernetes[0].host).toBe(url.replace(/^tls:/, 'https:'));
    }
  });

  it("reads it by the servers' name with DNS round robin (no load balancer)", () => {
    const { json } = synthSettings('rke-ha', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', rkeHa: { loadBalancer: { type: 'dns' } } });
    const url = check(json).data.tls_certificate.api_serving_certificate.url;
    expect(json.provider!.kubernetes[0].host).toBe(url.replace(/^tls:/, 'https:'));
  });
});
