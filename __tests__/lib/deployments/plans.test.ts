import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rancherOnRkeSchema } from '../../../lib/config/deployment-schema';
import type { RancherOnRkeProps } from '../../../lib/deployments/rancher-on-rke-props';
import { backupsPlan } from '../../../lib/deployments/private/backups-plan';
import { clusterPlan } from '../../../lib/deployments/private/cluster-plan';
import { existingIngressPlan } from '../../../lib/config/private/existing-ingress-plan';
import { rkeNetworkPlan } from '../../../lib/deployments/private/network-plan';
import { resolveProps } from '../../../lib/deployments/private/resolve-props';

/**
 * Each deployment is resolved once into plans (cluster, network, backups); the steps read them. The plans are what
 * the settings reference shows as computed defaults (app/config/computed-defaults.ts runs them too:
 * __tests__/app/config/computed-defaults.test.ts).
 */

/** RancherOnRke's props resolved, as its plans take them. */
const rke = (props: Partial<RancherOnRkeProps> | Record<string, unknown> = {}) =>
  resolveProps(rancherOnRkeSchema, { hostname: 'rancher.example.com', hostedZone: 'example.com', ...props }, 'rkeHa', 'RancherOnRke plans');
const names = { name: 'rancher-rke-ha', stackId: 'rke-ha' };

describe('existingIngressPlan', () => {
  it.each([
    ['unset', undefined, undefined, { className: 'traefik', classDefaulted: true, service: { namespace: 'traefik', name: 'traefik' } }],
    [
      'unset, re-encryption',
      undefined,
      'rancher',
      { className: 'nginx', classDefaulted: true, service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } },
    ],
    [
      'nginx',
      { className: 'nginx' },
      undefined,
      { className: 'nginx', classDefaulted: false, service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } },
    ],
    [
      'traefik named',
      { className: 'traefik' },
      undefined,
      { className: 'traefik', classDefaulted: false, service: { namespace: 'traefik', name: 'traefik' } },
    ],
    // Any other class keeps the Service default it had before Traefik was the default.
    [
      'another class',
      { className: 'haproxy' },
      undefined,
      { className: 'haproxy', service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } },
    ],
    [
      'a Service half given',
      { service: { namespace: 'kube-system' } },
      undefined,
      { className: 'traefik', service: { namespace: 'kube-system', name: 'traefik' } },
    ],
  ])('%s', (_case, ingress, mode, expected) => {
    expect(existingIngressPlan(ingress, mode)).toMatchObject(expected);
  });
});

describe('clusterPlan', () => {
  it.each([
    ['rke2', {}, { nodeCount: 3, ingressController: 'traefik', embeddedEtcd: true, quorumGuard: true }],
    ['rke2, ingress-nginx', { ingressController: 'ingress-nginx' }, { ingressController: 'ingress-nginx' }],
    ['k3s', { distribution: 'k3s' }, { nodeCount: 2, ingressController: 'traefik', embeddedEtcd: false, quorumGuard: false }],
    ['rke2, one server', { nodeCount: 1 }, { nodeCount: 1, quorumGuard: true }],
    ['rke2, allowQuorumLoss', { allowQuorumLoss: true }, { nodeCount: 3, quorumGuard: false }],
    ['rke2, traefik', { ingressController: 'traefik' }, { ingressController: 'traefik' }],
  ])('%s', (_case, rkeHa, expected) => {
    expect(clusterPlan(rke(rkeHa))).toMatchObject(expected);
  });

  it("the servers' architecture: the setting, or the looked-up image's; with a pinned image, the instance type's", () => {
    expect(clusterPlan(rke()).architecture).toBe('x86_64');
    expect(clusterPlan(rke({ architecture: 'arm64', instanceType: 'm7g.xlarge' })).architecture).toBe('arm64');
    const pinned = clusterPlan(rke({ amiId: 'ami-0123456789abcdef0' }));
    expect([pinned.architecture, pinned.architectureFromInstanceType, pinned.releaseArchitecture]).toEqual(['x86_64', true, 'x86_64']);
    const graviton = clusterPlan(rke({ amiId: 'ami-0123456789abcdef0', instanceType: 'm7g.xlarge' }));
    expect([graviton.architecture, graviton.architectureFromInstanceType, graviton.releaseArchitecture]).toEqual(['arm64', true, 'arm64']);
  });

  it("installs the release file (and checks its sum) but for RKE2 on the RHEL family, which takes Rancher's RPMs unless egress is closed", () => {
    expect(clusterPlan(rke()).installsReleaseFile).toBe(true);
    expect(clusterPlan(rke({ distribution: 'k3s', operatingSystem: 'rhel-9' })).installsReleaseFile).toBe(true);
    expect(clusterPlan(rke({ operatingSystem: 'rocky-9' })).installsReleaseFile).toBe(false);
    expect(clusterPlan({ ...rke({ operatingSystem: 'rocky-9' }), proxy: { egressOnlyTo: ['10.0.0.0/8'] } }).installsReleaseFile).toBe(true);
    expect(
      clusterPlan({ ...rke({ operatingSystem: 'rocky-9' }), proxy: { egressOnlyTo: ['10.0.0.0/8'], http: 'http://p:3128' } }).installsReleaseFile,
    ).toBe(false);
  });

  it('takes the version and ingress chart of its distribution', () => {
    const s = rke({ distribution: 'k3s' });
    const plan = clusterPlan(s);
    expect(plan.kubernetesVersion).toBe(s.versions.k3s);
    expect(plan.ingress.chart).toBe('traefik');
    expect(clusterPlan(rke()).kubernetesVersion).toBe(s.versions.rke2);
    expect(clusterPlan(rke({ ingressController: 'traefik' })).ingress.chart).toBe('rke2-traefik');
  });
});

