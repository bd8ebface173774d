import { join } from 'node:path';
import { bootFiles, cloudConfig, envFile, rootFile, scriptFile, shippedText } from '../nodes/boot-files';
import {
  CONTAINER_ENV_FILE,
  HOST_CONFIG_DIR,
  RANCHER_DATA_DIR,
  certificateFiles,
  proxyEnvironment,
  rancherEnvironment,
  rancherImage,
  rancherRunArgs,
  type RancherContainerInput,
} from './rancher-container';

export const DOCKER_BOOTSTRAP_PATH = '/usr/local/sbin/rancher-docker-bootstrap.sh';
export const DOCKER_ENV_PATH = `${HOST_CONFIG_DIR}/docker.env`;
/** The `docker run` arguments, one a line (no shell quoting involved). */
export const RUN_ARGS_PATH = `${HOST_CONFIG_DIR}/rancher-run.args`;
export const DOCKER_DROP_IN_PATH = '/etc/systemd/system/docker.service.d/rancher-aws.conf';

export interface DockerHostInput extends RancherContainerInput {
  readonly region: string;
  /** SSM path of the bootstrap password and certificate parameters (BootParameters.prefix). */
  readonly parameterPrefix: string;
  /** EBS volume mounted at /var/lib/rancher. */
  readonly dataVolumeId: string;
  /** An expression that changes with the served certificate, so a new certificate replaces the host. */
  readonly certificateFingerprint?: string;
}

/** A systemd drop-in for docker.service: wait for the data volume, and use the proxy if any. */
function dockerDropIn(input: DockerHostInput): string {
  const lines = [
    '# Written by cloud-init (rancher-aws). Docker, and with it the rancher container,',
    "# starts only once Rancher's data volume is mounted: never on an empty directory.",
    '[Unit]',
    `RequiresMountsFor=${RANCHER_DATA_DIR}`,
  ];
  const proxy = proxyEnvironment(input.proxy, input.vpcCidr);
  if (proxy.length) lines.push('', '[Service]', ...proxy.map(([name, value]) => `Environment="${name}=${value}"`));
  return `${lines.join('\n')}\n`;
}

/** Docker's --env-file format: NAME=value, taken literally (no quotes). */
function containerEnvFile(input: DockerHostInput): string {
  const lines = ['# Environment of the rancher container (no secrets: the password is in rancher-secrets.env).'];
  for (const [name, value] of rancherEnvironment(input)) {
    if (/\n/.test(value)) throw new Error(`${name} must not contain a newline`);
    lines.push(`${name}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The #cloud-config of the Docker host: the shared boot helpers, the bootstrap
 * script, its env file, the container's arguments and environment, and the
 * Docker drop-in. Holds no secret: the password and certificate files come
 * from SSM at boot.
 */
export function dockerUserData(input: DockerHostInput): string {
  const env: [string, string][] = [
    ['AWS_REGION', input.region],
    ['PARAMETER_PREFIX', input.parameterPrefix],
    ['DATA_VOLUME_ID', input.dataVolumeId],
    ['RANCHER_IMAGE', rancherImage(input.version)],
    ['TLS_FILES', certificateFiles(input.tls).join(' ')],
  ];
  if (input.certificateFingerprint) env.push(['CERTIFICATE_SHA256', input.certificateFingerprint]);
  env.push(...proxyEnvironment(input.proxy, input.vpcCidr));

  const apt = input.proxy.http || input.proxy.https ? { apt: { http_proxy: input.proxy.http, https_proxy: input.proxy.https } } : {};
  return cloudConfig({
    ...apt,
    write_files: [
      ...bootFiles(),
      envFile(DOCKER_ENV_PATH, env),
      rootFile(RUN_ARGS_PATH, '0600', `${rancherRunArgs(input).join('\n')}\n`),
      rootFile(CONTAINER_ENV_FILE, '0600', containerEnvFile(input)),
      rootFile(DOCKER_DROP_IN_PATH, '0644', dockerDropIn(input)),
      scriptFile(DOCKER_BOOTSTRAP_PATH, shippedText(join(__dirname, 'docker-bootstrap.sh'))),
    ],
    runcmd: [[DOCKER_BOOTSTRAP_PATH]],
  });
}

