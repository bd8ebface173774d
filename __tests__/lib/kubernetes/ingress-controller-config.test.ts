import { parse } from 'yaml';
import {
  forwardedHeadersChartConfig,
  packagedIngress,
  rancherServersTransport,
  rancherServersTransportAnnotation,
  traefikBridgeIngress,
  traefikChartConfig,
  TRAEFIK_HTTP3_FIXED_IN,
  TRAEFIK_READ_TIMEOUT_SECONDS,
} from '../../../lib/kubernetes/private/ingress-controller-config';

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

describe('traefikChartConfig', () => {
  const valuesOf = (config: Record<string, unknown>) => parse((config as { spec: { valuesContent: string } }).spec.valuesContent);
  const READ_TIMEOUT = { respondingTimeouts: { readTimeout: '600s' } };
  const HTTP3_OFF = { enabled: false };

  it('bounds the read timeout of the web and websecure entry points at ten minutes, as a duration string the chart renders', () => {
    const config = traefikChartConfig('rke2-traefik') as { metadata: Record<string, string>; spec: { valuesContent: string } };
    expect(config.metadata).toEqual({ name: 'rke2-traefik', namespace: 'kube-system' });
    expect(valuesOf(config)).toEqual({
      ports: { web: { http3: HTTP3_OFF, transport: READ_TIMEOUT }, websecure: { http3: HTTP3_OFF, transport: READ_TIMEOUT } },
    });
    expect(TRAEFIK_READ_TIMEOUT_SECONDS).toBe(600);
  });

  it('never leaves an entry point without a read timeout (zero reopens CVE-2024-28869), whatever else it sets', () => {
    const variants = [
      traefikChartConfig('rke2-traefik'),
      traefikChartConfig('traefik', { hostPorts: { web: 8000, websecure: 8443 } }),
      traefikChartConfig('rke2-traefik', { behindLoadBalancer: { trustedIPs: ['10.0.0.0/20'], idleTimeoutSeconds: 3660 } }),
      traefikChartConfig('rke2-traefik', { extraObjects: [rancherServersTransport('cattle-system', undefined)] }),
    ];
    for (const config of variants) {
      const { ports } = valuesOf(config);
      for (const name of ['web', 'websecure']) {
        const timeout = ports[name].transport.respondingTimeouts.readTimeout as string;
        expect([name, timeout]).toEqual([name, expect.stringMatching(/^[1-9][0-9]*s$/)]);
      }
    }
  });

  // GHSA-7ghq-v6jf-g56c: an HTTP/3 entry point applies no respondingTimeouts (Traefik 3.0.0 to 3.7.11, 2.8.2 to 2.11.55);
  // the pinned RKE2 ships v3.7.8. Said in the values, so no default of RKE2's or K3s' own turns it on.
  it('keeps HTTP/3 off on both entry points, whatever else it sets, until a pinned Traefik applies the read timeout there', () => {
    expect(TRAEFIK_HTTP3_FIXED_IN).toEqual({ 'v2.11': '2.11.56', 'v3.7': '3.7.12' });
    const variants = [
      traefikChartConfig('rke2-traefik'),
      traefikChartConfig('traefik', { hostPorts: { web: 8000, websecure: 8443 } }),
      traefikChartConfig('rke2-traefik', { behindLoadBalancer: { trustedIPs: ['10.0.0.0/20'], idleTimeoutSeconds: 3660 } }),
      traefikChartConfig('rke2-traefik', { extraObjects: [rancherServersTransport('cattle-system', undefined)] }),
    ];
    for (const config of variants) {
      const { ports } = valuesOf(config);
      expect([ports.web.http3, ports.websecure.http3]).toEqual([HTTP3_OFF, HTTP3_OFF]);
    }
  });

  it("behind a load balancer: web trusts X-Forwarded-* from the balancer's networks only, and outlasts its idle timeout", () => {
    const values = valuesOf(
      traefikChartConfig('rke2-traefik', { behindLoadBalancer: { trustedIPs: ['10.0.0.0/20', '10.0.16.0/20'], idleTimeoutSeconds: 3660 } }),
    );
    expect(values.ports.web).toEqual({
      forwardedHeaders: { trustedIPs: ['10.0.0.0/20', '10.0.16.0/20'] },
      http3: HTTP3_OFF,
      transport: { respondingTimeouts: { readTimeout: '600s', idleTimeout: '3660s' } },
    });
    // Nothing trusted by default, and never everyone: no insecure mode, no 0.0.0.0/0.
    expect(values.ports.web.forwardedHeaders).not.toHaveProperty('insecure');
    expect(values.ports.websecure).toEqual({ http3: HTTP3_OFF, transport: READ_TIMEOUT });
  });

  it('refuses to trust forwarded headers from no network (an empty list would be the chart default: trust nobody)', () => {
    expect(() => traefikChartConfig('rke2-traefik', { behindLoadBalancer: { trustedIPs: [], idleTimeoutSeconds: 3660 } })).toThrow(/trustedIPs/);
  });

  it('a move off ingress-nginx: the side host ports, beside the other values', () => {
    const values = valuesOf(
      traefikChartConfig('rke2-traefik', {
        hostPorts: { web: 8000, websecure: 8443 },
        behindLoadBalancer: { trustedIPs: ['10.0.0.0/20'], idleTimeoutSeconds: 3660 },
      }),
    );
    expect(values.ports.web.hostPort).toBe(8000);
    expect(values.ports.web.forwardedHeaders.trustedIPs).toEqual(['10.0.0.0/20']);
    expect(values.ports.websecure.hostPort).toBe(8443);
  });

  it("re-encryption: Traefik's own chart renders the ServersTransport (extraObjects), the object as given", () => {
    const transport = rancherServersTransport('cattle-system', 'tls-rancher-ingress');
    expect(valuesOf(traefikChartConfig('rke2-traefik', { extraObjects: [transport] })).extraObjects).toEqual([transport]);
  });
});

