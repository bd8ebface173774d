import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeClient } from './client';
import { kubeFailure, kubeStatus } from './errors';

/**
 * Sets a Deployment's replicas as `kubectl scale deployment NAME --replicas=N` does with no precondition: a merge
 * patch of `spec.replicas` alone on its scale subresource (kubernetes/kubectl v0.35.7 `pkg/scale/scale.go`
 * ScaleSimple), never a replace of the whole Deployment.
 */
export async function scaleDeployment(client: KubeClient, namespace: string, name: string, replicas: number): Promise<void> {
  try {
    await client.apps.patchNamespacedDeploymentScale(
      { namespace, name, body: { spec: { replicas } } },
      // Appended to the client's own middleware, so the request timeout stays.
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (error) {
    throw kubeFailure(error, `Scaling Deployment ${namespace}/${name} to ${replicas}`, client.server, true);
  }
}

/** A Deployment's spec.replicas as the API server holds it; undefined when there is no such Deployment. */
export async function deploymentReplicas(client: KubeClient, namespace: string, name: string): Promise<number | undefined> {
  try {
    return (await client.apps.readNamespacedDeployment({ namespace, name })).spec?.replicas;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Reading Deployment ${namespace}/${name}`, client.server, false);
  }
}
