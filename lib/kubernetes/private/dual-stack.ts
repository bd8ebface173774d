import { RKE2_CLUSTER_CIDR, RKE2_CLUSTER_CIDR_IPV6, RKE2_SERVICE_CIDR, RKE2_SERVICE_CIDR_IPV6 } from '../../config/primitives';
import { rootFile, serverScriptFile, type WriteFile } from '../../nodes/private/boot-files';
import WAIT_IPV6 from '../wait-ipv6.sh';
import type { ServerDistribution } from './server-units';

/** Waits for the server's IPv6 address before RKE2 or K3s starts (wait-ipv6.sh), dual-stack only. */
export const WAIT_IPV6_PATH = '/usr/local/sbin/rancher-aws-wait-ipv6';

/** The systemd drop-in that runs it before every start of the distribution's server unit. */
export const ipv6DropInPath = (distribution: ServerDistribution) =>
  `/etc/systemd/system/${distribution === 'rke2' ? 'rke2-server' : 'k3s'}.service.d/rancher-aws-ipv6.conf`;

/**
 * The config.yaml keys of a dual-stack cluster, the same on every server (RKE2 and K3s read dual-stack
 * networks from the servers' `cluster-cidr` and `service-cidr`, IPv4 first so IPv4 stays the primary family, and
 * only when the cluster is created). K3s' own flannel then also masquerades pod IPv6 traffic leaving the node: the
 * pods' unique local addresses are not routed in the VPC. Empty for an IPv4 cluster, whose config stays as it was.
 */
export function dualStackConfig(distribution: ServerDistribution, dualStack: boolean | undefined): Record<string, unknown> {
  if (!dualStack) return {};
  return {
    'cluster-cidr': `${RKE2_CLUSTER_CIDR},${RKE2_CLUSTER_CIDR_IPV6}`,
    'service-cidr': `${RKE2_SERVICE_CIDR},${RKE2_SERVICE_CIDR_IPV6}`,
    ...(distribution === 'k3s' ? { 'flannel-ipv6-masq': true } : {}),
  };
}

/**
 * The wait for the IPv6 address, as an ExecStartPre of the server unit (a drop-in written before the installer
 * creates the unit; systemd merges it in), so every start waits, a reboot's included. None for an IPv4 cluster.
 */
export function dualStackFiles(distribution: ServerDistribution, dualStack: boolean | undefined): WriteFile[] {
  if (!dualStack) return [];
  return [serverScriptFile(WAIT_IPV6_PATH, WAIT_IPV6), rootFile(ipv6DropInPath(distribution), '0644', `[Service]\nExecStartPre=${WAIT_IPV6_PATH}\n`)];
}
