import type { AirGapSettings, AuditLogSettings, DockerTlsSettings, ProxySettings } from '../../config/sections';
import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../../config/primitives';
import { proxyEnvironment } from '../../network/private/proxy';
import type { PortRule } from '../../network/port-rule';
import { HTTPS_PORT, RANCHER_PUBLIC_PORTS } from '../../nodes/private/ports';
import type { CertificateFile } from '../certificate-file';
import { AGENT_TLS_SYSTEM_STORE } from '../../rancher/chart-values';
import { usesPrivateCa } from '../../tls/tls-plan';

/**
 * The `rancher/rancher` container of the Docker install, as plain data: the
 * `docker run` arguments and the container environment. The bootstrap script
 * runs exactly these arguments; the tests assert them per certificate choice.
 */

export const RANCHER_IMAGE_REPOSITORY = 'rancher/rancher';
export const CONTAINER_NAME = 'rancher';
/** Rancher's data directory, on the host and in the container: the EBS data volume is mounted here. */
export const RANCHER_DATA_DIR = '/var/lib/rancher';
/** Host directory of the container's configuration, written by cloud-init and the bootstrap script. */
export const HOST_CONFIG_DIR = '/etc/rancher-aws';
export const HOST_SSL_DIR = `${HOST_CONFIG_DIR}/ssl`;
/** Non-secret container environment (audit log, air gap, proxy), written by cloud-init. */
export const CONTAINER_ENV_FILE = `${HOST_CONFIG_DIR}/rancher.env`;
/** CATTLE_BOOTSTRAP_PASSWORD, written by the bootstrap script from SSM; root only. */
export const SECRETS_ENV_FILE = `${HOST_CONFIG_DIR}/rancher-secrets.env`;
/** Where the container reads its certificate files (Rancher's Docker install docs). */
export const CONTAINER_SSL_DIR = '/etc/rancher/ssl';
export const AUDIT_LOG_HOST_DIR = '/var/log/rancher/auditlog';
export const AUDIT_LOG_CONTAINER_DIR = '/var/log/auditlog';

/**
 * Pod and service networks of the K3s cluster inside the container (K3s
 * defaults, the same as RKE2's); `docker.vpcCidr` (or an existing subnet) may not overlap them.
 */
export const EMBEDDED_CLUSTER_NETWORKS = [RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR] as const;

/** The image, from `airGap.systemDefaultRegistry` when set (`<registry>/rancher/rancher:v<version>`). */
export function rancherImage(version: string, registry?: string): string {
  return `${registry ? `${registry}/` : ''}${RANCHER_IMAGE_REPOSITORY}:v${version}`;
}

/** Networks reached directly, never through the proxy: the VPC (`vpcRanges`, see RancherContainerInput) and the embedded cluster's networks. */
export function directNetworks(vpcRanges: string): string[] {
  return [vpcRanges, ...EMBEDDED_CLUSTER_NETWORKS];
}

/** HTTP_PROXY / HTTPS_PROXY / NO_PROXY of the host (Docker, apt, the bootstrap) and the container; empty without a proxy. */
export function hostProxyEnvironment(proxy: ProxySettings, vpcRanges: string): [string, string][] {
  return proxyEnvironment(proxy, directNetworks(vpcRanges));
}

/**
 * Which files a certificate choice mounts: none for `rancher` and `acme`, cert and key for `blank` (+ CA when
 * private), all three for `ca`. Behind a load balancer (mode `external`) only the CA, when it is private: the
 * certificate is the balancer's, and Rancher publishes the CA to agents (the Docker install docs' external load
 * balancer with a private CA).
 */
export function certificateFiles(tls: DockerTlsSettings): CertificateFile[] {
  if (tls.mode === 'external') return publishesCa(tls) ? ['cacerts'] : [];
  switch (tls.issuer) {
    case 'blank':
      return tls.privateCA ? ['cert', 'key', 'cacerts'] : ['cert', 'key'];
    case 'ca':
      return ['cert', 'key', 'cacerts'];
    default:
      return [];
  }
}

