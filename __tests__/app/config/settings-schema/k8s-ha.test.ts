import { SettingsError } from '../../../../lib/config/errors';
import { fieldPaths } from '../../../../app/config/settings-fields';
import { DEFAULT_KUBECONFIG_PATH } from '../../../../lib/config/k8s-ha-schema';
import { parseSettings } from '../../../../app/config/load';

/** The problems a settings object is rejected with, as `field: message`; [] when accepted. */
function problems(input: Record<string, unknown>): { field: string; message: string }[] {
  try {
    parseSettings(input, 'test');
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems.map(({ field, message }) => ({ field, message }));
    throw error;
  }
}
const fields = (input: Record<string, unknown>) => problems(input).map((p) => p.field);
const k8sHa = (section: Record<string, unknown>) => ({ k8sHa: section });

describe('k8sHa settings', () => {
  it('defaults to ~/.kube/config (current context), installing cert-manager; the ingress class and Service are resolved with the TLS mode (existingIngressPlan)', () => {
    expect(parseSettings({}, 'test').k8sHa).toEqual({
      access: { kubeconfig: { path: '~/.kube/config' } },
      certManager: { install: true },
      ingress: { service: {} },
      eks: {},
      dns: { hostnameRecord: true },
    });
    expect(DEFAULT_KUBECONFIG_PATH).toBe('~/.kube/config');
  });

  it('fills in the kubeconfig path when only a context is given', () => {
    expect(parseSettings(k8sHa({ access: { kubeconfig: { context: 'prod' } } }), 'test').k8sHa.access).toEqual({
      kubeconfig: { path: '~/.kube/config', context: 'prod' },
    });
  });

  it('accepts variable-based access without a kubeconfig', () => {
    expect(parseSettings(k8sHa({ access: { variables: true } }), 'test').k8sHa.access).toEqual({ variables: true });
  });

  it.each([['~/.kube/prod.yaml'], ['kubeconfig.yaml'], ['../../../kubeconfig']])('accepts the portable kubeconfig path %s', (path) => {
    expect(fields(k8sHa({ access: { kubeconfig: { path } } }))).toEqual([]);
  });

  describe('the ingress class and its Service name one controller', () => {
    const ingress = (value: Record<string, unknown>) => k8sHa({ ingress: value });

    // d0e353c accepted it: rancher.example.yaml spelled out traefik/traefik, and changing only the class to nginx
    // pointed the record at Traefik's load balancer.
    it("refuses a class of one controller with the other's Service, naming the Service, both controllers and the fix", () => {
      expect(problems(ingress({ className: 'nginx', service: { namespace: 'traefik', name: 'traefik' } }))).toEqual([
        {
          field: 'k8sHa.ingress.service',
          message:
            "is traefik/traefik, Traefik's Service, and k8sHa.ingress.className \"nginx\" is ingress-nginx's: the Rancher record would point at Traefik's load balancer, which does not serve Rancher's Ingress. Name ingress-nginx's LoadBalancer Service here, or leave k8sHa.ingress.service out for the class's usual one",
        },
      ]);
      expect(fields(ingress({ className: 'traefik', service: { name: 'ingress-nginx-controller' } }))).toEqual(['k8sHa.ingress.service']);
      // The default class follows the TLS mode: re-encryption keeps nginx. The message says the class was the default,
      // since the settings file does not name one.
      expect(
        problems({ ...ingress({ service: { namespace: 'kube-system', name: 'rke2-traefik' } }), rancher: { tls: { mode: 'rancher' } } }),
      ).toEqual([
        {
          field: 'k8sHa.ingress.service',
          message: expect.stringMatching(/^is kube-system\/rke2-traefik, Traefik's Service, and the default class "nginx" is ingress-nginx's: /),
        },
      ]);
    });

    it.each([
      ['the class alone (its usual Service)', { className: 'nginx' }],
      ["RKE2's Traefik", { className: 'traefik', service: { namespace: 'kube-system', name: 'rke2-traefik' } }],
      ["RKE2's ingress-nginx", { className: 'nginx', service: { namespace: 'kube-system', name: 'rke2-ingress-nginx-controller' } }],
      ['a class it does not know', { className: 'internal', service: { namespace: 'traefik', name: 'traefik' } }],
      ['a Service it does not know', { className: 'nginx', service: { namespace: 'edge', name: 'lb' } }],
    ])('accepts %s', (_what, value) => {
      expect(fields(ingress(value))).toEqual([]);
    });
  });

  describe('rejects, naming the field', () => {
    it('an access block with no method', () => {
      expect(problems(k8sHa({ access: {} }))).toEqual([
        { field: 'k8sHa.access', message: expect.stringContaining('kubeconfig: { path, context } or variables: true') },
      ]);
      expect(fields(k8sHa({ access: { variables: false } }))).toEqual(['k8sHa.access']);
    });

    it('both methods at once', () => {
      expect(problems(k8sHa({ access: { kubeconfig: {}, variables: true } }))).toEqual([
        { field: 'k8sHa.access', message: expect.stringContaining('not both') },
      ]);
    });

    it.each([['/home/me/.kube/config'], ['C:\\Users\\me\\.kube\\config'], ['~bob/.kube/config']])('the kubeconfig path %s', (path) => {
      expect(fields(k8sHa({ access: { kubeconfig: { path } } }))).toEqual(['k8sHa.access.kubeconfig.path']);
    });

    it('an empty context and unknown keys in the access block', () => {
      expect(fields(k8sHa({ access: { kubeconfig: { context: '' } } }))).toEqual(['k8sHa.access.kubeconfig.context']);
      expect(fields(k8sHa({ access: { kubeconfig: { file: 'x' } } }))).toEqual(['k8sHa.access.kubeconfig.file']);
    });

    it('names that Kubernetes would refuse', () => {
      expect(fields(k8sHa({ ingress: { className: 'Nginx', service: { namespace: 'ingress_nginx', name: '1-controller' } } })).sort()).toEqual([
        'k8sHa.ingress.className',
        'k8sHa.ingress.service.name',
        'k8sHa.ingress.service.namespace',
      ]);
    });

    it.each([['https://lb.example.com'], ['LB.example.com'], ['lb'], ['10.0.0.256']])('the DNS target %s', (target) => {
      expect(fields(k8sHa({ dns: { target } }))).toEqual(['k8sHa.dns.target']);
    });

    it('a non-boolean certManager.install', () => {
      expect(fields(k8sHa({ certManager: { install: 'no' } }))).toEqual(['k8sHa.certManager.install']);
    });
  });

  it.each([['a1b2-123.eu-west-1.elb.amazonaws.com'], ['203.0.113.7'], ['ingress.example.net']])('accepts the DNS target %s', (target) => {
    expect(fields(k8sHa({ dns: { target } }))).toEqual([]);
  });

  it('exposes every field to the docs tests', () => {
    expect(fieldPaths().filter((f) => f.startsWith('k8sHa.'))).toEqual([
      'k8sHa.access.kubeconfig.path',
      'k8sHa.access.kubeconfig.context',
      'k8sHa.access.variables',
      'k8sHa.certManager.install',
      'k8sHa.ingress.className',
      'k8sHa.ingress.service.namespace',
      'k8sHa.ingress.service.name',
      'k8sHa.eks.clusterName',
      'k8sHa.dns.target',
      'k8sHa.dns.hostnameRecord',
    ]);
  });
});
