import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { DockerTlsSettings } from '../../../lib/config/docker-schema';
import { DockerCertificate, neededMaterial } from '../../../lib/docker/docker-certificate';
import { only, ref } from '../../helpers/synth';
import { synthWithAws } from './support';

function synth(tls: DockerTlsSettings) {
  let certificate!: DockerCertificate;
  const out = synthWithAws((stack) => {
    new TlsProvider(stack, 'tls');
    certificate = new DockerCertificate(stack, 'certificate', { tls, hostname: 'rancher.example.com' });
    for (const [file, pem] of certificate.files) new TerraformOutput(stack, `file-${file}`, { value: pem, sensitive: true });
    if (certificate.caCertPem) new TerraformOutput(stack, 'ca', { value: certificate.caCertPem, sensitive: true });
    if (certificate.fingerprint) new TerraformOutput(stack, 'fingerprint', { value: certificate.fingerprint });
  });
  return { ...out, certificate };
}
const outputs = (json: { output?: Record<string, { value: string }> }) =>
  Object.fromEntries(Object.entries(json.output ?? {}).map(([k, v]) => [k, v.value]));

describe('DockerCertificate', () => {
  it.each([
    ['rancher', false],
    ['acme', false],
  ] as const)('%s: needs no file, no variable, no CA', (issuer, privateCA) => {
    const { json, certificate } = synth({ mode: 'rancher', issuer, privateCA });
    expect(certificate.files.size).toBe(0);
    expect(certificate.caCertPem).toBeUndefined();
    expect(certificate.fingerprint).toBeUndefined();
    expect(json.variable).toBeUndefined();
    expect(json.resource ?? {}).toEqual({});
  });

  it('blank from a public CA: the certificate and key from sensitive variables', () => {
    const { json, certificate } = synth({ mode: 'rancher', issuer: 'blank', privateCA: false });
    expect(Object.keys(json.variable!).sort()).toEqual(['tls_certificate_pem', 'tls_private_key_pem']);
    expect(outputs(json)).toEqual({
      'file-cert': '${var.tls_certificate_pem}',
      'file-key': '${var.tls_private_key_pem}',
      fingerprint: '${nonsensitive(sha256(var.tls_certificate_pem))}',
    });
    expect(certificate.caCertPem).toBeUndefined();
  });

  it('blank from a private CA: also cacerts.pem, which the readiness gate trusts', () => {
    const { json } = synth({ mode: 'rancher', issuer: 'blank', privateCA: true });
    expect(Object.keys(json.variable!).sort()).toEqual(['tls_ca_certificate_pem', 'tls_certificate_pem', 'tls_private_key_pem']);
    expect(outputs(json)).toMatchObject({ 'file-cacerts': '${var.tls_ca_certificate_pem}', ca: '${var.tls_ca_certificate_pem}' });
  });

  describe('ca', () => {
    const { json, text } = synth({ mode: 'rancher', issuer: 'ca', privateCA: false });
    const [keyName, key] = only(json, 'tls_private_key');
    const [requestName, request] = only(json, 'tls_cert_request');
    const [certName, cert] = only(json, 'tls_locally_signed_cert');

    it('takes only the CA certificate and key as variables', () => {
      expect(Object.keys(json.variable!).sort()).toEqual(['tls_ca_certificate_pem', 'tls_ca_private_key_pem']);
      Object.values(json.variable!).forEach((v: any) => expect(v.sensitive).toBe(true));
    });

    it('generates a key and a request for the hostname', () => {
      expect(key).toMatchObject({ algorithm: 'ECDSA', ecdsa_curve: 'P256' });
      expect(request).toMatchObject({ private_key_pem: ref('tls_private_key', keyName, 'private_key_pem'), dns_names: ['rancher.example.com'] });
    });

    it('signs it with the user CA for a year, re-issued in the last 30 days, for TLS servers', () => {
      expect(cert).toEqual(
        expect.objectContaining({
          cert_request_pem: ref('tls_cert_request', requestName, 'cert_request_pem'),
          ca_cert_pem: '${var.tls_ca_certificate_pem}',
          ca_private_key_pem: '${var.tls_ca_private_key_pem}',
          validity_period_hours: 8760,
          early_renewal_hours: 720,
          allowed_uses: ['digital_signature', 'key_encipherment', 'server_auth'],
        }),
      );
    });

    it('mounts the signed certificate, its key and the CA', () => {
      expect(outputs(json)).toEqual({
        'file-cert': ref('tls_locally_signed_cert', certName, 'cert_pem'),
        'file-key': ref('tls_private_key', keyName, 'private_key_pem'),
        'file-cacerts': '${var.tls_ca_certificate_pem}',
        ca: '${var.tls_ca_certificate_pem}',
        fingerprint: `\${sha256(${ref('tls_locally_signed_cert', certName, 'cert_pem').slice(2, -1)})}`,
      });
      expect(text).not.toMatch(/-----BEGIN [A-Z ]+-----/);
    });

    it('matches the snapshot', () => {
      expect(json).toMatchSnapshot();
    });
  });

  describe('behind a load balancer (mode external): the balancer serves the certificate', () => {
    it.each([
      ['acme', false, []],
      ['blank', false, ['tls_certificate_pem', 'tls_private_key_pem']],
    ] as const)('%s: gives the container no file; the variables (%j) are for ACM', (issuer, privateCA, variables) => {
      const { json, certificate } = synth({ mode: 'external', issuer, privateCA });
      expect(certificate.files.size).toBe(0);
      expect(certificate.caCertPem).toBeUndefined();
      expect(certificate.fingerprint).toBeUndefined();
      expect(Object.keys(json.variable ?? {}).sort()).toEqual(variables);
      expect(json.resource ?? {}).toEqual({});
    });

    it.each([
      ['blank', true, ['tls_ca_certificate_pem', 'tls_certificate_pem', 'tls_private_key_pem']],
      ['ca', false, ['tls_ca_certificate_pem', 'tls_ca_private_key_pem']],
    ] as const)('%s (privateCA %s): mounts only your CA, which the readiness gate trusts; signs nothing here', (issuer, privateCA, variables) => {
      const { json } = synth({ mode: 'external', issuer, privateCA });
      expect(Object.keys(json.variable!).sort()).toEqual(variables);
      expect(outputs(json)).toEqual({
        'file-cacerts': '${var.tls_ca_certificate_pem}',
        ca: '${var.tls_ca_certificate_pem}',
        fingerprint: '${nonsensitive(sha256(var.tls_ca_certificate_pem))}',
      });
      expect(json.resource ?? {}).toEqual({});
    });
  });

  it('declares the variables each choice needs', () => {
    expect(neededMaterial({ mode: 'rancher', issuer: 'ca', privateCA: true })).toEqual(['caCertificate', 'caPrivateKey']);
    expect(synth({ mode: 'rancher', issuer: 'blank', privateCA: true }).json.resource?.tls_private_key).toBeUndefined();
  });
});
