import { rmSync } from 'node:fs';
import type { LeaseApi } from './kube/leases';

/**
 * The restart Lease's API on the kubeconfig a command wrote (the roll's, each rotation's). The Kubernetes client is
 * loaded here, apart from main.js (scripts/build.js, CLI_APART), only by a run that reaches the Lease; if it cannot
 * load, the kubeconfig (a credential) is removed before the error goes on, as every other early exit does.
 */
export async function leaseApiFor(kubeconfig: string): Promise<LeaseApi> {
  try {
    return (await import('./kube/kube-api')).kubeApi({ kubeconfig }).leases;
  } catch (error) {
    rmSync(kubeconfig, { force: true });
    throw error;
  }
}
