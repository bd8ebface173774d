import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { AnnotationMetadataEntryType, LocalBackend, TerraformStack, Token } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnDocker } from '../../../lib/deployments/rancher-on-docker';
import { ExistingSubnet, ExistingVpc } from '../../../lib/network/existing-vpc';
import type { RancherOnDockerProps } from '../../../lib/deployments/rancher-on-docker-props';
import { dataSources, resources, synthStack } from '../../helpers/synth';

/** A library user's stack `demo` with the base providers and RancherOnDocker(s) added by `add`, synthesized. */
function dockerStack(add: (stack: TerraformStack) => void) {
  return synthStack((app) => {
    const stack = new TerraformStack(app, 'demo');
    configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
    add(stack);
    return stack;
  });
}
/** Building one RancherOnDocker with these props, to see it refused. */
const building = (props: RancherOnDockerProps) => () => dockerStack((stack) => new RancherOnDocker(stack, 'rancher', props));

describe("RancherOnDocker in a library user's stack", () => {
  // Two evaluation installs side by side: names and SSM paths apart by `name`, addresses by construct id.
  const { json } = dockerStack((stack) => {
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    for (const team of ['blue', 'green']) {
      new RancherOnDocker(stack, team, {
        name: team,
        region: 'eu-west-1',
        hostname: `${team}.rancher.acme.io`,
        hostedZone: 'acme.io',
        adminCidrs: [],
        tls: { issuer: 'acme' },
      });
    }
  });

  it('builds one host per construct, each under its own id', () => {
    expect(
      Object.keys(resources(json, 'aws_instance'))
        .map((name) => name.split('_')[0])
        .sort(),
    ).toEqual(['blue', 'green']);
  });

  it('keeps their names, SSM paths and DNS records apart', () => {
    const parameters = Object.values(resources(json, 'aws_ssm_parameter')).map((p) => p.name as string);
    expect(parameters).toEqual(expect.arrayContaining(['/blue/demo/bootstrap-password', '/green/demo/bootstrap-password']));
    const records = Object.values(resources(json, 'aws_route53_record'))
      .map((r) => r.name)
      .sort();
    expect(records).toEqual(['blue.rancher.acme.io', 'green.rancher.acme.io']);
  });

  it('gives each its own bootstrap provider (alias), logging in to its own hostname', () => {
    expect(json.provider!.rancher2.map((p) => [p.alias, p.api_url])).toEqual([
      ['blue_bootstrap', 'https://blue.rancher.acme.io'],
      ['green_bootstrap', 'https://green.rancher.acme.io'],
    ]);
    expect(
      Object.values(resources(json, 'rancher2_bootstrap'))
        .map((b) => b.provider)
        .sort(),
    ).toEqual(['rancher2.blue_bootstrap', 'rancher2.green_bootstrap']);
  });

  it('refuses a Docker option the install does not have, naming the prop', () => {
    expect(building({ hostname: 'r.acme.io', hostedZone: 'acme.io', adminCidrs: [], tls: { issuer: 'ca', privateCA: true } })).toThrow(
      /- tls\.privateCA: only for issuer "blank"/,
    );
  });

  it('quotes its messages as written: a registry named in one keeps its name (docker.io is not a setting of docker)', () => {
    const mirrors = { registryMirrors: { 'Docker.io!': ['https://mirror.internal'] } };
    expect(building({ hostname: 'r.acme.io', hostedZone: 'acme.io', adminCidrs: [], airGap: mirrors })).toThrow(
      /expected a registry host such as docker\.io \(a port/,
    );
  });

  it('says which construct refused its props, one problem a line, as a settings file is told', () => {
    expect(building({ hostname: 'r.acme.io', hostedZone: 'acme.io', adminCidrs: [], tls: { issuer: 'ca', privateCA: true } })).toThrow(
      /^Invalid props of RancherOnDocker demo\/rancher \(1 problem\):\n {2}- tls\.privateCA: only for issuer "blank"/,
    );
  });

  it("refuses the Helm chart's Rancher props from plain JavaScript, as TypeScript does (rancher.tls, rancher.replicas)", () => {
    const helmProps = { tls: { mode: 'external', issuer: 'acme' }, replicas: 3 } as unknown as RancherOnDockerProps['rancher'];
    expect(building({ hostname: 'r.acme.io', hostedZone: 'acme.io', adminCidrs: [], rancher: helmProps })).toThrow(
      /\(2 problems\):\n {2}- rancher\.replicas: not a prop of RancherOnDocker: the Helm chart's replicas \(one container\) \(got 3\)\n {2}- rancher\.tls: not a prop of RancherOnDocker: the Helm chart's tls; the container's certificate is the construct's own tls/,
    );
  });

  it("closes egress without a proxy needing no quay.io mirror: cert-manager is the Helm stacks' (rancher.tls)", () => {
    const closed = {
      hostname: 'r.acme.io',
      hostedZone: 'acme.io',
      adminCidrs: [],
      proxy: { egressOnlyTo: ['10.1.0.0/16'] },
      airGap: { installerUrl: 'https://mirror.internal/rke2', systemDefaultRegistry: 'registry.internal:5000' },
    };
    expect(building(closed)).not.toThrow();
  });

  it('records the version it applied only once Rancher answered, and reads the record while planning, before that write', () => {
    const applied = Object.entries(resources(json, 'aws_ssm_parameter')).filter(([n]) => n.startsWith('blue_applied_'));
    expect(applied.map(([, p]) => [p.name, p.type, p.value])).toEqual([
      ['/blue/demo/applied/rancher-version', 'String', DEFAULT_VERSIONS.rancher],
      ['/blue/demo/applied/restore-snapshot-id', 'String', 'none'],
    ]);
    for (const [, p] of applied) expect(p.depends_on).toEqual([expect.stringMatching(/^data\.http\.blue_rancher-readiness_ping_/)]);
    const reads = Object.entries(dataSources(json, 'aws_ssm_parameters_by_path')).filter(([n]) => n.startsWith('blue_applied_'));
    expect(reads.map(([, d]) => [d.path, d.recursive, d.with_decryption, d.depends_on])).toEqual([['/blue/demo/applied', false, false, undefined]]);
  });

  it('lets the host snapshot its own data volume only, into snapshots tagged as its own, and tag nothing else', () => {
    const [, policy] = Object.entries(dataSources(json, 'aws_iam_policy_document')).find(([n]) => n.startsWith('blue_node-role_policy_'))!;
    const volume = Object.keys(resources(json, 'aws_ebs_volume')).find((n) => n.startsWith('blue_data_'));
    const snapshotStatements = policy.statement.filter((st: { actions: string[] }) => st.actions.some((a) => /Snapshot|CreateTags/.test(a)));
    expect(snapshotStatements).toEqual([
      {
        sid: 'SnapshotDataVolume',
        actions: ['ec2:CreateSnapshot'],
        resources: [
          expect.stringMatching(new RegExp(`^arn:\\$\\{data\\.aws_partition\\.[^}]+\\}:ec2:.*:volume/\\$\\{aws_ebs_volume\\.${volume}\\.id\\}$`)),
        ],
      },
      {
        sid: 'TaggedSnapshotsOnly',
        actions: ['ec2:CreateSnapshot'],
        resources: [expect.stringMatching(/:ec2:[^:]+::snapshot\/\*$/)],
        condition: [{ test: 'StringEquals', variable: 'aws:RequestTag/rancher-aws:before-upgrade', values: ['blue-demo'] }],
      },
      {
        sid: 'TagsAtCreation',
        actions: ['ec2:CreateTags'],
        resources: [expect.stringMatching(/:ec2:[^:]+::snapshot\/\*$/)],
        condition: [{ test: 'StringEquals', variable: 'ec2:CreateAction', values: ['CreateSnapshot'] }],
      },
    ]);
  });

  it("refuses Rancher's own CA behind a load balancer, naming the prop", () => {
    expect(building({ hostname: 'r.acme.io', hostedZone: 'acme.io', adminCidrs: [], tls: { mode: 'external' } })).toThrow(
      /- tls\.issuer: Rancher's own CA lives in the container, and the load balancer has no certificate to serve from it/,
    );
  });
});

describe('RancherOnDocker without a domain (dns.mode wildcard)', () => {
  let construct!: RancherOnDocker;
  const { json } = dockerStack((stack) => {
    construct = new RancherOnDocker(stack, 'rancher', {
      adminCidrs: [],
      dns: { mode: 'wildcard', wildcardDomain: 'nip.io' },
      tls: { issuer: 'acme' },
    });
  });

  it("names Rancher after the host's Elastic IP, with no record and no zone", () => {
    const [eip] = Object.keys(resources(json, 'aws_eip'));
    expect(construct.hostname).toMatch(/\.nip\.io$/);
    const ping = Object.values(json.data!.http).find((d) => String(d.url).endsWith('/ping'));
    expect(ping.url).toBe(`https://\${replace(aws_eip.${eip}.public_ip, ".", "-")}.nip.io/ping`);
    expect(resources(json, 'aws_route53_record')).toEqual({});
    expect(json.data?.aws_route53_zone).toBeUndefined();
  });

  it("warns about Let's Encrypt's shared limit on the wildcard domain", () => {
    const warnings = construct.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^tls\.issuer acme with dns\.mode wildcard: .*nip\.io is not on the Public Suffix List.*dns\.wildcardDomain: sslip\.io/),
    ]);
  });
});

