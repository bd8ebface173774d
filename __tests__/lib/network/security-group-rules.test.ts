import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { LocalBackend, TerraformVariable, type TerraformStack } from 'cdktf';
import { allowAllEgress, allowAllEgressTo, allowEgress, allowIngress } from '../../../lib/network/private/security-group-rules';
import type { PortRule } from '../../../lib/network/port-rule';
import { ref, resources, synthConstruct, type TerraformJson } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

/** The rule of a type created with construct id `id` directly in the stack. */
function rule(json: TerraformJson, type: string, id: string): any {
  const found = Object.values(resources(json, type)).filter((r) => r['//'].metadata.path === `test/${id}`);
  if (found.length !== 1) throw new Error(`expected one ${type} at test/${id}, found ${found.length}`);
  return found[0];
}

const HTTPS: PortRule = { protocol: 'tcp', from: 443, to: 443, description: 'HTTPS' };
const VXLAN: PortRule = { protocol: 'udp', from: 8472, to: 8472, description: 'VXLAN' };
const NODE_PORTS: PortRule = { protocol: 'tcp', from: 30000, to: 32767, description: 'NodePorts' };

describe('security group rules', () => {
  const { json } = synth((stack) => {
    const group = new SecurityGroup(stack, 'group', { name: 'group', vpcId: 'vpc-0123' });
    const peer = new SecurityGroup(stack, 'peer', { name: 'peer', vpcId: 'vpc-0123' });
    const admins = new TerraformVariable(stack, 'admin_cidrs', { type: 'list(string)' });

    allowIngress(stack, 'in-sg', group.id, HTTPS, { securityGroupId: peer.id });
    allowIngress(stack, 'in-cidr', group.id, VXLAN, { cidr: '10.0.0.0/16' });
    allowIngress(stack, 'in-list', group.id, NODE_PORTS, { cidrList: ['192.0.2.0/24', '198.51.100.7/32'] });
    allowIngress(stack, 'in-var', group.id, HTTPS, { cidrList: admins.listValue });
    allowEgress(stack, 'out-sg', group.id, HTTPS, { securityGroupId: peer.id });
    allowEgress(stack, 'out-cidr', group.id, VXLAN, { cidr: '10.1.0.0/16' });
    allowEgress(stack, 'out-list', group.id, HTTPS, { cidrList: ['203.0.113.0/24'] });
    allowAllEgress(stack, 'out-all', group.id);
    allowAllEgressTo(stack, 'out-proxy', group.id, '10.99.0.0/24', 'To the proxy');
  });
  const groupId = ref('aws_security_group', 'group', 'id');
  const peerId = ref('aws_security_group', 'peer', 'id');
  const ingress = (id: string) => rule(json, 'aws_vpc_security_group_ingress_rule', id);
  const egress = (id: string) => rule(json, 'aws_vpc_security_group_egress_rule', id);

  it('creates one standalone rule resource per call', () => {
    expect(Object.keys(resources(json, 'aws_vpc_security_group_ingress_rule'))).toHaveLength(4);
    expect(Object.keys(resources(json, 'aws_vpc_security_group_egress_rule'))).toHaveLength(5);
    expect(resources(json, 'aws_security_group').group.ingress).toBeUndefined();
  });

  it('maps a security group peer to referenced_security_group_id', () => {
    for (const r of [ingress('in-sg'), egress('out-sg')]) {
      expect(r).toMatchObject({
        security_group_id: groupId,
        referenced_security_group_id: peerId,
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        description: 'HTTPS',
      });
      expect(r).not.toHaveProperty('cidr_ipv4');
      expect(r).not.toHaveProperty('for_each');
    }
  });

  it('maps a cidr peer to cidr_ipv4', () => {
    expect(ingress('in-cidr')).toMatchObject({
      security_group_id: groupId,
      cidr_ipv4: '10.0.0.0/16',
      ip_protocol: 'udp',
      from_port: 8472,
      to_port: 8472,
    });
    expect(egress('out-cidr')).toMatchObject({
      security_group_id: groupId,
      cidr_ipv4: '10.1.0.0/16',
      ip_protocol: 'udp',
      from_port: 8472,
      to_port: 8472,
    });
    for (const r of [ingress('in-cidr'), egress('out-cidr')]) {
      expect(r).not.toHaveProperty('referenced_security_group_id');
      expect(r).not.toHaveProperty('for_each');
    }
  });

  it('maps a cidr list to for_each over the list with cidr_ipv4 = each.value', () => {
    expect(ingress('in-list')).toMatchObject({
      for_each: '${toset(["192.0.2.0/24", "198.51.100.7/32"])}',
      cidr_ipv4: '${each.value}',
      from_port: 30000,
      to_port: 32767,
      ip_protocol: 'tcp',
    });
    expect(egress('out-list')).toMatchObject({ for_each: '${toset(["203.0.113.0/24"])}', cidr_ipv4: '${each.value}', from_port: 443, to_port: 443 });
    expect(ingress('in-list')).not.toHaveProperty('referenced_security_group_id');
  });

  it('iterates over a list only Terraform knows', () => {
    expect(ingress('in-var')).toMatchObject({ for_each: '${toset(var.admin_cidrs)}', cidr_ipv4: '${each.value}' });
  });

  it('allows all egress to 0.0.0.0/0 on every protocol', () => {
    expect(egress('out-all')).toEqual({
      '//': expect.anything(),
      security_group_id: groupId,
      ip_protocol: '-1',
      cidr_ipv4: '0.0.0.0/0',
      description: 'Outbound to anywhere',
    });
  });

  it('allows all egress to one network on every protocol', () => {
    expect(egress('out-proxy')).toEqual({
      '//': expect.anything(),
      security_group_id: groupId,
      ip_protocol: '-1',
      cidr_ipv4: '10.99.0.0/24',
      description: 'To the proxy',
    });
  });
});
