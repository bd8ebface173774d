import { randomBytes } from 'node:crypto';
import { SettingsError } from '../../../lib/config/errors';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { AnnotationMetadataEntryType, type App, LocalBackend, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { ExistingSubnet, ExistingVpc } from '../../../lib/network/existing-vpc';
import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import type { RancherOnRkeProps } from '../../../lib/deployments/rancher-on-rke-props';
import { healthCheckStatusMetric } from '../../../lib/dns/route53-metrics';
import { dataSources, only, ref, resources, synthStack, unsynthesizedApp, userDataOf } from '../../helpers/synth';
import { runCached } from '../../helpers/memo';

/** A library user's stack: its own backend, providers and resources, one RancherOnRke under an id of its choice. */
function platformStack(props: Partial<RancherOnRkeProps> = {}, stackId = 'platform') {
  let construct!: RancherOnRke;
  const result = synthStack((app) => {
    const stack = buildPlatform(app, props, stackId);
    construct = stack.node.findChild('rancher') as RancherOnRke;
    return stack;
  });
  return { ...result, construct };
}

function buildPlatform(app: App, props: Partial<RancherOnRkeProps>, stackId: string): TerraformStack {
  const stack = new TerraformStack(app, stackId);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  configureBaseProviders(stack, { region: 'eu-west-1', tags: { team: 'platform' } });
  const hostname = new TerraformVariable(stack, 'rancher_hostname', { type: 'string' });
  new RancherOnRke(stack, 'rancher', {
    hostname: hostname.stringValue,
    hostedZone: 'acme.io',
    adminCidrs: ['10.8.0.0/24'],
    region: 'eu-west-1',
    ...props,
  });
  new S3Bucket(stack, 'audit-exports', { bucketPrefix: 'audit-exports-' });
  return stack;
}

/**
 * The construct of platformStack(props), built and not synthesized, for the claims about its warnings alone: the
 * constructs add them while they are built (Annotations.of, lib/deployments/private), so a synth would add nothing to
 * read, and costs twice the build.
 */
const platformConstruct = (props: Partial<RancherOnRkeProps>) =>
  buildPlatform(unsynthesizedApp(), props, 'platform').node.findChild('rancher') as RancherOnRke;

/** platformStack() with the default props, synthesized once for the file's tests that read it. */
const defaultPlatformStack = () => runCached('platformStack defaults', () => platformStack());

describe("RancherOnRke in a library user's stack", () => {
  const { json, construct } = defaultPlatformStack();

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

  it("tags its servers with the deployment the quorum guard looks them up by, which this stack's provider does not carry", () => {
    // The guard finds the running servers by Name and by the deployment tag; the app's stacks carry that tag in the
    // provider's default_tags, this stack's provider only { team }: without it on the servers, the guard would find
    // none and never refuse a shrink that drops etcd members at once.
    const [lookup] = Object.values(dataSources(json, 'aws_instances'));
    const byTag = lookup.filter.find((f: { name: string }) => f.name === 'tag:rancher-aws:deployment');
    expect(byTag.values).toEqual(['rancher-platform']);
    for (const server of Object.values(resources(json, 'aws_instance')))
      expect(server.tags).toEqual({ Name: expect.stringMatching(/^rancher-platform-server-\d$/), 'rancher-aws:deployment': 'rancher-platform' });
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
      'rancher_helm_releases_installed',
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
    const dns = platformStack({ loadBalancer: { type: 'dns' } });
    expect(resources(dns.json, 'aws_lb')).toEqual({});
    expect(dns.construct.loadBalancerDnsName).toBeUndefined();
    expect(dns.construct.nodePublicIps).toHaveLength(3);
  });
});

describe('RancherOnRke refuses at synth what a settings file would be refused, naming the prop', () => {
  const refused = (props: Partial<RancherOnRkeProps>, stackId?: string) => () => platformStack(props, stackId);

  it.each([
    ['an even etcd member count', { nodeCount: 2 as const }, /- nodeCount: expected 1 or 3 with rke2/],
    [
      "Rancher's CA at an AWS load balancer",
      { rancher: { tls: { mode: 'external' as const, issuer: 'rancher' as const } } },
      /rancher\.tls\.issuer: .*cannot be served by an AWS load balancer/,
    ],
    ['a prop the construct does not know', { nodeCont: 3 } as never, /- nodeCont: unknown prop; did you mean nodeCount\? \(got 3\)/],
    [
      'the rkeHa wrapper of 0.3',
      { rkeHa: { nodeCount: 3 } } as never,
      /- rkeHa: the props have no rkeHa wrapper \(since 0\.4\.0\): give its props directly/,
    ],
    ['a Rancher version outside its Kubernetes range', { versions: { rke2: 'v1.20.15+rke2r2' } }, /versions\.rke2: Kubernetes 1\.20 is outside/],
    [
      'an RKE2 release without a SHA-256 of its tarball, recorded or supplied (versions.releaseSums; the message names the prop, architecture)',
      { versions: { rke2: 'v1.35.8+rke2r1' } },
      /versions\.rke2: v1\.35\.8\+rke2r1 has no SHA-256 of rke2\.linux-amd64\.tar\.gz for architecture x86_64, and the servers install nothing unverified/,
    ],
    [
      'DNS round robin with private nodes',
      { loadBalancer: { type: 'dns' as const }, privateNodes: true },
      /- loadBalancer\.type: dns answers Rancher's name with each node's Elastic IP/,
    ],
    [
      'DNS round robin with TLS at a load balancer',
      { loadBalancer: { type: 'dns' as const }, rancher: { tls: { mode: 'external' as const, issuer: 'acme' as const } } },
      /- loadBalancer\.type: dns puts no load balancer in front of the nodes/,
    ],
    [
      'a VPC range beside an existing network',
      {
        vpcCidr: '10.1.0.0/16',
        existingNetwork: {
          vpc: ExistingVpc.fromId('vpc-0123456789abcdef0'),
          loadBalancerSubnets: ExistingSubnet.fromIds(['subnet-0a000000000000001']),
          nodeSubnets: ExistingSubnet.fromIds(['subnet-0b000000000000001']),
        },
      },
      /- vpcCidr: the stack creates no VPC with existingNetwork[\s\S]*- existingNetwork\.nodeSubnets: lists 1 subnet, and the 3 servers/,
    ],
  ])('%s', (_what, props, message) => {
    expect(refused(props)).toThrow(message);
  });

  it("a proxy address so long that the servers' boot loader would pass EC2's user data limit, naming that prop", () => {
    // Incompressible: a random address of 30,000 characters, which no settings file admits (4096 per string).
    const path = randomBytes(22_500)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'a');
    const refusal = (() => {
      try {
        platformStack({ proxy: { http: `http://proxy.acme.io:3128/${path}`, noProxy: [], egressOnlyTo: [] } });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(SettingsError);
    expect((refusal as SettingsError).problems).toEqual([
      {
        field: 'proxy.http',
        message: expect.stringMatching(
          /^makes the servers' user data about \d+ bytes gzip-compressed, and EC2 accepts 16384 .*give a shorter address$/,
        ),
        value: `http://proxy.acme.io:3128/${path}`,
      },
    ]);
  });

  it('names a key a prop does not have inside it with the nearest the prop has, in props words', () => {
    const misspelt = { distribution: 'k3s', datastore: { engin: 'mysql' } } as unknown as Partial<RancherOnRkeProps>;
    expect(refused(misspelt)).toThrow(/- datastore\.engin: unknown prop; did you mean engine\?/);
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
        new RancherOnRke(stack, 'blue', { hostname: 'blue.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] });
        new RancherOnRke(stack, 'green', { hostname: 'green.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] });
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
    // The pinned release's sum from one record has a warning of its own (unconfirmed-facts.test.ts): not this test's.
    const warnings = (c: RancherOnRke) =>
      c.node.metadata
        .filter((m) => m.type === AnnotationMetadataEntryType.WARN)
        .map((m) => String(m.data))
        .filter((w) => !w.includes('not confirmed here'));
    expect(warnings(construct)).toEqual([]);
    const acme = platformConstruct({
      hostname: undefined,
      hostedZone: undefined,
      dns: { mode: 'wildcard' },
      rancher: { tls: { issuer: 'acme', acme: { email: 'ops@acme.io' } } },
    });
    expect(warnings(acme)).toEqual([
      expect.stringMatching(/^rancher\.tls\.issuer acme with dns\.mode wildcard: Let's Encrypt limits certificates per registered domain/),
    ]);
    const withDomain = platformConstruct({ rancher: { tls: { issuer: 'acme', acme: { email: 'ops@acme.io' } } } });
    expect(warnings(withDomain)).toEqual([]);
  });
});

// Issue 33: a library user's stack without a default AWS provider, and props from plain JavaScript.
describe('RancherOnRke in a stack without a default AWS provider', () => {
  /** The tls, random and http providers, and an AWS provider only if `aws` says where (before or after the construct). */
  const stackWith = (aws: { readonly when: 'before' | 'after'; readonly region: string } | undefined, props: Partial<RancherOnRkeProps> = {}) =>
    synthStack((app) => {
      const stack = new TerraformStack(app, 'platform');
      new LocalBackend(stack, { path: 'terraform.tfstate' });
      const providers = () => configureBaseProviders(stack, { region: aws!.region, tags: {} });
      if (aws?.when === 'before') providers();
      if (!aws) {
        // configureBaseProviders without its AWS provider: the other three.
        configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
        stack.node.tryRemoveChild('aws');
      }
      new RancherOnRke(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'], ...props });
      if (aws?.when === 'after') providers();
      return stack;
    });

  it('is refused at synth, though the alarms add an AWS provider (alias us_east_1) that satisfies cdktf', () => {
    for (const region of [undefined, 'eu-west-1']) {
      expect(() => stackWith(undefined, { region })).toThrow(
        /RancherOnRke platform\/rancher: the stack has no default AWS provider \(one without an alias\)/,
      );
    }
  });

  it('takes a default provider added after the construct in the region given, and refuses one in another', () => {
    expect(() => stackWith({ when: 'after', region: 'eu-west-1' }, { region: 'eu-west-1' })).not.toThrow();
    expect(() => stackWith({ when: 'after', region: 'eu-west-1' })).toThrow(
      /built for region "us-east-1", and the stack's AWS provider \(platform\/aws\), added after it, creates the resources in "eu-west-1"/,
    );
  });
});

describe('RancherOnRke props from plain JavaScript: the settings file messages, no TypeError', () => {
  const refusal = (props: unknown): string => {
    try {
      platformStack(props as Partial<RancherOnRkeProps>);
    } catch (error) {
      expect((error as Error).name).toBe('SettingsError');
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it.each([
    [{ adminCidrs: '10.8.0.0/24' }, /adminCidrs: expected a list \(got "10\.8\.0\.0\/24"\)/],
    [{ adminCidrs: null }, /adminCidrs: expected a list \(got null\)/],
    [
      { adminCidrs: ['10.8.0.0/24', '203.0.113.0/24'] },
      /adminCidrs\.1: is inside 203\.0\.113\.0\/24, an address range reserved for documentation: .* list your own networks/,
    ],
    [{ deployerArns: 'arn:aws:iam::123456789012:role/ci' }, /deployerArns: expected a list of IAM role or user ARNs/],
    [{ datastore: null }, /- datastore: expected a mapping \(got null\)/],
    [{ existingNetwork: { vpc: { vpcId: 5 }, nodeSubnets: 'subnet-01234567' } }, /- existingNetwork\.nodeSubnets: expected a list of subnets/],
    [{ existingNetwork: { vpc: { vpcId: 5 }, loadBalancerSubnets: [], nodeSubnets: [] } }, /- existingNetwork\.vpc: expected a string \(got 5\)/],
    [
      { existingNetwork: { vpcId: 'vpc-0123456789abcdef0', nodeSubnetIds: ['subnet-01234567'] } },
      /- existingNetwork: takes the VPC and subnets as objects since 0\.4\.0 \(vpcId, nodeSubnetIds were the 0\.3 props\)/,
    ],
    [{ proxy: { noProxy: 'a.internal,b.internal' } }, /proxy\.noProxy: expected a list/],
    [{ instanceType: 't3.micro' }, /- instanceType: has 2 vCPU and 1 GiB, below Rancher's smallest documented server size/],
  ])('refuses %j naming the prop', (props, message) => {
    expect(refusal(props)).toMatch(message);
  });

  it('refuses props that are not an object', () => {
    for (const props of [undefined, 'rancher.acme.io']) {
      expect(() =>
        synthStack((app) => {
          const stack = new TerraformStack(app, 'platform');
          configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
          new RancherOnRke(stack, 'rancher', props as unknown as RancherOnRkeProps);
          return stack;
        }),
      ).toThrow(/Invalid props of RancherOnRke platform\/rancher \(1 problem\):\n {2}- \(props\): expected an object of props/);
    }
  });
});

describe('RancherOnRke in an existing network of VPC and subnet objects', () => {
  const network = {
    vpc: ExistingVpc.fromId('vpc-0123456789abcdef0'),
    loadBalancerSubnets: ExistingSubnet.fromIds(['subnet-0a000000000000001', 'subnet-0a000000000000002', 'subnet-0a000000000000003']),
    nodeSubnets: ExistingSubnet.fromIds(['subnet-0b000000000000001', 'subnet-0b000000000000002', 'subnet-0b000000000000003']),
  };

  // The network by ids, synthesized once for the two tests that read it.
  let byIds: ReturnType<typeof platformStack> | undefined;
  const withIds = () => (byIds ??= platformStack({ existingNetwork: network }));

  it('reads the VPC and each subnet by its id, the servers in their node subnets', () => {
    const { json } = withIds();
    expect(Object.values(json.data!.aws_vpc).map((vpc) => vpc.id)).toEqual(['vpc-0123456789abcdef0']);
    expect(
      Object.values(json.data!.aws_subnet)
        .map((subnet) => subnet.id)
        .sort(),
    ).toEqual([...network.loadBalancerSubnets, ...network.nodeSubnets].map((subnet) => subnet.subnetId).sort());
    expect(resources(json, 'aws_vpc')).toEqual({});
  });

  it("takes objects of its own with the ids (a network construct of the user's)", () => {
    const mine = { ...network, vpc: { vpcId: 'vpc-0123456789abcdef0', cidr: '10.0.0.0/16' } };
    expect(platformStack({ existingNetwork: mine }).json.data!.aws_vpc).toEqual(withIds().json.data!.aws_vpc);
  });

  it('refuses Terraform references where the plan-time checks need literals', () => {
    const reference = Token.asString({ Ref: 'vpc' });
    expect(() => platformStack({ existingNetwork: { ...network, vpc: { vpcId: reference } } })).toThrow(
      /- existingNetwork\.vpc\.vpcId: is a Terraform reference; the plan-time checks read the VPC and its subnets before anything is created, so it must be a literal id/,
    );
    expect(() => platformStack({ existingNetwork: { ...network, nodeSubnets: [{ subnetId: reference }, ...network.nodeSubnets.slice(1)] } })).toThrow(
      /- existingNetwork\.nodeSubnets\[0\]\.subnetId: is a Terraform reference/,
    );
    expect(() => platformStack({ existingNetwork: { ...network, nodeSubnets: Token.asAny({ Ref: 'subnets' }) as never } })).toThrow(
      /- existingNetwork\.nodeSubnets: is a Terraform reference; the subnets are counted at synth/,
    );
  });
});

describe('the Terraform version floor in a library stack', () => {
  it('declares required_version in the stack the construct is in, as the app stacks do', () => {
    expect(defaultPlatformStack().json.terraform.required_version).toBe('>= 1.10');
  });

  it("keeps the stack's own required_version, set before or after the construct", () => {
    for (const when of ['before', 'after'] as const) {
      const { json } = synthStack((app) => {
        const stack = new TerraformStack(app, 'platform');
        configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
        if (when === 'before') stack.addOverride('terraform.required_version', '>= 1.12, < 2.0');
        new RancherOnRke(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] });
        if (when === 'after') stack.addOverride('terraform.required_version', '>= 1.12, < 2.0');
        return stack;
      });
      expect(json.terraform.required_version).toBe('>= 1.12, < 2.0');
    }
  });
});

describe('RancherOnRke on Graviton and RHEL 9', () => {
  const warnings = (c: RancherOnRke) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
  const { json, construct } = platformStack({ architecture: 'arm64', instanceType: 'm7g.xlarge', operatingSystem: 'rhel-9' });

  it("looks up Red Hat's newest RHEL 9 for arm64 and launches every server from its record on the Graviton type", () => {
    const [[, image]] = Object.entries(json.data!.aws_ami);
    expect(image.owners).toEqual(['309956199498']);
    expect(image.filter).toEqual(expect.arrayContaining([{ name: 'architecture', values: ['arm64'] }]));
    const [recordName] = Object.keys(resources(json, 'terraform_data')).filter((n) => n.includes('_ami_recorded-image'));
    const servers = Object.values(resources(json, 'aws_instance'));
    expect(servers).toHaveLength(3);
    for (const server of servers) {
      expect(server.ami).toBe(`\${terraform_data.${recordName}.output}`);
      expect(server.instance_type).toBe('m7g.xlarge');
    }
  });

  it('gives each server the RHEL family user data: selinux in the RKE2 config, the host preparation', () => {
    const texts = Object.values<any>(resources(json, 'aws_instance')).map((server) => userDataOf(json, server));
    expect(texts).toHaveLength(3);
    for (const text of texts) {
      expect(text).toContain('selinux: true');
      expect(text).toContain('/usr/local/sbin/rancher-aws-prepare-host');
    }
  });

  it('warns that Rancher calls arm64 experimental, citing its docs, and only on arm64', () => {
    expect(warnings(construct)).toEqual([
      expect.stringMatching(/^architecture arm64: Rancher's docs call running on arm64 experimental \(Rancher 2\.\d+ here\).*rancher-on-arm64\)$/),
    ]);
    // RHEL's family installs RKE2 from Rancher's signed RPMs: no tarball, so no word on its sum's records (the pinned
    // release's arm64 and amd64 sums come from one record each: Ubuntu servers get the warning, below).
    expect(warnings(platformConstruct({ operatingSystem: 'rocky-9' }))).toEqual([]);
    expect(warnings(platformConstruct({ architecture: 'arm64', instanceType: 'm7g.xlarge' }))).toContainEqual(
      expect.stringContaining(
        `versions.rke2 ${DEFAULT_VERSIONS.rke2} on arm64: the SHA-256 of rke2.linux-arm64.tar.gz the servers check comes from one record`,
      ),
    );
    // Behind closed egress the RHEL family installs the tarball after all (the policy from the image): warned again.
    expect(
      warnings(
        platformConstruct({
          operatingSystem: 'rocky-9',
          amiId: 'ami-0123456789abcdef0',
          architecture: 'x86_64',
          proxy: { egressOnlyTo: ['10.0.0.0/8'] },
          airGap: {
            installerUrl: 'https://mirror.internal/install.sh',
            systemDefaultRegistry: 'registry.internal:5000',
            registryMirrors: { 'quay.io': ['https://registry.internal:5000'] },
          },
        }),
      ),
    ).toContainEqual(expect.stringContaining(`versions.rke2 ${DEFAULT_VERSIONS.rke2} on amd64`));
  });

  it('refuses an x86_64 type with arm64, naming the setting', () => {
    expect(() => platformStack({ architecture: 'arm64' })).toThrow(/- instanceType: is an x86_64 type, and architecture is arm64/);
  });
});

describe('RancherOnRke on a pinned Graviton image without architecture', () => {
  const warnings = (c: RancherOnRke) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
  const userData = (json: any) => Object.values<any>(resources(json, 'aws_instance')).map((server) => userDataOf(json, server));

  it("installs the arm64 release, the instance type's architecture, and says so in the synth's warning", () => {
    const { json, construct } = platformStack({ amiId: 'ami-0123456789abcdef0', instanceType: 'm7g.xlarge' });
    const texts = userData(json);
    expect(texts).toHaveLength(3);
    for (const text of texts) {
      expect(text).toContain('rke2.linux-arm64.tar.gz');
      expect(text).not.toContain('rke2.linux-amd64.tar.gz');
    }
    expect(warnings(construct)).toEqual([
      expect.stringMatching(
        /^architecture \(unset; from instanceType m7g\.xlarge, a Graviton type, with amiId pinned: the servers install the arm64 release\) arm64: /,
      ),
      expect.stringContaining(
        `versions.rke2 ${DEFAULT_VERSIONS.rke2} on arm64: the SHA-256 of rke2.linux-arm64.tar.gz the servers check comes from one record`,
      ),
    ]);
  });

  it('asks for the K3s arm64 binary the same way: where no sum is recorded for it (v1.35.7+k3s1), the synth refuses naming the instance type', () => {
    expect(() =>
      platformStack({ amiId: 'ami-0123456789abcdef0', instanceType: 'm7g.xlarge', distribution: 'k3s', versions: { k3s: 'v1.35.7+k3s1' } }),
    ).toThrow(/versions\.k3s: v1\.35\.7\+k3s1 has no SHA-256 of k3s-arm64 for instanceType m7g\.xlarge \(arm64\)/);
    // Nor does the default's (v1.36.5+k3s1): the refusal names the patch whose sums are recorded, which passes.
    expect(() => platformStack({ amiId: 'ami-0123456789abcdef0', instanceType: 'm7g.xlarge', distribution: 'k3s' })).toThrow(
      /versions\.k3s: v1\.36\.5\+k3s1 has no SHA-256 of k3s-arm64 .*this project records it for v1\.36\.3\+k3s1/,
    );
    expect(() =>
      platformStack({ amiId: 'ami-0123456789abcdef0', instanceType: 'm7g.xlarge', distribution: 'k3s', versions: { k3s: 'v1.36.3+k3s1' } }),
    ).not.toThrow();
  });

  it('keeps the amd64 release for a pinned image on an x86_64 type, with no warning about the architecture', () => {
    const { json, construct } = platformStack({ amiId: 'ami-0123456789abcdef0', instanceType: 'm7i.xlarge' });
    for (const text of userData(json)) expect(text).toContain('rke2.linux-amd64.tar.gz');
    expect(warnings(construct).filter((w) => !w.includes('not confirmed here'))).toEqual([]);
  });
});

describe('RancherOnRke on a pinned image with a referenced instanceType', () => {
  const referencedType = (props: Partial<RancherOnRkeProps>) => {
    let construct!: RancherOnRke;
    const result = synthStack((app) => {
      const stack = new TerraformStack(app, 'platform');
      new LocalBackend(stack, { path: 'terraform.tfstate' });
      configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
      const type = new TerraformVariable(stack, 'server_type', { type: 'string' });
      construct = new RancherOnRke(stack, 'rancher', {
        hostname: 'rancher.acme.io',
        hostedZone: 'acme.io',
        adminCidrs: ['10.8.0.0/24'],
        amiId: 'ami-0123456789abcdef0',
        instanceType: type.stringValue,
        ...props,
      });
      return stack;
    });
    return { ...result, construct };
  };

  it("refuses it without architecture: the release the servers install is the image's, which a reference does not tell", () => {
    expect(() => referencedType({})).toThrow(/- architecture: is required with amiId when instanceType is a Terraform reference/);
  });

  it("installs the release of the architecture named, with the reference as the servers' type", () => {
    const { json, text } = referencedType({ architecture: 'arm64' });
    expect([...new Set(text.match(/rke2\.linux-[a-z0-9]+\.tar\.gz/g))]).toEqual(['rke2.linux-arm64.tar.gz']);
    for (const server of Object.values(resources(json, 'aws_instance'))) expect(server.instance_type).toBe('${var.server_type}');
  });
});

describe('RancherOnRke grows by methods: addAlarm, addHelmChart, addManifest', () => {
  let construct!: RancherOnRke;
  const { json } = synthStack((app) => {
    const stack = new TerraformStack(app, 'platform');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
    construct = new RancherOnRke(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] });
    construct.addAlarm('server-0-cpu', { metric: construct.servers[0].metricCpuUtilization(), threshold: 90 });
    construct.addAlarm('server-0-cpu-peak', {
      metric: construct.servers[0].metricCpuUtilization({ statistic: 'Maximum', period: 60 }),
      threshold: 99,
    });
    construct.addAlarm('status-of-check', {
      metric: healthCheckStatusMetric('abcdef', 'eu-west-1'),
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
    });
    construct.addHelmChart('monitoring', {
      chart: 'rancher-monitoring',
      repository: 'https://charts.rancher.io',
      version: '108.0.0',
      namespace: 'cattle-monitoring-system',
      values: { prometheus: { retention: '${not-a-reference}', note: '%{ if }' } },
    });
    construct.addManifest('quota', [
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'cattle-system' }, spec: { hard: { pods: '100' } } },
    ]);
    return stack;
  });
  const ping = Object.keys(dataSources(json, 'http')).find((name) => name.startsWith('rancher_rancher-readiness_ping_'))!;
  const [topic] = only(json, 'aws_sns_topic', (name) => name.startsWith('rancher_alarms_topic_'));

  it('reads a metric another way through its options (statistic, period), the series unchanged', () => {
    const [, usual] = only(json, 'aws_cloudwatch_metric_alarm', (name) => name.startsWith('rancher_alarms_server-0-cpu_'));
    const [, peak] = only(json, 'aws_cloudwatch_metric_alarm', (name) => name.startsWith('rancher_alarms_server-0-cpu-peak_'));
    expect(usual).toMatchObject({ metric_name: 'CPUUtilization', statistic: 'Average', period: 300 });
    expect(peak).toMatchObject({ metric_name: 'CPUUtilization', statistic: 'Maximum', period: 60, dimensions: usual.dimensions });
  });

  it("adds an alarm on a construct's metric, named after the deployment, notifying its topic once Rancher answered", () => {
    const [, alarm] = only(json, 'aws_cloudwatch_metric_alarm', (name) => name.startsWith('rancher_alarms_server-0-cpu_'));
    const [instance] = only(json, 'aws_instance', (name) => name.startsWith('rancher_server-0_'));
    expect(alarm).toMatchObject({
      alarm_name: 'rancher-platform-server-0-cpu',
      namespace: 'AWS/EC2',
      metric_name: 'CPUUtilization',
      dimensions: { InstanceId: ref('aws_instance', instance, 'id') },
      threshold: 90,
      alarm_actions: [ref('aws_sns_topic', topic, 'arn')],
      ok_actions: [ref('aws_sns_topic', topic, 'arn')],
      depends_on: [`data.http.${ping}`],
    });
  });

  it("puts an alarm on another region's metric (Route53's) there, notifying the topic of that region", () => {
    const [, alarm] = only(json, 'aws_cloudwatch_metric_alarm', (name) => name.startsWith('rancher_alarms_status-of-check_'));
    const [east] = only(json, 'aws_sns_topic', (name) => name.startsWith('rancher_alarms_us-east-1-topic_'));
    expect(alarm).toMatchObject({
      provider: 'aws.us_east_1',
      alarm_actions: [ref('aws_sns_topic', east, 'arn')],
      dimensions: { HealthCheckId: 'abcdef' },
    });
  });

  it('installs a chart through the stack’s helm provider once Rancher answers, its values escaped', () => {
    const [name, release] = only(json, 'helm_release', (n) => n.startsWith('rancher_helm-chart-monitoring_'));
    expect(name).toBeDefined();
    expect(release).toMatchObject({
      name: 'monitoring',
      chart: 'rancher-monitoring',
      repository: 'https://charts.rancher.io',
      version: '108.0.0',
      namespace: 'cattle-monitoring-system',
      create_namespace: true,
      atomic: true,
      wait: true,
      depends_on: [`data.http.${ping}`],
    });
    // Inside yamlencode(...) cdktf escapes `${` itself; `%{` is escaped here: both arrive as written.
    expect(release.values).toEqual(['${yamlencode({"prometheus" = {"retention" = "$${not-a-reference}", "note" = "%%{ if }"}})}']);
  });

  it('applies Kubernetes objects as one release of the module’s one-template chart, once Rancher answers', () => {
    const [, release] = only(json, 'helm_release', (n) => n.startsWith('rancher_manifest-quota_'));
    expect(release.chart).toMatch(/^\$\{path\.module\}\/assets\/rancher-aws-gate-chart\//);
    expect(release).toMatchObject({ name: 'quota', namespace: 'default', depends_on: [`data.http.${ping}`] });
    expect(JSON.parse(release.values[0]).manifest).toBe(
      'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: pods\n  namespace: cattle-system\nspec:\n  hard:\n    pods: "100"',
    );
  });

  it('refuses addAlarm with alarms off, naming the setting, and a metric of a port the NLB does not forward', () => {
    expect(construct.alarms).toBeDefined();
    let off!: RancherOnRke;
    synthStack((app) => {
      const stack = new TerraformStack(app, 'quiet');
      new LocalBackend(stack, { path: 'terraform.tfstate' });
      configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
      off = new RancherOnRke(stack, 'rancher', {
        hostname: 'rancher.acme.io',
        hostedZone: 'acme.io',
        adminCidrs: ['10.8.0.0/24'],
        alarms: { enabled: false },
      });
      return stack;
    });
    expect(() => off.addAlarm('cpu', { metric: off.servers[0].metricCpuUtilization(), threshold: 90 })).toThrow(
      "RancherOnRke quiet/rancher: addAlarm needs the deployment's alarm topic, and alarms.enabled is false",
    );
  });
});
