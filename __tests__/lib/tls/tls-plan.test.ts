import { tlsSchema, type TlsSettings } from '../../../lib/config/tls-schema';
import {
  CA_ISSUER_NAME,
  CA_ISSUER_SECRET,
  INGRESS_SECRET,
  PRIVATE_CA_SECRET,
  installsCertManager,
  tlsPlan,
  type TlsPlan,
} from '../../../lib/tls/tls-plan';

const tls = (input: Record<string, unknown>): TlsSettings => tlsSchema.parse(input);

type Row = Omit<TlsPlan, 'mode' | 'issuer'>;

/** What every in-cluster choice (mode ingress or rancher) needs; mode rancher only adds re-encryption in the chart. */
const IN_CLUSTER: Record<string, Row> = {
  rancher: {
    atLoadBalancer: false,
    acm: undefined,
    certManager: true,
    material: [],
    ingressSecret: false,
    privateCa: false,
    caIssuer: false,
    forwardedHeaders: false,
    trust: 'rancher-ca',
    publishesCa: true,
  },
  blank: {
    atLoadBalancer: false,
    acm: undefined,
    certManager: false,
    material: ['certificate', 'privateKey'],
    ingressSecret: true,
    privateCa: false,
    caIssuer: false,
    forwardedHeaders: false,
    trust: 'public',
    publishesCa: false,
  },
  'blank+privateCA': {
    atLoadBalancer: false,
    acm: undefined,
    certManager: false,
    material: ['certificate', 'privateKey', 'caCertificate'],
    ingressSecret: true,
    privateCa: true,
    caIssuer: false,
    forwardedHeaders: false,
    trust: 'user-ca',
    publishesCa: true,
  },
  ca: {
    atLoadBalancer: false,
    acm: undefined,
    certManager: true,
    material: ['caCertificate', 'caPrivateKey'],
    ingressSecret: false,
    privateCa: true,
    caIssuer: true,
    forwardedHeaders: false,
    trust: 'user-ca',
    publishesCa: true,
  },
  acme: {
    atLoadBalancer: false,
    acm: undefined,
    certManager: true,
    material: [],
    ingressSecret: false,
    privateCa: false,
    caIssuer: false,
    forwardedHeaders: false,
    trust: 'public',
    publishesCa: false,
  },
  'acme staging': {
    atLoadBalancer: false,
    acm: undefined,
    certManager: true,
    material: [],
    ingressSecret: false,
    privateCa: false,
    caIssuer: false,
    forwardedHeaders: false,
    trust: 'unverified',
    publishesCa: false,
  },
};

const AT_LOAD_BALANCER: Record<string, Row> = {
  blank: {
    atLoadBalancer: true,
    acm: 'import',
    certManager: false,
    material: ['certificate', 'privateKey'],
    ingressSecret: false,
    privateCa: false,
    caIssuer: false,
    forwardedHeaders: true,
    trust: 'public',
    publishesCa: false,
  },
  'blank+privateCA': {
    atLoadBalancer: true,
    acm: 'import',
    certManager: false,
    material: ['certificate', 'privateKey', 'caCertificate'],
    ingressSecret: false,
    privateCa: true,
    caIssuer: false,
    forwardedHeaders: true,
    trust: 'user-ca',
    publishesCa: true,
  },
  ca: {
    atLoadBalancer: true,
    acm: 'sign',
    certManager: false,
    material: ['caCertificate', 'caPrivateKey'],
    ingressSecret: false,
    privateCa: true,
    caIssuer: false,
    forwardedHeaders: true,
    trust: 'user-ca',
    publishesCa: true,
  },
  acme: {
    atLoadBalancer: true,
    acm: 'issue',
    certManager: false,
    material: [],
    ingressSecret: false,
    privateCa: false,
    caIssuer: false,
    forwardedHeaders: true,
    trust: 'public',
    publishesCa: false,
  },
};

