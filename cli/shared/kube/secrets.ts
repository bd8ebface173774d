import type { V1Secret } from '@kubernetes/client-node';
import type { KubeClient } from './client';
import { kubeFailure, kubeStatus } from './errors';

/**
 * A Secret's data, each value decoded from the API's base64; undefined when there is no such Secret. The values stay
 * in this process: never an argument of a process, never in a message of this module.
 */
export async function readSecretData(client: KubeClient, namespace: string, name: string): Promise<Readonly<Record<string, Buffer>> | undefined> {
  try {
    const secret = await client.core.readNamespacedSecret({ namespace, name });
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Reading Secret ${namespace}/${name}`, client.server, false);
  }
}

/** Deletes a Secret (a replaced server's node password, the drill's user's); false when there was none. */
export async function deleteSecret(client: KubeClient, namespace: string, name: string): Promise<boolean> {
  try {
    await client.core.deleteNamespacedSecret({ namespace, name });
    return true;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return false;
    throw kubeFailure(error, `Deleting Secret ${namespace}/${name}`, client.server, true);
  }
}

/**
 * Creates a Secret in `namespace` (a create, never an apply: its data is kept in no annotation); refused with
 * AlreadyExists when one of its name exists, or by an admission webhook (its Status, in the error's message).
 */
export async function createSecret(client: KubeClient, namespace: string, secret: V1Secret): Promise<void> {
  try {
    await client.core.createNamespacedSecret({ namespace, body: { apiVersion: 'v1', kind: 'Secret', ...secret } });
  } catch (error) {
    throw kubeFailure(error, `Creating Secret ${namespace}/${secret.metadata?.name ?? ''}`, client.server, true);
  }
}
