import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { KubeSettings } from './kube/client';

// k8s-ha's standby after a failback (docs/failover.md, "Failback"): Rancher restored from production's backup on the
// person's cluster, which the failback does not remove (the teardown command refuses k8s-ha). Left running, its
// controllers would keep acting for the downstream clusters the backup holds (provisioning with the cloud credentials
// it restored) beside production's, which serves them again: the failback scales it to zero once production answers.

/**
 * Rancher's Deployment: the chart's release `rancher` (lib/rancher/rancher-server.ts) in `cattle-system`
 * (lib/rancher/namespace.ts, which the CLI does not bundle: it is a construct's file).
 */
export const RANCHER_DEPLOYMENT = { namespace: 'cattle-system', name: 'rancher' } as const;

const section = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * How the standby's apply reached its cluster, from the standby's settings (`k8sHa.access`, which the failover took
 * from `standby.k8sHa.access`): the kubeconfig as Terraform read it (`~/` the home of whoever runs it, a relative path
 * from the standby's module folder, where terraform ran) and its context. Undefined with `access.variables`: the
 * cluster's address and credentials were in the apply's environment only.
 */
export function standbyKubeconfig(standbySettings: Record<string, unknown>, module: string, home = homedir()): KubeSettings | undefined {
  const access = section(section(standbySettings.k8sHa).access);
  const kubeconfig = section(access.kubeconfig);
  if (access.variables === true || typeof kubeconfig.path !== 'string') return undefined;
  const path = kubeconfig.path;
  const file = path.startsWith('~/') ? join(home, path.slice(2)) : isAbsolute(path) ? path : resolve(module, path);
  return { kubeconfig: file, ...(typeof kubeconfig.context === 'string' ? { context: kubeconfig.context } : {}) };
}

/** The command a person runs to stop it by hand, with the same kubeconfig and context. */
export function scaleByHand(access: KubeSettings | undefined): string {
  const where = access ? `--kubeconfig ${access.kubeconfig}${access.context ? ` --context ${access.context}` : ''} ` : '';
  return `kubectl ${where}-n ${RANCHER_DEPLOYMENT.namespace} scale deployment ${RANCHER_DEPLOYMENT.name} --replicas=0`;
}

/** The chart's `replicas` when the settings give none (lib/config/deployment-schema.ts, `rancher.replicas`). */
export const DEFAULT_RANCHER_REPLICAS = 3;

/** The replicas the standby's module gives Rancher's chart: its settings' `rancher.replicas`, else the default. */
export function chartReplicas(settings: Record<string, unknown>): number {
  const replicas = section(settings.rancher).replicas;
  return typeof replicas === 'number' && Number.isInteger(replicas) && replicas > 0 ? replicas : DEFAULT_RANCHER_REPLICAS;
}
