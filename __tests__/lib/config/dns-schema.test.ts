import { acmeOnWildcardWarning, dnsProblems } from '../../../lib/config/dns-schema';

describe('dns.mode wildcard: refused combinations name the setting, the value, why, and what instead', () => {
  it('refuses none of these in route53 mode', () => {
    expect(
      dnsProblems({
        dns: { mode: 'route53' },
        hostname: 'rancher.acme.io',
        rancher: { tls: { mode: 'external', issuer: 'blank' } },
      }),
    ).toEqual([]);
  });
});

describe("the Let's Encrypt warning", () => {
  it('says why (the shared limit of a domain not on the Public Suffix List), what fails, and the way out', () => {
    const warning = acmeOnWildcardWarning('sslip.io', 'rancher.tls.issuer');
    expect(warning).toMatch(/^rancher\.tls\.issuer acme with dns\.mode wildcard: /);
    expect(warning).toContain('sslip.io is not on the Public Suffix List');
    expect(warning).toContain('everyone using sslip.io shares one limit');
    expect(warning).toContain('/ping check then fails');
    expect(warning).toContain('dns.wildcardDomain: nip.io');
    expect(acmeOnWildcardWarning('nip.io', 'docker.tls.issuer')).toContain('dns.wildcardDomain: sslip.io');
  });
});
