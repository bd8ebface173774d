import { PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { nodeStatus, type NodeStatus } from '../kubectl';
import type { KubeClient } from './client';
import { KubeRefused, KubeUnanswered, KubeUnreachable, kubeFailure, kubeStatus } from './errors';

/**
 * Every Node, as the roll reads it (`nodeStatus`: InternalIPs, Ready, RKE2's EtcdIsVoter, cordoned, being deleted,
 * labels, annotations), from the client's objects as from `kubectl get nodes -o json`.
 */
export async function listNodes(client: KubeClient): Promise<NodeStatus[]> {
  try {
    const list = await client.core.listNode();
    return list.items.map((node: V1Node) =>
      nodeStatus({
        metadata: {
          name: node.metadata?.name,
          labels: node.metadata?.labels,
          annotations: node.metadata?.annotations,
          // The client's types say Date, its deserializer may leave the string: only its presence counts.
          deletionTimestamp: node.metadata?.deletionTimestamp === undefined ? undefined : String(node.metadata.deletionTimestamp),
        },
        spec: { unschedulable: node.spec?.unschedulable },
        status: { conditions: node.status?.conditions, addresses: node.status?.addresses },
      }),
    );
  } catch (error) {
    throw kubeFailure(error, 'Listing the Nodes', client.server, false);
  }
}

/**
 * Every Node, or undefined when the API server could not be reached, did not answer or refused the list: what a
 * `kubectl get nodes -o json` that failed was to the roll, a look the roll and the rotations wait through
 * (a server restarting) or stop on.
 */
export async function nodesIfAnswered(client: KubeClient): Promise<NodeStatus[] | undefined> {
  try {
    return await listNodes(client);
  } catch (error) {
    if (error instanceof KubeRefused || error instanceof KubeUnreachable || error instanceof KubeUnanswered) return undefined;
    throw error;
  }
}

/**
 * Cordons (true) or uncordons (false) a Node, as `kubectl cordon`/`uncordon` do: a patch of `spec.unschedulable` alone
 * (kubernetes/kubectl v0.35.7 `pkg/drain/cordon.go` sends the two-way merge patch of that one field; false is the
 * field's absence, so uncordoning removes it). false when there is no such Node.
 */
export async function setUnschedulable(client: KubeClient, name: string, unschedulable: boolean): Promise<boolean> {
  try {
    await client.core.patchNode(
      { name, body: { spec: { unschedulable: unschedulable ? true : null } } },
      // Appended to the client's own middleware, so the request timeout stays.
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    return true;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return false;
    throw kubeFailure(error, `${unschedulable ? 'Cordoning' : 'Uncordoning'} Node ${name}`, client.server, true);
  }
}

/**
 * Asks for a Node's deletion (`kubectl delete node --wait=false`): it may stay a while (RKE2's finalizer removes its
 * etcd member first). false when there was none.
 */
export async function deleteNode(client: KubeClient, name: string): Promise<boolean> {
  try {
    await client.core.deleteNode({ name });
    return true;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return false;
    throw kubeFailure(error, `Deleting Node ${name}`, client.server, true);
  }
}

/** Each Node's name and the version its kubelet reports (`status.nodeInfo.kubeletVersion`), in the API's order. */
export async function kubeletVersions(client: KubeClient): Promise<{ name: string; version: string }[]> {
  try {
    return (await client.core.listNode()).items.map((node) => ({
      name: node.metadata?.name ?? '',
      version: node.status?.nodeInfo?.kubeletVersion ?? '',
    }));
  } catch (error) {
    throw kubeFailure(error, 'Listing the Nodes', client.server, false);
  }
}