/** The settings of each row name (issuer, plus options). */
const CHOICES: Record<string, Record<string, unknown>> = {
  rancher: { issuer: 'rancher' },
  blank: { issuer: 'blank' },
  'blank+privateCA': { issuer: 'blank', privateCA: true },
  ca: { issuer: 'ca' },
  acme: { issuer: 'acme', acme: { email: 'ops@example.com' } },
  'acme staging': { issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } },
};

const TABLE: [string, string, Row][] = [
  ...Object.entries(IN_CLUSTER).map(([choice, row]) => ['ingress', choice, row] as [string, string, Row]),
  ...Object.entries(IN_CLUSTER).map(([choice, row]) => ['rancher', choice, row] as [string, string, Row]),
  ...Object.entries(AT_LOAD_BALANCER).map(([choice, row]) => ['external', choice, row] as [string, string, Row]),
];

describe('tlsPlan', () => {
  it.each(TABLE)('mode %s, %s', (mode, choice, row) => {
    const settings = tls({ mode, ...CHOICES[choice] });
    // toStrictEqual: an `acm` key is present (undefined) off the load balancer, nothing else is added.
    expect(tlsPlan(settings)).toStrictEqual({ mode, issuer: settings.issuer, ...row });
  });

  it('covers every valid (mode, issuer) pair', () => {
    const pairs = new Set(TABLE.map(([mode, choice]) => `${mode}/${CHOICES[choice].issuer as string}`));
    expect([...pairs].sort()).toEqual(
      ['ingress', 'rancher', 'external']
        .flatMap((m) => ['rancher', 'blank', 'ca', 'acme'].map((i) => `${m}/${i}`))
        .filter((p) => p !== 'external/rancher')
        .sort(),
    );
  });

  it('is the default choice for empty settings: ingress with Rancher’s CA', () => {
    expect(tlsPlan(tls({}))).toMatchObject({ mode: 'ingress', issuer: 'rancher', certManager: true, material: [], trust: 'rancher-ca' });
  });

  it('ignores the acme environment at the load balancer (ACM certificates are public)', () => {
    // Refused by the settings rules, but the plan itself stays publicly trusted.
    expect(tlsPlan(tls({ mode: 'external', issuer: 'acme', acme: { environment: 'staging' } })).trust).toBe('public');
  });

  it('declares material in a stable order, without duplicates', () => {
    for (const [mode, choice] of TABLE) {
      const { material } = tlsPlan(tls({ mode, ...CHOICES[choice] }));
      expect(new Set(material).size).toBe(material.length);
    }
  });

  it('returns independent plans (no shared material list)', () => {
    const a = tlsPlan(tls({ issuer: 'blank' }));
    const b = tlsPlan(tls({ issuer: 'blank' }));
    expect(a).toEqual(b);
    expect(a.material).not.toBe(b.material);
  });

  it('names the secrets and issuer the Rancher chart and cert-manager read', () => {
    expect({ INGRESS_SECRET, PRIVATE_CA_SECRET, CA_ISSUER_SECRET, CA_ISSUER_NAME }).toEqual({
      INGRESS_SECRET: 'tls-rancher-ingress',
      PRIVATE_CA_SECRET: 'tls-ca',
      CA_ISSUER_SECRET: 'rancher-ca-issuer-keypair',
      CA_ISSUER_NAME: 'rancher-user-ca',
    });
  });
});

describe('installsCertManager', () => {
  it('is true at the ingress for the issuers cert-manager serves, false for a certificate of the user or at the load balancer', () => {
    expect(['rancher', 'ca', 'acme', 'blank'].map((issuer) => installsCertManager('ingress', issuer))).toEqual([true, true, true, false]);
    expect(['rancher', 'ca', 'acme'].map((issuer) => installsCertManager('rancher', issuer))).toEqual([true, true, true]);
    expect(['ca', 'acme', 'blank'].map((issuer) => installsCertManager('external', issuer))).toEqual([false, false, false]);
  });
});
