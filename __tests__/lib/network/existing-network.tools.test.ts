import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedChecks, failedChecksEach, type NetworkFacts } from '../../helpers/plan-checks';
import { DB, LB, NODES, VPC } from '../../helpers/sample-network';
import type { TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, terraformIn } from '../../helpers/terraform';
import { props, synth } from './existing-network.setup';

/** A healthy network: public subnets on the main table (an internet gateway), private node subnets behind NAT. */
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const HEALTHY: NetworkFacts = {
  vpc: { id: VPC, cidr_block: '10.1.0.0/16', enable_dns_support: true, main_route_table_id: 'rtb-main' },
  subnets: {
    ...Object.fromEntries(
      LB.map((id, i) => [id, { vpc_id: VPC, cidr_block: `10.1.${i}.0/24`, availability_zone: ZONES[i], map_public_ip_on_launch: true }]),
    ),
    ...Object.fromEntries(
      NODES.map((id, i) => [
        id,
        { vpc_id: VPC, cidr_block: `10.1.${16 + i * 16}.0/20`, availability_zone: ZONES[i], map_public_ip_on_launch: false },
      ]),
    ),
    ...Object.fromEntries(
      DB.map((id, i) => [id, { vpc_id: VPC, cidr_block: `10.1.${100 + i}.0/24`, availability_zone: ZONES[i], map_public_ip_on_launch: false }]),
    ),
  },
  associations: Object.fromEntries(NODES.map((id, i) => [id, `rtb-private-${i}`])),
  routeTables: {
    'rtb-main': [{ cidr_block: '0.0.0.0/0', gateway_id: 'igw-0123' }],
    ...Object.fromEntries(NODES.map((_, i) => [`rtb-private-${i}`, [{ cidr_block: '0.0.0.0/0', nat_gateway_id: `nat-${i}` }]])),
  },
};

/** The facts with one subnet's attributes changed. */
const withSubnet = (facts: NetworkFacts, id: string, change: Partial<NetworkFacts['subnets'][string]>): NetworkFacts => ({
  ...facts,
  subnets: { ...facts.subnets, [id]: { ...facts.subnets[id], ...change } },
});

/** The default network, for both describes below. */
const DEFAULT = synth();

