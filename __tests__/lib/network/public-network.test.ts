import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { PublicNetwork } from '../../../lib/network/public-network';
import { dataSources, only, ref, resources, synthConstruct } from '../../helpers/synth';

/** Stack with a relative state path: the implicit local backend would put this machine's absolute path in the snapshot. */
function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

describe('PublicNetwork', () => {
  let network!: PublicNetwork;
  const { json } = synth((stack) => {
    network = new PublicNetwork(stack, 'network', { cidr: '10.0.0.0/16', name: 'demo' });
  });
  const [vpcName, vpc] = only(json, 'aws_vpc');
  const [igwName, igw] = only(json, 'aws_internet_gateway');
  const [tableName, table] = only(json, 'aws_route_table');
  const [zonesName, zones] = Object.entries(dataSources(json, 'aws_availability_zones'))[0];
  const subnets = Object.entries(resources(json, 'aws_subnet')).sort(([, a], [, b]) =>
    a.cidr_block.localeCompare(b.cidr_block, 'en', { numeric: true }),
  );

  it('creates the VPC over the given range with DNS support', () => {
    expect(vpc).toMatchObject({ cidr_block: '10.0.0.0/16', enable_dns_support: true, enable_dns_hostnames: true, tags: { Name: 'demo' } });
  });

  it("adopts the VPC's default security group with no rules at all (FSBP EC2.2)", () => {
    const [, group] = only(json, 'aws_default_security_group');
    expect(group).toMatchObject({ vpc_id: ref('aws_vpc', vpcName, 'id'), ingress: [], egress: [] });
  });

  it('looks up the available, non opt-in zones', () => {
    expect(Object.keys(dataSources(json, 'aws_availability_zones'))).toHaveLength(1);
    expect(zones).toMatchObject({ state: 'available', filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] });
  });

  it('carves three /20 subnets, one per zone, in order', () => {
    expect(subnets.map(([, s]) => s.cidr_block)).toEqual(['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20']);
    subnets.forEach(([, subnet], i) => {
      expect(subnet.availability_zone).toBe(`\${element(data.aws_availability_zones.${zonesName}.names, ${i})}`);
      expect(subnet.vpc_id).toBe(ref('aws_vpc', vpcName, 'id'));
      // Instances that need a public address ask for it (FSBP EC2.15).
      expect(subnet.map_public_ip_on_launch).toBe(false);
      expect(subnet.tags).toEqual({ Name: `demo-public-${i}` });
      expect(subnet.lifecycle).toEqual({ ignore_changes: ['availability_zone'] });
    });
  });

  it('exposes literal subnet CIDRs for address planning', () => {
    expect(network.subnets.map((s) => s.cidr)).toEqual(['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20']);
  });

  it('routes 0.0.0.0/0 to the internet gateway of the VPC', () => {
    expect(igw.vpc_id).toBe(ref('aws_vpc', vpcName, 'id'));
    expect(table.vpc_id).toBe(ref('aws_vpc', vpcName, 'id'));
    const [, route] = only(json, 'aws_route');
    expect(route).toMatchObject({
      route_table_id: ref('aws_route_table', tableName, 'id'),
      destination_cidr_block: '0.0.0.0/0',
      gateway_id: ref('aws_internet_gateway', igwName, 'id'),
    });
  });

  it('associates every subnet with the public route table', () => {
    const associations = Object.values(resources(json, 'aws_route_table_association'));
    expect(associations).toHaveLength(3);
    expect(associations.map((a) => a.route_table_id)).toEqual(Array(3).fill(ref('aws_route_table', tableName, 'id')));
    expect(associations.map((a) => a.subnet_id).sort()).toEqual(subnets.map(([name]) => ref('aws_subnet', name, 'id')).sort());
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('PublicNetwork zoneCount', () => {
  const { json } = synth((stack) => {
    new PublicNetwork(stack, 'two', { cidr: '172.16.0.0/20', name: 'two', zoneCount: 2 });
  });

  it('creates one subnet and association per zone, sixteenths of the range', () => {
    const subnets = Object.values(resources(json, 'aws_subnet')).sort((a, b) => a.cidr_block.localeCompare(b.cidr_block, 'en', { numeric: true }));
    expect(subnets.map((s) => s.cidr_block)).toEqual(['172.16.0.0/24', '172.16.1.0/24']);
    expect(subnets.map((s) => s.availability_zone)).toEqual([
      expect.stringMatching(/^\$\{element\(data\.aws_availability_zones\.\S+\.names, 0\)\}$/),
      expect.stringMatching(/^\$\{element\(data\.aws_availability_zones\.\S+\.names, 1\)\}$/),
    ]);
    expect(Object.keys(resources(json, 'aws_route_table_association'))).toHaveLength(2);
  });

  it('refuses more zones than sixteenths', () => {
    expect(() => synth((stack) => new PublicNetwork(stack, 'n', { cidr: '10.0.0.0/16', name: 'n', zoneCount: 17 }))).toThrow(
      /cannot carve subnet 16/,
    );
  });
});
