import { CertificateVariables, type CertificateMaterial } from '../../../lib/tls/certificate-variables';
import { synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf } from '../../helpers/terraform';

const ALL: CertificateMaterial[] = ['certificate', 'privateKey', 'caCertificate', 'caPrivateKey'];

describe('CertificateVariables', () => {
  describeWithTerraform('validation conditions, evaluated by Terraform', () => {
    const { json } = synthConstruct((stack) => {
      new CertificateVariables(stack, 'certificates', ALL);
    });
    const condition = (name: string) => expressionOf(json.variable?.[name].validation[0].condition);
    const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n';

    it.each([
      ['tls_certificate_pem', CERT, true],
      ['tls_certificate_pem', KEY, false],
      ['tls_certificate_pem', 'not pem', false],
      ['tls_private_key_pem', KEY, true],
      ['tls_private_key_pem', CERT, false],
      ['tls_ca_certificate_pem', CERT, true],
      ['tls_ca_private_key_pem', KEY.replace(/EC /g, ''), true],
      ['tls_ca_private_key_pem', '', false],
    ])('%s = %j → %s', (name, value, accepted) => {
      expect(evaluate(condition(name), { [name]: value })).toBe(accepted);
    });

    it('refuses a private key inside tls_certificate_pem, as the settings refuse one in certificateFile', () => {
      const [, keyRule] = json.variable!.tls_certificate_pem.validation;
      expect(keyRule.error_message).toBe('tls_certificate_pem must hold only certificates; give the key as tls_private_key_pem.');
      const rule = expressionOf(keyRule.condition);
      expect(evaluate(rule, { tls_certificate_pem: CERT })).toBe(true);
      expect(evaluate(rule, { tls_certificate_pem: CERT + KEY })).toBe(false);
    });
  });
});
