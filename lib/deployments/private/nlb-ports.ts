import { ALB_IDLE_TIMEOUT_SECONDS } from '../../loadbalancer/application-load-balancer';
import type { ForwardedPort } from '../../loadbalancer/network-load-balancer';
import type { IngressMigrationStep } from '../../config/rke-ha-schema';
import { HTTPS_PORT, KUBERNETES_API_PORT, RANCHER_PUBLIC_PORTS, TRAEFIK_SIDE_PORTS } from '../../nodes/private/ports';
import type { TlsPlan } from '../../tls/tls-plan';

/**
 * NLB listeners: the API always (admin CIDRs only); 80/443 unless an ALB ends TLS. Dual-stack: 80/443 from ::/0
 * too, and the admin networks of either family. During a move off ingress-nginx (`migration`), 80/443 have a second
 * target group on Traefik's side port: standing by (`beside`), forwarded to with the first standing by for the way
 * back (`moved`), forwarded to alone (`done`).
 */
export function nlbPorts(tls: TlsPlan, adminCidrs: string[], dualStack = false, migration?: IngressMigrationStep): ForwardedPort[] {
  // Websockets (Rancher's UI, kubectl exec and logs, the agents' tunnels) stay open through idle minutes: the
  // same hour the ALB allows, instead of the NLB's 350 s.
  const idleTimeoutSeconds = ALB_IDLE_TIMEOUT_SECONDS;
  const api: ForwardedPort = {
    port: KUBERNETES_API_PORT,
    description: 'Kubernetes API from admin networks',
    from: { cidrList: adminCidrs, ...(dualStack ? { bothFamilies: true } : {}) },
    idleTimeoutSeconds,
  };
  if (tls.atLoadBalancer) return [api];
  return [
    ...RANCHER_PUBLIC_PORTS.map((rule) => ({
      port: rule.from,
      description: rule.description,
      from: { cidr: '0.0.0.0/0' },
      ...(dualStack ? { ipv6From: { cidr: '::/0' } } : {}),
      ...(rule.from === HTTPS_PORT ? { idleTimeoutSeconds } : {}),
      ...sidePort(rule.from, migration),
    })),
    api,
  ];
}

/**
 * Where the listener of public port `port` forwards to during a move off ingress-nginx, and what stands by: the NLB's
 * 80 and 443, or the ALB's HTTPS listener, whose targets' port is 80 (TLS at the load balancer).
 */
export function sidePort(port: number, migration: IngressMigrationStep | undefined): Pick<ForwardedPort, 'targetPort' | 'standbyTargetPorts'> {
  const side = TRAEFIK_SIDE_PORTS[port];
  switch (migration) {
    case undefined:
      return {};
    case 'beside':
      return { standbyTargetPorts: [side] };
    case 'moved':
      return { targetPort: side, standbyTargetPorts: [port] };
    case 'done':
      return { targetPort: side };
  }
}
