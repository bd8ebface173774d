/**
 * The props sections the three Rancher constructs share. They are plain
 * readonly interfaces, independent of the settings file's schema: the YAML
 * loader maps a settings file onto them (the shared sections have the same
 * names; each construct's own section, nested in a settings file under
 * `rkeHa`, `docker` or `k8sHa`, sits flat on its props), and each construct checks them
 * with its own schema, built from the settings file's sections and rules
 * (lib/config/deployment-schema.ts, through resolveProps), at synth.
 *
 * Stable: every prop declared here and its default. Values that may be
 * Terraform references are marked so; everything else must be a literal
 * (it shapes resource names, user data or the chart values at synth).
 */

import type { IResolvable } from 'cdktf';
import type { TlsIssuer, TlsMode } from '../config/sections';

export type { TlsIssuer, TlsMode };

/** Rancher's certificate: the TLS matrix of docs/tls.md (decisions: docs/design-notes.md, "TLS modes"). */
export interface TlsProps {
  /** The ingress controller, the AWS load balancer (`external`), or the Rancher pods (re-encryption). @default 'ingress' */
  readonly mode?: TlsMode;
  /** @default 'rancher' */
  readonly issuer?: TlsIssuer;
  /** `blank` only: the certificate chains to a private or self-signed CA. @default false */
  readonly privateCA?: boolean;
  /** `blank` only: a certificate file checked at synth against the hostname (never copied into the output). */
  readonly certificateFile?: string;
  /** `acme` only. */
  readonly acme?: {
    /** Let's Encrypt account e-mail; required with mode ingress or rancher. */
    readonly email?: string;
    /** @default 'production' */
    readonly environment?: 'production' | 'staging';
  };
}

/** Rancher's API audit log (the chart's `auditLog`). */
export interface AuditLogProps {
  /** @default false */
  readonly enabled?: boolean;
  /** 0 metadata, 1 headers, 2 request bodies, 3 response bodies. @default 0 */
  readonly level?: number;
  /** @default 'sidecar' */
  readonly destination?: 'sidecar' | 'hostPath';
  /** @default 1 */
  readonly maxAgeDays?: number;
  /** @default 1 */
  readonly maxBackups?: number;
  /** @default 100 */
  readonly maxSizeMb?: number;
}

/** The first login, in the apply (docs/deploy.md, "Log in"). */
export interface BootstrapProps {
  /**
   * Set the admin password and `server-url`, and output an admin API token.
   * `false`: none of it (log in with the bootstrap password; no token in
   * state); a bootstrap an earlier apply made is forgotten, not undone.
   * `true` is refused with a certificate nothing trusts (Let's Encrypt staging).
   * @default true, except `false` with Let's Encrypt staging at the ingress
   */
  readonly enabled?: boolean;
}

/** The Rancher release. */
export interface RancherProps {
  /** Helm repository: community `stable` or `latest`, or Rancher `prime`. @default 'stable' */
  readonly repository?: 'stable' | 'latest' | 'prime';
  /** @default 3 */
  readonly replicas?: number;
  /** Where TLS ends and who issues Rancher's certificate. @default TLS at the ingress, Rancher's own CA */
  readonly tls?: TlsProps;
  /** Rancher's API audit log. @default off */
  readonly auditLog?: AuditLogProps;
  /** The admin password, `server-url` and an API token, set in the apply. @default on (off with Let's Encrypt staging at the ingress) */
  readonly bootstrap?: BootstrapProps;
  /** The one hostname or CA change the agents guard accepts. @default none: a change that strands agents is refused */
  readonly acceptAgentChange?: AcceptAgentChangeProps;
}

/**
 * A change that strands downstream clusters' agents, accepted on purpose:
 * each field names the one new value it accepts, as the guard's refusal
 * prints it, and accepts no other (docs/day-2.md, "Rancher's name and CA").
 */
export interface AcceptAgentChangeProps {
  /** The new hostname. */
  readonly hostname?: string;
  /** The CA agents trust: `rancher-ca`, `public`, `letsencrypt-staging` or `private-ca sha256:<hex>`. */
  readonly ca?: string;
}

