import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AnnotationMetadataEntryType, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
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
    construct = new RancherOnRke(stack, 'rancher', {
      hostname: hostname.stringValue,
      hostedZone: 'acme.io',
      adminCidrs: ['203.0.113.0/24'],
      region: 'eu-west-1',
      ...props,
    });
    new S3Bucket(stack, 'audit-exports', { bucketPrefix: 'audit-exports-' });
    return stack;
  });
  return { ...result, construct };
}

describe("RancherOnRke in a library user's stack", () => {
  const { json, construct } = platformStack();

  it("builds the whole deployment beside the stack's own resources, addressed under its id", () => {
    const instances = Object.keys(resources(json, 'aws_instance'));
    expect(instances).toHaveLength(3);
    expect(instances.every((name) => name.startsWith('rancher_server-'))).toBe(true);
    expect(Object.keys(resources(json, 'aws_s3_bucket'))).toEqual(expect.arrayContaining(['audit-exports']));
    // cdktf drops the repeated id: rancher/rancher/release. The readiness gates are releases too (of the gate chart).
    expect(
      Object.keys(resources(json, 'helm_release'))
        .filter((n) => !n.startsWith('rancher_readiness-gates_'))
        .sort(),
    ).toEqual([
      expect.stringMatching(/^rancher_cert-manager_/),
      expect.stringMatching(/^rancher_rancher-backups_crd-release_/),
      // The first and the recurring Backup: Jobs of the gate chart (lib/rancher/backup-object-jobs.ts).
      expect.stringMatching(/^rancher_rancher-backups_jobs_first-backup_/),
      expect.stringMatching(/^rancher_rancher-backups_jobs_scheduled-backup_/),
      expect.stringMatching(/^rancher_rancher-backups_release_/),
      expect.stringMatching(/^rancher_release_/),
    ]);
  });

  it('names resources <name>-<stack id> and keeps the boot parameters under /<name>/<stack id>', () => {
    const [nlb] = Object.values(resources(json, 'aws_lb'));
    expect(nlb.name).toBe('rancher-platform');
    const marker = Object.values(resources(json, 'aws_ssm_parameter')).find((p) => String(p.name).endsWith('/cluster-initialized'));
    expect(marker.name).toBe('/rancher/platform/cluster-initialized');
  });

  it('declares its stack-level checks and the bootstrap provider alias under names of its own', () => {
    expect(Object.keys((json as unknown as { check: Record<string, unknown> }).check).sort()).toEqual([
      'rancher_api_serving_certificate',
      'rancher_cluster_certificates',
      'rancher_rancher_server_url',
      'rancher_servers_up_to_date',
    ]);
    expect(json.provider!.rancher2.map((p) => p.alias)).toEqual(['rancher_bootstrap']);
  });

  it('takes the hostname as a Terraform reference', () => {
    const [record] = Object.values(resources(json, 'aws_route53_record'));
    expect(record.name).toBe('${var.rancher_hostname}');
  });

  it('exposes what a stack makes outputs of', () => {
    expect(construct.region).toBe('eu-west-1');
    for (const value of [
      construct.url,
      construct.bootstrapPassword,
      construct.kubeconfig,
      construct.joinToken,
      construct.loadBalancerDnsName,
      construct.etcdSnapshotBucket,
    ]) {
      expect(typeof value).toBe('string');
    }
    expect(Object.keys(construct.serversPendingReplacement)).toEqual(['server-0', 'server-1', 'server-2']);
    expect(construct.nodePublicIps).toBeUndefined();
  });

  it("with DNS round robin, exposes the nodes' addresses instead of a load balancer", () => {
    const dns = platformStack({ rkeHa: { loadBalancer: { type: 'dns' } } });
    expect(resources(dns.json, 'aws_lb')).toEqual({});
    expect(dns.construct.loadBalancerDnsName).toBeUndefined();
    expect(dns.construct.nodePublicIps).toHaveLength(3);
  });
});

