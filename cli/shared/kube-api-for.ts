import { rmSync } from 'node:fs';
import type { KubeSettings } from './kube/client';
import type { KubeApi } from './kube/kube-api';

/**
 * The Kubernetes layer on the kubeconfig a command wrote (the roll's, each rotation's, the drill's throwaway's, the
 * acceptance run's): its Leases, Nodes, ConfigMaps, Plan, Secrets, access reviews, Rancher's users and Backups. The
 * Kubernetes client is loaded here, apart from main.js (scripts/build.js, CLI_APART), only by a run that reaches the
 * cluster; if it cannot load, the kubeconfig (a credential) is removed before the error goes on, as every other early
 * exit does.
 */
export async function kubeApiFor(kubeconfig: string): Promise<KubeApi> {
  try {
    return (await import('./kube/kube-api')).kubeApi({ kubeconfig });
  } catch (error) {
    rmSync(kubeconfig, { force: true });
    throw error;
  }
}

/**
 * The Kubernetes layer on a kubeconfig that is not the command's to remove (k8s-ha's acceptance run: the user's own
 * file, with the context named), loaded apart as kubeApiFor loads it.
 */
export async function kubeApiOn(settings: KubeSettings): Promise<KubeApi> {
  return (await import('./kube/kube-api')).kubeApi(settings);
}
