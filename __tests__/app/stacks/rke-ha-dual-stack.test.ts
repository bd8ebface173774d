import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { ipv6DropInPath, WAIT_IPV6_PATH } from '../../../lib/kubernetes/private/dual-stack';
import { dataSources, resources, settingsProblems, userDataOf, type TerraformJson } from '../../helpers/synth';
import { LB, NODES, VPC } from '../../helpers/sample-network';
import { synthSettings, variantSettings, RKE_HA_STACK } from '../../helpers/variants';

/** rkeHa.dualStack (issue 38, item 3): what it adds to the rke-ha stack, and what it refuses. */

const SITE = { hostname: 'rancher.acme.io', hostedZone: 'acme.io' };
const DUAL = { ...SITE, adminCidrs: ['10.8.0.0/24', 'fd12:3456:789a::/48'], rkeHa: { dualStack: true } } satisfies SettingsInput;

const synth = (input: SettingsInput) => synthSettings(RKE_HA_STACK, input).json;
const values = (json: TerraformJson, type: string) => Object.values(resources(json, type));
/** The first server's config.yaml, read from its user data. */
function serverConfig(json: TerraformJson, file: string): Record<string, unknown> {
  const instance = values(json, 'aws_instance')[0];
  const cloudConfig = parse(userDataOf(json, instance).replace(/^#cloud-config\n/, '')) as { write_files: { path: string; content: string }[] };
  const entry = cloudConfig.write_files.find((f) => f.path === file);
  if (!entry) throw new Error(`no ${file} in the user data`);
  return parse(entry.content) as Record<string, unknown>;
}
const writtenFiles = (json: TerraformJson) =>
  (parse(userDataOf(json, values(json, 'aws_instance')[0]).replace(/^#cloud-config\n/, '')) as { write_files: { path: string }[] }).write_files.map(
    (f) => f.path,
  );

describe('rke-ha dual-stack (rkeHa.dualStack)', () => {
  const ipv4 = synth(SITE);
  const dual = synth(DUAL);

  it('asks AWS for a /56 on the VPC and gives every public subnet the /64 of its index, with addresses on launch', () => {
    const [vpc] = values(dual, 'aws_vpc');
    expect(vpc.assign_generated_ipv6_cidr_block).toBe(true);
    const subnets = values(dual, 'aws_subnet');
    expect(subnets).toHaveLength(3);
    subnets.forEach((subnet, i) => {
      expect(subnet.ipv6_cidr_block).toMatch(new RegExp(`^\\$\\{cidrsubnet\\(aws_vpc\\.network_vpc_[0-9A-F]{8}\\.ipv6_cidr_block, 8, ${i}\\)\\}$`));
      expect(subnet.assign_ipv6_address_on_creation).toBe(true);
    });
    // The IPv4 stack has neither.
    expect(values(ipv4, 'aws_vpc')[0].assign_generated_ipv6_cidr_block).toBeUndefined();
    expect(values(ipv4, 'aws_subnet').every((s) => s.ipv6_cidr_block === undefined)).toBe(true);
  });

  it('routes ::/0 of the public subnets to the internet gateway', () => {
    const routes = values(dual, 'aws_route');
    expect(routes.filter((r) => r.destination_ipv6_cidr_block === '::/0')).toEqual([
      expect.objectContaining({ gateway_id: expect.stringContaining('aws_internet_gateway.') }),
    ]);
    expect(values(ipv4, 'aws_route').some((r) => r.destination_ipv6_cidr_block !== undefined)).toBe(false);
  });

  it('with private nodes: an egress-only gateway, ::/0 of each private subnet to it, and /64s after the public ones', () => {
    const json = synth({ ...DUAL, rkeHa: { dualStack: true, privateNodes: true } });
    expect(Object.keys(resources(json, 'aws_egress_only_internet_gateway'))).toHaveLength(1);
    const ipv6Routes = values(json, 'aws_route').filter((r) => r.destination_ipv6_cidr_block === '::/0');
    expect(ipv6Routes.filter((r) => String(r.egress_only_gateway_id).includes('aws_egress_only_internet_gateway.'))).toHaveLength(3);
    const privateSubnets = Object.entries(resources(json, 'aws_subnet')).filter(([name]) => name.startsWith('private-subnets_'));
    expect(privateSubnets.map(([, s]) => s.ipv6_cidr_block)).toEqual([8, 9, 10].map((i) => expect.stringContaining(`, 8, ${i})`)));
  });

  it('makes the NLB dual-stack, opens 80 and 443 to ::/0 beside 0.0.0.0/0, and 6443 to the admin networks of either family', () => {
    const [nlb] = values(dual, 'aws_lb');
    expect(nlb.ip_address_type).toBe('dualstack');
    expect(values(ipv4, 'aws_lb')[0].ip_address_type).toBeUndefined();
    const ingress = resources(dual, 'aws_vpc_security_group_ingress_rule');
    for (const port of [80, 443]) {
      expect(ingress[`load-balancer_ingress-${port}_${suffixOf(dual, `load-balancer_ingress-${port}_`)}`].cidr_ipv4).toBe('0.0.0.0/0');
      const ipv6 = Object.entries(ingress).find(([name]) => name.startsWith(`load-balancer_ingress-${port}-ipv6_`));
      expect(ipv6?.[1]).toEqual(expect.objectContaining({ cidr_ipv6: '::/0', from_port: port, to_port: port }));
    }
    const [, api] = Object.entries(ingress).find(([name]) => name.startsWith('load-balancer_ingress-6443_'))!;
    expect(api.cidr_ipv4).toBe('${strcontains(each.value, ":") ? null : each.value}');
    expect(api.cidr_ipv6).toBe('${strcontains(each.value, ":") ? each.value : null}');
    // No IPv6 counterpart of the API rule: the admin networks are one list of both families.
    expect(Object.keys(ingress).some((name) => name.startsWith('load-balancer_ingress-6443-ipv6'))).toBe(false);
  });

  it('opens nothing to ::/0 in the IPv4 stack (every IPv6 rule is the dual-stack one)', () => {
    const rules = [...values(ipv4, 'aws_vpc_security_group_ingress_rule'), ...values(ipv4, 'aws_vpc_security_group_egress_rule')];
    expect(rules.some((r) => r.cidr_ipv6 !== undefined)).toBe(false);
  });

  it('lets the nodes out over IPv6 as over IPv4, and takes IPv6 admin networks for SSH', () => {
    const egress = Object.entries(resources(dual, 'aws_vpc_security_group_egress_rule'));
    const open = egress.filter(([name]) => name.startsWith('node-security-group_egress-all')).map(([, rule]) => rule);
    expect(open).toHaveLength(2);
    expect(open).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cidr_ipv4: '0.0.0.0/0' }),
        expect.objectContaining({ cidr_ipv6: '::/0', ip_protocol: '-1' }),
      ]),
    );
    const ssh = synth({ ...DUAL, rkeHa: { dualStack: true, sshKeyName: 'ops' } });
    const [, rule] = Object.entries(resources(ssh, 'aws_vpc_security_group_ingress_rule')).find(([name]) =>
      name.startsWith('node-security-group_ssh-admin_'),
    )!;
    expect(rule.cidr_ipv6).toBe('${strcontains(each.value, ":") ? each.value : null}');
  });

  it('gives each server one IPv6 address', () => {
    expect(values(dual, 'aws_instance').map((i) => i.ipv6_address_count)).toEqual([1, 1, 1]);
    expect(values(ipv4, 'aws_instance').every((i) => i.ipv6_address_count === undefined)).toBe(true);
  });

  it('writes an AAAA alias beside the A alias, to the same load balancer', () => {
    const records = values(dual, 'aws_route53_record').filter((r) => r.name === '${var.rancher_hostname}');
    expect(records.map((r) => r.type).sort()).toEqual(['A', 'AAAA']);
    expect(records[0].alias).toEqual(records[1].alias);
    expect(values(ipv4, 'aws_route53_record').filter((r) => r.type === 'AAAA')).toEqual([]);
  });

  it('with TLS at the load balancer: the ALB is dual-stack too, and takes 80 and 443 from ::/0', () => {
    const json = synth({ ...DUAL, rancher: { tls: { mode: 'external', issuer: 'acme' } } });
    const albs = values(json, 'aws_lb');
    expect(albs.map((lb) => [lb.load_balancer_type, lb.ip_address_type]).sort()).toEqual([
      ['application', 'dualstack'],
      ['network', 'dualstack'],
    ]);
    const ingress = Object.entries(resources(json, 'aws_vpc_security_group_ingress_rule'));
    for (const port of [80, 443]) {
      expect(ingress.find(([name]) => name.startsWith(`application-load-balancer_ingress-${port}-ipv6_`))?.[1].cidr_ipv6).toBe('::/0');
    }
  });

  it('gives RKE2 dual-stack pod and service networks, IPv4 first, and waits for the IPv6 address before every start', () => {
    expect(serverConfig(dual, '/etc/rancher/rke2/config.yaml')).toEqual(
      expect.objectContaining({ 'cluster-cidr': '10.42.0.0/16,fd00:42::/56', 'service-cidr': '10.43.0.0/16,fd00:43::/112' }),
    );
    expect(serverConfig(ipv4, '/etc/rancher/rke2/config.yaml')).not.toHaveProperty('cluster-cidr');
    expect(writtenFiles(dual)).toEqual(expect.arrayContaining([WAIT_IPV6_PATH, ipv6DropInPath('rke2')]));
    expect(writtenFiles(ipv4)).not.toContain(WAIT_IPV6_PATH);
  });

  it('gives K3s the same networks and masquerades the pods’ IPv6 traffic leaving the node', () => {
    const json = synth({ ...DUAL, rkeHa: { dualStack: true, distribution: 'k3s' } });
    expect(serverConfig(json, '/etc/rancher/k3s/config.yaml')).toEqual(
      expect.objectContaining({
        'cluster-cidr': '10.42.0.0/16,fd00:42::/56',
        'service-cidr': '10.43.0.0/16,fd00:43::/112',
        'flannel-ipv6-masq': true,
      }),
    );
    expect(writtenFiles(json)).toEqual(expect.arrayContaining([WAIT_IPV6_PATH, ipv6DropInPath('k3s')]));
  });

  it('keeps the IPv6 pod and service networks off the proxy (NO_PROXY)', () => {
    const json = synth({ ...DUAL, proxy: { http: 'http://proxy.internal:3128' } });
    expect(userDataOf(json, values(json, 'aws_instance')[0])).toMatch(/NO_PROXY="[^"]*fd00:42::\/56,fd00:43::\/112/);
  });

  it('records the setting: a running deployment refuses turning it on or off', () => {
    for (const [json, value] of [
      [ipv4, 'false'],
      [dual, 'true'],
    ] as const) {
      const [name, record] = Object.entries(resources(json, 'terraform_data')).find(([n]) =>
        n.startsWith('deployment-guard_record-rkeHa-dualStack_'),
      )!;
      expect(record.input).toBe(value);
      const [guard] = Object.entries(resources(json, 'terraform_data')).filter(([n]) => /^deployment-guard_[0-9A-F]{8}$/.test(n));
      expect(guard[1].lifecycle.precondition).toContainEqual({
        condition: `\${terraform_data.${name}.output == "${value}"}`,
        error_message: expect.stringMatching(/^dualStack is "(true|false)", but this deployment was created with/),
      });
    }
  });

  it('with an existing network: refuses at plan time a VPC or subnet without an IPv6 block, and load balancer subnets without ::/0', () => {
    const json = synth({ ...DUAL, rkeHa: { dualStack: true, existingNetwork: { vpcId: VPC, loadBalancerSubnetIds: LB, nodeSubnetIds: NODES } } });
    const vpc = Object.values(dataSources(json, 'aws_vpc'))[0];
    expect(vpc.lifecycle.postcondition).toContainEqual({
      condition: '${self.ipv6_cidr_block != ""}',
      error_message: `The VPC ${VPC} has no IPv6 block, and ipv6 asks for a dual-stack network: associate one with the VPC (an Amazon-provided /56 or one of yours) and a /64 with each load balancer and node subnet, or leave ipv6 off.`,
    });
    const subnets = Object.entries(dataSources(json, 'aws_subnet'));
    const withIpv6Check = subnets.filter(([, s]) =>
      s.lifecycle.postcondition.some((p: { condition: string }) => p.condition === '${self.ipv6_cidr_block != ""}'),
    );
    expect(withIpv6Check.map(([name]) => name.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
      'network_load-balancer-subnet-0',
      'network_load-balancer-subnet-1',
      'network_load-balancer-subnet-2',
      'network_node-subnet-0',
      'network_node-subnet-1',
      'network_node-subnet-2',
    ]);
    const routes = Object.entries(dataSources(json, 'aws_route_table')).filter(([name]) => name.startsWith('network_load-balancer-subnet-'));
    for (const [, table] of routes) {
      expect(table.lifecycle.postcondition.map((p: { condition: string }) => p.condition)).toContainEqual(
        '${anytrue([for r in self.routes : r.ipv6_cidr_block == "::/0" && (try(startswith(r.gateway_id, "igw-"), false))])}',
      );
    }
    // The IPv4 existing network checks nothing of IPv6 (the same network, the stack variant the other files synthesize).
    const plain = synth(variantSettings('rke-ha existing network'));
    expect(JSON.stringify(plain)).not.toContain('ipv6_cidr_block');
  });
});