describe('RancherOnRke refuses at synth what a settings file would be refused, naming the prop', () => {
  const refused = (props: Partial<RancherOnRkeProps>, stackId?: string) => () => platformStack(props, stackId);

  it.each([
    ['an even etcd member count', { rkeHa: { nodeCount: 2 as const } }, /rkeHa\.nodeCount: expected 1 or 3 with rke2/],
    [
      "Rancher's CA at an AWS load balancer",
      { rancher: { tls: { mode: 'external' as const, issuer: 'rancher' as const } } },
      /rancher\.tls\.issuer: .*cannot be served by an AWS load balancer/,
    ],
    ['a prop the construct does not know', { rkeHa: { nodeCont: 3 } as never }, /rkeHa\.nodeCont: /],
    ['a Rancher version outside its Kubernetes range', { versions: { rke2: 'v1.20.15+rke2r2' } }, /versions\.rke2: Kubernetes 1\.20 is outside/],
    [
      'DNS round robin with private nodes',
      { rkeHa: { loadBalancer: { type: 'dns' as const }, privateNodes: true } },
      /rkeHa\.loadBalancer\.type: dns answers Rancher's name with each node's Elastic IP/,
    ],
    [
      'DNS round robin with TLS at a load balancer',
      { rkeHa: { loadBalancer: { type: 'dns' as const } }, rancher: { tls: { mode: 'external' as const, issuer: 'acme' as const } } },
      /rkeHa\.loadBalancer\.type: dns puts no load balancer in front of the nodes/,
    ],
    [
      'a VPC range beside an existing network',
      {
        rkeHa: {
          vpcCidr: '10.1.0.0/16',
          existingNetwork: {
            vpcId: 'vpc-0123456789abcdef0',
            loadBalancerSubnetIds: ['subnet-0a000000000000001'],
            nodeSubnetIds: ['subnet-0b000000000000001'],
          },
        },
      },
      /rkeHa\.vpcCidr: the stack creates no VPC with existingNetwork[\s\S]*rkeHa\.existingNetwork\.nodeSubnetIds: lists 1 subnet, and the 3 servers/,
    ],
  ])('%s', (_what, props, message) => {
    expect(refused(props)).toThrow(message);
  });

  it('a name that makes a target group name longer than 32 characters with this stack id', () => {
    expect(refused({ name: 'rancher-platform' }, 'production-eu')).toThrow(
      /name: makes the production-eu NLB target group for 80 "rancher-platform-production-eu-80", and a target group name may have at most 32 characters/,
    );
  });
});