describeWithTerraform('ExistingNetwork: the plan-time checks, evaluated by terraform on sample networks', () => {
  const { json } = DEFAULT;
  const NETWORK_CHECKS = { resources: (name: string) => name.startsWith('network_checks') };
  const fails = (facts: NetworkFacts, j: TerraformJson = json) => failedChecks(j, facts, NETWORK_CHECKS).map((f) => f.message);

  it('passes a healthy network (public subnets on the main table, private node subnets behind NAT)', () => {
    expect(fails(HEALTHY)).toEqual([]);
  });

  const cases: [string, NetworkFacts, string | string[]][] = [
    ['DNS resolution off', { ...HEALTHY, vpc: { ...HEALTHY.vpc, enable_dns_support: false } }, `The VPC ${VPC} has DNS resolution turned off`],
    [
      'a subnet of another VPC',
      withSubnet(HEALTHY, NODES[1], { vpc_id: 'vpc-0fffffffffffffff0' }),
      `${NODES[1]} (node subnet 1) is in vpc-0fffffffffffffff0, not in the VPC ${VPC}.`,
    ],
    [
      "a subnet inside RKE2's pod network",
      withSubnet(HEALTHY, DB[0], { cidr_block: '10.42.7.0/24' }),
      `${DB[0]} (datastore subnet 0) is 10.42.7.0/24, which overlaps 10.42.0.0/16 or 10.43.0.0/16`,
    ],
    [
      'a node subnet too small for host 10',
      withSubnet(HEALTHY, NODES[2], { cidr_block: '10.1.200.0/29' }),
      `${NODES[2]} (node subnet 2) is 10.1.200.0/29, which has no usable host 10 (hostNumber; AWS keeps the last address): use a larger subnet or a smaller hostNumber.`,
    ],
    [
      'a load balancer subnet with an explicit table and no internet gateway',
      { ...HEALTHY, associations: { ...HEALTHY.associations, [LB[1]]: 'rtb-private-1' } },
      `${LB[1]} (load balancer subnet 1) is not public: its route table rtb-private-1 sends 0.0.0.0/0 to no internet gateway`,
    ],
    [
      'a private node subnet on a main table without a default route',
      {
        ...HEALTHY,
        associations: { ...Object.fromEntries(LB.map((id) => [id, 'rtb-public'])), [NODES[1]]: 'rtb-private-1', [NODES[2]]: 'rtb-private-2' },
        routeTables: { ...HEALTHY.routeTables, 'rtb-public': HEALTHY.routeTables['rtb-main'], 'rtb-main': [] },
      },
      `${NODES[0]} (node subnet 0) gives the servers no way out: its route table rtb-main sends 0.0.0.0/0 to no NAT`,
    ],
    [
      'a node subnet routed to an internet gateway without public addresses on launch',
      { ...HEALTHY, associations: { [NODES[1]]: 'rtb-private-1', [NODES[2]]: 'rtb-private-2' } },
      'nor to an internet gateway with public addresses on launch (map_public_ip_on_launch is false)',
    ],
    [
      'two load balancer subnets in one zone',
      withSubnet(HEALTHY, LB[2], { availability_zone: ZONES[0] }),
      [
        'Two load balancer subnets share a zone (zones ["eu-west-1a","eu-west-1b","eu-west-1a"], in loadBalancerSubnetIds\' order); a load balancer takes one subnet per zone.',
        // And so the third server's zone has none.
        'The node subnets put servers in zones ["eu-west-1c"] where no load balancer subnet is; a load balancer sends nothing to targets in a zone it is not in. Add a public subnet of that zone to loadBalancerSubnetIds.',
      ],
    ],
    [
      'two servers in one zone',
      withSubnet(HEALTHY, NODES[1], { availability_zone: ZONES[0] }),
      'Two node subnets share a zone (zones ["eu-west-1a","eu-west-1a","eu-west-1c"], in nodeSubnetIds\' order)',
    ],
    [
      'a server in a zone the load balancer is not in',
      withSubnet(HEALTHY, NODES[2], { availability_zone: 'eu-west-1d' }),
      'The node subnets put servers in zones ["eu-west-1d"] where no load balancer subnet is',
    ],
    [
      'the datastore in one zone',
      withSubnet(HEALTHY, DB[1], { availability_zone: ZONES[0] }),
      'The datastore subnets span the zones ["eu-west-1a"]; an RDS subnet group needs subnets in at least two zones.',
    ],
  ];
  let results: string[][] = [];
  beforeAll(() => {
    // One terraform run for every case.
    results = failedChecksEach(
      json,
      cases.map(([, facts]) => facts),
      NETWORK_CHECKS,
    ).map((failed) => failed.map((f) => f.message));
  });
  it.each(cases.map(([name, , messages], i) => [name, [messages].flat(), i] as const))('refuses %s: %j', (_name, messages, i) => {
    expect(results[i]).toEqual(messages.map((m) => expect.stringContaining(m)));
  });

  it('takes a public node subnet with public addresses on launch, and anything with a proxy or a mirror', () => {
    const publicNodes: NetworkFacts = { ...HEALTHY, associations: {} };
    // Node subnets on the main table (internet gateway): public nodes need an address at launch.
    expect(fails(publicNodes).some((m) => m.includes('map_public_ip_on_launch is false'))).toBe(true);
    const withAddresses = NODES.reduce((facts, id) => withSubnet(facts, id, { map_public_ip_on_launch: true }), publicNodes);
    expect(fails(withAddresses)).toEqual([]);
    const isolated: NetworkFacts = {
      ...HEALTHY,
      routeTables: { ...HEALTHY.routeTables, 'rtb-private-0': [], 'rtb-private-1': [], 'rtb-private-2': [] },
    };
    expect(fails(isolated)).toHaveLength(3);
    expect(fails(isolated, synth(props({ nodeEgress: 'provided' })).json)).toEqual([]);
  });

  it('elastic-ip nodes (docker) need the internet gateway, not public addresses on launch', () => {
    const dockerish = synth(props({ loadBalancerSubnetIds: [], nodeSubnetIds: [LB[0]], datastoreSubnetIds: [], nodeEgress: 'elastic-ip' })).json;
    expect(fails(withSubnet(HEALTHY, LB[0], { map_public_ip_on_launch: false }), dockerish)).toEqual([]);
    expect(fails({ ...HEALTHY, associations: { [LB[0]]: 'rtb-private-0' } }, dockerish)).toEqual([
      `${LB[0]} (node subnet 0) is not public: its route table rtb-private-0 sends 0.0.0.0/0 to no internet gateway, and the host's Elastic IP needs one. Use a public subnet.`,
    ]);
  });

  it('dual-stack (ipv6): refuses a VPC or subnet without an IPv6 block and a load balancer subnet without ::/0, saying ipv6', () => {
    const dual = synth(props({ ipv6: true })).json;
    const v6 = (i: number) => `2600:1f18:abc:${i}::/64`;
    const ready: NetworkFacts = {
      ...HEALTHY,
      vpc: { ...HEALTHY.vpc, ipv6_cidr_block: '2600:1f18:abc::/56' },
      subnets: Object.fromEntries(Object.entries(HEALTHY.subnets).map(([id, s], i) => [id, { ...s, ipv6_cidr_block: DB.includes(id) ? '' : v6(i) }])),
      routeTables: {
        ...HEALTHY.routeTables,
        'rtb-main': [...HEALTHY.routeTables['rtb-main'], { cidr_block: '', ipv6_cidr_block: '::/0', gateway_id: 'igw-0123' }],
      },
    };
    expect(fails(ready, dual)).toEqual([]);
    expect(fails({ ...ready, vpc: { ...ready.vpc, ipv6_cidr_block: '' } }, dual)).toEqual([
      `The VPC ${VPC} has no IPv6 block, and ipv6 asks for a dual-stack network: associate one with the VPC (an Amazon-provided /56 or one of yours) and a /64 with each load balancer and node subnet, or leave ipv6 off.`,
    ]);
    expect(fails(withSubnet(ready, NODES[2], { ipv6_cidr_block: '' }), dual)).toEqual([
      `${NODES[2]} (node subnet 2) has no IPv6 block, and ipv6 asks for a dual-stack network: associate a /64 of the VPC's IPv6 block with it, or leave ipv6 off.`,
    ]);
    expect(fails({ ...ready, routeTables: { ...ready.routeTables, 'rtb-main': HEALTHY.routeTables['rtb-main'] } }, dual)).toEqual(
      LB.map(
        (id, i) =>
          `${id} (load balancer subnet ${i}): its route table rtb-main sends ::/0 to no internet gateway, so a dual-stack load balancer there (ipv6) is unreachable over IPv6. Route ::/0 to the internet gateway, or leave ipv6 off.`,
      ),
    );
  });
});

