import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { RancherReadiness } from '../../../lib/rancher/rancher-readiness';
import { dataSources, synthConstruct } from '../../helpers/synth';
import { synth } from './rancher-readiness-trust.setup';

const DEPENDS_ON = ['random_password.release', 'random_password.record'];
const POSTCONDITION = '${self.status_code == 200 && trimspace(self.response_body) == "pong"}';

function ping(json: ReturnType<typeof synth>['json']) {
  const pings = Object.values(dataSources(json, 'http'));
  expect(pings).toHaveLength(1);
  return pings[0];
}

describe('RancherReadiness trust kinds', () => {
  describe.each([
    ['rancher-ca', { kind: 'rancher-ca' } as const],
    ['default (no trust given)', undefined],
  ])('%s', (_name, trust) => {
    const { json } = synth(trust);
    const secrets = Object.entries(dataSources(json, 'kubernetes_secret_v1'));
    const probe = ping(json);

    it('reads cattle-system/tls-rancher after the release and the record', () => {
      expect(secrets).toHaveLength(1);
      const [, secret] = secrets[0];
      expect(secret.metadata).toEqual({ name: 'tls-rancher', namespace: 'cattle-system' });
      expect(secret.depends_on).toEqual(DEPENDS_ON);
    });

    it('verifies against the secret’s tls.crt, guarded by a precondition', () => {
      const [secretName] = secrets[0];
      expect(probe.ca_cert_pem).toContain(`data.kubernetes_secret_v1.${secretName}.data`);
      expect(probe.ca_cert_pem).toContain('"tls.crt"');
      expect(probe.lifecycle.precondition).toEqual([
        {
          condition: `\${contains(nonsensitive(keys(data.kubernetes_secret_v1.${secretName}.data)), "tls.crt")}`,
          error_message: 'Secret cattle-system/tls-rancher has no tls.crt: Rancher did not create its CA.',
        },
      ]);
      expect(probe).not.toHaveProperty('insecure');
    });

    it('orders the probe through the secret read, not directly', () => {
      expect(probe.depends_on ?? []).toEqual([]);
    });
  });

  describe('ca (the user’s CA)', () => {
    const { json } = synth({ kind: 'ca', caCertPem: '${var.tls_ca_certificate_pem}' });
    const probe = ping(json);

    it('sets ca_cert_pem to the given CA, reads no secret, has no precondition', () => {
      expect(probe.ca_cert_pem).toBe('${var.tls_ca_certificate_pem}');
      expect(dataSources(json, 'kubernetes_secret_v1')).toEqual({});
      expect(probe.lifecycle.precondition).toBeUndefined();
      expect(probe).not.toHaveProperty('insecure');
    });

    it('waits for the release and the record itself', () => {
      expect(probe.depends_on).toEqual(DEPENDS_ON);
    });

    it('references a variable token as a variable', () => {
      expect(ping(synth('variable').json).ca_cert_pem).toBe('${var.tls_ca_certificate_pem}');
    });
  });

  describe('public (system roots)', () => {
    const { json } = synth({ kind: 'public' });
    const probe = ping(json);

    it('sets neither a CA nor insecure', () => {
      expect(probe).not.toHaveProperty('ca_cert_pem');
      expect(probe).not.toHaveProperty('insecure');
      expect(dataSources(json, 'kubernetes_secret_v1')).toEqual({});
      expect(probe.lifecycle.precondition).toBeUndefined();
    });

    it('waits for the release and the record itself', () => {
      expect(probe.depends_on).toEqual(DEPENDS_ON);
    });
  });

  describe('unverified (Let’s Encrypt staging)', () => {
    const { json } = synth({ kind: 'unverified' });
    const probe = ping(json);

    it('skips certificate verification and sets no CA', () => {
      expect(probe.insecure).toBe(true);
      expect(probe).not.toHaveProperty('ca_cert_pem');
      expect(dataSources(json, 'kubernetes_secret_v1')).toEqual({});
    });

    it('waits for the release and the record itself', () => {
      expect(probe.depends_on).toEqual(DEPENDS_ON);
    });
  });

  describe.each([
    ['rancher-ca', { kind: 'rancher-ca' } as const],
    ['ca', { kind: 'ca', caCertPem: '${var.tls_ca_certificate_pem}' } as const],
    ['public', { kind: 'public' } as const],
    ['unverified', { kind: 'unverified' } as const],
  ])('%s, whatever the trust', (_name, trust) => {
    const { json } = synth(trust);
    const probe = ping(json);

    it('pings https://<hostname>/ping, retried, and requires "pong"', () => {
      expect(probe.url).toBe('https://rancher.example.com/ping');
      expect(probe.request_timeout_ms).toBe(10000);
      expect(probe.retry).toEqual({ attempts: 44, min_delay_ms: 10000, max_delay_ms: 10000 });
      expect(probe.lifecycle.postcondition).toEqual([{ condition: POSTCONDITION, error_message: expect.stringMatching(/pong/) }]);
    });

    it('writes no PEM literal', () => {
      expect(JSON.stringify(json)).not.toMatch(/-----BEGIN/);
    });
  });

  it('takes a budget in minutes', () => {
    const { json } = synthConstruct((stack) => {
      new HttpProvider(stack, 'http');
      new RancherReadiness(stack, 'ready', { hostname: 'rancher.example.com', dependsOn: [], trust: { kind: 'public' }, minutes: 2 });
    });
    expect(ping(json).retry.attempts).toBe(5);
  });
});
