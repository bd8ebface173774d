import type { Socket } from 'node:net';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

// A corporate proxy, as the other tools of a run honour it: curl, Terraform (Go's ProxyFromEnvironment) and kubectl
// read HTTPS_PROXY (or https_proxy, ALL_PROXY) and skip the hosts NO_PROXY lists. The AWS SDK's Node handler and
// @kubernetes/client-node read neither (the SDK's guide "Configure proxies for Node.js" hands an agent to the
// handler; client-node proxies only a kubeconfig's own proxy-url), so the operations set both up from the same
// variables. proxy-from-env reads them as curl does (its README: NO_PROXY's suffixes, ports and `*`).

/** The proxy the environment names for a URL, or undefined where none is set or NO_PROXY exempts its host. */
export function proxyFor(url: string): string | undefined {
  const proxy = getProxyForUrl(url);
  return proxy === '' ? undefined : proxy;
}

type ConnectionCallback = (error: Error | null, socket?: Duplex) => void;

/**
 * The HTTPS agent of every AWS call when the environment names a proxy: each connection is tunnelled through the
 * proxy named for its host (HTTP CONNECT, hpagent's), or made directly where NO_PROXY exempts the host. One agent for
 * the run, so connections are pooled by host as the SDK's own agent pools them (keep-alive, 50 sockets).
 */
class EnvironmentProxyAgent extends HttpsProxyAgent {
  override createConnection(options: AgentOptions & { host: string; port: number }, callback: ConnectionCallback): Socket | undefined {
    if (proxyFor(`https://${options.host}:${options.port}`) === undefined)
      return HttpsAgent.prototype.createConnection.call(this, options, callback) as Socket;
    return super.createConnection(options, callback) as Socket | undefined;
  }
}

let agent: HttpsAgent | undefined;

/** The proxy for HTTPS the environment names, in proxy-from-env's order (npm's own setting, then the lower-case name, as curl reads it). */
const httpsProxy = () =>
  ['npm_config_https_proxy', 'https_proxy', 'HTTPS_PROXY', 'npm_config_proxy', 'all_proxy', 'ALL_PROXY']
    .map((name) => process.env[name])
    .find((value) => value !== undefined && value !== '');

/** The run's HTTPS agent for AWS when HTTPS_PROXY (or ALL_PROXY) is set; undefined, the SDK's own. */
export function awsHttpsAgent(): HttpsAgent | undefined {
  const proxy = httpsProxy();
  if (proxy === undefined) return undefined;
  agent ??= new EnvironmentProxyAgent({ proxy, keepAlive: true, maxSockets: 50 });
  return agent;
}
