import type { SettingsInput } from '../../../app/config/settings-schema';
import { DB, LB, NODES, VPC } from '../../helpers/sample-network';
import { expectSecretsByReference } from '../../helpers/secrets';
import { dataSources, dependencyClosure, only, resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { synthSettings, variantSettings, DOCKER_STACK, RKE_HA_STACK } from '../../helpers/variants';

/**
 * The stacks in an existing VPC (rkeHa.existingNetwork, docker.existingNetwork):
 * nothing of the network is created, everything else lands on the given
 * subnets, and the plan-time checks pass on a healthy network.
 */

// Variants the root-module checks synthesize too: one synth serves both.
const RKE_EXISTING = variantSettings('rke-ha existing network');
const K3S_PROXY = variantSettings('rke-ha existing network, k3s, proxy with closed egress, host 20');
const SINGLE_ALB: SettingsInput = {
  rkeHa: { nodeCount: 1, existingNetwork: { vpcId: VPC, loadBalancerSubnetIds: LB.slice(0, 2), nodeSubnetIds: NODES.slice(0, 1) } },
  rancher: { tls: { mode: 'external', issuer: 'acme' } },
};
const DOCKER_EXISTING = variantSettings('docker existing network, proxy with closed egress');

const rke = (input: SettingsInput) => synthSettings(RKE_HA_STACK, input).json;
const docker = (input: SettingsInput) => synthSettings(DOCKER_STACK, input).json;

/** `data.aws_subnet.<name>` of the subnet with this id. */
function subnetData(json: TerraformJson, id: string, role: 'load-balancer' | 'node' | 'datastore'): string {
  const name = Object.entries(dataSources(json, 'aws_subnet')).find(([n, s]) => s.id === id && n.includes(`_${role}-subnet-`))?.[0];
  if (!name) throw new Error(`no ${role} subnet ${id}`);
  return `data.aws_subnet.${name}`;
}

const NETWORK_TYPES = [
  'aws_vpc',
  'aws_subnet',
  'aws_internet_gateway',
  'aws_nat_gateway',
  'aws_eip',
  'aws_route',
  'aws_route_table',
  'aws_route_table_association',
];

describe('rke-ha in an existing VPC', () => {
  const json = rke(RKE_EXISTING);
  const servers = Object.entries(resources(json, 'aws_instance')).sort(([a], [b]) => a.localeCompare(b, 'en'));

  it('creates no VPC, subnet, gateway, Elastic IP or route: destroy has none to remove', () => {
    expect(Object.keys(json.resource).filter((type) => NETWORK_TYPES.includes(type))).toEqual([]);
  });

  it('puts the NLB on the load balancer subnets and waits for their checked route tables', () => {
    const [, nlb] = only(json, 'aws_lb');
    expect(nlb.subnets).toEqual(LB.map((id) => `\${${subnetData(json, id, 'load-balancer')}.id}`));
    expect(nlb.depends_on).toHaveLength(3);
    for (const dependency of nlb.depends_on) expect(dependency).toMatch(/^data\.aws_route_table\.network_load-balancer-subnet-\d-routes_/);
  });

  it('puts server i in node subnet i, at host 10 of it', () => {
    expect(servers).toHaveLength(3);
    servers.forEach(([, server], i) => {
      const subnet = subnetData(json, NODES[i], 'node');
      expect(server.subnet_id).toBe(`\${${subnet}.id}`);
      expect(server.private_ip).toBe(`\${cidrhost(${subnet}.cidr_block, 10)}`);
    });
  });

  it("gives each server its own address and the others' as peers, from the same expressions (no second layout)", () => {
    const address = (i: number) => `\${cidrhost(${subnetData(json, NODES[i], 'node')}.cidr_block, 10)}`;
    servers.forEach(([, server], i) => {
      const text = userDataOf(json, server);
      expect(text).toContain(`NODE_IP="${address(i)}"`);
      expect(text).toContain(
        `PEER_IPS="${[0, 1, 2]
          .filter((j) => j !== i)
          .map(address)
          .join(' ')}"`,
      );
      expect(text).toContain(`PREVIOUS_SERVER_IPS="${i === 0 ? '' : address(i - 1)}"`);
    });
  });

  it('builds the security groups in the VPC, through its checked data source', () => {
    const vpc = `\${${Object.keys(dataSources(json, 'aws_vpc')).map((n) => `data.aws_vpc.${n}`)[0]}.id}`;
    for (const group of Object.values(resources(json, 'aws_security_group'))) expect(group.vpc_id).toBe(vpc);
  });

  it('records the VPC id where a created network records its range (the same guard record)', () => {
    const [name, record] = Object.entries(resources(json, 'terraform_data')).find(([n]) => n.startsWith('deployment-guard_record-rkeHa-vpcCidr_'))!;
    expect(record.input).toBe(VPC);
    expect(name).toBe('deployment-guard_record-rkeHa-vpcCidr_42F62958');
  });
});

describe('rke-ha single server in an existing VPC, TLS at an ALB', () => {
  const json = rke(SINGLE_ALB);

  it('puts the ALB and the NLB on the load balancer subnets (two zones: an ALB needs them)', () => {
    const balancers = Object.values(resources(json, 'aws_lb'));
    expect(balancers.map((lb) => lb.load_balancer_type).sort()).toEqual(['application', 'network']);
    for (const lb of balancers) expect(lb.subnets).toEqual(LB.slice(0, 2).map((id) => `\${${subnetData(json, id, 'load-balancer')}.id}`));
  });

  it("has Traefik trust forwarded headers from the ALB's subnets as read at plan time, not from the VPC or everyone", () => {
    const values = Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0] as string;
    const cidrs = LB.slice(0, 2).map((id) => `        - \${${subnetData(json, id, 'load-balancer')}.cidr_block}\\n`);
    expect(values).toContain(`trustedIPs:\\n${cidrs.join('')}`);
    expect(values).not.toContain('0.0.0.0/0');
  });

  it("checks the one server's zone against the load balancers' and needs no peer", () => {
    const [, server] = only(json, 'aws_instance');
    expect(userDataOf(json, server)).toContain('PEER_IPS=""');
    const checks = Object.entries(resources(json, 'terraform_data')).find(([n]) => n.startsWith('network_checks_'))![1];
    expect(checks.lifecycle.precondition.map((p: { error_message: string }) => p.error_message)).toEqual([
      expect.stringMatching(/^Two load balancer subnets share a zone /),
      expect.stringMatching(/^The node subnets put servers in zones /),
    ]);
  });
});

