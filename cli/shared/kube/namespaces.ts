import type { KubeClient } from './client';
import { kubeFailure, kubeStatus } from './errors';

/** Every Namespace's name (`kubectl get namespaces`), in the API's order. */
export async function namespaceNames(client: KubeClient): Promise<string[]> {
  try {
    return (await client.core.listNamespace()).items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  } catch (error) {
    throw kubeFailure(error, 'Listing the Namespaces', client.server, false);
  }
}

/** Whether the Namespace exists: false on the API server's 404 NotFound; any other failure thrown as the client says it. */
export async function namespaceExists(client: KubeClient, name: string): Promise<boolean> {
  try {
    await client.core.readNamespace({ name });
    return true;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return false;
    throw kubeFailure(error, `Reading Namespace ${name}`, client.server, false);
  }
}
