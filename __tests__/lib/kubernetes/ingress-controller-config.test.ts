import { parse } from 'yaml';
import { forwardedHeadersChartConfig, packagedIngress, traefikTimeoutsChartConfig } from '../../../lib/kubernetes/private/ingress-controller-config';

describe('forwardedHeadersChartConfig', () => {
  const config = forwardedHeadersChartConfig() as {
    apiVersion: string;
    kind: string;
    metadata: Record<string, string>;
    spec: { valuesContent: string };
  };

  it('is an RKE2 HelmChartConfig for the packaged rke2-ingress-nginx chart', () => {
    expect(config).toEqual({
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChartConfig',
      metadata: { name: 'rke2-ingress-nginx', namespace: 'kube-system' },
      spec: { valuesContent: expect.any(String) },
    });
  });

  it('has valuesContent that parses as YAML and trusts X-Forwarded-* (a string "true", as ConfigMap data must be)', () => {
    const values = parse(config.spec.valuesContent) as { controller: { config: Record<string, unknown> } };
    expect(values).toEqual({ controller: { config: { 'use-forwarded-headers': 'true' } } });
    expect(values.controller.config['use-forwarded-headers']).toBe('true');
  });

  it('returns a fresh object every call', () => {
    const a = forwardedHeadersChartConfig();
    expect(a).toEqual(forwardedHeadersChartConfig());
    expect(a).not.toBe(forwardedHeadersChartConfig());
  });
});

describe('packagedIngress', () => {
  it('RKE2 with ingress-nginx: class nginx, whose admission webhook (rke2-ingress-nginx-admission, failurePolicy Fail) must answer first', () => {
    expect(packagedIngress('rke2', 'ingress-nginx')).toEqual({
      className: 'nginx',
      chart: 'rke2-ingress-nginx',
      admission: { kind: 'admission', ingressClass: 'nginx', webhook: 'rke2-ingress-nginx-admission' },
    });
  });

  it('RKE2 with Traefik: the rke2-traefik DaemonSet must have a ready pod (Traefik has no admission webhook)', () => {
    expect(packagedIngress('rke2', 'traefik')).toEqual({
      className: 'traefik',
      chart: 'rke2-traefik',
      admission: { kind: 'admission', ingressClass: 'traefik', controller: { namespace: 'kube-system', kind: 'daemonset', name: 'rke2-traefik' } },
    });
  });

  it('K3s: its traefik Deployment', () => {
    expect(packagedIngress('k3s', 'traefik').admission).toEqual({
      kind: 'admission',
      ingressClass: 'traefik',
      controller: { namespace: 'kube-system', kind: 'deployment', name: 'traefik' },
    });
    expect(packagedIngress('k3s', 'traefik').chart).toBe('traefik');
  });
});

describe('traefikTimeoutsChartConfig', () => {
  it('removes the read timeout of the web and websecure entry points (Traefik 2 behaviour), as a string the chart renders', () => {
    const config = traefikTimeoutsChartConfig('rke2-traefik') as { metadata: Record<string, string>; spec: { valuesContent: string } };
    expect(config.metadata).toEqual({ name: 'rke2-traefik', namespace: 'kube-system' });
    expect(parse(config.spec.valuesContent)).toEqual({
      ports: {
        web: { transport: { respondingTimeouts: { readTimeout: '0s' } } },
        websecure: { transport: { respondingTimeouts: { readTimeout: '0s' } } },
      },
    });
  });
});