describe('rke-ha k3s in an existing VPC, proxy with closed egress', () => {
  const json = rke(K3S_PROXY);

  it('puts the datastore on the datastore subnets and creates no subnet for it', () => {
    const [, group] = only(json, 'aws_db_subnet_group');
    expect(group.subnet_ids).toEqual(DB.map((id) => `\${${subnetData(json, id, 'datastore')}.id}`));
    expect(resources(json, 'aws_subnet')).toEqual({});
  });

  it('takes the host number setting', () => {
    for (const server of Object.values(resources(json, 'aws_instance')))
      expect(server.private_ip).toMatch(/^\$\{cidrhost\(data\.aws_subnet\.[^)]+\.cidr_block, 20\)\}$/);
  });

  it('keeps egress open to the VPC range and the subnets it uses (one rule each), and them out of the proxy', () => {
    const rules = resources(json, 'aws_vpc_security_group_egress_rule');
    const vpcRule = Object.entries(rules).find(([n]) => n.startsWith('node-security-group_egress-vpc_'))![1];
    expect(vpcRule.cidr_ipv4).toBe('${each.value}');
    expect(vpcRule.for_each).toMatch(
      /^\$\{toset\(tolist\(setsubtract\(distinct\(\[data\.aws_vpc\.[^,]+\.cidr_block, (data\.aws_subnet\.network_(node|datastore)-subnet-\d_\w+\.cidr_block(, )?){4}\]\), \["10\.9\.0\.0\/24"\]\)\)\)\}$/,
    );
    const [, server] = Object.entries(resources(json, 'aws_instance'))[0];
    const noProxy = /NO_PROXY="([^"\n]*(?:"[^"\n]*)*)"\n/.exec(userDataOf(json, server))![1];
    expect(noProxy).toContain('${join(",", distinct([data.aws_vpc.');
  });

  it("skips the node subnets' route check: the proxy carries their downloads", () => {
    expect(Object.keys(dataSources(json, 'aws_route_table')).every((n) => n.startsWith('network_load-balancer-subnet-'))).toBe(true);
  });
});

