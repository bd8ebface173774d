import { stringify } from 'yaml';
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

/** What Traefik's HelmChartConfig sets beyond the entry points' read timeout (`TRAEFIK_READ_TIMEOUT_SECONDS`). */
export interface TraefikChartOptions {
  /**
   * The host ports of `web` and `websecure` during a move off ingress-nginx, whose controller holds 80 and 443 on every
   * server: the side ports of RKE2's migration guide. @default the chart's (80 and 443)
   */
  readonly hostPorts?: { readonly web: number; readonly websecure: number };
  /**
   * TLS ends at a load balancer that forwards plain HTTP to `web` (`rancher.tls.mode: external`): Traefik keeps the
   * `X-Forwarded-*` headers of connections from `trustedIPs` only (the balancer's subnets) and overwrites them on any
   * other, and keeps an idle keep-alive connection open `idleTimeoutSeconds`, longer than the balancer does (AWS: a
   * target that closes first makes the balancer answer 502 on the connection it reuses). @default not behind one
   */
  readonly behindLoadBalancer?: { readonly trustedIPs: readonly string[]; readonly idleTimeoutSeconds: number };
  /**
   * Objects Traefik's own chart renders (its `extraObjects`): created when Traefik is installed, after its CRDs, and
   * gone with it, whichever step of a move off ingress-nginx the servers are at. @default none
   */
  readonly extraObjects?: readonly Record<string, unknown>[];
}

/**
 * How long Traefik's `web` and `websecure` entry points give a request, from its first byte to the last byte of its
 * body (`respondingTimeouts.readTimeout`, Go's `http.Server.ReadTimeout`). Zero, as in Traefik 2, lets a request that
 * announces a body and never sends it hold a connection for ever (CVE-2024-28869, GHSA-4vwx-54mw-vqfw; Traefik's
 * maintainers in traefik/traefik#10622), and with TLS at the ingress the NLB hands internet clients straight to Traefik.
 * Ten minutes cuts what Traefik 3's 60 s default would (a 3 MiB body, the API server's largest, arrives at 6 KiB/s; 1 GiB
 * needs 1.8 MB/s) and leaves the long-lived connections alone, which this bound does not reach (Traefik v3.7.8 and
 * Go's net/http; docs/development/traefik-read-timeout.md): a WebSocket or SPDY upgrade (the UI, `kubectl exec`,
 * agent tunnels) is a hijacked connection, whose deadlines net/http clears; a streamed response (`kubectl logs -f`,
 * watches) runs after the request body ended, when HTTP/1.1 clears the read deadline and HTTP/2 only bounds that body.
 */
export const TRAEFIK_READ_TIMEOUT_SECONDS = 600;

/**
 * HTTP/3 stays off on both entry points, said in Traefik's values rather than left to the chart's default (off in
 * traefik-helm-chart v40.1.0 `values.yaml`, `ports.<name>.http3.enabled`, which `_podtemplate.tpl` renders as
 * `--entryPoints.<name>.http3`), so neither RKE2's nor K3s' own values turn it on: an HTTP/3 entry point applies no
 * `respondingTimeouts` (the read deadline is set on a TCP connection, which a QUIC stream has not), so a slow body
 * holds a request and an upstream connection for ever (GHSA-7ghq-v6jf-g56c, CVE-2026-88012: Traefik 2.8.2 to 2.11.55
 * and 3.0.0 to 3.7.11, fixed in 2.11.56 and 3.7.12). The pinned RKE2 (v1.36.3+rke2r1) ships Traefik v3.7.8. No
 * setting turns it on, and the load balancer forwards no UDP; lift this only with a pinned Traefik at or past
 * `TRAEFIK_HTTP3_FIXED_IN` (docs/development/traefik-read-timeout.md).
 */
export const TRAEFIK_HTTP3_FIXED_IN = { 'v2.11': '2.11.56', 'v3.7': '3.7.12' } as const;

/**
 * Traefik's values, one HelmChartConfig per chart: HTTP/3 off (`TRAEFIK_HTTP3_FIXED_IN`); the read timeout of the web entry points bounded
 * (`TRAEFIK_READ_TIMEOUT_SECONDS`, Traefik 3's default is 60 s); the idle timeout of keep-alive connections between
 * requests stays (Traefik's 180 s), unless a load balancer in front keeps them longer. Value names as rke2-charts'
 * rke2-traefik 40.1.009 and 41.2.001 (traefik-helm-chart 40.x/41.x `values.yaml`; `_podtemplate.tpl` renders
 * `respondingTimeouts.*` as `--entryPoints.<name>.transport.respondingTimeouts.*` arguments and joins
 * `forwardedHeaders.trustedIPs` with commas into one `--entryPoints.web.forwardedHeaders.trustedIPs` argument;
 * `extra-objects.yaml` renders `extraObjects`).
 */
