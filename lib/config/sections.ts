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
  /** Where TLS ends (`rancher.tls.mode`). */
  mode: TlsMode;
  /** Who issues the certificate (`rancher.tls.issuer`). */
  issuer: TlsIssuer;
  /** `blank`: the certificate chains to a private or self-signed CA. */
  privateCA: boolean;
  /** `blank`: a certificate file checked at synth against the hostname. */
  certificateFile?: string | undefined;
  /** `acme`: the Let's Encrypt account. */
  acme: {
    /** The account's e-mail. */
    email?: string | undefined;
    /** Let's Encrypt's environment; unset is `DEFAULT_ACME_ENVIRONMENT`. */
    environment?: 'production' | 'staging' | undefined;
  };
}

/** `rancher.auditLog`. */
export interface AuditLogSettings {
  /** Rancher writes an API audit log. */
  enabled: boolean;
  /** 0 metadata, 1 headers, 2 request bodies, 3 response bodies. */
  level: number;
  /** A sidecar container's standard output, or a file on the host. */
  destination: 'sidecar' | 'hostPath';
  /** Days a log file is kept. */
  maxAgeDays: number;
  /** Rotated files kept. */
  maxBackups: number;
  /** Size in MB at which a file is rotated. */
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
  /** The registry's host[:port]. */
  registry: string;
  /** An SSM SecureString parameter holding the login, by name or ARN. */
  ssmParameter?: string | undefined;
  /** A Secrets Manager secret holding the login, by name or ARN. */
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
  /** Where TLS ends (`docker.tls.mode`). */
  mode: DockerTlsMode;
  /** Who signs the certificate (`docker.tls.issuer`). */
  issuer: DockerTlsIssuer;
  /** `blank`: the certificate chains to a private or self-signed CA. */
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
  /** The operator, the bucket's writer and the scheduled backup are installed. */
  enabled: boolean;
  /** Five-field cron expression (UTC) of the recurring backup. */
  schedule: string;
  /** Scheduled backups the operator keeps. */
  retentionCount: number;
  /** `destroy` may delete the bucket with its backups. */
  forceDestroyBucket: boolean;
  /** What the operator writes with (`backups.credentials` in docs/settings.md). */
  credentials: 'servers' | 'accessKey' | 'irsa' | 'pod-identity';
  /** AWS account ids whose deployments may restore from the bucket. */
  readerAccounts: string[];
  /** A backup restored on the first apply (`backups.restoreFrom`). */
  restoreFrom?:
    | {
        /** The backup's file name. */
        file: string;
        /** Its bucket; unset is the deployment's own. */
        bucket?: string | undefined;
        /** Another hostname than the backup's deployment had is accepted. */
        newHostname: boolean;
        /** A bucket without this project's record is accepted. */
        unrecordedSource: boolean;
        /** A drill's restore: restored pods held, restored credentials deleted. */
        disarm: boolean;
        /** A restore onto the running deployment (the failback's): its own Restore object, prune on. */
        inPlace: boolean;
      }
    | undefined;
}

/** `standby` (rke-ha): a second region that holds a copy of the deployment's backups, and runs nothing. */
export interface StandbySettings {
  /** The standby's region (same partition, not the deployment's); unset: no standby. */
  region?: string | undefined;
}