/** The random suffix cdktf gives a construct's address. */
function suffixOf(json: TerraformJson, prefix: string): string {
  const name = Object.keys(resources(json, 'aws_vpc_security_group_ingress_rule')).find((n) => n.startsWith(prefix));
  if (!name) throw new Error(`no rule ${prefix}`);
  return name.slice(prefix.length);
}

describe('rkeHa.dualStack: what it refuses, each naming the field', () => {
  const messages = (input: Record<string, unknown>) => settingsProblems(input).map((p) => `${p.field}: ${p.message}`);

  it.each([
    [
      'the sslip.io name (IPv4 only)',
      { rkeHa: { dualStack: true }, dns: { mode: 'wildcard' } },
      /^rkeHa\.dualStack: does not combine with dns\.mode wildcard/,
    ],
    [
      'DNS round robin',
      { ...SITE, rkeHa: { dualStack: true, loadBalancer: { type: 'dns' } } },
      /^rkeHa\.dualStack: is not offered with loadBalancer type dns/,
    ],
    [
      'closed egress without a proxy (the air-gapped path)',
      {
        ...SITE,
        rkeHa: { dualStack: true },
        proxy: { egressOnlyTo: ['10.9.0.0/24'] },
        airGap: {
          installerUrl: 'https://mirror.internal/install.sh',
          systemDefaultRegistry: 'registry.internal:5000',
          registryMirrors: { 'quay.io': ['https://registry.internal:5000'] },
        },
      },
      /^rkeHa\.dualStack: is not offered with closed egress without a proxy/,
    ],
    [
      'IPv6 admin networks without dualStack',
      { ...SITE, adminCidrs: ['fd12:3456::/32'] },
      /^adminCidrs: lists IPv6 networks \(fd12:3456::\/32\), which reach the admin ports only of a dual-stack deployment/,
    ],
    [
      'IPv6 admin networks where the docker host opens SSH to them',
      { ...SITE, adminCidrs: ['fd12:3456::/32'], rkeHa: { dualStack: true }, docker: { sshKeyName: 'ops' } },
      /^adminCidrs: lists IPv6 networks .*the docker host, which docker\.sshKeyName opens SSH on/,
    ],
    [
      'an IPv6 /0 admin network',
      { ...SITE, adminCidrs: ['::/0'], rkeHa: { dualStack: true } },
      /^adminCidrs\.0: admin ports must not be open to the whole internet/,
    ],
    [
      'IPv6 admin networks covering the whole IPv6 internet',
      { ...SITE, adminCidrs: ['::/1', '8000::/1'], rkeHa: { dualStack: true } },
      /^adminCidrs: these 2 blocks together cover the whole IPv6 internet/,
    ],
    [
      'a non-canonical IPv6 admin network',
      { ...SITE, adminCidrs: ['2001:DB8::/32'], rkeHa: { dualStack: true } },
      /^adminCidrs\.0: expected an IPv6 CIDR block in its canonical form/,
    ],
    ['IPv6 host bits', { ...SITE, adminCidrs: ['fd12:3456::1/32'], rkeHa: { dualStack: true } }, /^adminCidrs\.0: expected an IPv6 CIDR block/],
  ])('refuses %s', (_name, input, message) => {
    expect(messages(input)).toContainEqual(expect.stringMatching(message));
  });

  it('accepts dual-stack with TLS at the load balancer, K3s, private nodes, a proxy and IPv6 admin networks', () => {
    for (const input of [
      DUAL,
      { ...DUAL, rancher: { tls: { mode: 'external', issuer: 'acme' } } },
      { ...DUAL, rancher: { tls: { issuer: 'acme', acme: { email: 'ops@acme.io' } } } },
      { ...DUAL, rkeHa: { dualStack: true, distribution: 'k3s' } },
      { ...DUAL, rkeHa: { dualStack: true, privateNodes: true } },
      { ...DUAL, proxy: { http: 'http://proxy.internal:3128', egressOnlyTo: ['10.9.0.0/24'] } },
    ]) {
      expect(messages(input)).toEqual([]);
    }
  });
});
