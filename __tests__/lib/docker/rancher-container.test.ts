import { parseSettings } from '../../../lib/config/load';
import {
  BUILT_IN_NO_PROXY,
  certificateFiles,
  noProxyList,
  proxyEnvironment,
  publicPorts,
  rancherEnvironment,
  rancherImage,
  rancherRunArgs,
  type RancherContainerInput,
} from '../../../lib/docker/rancher-container';
import { DOCKER_RUN_BASE_ARGS as base, sslMount as ssl } from './support';

const docker = (section: Record<string, unknown> = {}) => parseSettings({ docker: section }, 'test').docker;
function input(section: Record<string, unknown> = {}): RancherContainerInput {
  const s = docker(section);
  return { version: '2.14.4', hostname: 'rancher.example.com', tls: s.tls, auditLog: s.auditLog, proxy: s.proxy, vpcCidr: s.vpcCidr };
}

describe('rancherRunArgs', () => {
  it.each([
    ['rancher', {}, [...base, 'rancher/rancher:v2.14.4']],
    ['blank', { privateCA: false }, [...base, ssl('cert'), ssl('key'), 'rancher/rancher:v2.14.4', '--no-cacerts']],
    ['blank', { privateCA: true }, [...base, ssl('cert'), ssl('key'), ssl('cacerts'), 'rancher/rancher:v2.14.4']],
    ['ca', {}, [...base, ssl('cert'), ssl('key'), ssl('cacerts'), 'rancher/rancher:v2.14.4']],
    ['acme', {}, [...base, 'rancher/rancher:v2.14.4', '--acme-domain', 'rancher.example.com']],
  ])('issuer %s %j', (issuer, extra, expected) => {
    expect(rancherRunArgs(input({ tls: { issuer, ...extra } }))).toEqual(expected);
  });

  it('mounts the audit log directory only when the log is enabled, before the image', () => {
    const args = rancherRunArgs(input({ auditLog: { enabled: true } }));
    expect(args.indexOf('--volume=/var/log/rancher/auditlog:/var/log/auditlog')).toBeLessThan(args.indexOf('rancher/rancher:v2.14.4'));
    expect(rancherRunArgs(input()).join(' ')).not.toContain('auditlog');
  });

  it('pins the image tag to the Rancher version', () => {
    expect(rancherImage('2.15.0')).toBe('rancher/rancher:v2.15.0');
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
    expect(certificateFiles({ issuer, privateCA })).toEqual(expected);
  });
});

describe('publicPorts', () => {
  it.each([
    ['rancher', [443]],
    ['blank', [443]],
    ['ca', [443]],
    ['acme', [80, 443]],
  ] as const)('%s opens %j', (issuer, ports) => {
    expect(publicPorts({ issuer, privateCA: false }).map((p) => p.from).sort((a, b) => a - b)).toEqual(ports);
  });
});

describe('environment', () => {
  it('is empty by default', () => {
    expect(rancherEnvironment(input())).toEqual([]);
  });

  it("turns on the audit log at Rancher's default level unless one is given", () => {
    expect(rancherEnvironment(input({ auditLog: { enabled: true } }))).toEqual([
      ['AUDIT_LOG_ENABLED', 'true'],
      ['AUDIT_LEVEL', '0'],
    ]);
    expect(rancherEnvironment(input({ auditLog: { enabled: true, level: 3 } }))).toContainEqual(['AUDIT_LEVEL', '3']);
  });

  it('keeps loopback, metadata, the VPC and cluster names out of the proxy, without repeats', () => {
    expect(noProxyList('10.0.0.0/16', ['localhost', '.corp'])).toEqual([...BUILT_IN_NO_PROXY, '10.0.0.0/16', '.corp']);
    expect(BUILT_IN_NO_PROXY).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '0.0.0.0', '169.254.169.254']));
  });

  it('sets only the proxies given, and NO_PROXY with either', () => {
    const s = docker({ proxy: { https: 'http://p:3128' } });
    expect(proxyEnvironment(s.proxy, s.vpcCidr)).toEqual([
      ['HTTPS_PROXY', 'http://p:3128'],
      ['NO_PROXY', noProxyList('10.0.0.0/16', []).join(',')],
    ]);
    expect(proxyEnvironment(docker().proxy, '10.0.0.0/16')).toEqual([]);
  });
});