// Issue 22: each of these synthesized and failed later (at init, at boot, or by opening the API to nobody).
describe('RancherOnRke library traps become errors at construct time, or work', () => {
  it("takes the region from the stack's AWS provider when left out: the nodes' boot environment and snapshots name eu-west-1", () => {
    const { json, text, construct } = platformStack({ region: undefined });
    expect(construct.region).toBe('eu-west-1');
    expect(json.provider!.aws.filter((p) => !p.alias).map((p) => p.region)).toEqual(['eu-west-1']);
    expect(text).toContain('us-east-1');
    // us-east-1 only where the Route53 health-check alarms need it: the aliased provider and what it creates.
    const rest = JSON.parse(text);
    rest.provider.aws = rest.provider.aws.filter((p: { alias?: string }) => !p.alias);
    for (const blocks of [rest.resource, rest.data]) {
      for (const byName of Object.values(blocks) as Record<string, { provider?: string }>[]) {
        for (const [name, block] of Object.entries(byName)) if (block.provider === 'aws.us_east_1') delete byName[name];
      }
    }
    expect(JSON.stringify(rest)).not.toContain('us-east-1');
  });

  it("refuses a region other than the AWS provider's, naming both", () => {
    expect(() => platformStack({ region: 'us-east-1' })).toThrow(
      /region: differs from the region of the stack's AWS provider \(platform\/aws: "eu-west-1"\)[\s\S]*\(got "us-east-1"\)/,
    );
  });

  it('refuses a second RancherOnRke in the stack, before terraform init fails on duplicate helm and kubernetes providers', () => {
    const build = () =>
      synthStack((app) => {
        const stack = new TerraformStack(app, 'platform');
        configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
        new RancherOnRke(stack, 'blue', { hostname: 'blue.acme.io', hostedZone: 'acme.io', adminCidrs: ['203.0.113.0/24'] });
        new RancherOnRke(stack, 'green', { hostname: 'green.acme.io', hostedZone: 'acme.io', adminCidrs: ['203.0.113.0/24'] });
        return stack;
      });
    expect(build).toThrow(
      /^RancherOnRke platform\/green: the stack already has a default helm provider \(platform\/blue\/helm\)\. .*put each deployment in a TerraformStack of its own\.$/,
    );
  });

  it("reads adminCidrs [] as the settings file does: the deployer's public address, not nobody", () => {
    const { json } = platformStack({ adminCidrs: [] });
    const lookups = (json.data as Record<string, Record<string, { url: string; count?: unknown }>>).http;
    const [[name, lookup]] = Object.entries(lookups).filter(([key]) => key.startsWith('rancher_deployer-ip'));
    expect(lookup.url).toBe('https://checkip.amazonaws.com');
    const api = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule')).filter((r) => r.from_port === 6443);
    expect(api.map((r) => r.for_each)).toEqual([`\${toset(["\${trimspace(data.http.${name}.response_body)}/32"])}`]);
  });
});

describe('RancherOnRke without a domain (dns.mode wildcard)', () => {
  const { json, construct } = platformStack({ hostname: undefined, hostedZone: undefined, dns: { mode: 'wildcard' } });

  it('needs neither hostname nor zone, and names Rancher after the first Elastic IP of the load balancer', () => {
    const [eip0] = Object.keys(resources(json, 'aws_eip'));
    expect(eip0).toMatch(/^rancher_load-balancer_eip-0_/);
    expect(construct.hostname).toMatch(/\.sslip\.io$/);
    const ping = Object.values(json.data!.http).find((d) => String(d.url).endsWith('/ping'));
    expect(ping.url).toBe(`https://\${replace(aws_eip.${eip0}.public_ip, ".", "-")}.sslip.io/ping`);
    expect(resources(json, 'aws_route53_record')).toEqual({});
  });

  it('refuses a hostname that is a Terraform reference, and a missing hostname without the mode, naming the prop', () => {
    // platformStack's hostname is its rancher_hostname variable.
    expect(() => platformStack({ hostedZone: undefined, dns: { mode: 'wildcard' } })).toThrow(
      /hostname: cannot be set with dns\.mode wildcard, which derives Rancher's name from an Elastic IP; leave out hostname and hostedZone, or set dns\.mode: route53 \(got "<a Terraform reference>"\)/,
    );
    expect(() => platformStack({ hostname: undefined, hostedZone: undefined })).toThrow(
      /hostname: required unless dns\.mode is wildcard[\s\S]*hostedZone: required unless dns\.mode is wildcard/,
    );
  });

  it("warns (a cdktf annotation, which the CLI prints) when Let's Encrypt would issue for a shared wildcard domain", () => {
    const warnings = (c: RancherOnRke) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
    expect(warnings(construct)).toEqual([]);
    const acme = platformStack({
      hostname: undefined,
      hostedZone: undefined,
      dns: { mode: 'wildcard' },
      rancher: { tls: { issuer: 'acme', acme: { email: 'ops@acme.io' } } },
    }).construct;
    expect(warnings(acme)).toEqual([
      expect.stringMatching(/^rancher\.tls\.issuer acme with dns\.mode wildcard: Let's Encrypt limits certificates per registered domain/),
    ]);
    const withDomain = platformStack({ rancher: { tls: { issuer: 'acme', acme: { email: 'ops@acme.io' } } } }).construct;
    expect(warnings(withDomain)).toEqual([]);
  });
});
