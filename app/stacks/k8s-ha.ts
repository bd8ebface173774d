import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { alarmOutputs } from '../alarm-outputs';
import { rancherOutputs, stackFoundation } from '../stack-foundation';
import type { Settings } from '../config/settings-schema';
import { rancherOnExistingClusterProps } from '../from-settings';
import { RancherOnExistingCluster } from '../../lib/deployments/rancher-on-existing-cluster';
import { IN_PLACE_ID } from '../../lib/deployments/private/stack-level-names';
import { ExistingClusterAccess } from '../../lib/existing-cluster/existing-cluster-access';
import { rancherBackupOutputs } from '../../lib/rancher/private/backup-outputs';

export const K8S_HA_STACK = 'k8s-ha';

/** The k8s-ha stack: Helm and Kubernetes providers for the cluster the settings name, one RancherOnExistingCluster, outputs. */
export class K8sHaStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    // No admin port of this stack's own: no admin_cidrs variable, no address lookup on each plan.
    const { inputs } = stackFoundation(this, settings, { adminAccess: false });
    const { access } = settings.k8sHa;
    new ExistingClusterAccess(this, 'cluster-access', access.kubeconfig ? { kubeconfig: access.kubeconfig } : { variables: true });
    const rancher = new RancherOnExistingCluster(this, IN_PLACE_ID, rancherOnExistingClusterProps(settings, inputs));

    rancherOutputs(this, rancher, settings.backend);
    rancherBackupOutputs(this, rancher.rancherBackups);
    alarmOutputs(this, rancher.alarms);
    new TerraformOutput(this, 'dns_target', {
      value: rancher.dnsTarget,
      description: 'The ingress load balancer (hostname or address) the Rancher record points at',
    });
    new TerraformOutput(this, 'dns_record_type', {
      value: rancher.dnsRecordType,
      description: 'alias (AWS load balancer), A (IPv4 address) or CNAME (other hostname)',
    });
  }
}
