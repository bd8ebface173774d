import type { NodeEgress } from '../../../lib/network/existing-network';
import { DB, LB, NODES, VPC } from '../../helpers/sample-network';
import type { TerraformJson } from '../../helpers/synth';
import { props, synth } from './existing-network.setup';

/** The default network, for both describes below. */
const DEFAULT = synth();

describe('ExistingNetwork: what it synthesizes', () => {
  const { json } = DEFAULT;

  it('creates nothing in AWS: data sources, and one terraform_data holding the zone checks', () => {
    expect(Object.keys(json.resource)).toEqual(['terraform_data']);
    expect(Object.keys(json.data!).sort()).toEqual(['aws_route_table', 'aws_route_tables', 'aws_subnet', 'aws_vpc']);
    expect(
      Object.values(json.data!.aws_subnet)
        .map((s) => s.id)
        .sort(),
    ).toEqual([...LB, ...NODES, ...DB].sort());
    expect(Object.values(json.data!.aws_vpc).map((v) => v.id)).toEqual([VPC]);
  });

  it('finds a route table without aws_route_table by subnet_id: the explicit association, else the main table', () => {
    const tables = Object.values(json.data!.aws_route_table);
    // Load balancer subnets (public check) and node subnets (egress check); the datastore's need no route.
    expect(tables).toHaveLength(6);
    for (const table of tables) {
      expect(table).not.toHaveProperty('subnet_id');
      expect(table.route_table_id).toMatch(
        /^\$\{length\(data\.aws_route_tables\.[^)]+\.ids\) > 0 \? data\.aws_route_tables\.[^ ]+\.ids\[0\] : data\.aws_vpc\.[^ ]+\.main_route_table_id\}$/,
      );
    }
    for (const probe of Object.values(json.data!.aws_route_tables)) {
      expect(probe.vpc_id).toBe(VPC);
      expect(probe.filter).toEqual([{ name: 'association.subnet-id', values: [expect.stringMatching(/^\$\{data\.aws_subnet\.[^.]+\.id\}$/)] }]);
    }
  });

  it('exposes subnets as Terraform expressions of the data sources, and the ranges the nodes reach directly', () => {
    const shape = json.output!.shape.value;
    expect(shape.vpc).toMatch(/^\$\{data\.aws_vpc\.network_vpc_[0-9A-F]+\.id\}$/);
    expect(shape.subnets).toHaveLength(3);
    expect(shape.nodes[0]).toEqual({
      id: expect.stringMatching(/^\$\{data\.aws_subnet\.network_node-subnet-0_\w+\.id\}$/),
      cidr: expect.stringMatching(/^\$\{data\.aws_subnet\.network_node-subnet-0_\w+\.cidr_block\}$/),
      availabilityZone: expect.stringMatching(/^\$\{data\.aws_subnet\.network_node-subnet-0_\w+\.availability_zone\}$/),
    });
    // The VPC's primary range and the node and datastore subnets (fixed for their lifetime), not the load balancers'.
    expect(shape.direct).toMatch(
      /^\$\{distinct\(\[data\.aws_vpc\.[^,]+\.cidr_block(, data\.aws_subnet\.network_(node|datastore)-subnet-\d_\w+\.cidr_block){5}\]\)\}$/,
    );
  });

  it.each<[NodeEgress, number]>([
    ['own', 6],
    ['elastic-ip', 6],
    ['provided', 3],
  ])('node egress %s: %p route tables checked', (egress, tables) => {
    expect(Object.keys(synth(props({ nodeEgress: egress })).json.data!.aws_route_table)).toHaveLength(tables);
  });

  it('puts no zone check where there is nothing to compare (one subnet, no load balancer)', () => {
    const { json: single, network } = synth(
      props({ loadBalancerSubnetIds: [], nodeSubnetIds: [NODES[0]], datastoreSubnetIds: [], nodeEgress: 'elastic-ip' }),
    );
    expect(single.resource ?? {}).toEqual({});
    expect(network.checks).toBeUndefined();
    // The Elastic IP waits for the internet gateway its subnet's route was checked for.
    expect(network.internetAccess).toHaveLength(1);
  });
});

describe("ExistingNetwork's messages: its own words, whoever builds it", () => {
  /** Every data source's postcondition and the zone checks' preconditions, by the address Terraform names beside them. */
  const messages = (json: TerraformJson): [string, string][] => [
    ...Object.entries(json.data ?? {}).flatMap(([type, blocks]) =>
      Object.entries(blocks).flatMap(([name, block]) =>
        ((block as any).lifecycle?.postcondition ?? []).map((p: any): [string, string] => [`data.${type}.${name}`, p.error_message]),
      ),
    ),
    ...Object.entries(json.resource.terraform_data ?? {}).flatMap(([name, block]) =>
      ((block as any).lifecycle?.precondition ?? []).map((p: any): [string, string] => [`terraform_data.${name}`, p.error_message]),
    ),
  ];
  const all = messages(synth(props({ ipv6: true })).json);

  it('names the VPC and each subnet by its id and its role, the role the data source Terraform names beside it', () => {
    expect(all.length).toBeGreaterThan(20);
    for (const [address, message] of all) {
      const subnet = /^data\.aws_(?:subnet|route_table)\.network_(load-balancer|node|datastore)-subnet-(\d)(?:-routes)?_/.exec(address);
      if (subnet) {
        const [, role, i] = subnet;
        const id = { 'load-balancer': LB, node: NODES, datastore: DB }[role as 'node'][Number(i)];
        expect(message.startsWith(`${id} (${role.replace('-', ' ')} subnet ${i})`)).toBe(true);
      } else if (address.startsWith('data.aws_vpc.')) expect(message.startsWith(`The VPC ${VPC} `)).toBe(true);
      else expect(message).toMatch(/^(Two (load balancer|node) subnets share a zone|The (node|datastore) subnets) /);
    }
  });

  it("says the remedy in its props' terms (ipv6, hostNumber, nodeEgress, the lists) and names no caller's setting", () => {
    const text = all.map(([, message]) => message);
    expect(text.filter((m) => m.includes('no IPv6 block'))).toHaveLength(7);
    for (const m of text.filter((m) => /IPv6|::\/0/.test(m))) expect(m).toMatch(/, or leave ipv6 off\.$/);
    expect(text).toContainEqual(
      expect.stringMatching(/which has no usable host 10 \(hostNumber; .*: use a larger subnet or a smaller hostNumber\.$/),
    );
    expect(text).toContainEqual(
      expect.stringMatching(/give the subnet egress, or set nodeEgress to 'provided' where a proxy or a mirror carries them\.$/),
    );
    expect(text).toContainEqual(expect.stringMatching(/Add a public subnet of that zone to loadBalancerSubnetIds\.$/));
    // Neither a settings file's path nor a prop of the deployment constructs that build it.
    for (const m of text) expect(m).not.toMatch(/rkeHa|docker\.|existingNetwork|dualStack|nodeHostNumber|subnetId\b|proxy\.http|airGap/);
  });
});
