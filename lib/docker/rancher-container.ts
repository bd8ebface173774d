import type { DockerSettings, DockerTlsSettings } from '../config/docker-schema';
import { DEFAULT_AUDIT_LEVEL } from '../config/docker-schema';
import { RANCHER_PUBLIC_PORTS, type PortRule } from '../nodes/ports';

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
/** Non-secret container environment (audit log, proxy), written by cloud-init. */
export const CONTAINER_ENV_FILE = `${HOST_CONFIG_DIR}/rancher.env`;
/** CATTLE_BOOTSTRAP_PASSWORD, written by the bootstrap script from SSM; root only. */
export const SECRETS_ENV_FILE = `${HOST_CONFIG_DIR}/rancher-secrets.env`;
/** Where the container reads its certificate files (Rancher's Docker install docs). */
export const CONTAINER_SSL_DIR = '/etc/rancher/ssl';
export const AUDIT_LOG_HOST_DIR = '/var/log/rancher/auditlog';
export const AUDIT_LOG_CONTAINER_DIR = '/var/log/auditlog';
const HTTPS_PORT = 443;

/** Certificate files the container mounts from /etc/rancher/ssl. */
export type CertificateFile = 'cert' | 'key' | 'cacerts';

/** Names always left out of the proxy: loopback, instance metadata, cluster-internal names. */
export const BUILT_IN_NO_PROXY = ['localhost', '127.0.0.1', '0.0.0.0', '169.254.169.254', '.svc', '.cluster.local'] as const;

export function rancherImage(version: string): string {
  return `${RANCHER_IMAGE_REPOSITORY}:v${version}`;
}

/** Which files a certificate choice mounts: none for `rancher` and `acme`, cert and key for `blank` (+ CA when private), all three for `ca`. */
export function certificateFiles(tls: DockerTlsSettings): CertificateFile[] {
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
  readonly auditLog: DockerSettings['auditLog'];
  readonly proxy: DockerSettings['proxy'];
  /** The VPC range, kept out of the proxy. */
  readonly vpcCidr: string;
}

/**
 * `docker run` arguments (options, image, Rancher's own arguments), one list
 * element per argument. Options use the `--name=value` form so each line of
 * the arguments file reads on its own.
 */
export function rancherRunArgs(input: RancherContainerInput): string[] {
  const args = [
    `--name=${CONTAINER_NAME}`,
    '--detach',
    '--restart=unless-stopped',
    '--privileged',
    '--publish=80:80',
    '--publish=443:443',
    `--volume=${RANCHER_DATA_DIR}:${RANCHER_DATA_DIR}`,
    `--env-file=${CONTAINER_ENV_FILE}`,
    `--env-file=${SECRETS_ENV_FILE}`,
  ];
  if (input.auditLog.enabled) args.push(`--volume=${AUDIT_LOG_HOST_DIR}:${AUDIT_LOG_CONTAINER_DIR}`);
  for (const file of certificateFiles(input.tls)) args.push(`--volume=${HOST_SSL_DIR}/${file}.pem:${CONTAINER_SSL_DIR}/${file}.pem:ro`);
  args.push(rancherImage(input.version));
  // A certificate from a public CA: Rancher must not publish a CA of its own to agents.
  if (input.tls.issuer === 'blank' && !input.tls.privateCA) args.push('--no-cacerts');
  if (input.tls.issuer === 'acme') args.push('--acme-domain', input.hostname);
  return args;
}

/** NO_PROXY: the built-in names, the VPC and the user's additions, without repeats. */
export function noProxyList(vpcCidr: string, extra: readonly string[]): string[] {
  return [...new Set([...BUILT_IN_NO_PROXY, vpcCidr, ...extra])];
}

/** Proxy variables, empty when no proxy is configured. */
export function proxyEnvironment(proxy: DockerSettings['proxy'], vpcCidr: string): [string, string][] {
  if (!proxy.http && !proxy.https) return [];
  const env: [string, string][] = [];
  if (proxy.http) env.push(['HTTP_PROXY', proxy.http]);
  if (proxy.https) env.push(['HTTPS_PROXY', proxy.https]);
  env.push(['NO_PROXY', noProxyList(vpcCidr, proxy.noProxy).join(',')]);
  return env;
}

/** The container's non-secret environment: API audit log and proxy. */
export function rancherEnvironment(input: RancherContainerInput): [string, string][] {
  const env: [string, string][] = [];
  if (input.auditLog.enabled) {
    env.push(['AUDIT_LOG_ENABLED', 'true'], ['AUDIT_LEVEL', String(input.auditLog.level ?? DEFAULT_AUDIT_LEVEL)]);
  }
  return [...env, ...proxyEnvironment(input.proxy, input.vpcCidr)];
}

/** Ports open to the world: HTTPS always, HTTP only for Let's Encrypt's HTTP-01 challenge. */
export function publicPorts(tls: DockerTlsSettings): PortRule[] {
  return RANCHER_PUBLIC_PORTS.filter((rule) => rule.from === HTTPS_PORT || tls.issuer === 'acme');
}
