import type { NodeStatus } from '../shared/kubectl';

/** Where RKE2 keeps the etcd client certificate the kube-apiserver uses, and the etcd server CA. */
const TLS = '/var/lib/rancher/rke2/server/tls/etcd';
/**
 * The etcd member list, read on a server through etcd's own JSON gateway on
 * its local client port (RKE2 ships no etcdctl): `curl` with the client
 * certificate the kube-apiserver uses. Run through SSM on a healthy server.
 */
export const MEMBER_LIST_COMMAND = `curl -sS --fail --max-time 20 --cacert ${TLS}/server-ca.crt --cert ${TLS}/client.crt --key ${TLS}/client.key -X POST -d '{}' https://127.0.0.1:2379/v3/cluster/member/list`;

/** The Node annotation RKE2 (k3s' etcd package, program name rke2) writes with the server's etcd member name. */
export const MEMBER_NAME_ANNOTATION = 'etcd.rke2.cattle.io/node-name';

export interface EtcdMember {
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly isLearner: boolean;
}

/** The gateway's answer (`{"members":[{"ID":"…","name":"…","peerURLs":[…],"isLearner":true}]}`). */
export function parseMembers(text: string): EtcdMember[] {
  const members: { name?: string; peerURLs?: string[]; isLearner?: boolean }[] = JSON.parse(text).members ?? [];
  return members.map((m) => ({ name: String(m.name ?? ''), peerURLs: m.peerURLs ?? [], isLearner: m.isLearner === true }));
}

const host = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
};

/**
 * The members no server Node stands for: a Node stands for the member its
 * `etcd.rke2.cattle.io/node-name` annotation names; a member not yet started
 * (no name) or a Node without the annotation yet are matched by address. A
 * replaced server keeps its address, so a leftover member of its old instance
 * is told apart by its name.
 */
export function membersWithoutNode(members: readonly EtcdMember[], nodes: readonly NodeStatus[]): EtcdMember[] {
  const named = new Set(nodes.map((n) => n.annotations[MEMBER_NAME_ANNOTATION]).filter(Boolean));
  const unannotated = new Set(nodes.filter((n) => !n.annotations[MEMBER_NAME_ANNOTATION]).flatMap((n) => n.internalIps));
  return members.filter((m) => !named.has(m.name) && !m.peerURLs.some((u) => unannotated.has(host(u))));
}
