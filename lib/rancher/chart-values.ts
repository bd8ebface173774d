import { DEFAULT_ACME_ENVIRONMENT, type AuditLogSettings, type TlsSettings } from '../config/sections';
import { CA_ISSUER_NAME, CA_ISSUER_SECRET, INGRESS_SECRET, tlsPlan } from '../tls/tls-plan';
import { literalArgument } from '../common/terraform-template';
import { RANCHER_NAMESPACE } from './namespace';

/** What the Rancher chart's values are made from: name, replicas, ingress, TLS, audit log, proxy, air gap. */
export interface RancherChartInput {
  /** Rancher's public name (may be a Terraform token). */
  readonly hostname: string;
  /** Rancher pods (the chart's `replicas`). */
  readonly replicas: number;
  /** Ingress class of the cluster's controller: `nginx` or `traefik`. */
  readonly ingressClassName: string;
  /**
   * The controller behind that class, when the stack knows it. ingress-nginx
   * annotations are set unless it is Traefik (on a cluster the stack did not
   * build they are harmless for any other controller).
   */
  readonly ingressController?: 'ingress-nginx' | 'traefik';
  /** Where TLS ends and who issues the certificate (`rancher.tls`, resolved). */
  readonly tls: TlsSettings;
  /** API audit log; off unless enabled. */
  readonly auditLog?: AuditLogSettings;
  /** Annotations of Rancher's Service (`service.annotations`), e.g. how Traefik reaches it with re-encryption. */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  /** Further manifests for the chart's `extraObjects` (e.g. ingress controller settings the stack owns). */
  readonly extraObjects?: readonly Record<string, unknown>[];
  /** Outbound proxy for Rancher (one URL for HTTP and HTTPS in the chart) and what bypasses it. */
  readonly proxy?: {
    /** The proxy's URL. */
    readonly url: string;
    /** Hosts and networks reached directly (the chart's `noProxy`). */
    readonly noProxy: readonly string[];
  };
  /** Air gap: system image registry and bundled system charts. */
  readonly airGap?: {
    /** The registry of every system image (the chart's `systemDefaultRegistry`). @default none */
    readonly systemDefaultRegistry?: string;
    /** Use the system charts in Rancher's image (the chart's `useBundledSystemChart`). @default false */
    readonly useBundledSystemChart?: boolean;
  };
  /**
   * Whether Rancher manages the Kubernetes version of its own (local) RKE2/K3s
   * cluster: it would deploy a second system-upgrade-controller and its own
   * Plans. Off where the deployment upgrades the cluster itself. @default true (Rancher's own default)
   */
  readonly localVersionManagement?: boolean;
}

/**
 * Rancher's setting `imported-cluster-version-management` (2.14: default
 * true) as an environment variable, which Rancher reads before its stored
 * value: it decides for the local cluster and for imported clusters left at
 * `system-default`.
 */
export const VERSION_MANAGEMENT_ENV = 'CATTLE_IMPORTED_CLUSTER_VERSION_MANAGEMENT';

/**
 * Seconds ingress-nginx keeps an idle proxied connection open. Rancher's UI,
 * `kubectl` shells and logs, and the cluster agents' tunnels are websockets
 * that can stay idle for minutes; ingress-nginx cuts them after 60 s by
 * default. Charts before 2.14 set these (`includeDefaultExtraAnnotations`);
 * 2.14 no longer does.
 */
export const NGINX_PROXY_TIMEOUTS = {
  'nginx.ingress.kubernetes.io/proxy-connect-timeout': '30',
  'nginx.ingress.kubernetes.io/proxy-read-timeout': '1800',
  'nginx.ingress.kubernetes.io/proxy-send-timeout': '1800',
} as const;

/**
 * The chart's post-delete hook uninstalls the apps Rancher installed. It
 * exits non-zero when one of them takes longer than its timeout, which fails
 * the Helm uninstall and stops `destroy` before any AWS resource is removed;
 * the releases are gone either way, so a timeout is only logged. Rancher 2.14
 * also installs Turtles (`cattle-turtles-system`), which the chart's default
 * list leaves out.
 */
export const POST_DELETE = {
  ignoreTimeoutError: true,
  namespaceList: ['cattle-fleet-system', 'cattle-system', 'rancher-operator-system', 'cattle-turtles-system'],
} as const;

/** Rancher's agent-tls-mode for certificates from a public CA (chart value agentTLSMode, env CATTLE_AGENT_TLS_MODE). */
export const AGENT_TLS_SYSTEM_STORE = 'system-store';

/** Where audit log files land on the node with destination hostPath. */
export const AUDIT_LOG_HOST_PATH = '/var/log/rancher/audit/';