export interface RancherContainerInput {
  /** Rancher release, e.g. 2.14.4 (the image tag is `v<version>`). */
  readonly version: string;
  /** Rancher's public name (may be a Terraform token); `acme` asks Let's Encrypt for it. */
  readonly hostname: string;
  readonly tls: DockerTlsSettings;
  /** `rancher.auditLog`; `destination` does not apply: the files land on the host. */
  readonly auditLog: AuditLogSettings;
  /** The shared `proxy` settings. */
  readonly proxy: ProxySettings;
  /** The shared `airGap` settings; the container uses `systemDefaultRegistry` and `useBundledSystemChart`. */
  readonly airGap: AirGapSettings;
  /**
   * The VPC's ranges, kept out of the proxy: the range of a created VPC, or
   * a Terraform expression joining an existing VPC's ranges with commas.
   */
  readonly vpcRanges: string;
}

/** Whether the container publishes a CA to agents: its own (rancher), or the user's private CA. */
function publishesCa(tls: DockerTlsSettings): boolean {
  return tls.issuer === 'rancher' || usesPrivateCa(tls);
}

/**
 * `docker run` arguments (options, image, Rancher's own arguments), one list
 * element per argument. Options use the `--name=value` form so each line of
 * the arguments file reads on its own. Behind a load balancer the container
 * publishes port 80 only: the balancer forwards plain HTTP there.
 */
export function rancherRunArgs(input: RancherContainerInput): string[] {
  const external = input.tls.mode === 'external';
  const args = [
    `--name=${CONTAINER_NAME}`,
    '--detach',
    '--restart=unless-stopped',
    '--privileged',
    '--publish=80:80',
    ...(external ? [] : ['--publish=443:443']),
    `--volume=${RANCHER_DATA_DIR}:${RANCHER_DATA_DIR}`,
    `--env-file=${CONTAINER_ENV_FILE}`,
    `--env-file=${SECRETS_ENV_FILE}`,
  ];
  if (input.auditLog.enabled) args.push(`--volume=${AUDIT_LOG_HOST_DIR}:${AUDIT_LOG_CONTAINER_DIR}`);
  for (const file of certificateFiles(input.tls)) args.push(`--volume=${HOST_SSL_DIR}/${file}.pem:${CONTAINER_SSL_DIR}/${file}.pem:ro`);
  args.push(rancherImage(input.version, input.airGap.systemDefaultRegistry));
  // A certificate from a public CA: Rancher must not publish a CA of its own to agents.
  if (external) {
    if (!publishesCa(input.tls)) args.push('--no-cacerts');
  } else {
    if (input.tls.issuer === 'blank' && !input.tls.privateCA) args.push('--no-cacerts');
    if (input.tls.issuer === 'acme') args.push('--acme-domain', input.hostname);
  }
  return args;
}

/**
 * The container's non-secret environment: the API audit log (the variables
 * Rancher's chart sets), the air-gap settings of Rancher's Docker air-gap
 * install, and the proxy.
 */
export function rancherEnvironment(input: RancherContainerInput): [string, string][] {
  const env: [string, string][] = [];
  const audit = input.auditLog;
  if (audit.enabled) {
    env.push(
      ['AUDIT_LOG_ENABLED', 'true'],
      ['AUDIT_LEVEL', String(audit.level)],
      ['AUDIT_LOG_MAXAGE', String(audit.maxAgeDays)],
      ['AUDIT_LOG_MAXBACKUP', String(audit.maxBackups)],
      ['AUDIT_LOG_MAXSIZE', String(audit.maxSizeMb)],
    );
  }
  // --no-cacerts and --acme-domain publish no CA (nor does a public CA at a load balancer): agents verify against
  // their system store (Rancher 2.14's default, strict, makes them exit without a published CA).
  if (!publishesCa(input.tls)) env.push(['CATTLE_AGENT_TLS_MODE', AGENT_TLS_SYSTEM_STORE]);
  if (input.airGap.systemDefaultRegistry) env.push(['CATTLE_SYSTEM_DEFAULT_REGISTRY', input.airGap.systemDefaultRegistry]);
  if (input.airGap.useBundledSystemChart) env.push(['CATTLE_SYSTEM_CATALOG', 'bundled']);
  return [...env, ...hostProxyEnvironment(input.proxy, input.vpcRanges)];
}

/**
 * Ports open to the world: HTTPS always, HTTP only for Let's Encrypt's HTTP-01 challenge; none behind a load
 * balancer, which alone reaches the host (on 80).
 */
export function publicPorts(tls: DockerTlsSettings): PortRule[] {
  if (tls.mode === 'external') return [];
  return RANCHER_PUBLIC_PORTS.filter((rule) => rule.from === HTTPS_PORT || tls.issuer === 'acme');
}
