import { TerraformOutput } from 'cdktf';
import { CERTIFICATE_VARIABLES, CertificateVariables, type CertificateMaterial } from '../../../lib/tls/certificate-variables';
import { synthConstruct } from '../../helpers/synth';

const ALL: CertificateMaterial[] = ['certificate', 'privateKey', 'caCertificate', 'caPrivateKey'];

describe('CertificateVariables', () => {
  it('names the variables the README documents', () => {
    expect(CERTIFICATE_VARIABLES).toEqual({
      certificate: 'tls_certificate_pem',
      privateKey: 'tls_private_key_pem',
      caCertificate: 'tls_ca_certificate_pem',
      caPrivateKey: 'tls_ca_private_key_pem',
    });
  });

  describe('with every material', () => {
    let certificates!: CertificateVariables;
    const { json, text } = synthConstruct((stack) => {
      certificates = new CertificateVariables(stack, 'certificates', ALL);
      for (const material of ALL) new TerraformOutput(stack, `out_${material}`, { value: certificates.get(material), sensitive: true });
    });
    const variables = json.variable ?? {};

    it('declares exactly tls_certificate_pem, tls_private_key_pem, tls_ca_certificate_pem, tls_ca_private_key_pem', () => {
      expect(Object.keys(variables).sort()).toEqual([
        'tls_ca_certificate_pem',
        'tls_ca_private_key_pem',
        'tls_certificate_pem',
        'tls_private_key_pem',
      ]);
    });

    it.each(ALL)('%s: a sensitive, non-nullable string with no default and a description', (material) => {
      const variable = variables[CERTIFICATE_VARIABLES[material]];
      expect(variable).toMatchObject({ type: 'string', sensitive: true, nullable: false });
      expect(variable).not.toHaveProperty('default');
      expect(variable.description).toMatch(/PEM/);
    });

    it.each([
      ['certificate', 'CERTIFICATE'],
      ['privateKey', 'PRIVATE KEY'],
      ['caCertificate', 'CERTIFICATE'],
      ['caPrivateKey', 'PRIVATE KEY'],
    ] as const)('%s: validated as PEM holding a %s block', (material, block) => {
      const name = CERTIFICATE_VARIABLES[material];
      const { validation } = variables[name];
      expect(validation).toHaveLength(name === 'tls_certificate_pem' ? 2 : 1);
      expect(validation[0].condition).toBe(`\${strcontains(var.${name}, "-----BEGIN") && strcontains(var.${name}, "${block}-----")}`);
      expect(validation[0].error_message).toBe(`${name} must be PEM text containing a ${block} block.`);
    });

    it('get returns a reference to the variable', () => {
      for (const material of ALL) expect(json.output?.[`out_${material}`].value).toBe(`\${var.${CERTIFICATE_VARIABLES[material]}}`);
    });

    it('has reports what was declared', () => {
      for (const material of ALL) expect(certificates.has(material)).toBe(true);
    });

    it('carries no PEM literal', () => {
      expect(text).not.toMatch(/-----BEGIN [A-Z ]+-----/);
    });
  });

  describe('with part of the material', () => {
    let certificates!: CertificateVariables;
    const { json } = synthConstruct((stack) => {
      certificates = new CertificateVariables(stack, 'certificates', ['certificate', 'privateKey']);
    });

    it('declares only what was asked for', () => {
      expect(Object.keys(json.variable ?? {}).sort()).toEqual(['tls_certificate_pem', 'tls_private_key_pem']);
    });

    it('throws when an undeclared material is read', () => {
      expect(certificates.has('caCertificate')).toBe(false);
      expect(() => certificates.get('caCertificate')).toThrow('certificate material "caCertificate" was not declared');
      expect(() => certificates.get('caPrivateKey')).toThrow(/caPrivateKey/);
    });
  });

  describe('with no material', () => {
    let certificates!: CertificateVariables;
    const { json } = synthConstruct((stack) => {
      certificates = new CertificateVariables(stack, 'certificates', []);
    });

    it('declares nothing', () => {
      expect(json.variable ?? {}).toEqual({});
    });

    it('throws for every material', () => {
      for (const material of ALL) {
        expect(certificates.has(material)).toBe(false);
        expect(() => certificates.get(material)).toThrow(/was not declared/);
      }
    });
  });
});
