import type { KubeClient } from './client';
import { kubeFailure, kubeStatus } from './errors';

/** Where a namespaced object of a CustomResourceDefinition is served: `/apis/<group>/<version>/namespaces/<namespace>/<plural>/<name>`. */
export interface CustomObjectRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * A namespaced custom object as the API serves it (its JSON, unchecked: the caller reads the fields it knows), or
 * undefined when there is none: `kubectl -n <namespace> get <plural>.<group> <name> -o json` failing with NotFound,
 * or with "the server doesn't have a resource type" when its CRD is not installed. The apiserver answers both with a
 * 404 Status (an object missing: apimachinery's `pkg/api/errors` NewNotFound; a resource nobody serves: the
 * apiserver's not-found handler, "the server could not find the requested resource"), which kubectl tells apart
 * only by asking discovery first.
 */
export async function readCustomObject(client: KubeClient, ref: CustomObjectRef): Promise<unknown> {
  try {
    return (await client.custom.getNamespacedCustomObject(ref)) as unknown;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Reading ${ref.plural}.${ref.group} ${ref.namespace}/${ref.name}`, client.server, false);
  }
}

/** Where cluster-scoped objects of a CustomResourceDefinition are served: `/apis/<group>/<version>/<plural>`. */
export interface ClusterObjectsRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/**
 * A cluster-scoped custom object as the API serves it (its JSON, unchecked), or undefined on the API server's 404:
 * none of that name, or its CRD not installed (the same 404, as readCustomObject says).
 */
export async function readClusterObject(client: KubeClient, ref: ClusterObjectsRef, name: string): Promise<unknown> {
  try {
    return (await client.custom.getClusterCustomObject({ ...ref, name })) as unknown;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Reading ${ref.plural}.${ref.group} ${name}`, client.server, false);
  }
}

/**
 * Every cluster-scoped custom object of a kind (`kubectl get <plural>.<group> -o json`'s items, each its JSON,
 * unchecked), or undefined on the API server's 404: its CRD not installed (nobody serves the resource).
 */
export async function listClusterObjects(client: KubeClient, ref: ClusterObjectsRef): Promise<unknown[] | undefined> {
  try {
    const list = (await client.custom.listClusterCustomObject({ ...ref })) as { items?: unknown };
    return Array.isArray(list?.items) ? (list.items as unknown[]) : [];
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Listing ${ref.plural}.${ref.group}`, client.server, false);
  }
}

/**
 * Creates a cluster-scoped custom object (`kubectl create -f -` of one object): refused with AlreadyExists when one
 * of its name exists; a create, never an apply, so nothing of the body is kept in an annotation. The object as the
 * API server stored it.
 */
export async function createClusterObject(client: KubeClient, ref: ClusterObjectsRef, body: { metadata?: { name?: string } }): Promise<unknown> {
  try {
    return (await client.custom.createClusterCustomObject({ ...ref, body })) as unknown;
  } catch (error) {
    throw kubeFailure(error, `Creating ${ref.plural}.${ref.group} ${body.metadata?.name ?? ''}`, client.server, true);
  }
}

/** Asks for a cluster-scoped custom object's deletion (`kubectl delete --wait=false`); false when there was none. */
export async function deleteClusterObject(client: KubeClient, ref: ClusterObjectsRef, name: string): Promise<boolean> {
  try {
    await client.custom.deleteClusterCustomObject({ ...ref, name });
    return true;
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return false;
    throw kubeFailure(error, `Deleting ${ref.plural}.${ref.group} ${name}`, client.server, true);
  }
}