describe('docker in an existing VPC', () => {
  const json = docker(DOCKER_EXISTING);
  const [, host] = only(json, 'aws_instance');
  const subnet = subnetData(json, LB[0], 'node');

  it("creates no VPC, subnet, gateway or route (the Elastic IP is the host's own)", () => {
    expect(Object.keys(json.resource).filter((type) => NETWORK_TYPES.includes(type) && type !== 'aws_eip')).toEqual([]);
    expect(Object.keys(resources(json, 'aws_eip'))).toHaveLength(1);
  });

  it('puts the host on the subnet at its host number, and the data volume in its zone', () => {
    expect(host.subnet_id).toBe(`\${${subnet}.id}`);
    expect(host.private_ip).toBe(`\${cidrhost(${subnet}.cidr_block, 30)}`);
    expect(only(json, 'aws_ebs_volume')[1].availability_zone).toBe(`\${${subnet}.availability_zone}`);
  });

  it("associates the Elastic IP after the subnet's route to an internet gateway was checked", () => {
    const [name] = only(json, 'aws_eip_association');
    expect([...dependencyClosure(json, `aws_eip_association.${name}`)]).toEqual(
      expect.arrayContaining([expect.stringMatching(/^data\.aws_route_table\.network_node-subnet-0-routes_/)]),
    );
  });

  it('keeps the VPC out of the proxy and open under closed egress', () => {
    expect(userDataOf(json, host)).toContain('${join(",", distinct([data.aws_vpc.');
    const vpcRule = Object.entries(resources(json, 'aws_vpc_security_group_egress_rule')).find(([n]) =>
      n.startsWith('security-group_egress-vpc_'),
    )![1];
    expect(vpcRule.for_each).toContain('setsubtract(');
  });
});

describe('no secret literal in an existing network', () => {
  it.each([
    ['rke-ha', rke(RKE_EXISTING)],
    ['rke-ha k3s', rke(K3S_PROXY)],
    ['docker', docker(DOCKER_EXISTING)],
  ])('%s', (_name, json) => {
    expectSecretsByReference(json);
  });
});

/**
 * The settings file is one client of ExistingNetwork: its plan-time checks in the app's stacks say what they say to
 * a library user (the VPC and subnets by id and role, the construct's props), no settings-file path. Only messages:
 * the guard's records, their ids and inputs keep the settings file's names (a record's name is in the state).
 */
describe("the app's existing-network checks speak ExistingNetwork's words", () => {
  const networkMessages = (json: TerraformJson): string[] =>
    [...Object.values(json.data ?? {}), json.resource.terraform_data ?? {}].flatMap((blocks) =>
      Object.entries(blocks)
        .filter(([name]) => name.startsWith('network_'))
        .flatMap(([, block]) => [...(block.lifecycle?.postcondition ?? []), ...(block.lifecycle?.precondition ?? [])])
        .map((check: { error_message: string }) => check.error_message),
    );

  it.each([
    ['rke-ha', rke(RKE_EXISTING), 25],
    ['rke-ha k3s with a proxy', rke(K3S_PROXY), 21],
    ['rke-ha dual-stack k3s', rke(variantSettings('rke-ha dual-stack existing network, k3s')), 40],
    ['docker', docker(DOCKER_EXISTING), 5],
  ])('%s', (_name, json, count) => {
    const messages = networkMessages(json);
    expect(messages).toHaveLength(count);
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`^The VPC ${VPC} has DNS resolution turned off;`)));
    for (const message of messages) expect(message).not.toMatch(/rkeHa|docker\.|existingNetwork|dualStack|HostNumber|proxy\.http|airGap/);
  });
});