describe('RancherOnDocker in an existing network', () => {
  it('refuses a VPC range beside an existing network, naming the prop', () => {
    const build = building({
      hostname: 'r.acme.io',
      hostedZone: 'acme.io',
      adminCidrs: [],
      vpcCidr: '10.1.0.0/16',
      existingNetwork: { vpc: ExistingVpc.fromId('vpc-0123456789abcdef0'), subnet: ExistingSubnet.fromId('subnet-0123456789abcdef0') },
    });
    expect(build).toThrow(/- vpcCidr: the stack creates no VPC with existingNetwork/);
  });

  it('refuses a subnet id that is a Terraform reference, saying why it must be a literal', () => {
    const build = building({
      hostname: 'r.acme.io',
      hostedZone: 'acme.io',
      adminCidrs: [],
      existingNetwork: { vpc: ExistingVpc.fromId('vpc-0123456789abcdef0'), subnet: { subnetId: Token.asString({ Ref: 'subnet' }) } },
    });
    expect(build).toThrow(
      /- existingNetwork\.subnet\.subnetId: is a Terraform reference; the plan-time checks read the VPC and its subnets before anything is created/,
    );
  });

  it('names the subnet prop when the schema refuses its id', () => {
    const build = building({
      hostname: 'r.acme.io',
      hostedZone: 'acme.io',
      adminCidrs: [],
      existingNetwork: { vpc: ExistingVpc.fromId('vpc-0123456789abcdef0'), subnet: ExistingSubnet.fromId('sub-1') },
    });
    expect(build).toThrow(/- existingNetwork\.subnet: expected/);
  });
});