/** Pinned versions; each must fit the others (Rancher's supported Kubernetes range, cert-manager floor). */
export interface VersionsProps {
  /** @default the project's pin (lib/config/versions.ts) */
  readonly rancher?: string;
  /** @default the project's pin */
  readonly rke2?: string;
  /** @default the project's pin */
  readonly k3s?: string;
  /** @default the project's pin */
  readonly certManager?: string;
  /**
   * SHA-256 sums of release files the project records none for, per version and file name (a release's
   * `sha256sum-<arch>.txt` line, checked by you): `{ 'v1.35.8+rke2r1': { 'rke2.linux-amd64.tar.gz': '<sha256>' } }`.
   * @default {}
   */
  readonly releaseSums?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** An outbound HTTP(S) proxy for nodes and Rancher. */
export interface ProxyProps {
  /** The proxy's URL for HTTP (`http://host:port`, no credentials); `http` or `https` turns the proxy on. @default none */
  readonly http?: string;
  /** @default http */
  readonly https?: string;
  /** Added to the built-in bypass list (loopback, metadata, the VPC, cluster networks). @default [] */
  readonly noProxy?: readonly string[];
  /** Close the nodes' egress except to the VPC and these networks. @default [] (egress open) */
  readonly egressOnlyTo?: readonly string[];
}

/** Mirrors for installs that cannot pull from the internet. */
export interface AirGapProps {
  /** The registry every system image is pulled from (RKE2's and K3s' `system-default-registry`, Rancher's `systemDefaultRegistry`). @default none (public registries) */
  readonly systemDefaultRegistry?: string;
  /** @default {} */
  readonly registryMirrors?: Readonly<Record<string, readonly string[]>>;
  /** @default false */
  readonly useBundledSystemChart?: boolean;
  /** A mirror of Rancher's Helm repository (the chart of `rancher.repository`'s channel). @default Rancher's repository of that channel */
  readonly rancherChartRepository?: string;
  /** A mirror of cert-manager's Helm repository. @default 'https://charts.jetstack.io' */
  readonly certManagerChartRepository?: string;
  /** @default 'https://charts.rancher.io' */
  readonly rancherBackupChartRepository?: string;
  /** A mirror of the RKE2 / K3s installer script, serving upstream's bytes; the release file comes from its folder. @default GitHub, at fixed commits */
  readonly installerUrl?: string;
  /**
   * A login for one private registry, read by RancherOnRke's servers at boot: `registry` (host[:port], one the
   * servers pull from) and one of `ssmParameter` (a SecureString) or `secretsManagerSecret`, by name or ARN, holding
   * JSON `{"username": "...", "password": "..."}`. It never enters user data or Terraform state.
   */
  readonly registryCredentials?: {
    /** The registry's host[:port], one the servers pull from. */
    readonly registry: string;
    /** An SSM SecureString parameter holding the login, by name or ARN. */
    readonly ssmParameter?: string;
    /** A Secrets Manager secret holding the login, by name or ARN. */
    readonly secretsManagerSecret?: string;
  };
}

/** The time budget of each wait of a deploy, in minutes (docs/settings.md, `timeouts.*`). */
export interface TimeoutsProps {
  /** @default 20 */
  readonly apiMinutes?: number;
  /** @default 25 */
  readonly serversMinutes?: number;
  /** @default 10 */
  readonly ingressMinutes?: number;
  /** @default 10 */
  readonly certManagerMinutes?: number;
  /** @default 20 */
  readonly rancherMinutes?: number;
  /** @default 15 */
  readonly certificateMinutes?: number;
  /** Each server's in-place Kubernetes upgrade; the apply waits this long per server. @default 15 */
  readonly upgradeMinutes?: number;
  /** @default 15 */
  readonly pingMinutes?: number;
  /** @default 10 */
  readonly bootstrapMinutes?: number;
}

/** How Rancher's name comes to be (RancherOnRke, RancherOnDocker). */
export interface DnsProps {
  /**
   * `route53`: `hostname` in the Route53 zone `hostedZone`. `wildcard`: no
   * domain, for a trial: Rancher is named after an Elastic IP through a public
   * wildcard DNS service (`<a-b-c-d>.sslip.io`), and `hostname`/`hostedZone`
   * must be left out. Cannot change once deployed. @default 'route53'
   */
  readonly mode?: 'route53' | 'wildcard';
  /** `wildcard` only: the service resolving the name. @default 'sslip.io' */
  readonly wildcardDomain?: 'sslip.io' | 'nip.io';
}

/** CloudWatch alarms on what AWS measures, and their SNS topic (docs/day-2.md, "Alarms"). */
export interface AlarmsProps {
  /** @default true */
  readonly enabled?: boolean;
  /** An e-mail address subscribed to the alarm topic (AWS asks it to confirm). @default none */
  readonly email?: string;
}

/** Options for the VPC a construct creates (rke-ha, docker); refused with an existing network. */
export interface VpcProps {
  /** VPC flow logs and where they go. @default none */
  readonly flowLogs?: {
    /** @default 'none' */
    readonly destination?: 'none' | 'cloudwatch' | 's3';
    /** Days the records are kept. @default 90 */
    readonly retentionDays?: number;
  };
  /** VPC endpoints by service: `s3` (gateway, free), `ssm`, `ssmmessages`, `ec2messages`, `kms`, `sts`, `ec2`. @default [] */
  readonly endpoints?: readonly ('s3' | 'ssm' | 'ssmmessages' | 'ec2messages' | 'kms' | 'sts' | 'ec2')[];
}

/** Rancher's backups by the rancher-backup operator (RancherOnRke, RancherOnExistingCluster): docs/backups.md. */
export interface BackupsProps {
  /** Install the operator, the bucket's writer and the scheduled backup; off keeps the bucket and its backups. @default true */
  readonly enabled?: boolean;
  /** Five-field cron expression (UTC) of the recurring backup. @default '0 *\/6 * * *' */
  readonly schedule?: string;
  /** Scheduled backups the operator keeps. @default 28 */
  readonly retentionCount?: number;
  /** Let `destroy` delete the bucket with its backups; otherwise it is `prevent_destroy`. @default false */
  readonly forceDestroyBucket?: boolean;
  /**
   * What the operator writes with: `servers`, hour-long credentials of a backup role the servers obtain with their
   * instance role (RancherOnRke; no IAM user); `accessKey`, an IAM user's key in state (what RancherOnExistingCluster
   * takes `servers` as); `irsa` or `pod-identity`, a role EKS hands the operator's service account (RancherOnExistingCluster
   * with `eks.clusterName` only; no IAM user). @default 'servers'
   */
  readonly credentials?: 'servers' | 'accessKey' | 'irsa' | 'pod-identity';
  /** AWS account ids whose deployments may restore from this bucket (a migration into another account). @default [] */
  readonly readerAccounts?: readonly string[];
  /**
   * Restore this backup on the first apply, before Rancher is installed (migration): the file name the operator
   * wrote, and the bucket it is in (@default this deployment's bucket). Needs `rancher.bootstrap.enabled: false`.
   * The plan checks it first (docs/backups.md, "Preflight"); `newHostname` accepts another hostname than the
   * backup's deployment had, `unrecordedSource` a bucket without this project's record, `disarm` a drill's restore
   * that holds the restored Deployments' pods and deletes every credential restored before Rancher starts (all
   * @default false).
   */
  readonly restoreFrom?: {
    /** The backup's file name, as the operator wrote it. */
    readonly file: string;
    /** The bucket the file is in. @default this deployment's backup bucket */
    readonly bucket?: string;
    /** Accept another hostname than the backup's deployment had. @default false */
    readonly newHostname?: boolean;
    /** Accept a bucket without this project's record of its deployment. @default false */
    readonly unrecordedSource?: boolean;
    /** A drill's restore: hold the restored Deployments' pods and delete every restored credential before Rancher starts. @default false */
    readonly disarm?: boolean;
    /** A restore onto this deployment's running cluster (a failback): a Restore object of its own per file, prune on. @default false */
    readonly inPlace?: boolean;
  };
}

/** What every Rancher construct is told about the deployment, but its name. */
export interface CommonDeploymentProps {
  /**
   * The deployment's name (letters, digits, hyphens). Resource names start
   * with `<name>-<stack id>`, the nodes' SSM parameters live under
   * `/<name>/<stack id>`. @default 'rancher'
   */
  readonly name?: string;
  /** AWS region of the stack's AWS provider. @default 'us-east-1' */
  readonly region?: string;
  /** The Rancher release: channel, replicas, TLS, audit log, first login. */
  readonly rancher?: RancherProps;
  /** Pinned versions of Rancher, RKE2, K3s and cert-manager. @default the project's pins */
  readonly versions?: VersionsProps;
  /** An outbound HTTP(S) proxy. @default none */
  readonly proxy?: ProxyProps;
  /** Registry and chart mirrors for an install without internet. @default none (public registries and charts) */
  readonly airGap?: AirGapProps;
  /** How long each wait of a deploy may take. @default each wait's own budget */
  readonly timeouts?: TimeoutsProps;
  /** Ignored by RancherOnDocker (docs/backups.md, "The docker stack"). */
  readonly backups?: BackupsProps;
  /** CloudWatch alarms and their SNS topic. @default on, with no subscriber */
  readonly alarms?: AlarmsProps;
}

/** What every Rancher construct is told about the deployment, with Rancher's name in a Route53 zone. */
export interface DeploymentProps extends CommonDeploymentProps {
  /** Rancher's public name; may be a Terraform reference (a variable). */
  readonly hostname: string;
  /** The public Route53 hosted zone that holds `hostname`; may be a Terraform reference. */
  readonly hostedZone: string;
}

/**
 * Rancher's name for the constructs that own their public address
 * (RancherOnRke, RancherOnDocker): `hostname` and `hostedZone` with
 * `dns.mode` route53 (the default; both required), or neither with
 * `dns.mode` wildcard.
 */
export interface PublicNameProps {
  /** Rancher's public name; may be a Terraform reference (a variable). Required unless `dns.mode` is `wildcard`. */
  readonly hostname?: string;
  /** The public Route53 hosted zone that holds `hostname`; may be a Terraform reference. Required unless `dns.mode` is `wildcard`. */
  readonly hostedZone?: string;
  /** How Rancher's name comes to be: a Route53 record, or a wildcard DNS name for a trial. @default Route53 */
  readonly dns?: DnsProps;
}

/** What the constructs that build their own AWS side (RancherOnRke, RancherOnDocker) are told besides their mode's section. */
export interface AwsDeploymentProps extends CommonDeploymentProps, PublicNameProps {
  /**
   * Networks allowed to reach the nodes' admin ports (SSH with a key pair; with rke-ha, the Kubernetes API too); may be a
   * Terraform reference. `[]`: the deployer's public address (/32), looked up at plan time, as in a settings file.
   * A literal block inside a range reserved for documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
   * 2001:db8::/32) is refused, as in a settings file.
   */
  readonly adminCidrs: readonly string[];
  /**
   * IAM roles or users besides the one running Terraform that plan and apply
   * this deployment: the key policy lets them decrypt the boot parameters
   * (every plan reads them back). May be a Terraform reference. @default []
   */
  readonly deployerArns?: readonly string[];
  /**
   * Whether each plan reads the identity running Terraform (an IAM call for an assumed role: GetRole, served from
   * us-east-1) and lets it use the boot parameters' key beside `deployerArns`. False where a plan must make no IAM
   * call (a failover's standby), with every deployer in `deployerArns`. May be a Terraform reference. @default true
   */
  readonly readsDeployerSession?: boolean | IResolvable;
  /** Flow logs and endpoints of the VPC the construct creates. @default no flow logs, no endpoints */
  readonly vpc?: VpcProps;
}
