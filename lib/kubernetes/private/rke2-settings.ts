/** What the RKE2 node bootstrap needs to know; values may be Terraform tokens. */
export interface Rke2Settings {
  /** Exact release, e.g. v1.35.7+rke2r1. */
  readonly version: string;
  /** Extra names on the API server certificate (Rancher hostname, load balancer DNS name). */
  readonly tlsSans: string[];
  readonly ingressController: 'ingress-nginx' | 'traefik';
  readonly etcdSnapshots: {
    readonly scheduleCron: string;
    /** Snapshots kept per server on its disk; S3 keeps `S3_RETENTION_FACTOR` times as many for the cluster (rke2-config.ts). */
    readonly retention: number;
    readonly bucket: string;
    readonly region: string;
    readonly folder: string;
  };
  /** Installer script. @default https://get.rke2.io */
  readonly installUrl?: string;
  /** Registry for every system image (`system-default-registry`). */
  readonly systemDefaultRegistry?: string;
  /** Upstream registry → mirror endpoints, written to registries.yaml. */
  readonly registryMirrors?: Readonly<Record<string, readonly string[]>>;
  /** HTTP_PROXY / HTTPS_PROXY / NO_PROXY for the installer, RKE2 and containerd; empty: no proxy. */
  readonly proxyEnvironment?: readonly (readonly [string, string])[];
  /** RKE2's CIS profile with what the host and Rancher need (cis-profile.ts); unset: none. */
  readonly profile?: 'cis';
}

export const RKE2_INSTALL_URL = 'https://get.rke2.io';