describe('RancherOnDocker props from plain JavaScript and its instance type', () => {
  const props = { hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] };
  it.each([
    [{ ...props, adminCidrs: '10.8.0.0/24' }, /adminCidrs: expected a list/],
    [{ ...props, dataVolume: null }, /- dataVolume: expected a mapping \(got null\)/],
    [{ ...props, instanceType: 't3.small' }, /- instanceType: has 2 vCPU and 2 GiB, below Rancher's smallest documented Docker install/],
    [{ ...props, instanceType: 'm7g.large' }, /- instanceType: is a Graviton \(arm64\) type/],
  ])('refuses %j with the settings file message', (given, message) => {
    expect(building(given as unknown as RancherOnDockerProps)).toThrow(message);
  });

  it('takes a small type when allowed, and declares the Terraform version floor', () => {
    const { json } = dockerStack(
      (stack) => new RancherOnDocker(stack, 'rancher', { ...props, instanceType: 't3.small', allowSmallInstanceType: true }),
    );
    expect(Object.values(resources(json, 'aws_instance')).map((i) => i.instance_type)).toEqual(['t3.small']);
    expect(json.terraform.required_version).toBe('>= 1.10');
  });
});

describe('RancherOnDocker on Graviton', () => {
  const build = (host: Partial<RancherOnDockerProps> = {}) => {
    let construct!: RancherOnDocker;
    const { json } = dockerStack((stack) => {
      new LocalBackend(stack, { path: 'terraform.tfstate' });
      construct = new RancherOnDocker(stack, 'rancher', {
        region: 'eu-west-1',
        hostname: 'rancher.acme.io',
        hostedZone: 'acme.io',
        adminCidrs: [],
        ...host,
      });
    });
    return { json, construct };
  };
  const userData = (json: ReturnType<typeof build>['json']) =>
    Object.values(json.locals ?? {}).filter((v) => typeof v === 'string' && v.startsWith('#cloud-config'));
  const warnings = (c: RancherOnDocker) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));

  it("launches Canonical's Ubuntu 24.04 for arm64 on the Graviton type, with the same user data, and warns", () => {
    const arm = build({ architecture: 'arm64', instanceType: 'm7g.large' });
    const x86 = build();
    const [[, image]] = Object.entries(arm.json.data!.aws_ami);
    expect(image.filter).toEqual(
      expect.arrayContaining([
        { name: 'name', values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*'] },
        { name: 'architecture', values: ['arm64'] },
      ]),
    );
    const [host] = Object.values(resources(arm.json, 'aws_instance'));
    expect(host.instance_type).toBe('m7g.large');
    // rancher/rancher is a manifest list with an arm64 build, and apt's docker.io exists for arm64: nothing else changes.
    expect(userData(arm.json)).toHaveLength(1);
    expect(userData(arm.json)).toEqual(userData(x86.json));
    expect(warnings(arm.construct)).toEqual([
      expect.stringMatching(/^architecture arm64: Rancher's docs call running on arm64 experimental \(Rancher 2\.\d+ here\)/),
    ]);
    expect(warnings(x86.construct)).toEqual([]);
  });
});

