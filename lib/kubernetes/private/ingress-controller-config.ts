import type { GateCheck } from '../readiness-gates';

/** Where a distribution's packaged ingress controller runs, and how RKE2/K3s let its chart values be changed. */
const KUBE_SYSTEM = 'kube-system';

/**
 * The ingress controller a cluster this project builds runs: RKE2's
 * rke2-ingress-nginx (a DaemonSet whose admission webhook, on by default with
 * `failurePolicy: Fail`, must answer before any Ingress is created), RKE2's
 * rke2-traefik (a DaemonSet) or K3s' traefik (a Deployment); Traefik has no
 * admission webhook. All are installed by the distribution's helm-controller
 * after the API answers, not by the time it does.
 */
export interface PackagedIngress {
  /** The IngressClass it registers. */
  readonly className: 'nginx' | 'traefik';
  /** Its chart, the name of the HelmChartConfig that changes its values. */
  readonly chart: string;
  /** What the admission gate waits for before anything creates an Ingress. */
  readonly admission: GateCheck;
}

export function packagedIngress(distribution: 'rke2' | 'k3s', controller: 'ingress-nginx' | 'traefik'): PackagedIngress {
  if (controller === 'ingress-nginx') {
    return {
      className: 'nginx',
      chart: 'rke2-ingress-nginx',
      admission: { kind: 'admission', ingressClass: 'nginx', webhook: 'rke2-ingress-nginx-admission' },
    };
  }
  const chart = distribution === 'k3s' ? 'traefik' : 'rke2-traefik';
  return {
    className: 'traefik',
    chart,
    admission: {
      kind: 'admission',
      ingressClass: 'traefik',
      controller: { namespace: KUBE_SYSTEM, kind: distribution === 'k3s' ? 'deployment' : 'daemonset', name: chart },
    },
  };
}

/** A HelmChartConfig: RKE2's and K3s' way to change the values of a chart they package. */
function chartConfig(chart: string, valuesContent: string): Record<string, unknown> {
  return { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChartConfig', metadata: { name: chart, namespace: KUBE_SYSTEM }, spec: { valuesContent } };
}

/**
 * ingress-nginx trusts X-Forwarded-* (TLS ending at an ALB), so Rancher sees
 * the original scheme and client address.
 */
export function forwardedHeadersChartConfig(): Record<string, unknown> {
  return chartConfig('rke2-ingress-nginx', "controller:\n  config:\n    use-forwarded-headers: 'true'\n");
}

/**
 * Traefik 3 gives its entry points a 60 s read timeout
 * (`respondingTimeouts.readTimeout`; Traefik 2 had none): a request whose
 * body takes longer to arrive is cut, and long-lived connections through
 * Rancher (UI websockets, kubectl shells and logs, agent tunnels) must not
 * depend on how Traefik treats upgraded connections. No read timeout on the
 * web entry points, as in Traefik 2; the idle timeout of keep-alive
 * connections between requests stays.
 */
export function traefikTimeoutsChartConfig(chart: string, hostPorts?: { readonly web: number; readonly websecure: number }): Record<string, unknown> {
  // With `hostPorts` (a move off ingress-nginx, whose controller holds 80 and 443 on every server): the side ports
  // of RKE2's migration guide, in the same HelmChartConfig (one per chart).
  const hostPort = (port: number | undefined) => (port === undefined ? [] : [`    hostPort: ${port}`]);
  return chartConfig(
    chart,
    [
      'ports:',
      '  web:',
      ...hostPort(hostPorts?.web),
      '    transport:',
      '      respondingTimeouts:',
      "        readTimeout: '0s'",
      '  websecure:',
      ...hostPort(hostPorts?.websecure),
      '    transport:',
      '      respondingTimeouts:',
      "        readTimeout: '0s'",
      '',
    ].join('\n'),
  );
}

/**
 * While ingress-nginx still serves Rancher's ingress (a move off it, steps `beside` and `moved`): the same host,
 * certificate secret and backend as Rancher's chart's Ingress, of Traefik's class, so Traefik serves Rancher on its side
 * ports before the load balancer points there. RKE2's guide duplicates Ingresses the same way (its phase 2).
 */
export function traefikBridgeIngress(hostname: string, namespace: string, tlsSecret: string): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'rancher-traefik', namespace },
    spec: {
      ingressClassName: 'traefik',
      tls: [{ hosts: [hostname], secretName: tlsSecret }],
      rules: [
        {
          host: hostname,
          http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 'rancher', port: { number: 80 } } } }] },
        },
      ],
    },
  };
}
