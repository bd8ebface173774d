/**
 * The cluster's ingress controller as a k8s-ha deployment names it, decided once from its settings: the class Rancher's
 * ingress asks for and the LoadBalancer Service whose address the Rancher record points at. The stack installs no
 * controller here; it names the cluster's. The settings reference (app/config/computed-defaults.ts) shows the defaults.
 */
export interface ExistingIngressPlan {
  /** `k8sHa.ingress.className`, or the default for the TLS mode (DEFAULT_INGRESS_CLASS). */
  readonly className: string;
  /** The class came from the default, not the settings: a running deployment must not follow it silently. */
  readonly classDefaulted: boolean;
  readonly service: { readonly namespace: string; readonly name: string };
}

/**
 * The class a new deployment names when `k8sHa.ingress.className` is unset: Traefik's, as its chart installs it (release
 * `traefik`: IngressClass `traefik`, controller `traefik.io/ingress-controller`). ingress-nginx was retired upstream in
 * March 2026.
 */
export const DEFAULT_INGRESS_CLASS = 'traefik';

/** The class kept when re-encryption (`rancher.tls.mode: rancher`) is asked for: it relies on ingress-nginx annotations. */
export const INGRESS_NGINX_CLASS = 'nginx';

/** Each class's usual LoadBalancer Service, when `k8sHa.ingress.service` leaves it out. */
const SERVICES: Readonly<Record<string, { readonly namespace: string; readonly name: string }>> = {
  // Traefik's chart installed as release `traefik` in namespace `traefik` (its docs' install): the Service is the release's full name.
  traefik: { namespace: 'traefik', name: 'traefik' },
};
/** ingress-nginx's chart as its docs install it; the default of every other class, as before Traefik was. */
const INGRESS_NGINX_SERVICE = { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' };

/** `k8sHa.ingress` as the settings give it (every field may be left out). */
export interface ExistingIngressSettings {
  readonly className?: string;
  readonly service?: { readonly namespace?: string; readonly name?: string };
}

export function existingIngressPlan(ingress: ExistingIngressSettings | undefined, tlsMode?: unknown): ExistingIngressPlan {
  const given = ingress?.className;
  const className = given ?? (tlsMode === 'rancher' ? INGRESS_NGINX_CLASS : DEFAULT_INGRESS_CLASS);
  const usual = SERVICES[className] ?? INGRESS_NGINX_SERVICE;
  return {
    className,
    classDefaulted: given === undefined,
    service: { namespace: ingress?.service?.namespace ?? usual.namespace, name: ingress?.service?.name ?? usual.name },
  };
}
