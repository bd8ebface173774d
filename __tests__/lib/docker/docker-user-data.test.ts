import { readFileSync } from 'node:fs';
import { compressedUpperBound } from '../../../lib/nodes/server-node';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  DOCKER_BOOTSTRAP_PATH,
  DOCKER_DAEMON_CONFIG_PATH,
  DOCKER_DROP_IN_PATH,
  K3S_RENEWAL_PATH,
  RUN_ARGS_PATH,
  dockerUserData,
} from '../../../lib/docker/private/docker-user-data';
import { rancherRunArgs } from '../../../lib/docker/private/rancher-container';
import { BOOT_LIB_PATH, shellFunctions } from '../../../lib/nodes/private/boot-files';
import { input, rendered, file, fullSettings, sampleUserData } from './docker-user-data.setup';

describe('dockerUserData', () => {
  const { plain, full } = sampleUserData();

  it('runs the bootstrap script once, and writes it and the shared helpers unchanged after Terraform rendering', () => {
    const doc = parse(plain);
    expect(doc.runcmd).toEqual([[DOCKER_BOOTSTRAP_PATH]]);
    expect(file(plain, DOCKER_BOOTSTRAP_PATH)).toMatchObject({
      permissions: '0700',
      content: readFileSync(join(__dirname, '../../../lib/docker/docker-bootstrap.sh'), 'utf8'),
    });
    // The shared helpers, and of cluster-lib.sh's only the signed AWS call and the metric (upgrade snapshot, renewal).
    const clusterLib = readFileSync(join(__dirname, '../../../lib/kubernetes/cluster-lib.sh'), 'utf8');
    expect(file(plain, BOOT_LIB_PATH).content).toBe(
      `${readFileSync(join(__dirname, '../../../lib/nodes/boot-lib.sh'), 'utf8')}\n${shellFunctions(clusterLib, ['aws_post', 'put_metric'])}`,
    );
  });

  it('writes the K3s certificate renewal, its daily timer (which the bootstrap enables once Rancher runs) and its settings', () => {
    expect(file(plain, K3S_RENEWAL_PATH)).toMatchObject({
      permissions: '0700',
      content: readFileSync(join(__dirname, '../../../lib/docker/k3s-cert-renewal.sh'), 'utf8'),
    });
    expect(file(plain, '/etc/systemd/system/rancher-aws-k3s-cert-renewal.service').content).toContain(
      `[Service]\nType=oneshot\nExecStart=${K3S_RENEWAL_PATH}\n`,
    );
    expect(file(plain, '/etc/systemd/system/rancher-aws-k3s-cert-renewal.timer').content).toContain(
      '[Timer]\nOnBootSec=2h\nOnUnitActiveSec=1d\nRandomizedDelaySec=1h\n',
    );
    expect(file(plain, DOCKER_BOOTSTRAP_PATH).content).toContain('  ensure_container\n  # Rancher runs');
    expect(file(plain, DOCKER_BOOTSTRAP_PATH).content).toContain('systemctl enable --now rancher-aws-k3s-cert-renewal.timer\n}');
    // The metrics go to the deployment's namespace only with alarms (the node role may write only there).
    expect(file(plain, '/etc/rancher-aws/docker.env').content).toContain('RENEW_WITHIN_DAYS="60"\n');
    expect(file(plain, '/etc/rancher-aws/docker.env').content).not.toContain('RESTART_METRIC_NAMESPACE');
    const withAlarms = rendered(dockerUserData(input({}, { metricNamespace: 'RancherHA/demo-docker' })));
    expect(file(withAlarms, '/etc/rancher-aws/docker.env').content).toContain('RESTART_METRIC_NAMESPACE="RancherHA/demo-docker"\n');
  });

  it('writes the docker run arguments one a line, exactly as built', () => {
    const args = file(full, RUN_ARGS_PATH);
    expect(args.permissions).toBe('0600');
    expect(args.content.trimEnd().split('\n')).toEqual(rancherRunArgs(input(fullSettings)));
    expect(args.content).toContain('\nregistry.internal:5000/rancher/rancher:v2.14.4\n');
  });

  it('writes the container environment in docker --env-file form (no quotes)', () => {
    expect(file(full, '/etc/rancher-aws/rancher.env').content).toMatch(
      /\nAUDIT_LOG_ENABLED=true\nAUDIT_LEVEL=1\nAUDIT_LOG_MAXAGE=1\nAUDIT_LOG_MAXBACKUP=1\nAUDIT_LOG_MAXSIZE=100\nCATTLE_SYSTEM_DEFAULT_REGISTRY=registry.internal:5000\nCATTLE_SYSTEM_CATALOG=bundled\nHTTP_PROXY=http:\/\/proxy:3128\nHTTPS_PROXY=http:\/\/proxy:3128\nNO_PROXY=[^\n"]+\n$/,
    );
    expect(file(plain, '/etc/rancher-aws/rancher.env').content).toBe(
      '# Environment of the rancher container (no secrets: the password is in rancher-secrets.env).\n',
    );
  });

  it('makes Docker wait for the data volume, and gives the daemon the proxy', () => {
    const dropIn = file(full, DOCKER_DROP_IN_PATH);
    expect(dropIn.permissions).toBe('0644');
    expect(dropIn.content).toContain('[Unit]\nRequiresMountsFor=/var/lib/rancher\n');
    expect(dropIn.content).toContain('[Service]\nEnvironment="HTTP_PROXY=http://proxy:3128"\nEnvironment="HTTPS_PROXY=http://proxy:3128"\n');
    expect(file(plain, DOCKER_DROP_IN_PATH).content).not.toContain('[Service]');
  });

  it('configures apt for the proxy only when there is one (https defaults to http)', () => {
    expect(parse(full).apt).toEqual({ http_proxy: 'http://proxy:3128', https_proxy: 'http://proxy:3128' });
    expect(parse(rendered(dockerUserData(input({ proxy: { https: 'http://tls-proxy:3129' } })))).apt).toEqual({
      https_proxy: 'http://tls-proxy:3129',
    });
    expect(parse(plain).apt).toBeUndefined();
  });

  it('gives the Docker daemon the docker.io mirrors only (registry-mirrors mirrors Docker Hub alone)', () => {
    const config = file(full, DOCKER_DAEMON_CONFIG_PATH);
    expect(config.permissions).toBe('0644');
    expect(JSON.parse(config.content)).toEqual({ 'registry-mirrors': ['https://mirror.internal', 'https://mirror2.internal:5000/hub'] });
    expect(file(plain, DOCKER_DAEMON_CONFIG_PATH)).toBeUndefined();
    const quayOnly = rendered(dockerUserData(input({ airGap: { registryMirrors: { 'quay.io': ['https://quay-mirror.internal'] } } })));
    expect(file(quayOnly, DOCKER_DAEMON_CONFIG_PATH)).toBeUndefined();
  });

  it('carries no secret', () => {
    expect(full).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    expect(full).not.toMatch(/CATTLE_BOOTSTRAP_PASSWORD=[^\n]/);
  });

  it('stays well under the 16 KiB EC2 user data limit once compressed (ServerNode sends it gzip-compressed)', () => {
    // 12 KiB, the servers' budget too: the host's scripts ship with their comments.
    expect(compressedUpperBound(full)).toBeLessThan(12 * 1024);
  });

  it('rejects env values that would break out of their quotes', () => {
    expect(() => dockerUserData(input({}, { parameterPrefix: '/a"; reboot' }))).toThrow(/PARAMETER_PREFIX/);
  });
});
