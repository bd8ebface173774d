import type { ServerOperatingSystem } from '../../config/sections';

import type { RegistryCredentialsSettings } from '../../config/sections';
import type { SuppliedSums } from '../../config/release-sums';

/** What the RKE2 node bootstrap needs to know; values may be Terraform tokens. */
export interface Rke2Settings {
  /** Exact release, e.g. v1.35.7+rke2r1. */
  readonly version: string;
  /** Extra names on the API server certificate (Rancher hostname, load balancer DNS name). */
  readonly tlsSans: string[];
  /** The packaged ingress controllers `ingress-controller` lists (both only while a deployment moves off ingress-nginx). */
  readonly ingressControllers: readonly ('ingress-nginx' | 'traefik')[];
  readonly etcdSnapshots: {
    readonly scheduleCron: string;
    /** Snapshots kept per server on its disk; S3 keeps `S3_RETENTION_FACTOR` times as many for the cluster (rke2-config.ts). */
    readonly retention: number;
    readonly bucket: string;
    readonly region: string;
    readonly folder: string;
  };
  /**
   * Installer script of a mirror (airGap.installerUrl), which must serve upstream's at the recorded sum; the release
   * file comes from its folder (release-files.ts). @default the recorded installer, from GitHub at its commit
   */
  readonly installUrl?: string;
  /**
   * SHA-256 sums of release files the project records none for, per version (`versions.releaseSums`): the servers
   * check the release file against them as against a recorded one. @default none: only recorded sums
   */
  readonly releaseSums?: SuppliedSums;
  /** The servers' CPU architecture: which release file is installed. @default 'x86_64' */
  readonly architecture?: 'x86_64' | 'arm64';
  /** Registry for every system image (`system-default-registry`). */
  readonly systemDefaultRegistry?: string;
  /** Upstream registry → mirror endpoints, written to registries.yaml. */
  readonly registryMirrors?: Readonly<Record<string, readonly string[]>>;
  /** The private registry's login, read at boot (registry-login.ts). */
  readonly registryCredentials?: Readonly<RegistryCredentialsSettings>;
  /** HTTP_PROXY / HTTPS_PROXY / NO_PROXY for the installer, RKE2 and containerd; empty: no proxy. */
  readonly proxyEnvironment?: readonly (readonly [string, string])[];
  /** Pods and services in IPv4 and IPv6, and the wait for the server's IPv6 address (dual-stack.ts). @default false */
  readonly dualStack?: boolean;

  /** The servers' operating system: the RHEL family adds SELinux and its host preparation (rhel-family.ts). @default 'ubuntu-24.04' */
  readonly operatingSystem?: ServerOperatingSystem;
  /**
   * The RHEL family behind closed egress (proxy.egressOnlyTo without a proxy): no repository is reachable, so the
   * distribution's SELinux policy must be on the image and the release comes from its verified file. @default false
   */
  readonly selinuxPolicyFromImage?: boolean;

  /** RKE2's CIS profile with what the host and Rancher need (cis-profile.ts); unset: none. */
  readonly profile?: 'cis';
}
