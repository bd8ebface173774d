import { hasAddress, type NodeStatus } from './kubectl';
import { type Deployment, inState } from './module-folder';
import type { ModuleState } from './terraform';

// The servers as the roll, the rotations, the drill's etcd restore and the acceptance run's metrics find them.

/** One server of the deployment as the state and the cluster show it. */
export interface Server {
  readonly name: string;
  readonly address: string;
  readonly instanceId: string;
  readonly privateIp: string;
}

/** The servers of the deployment the state holds, from its record (servers the state no longer holds are left out). */
export function serversOf(state: ModuleState, deployment: Deployment): Server[] {
  const at = new Map(
    inState(
      state,
      deployment.servers.map((s) => s.address),
    ).map((r) => [r.address, r]),
  );
  return deployment.servers.flatMap((s) => {
    const r = at.get(s.address);
    return r ? [{ name: s.name, address: s.address, instanceId: String(r.attributes.id), privateIp: String(r.attributes.private_ip) }] : [];
  });
}

/** A server's Node: the one with the instance's fixed private address among its InternalIPs (dual stack lists two). */
export function nodeOf(nodes: readonly NodeStatus[], server: Server): NodeStatus | undefined {
  return nodes.find((n) => hasAddress(n, server.privateIp) && !n.deleting) ?? nodes.find((n) => hasAddress(n, server.privateIp));
}

/**
 * The servers other than `except` whose Node is cordoned: a server's renewal timer cordons its own Node before it reads
 * the restart Lease again and restarts (cert-renewal.sh cordon_self), so an operation that wrote its out mark first
 * and then finds one stops (write first, read second); a person's cordon stops it too.
 */
export function cordonedServers(nodes: readonly NodeStatus[], servers: readonly Server[], except?: string): string[] {
  return servers.filter((s) => s.name !== except && nodeOf(nodes, s)?.unschedulable === true).map((s) => s.name);
}

/** Ready, not being deleted, and (RKE2) a voting etcd member: what every restart waits for before the next server. */
export function isHealthy(node: NodeStatus | undefined, k3s: boolean): boolean {
  return node !== undefined && !node.deleting && node.ready && (k3s || node.etcdVoter === true);
}
