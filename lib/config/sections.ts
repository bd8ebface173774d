/**
 * The settings sections the domain constructs take, with their defaults
 * filled in, as plain types. The settings schemas produce exactly these (each
 * schema file holds its output type equal to the one here, at compile time);
 * they live apart so that the package's public declarations name no type of
 * the schema library and a consumer compiles none of its declarations.
 */

/** Where TLS ends, in the Rancher HA docs' terms. */
export const TLS_MODES = ['ingress', 'external', 'rancher'] as const;
/** Who issues the certificate: Rancher's own CA, the user (blank), the user's CA through cert-manager (ca), Let's Encrypt (acme). */
export const TLS_ISSUERS = ['rancher', 'blank', 'ca', 'acme'] as const;
/** Where TLS ends: `ingress` (the ingress controller), `external` (the AWS load balancer), `rancher` (the Rancher pods). @useDeclaredType */
export type TlsMode = (typeof TLS_MODES)[number];
/** Who issues Rancher's certificate: `rancher` (Rancher's own CA), `blank` (yours), `ca` (your CA, through cert-manager), `acme` (Let's Encrypt). @useDeclaredType */
export type TlsIssuer = (typeof TLS_ISSUERS)[number];

/** Let's Encrypt's environment when `rancher.tls.acme.environment` is left out. */
export const DEFAULT_ACME_ENVIRONMENT = 'production';

/** `rancher.tls` (rke-ha, k8s-ha). */
export interface TlsSettings {
  mode: TlsMode;
  issuer: TlsIssuer;
  privateCA: boolean;
  certificateFile?: string | undefined;
  acme: { email?: string | undefined; environment?: 'production' | 'staging' | undefined };
}

/** `rancher.auditLog`. */
export interface AuditLogSettings {
  enabled: boolean;
  level: number;
  destination: 'sidecar' | 'hostPath';
  maxAgeDays: number;
  maxBackups: number;
  maxSizeMb: number;
}

/** `airGap`. */
export interface AirGapSettings {
  systemDefaultRegistry?: string | undefined;
  registryMirrors: Record<string, string[]>;
  useBundledSystemChart: boolean;
  rancherChartRepository?: string | undefined;
  certManagerChartRepository?: string | undefined;
  rancherBackupChartRepository?: string | undefined;
  installerUrl?: string | undefined;
  registryCredentials?: RegistryCredentialsSettings | undefined;
}

/** `airGap.registryCredentials`: one private registry's login, from one store. */
export interface RegistryCredentialsSettings {
  registry: string;
  ssmParameter?: string | undefined;
  secretsManagerSecret?: string | undefined;
}

/** `proxy`. */
export interface ProxySettings {
  http?: string | undefined;
  https?: string | undefined;
  noProxy: string[];
  egressOnlyTo: string[];
}

/** Issuers of the Docker install docs: who signs the certificate the container serves. */
export const DOCKER_TLS_ISSUERS = ['rancher', 'blank', 'ca', 'acme'] as const;
/** Who signs the certificate the container serves: `rancher`, `blank`, `ca` or `acme`. @useDeclaredType */
export type DockerTlsIssuer = (typeof DOCKER_TLS_ISSUERS)[number];
/** Where TLS ends: in the Rancher container (the Docker install's default), or at an AWS load balancer in front of it. */
export const DOCKER_TLS_MODES = ['rancher', 'external'] as const;
/** Where TLS ends: `rancher` (in the container) or `external` (at an ALB in front of it). @useDeclaredType */
export type DockerTlsMode = (typeof DOCKER_TLS_MODES)[number];

/** `docker.tls`. */
export interface DockerTlsSettings {
  mode: DockerTlsMode;
  issuer: DockerTlsIssuer;
  privateCA: boolean;
}

/**
 * The operating systems the rke-ha servers can run, each with its image lookup (lib/nodes/server-image.ts) and its
 * user data: Canonical's Ubuntu 24.04 LTS, and the RHEL family that Rancher's support matrix lists for RKE2 and
 * K3s servers (Red Hat's RHEL 9, the Rocky Enterprise Software Foundation's Rocky Linux 9), which the servers run
 * with SELinux enforcing.
 */
export const SERVER_OPERATING_SYSTEMS = ['ubuntu-24.04', 'rhel-9', 'rocky-9'] as const;
/** The servers' operating system: `ubuntu-24.04`, `rhel-9` or `rocky-9`. @useDeclaredType */
export type ServerOperatingSystem = (typeof SERVER_OPERATING_SYSTEMS)[number];
/** The operating systems of the RHEL family: dnf, SELinux enforcing, NetworkManager with nm-cloud-setup. */
export function rhelFamily(os: ServerOperatingSystem | undefined): boolean {
  return os === 'rhel-9' || os === 'rocky-9';
}

/**
 * Whether the servers take their SELinux policy from the image: the RHEL family behind closed egress without a proxy
 * (`proxy.egressOnlyTo` and no `proxy.http`/`https`), where no package repository is reachable.
 */
export function selinuxPolicyFromImage(
  os: ServerOperatingSystem | undefined,
  proxy: { readonly egressOnlyTo: readonly string[]; readonly http?: string; readonly https?: string },
): boolean {
  return rhelFamily(os) && proxy.egressOnlyTo.length > 0 && !proxy.http && !proxy.https;
}

/** The CPU architectures of the servers' images: x86_64 (Intel, AMD) and arm64 (AWS Graviton). */
export const SERVER_ARCHITECTURES = ['x86_64', 'arm64'] as const;

/**
 * Whether A and B are the same type, optional and readonly modifiers included: mutual assignability alone would
 * pass a schema with an optional field its section lacks (`{ a: string; b?: string }` and `{ a: string }` are each
 * assignable to the other). The compiler compares the two deferred conditional types only when A and B are
 * identical.
 */
export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only with `true`: `Expect<SameType<z.output<typeof schema>, Section>>` holds a schema's output to its section here. */
export type Expect<T extends true> = T;

/** `backups` (rke-ha, k8s-ha): Rancher's own backups by the rancher-backup operator. */
export interface BackupsSettings {
  enabled: boolean;
  schedule: string;
  retentionCount: number;
  forceDestroyBucket: boolean;
  credentials: 'servers' | 'accessKey' | 'irsa' | 'pod-identity';
  readerAccounts: string[];
  restoreFrom?: { file: string; bucket?: string | undefined; newHostname: boolean; unrecordedSource: boolean; disarm: boolean } | undefined;
}
