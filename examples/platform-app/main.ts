// A platform team's own CDKTF app: its providers and backend, one Rancher
// deployment from the rancher-ha-aws library, and a resource of its own.
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { App, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { RancherOnRke } from 'rancher-ha-aws';
import { configureBaseProviders } from 'rancher-ha-aws/common';

class PlatformStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new S3Backend(this, { bucket: 'acme-terraform-state', key: 'platform/rancher.tfstate', region: 'eu-west-1', encrypt: true });
    // AWS (with the team's default tags), tls, random and http: what RancherOnRke needs in the stack.
    configureBaseProviders(this, { region: 'eu-west-1', tags: { team: 'platform' } });

    // The region is the AWS provider's.
    const rancher = new RancherOnRke(this, 'rancher', {
      name: 'acme',
      hostname: 'rancher.platform.acme.io',
      hostedZone: 'platform.acme.io',
      adminCidrs: ['10.8.0.0/24'], // your VPN's network (an example: a documentation range is refused)
      privateNodes: true,
      natGateways: 'single',
      rancher: { tls: { issuer: 'acme', acme: { email: 'platform@acme.io' } } },
    });

    // Extending it without forking: an alarm of the team's on each server's CPU, notifying the deployment's own
    // alarm topic, and a chart of the team's installed once Rancher answers.
    rancher.servers.forEach((server, i) =>
      rancher.addAlarm(`server-${i}-cpu`, {
        metric: server.metricCpuUtilization(),
        threshold: 90,
        alarmDescription: 'A Rancher server has been busy for 15 minutes',
      }),
    );
    rancher.addHelmChart('podinfo', {
      chart: 'podinfo',
      repository: 'https://stefanprodan.github.io/podinfo',
      version: '6.7.1',
      namespace: 'platform-status',
      values: { replicaCount: 2 },
    });

    // The team's own resource beside it: where Rancher's alerting webhooks will publish.
    const alerts = new SnsTopic(this, 'rancher-alerts', { name: 'acme-rancher-alerts', kmsMasterKeyId: 'alias/aws/sns' });

    new TerraformOutput(this, 'rancher_url', { value: rancher.url });
    new TerraformOutput(this, 'rancher_bootstrap_password', { value: rancher.bootstrapPassword, sensitive: true });
    new TerraformOutput(this, 'alerts_topic_arn', { value: alerts.arn });
  }
}

const app = new App();
new PlatformStack(app, 'platform');
app.synth();
