import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { RancherTlsSecrets, USER_CERTIFICATE_WARNING_HOURS } from '../../../lib/rancher/tls-secrets';
import { CertificateVariables } from '../../../lib/tls/certificate-variables';
import { dataSources, only, resources, synthConstruct } from '../../helpers/synth';
import { plan, synth } from './tls-secrets.setup';

/** Secrets by their Kubernetes name. */
function secretsByName(json: ReturnType<typeof synth>['json']): Record<string, any> {
  return Object.fromEntries(Object.values(resources(json, 'kubernetes_secret_v1')).map((s) => [s.metadata.name, s]));
}

const CASES = {
  'ingress + blank': { input: { issuer: 'blank' }, secrets: ['tls-rancher-ingress'] },
  'ingress + blank + privateCA': { input: { issuer: 'blank', privateCA: true }, secrets: ['tls-ca', 'tls-rancher-ingress'] },
  'ingress + ca': { input: { issuer: 'ca' }, secrets: ['rancher-ca-issuer-keypair', 'tls-ca'] },
  'rancher + blank': { input: { mode: 'rancher', issuer: 'blank' }, secrets: ['tls-rancher-ingress'] },
  'external + blank': { input: { mode: 'external', issuer: 'blank' }, secrets: [] },
  'external + blank + privateCA': { input: { mode: 'external', issuer: 'blank', privateCA: true }, secrets: ['tls-ca'] },
  'external + ca': { input: { mode: 'external', issuer: 'ca' }, secrets: ['tls-ca'] },
  'external + acme': { input: { mode: 'external', issuer: 'acme' }, secrets: [] },
  'ingress + rancher': { input: {}, secrets: [] },
  'ingress + acme': { input: { issuer: 'acme', acme: { email: 'ops@example.com' } }, secrets: [] },
} as const;

