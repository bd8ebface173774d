import type { ProxySettings } from '../../config/sections';
import type { ChartProxy } from '../chart-proxy';

/** Names always left out of the proxy: loopback, instance metadata, cluster-internal names. */
export const BUILT_IN_NO_PROXY = ['localhost', '127.0.0.1', '0.0.0.0', '169.254.169.254', '.svc', '.cluster.local'] as const;

/** True when a proxy is configured. */
export function proxyEnabled(proxy: ProxySettings): boolean {
  return proxy.http !== undefined || proxy.https !== undefined;
}

/**
 * The proxy for HTTPS: `proxy.https`, or `proxy.http` when only that is given (one proxy for both schemes, as curl,
 * Go and apt take it); undefined without a proxy. Every use reads it here, and the settings reference shows it.
 */
export function httpsProxy(proxy: ProxySettings): string | undefined {
  return proxy.https ?? proxy.http;
}

/** NO_PROXY: the built-in names, the given networks (VPC, cluster) and the user's additions, without repeats. */
export function noProxyList(networks: readonly string[], extra: readonly string[]): string[] {
  return [...new Set([...BUILT_IN_NO_PROXY, ...networks, ...extra])];
}

/** HTTP_PROXY / HTTPS_PROXY / NO_PROXY pairs; empty when no proxy is configured. */
export function proxyEnvironment(proxy: ProxySettings, networks: readonly string[]): [string, string][] {
  if (!proxyEnabled(proxy)) return [];
  const https = httpsProxy(proxy);
  const env: [string, string][] = [];
  if (proxy.http) env.push(['HTTP_PROXY', proxy.http]);
  if (https) env.push(['HTTPS_PROXY', https]);
  env.push(['NO_PROXY', noProxyList(networks, proxy.noProxy).join(',')]);
  return env;
}

export function chartProxy(proxy: ProxySettings, networks: readonly string[]): ChartProxy | undefined {
  if (!proxyEnabled(proxy)) return undefined;
  const https = httpsProxy(proxy);
  return { http: proxy.http, https, url: https as string, noProxy: noProxyList(networks, proxy.noProxy) };
}

/** Private address ranges, for clusters whose networks this project does not know (k8s-ha). */
export const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;
