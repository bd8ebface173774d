import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { rancherOnExistingClusterSchema } from '../../../lib/config/deployment-schema';
import { chartProxy } from '../../../lib/network/private/proxy';
import { rancherServerSettings } from '../../../lib/rancher/private/rancher-settings';

/** A deployment's props as a construct resolves them (defaults applied), the fields rancherServerSettings reads among them. */
const resolved = (input: Record<string, unknown> = {}) => rancherOnExistingClusterSchema.parse(input);

describe('rancherServerSettings', () => {
  it('takes the defaults from empty settings: pinned version, the community stable repository, 3 replicas, rancher TLS, no audit log, 20 minutes', () => {
    const s = resolved();
    expect(rancherServerSettings(s, undefined)).toEqual({
      version: DEFAULT_VERSIONS.rancher,
      repository: 'https://releases.rancher.com/server-charts/stable',
      minutes: 20,
      proxy: undefined,
      airGap: { registryMirrors: {}, useBundledSystemChart: false },
      replicas: 3,
      tls: { mode: 'ingress', issuer: 'rancher', privateCA: false, acme: {} },
      auditLog: { enabled: false, level: 0, destination: 'sidecar', maxAgeDays: 1, maxBackups: 1, maxSizeMb: 100 },
    });
  });

  it('passes every chart-related setting through', () => {
    const s = resolved({
      versions: { rancher: '2.14.1' },
      airGap: {
        rancherChartRepository: 'https://charts.internal/rancher',
        systemDefaultRegistry: 'registry.internal:5000',
        useBundledSystemChart: true,
      },
      rancher: {
        replicas: 5,
        tls: { issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } },
        auditLog: { enabled: true, level: 2, destination: 'hostPath', maxAgeDays: 10, maxBackups: 5, maxSizeMb: 50 },
      },
    });
    const props = rancherServerSettings(s, undefined);
    expect(props.version).toBe('2.14.1');
    expect(props.repository).toBe('https://charts.internal/rancher');
    expect(props.replicas).toBe(5);
    expect(props.airGap).toBe(s.airGap);
    expect(props.airGap).toMatchObject({ systemDefaultRegistry: 'registry.internal:5000', useBundledSystemChart: true });
    expect(props.tls).toBe(s.rancher.tls);
    expect(props.tls).toMatchObject({ mode: 'ingress', issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } });
    expect(props.auditLog).toEqual({ enabled: true, level: 2, destination: 'hostPath', maxAgeDays: 10, maxBackups: 5, maxSizeMb: 50 });
  });

  it('chooses the repository by name: community stable or latest, or Rancher Prime; a mirror overrides it', () => {
    expect(rancherServerSettings(resolved({ rancher: { repository: 'latest' } }), undefined).repository).toBe(
      'https://releases.rancher.com/server-charts/latest',
    );
    expect(rancherServerSettings(resolved({ rancher: { repository: 'prime' }, versions: { rancher: '2.14.4' } }), undefined).repository).toBe(
      'https://charts.rancher.com/server-charts/prime',
    );
    expect(
      rancherServerSettings(
        resolved({ rancher: { repository: 'prime' }, airGap: { rancherChartRepository: 'https://charts.internal/rancher' } }),
        undefined,
      ).repository,
    ).toBe('https://charts.internal/rancher');
  });

  it('passes the chart proxy as given (the caller decides the direct networks)', () => {
    const s = resolved({ proxy: { http: 'http://proxy.internal:3128' } });
    const proxy = chartProxy(s.proxy, ['10.0.0.0/16']);
    expect(rancherServerSettings(s, proxy).proxy).toBe(proxy);
    expect(rancherServerSettings(s, undefined).proxy).toBeUndefined();
  });

  it('returns only the settings-derived props, nothing stack-specific', () => {
    expect(Object.keys(rancherServerSettings(resolved(), undefined)).sort()).toEqual([
      'airGap',
      'auditLog',
      'minutes',
      'proxy',
      'replicas',
      'repository',
      'tls',
      'version',
    ]);
  });
});
