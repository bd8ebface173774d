import type { NetworkFacts } from './plan-checks';

/**
 * A sample existing network for the stack tests: what the network's data
 * sources would read from AWS (plan-checks.ts evaluates the checks on it).
 */

export const VPC = 'vpc-0123456789abcdef0';
export const LB = ['subnet-0a000000000000001', 'subnet-0a000000000000002', 'subnet-0a000000000000003'];
export const NODES = ['subnet-0b000000000000001', 'subnet-0b000000000000002', 'subnet-0b000000000000003'];
/** Spare private subnets in the servers' zones, for moves. */
export const SPARE = ['subnet-0d000000000000001', 'subnet-0d000000000000002', 'subnet-0d000000000000003'];
export const DB = ['subnet-0c000000000000001', 'subnet-0c000000000000002'];
export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A shared VPC: public subnets on the main table, private node subnets behind NAT gateways, an isolated database pair. */
export const NETWORK: NetworkFacts = {
  vpc: { id: VPC, cidr_block: '10.20.0.0/16', enable_dns_support: true, main_route_table_id: 'rtb-main' },
  subnets: {
    ...Object.fromEntries(
      LB.map((id, i) => [id, { vpc_id: VPC, cidr_block: `10.20.${i}.0/24`, availability_zone: ZONES[i], map_public_ip_on_launch: true }]),
    ),
    ...Object.fromEntries(
      NODES.map((id, i) => [
        id,
        { vpc_id: VPC, cidr_block: `10.20.${16 * (i + 1)}.0/20`, availability_zone: ZONES[i], map_public_ip_on_launch: false },
      ]),
    ),
    ...Object.fromEntries(
      DB.map((id, i) => [id, { vpc_id: VPC, cidr_block: `10.20.${200 + i}.0/24`, availability_zone: ZONES[i], map_public_ip_on_launch: false }]),
    ),
    ...Object.fromEntries(
      SPARE.map((id, i) => [
        id,
        { vpc_id: VPC, cidr_block: `10.20.${128 + 16 * i}.0/20`, availability_zone: ZONES[i], map_public_ip_on_launch: false },
      ]),
    ),
  },
  associations: Object.fromEntries([...NODES, ...DB, ...SPARE].map((id, i) => [id, `rtb-private-${i % 3}`])),
  routeTables: {
    'rtb-main': [{ cidr_block: '0.0.0.0/0', gateway_id: 'igw-0123' }],
    ...Object.fromEntries([0, 1, 2].map((i) => [`rtb-private-${i}`, [{ cidr_block: '0.0.0.0/0', nat_gateway_id: `nat-${i}` }]])),
  },
};
