import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { alarmOutputs } from '../alarm-outputs';
import { rancherOutputs, stackFoundation } from '../stack-foundation';
import { instanceTypeVariable } from '../instance-type-variable';
import { DOCKER_HOST_MINIMUM } from '../../lib/config/instance-types';
import type { Settings } from '../config/settings-schema';
import { rancherOnDockerProps } from '../from-settings';
import { wildcardName } from '../../lib/deployments/private/rancher-name';
import { RancherOnDocker } from '../../lib/deployments/rancher-on-docker';
import { IN_PLACE_ID } from '../../lib/deployments/private/stack-level-names';

export const DOCKER_STACK = 'docker';

/** The docker stack: the settings file's Docker install as one RancherOnDocker, and its outputs. */
export class DockerStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    // admin_cidrs only with SSH: the Docker host opens no other admin port.
    const { inputs } = stackFoundation(this, settings, {
      route53Name: !wildcardName(settings),
      adminCidrs: settings.docker.sshKeyName !== undefined,
    });
    const instanceType = instanceTypeVariable(this, settings.docker, DOCKER_HOST_MINIMUM, 'the Rancher host (resized in place: stopped and started)');
    const rancher = new RancherOnDocker(this, IN_PLACE_ID, rancherOnDockerProps(settings, inputs, instanceType));

    rancherOutputs(this, rancher, settings.backend);
    new TerraformOutput(this, 'public_ip', {
      value: rancher.publicIp,
      description: rancher.loadBalancerDnsName
        ? 'Elastic IP of the Rancher host (its egress address; the DNS record points at the load balancer)'
        : 'Elastic IP of the Rancher host (the DNS record points at it)',
    });
    if (rancher.loadBalancerDnsName) {
      new TerraformOutput(this, 'load_balancer_dns_name', {
        value: rancher.loadBalancerDnsName,
        description: 'The ALB the Rancher record points at',
      });
    }
    new TerraformOutput(this, 'data_volume_id', {
      value: rancher.dataVolumeId,
      description: 'EBS volume holding /var/lib/rancher; its snapshots are the backups',
    });
    alarmOutputs(this, rancher.alarms);
    new TerraformOutput(this, 'instance_id', { value: rancher.instanceId, description: 'For a shell: aws ssm start-session --target <instance_id>' });
  }
}
