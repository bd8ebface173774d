import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { PRIVATE_SUBNET_OFFSET, PrivateSubnets, type PrivateSubnetsProps } from '../../../lib/network/private-subnets';
import { PublicNetwork } from '../../../lib/network/public-network';
import { ref, resources, synthConstruct, type TerraformJson } from '../../helpers/synth';

/** A PublicNetwork (demo, 10.0.0.0/16, 3 zones) with private subnets beside it. */
function synth(props: Omit<PrivateSubnetsProps, 'network' | 'name'> = {}, cidr = '10.0.0.0/16') {
  let privateSubnets!: PrivateSubnets;
  const { json } = synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const network = new PublicNetwork(stack, 'network', { cidr, name: 'demo' });
    privateSubnets = new PrivateSubnets(stack, 'private', { network, name: 'demo', ...props });
  });
  return { json, privateSubnets };
}

/** Resources of a type created by the PrivateSubnets construct (path test/private/...), keyed by construct id. */
function own(json: TerraformJson, type: string): Record<string, [string, any]> {
  const out: Record<string, [string, any]> = {};
  for (const [name, body] of Object.entries(resources(json, type))) {
    const path: string = body['//'].metadata.path;
    if (path.startsWith('test/private/')) out[path.slice('test/private/'.length)] = [name, body];
  }
  return out;
}

/** Logical name of a PublicNetwork resource by its construct id. */
function publicName(json: TerraformJson, type: string, id: string): string {
  const entry = Object.entries(resources(json, type)).find(([, body]) => body['//'].metadata.path === `test/network/${id}`);
  if (!entry) throw new Error(`no ${type} at test/network/${id}`);
  return entry[0];
}

/** The public network's internet gateway, default route and route table associations, as depends_on entries. */
function internetAccess(json: TerraformJson): string[] {
  return [
    `aws_internet_gateway.${publicName(json, 'aws_internet_gateway', 'igw')}`,
    `aws_route.${publicName(json, 'aws_route', 'default-route')}`,
    ...[0, 1, 2].map((i) => `aws_route_table_association.${publicName(json, 'aws_route_table_association', `public-${i}-routes`)}`),
  ];
}

/** For each private subnet i: the NAT gateway construct id its default route targets, or null without a route. */
function routeTargets(json: TerraformJson): (string | null)[] {
  const subnets = own(json, 'aws_subnet');
  const tables = own(json, 'aws_route_table');
  const routes = Object.values(own(json, 'aws_route'));
  const associations = Object.values(own(json, 'aws_route_table_association'));
  const gateways = own(json, 'aws_nat_gateway');
  return [0, 1, 2].map((i) => {
    const [subnetName] = subnets[`private-${i}`];
    const association = associations.find(([, a]) => a.subnet_id === ref('aws_subnet', subnetName, 'id'));
    if (!association) throw new Error(`private-${i} has no route table association`);
    const tableRef = association[1].route_table_id;
    const [tableName] = tables[`private-${i}-routes`];
    expect(tableRef).toBe(ref('aws_route_table', tableName, 'id'));
    const defaults = routes.filter(([, r]) => r.route_table_id === tableRef);
    if (defaults.length === 0) return null;
    expect(defaults).toHaveLength(1);
    const [, route] = defaults[0];
    expect(route.destination_cidr_block).toBe('0.0.0.0/0');
    expect(route).not.toHaveProperty('gateway_id');
    const target = Object.entries(gateways).find(([, [name]]) => route.nat_gateway_id === ref('aws_nat_gateway', name, 'id'));
    if (!target) throw new Error(`route of private-${i} targets ${route.nat_gateway_id}`);
    return target[0];
  });
}

