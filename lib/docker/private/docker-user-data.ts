import type { AirGapSettings, ProxySettings } from '../../config/sections';
import { httpsProxy, proxyEnabled } from '../../network/private/proxy';
import { bootFiles, cloudConfig, envFile, rootFile, scriptFile, shellFunctions, type WriteFile } from '../../nodes/private/boot-files';
import CLUSTER_LIB from '../../kubernetes/cluster-lib.sh';
import DOCKER_BOOTSTRAP from '../docker-bootstrap.sh';
import K3S_CERT_RENEWAL from '../k3s-cert-renewal.sh';
import { K3S_RENEW_WITHIN_DAYS, K3S_RENEWAL_UNIT } from './k3s-certificate-check';
import { UPGRADE_SNAPSHOT_TAG, upgradeSnapshotName } from '../data-volume';
import {
  CONTAINER_ENV_FILE,
  HOST_CONFIG_DIR,
  RANCHER_DATA_DIR,
  certificateFiles,
  hostProxyEnvironment,
  rancherEnvironment,
  rancherImage,
  rancherRunArgs,
  type RancherContainerInput,
} from './rancher-container';

export const DOCKER_BOOTSTRAP_PATH = '/usr/local/sbin/rancher-docker-bootstrap.sh';
export const K3S_RENEWAL_PATH = `/usr/local/sbin/${K3S_RENEWAL_UNIT}`;
export const DOCKER_ENV_PATH = `${HOST_CONFIG_DIR}/docker.env`;
/** The `docker run` arguments, one a line (no shell quoting involved). */
export const RUN_ARGS_PATH = `${HOST_CONFIG_DIR}/rancher-run.args`;
export const DOCKER_DROP_IN_PATH = '/etc/systemd/system/docker.service.d/rancher-aws.conf';
/** The Docker daemon's configuration; the docker.io package ships none, so cloud-init writes it before the install. */
export const DOCKER_DAEMON_CONFIG_PATH = '/etc/docker/daemon.json';
/** The only upstream the Docker daemon can mirror (`registry-mirrors` applies to Docker Hub alone). */
export const DOCKER_HUB = 'docker.io';

export interface DockerHostInput extends RancherContainerInput {
  readonly region: string;
  /** SSM path of the bootstrap password and certificate parameters (BootParameters.prefix). */
  readonly parameterPrefix: string;
  /** EBS volume mounted at /var/lib/rancher. */
  readonly dataVolumeId: string;
  /** The deployment's resource name prefix (`<name>-docker`): the upgrade snapshot's name and tag value. */
  readonly deploymentName: string;
  /** An expression that changes with the served certificate, so a new certificate replaces the host. */
  readonly certificateFingerprint?: string;
  /** The CloudWatch namespace the host sends its renewal's metrics to (alarms on). @default none: no metrics */
  readonly metricNamespace?: string;
}

/**
 * The K3s certificate renewal's units (k3s-cert-renewal.sh): a daily timer, two hours after boot at the earliest,
 * spread over an hour; a run missed while the host was off runs at the next boot's first chance.
 */
