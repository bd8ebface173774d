import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { alarmOutputs } from '../alarm-outputs';
import { rancherOutputs, stackFoundation } from '../stack-foundation';
import { instanceTypeVariable } from '../instance-type-variable';
import { RANCHER_SERVER_MINIMUM } from '../../lib/config/instance-types';
import type { Settings } from '../config/settings-schema';
import { rancherOnRkeProps } from '../from-settings';
import { wildcardName } from '../../lib/deployments/private/rancher-name';
import { RancherOnRke } from '../../lib/deployments/rancher-on-rke';
import { IN_PLACE_ID } from '../../lib/deployments/private/stack-level-names';
import { rancherBackupOutputs } from '../../lib/rancher/private/backup-outputs';

export const RKE_HA_STACK = 'rke-ha';

/** The rke-ha stack: the settings file's deployment as one RancherOnRke, and its outputs. */
export class RkeHaStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const { inputs } = stackFoundation(this, settings, {
      route53Name: !wildcardName(settings),
      ipv6AdminCidrs: settings.rkeHa.dualStack,
      deployerAddressCheck: true,
    });
    // A pipeline knob: servers take a new type when each is replaced (docs/pipeline.md, "Use in a pipeline").
    const instanceType = instanceTypeVariable(
      this,
      settings.rkeHa,
      RANCHER_SERVER_MINIMUM,
      'the Rancher servers (each keeps its type until it is replaced)',
    );
    const rancher = new RancherOnRke(this, IN_PLACE_ID, rancherOnRkeProps(settings, inputs, instanceType));

    rancherOutputs(this, rancher, settings.backend);
    new TerraformOutput(this, 'kubeconfig', {
      value: rancher.kubeconfig,
      sensitive: true,
      description: 'Cluster-admin kubeconfig (terraform output -raw kubeconfig > kubeconfig.yaml)',
    });
    new TerraformOutput(this, 'join_token', {
      value: rancher.joinToken,
      sensitive: true,
      description: 'The cluster token: a restore from an etcd snapshot needs it (keep a copy when you keep the snapshots)',
    });
    if (rancher.loadBalancerDnsName) {
      new TerraformOutput(this, 'load_balancer_dns_name', {
        value: rancher.loadBalancerDnsName,
        description: 'Load balancer name the Rancher record points at',
      });
    }
    if (rancher.nodePublicIps) {
      new TerraformOutput(this, 'node_public_ips', {
        value: rancher.nodePublicIps,
        description: "The nodes' Elastic IPs, which Rancher's name resolves to (health-checked)",
      });
    }
    if (rancher.etcdSnapshotBucket)
      new TerraformOutput(this, 'etcd_snapshot_bucket', {
        value: rancher.etcdSnapshotBucket,
        description: 'Bucket holding scheduled etcd snapshots',
      });
    if (rancher.etcdSnapshotEventsTopic) {
      new TerraformOutput(this, 'etcd_snapshot_events_topic', {
        value: rancher.etcdSnapshotEventsTopic,
        description: 'SNS topic of the snapshot bucket events: subscribe to it for alerts',
      });
    }
    rancherBackupOutputs(this, rancher.rancherBackups);
    alarmOutputs(this, rancher.alarms);
    if (rancher.datastoreAddress)
      new TerraformOutput(this, 'datastore_address', { value: rancher.datastoreAddress, description: 'K3s datastore (RDS) host name' });
    new TerraformOutput(this, 'servers_pending_replacement', {
      value: rancher.serversPendingReplacement,
      description: 'Per server, the settings it keeps until it is replaced; roll them one at a time (docs/day-2.md, "Day 2")',
    });
  }
}
