import {
  EMBEDDED_CLUSTER_NETWORKS,
  certificateFiles,
  directNetworks,
  hostProxyEnvironment,
  publicPorts,
  rancherEnvironment,
  rancherImage,
  rancherRunArgs,
} from '../../../lib/docker/private/rancher-container';
import { BUILT_IN_NO_PROXY } from '../../../lib/network/private/proxy';
import {
  DOCKER_RUN_BASE_ARGS as base,
  DOCKER_RUN_BEHIND_ALB_ARGS as behindAlb,
  containerInput as input,
  sslMount as ssl,
  type ContainerProps,
} from './support';

/** RancherOnDocker's flat props (`tls`); the tables below give the issuer and mode as plain strings. */
const docker = (props: Record<string, unknown>) => input(props as ContainerProps);
const auditLog = (log: NonNullable<NonNullable<ContainerProps['rancher']>['auditLog']>) => input({ rancher: { auditLog: log } });

describe('rancherRunArgs', () => {
  it.each([
    ['rancher', {}, [...base, 'rancher/rancher:v2.14.4']],
    ['blank', { privateCA: false }, [...base, ssl('cert'), ssl('key'), 'rancher/rancher:v2.14.4', '--no-cacerts']],
    ['blank', { privateCA: true }, [...base, ssl('cert'), ssl('key'), ssl('cacerts'), 'rancher/rancher:v2.14.4']],
    ['ca', {}, [...base, ssl('cert'), ssl('key'), ssl('cacerts'), 'rancher/rancher:v2.14.4']],
    ['acme', {}, [...base, 'rancher/rancher:v2.14.4', '--acme-domain', 'rancher.example.com']],
  ])('issuer %s %j', (issuer, extra, expected) => {
    expect(rancherRunArgs(docker({ tls: { issuer, ...extra } }))).toEqual(expected);
  });

  // The Docker install docs' external load balancer: the container on 80, --no-cacerts for a public certificate,
  // only cacerts.pem for a private CA; never the certificate or key (the balancer serves them), never --acme-domain.
  it.each([
    ['acme', {}, [...behindAlb, 'rancher/rancher:v2.14.4', '--no-cacerts']],
    ['blank', { privateCA: false }, [...behindAlb, 'rancher/rancher:v2.14.4', '--no-cacerts']],
    ['blank', { privateCA: true }, [...behindAlb, ssl('cacerts'), 'rancher/rancher:v2.14.4']],
    ['ca', {}, [...behindAlb, ssl('cacerts'), 'rancher/rancher:v2.14.4']],
  ])('behind a load balancer, issuer %s %j', (issuer, extra, expected) => {
    const container = docker({ tls: { mode: 'external', issuer, ...extra } });
    expect(rancherRunArgs(container)).toEqual(expected);
    // Agents check the ACM certificate against their system store exactly when Rancher publishes no CA.
    expect(rancherEnvironment(container)).toEqual(expected.includes('--no-cacerts') ? [['CATTLE_AGENT_TLS_MODE', 'system-store']] : []);
    expect(publicPorts(container.tls)).toEqual([]);
  });

  it('mounts the audit log directory only when the log is enabled, before the image', () => {
    const args = rancherRunArgs(auditLog({ enabled: true }));
    expect(args.indexOf('--volume=/var/log/rancher/auditlog:/var/log/auditlog')).toBeLessThan(args.indexOf('rancher/rancher:v2.14.4'));
    expect(rancherRunArgs(input()).join(' ')).not.toContain('auditlog');
  });

  it('pins the image tag to the Rancher version', () => {
    expect(rancherImage('2.15.0')).toBe('rancher/rancher:v2.15.0');
  });

  it('pulls the image from airGap.systemDefaultRegistry when set', () => {
    expect(rancherImage('2.15.0', 'registry.internal:5000')).toBe('registry.internal:5000/rancher/rancher:v2.15.0');
    const args = rancherRunArgs(input({ airGap: { systemDefaultRegistry: 'registry.internal:5000/mirror' }, tls: { issuer: 'acme' } }));
    expect(args.slice(-3)).toEqual(['registry.internal:5000/mirror/rancher/rancher:v2.14.4', '--acme-domain', 'rancher.example.com']);
  });
});

describe('certificateFiles', () => {
  it.each([
    ['rancher', false, []],
    ['acme', false, []],
    ['blank', false, ['cert', 'key']],
    ['blank', true, ['cert', 'key', 'cacerts']],
    ['ca', false, ['cert', 'key', 'cacerts']],
  ] as const)('%s (privateCA %s) → %j', (issuer, privateCA, expected) => {
    expect(certificateFiles({ mode: 'rancher', issuer, privateCA })).toEqual(expected);
  });

  it.each([
    ['acme', false, []],
    ['blank', false, []],
    ['blank', true, ['cacerts']],
    ['ca', false, ['cacerts']],
  ] as const)('behind a load balancer, %s (privateCA %s) → %j: a private CA only', (issuer, privateCA, expected) => {
    expect(certificateFiles({ mode: 'external', issuer, privateCA })).toEqual(expected);
  });
});

describe('publicPorts', () => {
  it.each([
    ['rancher', [443]],
    ['blank', [443]],
    ['ca', [443]],
    ['acme', [80, 443]],
  ] as const)('%s opens %j', (issuer, ports) => {
    expect(
      publicPorts({ mode: 'rancher', issuer, privateCA: false })
        .map((p) => p.from)
        .sort((a, b) => a - b),
    ).toEqual(ports);
  });
});

