import { proxySchema } from '../../../lib/config/proxy-schema';
import { BUILT_IN_NO_PROXY, PRIVATE_NETWORKS, chartProxy, noProxyList, proxyEnabled, proxyEnvironment } from '../../../lib/network/private/proxy';

const NETWORKS = ['10.0.0.0/16', '10.42.0.0/16', '10.43.0.0/16'];
const BUILT_IN = ['localhost', '127.0.0.1', '0.0.0.0', '169.254.169.254', '.svc', '.cluster.local'];

/** The proxy props as the constructs resolve them (lib/config/proxy-schema.ts, defaults applied). */
const proxy = (input: Record<string, unknown> = {}) => proxySchema.parse(input);

describe('BUILT_IN_NO_PROXY', () => {
  it('is loopback, instance metadata and the cluster-internal names, in order', () => {
    expect([...BUILT_IN_NO_PROXY]).toEqual(BUILT_IN);
  });
});

describe('proxyEnabled', () => {
  it('is false without a proxy (the default)', () => {
    expect(proxyEnabled(proxy())).toBe(false);
    // Closed egress without a proxy (a deployment then needs mirrors: the schema's rule) is still no proxy.
    expect(proxyEnabled(proxy({ noProxy: ['.internal'], egressOnlyTo: ['192.0.2.0/24'] }))).toBe(false);
  });

  it('is true with http, https or both', () => {
    expect(proxyEnabled(proxy({ http: 'http://proxy.internal:3128' }))).toBe(true);
    expect(proxyEnabled(proxy({ https: 'http://proxy.internal:3129' }))).toBe(true);
    expect(proxyEnabled(proxy({ http: 'http://a:1', https: 'http://b:2' }))).toBe(true);
  });
});

describe('noProxyList', () => {
  it('puts the built-in names first, then the networks, then the extra entries', () => {
    expect(noProxyList(NETWORKS, ['.example.internal', 'registry.internal'])).toEqual([
      ...BUILT_IN,
      ...NETWORKS,
      '.example.internal',
      'registry.internal',
    ]);
  });

  it('drops repeats, keeping the first occurrence', () => {
    expect(noProxyList(['10.0.0.0/16', '10.0.0.0/16', 'localhost'], ['10.0.0.0/16', '.svc', 'a.internal', 'a.internal'])).toEqual([
      ...BUILT_IN,
      '10.0.0.0/16',
      'a.internal',
    ]);
  });

  it('is the built-in list alone with nothing given', () => {
    expect(noProxyList([], [])).toEqual(BUILT_IN);
  });
});

describe('proxyEnvironment', () => {
  it('is empty without a proxy, whatever else is set', () => {
    expect(proxyEnvironment(proxy(), NETWORKS)).toEqual([]);
    expect(proxyEnvironment(proxy({ noProxy: ['.internal'] }), NETWORKS)).toEqual([]);
  });

  it('uses the HTTP proxy for HTTPS when no HTTPS proxy is set', () => {
    expect(proxyEnvironment(proxy({ http: 'http://proxy.internal:3128' }), NETWORKS)).toEqual([
      ['HTTP_PROXY', 'http://proxy.internal:3128'],
      ['HTTPS_PROXY', 'http://proxy.internal:3128'],
      ['NO_PROXY', [...BUILT_IN, ...NETWORKS].join(',')],
    ]);
  });

  it('keeps distinct proxies per scheme and appends the user entries to NO_PROXY', () => {
    expect(
      proxyEnvironment(
        proxy({ http: 'http://a.internal:3128', https: 'http://b.internal:3129', noProxy: ['.corp.internal', '10.0.0.0/16'] }),
        NETWORKS,
      ),
    ).toEqual([
      ['HTTP_PROXY', 'http://a.internal:3128'],
      ['HTTPS_PROXY', 'http://b.internal:3129'],
      ['NO_PROXY', [...BUILT_IN, ...NETWORKS, '.corp.internal'].join(',')],
    ]);
  });

  it('sets no HTTP_PROXY when only an HTTPS proxy is given', () => {
    expect(proxyEnvironment(proxy({ https: 'http://b.internal:3129' }), [])).toEqual([
      ['HTTPS_PROXY', 'http://b.internal:3129'],
      ['NO_PROXY', BUILT_IN.join(',')],
    ]);
  });

  it('joins NO_PROXY with commas and no spaces', () => {
    const noProxy = proxyEnvironment(proxy({ http: 'http://p:3128' }), NETWORKS).find(([name]) => name === 'NO_PROXY')![1];
    expect(noProxy).not.toMatch(/\s/);
    expect(noProxy.split(',')).toEqual([...BUILT_IN, ...NETWORKS]);
  });
});

describe('chartProxy', () => {
  it('is undefined without a proxy', () => {
    expect(chartProxy(proxy(), NETWORKS)).toBeUndefined();
  });

  it('uses the HTTP proxy for both schemes when only it is set', () => {
    expect(chartProxy(proxy({ http: 'http://proxy.internal:3128', noProxy: ['.corp'] }), NETWORKS)).toEqual({
      http: 'http://proxy.internal:3128',
      https: 'http://proxy.internal:3128',
      url: 'http://proxy.internal:3128',
      noProxy: [...BUILT_IN, ...NETWORKS, '.corp'],
    });
  });

  it('prefers the HTTPS proxy as the single URL', () => {
    expect(chartProxy(proxy({ http: 'http://a:3128', https: 'http://b:3129' }), [])).toEqual({
      http: 'http://a:3128',
      https: 'http://b:3129',
      url: 'http://b:3129',
      noProxy: BUILT_IN,
    });
  });

  it('works with only an HTTPS proxy', () => {
    expect(chartProxy(proxy({ https: 'http://b:3129' }), ['10.0.0.0/16'])).toEqual({
      http: undefined,
      https: 'http://b:3129',
      url: 'http://b:3129',
      noProxy: [...BUILT_IN, '10.0.0.0/16'],
    });
  });

  it('carries the same NO_PROXY entries as the node environment', () => {
    const p = proxy({ http: 'http://p:3128', noProxy: ['.corp', '.svc'] });
    expect(chartProxy(p, NETWORKS)!.noProxy.join(',')).toBe(proxyEnvironment(p, NETWORKS).find(([name]) => name === 'NO_PROXY')![1]);
  });
});

describe('PRIVATE_NETWORKS', () => {
  it('is the three RFC 1918 ranges', () => {
    expect([...PRIVATE_NETWORKS]).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
  });
});