describe('RancherTlsSecrets', () => {
  describe.each(Object.entries(CASES))('%s', (_name, { input, secrets: expected }) => {
    const { json, text, secrets } = synth(plan(input));
    const byName = secretsByName(json);

    it(`creates ${expected.length ? expected.join(', ') : 'nothing'}`, () => {
      expect(Object.keys(byName).sort()).toEqual([...expected]);
      expect(secrets.resources).toHaveLength(expected.length);
    });

    if (expected.length > 0) {
      it('puts every secret in the namespace it is given (cattle-system, created after the API gate)', () => {
        const [namespaceId, namespace] = only(json, 'kubernetes_namespace_v1');
        expect(namespace.metadata).toEqual({ name: 'cattle-system' });
        expect(namespace.depends_on).toEqual(['random_password.gate']);
        for (const secret of Object.values(byName)) {
          expect(secret.metadata.namespace).toBe(`\${kubernetes_namespace_v1.${namespaceId}.metadata[0].name}`);
        }
      });

      it("keeps only the project annotation Rancher stamps on cattle-system's secrets out of the next plan", () => {
        for (const secret of Object.values(byName)) {
          expect(secret.lifecycle.ignore_changes).toEqual(['metadata[0].annotations["field.cattle.io/projectId"]']);
        }
      });

      it('exposes exactly the secrets in `resources`, for the release to wait on', () => {
        const ids = Object.keys(resources(json, 'kubernetes_secret_v1')).map((id) => `kubernetes_secret_v1.${id}`);
        expect([...resources(json, 'random_password').release.depends_on].sort()).toEqual(ids.sort());
      });
    } else {
      it('creates no secret', () => {
        expect(resources(json, 'kubernetes_secret_v1')).toEqual({});
        expect(json.output?.secret_count.value).toBe(0);
        expect(resources(json, 'random_password').release.depends_on ?? []).toEqual([]);
      });
    }

    it('writes no PEM literal', () => {
      // Only the variables' validation names the markers; no block with content appears.
      expect(text).not.toMatch(/-----BEGIN [A-Z ]+-----/);
      expect(text).not.toMatch(/MII[A-Za-z0-9+/]{8}/);
    });
  });

  describe("the user's certificates' ends", () => {
    const checked = (input: Record<string, unknown>) => {
      const { json } = synth(plan(input));
      const reads = Object.values(dataSources(json, 'tls_certificate'))
        .map((d) => d.content)
        .sort();
      const asserts: { condition: string; error_message: string }[] = (json as any).check?.user_certificates?.assert ?? [];
      return { reads, asserts };
    };

    it('reads the certificate and the CA the secrets carry, and warns from 60 days before either ends', () => {
      const { reads, asserts } = checked({ issuer: 'blank', privateCA: true });
      expect(reads).toEqual(['${var.tls_ca_certificate_pem}', '${var.tls_certificate_pem}']);
      expect(asserts).toHaveLength(2);
      for (const a of asserts)
        expect(a.condition).toMatch(
          new RegExp(
            `^\\$\\{timecmp\\(plantimestamp\\(\\), timeadd\\(data\\.tls_certificate\\.[^.]+\\.certificates\\[0\\]\\.not_after, "-${USER_CERTIFICATE_WARNING_HOURS}h"\\)\\) < 0\\}$`,
          ),
        );
      expect(asserts.map((a) => a.error_message.split(' ends at')[0]).sort()).toEqual([
        'Your CA certificate (tls_ca_certificate_pem)',
        'Your ingress certificate (tls_certificate_pem)',
      ]);
    });

    it('the CA issuer: its CA', () => {
      expect(checked({ issuer: 'ca' }).reads).toEqual(['${var.tls_ca_certificate_pem}']);
    });

    it("nothing when there is none of the user's (Rancher's CA, Let's Encrypt)", () => {
      expect(checked({}).asserts).toEqual([]);
      expect(checked({ issuer: 'acme', acme: { email: 'ops@example.com' } }).reads).toEqual([]);
    });
  });

  describe('secret contents', () => {
    it('tls-rancher-ingress: a kubernetes.io/tls secret from the certificate and key variables', () => {
      const ingress = secretsByName(synth(plan({ issuer: 'blank' })).json)['tls-rancher-ingress'];
      expect(ingress.type).toBe('kubernetes.io/tls');
      expect(ingress.data).toEqual({ 'tls.crt': '${var.tls_certificate_pem}', 'tls.key': '${var.tls_private_key_pem}' });
    });

    it('tls-ca: an Opaque secret with cacerts.pem from the CA certificate variable', () => {
      for (const input of [{ issuer: 'blank', privateCA: true }, { issuer: 'ca' }, { mode: 'external', issuer: 'ca' }]) {
        const ca = secretsByName(synth(plan(input)).json)['tls-ca'];
        expect(ca.type).toBe('Opaque');
        expect(ca.data).toEqual({ 'cacerts.pem': '${var.tls_ca_certificate_pem}' });
      }
    });

    it('rancher-ca-issuer-keypair: a kubernetes.io/tls secret from the CA certificate and key variables', () => {
      const keypair = secretsByName(synth(plan({ issuer: 'ca' })).json)['rancher-ca-issuer-keypair'];
      expect(keypair.type).toBe('kubernetes.io/tls');
      expect(keypair.data).toEqual({ 'tls.crt': '${var.tls_ca_certificate_pem}', 'tls.key': '${var.tls_ca_private_key_pem}' });
    });

    it('external + ca keeps the CA key out of the cluster', () => {
      const { json } = synth(plan({ mode: 'external', issuer: 'ca' }));
      expect(JSON.stringify(json.resource)).not.toContain('tls_ca_private_key_pem');
    });

    it('fails at synth time when the plan’s material was not declared', () => {
      expect(() =>
        synthConstruct((stack) => {
          new KubernetesProvider(stack, 'kubernetes', {});
          const certificates = new CertificateVariables(stack, 'certificates', []);
          new RancherTlsSecrets(stack, 'tls-secrets', { plan: plan({ issuer: 'blank' }), certificates, namespace: 'cattle-system' });
        }),
      ).toThrow(/certificate material "certificate" was not declared/);
    });
  });

  it.each([
    ['ingress + blank', { issuer: 'blank' }],
    ['ingress + blank + privateCA', { issuer: 'blank', privateCA: true }],
    ['ingress + ca', { issuer: 'ca' }],
    ['external + ca', { mode: 'external', issuer: 'ca' }],
  ])('%s matches the snapshot', (_name, input) => {
    expect(synth(plan(input)).json).toMatchSnapshot();
  });
});
