import type { SettingsInput } from '../../lib/config/schema';
import { RKE_HA_STACK, RkeHaStack } from '../../stacks/rke-ha';
import { resources, settings, synthStack, type TerraformJson } from '../helpers/synth';

function synth(input: SettingsInput) {
  return synthStack((app) => new RkeHaStack(app, RKE_HA_STACK, settings(input))).json;
}

const instances = (json: TerraformJson) => resources(json, 'aws_instance');
const withoutUserData = ({ user_data: _ignored, ...rest }: Record<string, unknown>) => rest;

describe('rke-ha options: a single node that grows to three', () => {
  const one = synth({ rkeHa: { nodeCount: 1 } });
  const three = synth({ rkeHa: { nodeCount: 3 } });

  it('starts with one server that may initialize, with no peer to wait for', () => {
    const [[, server]] = Object.entries(instances(one));
    expect(Object.keys(instances(one))).toHaveLength(1);
    expect(server.user_data).toContain('NODE_ROLE="init"');
    expect(server.user_data).toContain('PEER_IPS=""');
    expect(Object.keys(resources(one, 'aws_lb_target_group_attachment'))).toHaveLength(3);
  });

  it('keeps the first server\'s identity when growing: same address, same settings, so Terraform updates nothing on it', () => {
    const [firstName] = Object.keys(instances(one));
    expect(Object.keys(instances(three))).toContain(firstName);
    expect(withoutUserData(instances(three)[firstName])).toEqual(withoutUserData(instances(one)[firstName]));
    // Its user data does change (new peers), which the node ignores after creation.
    expect(instances(three)[firstName].lifecycle.ignore_changes).toContain('user_data');
  });

  it('adds two servers that only join, and keeps every other resource of the single-node install', () => {
    const added = Object.entries(instances(three)).filter(([name]) => !(name in instances(one)));
    expect(added.map(([, i]) => /NODE_ROLE="(\w+)"/.exec(i.user_data)![1])).toEqual(['join', 'join']);
    for (const [type, byName] of Object.entries(one.resource)) {
      for (const name of Object.keys(byName)) expect(Object.keys(three.resource[type] ?? {})).toContain(name);
    }
  });

  it('rejects a node count etcd cannot use', () => {
    expect(() => settings({ rkeHa: { nodeCount: 2 as 3 } })).toThrow(/rkeHa\.nodeCount: expected 1 or 3/);
  });
});

describe('rke-ha options: private node subnets', () => {
  const json = synth({ rkeHa: { privateNodes: true } });
  const subnets = resources(json, 'aws_subnet');
  const privateSubnets = Object.entries(subnets).filter(([name]) => name.startsWith('private-subnets'));

  it('puts the nodes in private subnets without public addresses, one per zone', () => {
    expect(privateSubnets.map(([, s]) => s.cidr_block)).toEqual(['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20']);
    privateSubnets.forEach(([, s]) => expect(s.map_public_ip_on_launch).toBe(false));
    const nodeSubnets = Object.values(instances(json)).map((i) => /aws_subnet\.([^.]+)\.id/.exec(i.subnet_id)![1]);
    expect(nodeSubnets).toEqual(privateSubnets.map(([name]) => name));
    expect(Object.values(instances(json)).map((i) => i.private_ip)).toEqual(['10.0.128.10', '10.0.144.10', '10.0.160.10']);
  });

  it('keeps the load balancer in the public subnets', () => {
    const [lb] = Object.values(resources(json, 'aws_lb'));
    const publicNames = Object.keys(subnets).filter((n) => n.startsWith('network_public'));
    expect(lb.subnets).toEqual(publicNames.map((n) => `\${aws_subnet.${n}.id}`));
  });

  it('routes each private subnet through the NAT gateway of its zone, or one NAT when asked', () => {
    const gateways = Object.keys(resources(json, 'aws_nat_gateway'));
    expect(gateways).toHaveLength(3);
    const routes = Object.values(resources(json, 'aws_route')).filter((r) => r.nat_gateway_id);
    expect(routes.map((r) => r.nat_gateway_id)).toEqual(gateways.map((g) => `\${aws_nat_gateway.${g}.id}`));
    const single = synth({ rkeHa: { privateNodes: true, natGateways: 'single' } });
    expect(Object.keys(resources(single, 'aws_nat_gateway'))).toHaveLength(1);
  });
});

describe('rke-ha options: API audit log', () => {
  const values = (json: TerraformJson) => Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0];

  it('is off by default', () => {
    expect(values(synth({}))).not.toContain('auditLog');
  });

  it('sets the chart auditLog level, destination and rotation', () => {
    expect(values(synth({ rancher: { auditLog: { enabled: true, level: 2, destination: 'hostPath', maxAgeDays: 7, maxBackups: 5, maxSizeMb: 50 } } }))).toContain(
      '"auditLog" = {"enabled" = true, "level" = 2, "destination" = "hostPath", "hostPath" = "/var/log/rancher/audit/", "maxAge" = 7, "maxBackup" = 5, "maxSize" = 50}',
    );
    expect(values(synth({ rancher: { auditLog: { enabled: true } } }))).toContain(
      '"auditLog" = {"enabled" = true, "level" = 0, "destination" = "sidecar", "maxAge" = 1, "maxBackup" = 1, "maxSize" = 100}',
    );
    expect(values(synth({ rancher: { auditLog: { level: 3 } } }))).not.toContain('auditLog');
  });
});
