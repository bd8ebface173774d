import { parse } from 'yaml';
import { tlsSchema } from '../../../lib/config/tls-schema';
import { forwardedHeadersChartConfig, rancherServersTransportAnnotation } from '../../../lib/kubernetes/private/ingress-controller-config';
import { reference } from '../../helpers/synth';
import { NGINX_PROXY_TIMEOUTS, POST_DELETE, rancherChartValues, type RancherChartInput } from '../../../lib/rancher/chart-values';

/** The ingress values every choice starts from: the class, and the websocket timeouts of ingress-nginx. */
const NGINX = { ingressClassName: 'nginx', includeDefaultExtraAnnotations: false, extraAnnotations: NGINX_PROXY_TIMEOUTS };

const HOST = 'rancher.example.com';
const EMAIL = 'ops@example.com';

const values = (tls: Record<string, unknown>, extra: Partial<RancherChartInput> = {}) =>
  rancherChartValues({ hostname: HOST, replicas: 3, ingressClassName: 'nginx', tls: tlsSchema.parse(tls), ...extra });

/** The cert-manager objects the chart renders for issuer ca. */
const caIssuerObjects = (hostname: string) => [
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Issuer',
    metadata: { name: 'rancher-user-ca', namespace: 'cattle-system' },
    spec: { ca: { secretName: 'rancher-ca-issuer-keypair' } },
  },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'tls-rancher-ingress', namespace: 'cattle-system' },
    spec: {
      secretName: 'tls-rancher-ingress',
      commonName: hostname,
      dnsNames: [hostname],
      issuerRef: { name: 'rancher-user-ca', kind: 'Issuer' },
      privateKey: { rotationPolicy: 'Always' },
    },
  },
];

const BASE = { hostname: HOST, replicas: 3, postDelete: POST_DELETE };
/** A public CA's certificate: Rancher publishes no CA, so agents verify against their system store. */
const SYSTEM_STORE = { agentTLSMode: 'system-store' };
const LETS_ENCRYPT = (environment: string) => ({ letsEncrypt: { email: EMAIL, environment, ingress: { class: 'nginx' } } });

/** The chart values of every valid choice, written out in full. */
const MATRIX: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['ingress + rancher', { mode: 'ingress', issuer: 'rancher' }, { ...BASE, ingress: { ...NGINX, tls: { source: 'rancher' } } }],
  ['ingress + blank', { mode: 'ingress', issuer: 'blank' }, { ...BASE, ...SYSTEM_STORE, ingress: { ...NGINX, tls: { source: 'secret' } } }],
  [
    'ingress + blank + privateCA',
    { mode: 'ingress', issuer: 'blank', privateCA: true },
    { ...BASE, ingress: { ...NGINX, tls: { source: 'secret' } }, privateCA: true },
  ],
  [
    'ingress + ca',
    { mode: 'ingress', issuer: 'ca' },
    { ...BASE, ingress: { ...NGINX, tls: { source: 'secret' } }, privateCA: true, extraObjects: [...caIssuerObjects(HOST)] },
  ],
  [
    'ingress + acme',
    { mode: 'ingress', issuer: 'acme', acme: { email: EMAIL } },
    { ...BASE, ...SYSTEM_STORE, ingress: { ...NGINX, tls: { source: 'letsEncrypt' } }, ...LETS_ENCRYPT('production') },
  ],
  [
    'ingress + acme staging',
    { mode: 'ingress', issuer: 'acme', acme: { email: EMAIL, environment: 'staging' } },
    { ...BASE, ...SYSTEM_STORE, ingress: { ...NGINX, tls: { source: 'letsEncrypt' } }, ...LETS_ENCRYPT('staging') },
  ],
  ['external + blank', { mode: 'external', issuer: 'blank' }, { ...BASE, ...SYSTEM_STORE, ingress: NGINX, tls: 'external' }],
  [
    'external + blank + privateCA',
    { mode: 'external', issuer: 'blank', privateCA: true },
    { ...BASE, ingress: NGINX, tls: 'external', privateCA: true },
  ],
  ['external + ca', { mode: 'external', issuer: 'ca' }, { ...BASE, ingress: NGINX, tls: 'external', privateCA: true }],
  ['external + acme', { mode: 'external', issuer: 'acme' }, { ...BASE, ...SYSTEM_STORE, ingress: NGINX, tls: 'external' }],
  ['rancher + rancher', { mode: 'rancher', issuer: 'rancher' }, { ...BASE, ingress: { ...NGINX, tls: { source: 'rancher' }, servicePort: 443 } }],
  [
    'rancher + blank',
    { mode: 'rancher', issuer: 'blank' },
    { ...BASE, ...SYSTEM_STORE, ingress: { ...NGINX, tls: { source: 'secret' }, servicePort: 443 } },
  ],
  [
    'rancher + blank + privateCA',
    { mode: 'rancher', issuer: 'blank', privateCA: true },
    { ...BASE, ingress: { ...NGINX, tls: { source: 'secret' }, servicePort: 443 }, privateCA: true },
  ],
  [
    'rancher + ca',
    { mode: 'rancher', issuer: 'ca' },
    { ...BASE, ingress: { ...NGINX, tls: { source: 'secret' }, servicePort: 443 }, privateCA: true, extraObjects: [...caIssuerObjects(HOST)] },
  ],
  [
    'rancher + acme',
    { mode: 'rancher', issuer: 'acme', acme: { email: EMAIL } },
    { ...BASE, ...SYSTEM_STORE, ingress: { ...NGINX, tls: { source: 'letsEncrypt' }, servicePort: 443 }, ...LETS_ENCRYPT('production') },
  ],
];

