import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import type { RancherOnRkeProps } from '../../../lib/deployments/rancher-on-rke-props';
import { resources, synthStack } from '../../helpers/synth';

/** A library user's stack: its own backend, providers and resources, one RancherOnRke under an id of its choice. */
function platformStack(props: Partial<RancherOnRkeProps> = {}, stackId = 'platform') {
  let construct!: RancherOnRke;
  const result = synthStack((app) => {
    const stack = new TerraformStack(app, stackId);
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    configureBaseProviders(stack, { region: 'eu-west-1', tags: { team: 'platform' } });
    const hostname = new TerraformVariable(stack, 'rancher_hostname', { type: 'string' });
    construct = new RancherOnRke(stack, 'rancher', { hostname: hostname.stringValue, hostedZone: 'acme.io', adminCidrs: ['203.0.113.0/24'], region: 'eu-west-1', ...props });
    new S3Bucket(stack, 'audit-exports', { bucketPrefix: 'audit-exports-' });
    return stack;
  });
  return { ...result, construct };
}

describe('RancherOnRke in a library user\'s stack', () => {
  const { json, construct } = platformStack();

  it('builds the whole deployment beside the stack\'s own resources, addressed under its id', () => {
    const instances = Object.keys(resources(json, 'aws_instance'));
    expect(instances).toHaveLength(3);
    expect(instances.every((name) => name.startsWith('rancher_server-'))).toBe(true);
    expect(Object.keys(resources(json, 'aws_s3_bucket'))).toEqual(expect.arrayContaining(['audit-exports']));
    expect(Object.keys(resources(json, 'helm_release')).sort()).toEqual([expect.stringMatching(/^rancher_cert-manager_/), expect.stringMatching(/^rancher_release_/)]); // cdktf drops the repeated id: rancher/rancher/release
  });

  it('names resources <name>-<stack id> and keeps the boot parameters under /<name>/<stack id>', () => {
    const [nlb] = Object.values(resources(json, 'aws_lb'));
    expect(nlb.name).toBe('rancher-platform');
    const marker = Object.values(resources(json, 'aws_ssm_parameter')).find((p) => String(p.name).endsWith('/cluster-initialized'));
    expect(marker.name).toBe('/rancher/platform/cluster-initialized');
  });

  it('declares its stack-level check under a name of its own', () => {
    expect(Object.keys((json as unknown as { check: Record<string, unknown> }).check)).toEqual(['rancher_servers_up_to_date']);
  });

  it('takes the hostname as a Terraform reference', () => {
    const [record] = Object.values(resources(json, 'aws_route53_record'));
    expect(record.name).toBe('${var.rancher_hostname}');
  });

  it('exposes what a stack makes outputs of', () => {
    expect(construct.settings.rkeHa.distribution).toBe('rke2');
    for (const value of [construct.url, construct.bootstrapPassword, construct.kubeconfig, construct.joinToken, construct.loadBalancerDnsName, construct.etcdSnapshotBucket]) {
      expect(typeof value).toBe('string');
    }
    expect(Object.keys(construct.serversPendingReplacement)).toEqual(['server-0', 'server-1', 'server-2']);
  });
});

describe('RancherOnRke refuses at synth what a settings file would be refused, naming the prop', () => {
  const refused = (props: Partial<RancherOnRkeProps>, stackId?: string) => () => platformStack(props, stackId);

  it.each([
    ['an even etcd member count', { rkeHa: { nodeCount: 2 as const } }, /rkeHa\.nodeCount: expected 1 or 3 with rke2/],
    ["Rancher's CA at an AWS load balancer", { rancher: { tls: { mode: 'external' as const, issuer: 'rancher' as const } } }, /rancher\.tls\.issuer: .*cannot be served by an AWS load balancer/],
    ['a prop the construct does not know', { rkeHa: { nodeCont: 3 } as never }, /rkeHa\.nodeCont: /],
    ['a Rancher version outside its Kubernetes range', { versions: { rke2: 'v1.20.15+rke2r2' } }, /versions\.rke2: Kubernetes 1\.20 is outside/],
    [
      'a VPC range beside an existing network',
      { rkeHa: { vpcCidr: '10.1.0.0/16', existingNetwork: { vpcId: 'vpc-0123456789abcdef0', loadBalancerSubnetIds: ['subnet-0a000000000000001'], nodeSubnetIds: ['subnet-0b000000000000001'] } } },
      /rkeHa\.vpcCidr: the stack creates no VPC with existingNetwork[\s\S]*rkeHa\.existingNetwork\.nodeSubnetIds: lists 1 subnet, and the 3 servers/,
    ],
  ])('%s', (_what, props, message) => {
    expect(refused(props)).toThrow(message);
  });

  it('a name that makes a target group name longer than 32 characters with this stack id', () => {
    expect(refused({ name: 'rancher-platform' }, 'production-eu')).toThrow(/name: makes the production-eu NLB target group for 80 "rancher-platform-production-eu-80", and a target group name may have at most 32 characters/);
  });
});
