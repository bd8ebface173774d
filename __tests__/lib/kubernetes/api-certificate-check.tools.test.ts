import { evaluate, expressionOf } from '../../helpers/terraform';
import { synthCheck } from './api-certificate-check.setup';

describe('apiCertificateCheck evaluated by terraform', () => {
  const { json } = synthCheck();
  const [assertion] = (json as any).check.api_serving_certificate.assert;
  // The data source as tls provider 4.1.0 returns it (root first, leaf last); plantimestamp() has no value in the console.
  const at = (now: string, chain: { not_after: string }[]) =>
    evaluate(
      expressionOf(assertion.condition)
        .replace('plantimestamp()', JSON.stringify(now))
        .replace(/data\.tls_certificate\.api_serving_certificate\.certificates/g, `(${JSON.stringify(chain)})`),
    );
  const CA = { not_after: '2036-01-01T00:00:00Z' };

  it('holds while the served leaf has more than 60 days left', () => {
    expect(at('2026-11-23T00:00:00Z', [CA, { not_after: '2027-01-23T00:00:00Z' }])).toBe(true);
  });

  it('fails from 60 days before the leaf ends, whatever the CA', () => {
    expect(at('2026-11-23T00:00:00Z', [CA, { not_after: '2027-01-21T00:00:00Z' }])).toBe(false);
    expect(at('2026-11-23T00:00:00Z', [CA, { not_after: '2026-11-01T00:00:00Z' }])).toBe(false);
  });

  it('reads the leaf when the server sends it alone', () => {
    expect(at('2026-11-23T00:00:00Z', [{ not_after: '2027-11-23T00:00:00Z' }])).toBe(true);
  });
});