const INGRESS_SOURCE = { rancher: 'rancher', blank: 'secret', ca: 'secret', acme: 'letsEncrypt' } as const;

/**
 * The Rancher chart values for a TLS choice (DESIGN §4). Secrets are never
 * here: the bootstrap password goes through `set_sensitive` and certificate
 * material through Kubernetes secrets (RancherTlsSecrets).
 */
export function rancherChartValues(input: RancherChartInput): Record<string, unknown> {
  const plan = tlsPlan(input.tls);
  // Set explicitly: 2.12 and 2.13 default it to true, and annotations must not appear twice.
  const ingress: Record<string, unknown> = { ingressClassName: input.ingressClassName, includeDefaultExtraAnnotations: false };
  if (input.ingressController !== 'traefik') ingress.extraAnnotations = { ...NGINX_PROXY_TIMEOUTS };
  const values: Record<string, unknown> = {
    hostname: input.hostname,
    replicas: input.replicas,
    ingress,
    postDelete: { ...POST_DELETE, namespaceList: [...POST_DELETE.namespaceList] },
  };

  if (plan.atLoadBalancer) {
    values.tls = 'external';
  } else {
    ingress.tls = { source: INGRESS_SOURCE[plan.issuer] };
  }
  if (plan.issuer === 'acme' && !plan.atLoadBalancer) {
    values.letsEncrypt = {
      email: input.tls.acme.email,
      environment: input.tls.acme.environment ?? DEFAULT_ACME_ENVIRONMENT,
      ingress: { class: input.ingressClassName },
    };
  }
  // Re-encryption: the ingress still presents the front certificate, then
  // talks HTTPS to Rancher's own listener (the chart adds the nginx
  // backend-protocol annotation for port 443; Traefik speaks HTTPS to port 443
  // by itself and is told how to trust it by a Service annotation).
  if (plan.mode === 'rancher') ingress.servicePort = 443;
  if (input.serviceAnnotations && Object.keys(input.serviceAnnotations).length > 0) values.service = { annotations: { ...input.serviceAnnotations } };
  if (plan.privateCa) values.privateCA = true;
  // No CA published (a public CA's certificate): agents verify against their system store (TlsPlan.publishesCa).
  if (!plan.publishesCa) values.agentTLSMode = AGENT_TLS_SYSTEM_STORE;

  if (input.auditLog?.enabled) {
    const a = input.auditLog;
    values.auditLog = {
      enabled: true,
      level: a.level,
      destination: a.destination,
      ...(a.destination === 'hostPath' ? { hostPath: AUDIT_LOG_HOST_PATH } : {}),
      maxAge: a.maxAgeDays,
      maxBackup: a.maxBackups,
      maxSize: a.maxSizeMb,
    };
  }

  if (input.proxy) {
    values.proxy = input.proxy.url;
    values.noProxy = input.proxy.noProxy.join(',');
  }
  if (input.airGap?.systemDefaultRegistry) values.systemDefaultRegistry = input.airGap.systemDefaultRegistry;
  if (input.airGap?.useBundledSystemChart) values.useBundledSystemChart = true;
  if (input.localVersionManagement === false) values.extraEnv = [{ name: VERSION_MANAGEMENT_ENV, value: 'false' }];

  const extraObjects = [...(plan.caIssuer ? caIssuerObjects(input.hostname) : []), ...(input.extraObjects ?? [])];
  if (extraObjects.length > 0) values.extraObjects = extraObjects;
  // Values from the settings (an e-mail address, say) reach Terraform inside yamlencode(), whose arguments cdktf
  // escapes for `${` itself: only `%{` is escaped here (literalArgument), so the text arrives as written.
  return literalArgument(values);
}

/**
 * A cert-manager CA Issuer from the user's CA keypair and the Certificate it
 * writes into `tls-rancher-ingress`. Rendered by the Rancher chart, not by
 * `kubernetes_manifest`, which fails at plan time before the CRDs exist.
 */
function caIssuerObjects(hostname: string): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: CA_ISSUER_NAME, namespace: RANCHER_NAMESPACE },
      spec: { ca: { secretName: CA_ISSUER_SECRET } },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: INGRESS_SECRET, namespace: RANCHER_NAMESPACE },
      spec: {
        secretName: INGRESS_SECRET,
        commonName: hostname,
        dnsNames: [hostname],
        issuerRef: { name: CA_ISSUER_NAME, kind: 'Issuer' },
        privateKey: { rotationPolicy: 'Always' },
      },
    },
  ];
}

/** The class name each RKE2 ingress controller registers. */
export const INGRESS_CLASS: Readonly<Record<'ingress-nginx' | 'traefik', string>> = {
  'ingress-nginx': 'nginx',
  traefik: 'traefik',
};
