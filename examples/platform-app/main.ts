// A platform team's own CDKTF app: its providers and backend, one Rancher
// deployment from the rancher-ha-aws library, and a resource of its own.
import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { RancherOnRke } from 'rancher-ha-aws';

class PlatformStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new S3Backend(this, { bucket: 'acme-terraform-state', key: 'platform/rancher.tfstate', region: 'eu-west-1', encrypt: true });
    new AwsProvider(this, 'aws', { region: 'eu-west-1', defaultTags: [{ tags: { team: 'platform' } }] });
    new TlsProvider(this, 'tls');
    new RandomProvider(this, 'random');
    new HttpProvider(this, 'http');

    const rancher = new RancherOnRke(this, 'rancher', {
      name: 'acme',
      region: 'eu-west-1',
      hostname: 'rancher.platform.acme.io',
      hostedZone: 'platform.acme.io',
      adminCidrs: ['203.0.113.0/24'],
      rkeHa: { privateNodes: true, natGateways: 'single' },
      rancher: { tls: { issuer: 'acme', acme: { email: 'platform@acme.io' } } },
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
