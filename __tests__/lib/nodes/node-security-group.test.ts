import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { NodeSecurityGroup } from '../../../lib/nodes/node-security-group';
import { RKE2_SERVER_PORTS, type PortRule } from '../../../lib/nodes/ports';
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
