import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { NodeSecurityGroup } from '../../../lib/nodes/node-security-group';
import type { PortRule } from '../../../lib/network/port-rule';
import { RKE2_SERVER_PORTS } from '../../../lib/nodes/private/ports';
import { only, ref, resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

const key = (r: { protocol: string; from: number; to: number }) => `${r.protocol}/${r.from}-${r.to}`;
const ruleKey = (r: any) => key({ protocol: r.ip_protocol, from: r.from_port, to: r.to_port });

describe('NodeSecurityGroup', () => {
  const { json } = synth((stack) => {
    const group = new NodeSecurityGroup(stack, 'nodes', { vpcId: 'vpc-0123456789abcdef0', name: 'demo-rke-ha' });
    group.allowSsh(['192.0.2.0/24', '198.51.100.7/32']);
  });
  const [groupName, sg] = only(json, 'aws_security_group');
  const groupId = ref('aws_security_group', groupName, 'id');
  const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
  const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule'));
  const selfRules = ingress.filter((r) => r.referenced_security_group_id === groupId);

  it('creates the group in the VPC, replaced before destroyed', () => {
    expect(sg).toMatchObject({
      name_prefix: 'demo-rke-ha-',
      vpc_id: 'vpc-0123456789abcdef0',
      description: 'Rancher server nodes',
      tags: { Name: 'demo-rke-ha' },
      lifecycle: { create_before_destroy: true },
    });
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  it('opens exactly the RKE2 server ports between members of the group', () => {
    expect(selfRules.map(ruleKey).sort()).toEqual(RKE2_SERVER_PORTS.map(key).sort());
    expect(selfRules).toHaveLength(RKE2_SERVER_PORTS.length);
    for (const r of selfRules) {
      expect(r.security_group_id).toBe(groupId);
      expect(r).not.toHaveProperty('cidr_ipv4');
      const expected = RKE2_SERVER_PORTS.find((p) => key(p) === ruleKey(r)) as PortRule;
      expect(r.description).toBe(expected.description);
    }
  });

  it('covers the ports RKE2 documents for servers', () => {
    const keys = selfRules.map(ruleKey);
    for (const k of ['tcp/6443-6443', 'tcp/9345-9345', 'tcp/10250-10250', 'tcp/2379-2379', 'tcp/2380-2380', 'udp/8472-8472', 'tcp/30000-32767']) {
      expect(keys).toContain(k);
    }
  });

  it('opens nothing to the whole internet except the single egress-all rule', () => {
    const open = [...ingress, ...egress].filter((r) => r.cidr_ipv4 === '0.0.0.0/0' || r.cidr_ipv6 === '::/0');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ security_group_id: groupId, ip_protocol: '-1', cidr_ipv4: '0.0.0.0/0' });
    expect(egress).toEqual([open[0]]);
  });

  it('allowSsh adds port 22 from each given network, and nothing else from outside', () => {
    const outside = ingress.filter((r) => r.referenced_security_group_id === undefined);
    expect(outside).toHaveLength(1);
    expect(outside[0]).toMatchObject({
      security_group_id: groupId,
      ip_protocol: 'tcp',
      from_port: 22,
      to_port: 22,
      for_each: '${toset(["192.0.2.0/24", "198.51.100.7/32"])}',
      cidr_ipv4: '${each.value}',
    });
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('NodeSecurityGroup without SSH, with custom cluster ports', () => {
  const ports: PortRule[] = [{ protocol: 'tcp', from: 6443, to: 6443, description: 'API' }];
  const { json } = synth((stack) => {
    const group = new NodeSecurityGroup(stack, 'nodes', { vpcId: 'vpc-1', name: 'x', clusterPorts: ports });
    group.allowFrom('from-lb-443', { protocol: 'tcp', from: 443, to: 443, description: 'LB' }, { securityGroupId: 'sg-0lb' });
  });

  it('uses the given table instead of RKE2_SERVER_PORTS, and no SSH by default', () => {
    const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
    expect(ingress.map(ruleKey).sort()).toEqual(['tcp/443-443', 'tcp/6443-6443']);
    expect(ingress.some((r) => r.from_port === 22)).toBe(false);
    expect(ingress.find((r) => r.from_port === 443).referenced_security_group_id).toBe('sg-0lb');
  });
});

describe('NodeSecurityGroup with egressOnlyTo (proxy.egressOnlyTo)', () => {
  const egressOf = (props: { vpcCidr?: string; egressOnlyTo?: string[] }) => {
    const { json } = synth((stack) => {
      new NodeSecurityGroup(stack, 'nodes', { vpcId: 'vpc-1', name: 'x', ...props });
    });
    const [groupName] = only(json, 'aws_security_group');
    return { groupId: ref('aws_security_group', groupName, 'id'), rules: Object.values(resources(json, 'aws_vpc_security_group_egress_rule')) };
  };

  it('replaces the egress-all rule with all traffic to the VPC and to each listed network', () => {
    const { groupId, rules } = egressOf({ vpcCidr: '10.0.0.0/16', egressOnlyTo: ['10.99.0.0/24', '203.0.113.0/24'] });
    expect(rules.map((r) => [r.cidr_ipv4, r.ip_protocol]).sort()).toEqual([
      ['10.0.0.0/16', '-1'],
      ['10.99.0.0/24', '-1'],
      ['203.0.113.0/24', '-1'],
    ]);
    for (const r of rules) {
      expect(r.security_group_id).toBe(groupId);
      expect(r).not.toHaveProperty('from_port');
      expect(r).not.toHaveProperty('for_each');
    }
    expect(rules.find((r) => r.cidr_ipv4 === '10.0.0.0/16').description).toBe('Outbound inside the VPC');
    expect(rules.some((r) => r.cidr_ipv4 === '0.0.0.0/0')).toBe(false);
  });

  it('names each rule after its network, so reordering the list changes no address', () => {
    const paths = (list: string[]) =>
      egressOf({ vpcCidr: '10.0.0.0/16', egressOnlyTo: list })
        .rules.map((r) => r['//'].metadata.path)
        .sort();
    expect(paths(['10.99.0.0/24', '203.0.113.0/24'])).toEqual([
      'test/nodes/egress-10-99-0-0-24',
      'test/nodes/egress-203-0-113-0-24',
      'test/nodes/egress-vpc',
    ]);
    expect(paths(['203.0.113.0/24', '10.99.0.0/24'])).toEqual(paths(['10.99.0.0/24', '203.0.113.0/24']));
  });

  it('writes no duplicate rule (which AWS refuses) for a repeated network or the VPC itself', () => {
    const { rules } = egressOf({ vpcCidr: '10.0.0.0/16', egressOnlyTo: ['10.0.0.0/16', '10.99.0.0/24', '10.99.0.0/24'] });
    expect(rules.map((r) => r.cidr_ipv4).sort()).toEqual(['10.0.0.0/16', '10.99.0.0/24']);
  });

  it('keeps egress open for an empty list, as without the prop', () => {
    for (const props of [{ vpcCidr: '10.0.0.0/16', egressOnlyTo: [] }, { vpcCidr: '10.0.0.0/16' }, {}]) {
      expect(egressOf(props).rules).toEqual([
        expect.objectContaining({ ip_protocol: '-1', cidr_ipv4: '0.0.0.0/0', description: 'Outbound to anywhere' }),
      ]);
    }
  });

  it('needs the VPC range to close egress', () => {
    expect(() => egressOf({ egressOnlyTo: ['10.99.0.0/24'] })).toThrow(/egressOnlyTo needs vpcCidr/);
  });
});
