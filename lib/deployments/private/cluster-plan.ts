import { effectiveIngressController, effectiveNodeCount, type IngressMigrationStep, type RkeHaOwnProps } from '../../config/rke-ha-schema';
import type { ResolvedDeploymentProps } from '../../config/deployment-schema';
import { rhelFamily, selinuxPolicyFromImage } from '../../config/sections';
import { architectureFromInstanceType, DEFAULT_IMAGE_ARCHITECTURE, requiredArchitecture, type Architecture } from '../../config/instance-types';
import { packagedIngress, type PackagedIngress } from '../../kubernetes/private/ingress-controller-config';
import type { PortRule } from '../../network/port-rule';
import { K3S_SERVER_PORTS, RKE2_SERVER_PORTS } from '../../nodes/private/ports';

/**
 * The Kubernetes cluster of an rke-ha deployment, decided once from its settings: which distribution, how many
 * servers, which version and ingress controller. The steps of RancherOnRke read this plan instead of choosing between
 * RKE2 and K3s each time, and the settings reference (app/config/computed-defaults.ts) shows the defaults it computes.
 */
export interface ClusterPlan {
  readonly distribution: 'rke2' | 'k3s';
  /** K3s on an external datastore; otherwise RKE2 with etcd on the servers. */
  readonly k3s: boolean;
  /** `nodeCount`, or the distribution's HA layout. */
  readonly nodeCount: 1 | 2 | 3;
  /** The distribution's pinned version (`versions.rke2` or `versions.k3s`): installed, and upgraded to in place. */
  readonly kubernetesVersion: string;
  /** `ingressController`, or the default (effectiveIngressController). */
  readonly ingressController: 'ingress-nginx' | 'traefik';
  /**
   * The packaged ingress controller that serves Rancher's ingress: its class, chart and admission check. During a
   * move off ingress-nginx (`migration`), ingress-nginx's until the step `done`.
   */
  readonly ingress: PackagedIngress;
  /** The controller `ingress` is: the one Rancher's chart values are set up for. */
  readonly rancherIngressController: 'ingress-nginx' | 'traefik';
  /** The controllers the servers' config.yaml lists (`ingress-controller`): RKE2 installs these and disables the others. */
  readonly ingressControllers: readonly ('ingress-nginx' | 'traefik')[];
  /** The step of a running deployment's move from ingress-nginx to Traefik (`ingressMigration`), if one is set. */
  readonly migration?: IngressMigrationStep;
  /** The ports the servers open to each other. */
  readonly serverPorts: readonly PortRule[];
  /** etcd runs on the servers (RKE2): its quorum is the servers'. */
  readonly embeddedEtcd: boolean;
  /** The cluster state is in an RDS datastore of its own subnets (K3s). */
  readonly externalDatastore: boolean;
  /** One apply may not take etcd below quorum (RKE2, unless `allowQuorumLoss`). */
  readonly quorumGuard: boolean;
  /**
   * The servers' architecture: `architecture`, or the looked-up image's default (x86_64); with a pinned `amiId` and no
   * `architecture`, the instance type's (a Graviton type: arm64). Undefined only for a pinned image whose instance
   * type is not a literal of the table (a library user's Terraform reference).
   */
  readonly architecture: Architecture | undefined;
  /** `architecture` came from the instance type's row (a pinned `amiId`, no `architecture`): the synth says so. */
  readonly architectureFromInstanceType: boolean;
  /** The release file the servers install: for `architecture`, amd64 when it is unknown. */
  readonly releaseArchitecture: Architecture;
  /**
   * The servers install the release file and check it against its sum: K3s always; RKE2 unless the RHEL family takes
   * Rancher's signed RPMs (every RHEL-family server but those behind closed egress, whose policy comes from the image).
   */
  readonly installsReleaseFile: boolean;
}

type ClusterSettings = Pick<
  RkeHaOwnProps,
  | 'distribution'
  | 'nodeCount'
  | 'ingressController'
  | 'ingressMigration'
  | 'allowQuorumLoss'
  | 'architecture'
  | 'amiId'
  | 'instanceType'
  | 'operatingSystem'
>;

export function clusterPlan(
  props: ClusterSettings & {
    readonly versions: ResolvedDeploymentProps['versions'];
    /** @default open egress */
    readonly proxy?: { readonly egressOnlyTo: readonly string[]; readonly http?: string; readonly https?: string };
  },
): ClusterPlan {
  const k3s = props.distribution === 'k3s';
  // The defaults' functions live beside the schema, whose cross-field rules need them on unresolved input too.
  const ingressController = effectiveIngressController(props);
  const migration = k3s ? undefined : props.ingressMigration;
  // Until `done`, ingress-nginx serves Rancher's ingress and both controllers run; `done` lists Traefik alone.
  const rancherIngressController = migration === 'beside' || migration === 'moved' ? 'ingress-nginx' : ingressController;
  return {
    distribution: props.distribution,
    k3s,
    nodeCount: effectiveNodeCount(props),
    kubernetesVersion: k3s ? props.versions.k3s : props.versions.rke2,
    ingressController,
    ingress: packagedIngress(props.distribution, rancherIngressController),
    rancherIngressController,
    ingressControllers: rancherIngressController === ingressController ? [ingressController] : ['ingress-nginx', 'traefik'],
    ...(migration ? { migration } : {}),
    serverPorts: k3s ? K3S_SERVER_PORTS : RKE2_SERVER_PORTS,
    embeddedEtcd: !k3s,
    externalDatastore: k3s,
    quorumGuard: !k3s && !props.allowQuorumLoss,
    architecture: requiredArchitecture(props),
    architectureFromInstanceType: architectureFromInstanceType(props),
    releaseArchitecture: requiredArchitecture(props) ?? DEFAULT_IMAGE_ARCHITECTURE,
    installsReleaseFile:
      k3s || !rhelFamily(props.operatingSystem) || selinuxPolicyFromImage(props.operatingSystem, props.proxy ?? { egressOnlyTo: [] }),
  };
}