describe('environment', () => {
  it('is empty by default', () => {
    expect(rancherEnvironment(input())).toEqual([]);
  });

  // Rancher 2.14 defaults agent-tls-mode to strict: an agent exits when the server publishes no CA.
  it.each([
    ['rancher', {}, false],
    ['blank', { privateCA: false }, true],
    ['blank', { privateCA: true }, false],
    ['ca', {}, false],
    ['acme', {}, true],
  ])('issuer %s %j: agents verify against the system store exactly when no CA is published (%s)', (issuer, extra, systemStore) => {
    const env = rancherEnvironment(docker({ tls: { issuer, ...extra } }));
    expect(env).toEqual(systemStore ? [['CATTLE_AGENT_TLS_MODE', 'system-store']] : []);
    // The CA is withheld exactly then: --no-cacerts, or --acme-domain.
    const args = rancherRunArgs(docker({ tls: { issuer, ...extra } }));
    expect(args.includes('--no-cacerts') || args.includes('--acme-domain')).toBe(systemStore);
  });

  it("turns on the audit log from rancher.auditLog with the variables of Rancher's chart (defaults: level 0, rotation 1 day, 1 file, 100 MB)", () => {
    expect(rancherEnvironment(auditLog({ enabled: true }))).toEqual([
      ['AUDIT_LOG_ENABLED', 'true'],
      ['AUDIT_LEVEL', '0'],
      ['AUDIT_LOG_MAXAGE', '1'],
      ['AUDIT_LOG_MAXBACKUP', '1'],
      ['AUDIT_LOG_MAXSIZE', '100'],
    ]);
    expect(rancherEnvironment(auditLog({ enabled: true, level: 3, maxAgeDays: 7, maxBackups: 5, maxSizeMb: 200, destination: 'hostPath' }))).toEqual([
      ['AUDIT_LOG_ENABLED', 'true'],
      ['AUDIT_LEVEL', '3'],
      ['AUDIT_LOG_MAXAGE', '7'],
      ['AUDIT_LOG_MAXBACKUP', '5'],
      ['AUDIT_LOG_MAXSIZE', '200'],
    ]);
  });

  it('sets nothing for a level without enabled (the shared setting is off unless enabled)', () => {
    expect(rancherEnvironment(auditLog({ level: 2 }))).toEqual([]);
    expect(rancherRunArgs(auditLog({ level: 2 })).join(' ')).not.toContain('auditlog');
  });

  it("sets the air-gap variables of Rancher's Docker air-gap install", () => {
    expect(rancherEnvironment(input({ airGap: { systemDefaultRegistry: 'registry.internal:5000', useBundledSystemChart: true } }))).toEqual([
      ['CATTLE_SYSTEM_DEFAULT_REGISTRY', 'registry.internal:5000'],
      ['CATTLE_SYSTEM_CATALOG', 'bundled'],
    ]);
    expect(rancherEnvironment(input({ airGap: { useBundledSystemChart: true } }))).toEqual([['CATTLE_SYSTEM_CATALOG', 'bundled']]);
  });

  it('ignores the air-gap settings that do not apply to the container (mirrors, chart repositories, installer)', () => {
    const other = input({
      airGap: {
        registryMirrors: { 'docker.io': ['https://mirror.internal'] },
        rancherChartRepository: 'https://charts.internal/rancher',
        certManagerChartRepository: 'https://charts.internal/jetstack',
        installerUrl: 'https://mirror.internal/install.sh',
      },
    });
    expect(rancherEnvironment(other)).toEqual([]);
    expect(rancherRunArgs(other)).toEqual(rancherRunArgs(input()));
  });

  it('keeps loopback, metadata, the VPC and the embedded K3s networks out of the proxy', () => {
    expect(EMBEDDED_CLUSTER_NETWORKS).toEqual(['10.42.0.0/16', '10.43.0.0/16']);
    expect(directNetworks('172.20.0.0/24')).toEqual(['172.20.0.0/24', '10.42.0.0/16', '10.43.0.0/16']);
    const proxy = input({ proxy: { http: 'http://p:3128', noProxy: ['.corp', 'localhost'] } }).proxy;
    expect(hostProxyEnvironment(proxy, '10.0.0.0/16')).toEqual([
      ['HTTP_PROXY', 'http://p:3128'],
      ['HTTPS_PROXY', 'http://p:3128'],
      ['NO_PROXY', [...BUILT_IN_NO_PROXY, '10.0.0.0/16', '10.42.0.0/16', '10.43.0.0/16', '.corp'].join(',')],
    ]);
  });

  it('gives the container the shared proxy after the audit and air-gap variables', () => {
    const env = rancherEnvironment(
      input({ proxy: { https: 'http://p:3128' }, rancher: { auditLog: { enabled: true } }, airGap: { useBundledSystemChart: true } }),
    );
    expect(env.map(([name]) => name)).toEqual([
      'AUDIT_LOG_ENABLED',
      'AUDIT_LEVEL',
      'AUDIT_LOG_MAXAGE',
      'AUDIT_LOG_MAXBACKUP',
      'AUDIT_LOG_MAXSIZE',
      'CATTLE_SYSTEM_CATALOG',
      'HTTPS_PROXY',
      'NO_PROXY',
    ]);
    expect(rancherEnvironment(input())).toEqual([]);
  });
});
