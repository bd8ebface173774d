import { wildcardDomain } from '../../../../lib/config/dns-schema';
import { parseSettings, parseSettingsText } from '../../../../app/config/load';
import { settingsProblems } from '../../../helpers/synth';

const problemsOf = settingsProblems;

const WILDCARD = { dns: { mode: 'wildcard' } } as const;

describe('dns: Route53 by default, a wildcard name only when asked for', () => {
  it('defaults to route53 with no wildcard domain, so an unset hostname still means the Terraform variables', () => {
    const s = parseSettings({}, 'test');
    expect(s.dns).toEqual({ mode: 'route53' });
    expect(s).not.toHaveProperty('hostname');
  });

  it('accepts wildcard without hostname or zone; sslip.io unless nip.io is chosen', () => {
    expect(wildcardDomain(parseSettings(WILDCARD, 'test').dns)).toBe('sslip.io');
    expect(wildcardDomain(parseSettings({ dns: { mode: 'wildcard', wildcardDomain: 'nip.io' } }, 'test').dns)).toBe('nip.io');
  });

  it('reads from YAML as the quick start writes it', () => {
    expect(parseSettingsText('dns:\n  mode: wildcard\n', 'rancher.yaml').dns).toEqual({ mode: 'wildcard' });
  });

  it.each([
    ['another mode', { dns: { mode: 'sslip' } }, 'dns.mode'],
    ['another domain', { dns: { mode: 'wildcard', wildcardDomain: 'traefik.me' } }, 'dns.wildcardDomain'],
    ['an unknown key', { dns: { mode: 'wildcard', domain: 'sslip.io' } }, 'dns.domain'],
  ])('refuses %s', (_name, input, field) => {
    expect(problemsOf(input).map((p) => p.field)).toEqual([field]);
  });

  it('refuses wildcardDomain without the wildcard mode (it would do nothing)', () => {
    expect(problemsOf({ dns: { wildcardDomain: 'nip.io' } })).toEqual([
      { field: 'dns.wildcardDomain', message: 'applies to dns.mode wildcard only; remove it, or set dns.mode: wildcard', value: 'nip.io' },
    ]);
  });
});

describe('dns.mode wildcard: refused combinations name the setting, the value, why, and what instead', () => {
  const OWN_DOMAIN = 'or set dns.mode: route53 to use a domain of your own';

  it('refuses a hostname and a hosted zone: the name is derived from an Elastic IP', () => {
    expect(problemsOf({ ...WILDCARD, hostname: 'rancher.acme.io', hostedZone: 'acme.io' })).toEqual([
      {
        field: 'hostname',
        message: `cannot be set with dns.mode wildcard, which names Rancher <a-b-c-d>.sslip.io, from an Elastic IP allocated during the apply; remove hostname and hostedZone, ${OWN_DOMAIN}`,
        value: 'rancher.acme.io',
      },
      {
        field: 'hostedZone',
        message: `cannot be set with dns.mode wildcard, which uses no Route53 zone; remove hostname and hostedZone, ${OWN_DOMAIN}`,
        value: 'acme.io',
      },
    ]);
  });

  it('names the chosen domain in the message', () => {
    expect(problemsOf({ dns: { mode: 'wildcard', wildcardDomain: 'nip.io' }, hostname: 'rancher.acme.io' })[0].message).toContain('<a-b-c-d>.nip.io');
  });

  it('refuses TLS at the load balancer: ACM validates through a Route53 zone', () => {
    for (const issuer of ['acme', 'ca']) {
      const problems = problemsOf({ ...WILDCARD, rancher: { tls: { mode: 'external', issuer } } });
      expect(problems).toEqual([
        {
          field: 'rancher.tls.mode',
          message: `external needs an ACM certificate validated through a Route53 zone, and dns.mode wildcard has none (its name is <a-b-c-d>.sslip.io, from an Elastic IP allocated during the apply); use mode ingress or rancher with dns.mode wildcard, ${OWN_DOMAIN}`,
          value: 'external',
        },
      ]);
    }
  });

  it.each([
    ['rancher.tls.issuer', { rancher: { tls: { issuer: 'blank' } } }],
    ['docker.tls.issuer', { docker: { tls: { issuer: 'blank' } } }],
  ])('refuses %s blank: no certificate of yours can name an address not allocated yet', (field, tls) => {
    expect(problemsOf({ ...WILDCARD, ...tls })).toEqual([
      {
        field,
        message: `blank serves a certificate you bring, and no certificate can name <a-b-c-d>.sslip.io, from an Elastic IP allocated during the apply; use issuer rancher (the default), ca or acme with dns.mode wildcard, ${OWN_DOMAIN} that your certificate names`,
        value: 'blank',
      },
    ]);
  });

  it('refuses DNS round robin (Route53 records, one per node) and docker behind an ALB (an ACM certificate through a zone)', () => {
    expect(problemsOf({ ...WILDCARD, rkeHa: { loadBalancer: { type: 'dns' } } })).toEqual([
      expect.objectContaining({
        field: 'rkeHa.loadBalancer.type',
        message: expect.stringMatching(/^dns answers Rancher's name .* use loadBalancer nlb with dns\.mode wildcard/),
        value: 'dns',
      }),
    ]);
    expect(problemsOf({ ...WILDCARD, docker: { tls: { mode: 'external', issuer: 'acme' } } })).toEqual([
      expect.objectContaining({
        field: 'docker.tls.mode',
        message: expect.stringMatching(/^external puts an ALB .* use mode rancher with dns\.mode wildcard/),
        value: 'external',
      }),
    ]);
  });

  it('reports every refused combination of one file at once', () => {
    const fields = problemsOf({
      ...WILDCARD,
      hostname: 'rancher.acme.io',
      rancher: { tls: { mode: 'external', issuer: 'blank' } },
      docker: { tls: { issuer: 'blank' } },
    }).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['hostname', 'rancher.tls.mode', 'rancher.tls.issuer', 'docker.tls.issuer']));
  });

  it("allows Rancher's CA, a CA of yours, and Let's Encrypt (with a warning, not a refusal)", () => {
    expect(problemsOf(WILDCARD)).toEqual([]);
    expect(problemsOf({ ...WILDCARD, rancher: { tls: { issuer: 'ca' } }, docker: { tls: { issuer: 'ca' } } })).toEqual([]);
    expect(
      problemsOf({
        ...WILDCARD,
        rancher: { tls: { mode: 'rancher', issuer: 'acme', acme: { email: 'ops@example.com' } } },
        docker: { tls: { issuer: 'acme' } },
      }),
    ).toEqual([]);
  });
});