describe('RancherOnDocker.addAlarm', () => {
  it("adds an alarm on the host's metric, notifying the deployment's topic; refused with alarms off", () => {
    let quiet!: RancherOnDocker;
    const { json } = dockerStack((stack) => {
      const docker = new RancherOnDocker(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: [] });
      docker.addAlarm('cpu', { metric: docker.host.metricCpuUtilization(), threshold: 95, evaluationPeriods: 2 });
      quiet = new RancherOnDocker(stack, 'quiet', {
        name: 'quiet',
        hostname: 'quiet.acme.io',
        hostedZone: 'acme.io',
        adminCidrs: [],
        alarms: { enabled: false },
      });
    });
    const alarm = Object.entries(resources(json, 'aws_cloudwatch_metric_alarm')).find(([name]) => name.startsWith('rancher_alarms_cpu_'))![1];
    const topic = Object.keys(resources(json, 'aws_sns_topic')).find((name) => name.startsWith('rancher_alarms_topic_'));
    expect(alarm).toMatchObject({
      alarm_name: 'rancher-demo-cpu',
      metric_name: 'CPUUtilization',
      evaluation_periods: 2,
      alarm_actions: [`\${aws_sns_topic.${topic}.arn}`],
      depends_on: [expect.stringMatching(/^data\.http\.rancher_rancher-readiness_ping_/)],
    });
    expect(() => quiet.addAlarm('cpu', { metric: quiet.host.metricCpuUtilization(), threshold: 95 })).toThrow('alarms.enabled is false');
  });
});