/**
 * Where Terraform runs a data source's postcondition: it stops a plan, but the
 * refresh before a destroy only warns (hashicorp/terraform#32208), so a
 * network that fails its checks later never blocks taking the deployment down.
 * Shown with the built-in `terraform_remote_state` data source and local
 * state (no provider download).
 */
describeWithTerraform('a failed data-source postcondition, with a real terraform', () => {
  const terraform = (dir: string, ...args: string[]) => terraformIn(dir, ...args, '-input=false');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'postcondition-'));
    writeFileSync(
      join(dir, 'network.tfstate'),
      JSON.stringify({
        version: 4,
        terraform_version: '1.10.0',
        serial: 1,
        lineage: 'x',
        outputs: { public: { value: false, type: 'bool' } },
        resources: [],
      }),
    );
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        variable: { checked: { type: 'bool', default: false } },
        data: {
          terraform_remote_state: {
            network: {
              backend: 'local',
              config: { path: 'network.tfstate' },
              lifecycle: { postcondition: [{ condition: '${self.outputs.public || !var.checked}', error_message: 'the subnet is not public' }] },
            },
          },
        },
        resource: { terraform_data: { node: { input: '${data.terraform_remote_state.network.outputs.public}' } } },
      }),
    );
    expect(terraform(dir, 'init').status).toBe(0);
    expect(terraform(dir, 'apply', '-auto-approve').status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops the plan', () => {
    const plan = terraform(dir, 'plan', '-var', 'checked=true');
    expect(plan.status).toBe(1);
    expect(plan.output).toContain('the subnet is not public');
  });

  it('does not stop a destroy', () => {
    const destroy = terraform(dir, 'destroy', '-auto-approve', '-var', 'checked=true');
    expect(destroy.output).toContain('Destroy complete! Resources: 1 destroyed.');
    expect(destroy.status).toBe(0);
  });
});
