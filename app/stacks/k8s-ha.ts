import { TerraformLocal, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { alarmOutputs } from '../alarm-outputs';
import { rancherOutputs, stackFoundation } from '../stack-foundation';
import type { Settings } from '../config/settings-schema';
import { rancherOnExistingClusterProps } from '../from-settings';
import { RancherOnExistingCluster } from '../../lib/deployments/rancher-on-existing-cluster';
import { IN_PLACE_ID } from '../../lib/deployments/private/stack-level-names';
import { ExistingClusterAccess } from '../../lib/existing-cluster/existing-cluster-access';
import { rancherBackupOutputs } from '../../lib/rancher/private/backup-outputs';
import { TerraformData } from '../../lib/common/terraform-data';

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
    standbyClusterNamed(this, settings.standby);

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

/**
 * `standby.region` without `standby.k8sHa.access` is an rke-ha standby to the settings file, which every stack shares:
 * this stack, which would have no cluster to fail over onto, refuses its plan instead (before any change). The
 * condition reads a local: Terraform refuses one that refers to nothing.
 */
function standbyClusterNamed(stack: TerraformStack, standby: Settings['standby']): void {
  if (standby.region === undefined || standby.k8sHa?.access !== undefined) return;
  const named = new TerraformLocal(stack, 'standby_cluster_named', false);
  const refusal = new TerraformData(stack, 'standby_cluster', {
    lifecycle: {
      precondition: [
        {
          condition: `\${${named.fqn}}`,
          errorMessage: `standby.region ${standby.region} names no standby cluster for k8s-ha: standby.k8sHa.access is unset (it has no default: ~/.kube/config is production's cluster). Set standby.k8sHa.access (kubeconfig: { path, context } or variables: true) to the cluster in ${standby.region} a failover installs Rancher onto, or remove standby.region (docs/standby.md).`,
        },
      ],
    },
  });
  refusal.overrideLogicalId('standby_cluster');
}
