import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, TerraformOutput, TerraformVariable, type TerraformStack } from 'cdktf';
import { NetworkLoadBalancer } from '../../../lib/loadbalancer/network-load-balancer';
import { only, ref, resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

// The longest name the stack builds: a 16-character deployment name plus "-rke-ha".
const NAME = 'abcdefghijklmnop-rke-ha';
const PORTS = [80, 443, 6443];
const TARGETS = 'sg-0targets';

describe('NetworkLoadBalancer', () => {
  let lb!: NetworkLoadBalancer;
  const { json } = synth((stack) => {
    const admins = new TerraformVariable(stack, 'admin_cidrs', { type: 'list(string)' });
    lb = new NetworkLoadBalancer(stack, 'lb', {
      name: NAME,
      vpcId: 'vpc-0123',
      subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
      targetSecurityGroupId: TARGETS,
      ports: [
        { port: 80, description: 'HTTP', from: { cidr: '0.0.0.0/0' } },
        { port: 443, description: 'HTTPS', from: { cidr: '0.0.0.0/0' } },
        { port: 6443, description: 'Kubernetes API', from: { cidrList: admins.listValue } },
      ],
    });
    lb.addInstanceTarget('server-0', 'i-0000');
    lb.addInstanceTarget('server-1', 'i-1111');
    new TerraformOutput(stack, 'dns_name', { value: lb.dnsName });
    new TerraformOutput(stack, 'zone_id', { value: lb.zoneId });
  });
  const [lbName, balancer] = only(json, 'aws_lb');
  const [sgName, sg] = only(json, 'aws_security_group');
  const lbGroup = ref('aws_security_group', sgName, 'id');
  const groups = Object.entries(resources(json, 'aws_lb_target_group'));
  const groupRef = (port: number) => {
    const found = groups.filter(([, g]) => g.port === port);
    expect(found).toHaveLength(1);
    return ref('aws_lb_target_group', found[0][0], 'arn');
  };
  const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
  const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule'));

  it('gives the unhealthy-host metric of a forwarded port, by its target group and the balancer, and refuses another port', () => {
    expect(lb.metricUnhealthyHostCount(443)).toEqual({
      namespace: 'AWS/NetworkELB',
      metricName: 'UnHealthyHostCount',
      dimensions: { TargetGroup: expect.any(String), LoadBalancer: expect.any(String) },
      statistic: 'Maximum',
      period: 60,
    });
    // The dimensions as Terraform gets them: the target group's and the balancer's ARN suffixes.
    const rendered = synth((stack) => {
      const other = new NetworkLoadBalancer(stack, 'lb', {
        name: 'x',
        vpcId: 'v',
        subnetIds: ['s'],
        targetSecurityGroupId: 't',
        ports: [{ port: 443, description: 'HTTPS', from: { cidr: '0.0.0.0/0' } }],
      });
      new TerraformOutput(stack, 'dimensions', { value: other.metricUnhealthyHostCount(443).dimensions });
    }).json;
    expect((rendered.output as Record<string, { value: unknown }>).dimensions.value).toEqual({
      TargetGroup: ref('aws_lb_target_group', only(rendered, 'aws_lb_target_group')[0], 'arn_suffix'),
      LoadBalancer: ref('aws_lb', only(rendered, 'aws_lb')[0], 'arn_suffix'),
    });
    expect(() => lb.metricUnhealthyHostCount(22)).toThrow('forwards no port 22 (it forwards 80, 443, 6443)');
  });

  it('is an internet-facing, cross-zone network load balancer with its own security group', () => {
    expect(balancer).toMatchObject({
      name: NAME,
      load_balancer_type: 'network',
      internal: false,
      enable_cross_zone_load_balancing: true,
      subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
      security_groups: [lbGroup],
    });
    expect(sg).toMatchObject({ name_prefix: `${NAME}-lb-`, vpc_id: 'vpc-0123', lifecycle: { create_before_destroy: true } });
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  it('has deletion protection and prevent_destroy by default (FSBP ELB.6), neither when asked', () => {
    expect(balancer).toMatchObject({ enable_deletion_protection: true, lifecycle: { prevent_destroy: true } });
    const unprotected = only(
      synth(
        (stack) =>
          new NetworkLoadBalancer(stack, 'lb', {
            name: 'x',
            vpcId: 'v',
            subnetIds: [],
            targetSecurityGroupId: 's',
            ports: [],
            deletionProtection: false,
          }),
      ).json,
      'aws_lb',
    )[1];
    expect(unprotected.enable_deletion_protection).toBe(false);
    expect(unprotected).not.toHaveProperty('lifecycle');
  });

  it('has one TCP listener per port forwarding to the TCP target group of that port', () => {
    const listeners = Object.values(resources(json, 'aws_lb_listener'));
    expect(listeners.map((l) => l.port).sort((a, b) => a - b)).toEqual(PORTS);
    expect(groups).toHaveLength(PORTS.length);
    for (const listener of listeners) {
      expect(listener).toMatchObject({
        load_balancer_arn: ref('aws_lb', lbName, 'arn'),
        protocol: 'TCP',
        default_action: [{ type: 'forward', target_group_arn: groupRef(listener.port) }],
      });
    }
    for (const [, group] of groups) {
      expect(group).toMatchObject({
        name: `${NAME}-${group.port}`,
        protocol: 'TCP',
        target_type: 'instance',
        vpc_id: 'vpc-0123',
        health_check: { protocol: 'TCP', port: 'traffic-port' },
      });
    }
  });

  it('admits each port from its own peer only', () => {
    expect(ingress).toHaveLength(PORTS.length);
    const byPort = (port: number) => ingress.find((r) => r.from_port === port);
    for (const port of PORTS) expect(byPort(port)).toMatchObject({ security_group_id: lbGroup, ip_protocol: 'tcp', from_port: port, to_port: port });
    expect(byPort(80).cidr_ipv4).toBe('0.0.0.0/0');
    expect(byPort(443).cidr_ipv4).toBe('0.0.0.0/0');
    expect(byPort(6443)).toMatchObject({ for_each: '${toset(var.admin_cidrs)}', cidr_ipv4: '${each.value}' });
  });

  it('sends traffic only to the target group, on the forwarded ports', () => {
    expect(egress).toHaveLength(PORTS.length);
    expect(egress.map((r) => r.from_port).sort((a, b) => a - b)).toEqual(PORTS);
    for (const rule of egress) {
      expect(rule).toEqual({
        '//': expect.anything(),
        security_group_id: lbGroup,
        referenced_security_group_id: TARGETS,
        ip_protocol: 'tcp',
        from_port: rule.from_port,
        to_port: rule.from_port,
        description: expect.any(String),
      });
    }
  });

  it('addInstanceTarget registers an instance in every target group', () => {
    const attachments = Object.values(resources(json, 'aws_lb_target_group_attachment'));
    expect(attachments).toHaveLength(2 * PORTS.length);
    for (const instance of ['i-0000', 'i-1111']) {
      const mine = attachments.filter((a) => a.target_id === instance);
      expect(mine.map((a) => a.port).sort((a, b) => a - b)).toEqual(PORTS);
      for (const a of mine) expect(a.target_group_arn).toBe(groupRef(a.port));
    }
  });

  it('keeps every AWS name within 32 characters', () => {
    const names = [balancer.name, ...groups.map(([, g]) => g.name)];
    expect(names).toHaveLength(1 + PORTS.length);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(32);
  });

  it('keeps plain subnets and allocates no Elastic IP unless asked to (a balancer created so is never replaced by this)', () => {
    expect(balancer.subnet_mapping).toBeUndefined();
    expect(resources(json, 'aws_eip')).toEqual({});
    expect(lb.elasticIps).toEqual([]);
  });

  it('exposes its listeners, for what must wait until it forwards', () => {
    expect(lb.listeners.map((l) => l.portInput)).toEqual(PORTS);
  });

  it('exposes the target groups by port and the alias target', () => {
    expect([...lb.targetGroups.keys()]).toEqual(PORTS);
    expect(json.output?.dns_name.value).toBe(ref('aws_lb', lbName, 'dns_name'));
    expect(json.output?.zone_id.value).toBe(ref('aws_lb', lbName, 'zone_id'));
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('NetworkLoadBalancer with Elastic IPs (addresses that outlive the balancer)', () => {
  let lb!: NetworkLoadBalancer;
  const { json } = synth((stack) => {
    lb = new NetworkLoadBalancer(stack, 'lb', {
      name: NAME,
      vpcId: 'vpc-0123',
      subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
      targetSecurityGroupId: TARGETS,
      ports: [{ port: 443, description: 'HTTPS', from: { cidr: '0.0.0.0/0' } }],
      elasticIps: true,
    });
    new TerraformOutput(stack, 'first_ip', { value: lb.elasticIps[0].publicIp });
  });
  const [lbName, balancer] = only(json, 'aws_lb');
  const eips = resources(json, 'aws_eip');

  it('allocates one VPC Elastic IP per subnet, keyed by the subnet index (another zone never moves eip-0)', () => {
    const names = Object.keys(eips);
    expect(names.map((n) => /^lb_(eip-\d)_/.exec(n)![1])).toEqual(['eip-0', 'eip-1', 'eip-2']);
    Object.values(eips).forEach((eip, i) => expect(eip).toMatchObject({ domain: 'vpc', tags: { Name: `${NAME}-lb-${i}` } }));
  });

  it('maps each subnet to its address instead of listing plain subnets', () => {
    expect(balancer.subnets).toBeUndefined();
    const names = Object.keys(eips);
    expect(balancer.subnet_mapping).toEqual(
      ['subnet-a', 'subnet-b', 'subnet-c'].map((subnet_id, i) => ({ subnet_id, allocation_id: ref('aws_eip', names[i], 'allocation_id') })),
    );
    expect(json.output?.first_ip.value).toBe(ref('aws_eip', names[0], 'public_ip'));
  });

  it('never creates a new balancer before destroying the old (the new one could not take the addresses it holds)', () => {
    expect(balancer.lifecycle?.create_before_destroy).toBeUndefined();
    for (const listener of Object.values(resources(json, 'aws_lb_listener'))) {
      expect(listener.load_balancer_arn).toBe(ref('aws_lb', lbName, 'arn'));
      expect(listener.lifecycle?.create_before_destroy).toBeUndefined();
    }
    for (const eip of Object.values(eips)) expect(eip.lifecycle).toBeUndefined();
  });
});

describe('NetworkLoadBalancer refuses names AWS would refuse at apply, naming itself', () => {
  const build =
    (name: string, port = 6443) =>
    () =>
      synth((stack) => {
        new NetworkLoadBalancer(stack, 'front', {
          name,
          vpcId: 'vpc-0123',
          subnetIds: ['subnet-a'],
          targetSecurityGroupId: TARGETS,
          ports: [{ port, description: 'Kubernetes API', from: { cidr: '203.0.113.0/24' } }],
        });
      });

  it.each([
    [
      'a target group name over 32 characters',
      'abcdefghijklmnopq-rke-ha-extra',
      /NetworkLoadBalancer test\/front: a target group name "abcdefghijklmnopq-rke-ha-extra-6443" may have at most 32 characters/,
    ],
    ['a load balancer name starting with internal-', 'internal-rancher', /a load balancer name "internal-rancher" may not start with "internal-"/],
    ['characters a load balancer name may not hold', 'rancher_prod', /a load balancer name "rancher_prod" may hold letters, digits and "-" only/],
  ])('%s', (_what, name, message) => {
    expect(build(name)).toThrow(message);
  });

  it('accepts the longest name the stacks build, and a name that is a Terraform reference', () => {
    expect(build(NAME)).not.toThrow();
    expect(() =>
      synth((stack) => {
        const name = new TerraformVariable(stack, 'lb_name', { type: 'string' });
        new NetworkLoadBalancer(stack, 'front', {
          name: name.stringValue,
          vpcId: 'vpc-0123',
          subnetIds: ['subnet-a'],
          targetSecurityGroupId: TARGETS,
          ports: [],
        });
      }),
    ).not.toThrow();
  });
});

describe('NetworkLoadBalancer: a listener moving to another target port (targetPort, standbyTargetPorts)', () => {
  let lb!: NetworkLoadBalancer;
  const { json } = synth((stack) => {
    lb = new NetworkLoadBalancer(stack, 'lb', {
      name: NAME,
      vpcId: 'vpc-0123',
      subnetIds: ['subnet-a', 'subnet-b'],
      targetSecurityGroupId: TARGETS,
      ports: [{ port: 443, targetPort: 8443, standbyTargetPorts: [443], description: 'HTTPS', from: { cidr: '0.0.0.0/0' } }],
    });
    lb.addInstanceTarget('server-0', 'i-0000');
  });
  const groups = resources(json, 'aws_lb_target_group');

  it('keeps a group per target port, named and identified by its port, each with the instance registered on that port', () => {
    expect(Object.keys(groups).map((n) => n.replace(/_[0-9A-F]{8}$/, ''))).toEqual(['lb_tg-443', 'lb_tg-8443']);
    expect(Object.values(groups).map((g) => [g.name, g.port])).toEqual([
      [`${NAME}-443`, 443],
      [`${NAME}-8443`, 8443],
    ]);
    expect(Object.values(resources(json, 'aws_lb_target_group_attachment')).map((a) => a.port)).toEqual([443, 8443]);
    expect(lb.targetPorts).toEqual([443, 8443]);
  });

  it('forwards the listener to the target port alone, and lets the balancer reach the targets on every target port', () => {
    const [, listener] = only(json, 'aws_lb_listener');
    const forwarded = Object.entries(groups).find(([, g]) => g.port === 8443)![0];
    expect(listener.port).toBe(443);
    expect(listener.default_action[0].target_group_arn).toBe(ref('aws_lb_target_group', forwarded, 'arn'));
    expect(Object.values(resources(json, 'aws_vpc_security_group_ingress_rule')).map((r) => r.from_port)).toEqual([443]);
    expect(Object.values(resources(json, 'aws_vpc_security_group_egress_rule')).map((r) => r.from_port)).toEqual([443, 8443]);
    // By listener port, the forwarded group: the unhealthy-targets metric of port 443 is 8443's.
    expect(lb.targetGroups.get(443)!.node.id).toBe('tg-8443');
  });
});