function renewalUnits(): WriteFile[] {
  const unitPath = (name: string) => `/etc/systemd/system/${name}`;
  return [
    rootFile(
      unitPath(`${K3S_RENEWAL_UNIT}.service`),
      '0644',
      [
        '[Unit]',
        "Description=rancher-aws renewal of the rancher container's K3s certificates (restarts the container when due)",
        'After=docker.service',
        'Requires=docker.service',
        '',
        '[Service]',
        'Type=oneshot',
        `ExecStart=${K3S_RENEWAL_PATH}`,
        '',
      ].join('\n'),
    ),
    rootFile(
      unitPath(`${K3S_RENEWAL_UNIT}.timer`),
      '0644',
      [
        '[Unit]',
        `Description=Runs ${K3S_RENEWAL_UNIT} daily`,
        '',
        '[Timer]',
        'OnBootSec=2h',
        'OnUnitActiveSec=1d',
        'RandomizedDelaySec=1h',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    ),
  ];
}

/** A systemd drop-in for docker.service: wait for the data volume, and use the proxy if any. */
function dockerDropIn(input: DockerHostInput): string {
  const lines = [
    '# Written by cloud-init (rancher-aws). Docker, and with it the rancher container,',
    "# starts only once Rancher's data volume is mounted: never on an empty directory.",
    '[Unit]',
    `RequiresMountsFor=${RANCHER_DATA_DIR}`,
  ];
  const proxy = hostProxyEnvironment(input.proxy, input.vpcRanges);
  if (proxy.length) lines.push('', '[Service]', ...proxy.map(([name, value]) => `Environment="${name}=${value}"`));
  return `${lines.join('\n')}\n`;
}

/** /etc/docker/daemon.json with `registry-mirrors` from `airGap.registryMirrors["docker.io"]`, or nothing without such mirrors. */
export function dockerDaemonConfig(airGap: AirGapSettings): WriteFile[] {
  const mirrors = airGap.registryMirrors[DOCKER_HUB] ?? [];
  if (mirrors.length === 0) return [];
  return [rootFile(DOCKER_DAEMON_CONFIG_PATH, '0644', `${JSON.stringify({ 'registry-mirrors': mirrors }, null, 2)}\n`)];
}

/** cloud-init's apt proxy settings (HTTPS through `httpsProxy`), or nothing without a proxy. */
function aptProxy(proxy: ProxySettings): Record<string, unknown> {
  if (!proxyEnabled(proxy)) return {};
  const apt: Record<string, string> = {};
  if (proxy.http) apt.http_proxy = proxy.http;
  apt.https_proxy = httpsProxy(proxy) as string;
  return { apt };
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
 * script, its env file, the container's arguments and environment, the
 * Docker drop-in and, with a Docker Hub mirror, the daemon's configuration. Holds no secret: the password and certificate files come
 * from SSM at boot.
 */
export function dockerUserData(input: DockerHostInput): string {
  const env: [string, string][] = [
    ['AWS_REGION', input.region],
    ['PARAMETER_PREFIX', input.parameterPrefix],
    ['DATA_VOLUME_ID', input.dataVolumeId],
    ['RANCHER_IMAGE', rancherImage(input.version, input.airGap.systemDefaultRegistry)],
    ['TLS_FILES', certificateFiles(input.tls).join(' ')],
    ['UPGRADE_SNAPSHOT_NAME', upgradeSnapshotName(input.deploymentName, input.version)],
    ['UPGRADE_SNAPSHOT_TAG', `${UPGRADE_SNAPSHOT_TAG}=${input.deploymentName}`],
  ];
  if (input.certificateFingerprint) env.push(['CERTIFICATE_SHA256', input.certificateFingerprint]);
  env.push(['RENEW_WITHIN_DAYS', String(K3S_RENEW_WITHIN_DAYS)]);
  if (input.metricNamespace) env.push(['RESTART_METRIC_NAMESPACE', input.metricNamespace]);
  env.push(...hostProxyEnvironment(input.proxy, input.vpcRanges));

  return cloudConfig({
    ...aptProxy(input.proxy),
    write_files: [
      // The signed AWS calls: the snapshot before an upgrade (EC2), the renewal's report (SSM) and metrics.
      ...bootFiles(shellFunctions(CLUSTER_LIB, ['aws_post', 'put_metric'])),
      ...dockerDaemonConfig(input.airGap),
      envFile(DOCKER_ENV_PATH, env),
      rootFile(RUN_ARGS_PATH, '0600', `${rancherRunArgs(input).join('\n')}\n`),
      rootFile(CONTAINER_ENV_FILE, '0600', containerEnvFile(input)),
      rootFile(DOCKER_DROP_IN_PATH, '0644', dockerDropIn(input)),
      scriptFile(DOCKER_BOOTSTRAP_PATH, DOCKER_BOOTSTRAP),
      scriptFile(K3S_RENEWAL_PATH, K3S_CERT_RENEWAL),
      ...renewalUnits(),
    ],
    runcmd: [[DOCKER_BOOTSTRAP_PATH]],
  });
}