describe('rancherChartValues: the TLS matrix', () => {
  it.each(MATRIX)('%s', (_name, tls, expected) => {
    expect(values(tls)).toStrictEqual(expected);
  });

  it('covers every valid (mode, issuer) pair', () => {
    const pairs = new Set(MATRIX.map(([, tls]) => `${tls.mode as string}/${tls.issuer as string}`));
    expect(pairs.size).toBe(11);
  });

  it.each(MATRIX)('%s: survives a YAML round trip (what helm_release receives)', (_name, tls) => {
    const rendered = values(tls);
    expect(parse(JSON.stringify(rendered))).toEqual(rendered);
  });

  describe('tls external', () => {
    it.each(MATRIX.filter(([, tls]) => tls.mode === 'external'))('%s: no ingress.tls, no letsEncrypt, no servicePort', (_name, tls) => {
      const rendered = values(tls) as { tls?: string; ingress: Record<string, unknown> };
      expect(rendered.tls).toBe('external');
      expect(rendered.ingress).not.toHaveProperty('tls');
      expect(rendered.ingress).not.toHaveProperty('servicePort');
      expect(rendered).not.toHaveProperty('letsEncrypt');
    });

    it.each(MATRIX.filter(([, tls]) => tls.mode !== 'external'))('%s: leaves the chart’s tls default (ingress)', (_name, tls) => {
      expect(values(tls)).not.toHaveProperty('tls');
    });
  });

  describe('ingress class', () => {
    it.each(MATRIX.filter(([, tls]) => tls.mode === 'ingress'))(
      '%s: follows the controller (traefik), without ingress-nginx annotations',
      (_name, tls) => {
        const rendered = values(tls, { ingressClassName: 'traefik', ingressController: 'traefik' }) as {
          ingress: Record<string, unknown> & { ingressClassName: string };
          letsEncrypt?: { ingress: { class: string } };
        };
        expect(rendered.ingress.ingressClassName).toBe('traefik');
        expect(rendered.ingress).not.toHaveProperty('extraAnnotations');
        expect(rendered.ingress.includeDefaultExtraAnnotations).toBe(false);
        if (rendered.letsEncrypt) expect(rendered.letsEncrypt.ingress.class).toBe('traefik');
      },
    );

    it('keeps the ingress-nginx timeouts on a cluster whose controller the stack does not know (any class name)', () => {
      const rendered = values({}, { ingressClassName: 'nginx-public' }) as { ingress: Record<string, unknown> };
      expect(rendered.ingress.extraAnnotations).toEqual(NGINX_PROXY_TIMEOUTS);
    });
  });

  describe('serviceAnnotations', () => {
    const transport = rancherServersTransportAnnotation('cattle-system');

    it("annotates Rancher's Service (the chart's service.annotations): Traefik's transport to the pods with re-encryption", () => {
      const rendered = values({ mode: 'rancher' }, { ingressClassName: 'traefik', ingressController: 'traefik', serviceAnnotations: transport });
      expect(rendered.service).toEqual({
        annotations: { 'traefik.ingress.kubernetes.io/service.serverstransport': 'cattle-system-rancher@kubernetescrd' },
      });
      expect((rendered.ingress as Record<string, unknown>).servicePort).toBe(443);
    });

    it('leaves service out when no annotation is given', () => {
      expect(values({ mode: 'rancher' })).not.toHaveProperty('service');
      expect(values({ mode: 'rancher' }, { serviceAnnotations: {} })).not.toHaveProperty('service');
    });
  });

  describe('extraObjects', () => {
    const headers = forwardedHeadersChartConfig();

    it('appends caller-provided objects after the CA issuer objects', () => {
      const rendered = values({ issuer: 'ca' }, { extraObjects: [headers] });
      expect(rendered.extraObjects).toEqual([...caIssuerObjects(HOST), headers]);
    });

    it('passes caller-provided objects alone when the choice renders none (external + forwarded headers)', () => {
      expect(values({ mode: 'external', issuer: 'blank' }, { extraObjects: [headers] }).extraObjects).toEqual([headers]);
    });

    it('leaves extraObjects out when empty', () => {
      expect(values({ mode: 'external', issuer: 'acme' }, { extraObjects: [] })).not.toHaveProperty('extraObjects');
    });

    it('names a Terraform token hostname in the Certificate', () => {
      const hostname = reference('var.rancher_hostname');
      const rendered = values({ issuer: 'ca' }, { hostname });
      expect(rendered.hostname).toBe(hostname);
      expect(rendered.extraObjects).toEqual([...caIssuerObjects(hostname)]);
    });

    it('does not alias the caller’s list', () => {
      const given = [headers];
      const rendered = values({ issuer: 'ca' }, { extraObjects: given });
      expect(rendered.extraObjects).not.toBe(given);
      expect(given).toEqual([headers]);
    });
  });

  it('never carries certificate material or a password', () => {
    for (const [, tls] of MATRIX) {
      const text = JSON.stringify(values(tls));
      expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY|password|var\.tls_/i);
    }
  });
});
