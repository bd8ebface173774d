import { LocalBackend, TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherDeployment } from '../../../lib/deployments/rancher-deployment';
import { RancherOnCluster } from '../../../lib/deployments/rancher-on-cluster';
import { RancherOnDocker } from '../../../lib/deployments/rancher-on-docker';
import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import { resources, synthStack } from '../../helpers/synth';

/** What a platform team writes once for every deployment it runs, whatever runs Rancher. */
const cpuAlarmOn = (deployment: RancherDeployment, metric: Parameters<RancherDeployment['addAlarm']>[1]['metric']) =>
  deployment.addAlarm('team-cpu', { metric, threshold: 95 });

describe('RancherDeployment and RancherOnCluster: what the three deployments share', () => {
  let rke!: RancherOnRke;
  let docker!: RancherOnDocker;
  const { json } = synthStack((app) => {
    const stack = new TerraformStack(app, 'platform');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
    rke = new RancherOnRke(stack, 'rke', { name: 'rke', hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] });
    docker = new RancherOnDocker(stack, 'docker', {
      name: 'docker',
      adminCidrs: [],
      dns: { mode: 'wildcard', wildcardDomain: 'nip.io' },
      tls: { issuer: 'acme' },
    });
    cpuAlarmOn(rke, rke.servers[0].metricCpuUtilization());
    cpuAlarmOn(docker, docker.host.metricCpuUtilization());
    return stack;
  });

  it('RancherOnRke runs on a cluster of its own; RancherOnDocker is a deployment with no cluster to add charts to', () => {
    expect(rke).toBeInstanceOf(RancherOnCluster);
    expect(docker).toBeInstanceOf(RancherDeployment);
    expect(docker).not.toBeInstanceOf(RancherOnCluster);
    expect('addHelmChart' in docker).toBe(false);
  });

  it("adds an alarm through the shared type, named after each deployment's own prefix", () => {
    const names = Object.values(resources(json, 'aws_cloudwatch_metric_alarm'))
      .map((alarm: any) => alarm.alarm_name as string)
      .filter((name) => name.endsWith('-team-cpu'));
    expect(names.sort()).toEqual(['docker-platform-team-cpu', 'rke-platform-team-cpu']);
  });
});
