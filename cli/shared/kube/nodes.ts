import type { V1Node } from '@kubernetes/client-node';
import { nodeStatus, type NodeStatus } from '../kubectl';
import type { KubeClient } from './client';
import { kubeFailure } from './errors';

/**
 * Every Node, as the roll reads it (`nodeStatus`: InternalIPs, Ready, RKE2's EtcdIsVoter, cordoned, being deleted,
 * labels, annotations): the same reading as `Kubectl.nodes()`, from the client's objects.
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
