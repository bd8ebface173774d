import type { TlsSettings } from '../config/schema';

export interface RancherChartInput {
  /** Rancher's public name (may be a Terraform token). */
  readonly hostname: string;
  readonly replicas: number;
  /** Ingress class of the cluster's controller: `nginx` or `traefik`. */
  readonly ingressClassName: string;
  readonly tls: TlsSettings;
}

/**
 * The Rancher chart values for a TLS choice (DESIGN §4). Secrets are never
 * here: the bootstrap password goes through `set_sensitive`.
 */
export function rancherChartValues(input: RancherChartInput): Record<string, unknown> {
  return {
    hostname: input.hostname,
    replicas: input.replicas,
    ingress: {
      ingressClassName: input.ingressClassName,
      tls: { source: input.tls.issuer },
    },
  };
}

/** The class name each RKE2 ingress controller registers. */
export const INGRESS_CLASS: Readonly<Record<'ingress-nginx' | 'traefik', string>> = {
  'ingress-nginx': 'nginx',
  traefik: 'traefik',
};
