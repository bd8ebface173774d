import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { CERTIFICATE_WARNING_HOURS, LoadBalancerCertificate } from '../../../lib/tls/acm-certificate';
import { CertificateVariables } from '../../../lib/tls/certificate-variables';
import type { AcmSource } from '../../../lib/tls/tls-plan';
import { only, ref, resources, synthConstruct } from '../../helpers/synth';
import { MATERIAL, synth, hostnameCheck } from './acm-certificate.setup';

const TYPES_BY_SOURCE: Record<AcmSource, string[]> = {
  import: ['aws_acm_certificate'],
  sign: ['aws_acm_certificate', 'tls_cert_request', 'tls_locally_signed_cert', 'tls_private_key'],
  issue: ['aws_acm_certificate', 'aws_acm_certificate_validation', 'aws_route53_record'],
};

describe('LoadBalancerCertificate', () => {
  describe.each(['import', 'sign', 'issue'] as const)('source %s', (source) => {
    const { json, text } = synth(source);

    it('creates only the resources of its source', () => {
      expect(Object.keys(json.resource).sort()).toEqual(TYPES_BY_SOURCE[source]);
      for (const type of TYPES_BY_SOURCE[source]) expect(Object.keys(resources(json, type))).toHaveLength(1);
    });

    it('replaces the certificate before destroying the old one (a listener uses it)', () => {
      expect(only(json, 'aws_acm_certificate')[1].lifecycle.create_before_destroy).toBe(true);
    });

    it(source === 'issue' ? 'adds no expiry warning: ACM renews what it issues' : 'warns before the certificate ends', () => {
      expect(Object.keys((json as any).check ?? {})).toEqual(source === 'issue' ? [] : ['load_balancer_certificate']);
    });

    it('carries no PEM literal', () => {
      // The split pattern names the markers; no block with content may appear.
      expect(text).not.toMatch(/-----BEGIN [A-Z ]+-----\s*(\\n)*[A-Za-z0-9+/]{16}/);
      expect(text).not.toMatch(/MII[A-Za-z0-9+/]{8}/);
    });

    it('matches the snapshot', () => {
      expect(json).toMatchSnapshot();
    });
  });

  describe('import (issuer blank)', () => {
    const { json, arn } = synth('import');
    const [name, certificate] = only(json, 'aws_acm_certificate');
    const locals = Object.entries(json.locals ?? {});

    it('splits the bundle in a local with regexall over var.tls_certificate_pem', () => {
      expect(locals).toHaveLength(1);
      const [, expression] = locals[0];
      expect(expression).toBe('${regexall("(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", var.tls_certificate_pem)}');
    });

    it('imports the first block as the body, the rest as the chain, with the key variable', () => {
      const [local] = locals[0];
      expect(certificate.certificate_body).toBe(`\${local.${local}[0]}`);
      expect(certificate.certificate_chain).toBe(
        `\${length(local.${local}) > 1 ? join("\\n", slice(local.${local}, 1, length(local.${local}))) : null}`,
      );
      expect(certificate.private_key).toBe('${var.tls_private_key_pem}');
      expect(certificate).not.toHaveProperty('domain_name');
      expect(certificate).not.toHaveProperty('validation_method');
    });

    it('checks after import that the certificate names the hostname', () => {
      const check = hostnameCheck(json);
      expect(check.condition).toContain('self.domain_name');
      expect(check.condition).toContain('tolist(self.subject_alternative_names)');
      expect(check.condition).toContain('name == var.rancher_hostname');
      expect(check.condition).toContain('startswith(name, "*.")');
      expect(check.error_message).toMatch(/does not name the Rancher hostname/);
    });

    it('declares the variables it reads', () => {
      expect(Object.keys(json.variable ?? {}).sort()).toEqual(['rancher_hostname', 'tls_certificate_pem', 'tls_private_key_pem']);
    });

    it('exposes the imported certificate’s ARN', () => {
      expect(json.output?.arn.value).toBe(ref('aws_acm_certificate', name, 'arn'));
      expect(arn).toBeTruthy();
    });
  });

  describe('sign (issuer ca)', () => {
    const { json } = synth('sign');
    const [keyName, key] = only(json, 'tls_private_key');
    const [csrName, csr] = only(json, 'tls_cert_request');
    const [certName, cert] = only(json, 'tls_locally_signed_cert');
    const [name, certificate] = only(json, 'aws_acm_certificate');

    it('generates an ECDSA P-256 key and a request for the hostname', () => {
      expect(key).toMatchObject({ algorithm: 'ECDSA', ecdsa_curve: 'P256' });
      expect(csr).toMatchObject({
        private_key_pem: ref('tls_private_key', keyName, 'private_key_pem'),
        subject: [{ common_name: '${var.rancher_hostname}' }],
        dns_names: ['${var.rancher_hostname}'],
      });
    });

    it('signs it with the user’s CA variables, for server authentication', () => {
      expect(cert).toMatchObject({
        cert_request_pem: ref('tls_cert_request', csrName, 'cert_request_pem'),
        ca_cert_pem: '${var.tls_ca_certificate_pem}',
        ca_private_key_pem: '${var.tls_ca_private_key_pem}',
        validity_period_hours: 8760,
        early_renewal_hours: 720,
      });
      expect(cert.allowed_uses).toContain('server_auth');
      expect(cert.allowed_uses).not.toContain('cert_signing');
      expect(cert).not.toHaveProperty('is_ca_certificate');
    });

    it('imports the signed certificate with the CA as its chain', () => {
      expect(certificate).toMatchObject({
        certificate_body: ref('tls_locally_signed_cert', certName, 'cert_pem'),
        certificate_chain: '${var.tls_ca_certificate_pem}',
        private_key: ref('tls_private_key', keyName, 'private_key_pem'),
      });
      expect(json.output?.arn.value).toBe(ref('aws_acm_certificate', name, 'arn'));
    });

    it('warns on every plan from 60 days before the end, naming the certificate to re-sign', () => {
      const [assert] = (json as any).check.load_balancer_certificate.assert;
      expect(assert.condition).toBe(
        `\${timecmp(plantimestamp(), timeadd(aws_acm_certificate.${name}.not_after, "-${CERTIFICATE_WARNING_HOURS}h")) < 0}`,
      );
      expect(assert.error_message).toContain(`terraform apply -replace=tls_locally_signed_cert.${certName}`);
    });

    it('has the same hostname postcondition as an import', () => {
      expect(hostnameCheck(json).condition).toBe(hostnameCheck(synth('import').json).condition);
    });

    it('declares only the CA variables', () => {
      expect(Object.keys(json.variable ?? {}).sort()).toEqual(['rancher_hostname', 'tls_ca_certificate_pem', 'tls_ca_private_key_pem']);
    });
  });

  describe('issue (issuer acme: ACM with DNS validation)', () => {
    const { json } = synth('issue');
    const [name, certificate] = only(json, 'aws_acm_certificate');
    const [recordName, record] = only(json, 'aws_route53_record');
    const [validationName, validation] = only(json, 'aws_acm_certificate_validation');

    it('requests a DNS-validated certificate for the hostname', () => {
      expect(certificate).toMatchObject({ domain_name: '${var.rancher_hostname}', validation_method: 'DNS' });
      expect(certificate).not.toHaveProperty('certificate_body');
      expect(certificate).not.toHaveProperty('private_key');
    });

    it('writes one validation record per domain_validation_options entry in the given zone', () => {
      expect(record.for_each).toBe(`\${{ for key, val in tolist(aws_acm_certificate.${name}.domain_validation_options): val.domain_name => val }}`);
      expect(record).toMatchObject({
        zone_id: 'Z0123456789',
        name: '${each.value.resource_record_name}',
        type: '${each.value.resource_record_type}',
        records: ['${each.value.resource_record_value}'],
        ttl: 60,
        allow_overwrite: true,
      });
    });

    it('waits for validation through those records', () => {
      expect(validation.certificate_arn).toBe(ref('aws_acm_certificate', name, 'arn'));
      expect(validation.validation_record_fqdns).toBe(`\${[ for key, val in aws_route53_record.${recordName}: val.fqdn]}`);
    });

    it('hands out the ARN of the validation, so listeners wait for it', () => {
      expect(json.output?.arn.value).toBe(ref('aws_acm_certificate_validation', validationName, 'certificate_arn'));
    });

    it('needs no certificate variable', () => {
      expect(Object.keys(json.variable ?? {})).toEqual(['rancher_hostname']);
    });

    it('needs the zone (the other sources do not)', () => {
      const without = (source: AcmSource) => () =>
        synthConstruct((stack) => {
          new AwsProvider(stack, 'aws', { region: 'us-east-1' });
          new TlsProvider(stack, 'tls');
          new LoadBalancerCertificate(stack, 'certificate', {
            source,
            hostname: 'rancher.example.com',
            certificates: new CertificateVariables(stack, 'certificates', MATERIAL[source]),
          });
        });
      expect(without('issue')).toThrow('LoadBalancerCertificate test/certificate: source "issue" validates through DNS and needs zoneId');
      expect(without('import')).not.toThrow();
      expect(without('sign')).not.toThrow();
    });
  });

  describe('with a literal hostname', () => {
    it('quotes it inside the postcondition', () => {
      const { json } = synth('import', 'rancher.example.com');
      const { condition } = hostnameCheck(json);
      expect(condition).toContain('name == "rancher.example.com"');
      expect(condition).toContain('split(".", "rancher.example.com")[0]');
      expect(condition).not.toContain('var.rancher_hostname');
    });

    it('puts it as is in the request and the issued certificate', () => {
      expect(only(synth('sign', 'rancher.example.com').json, 'tls_cert_request')[1].dns_names).toEqual(['rancher.example.com']);
      expect(only(synth('issue', 'rancher.example.com').json, 'aws_acm_certificate')[1].domain_name).toBe('rancher.example.com');
    });
  });
});