export function traefikChartConfig(chart: string, options: TraefikChartOptions = {}): Record<string, unknown> {
  const hostPort = (port: number | undefined) => (port === undefined ? [] : [`    hostPort: ${port}`]);
  const behind = options.behindLoadBalancer;
  if (behind && behind.trustedIPs.length === 0) throw new Error('traefikChartConfig: behindLoadBalancer needs the networks it trusts (trustedIPs)');
  const lines = [
    'ports:',
    '  web:',
    ...hostPort(options.hostPorts?.web),
    ...(behind ? ['    forwardedHeaders:', '      trustedIPs:', ...behind.trustedIPs.map((cidr) => `        - ${cidr}`)] : []),
    '    http3:',
    '      enabled: false',
    '    transport:',
    '      respondingTimeouts:',
    `        readTimeout: '${TRAEFIK_READ_TIMEOUT_SECONDS}s'`,
    ...(behind ? [`        idleTimeout: '${behind.idleTimeoutSeconds}s'`] : []),
    '  websecure:',
    ...hostPort(options.hostPorts?.websecure),
    '    http3:',
    '      enabled: false',
    '    transport:',
    '      respondingTimeouts:',
    `        readTimeout: '${TRAEFIK_READ_TIMEOUT_SECONDS}s'`,
    '',
  ];
  const extraObjects = options.extraObjects?.length ? stringify({ extraObjects: options.extraObjects }) : '';
  return chartConfig(chart, lines.join('\n') + extraObjects);
}

/** The ServersTransport Traefik reaches Rancher's pods through with re-encryption (`rancher.tls.mode: rancher`). */
export const RANCHER_SERVERS_TRANSPORT = 'rancher';

/**
 * How Traefik trusts Rancher's own listener when it re-encrypts to it (`ingress.servicePort: 443`). Rancher's pods
 * serve 443 with a certificate dynamiclistener signs with the CA of secret `cattle-system/tls-rancher` (rancher/rancher
 * v2.14.3 `pkg/tls/tls.go`: CAName `tls-rancher`, default SANs `localhost`, `127.0.0.1`, `rancher.cattle-system`;
 * dynamiclistener v0.8.2 `server/server.go` getCA loads or generates it). Traefik (v3.7 `pkg/provider/kubernetes/crd`,
 * loadCASecret) reads a CA from a Secret's `tls.ca` or `ca.crt` key, or its only key: `tls-rancher` holds `tls.crt`
 * and `tls.key`, so it cannot be named directly. With Rancher's CA issuing the front certificate too (issuer
 * `rancher`: the chart's cert-manager CA Issuer signs from `tls-rancher`), cert-manager writes that CA as `ca.crt`
 * of `tls-rancher-ingress`, which Traefik reads: verified, by the name every Rancher listener certificate carries.
 * With another issuer no Secret holds Rancher's CA in a form Traefik reads: the transport does not verify, as
 * ingress-nginx with the chart's `backend-protocol: HTTPS` does not either (its `proxy-ssl-verify` is off by default);
 * the hop stays inside the cluster's pod network.
 */
export function rancherServersTransport(namespace: string, caSecret: string | undefined): Record<string, unknown> {
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'ServersTransport',
    metadata: { name: RANCHER_SERVERS_TRANSPORT, namespace },
    spec: caSecret ? { serverName: `rancher.${namespace}`, rootCAs: [{ secret: caSecret }] } : { insecureSkipVerify: true },
  };
}

/**
 * The annotation that sends Traefik to Rancher's Service through `rancherServersTransport` (a Service annotation of
 * Traefik's Ingress provider, `<namespace>-<name>@kubernetescrd`). The scheme needs none: Traefik speaks HTTPS to a
 * Service port numbered 443 or named `https*` (v3.7 `pkg/provider/kubernetes/ingress/kubernetes.go`, getProtocol), and
 * the chart's Service port 443 is both.
 */
export function rancherServersTransportAnnotation(namespace: string): Record<string, string> {
  return { 'traefik.ingress.kubernetes.io/service.serverstransport': `${namespace}-${RANCHER_SERVERS_TRANSPORT}@kubernetescrd` };
}

/**
 * While ingress-nginx still serves Rancher's ingress (a move off it, steps `beside` and `moved`): the same host,
 * certificate secret and backend as Rancher's chart's Ingress, of Traefik's class, so Traefik serves Rancher on its side
 * ports before the load balancer points there. RKE2's guide duplicates Ingresses the same way (its phase 2). As the
 * chart's (rancher/rancher v2.14.3 and v2.15.0 `chart/templates/ingate/ingress.yaml`): no `tls` with TLS at the load
 * balancer (`tlsSecret` unset; Traefik would route a TLS Ingress on its HTTPS entry point only, and the balancer
 * forwards plain HTTP), and the Service port of `ingress.servicePort` (443 re-encrypts to Rancher's pods).
 */
export function traefikBridgeIngress(
  hostname: string,
  namespace: string,
  backend: { readonly tlsSecret?: string; readonly servicePort: 80 | 443 },
): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'rancher-traefik', namespace },
    spec: {
      ingressClassName: 'traefik',
      ...(backend.tlsSecret ? { tls: [{ hosts: [hostname], secretName: backend.tlsSecret }] } : {}),
      rules: [
        {
          host: hostname,
          http: {
            paths: [
              { path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 'rancher', port: { number: backend.servicePort } } } },
            ],
          },
        },
      ],
    },
  };
}
