import { TLS_ISSUERS, TLS_MODES } from '../../../lib/config/tls-schema';

const PAIRS = TLS_MODES.flatMap((mode) => TLS_ISSUERS.map((issuer) => [mode, issuer] as const));
const VALID_PAIRS = PAIRS.filter(([mode, issuer]) => !(mode === 'external' && issuer === 'rancher'));

describe('rancher.tls', () => {
  it('knows the Rancher docs’ three modes and four issuers', () => {
    expect(TLS_MODES).toEqual(['ingress', 'external', 'rancher']);
    expect(TLS_ISSUERS).toEqual(['rancher', 'blank', 'ca', 'acme']);
    expect(VALID_PAIRS).toHaveLength(11);
  });
});
