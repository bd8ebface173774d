import type { RecordedSetting } from '../../common/deployment-guard';
import type { ResolvedRancherOnRkeProps } from '../../config/deployment-schema';
import type { ClusterPlan } from './cluster-plan';
import type { RkeNetworkPlan } from './network-plan';

/**
 * The records of RancherOnRke's own props, by the names they had when the messages gave settings-file paths. A
 * running deployment's state holds each record under its name (`record-rkeHa-vpcCidr`), and the deployment record and
 * the CLI read them by it: the names stay, and the messages name the props.
 */
const RECORD = {
  vpc: 'rkeHa.vpcCidr',
  dualStack: 'rkeHa.dualStack',
  distribution: 'rkeHa.distribution',
  datastoreEngine: 'rkeHa.datastore.engine',
  ingressController: 'rkeHa.ingressController',
} as const;

/** The record of the controller the deployment was created with, which the move off ingress-nginx reads. */
export const INGRESS_CONTROLLER_RECORD = RECORD.ingressController;

/** The props a running RancherOnRke deployment cannot change, each with why and what to do instead. */
export function rkeRecordedSettings(props: ResolvedRancherOnRkeProps, cluster: ClusterPlan, network: RkeNetworkPlan): RecordedSetting[] {
  const recorded: RecordedSetting[] = [
    {
      setting: 'name',
      value: props.name,
      procedure:
        'Every resource name, the SSM path and the snapshot bucket derive from it: a new name replaces the load balancer, the bucket and the boot parameters. Keep it; a second deployment needs a state of its own.',
    },
    {
      setting: 'region',
      value: props.region,
      procedure:
        'The resources live in that region: another region would build a second deployment and orphan this one. Keep it; use another state for another region.',
    },
    // One record for the network, created or existing: moving between them is a change of VPC like any other.
    network.existing
      ? {
          setting: 'existingNetwork.vpc',
          recordedAs: RECORD.vpc,
          value: network.existing.vpcId,
          procedure:
            'The servers, their security group and the load balancers live in that VPC: another VPC (or a move between a created network and an existing one) would replace every server at once. Keep it, or build a new deployment and restore it from an etcd snapshot (docs/day-2.md, "Day 2").',
        }
      : {
          setting: 'vpcCidr',
          recordedAs: RECORD.vpc,
          value: network.vpcCidr,
          procedure:
            'A new range replaces the VPC, every subnet and every server at once. Keep it, or build a new deployment and restore it from an etcd snapshot (docs/day-2.md, "Day 2").',
        },
    {
      setting: 'dualStack',
      recordedAs: RECORD.dualStack,
      value: String(props.dualStack),
      procedure:
        "RKE2 and K3s take the cluster's pod and service networks when the cluster is created and never add or drop an IP family later, and each server's IPv6 address is given at launch. Keep it, or build a new deployment with the value you want and move Rancher with the rancher-backup operator.",
    },
    {
      setting: 'distribution',
      recordedAs: RECORD.distribution,
      value: cluster.distribution,
      procedure:
        'The running servers keep their distribution and datastore (etcd on the servers, or RDS); switching would leave them on the old one. Build a new deployment and move Rancher with the rancher-backup operator.',
    },
  ];
  if (cluster.k3s) {
    recorded.push({
      setting: 'datastore.engine',
      recordedAs: RECORD.datastoreEngine,
      value: props.datastore.engine,
      procedure:
        'A new engine creates a new, empty database and the servers would lose the cluster. Build a new deployment and move Rancher with the rancher-backup operator.',
    });
  } else {
    recorded.push({
      setting: 'ingressController',
      recordedAs: RECORD.ingressController,
      value: cluster.ingressController,
      // The one change a running deployment takes: off ingress-nginx, through the steps of ingressMigration.
      ...(cluster.migration ? { acceptedFrom: ['ingress-nginx'] } : {}),
      procedure: ingressControllerProcedure(props.ingressController),
    });
  }
  return recorded;
}

/**
 * Why a running RKE2 deployment keeps its ingress controller, and what to do. RKE2 reads `ingress-controller` from
 * config.yaml only when it starts, and the servers keep the user data they were created with, so the chart would
 * name a class the servers do not serve. With the prop unset the value is the default, which changed from
 * ingress-nginx to traefik: a deployment created before keeps ingress-nginx by naming it.
 */
export function ingressControllerProcedure(controller: string | undefined): string {
  const keep =
    controller === undefined
      ? 'ingressController is unset: its default is traefik for new deployments (ingress-nginx before; with rancher.tls.mode rancher or external, before this version). This deployment keeps the controller it was created with: set ingressController to that value and the plan is as before.'
      : "The servers keep the controller they started with (RKE2 reads it from config.yaml at start), and Rancher's ingress would name a class they do not serve. Set ingressController back to the value this deployment was created with.";
  return `${keep} ingress-nginx is retired upstream (no security fixes since March 2026); a running deployment moves to Traefik in steps, with ingressMigration: docs/day-2.md, "Off ingress-nginx".`;
}