describe('rkeNetworkPlan', () => {
  it('a network of its own: the default range, one NAT gateway per zone', () => {
    expect(rkeNetworkPlan(rke())).toEqual({ vpcCidr: '10.0.0.0/16', privateNodes: false, natGateways: 'per-zone', dualStack: false });
    expect(rkeNetworkPlan(rke({ privateNodes: true, natGateways: 'single', vpcCidr: '10.8.0.0/16' }))).toEqual({
      vpcCidr: '10.8.0.0/16',
      privateNodes: true,
      natGateways: 'single',
      dualStack: false,
    });
  });
});

describe('backupsPlan', () => {
  it('rke2: etcd snapshots in the folder of the stack id; events topic only when asked for', () => {
    const plan = backupsPlan(rke(), names);
    expect(plan.etcdSnapshots).toMatchObject({ folder: 'rke-ha', scheduleCron: '0 */6 * * *', eventsTopic: undefined });
    expect(backupsPlan(rke({ etcdSnapshots: { eventNotifications: true } }), names).etcdSnapshots?.eventsTopic).toBe('rancher-rke-ha-etcd-events');
  });

  it('k3s: no snapshot bucket (the datastore keeps the state)', () => {
    expect(backupsPlan(rke({ distribution: 'k3s' }), names).etcdSnapshots).toBeUndefined();
  });

  it("Rancher's backups: the servers' role with backups on; the operator uses it with credentials servers", () => {
    expect(backupsPlan(rke(), names)).toMatchObject({ rancherBackups: true, backupRole: true, operatorUsesBackupRole: true });
    expect(backupsPlan(rke({ backups: { credentials: 'accessKey' } }), names)).toMatchObject({
      backupRole: true,
      operatorUsesBackupRole: false,
    });
    expect(backupsPlan(rke({ backups: { enabled: false } }), names)).toMatchObject({
      rancherBackups: false,
      backupRole: false,
      operatorUsesBackupRole: false,
    });
  });
});

describe('the constructs finish no default at its use site', () => {
  // The functions that compute a default from other settings are called by the plans only (and the schema's rules,
  // which run before anything is resolved); a step that called one would decide again what the plan decided.
  const DEPLOYMENTS = join(__dirname, '..', '..', '..', 'lib', 'deployments');
  const sources = [
    ...readdirSync(DEPLOYMENTS)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(DEPLOYMENTS, f)),
    ...readdirSync(join(DEPLOYMENTS, 'private'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('-plan.ts'))
      .map((f) => join(DEPLOYMENTS, 'private', f)),
  ];

  it('reads the sources (the scan works)', () => {
    expect(sources.map((file) => file.slice(DEPLOYMENTS.length + 1))).toEqual(
      expect.arrayContaining(['rancher-on-rke.ts', 'private/rke-network.ts']),
    );
  });

  it.each(sources.map((file) => [file.slice(DEPLOYMENTS.length + 1), file]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text.match(/\beffective[A-Z]\w*\(/g) ?? []).toEqual([]);
    // The distribution is the cluster plan's to decide: no step chooses between the two itself.
    expect(text.match(/k3s \? |distribution === 'k3s'/g) ?? []).toEqual([]);
    // Whether Rancher's certificate is trusted is the TLS plan's `trust`; the settings' own test would decide it again.
    expect(text.match(/\buntrustedCertificate\(/g) ?? []).toEqual([]);
  });
});

describe('the HTTPS proxy is resolved in one place', () => {
  // proxy.https falls back to proxy.http in httpsProxy (lib/network/private/proxy.ts) only; a use site with its own
  // fallback could disagree with it, and with what the settings reference shows.
  const LIB = join(__dirname, '..', '..', '..', 'lib');
  const sources = (readdirSync(LIB, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(LIB, f));

  it('reads the sources (the scan works)', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((file) => readFileSync(file, 'utf8').includes('httpsProxy(')).length).toBeGreaterThanOrEqual(2);
  });

  it('no file but the resolver falls back from https to anything (?? or ||, after . or ?.)', () => {
    const fallbacks = sources.filter((file) => /\.https\s*(?:\?\?|\|\|)/.test(readFileSync(file, 'utf8')));
    expect(fallbacks.map((file) => file.slice(LIB.length + 1))).toEqual(['network/private/proxy.ts']);
  });
});
