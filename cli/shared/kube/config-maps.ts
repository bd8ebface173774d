import type { KubeClient } from './client';
import { kubeFailure, kubeStatus } from './errors';

/** A ConfigMap's data and the version it was read at. */
export interface KubeConfigMap {
  readonly data: Readonly<Record<string, string>>;
  readonly resourceVersion: string;
}

/** A ConfigMap (the restore record, kube-system/rancher-aws-restore), or undefined when there is none. */
export async function readConfigMap(client: KubeClient, namespace: string, name: string): Promise<KubeConfigMap | undefined> {
  try {
    const map = await client.core.readNamespacedConfigMap({ namespace, name });
    return { data: map.data ?? {}, resourceVersion: map.metadata?.resourceVersion ?? '' };
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Reading ConfigMap ${namespace}/${name}`, client.server, false);
  }
}

/** What a write of a ConfigMap came to: written (at its new version), or refused because another wrote first. */
export type ConfigMapWritten =
  | { readonly written: true; readonly resourceVersion: string }
  | { readonly written: false; readonly reason: 'AlreadyExists' | 'Conflict' | 'NotFound'; readonly message: string };

/**
 * Writes a ConfigMap's data whole: created when `resourceVersion` is undefined (refused with AlreadyExists if one
 * exists), else replaced at that version (Conflict if it moved on, NotFound if it was deleted). Never retried here.
 */
export async function writeConfigMap(
  client: KubeClient,
  namespace: string,
  name: string,
  data: Readonly<Record<string, string>>,
  resourceVersion?: string,
): Promise<ConfigMapWritten> {
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    data: { ...data },
  };
  try {
    const written =
      resourceVersion === undefined
        ? await client.core.createNamespacedConfigMap({ namespace, body })
        : await client.core.replaceNamespacedConfigMap({ namespace, name, body });
    return { written: true, resourceVersion: written.metadata?.resourceVersion ?? '' };
  } catch (error) {
    const status = kubeStatus(error);
    if (status?.reason === 'AlreadyExists' || status?.reason === 'Conflict' || status?.reason === 'NotFound')
      return { written: false, reason: status.reason, message: status.message };
    throw kubeFailure(error, `Writing ConfigMap ${namespace}/${name}`, client.server, true);
  }
}
