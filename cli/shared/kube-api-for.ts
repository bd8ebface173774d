import { rmSync } from 'node:fs';
import type { KubeApi } from './kube/kube-api';

/**
 * The Kubernetes layer on the kubeconfig a command wrote (the roll's, each rotation's, the drill's throwaway's): its
 * Leases, Nodes, ConfigMaps, Plan, Secrets, access reviews and Rancher's users. The Kubernetes client is loaded here, apart from main.js (scripts/build.js, CLI_APART), only by
 * a run that reaches the cluster; if it cannot load, the kubeconfig (a credential) is removed before the error goes
 * on, as every other early exit does.
 */
export async function kubeApiFor(kubeconfig: string): Promise<KubeApi> {
  try {
    return (await import('./kube/kube-api')).kubeApi({ kubeconfig });
  } catch (error) {
    rmSync(kubeconfig, { force: true });
    throw error;
  }
}
