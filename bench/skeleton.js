#!/usr/bin/env node
// The floor `npm run bench` compares the app's synth against: a cdktf app with
// the same provider packages and per-resource imports, three stacks each with a
// VPC, subnets, instances and a load balancer, and nothing of this product.
// Plain JavaScript, so it needs no build.
const { App, TerraformStack, LocalBackend } = require('cdktf');
const { AwsProvider } = require('@cdktn/provider-aws/lib/provider');
const { Vpc } = require('@cdktn/provider-aws/lib/vpc');
const { Subnet } = require('@cdktn/provider-aws/lib/subnet');
const { Instance } = require('@cdktn/provider-aws/lib/instance');
const { Lb } = require('@cdktn/provider-aws/lib/lb');
const { LbTargetGroup } = require('@cdktn/provider-aws/lib/lb-target-group');
const { LbListener } = require('@cdktn/provider-aws/lib/lb-listener');
const { LbTargetGroupAttachment } = require('@cdktn/provider-aws/lib/lb-target-group-attachment');

class SkeletonStack extends TerraformStack {
  constructor(scope, id) {
    super(scope, id);
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new AwsProvider(this, 'aws', { region: 'us-east-1' });
    const vpc = new Vpc(this, 'vpc', { cidrBlock: '10.0.0.0/16' });
    const subnets = [0, 1, 2].map((i) => new Subnet(this, `subnet-${i}`, { vpcId: vpc.id, cidrBlock: `10.0.${i}.0/24` }));
    const lb = new Lb(this, 'lb', { name: `${id}-lb`, loadBalancerType: 'network', subnets: subnets.map((s) => s.id) });
    const group = new LbTargetGroup(this, 'tg', { name: `${id}-tg`, port: 443, protocol: 'TCP', vpcId: vpc.id });
    new LbListener(this, 'listener', {
      loadBalancerArn: lb.arn,
      port: 443,
      protocol: 'TCP',
      defaultAction: [{ type: 'forward', targetGroupArn: group.arn }],
    });
    subnets.forEach((subnet, i) => {
      const instance = new Instance(this, `server-${i}`, { ami: 'ami-12345678', instanceType: 'm6i.xlarge', subnetId: subnet.id });
      new LbTargetGroupAttachment(this, `target-${i}`, { targetGroupArn: group.arn, targetId: instance.id });
    });
  }
}

const app = new App();
for (const id of ['rke-ha', 'k8s-ha', 'docker']) new SkeletonStack(app, id);
app.synth();
