import { existsSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Health,
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
  HttpMethod,
  type Cluster,
  type Middleware,
  type RequestContext,
} from '@kubernetes/client-node';
import { readStop } from '../in-flight';
import { proxyFor } from '../proxy';
import { TOOL } from '../tool-version';

/** How the operations reach the cluster: the deployment's kubeconfig, as `Kubectl` takes it. */
export interface KubeSettings {
  /** The kubeconfig file the deployment writes (`terraform output -raw kubeconfig`). */
  readonly kubeconfig: string;
  /** A context of it; unset, its current-context. */
  readonly context?: string;
  /** The longest one request may take, its answer read whole (kubectl's `--request-timeout`). */
  readonly requestTimeoutMs?: number;
}

/** What a setting left unset is: 30 s, the `--request-timeout=30s` every `Kubectl` call passes. */
export const KUBE_DEFAULTS = { requestTimeoutMs: 30_000 } as const;

/** The API groups the operations call, each a client of @kubernetes/client-node on the same kubeconfig and timeout. */
export interface KubeClient {
  /** The API server's URL, for messages. */
  readonly server: string;
  readonly requestTimeoutMs: number;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  readonly batch: BatchV1Api;
  readonly admission: AdmissionregistrationV1Api;
  /** Deployments and their scale subresource (the acceptance run's break phase). */
  readonly apps: AppsV1Api;
  /** What the kubeconfig's user may do (SelfSubjectAccessReviews). */
  readonly authorization: AuthorizationV1Api;
  /** Objects of a CustomResourceDefinition (the upgrade controller's Plans), by group, version and plural. */
  readonly custom: CustomObjectsApi;
  /** The API server's own health endpoints (/readyz), on the same kubeconfig and context. */
  readonly health: Health;
}

/**
 * Every request abandoned after `ms`: the signal ends the connection attempt, the wait for the answer and the read of
 * its body alike. Nothing is retried here: a write whose answer never came may have been applied (errors.ts).
 */
function timeout(ms: number): Middleware {
  return {
    pre: async (context) => {
      // A GET in flight also ends with the command's stop (in-flight.ts); a write finishes.
      const stop = context.getHttpMethod() === HttpMethod.GET ? readStop() : undefined;
      context.setSignal(stop ? AbortSignal.any([AbortSignal.timeout(ms), stop]) : AbortSignal.timeout(ms));
      // The tool in the API server's audit log (its userAgent field), as kubectl names itself there.
      context.setHeaderParam('User-Agent', `${TOOL.name}/${TOOL.version}`);
      return context;
    },
    post: async (response) => response,
  };
}

/**
 * A kubeconfig whose requests share one connection pool for the client's life. client-node 2.0's
 * `applySecurityAuthentication` gives every request a new undici Agent (its `createDispatcher` keeps none), so each
 * request opened its own TCP connection and TLS handshake and left the one before idle until it timed out;
 * client-go keeps one transport per TLS configuration and reuses its connections (k8s.io/client-go transport/cache.go).
 * The Agent made for the first request to a cluster as a user is given to every later one: the same endpoint and TLS
 * material (a client's context is fixed before its first request). The credentials' headers (a bearer token, one an
 * exec plugin refreshes) are still applied to each request; an Agent made and not kept has dispatched nothing and holds
 * no socket. undici closes a connection idle for 4 s and unreferences it meanwhile, so a command's exit never waits on one.
 */
class PooledKubeConfig extends KubeConfig {
  private readonly pools = new Map<string, NonNullable<ReturnType<RequestContext['getDispatcher']>>>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (made === undefined) return;
    const key = JSON.stringify([this.getCurrentCluster()?.server, this.getCurrentUser()?.name]);
    const kept = this.pools.get(key);
    if (kept === undefined) this.pools.set(key, made);
    else context.setDispatcher(kept);
  }

  /**
   * A corporate proxy as kubectl reaches the API server through one (client-go's transport: the kubeconfig's
   * proxy-url, else HTTPS_PROXY and NO_PROXY from the environment): where the kubeconfig names none and the
   * environment's applies to the server, client-node's own proxy path (undici's ProxyAgent, the TLS of the cluster
   * kept for the tunnelled connection) is given it.
   */
  override createDispatcherOptions(cluster: Cluster | null, agentOptions: AgentOptions): ReturnType<KubeConfig['createDispatcherOptions']> {
    const proxy = cluster !== null && !cluster.proxyUrl ? proxyFor(cluster.server) : undefined;
    return super.createDispatcherOptions(proxy === undefined ? cluster : { ...cluster!, proxyUrl: proxy }, agentOptions);
  }
}

/**
 * The clients for the deployment's kubeconfig: its cluster, its user's credentials (a bearer token or a client
 * certificate, as kubectl reads them) and its CA, from the context named or the current one.
 */
export function kubeClient(settings: KubeSettings): KubeClient {
  const ms = settings.requestTimeoutMs ?? KUBE_DEFAULTS.requestTimeoutMs;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new Error(`requestTimeoutMs is ${ms}: give a number of milliseconds above 0 (a Kubernetes request is abandoned after it).`);
  if (!existsSync(settings.kubeconfig))
    throw new Error(
      `The kubeconfig ${settings.kubeconfig} does not exist: write it with \`terraform output -raw kubeconfig > ${settings.kubeconfig}\`.`,
    );
  const config = new PooledKubeConfig();
  config.loadFromFile(settings.kubeconfig);
  if (settings.context !== undefined) {
    if (config.getContextObject(settings.context) === null)
      throw new Error(
        `The kubeconfig ${settings.kubeconfig} has no context ${settings.context}: give one of ${
          config
            .getContexts()
            .map((c) => c.name)
            .join(', ') || '(none)'
        }.`,
      );
    config.setCurrentContext(settings.context);
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null)
    throw new Error(
      `The kubeconfig ${settings.kubeconfig} names no cluster for its context ${config.getCurrentContext() || '(none)'}: set current-context, or give a context.`,
    );
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: config },
    promiseMiddleware: [timeout(ms)],
  });
  return {
    server: cluster.server,
    requestTimeoutMs: ms,
    core: new CoreV1Api(configuration),
    coordination: new CoordinationV1Api(configuration),
    batch: new BatchV1Api(configuration),
    admission: new AdmissionregistrationV1Api(configuration),
    apps: new AppsV1Api(configuration),
    authorization: new AuthorizationV1Api(configuration),
    custom: new CustomObjectsApi(configuration),
    health: new Health(config),
  };
}
