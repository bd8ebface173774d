import type { PortRule } from '../../network/port-rule';

/**
 * Inbound ports of an RKE2 server node (all roles on every node), from the
 * RKE2 networking requirements. The security group rules are generated from
 * this table and the tests compare the synthesized rules against it.
 */
const tcp = (from: number, description: string, to = from): PortRule => ({ protocol: 'tcp', from, to, description });
const udp = (from: number, description: string, to = from): PortRule => ({ protocol: 'udp', from, to, description });

/** Node-to-node traffic inside the cluster. */
export const RKE2_SERVER_PORTS: readonly PortRule[] = [
  tcp(6443, 'Kubernetes API'),
  tcp(9345, 'RKE2 supervisor (node registration)'),
  tcp(10250, 'kubelet'),
  tcp(2379, 'etcd client'),
  tcp(2380, 'etcd peer'),
  tcp(2381, 'etcd metrics'),
  tcp(30000, 'NodePort services', 32767),
  udp(8472, 'Canal VXLAN'),
  tcp(9099, 'Canal health checks'),
  udp(51820, 'Canal WireGuard IPv4'),
  udp(51821, 'Canal WireGuard IPv6'),
];

/** Node-to-node traffic of K3s servers with an external datastore (no etcd ports). */
export const K3S_SERVER_PORTS: readonly PortRule[] = [
  tcp(6443, 'Kubernetes API and K3s supervisor'),
  tcp(10250, 'kubelet'),
  tcp(30000, 'NodePort services', 32767),
  udp(8472, 'Flannel VXLAN'),
  udp(51820, 'Flannel WireGuard IPv4'),
  udp(51821, 'Flannel WireGuard IPv6'),
];

/** What users and downstream clusters reach through the load balancer. */
export const RANCHER_PUBLIC_PORTS: readonly PortRule[] = [tcp(80, 'HTTP (redirects, ACME HTTP-01)'), tcp(443, 'HTTPS (Rancher UI, API and agents)')];

/**
 * Traefik's host ports while a deployment moves off ingress-nginx (rkeHa.ingressMigration), by the public port the
 * load balancer listens on: RKE2's migration guide's 8000 and 8443, free beside ingress-nginx's 80 and 443.
 */
export const TRAEFIK_SIDE_PORTS: Readonly<Record<number, number>> = { 80: 8000, 443: 8443 };

/** Where users, downstream clusters and the deploy's final probe reach Rancher. */
export const HTTPS_PORT = 443;
/** Plain HTTP: redirects, ACME HTTP-01, and what a TLS-terminating load balancer forwards to. */
export const HTTP_PORT = 80;

/** Ports for administrators only, from the admin CIDRs. */
export const KUBERNETES_API_PORT = 6443;
export const SSH_PORT = 22;
