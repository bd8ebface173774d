import type { V1Secret } from '@kubernetes/client-node';
import { selfAccess, type AccessAnswer, type AccessAsked } from './access';
import { kubeClient, type KubeClient, type KubeSettings } from './client';
import { readConfigMap } from './config-maps';
import {
  createClusterObject,
  deleteClusterObject,
  listClusterObjects,
  readClusterObject,
  readCustomObject,
  type ClusterObjectsRef,
  type CustomObjectRef,
} from './custom-objects';
import { deploymentReplicas, scaleDeployment } from './deployments';
import { apiReady } from './health';
import { createLease, readLease, replaceLease, type LeaseApi } from './leases';
import { namespaceExists, namespaceNames } from './namespaces';
import { deleteNode, kubeletVersions, nodesIfAnswered, setUnschedulable } from './nodes';
import { createSecret, deleteSecret, readSecretData } from './secrets';
import type { NodeStatus } from '../kubectl';

/**
 * The Kubernetes layer as the commands use it, loaded with import() only when a command reaches the cluster (its
 * generated models are most of its size: docs/development.md, "The Kubernetes layer"), bundled apart
 * (scripts/build.js CLI_APART). Its functions are the layer's, bound to one client: a command's own code imports
 * the types only.
 */
export interface KubeApi {
  readonly client: KubeClient;
  /** The restart protocol's Lease calls (cli/shared/lease.ts). */
  readonly leases: LeaseApi;
  /** The Nodes as the roll and the rotations read and change them (nodes.ts). */
  readonly nodes: {
    /** Every Node; undefined when the API did not answer (nodesIfAnswered). */
    readonly list: () => Promise<NodeStatus[] | undefined>;
    /** Cordoned (true) or uncordoned (false); false when there is no such Node. */
    readonly setUnschedulable: (name: string, unschedulable: boolean) => Promise<boolean>;
    /** Its deletion asked (`--wait=false`); false when there was none. */
    readonly delete: (name: string) => Promise<boolean>;
    /** Each Node's name and kubelet version (nodes.ts kubeletVersions). */
    readonly versions: () => Promise<{ name: string; version: string }[]>;
  };
  /** A ConfigMap's data (config-maps.ts); undefined when there is none. */
  readonly configMapData: (namespace: string, name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /** A custom object's JSON (custom-objects.ts); undefined when there is none, or its CRD is not installed. */
  readonly customObject: (ref: CustomObjectRef) => Promise<unknown>;
  /** Deletes a Secret (secrets.ts); false when there was none. */
  readonly deleteSecret: (namespace: string, name: string) => Promise<boolean>;
  /** A Secret's data, each value decoded (secrets.ts); undefined when there is none. */
  readonly secretData: (namespace: string, name: string) => Promise<Readonly<Record<string, Buffer>> | undefined>;
  /** Creates a Secret (secrets.ts: a create, never an apply). */
  readonly createSecret: (namespace: string, secret: V1Secret) => Promise<void>;
  /** Cluster-scoped custom objects (custom-objects.ts: Rancher's Users and GlobalRoleBindings, the drill's). */
  readonly clusterObjects: {
    /** Its JSON; undefined when there is none (or no such CRD). */
    readonly read: (ref: ClusterObjectsRef, name: string) => Promise<unknown>;
    /** Every one of the kind; undefined when its CRD is not installed. */
    readonly list: (ref: ClusterObjectsRef) => Promise<unknown[] | undefined>;
    /** The object as stored. */
    readonly create: (ref: ClusterObjectsRef, body: { metadata?: { name?: string } }) => Promise<unknown>;
    /** Its deletion asked; false when there was none. */
    readonly delete: (ref: ClusterObjectsRef, name: string) => Promise<boolean>;
  };
  /** Whether the kubeconfig's user may do something (access.ts: `kubectl auth can-i`'s SelfSubjectAccessReview). */
  readonly selfAccess: (asked: AccessAsked) => Promise<AccessAnswer>;
  /** The Namespaces (namespaces.ts): every name; whether one exists. */
  readonly namespaces: {
    readonly names: () => Promise<string[]>;
    readonly exists: (name: string) => Promise<boolean>;
  };
  /** A Deployment's replicas (deployments.ts): set through its scale subresource; read (undefined: no such Deployment). */
  readonly deployments: {
    readonly scale: (namespace: string, name: string, replicas: number) => Promise<void>;
    readonly replicas: (namespace: string, name: string) => Promise<number | undefined>;
  };
  /** Whether the API server's /readyz answered 200 within `timeoutMs` (health.ts). */
  readonly ready: (timeoutMs: number) => Promise<boolean>;
}

export function kubeApi(settings: KubeSettings): KubeApi {
  const client = kubeClient(settings);
  const configMapData = async (namespace: string, name: string) => (await readConfigMap(client, namespace, name))?.data;
  return {
    client,
    leases: {
      read: (namespace, name) => readLease(client, namespace, name),
      create: (write) => createLease(client, write),
      replace: (write, resourceVersion) => replaceLease(client, write, resourceVersion),
      restoreRecord: configMapData,
    },
    nodes: {
      list: () => nodesIfAnswered(client),
      setUnschedulable: (name, unschedulable) => setUnschedulable(client, name, unschedulable),
      delete: (name) => deleteNode(client, name),
      versions: () => kubeletVersions(client),
    },
    configMapData,
    customObject: (ref) => readCustomObject(client, ref),
    deleteSecret: (namespace, name) => deleteSecret(client, namespace, name),
    secretData: (namespace, name) => readSecretData(client, namespace, name),
    createSecret: (namespace, secret) => createSecret(client, namespace, secret),
    clusterObjects: {
      read: (ref, name) => readClusterObject(client, ref, name),
      list: (ref) => listClusterObjects(client, ref),
      create: (ref, body) => createClusterObject(client, ref, body),
      delete: (ref, name) => deleteClusterObject(client, ref, name),
    },
    selfAccess: (asked) => selfAccess(client, asked),
    namespaces: { names: () => namespaceNames(client), exists: (name) => namespaceExists(client, name) },
    deployments: {
      scale: (namespace, name, replicas) => scaleDeployment(client, namespace, name, replicas),
      replicas: (namespace, name) => deploymentReplicas(client, namespace, name),
    },
    ready: (timeoutMs) => apiReady(client, timeoutMs),
  };
}