describe('rancherServersTransport', () => {
  it("with Rancher's CA readable (issuer rancher: ca.crt of the front certificate's secret): verifies by a name every Rancher listener certificate carries", () => {
    expect(rancherServersTransport('cattle-system', 'tls-rancher-ingress')).toEqual({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'ServersTransport',
      metadata: { name: 'rancher', namespace: 'cattle-system' },
      spec: { serverName: 'rancher.cattle-system', rootCAs: [{ secret: 'tls-rancher-ingress' }] },
    });
  });

  it('without it: does not verify, as ingress-nginx with the chart does not (and nothing else)', () => {
    expect(rancherServersTransport('cattle-system', undefined).spec).toEqual({ insecureSkipVerify: true });
  });

  it("is the transport the Service annotation names (Traefik's <namespace>-<name>@kubernetescrd)", () => {
    const transport = rancherServersTransport('cattle-system', undefined) as { metadata: { name: string; namespace: string } };
    expect(rancherServersTransportAnnotation('cattle-system')).toEqual({
      'traefik.ingress.kubernetes.io/service.serverstransport': `${transport.metadata.namespace}-${transport.metadata.name}@kubernetescrd`,
    });
  });
});

describe('traefikBridgeIngress', () => {
  const backendOf = (ingress: any) => ingress.spec.rules[0].http.paths[0].backend.service;

  it("as the chart's Ingress at the ingress: TLS with the front certificate, Rancher's port 80", () => {
    const ingress = traefikBridgeIngress('rancher.example.com', 'cattle-system', { tlsSecret: 'tls-rancher-ingress', servicePort: 80 }) as any;
    expect(ingress.spec.ingressClassName).toBe('traefik');
    expect(ingress.spec.tls).toEqual([{ hosts: ['rancher.example.com'], secretName: 'tls-rancher-ingress' }]);
    expect(backendOf(ingress)).toEqual({ name: 'rancher', port: { number: 80 } });
  });

  it('TLS at the load balancer: no tls (Traefik would serve a TLS Ingress on websecure only, and the balancer sends plain HTTP)', () => {
    expect((traefikBridgeIngress('rancher.example.com', 'cattle-system', { servicePort: 80 }) as any).spec).not.toHaveProperty('tls');
  });

  it("re-encryption: Rancher's port 443, as the chart's servicePort", () => {
    expect(backendOf(traefikBridgeIngress('rancher.example.com', 'cattle-system', { tlsSecret: 'tls-rancher-ingress', servicePort: 443 }))).toEqual({
      name: 'rancher',
      port: { number: 443 },
    });
  });
});
