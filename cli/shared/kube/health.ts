import type { KubeClient } from './client';

/**
 * Whether the API server is ready: its `/readyz` answered 200 within `timeoutMs` (what `kubectl get --raw /readyz`
 * prints as `ok`), through the client's own health check (@kubernetes/client-node `Health`, on the kubeconfig's
 * cluster, user and CA; a server without /readyz asked /healthz instead). false for any other answer (a 500 naming
 * the failed check, such as etcd's); throws when nothing answered (refused, dropped, timed out).
 */
export async function apiReady(client: KubeClient, timeoutMs: number): Promise<boolean> {
  return client.health.readyz({ signal: AbortSignal.timeout(timeoutMs) });
}
