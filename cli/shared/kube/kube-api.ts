import { kubeClient, type KubeClient, type KubeSettings } from './client';
import { readConfigMap } from './config-maps';
import { createLease, readLease, replaceLease, type LeaseApi } from './leases';

/**
 * The Kubernetes layer as the commands use it, loaded with import() only when a command reaches the cluster (its
 * generated models are most of its size: docs/development.md, "The Kubernetes layer"), bundled apart
 * (scripts/build.js CLI_APART).
 */
export interface KubeApi {
  readonly client: KubeClient;
  /** The restart protocol's Lease calls (cli/shared/lease.ts). */
  readonly leases: LeaseApi;
}

export function kubeApi(settings: KubeSettings): KubeApi {
  const client = kubeClient(settings);
  return {
    client,
    leases: {
      read: (namespace, name) => readLease(client, namespace, name),
      create: (write) => createLease(client, write),
      replace: (write, resourceVersion) => replaceLease(client, write, resourceVersion),
      restoreRecord: async (namespace, name) => (await readConfigMap(client, namespace, name))?.data,
    },
  };
}