describe('PrivateSubnets (per-zone NAT, default)', () => {
  const { json, privateSubnets } = synth();
  const subnets = own(json, 'aws_subnet');
  const gateways = own(json, 'aws_nat_gateway');
  const addresses = own(json, 'aws_eip');

  it('carves /20 subnets from sixteenth 8 on, in zone order', () => {
    expect(PRIVATE_SUBNET_OFFSET).toBe(8);
    expect([0, 1, 2].map((i) => subnets[`private-${i}`][1].cidr_block)).toEqual(['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20']);
    expect(privateSubnets.subnets.map((s) => s.cidr)).toEqual(['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20']);
  });

  it('puts each subnet in the VPC, in the zone of the public subnet with the same index, without public IPs', () => {
    const vpc = publicName(json, 'aws_vpc', 'vpc');
    [0, 1, 2].forEach((i) => {
      const [, subnet] = subnets[`private-${i}`];
      expect(subnet).toMatchObject({
        vpc_id: ref('aws_vpc', vpc, 'id'),
        availability_zone: ref('aws_subnet', publicName(json, 'aws_subnet', `public-${i}`), 'availability_zone'),
        map_public_ip_on_launch: false,
        tags: { Name: `demo-private-${i}` },
      });
    });
  });

  it('exposes each subnet id, literal CIDR and zone', () => {
    privateSubnets.subnets.forEach((s, i) => {
      expect(s.id).toMatch(/^\$\{TfToken\[/);
      expect(s.availabilityZone).toMatch(/^\$\{TfToken\[/);
      expect(s.cidr).toBe(subnets[`private-${i}`][1].cidr_block);
    });
  });

  it('creates one NAT gateway with its own Elastic IP in each public subnet', () => {
    expect(Object.keys(gateways).sort()).toEqual(['nat-0', 'nat-1', 'nat-2']);
    expect(Object.keys(addresses).sort()).toEqual(['nat-0-address', 'nat-1-address', 'nat-2-address']);
    [0, 1, 2].forEach((i) => {
      const [eipName, eip] = addresses[`nat-${i}-address`];
      expect(eip).toMatchObject({ domain: 'vpc', tags: { Name: `demo-nat-${i}` } });
      expect(gateways[`nat-${i}`][1]).toMatchObject({
        allocation_id: ref('aws_eip', eipName, 'id'),
        subnet_id: ref('aws_subnet', publicName(json, 'aws_subnet', `public-${i}`), 'id'),
        tags: { Name: `demo-nat-${i}` },
      });
    });
  });

  it('makes every NAT gateway wait for the internet gateway, default route and public associations', () => {
    for (const [, gateway] of Object.values(gateways)) expect(gateway.depends_on).toEqual(internetAccess(json));
  });

  it("routes each subnet's 0.0.0.0/0 through the NAT gateway of its own zone", () => {
    expect(routeTargets(json)).toEqual(['nat-0', 'nat-1', 'nat-2']);
  });

  it('gives each subnet a route table of its own in the VPC', () => {
    const vpc = publicName(json, 'aws_vpc', 'vpc');
    const tables = own(json, 'aws_route_table');
    expect(Object.keys(tables).sort()).toEqual(['private-0-routes', 'private-1-routes', 'private-2-routes']);
    [0, 1, 2].forEach((i) =>
      expect(tables[`private-${i}-routes`][1]).toMatchObject({ vpc_id: ref('aws_vpc', vpc, 'id'), tags: { Name: `demo-private-${i}` } }),
    );
    expect(Object.keys(own(json, 'aws_route_table_association'))).toHaveLength(3);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('PrivateSubnets (single NAT)', () => {
  const { json } = synth({ natGateways: 'single' });
  const gateways = own(json, 'aws_nat_gateway');

  it('creates one NAT gateway, in the first public subnet, after the internet access', () => {
    expect(Object.keys(gateways)).toEqual(['nat-0']);
    expect(Object.keys(own(json, 'aws_eip'))).toEqual(['nat-0-address']);
    expect(gateways['nat-0'][1].subnet_id).toBe(ref('aws_subnet', publicName(json, 'aws_subnet', 'public-0'), 'id'));
    expect(gateways['nat-0'][1].depends_on).toEqual(internetAccess(json));
  });

  it('routes every subnet through that one gateway', () => {
    expect(routeTargets(json)).toEqual(['nat-0', 'nat-0', 'nat-0']);
  });

  it('keeps the same subnets as per-zone', () => {
    expect([0, 1, 2].map((i) => own(json, 'aws_subnet')[`private-${i}`][1].cidr_block)).toEqual(['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20']);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('PrivateSubnets (no NAT, custom offset: isolated subnets)', () => {
  const { json, privateSubnets } = synth({ natGateways: 'none', offset: 12 });

  it('creates no NAT gateway, Elastic IP or route', () => {
    expect(own(json, 'aws_nat_gateway')).toEqual({});
    expect(own(json, 'aws_eip')).toEqual({});
    expect(own(json, 'aws_route')).toEqual({});
  });

  it('still associates each subnet with a route table of its own (local routes only)', () => {
    expect(routeTargets(json)).toEqual([null, null, null]);
  });

  it('carves the subnets from the given sixteenth', () => {
    expect(privateSubnets.subnets.map((s) => s.cidr)).toEqual(['10.0.192.0/20', '10.0.208.0/20', '10.0.224.0/20']);
    expect([0, 1, 2].map((i) => own(json, 'aws_subnet')[`private-${i}`][1].cidr_block)).toEqual(['10.0.192.0/20', '10.0.208.0/20', '10.0.224.0/20']);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('PrivateSubnets offsets in a smaller VPC', () => {
  it('scales with the VPC range (a /22 gives /26 sixteenths)', () => {
    expect(synth({}, '10.1.0.0/22').privateSubnets.subnets.map((s) => s.cidr)).toEqual(['10.1.2.0/26', '10.1.2.64/26', '10.1.2.128/26']);
  });

  it('refuses an offset that runs past the sixteenth sixteenth', () => {
    expect(() => synth({ offset: 14 })).toThrow(/cannot carve subnet 16/);
  });
});
