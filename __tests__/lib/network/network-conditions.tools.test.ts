import { cidrsOverlap } from '../../../lib/config/cidr';
import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../../../lib/config/primitives';
import { PRIVATE_EGRESS_TARGETS, ROUTE_TARGETS, hasDefaultRoute, hostFits, outsideRanges } from '../../../lib/network/private/network-conditions';
import { fullRoute } from '../../helpers/plan-checks';
import { describeWithTerraform, evaluate } from '../../helpers/terraform';

/**
 * The expressions ExistingNetwork's checks are made of, evaluated by
 * terraform on sample values (no provider: the data sources' attributes are
 * given as literals), in one `terraform console` run per group.
 */

/** A route as `data.aws_route_table` returns it: every target attribute, "" when unset. */
const route = (cidr: string, target: Partial<Record<string, string>>) => fullRoute({ cidr_block: cidr, ...target });
const hcl = (value: unknown) => JSON.stringify(value);

describeWithTerraform('hasDefaultRoute, evaluated by terraform', () => {
  const publicCheck = (routes: unknown[]) => hasDefaultRoute(hcl(routes), [ROUTE_TARGETS.internetGateway]);
  const egressCheck = (routes: unknown[]) => hasDefaultRoute(hcl(routes), PRIVATE_EGRESS_TARGETS);
  const cases: [string, string, boolean][] = [
    ['public: 0.0.0.0/0 to an internet gateway', publicCheck([route('0.0.0.0/0', { gateway_id: 'igw-0123' })]), true],
    ['public: no routes at all (local routes are left out by the provider)', publicCheck([]), false],
    ['public: 0.0.0.0/0 to a NAT gateway is not public', publicCheck([route('0.0.0.0/0', { nat_gateway_id: 'nat-0123' })]), false],
    ['public: an internet gateway for another destination only', publicCheck([route('192.0.2.0/24', { gateway_id: 'igw-0123' })]), false],
    ['public: a virtual private gateway is not an internet gateway', publicCheck([route('0.0.0.0/0', { gateway_id: 'vgw-0123' })]), false],
    ['public: a null target attribute does not fail the check', publicCheck([{ cidr_block: '0.0.0.0/0', gateway_id: null }]), false],
    [
      'egress: a NAT gateway',
      egressCheck([route('10.1.0.0/16', { vpc_peering_connection_id: 'pcx-1' }), route('0.0.0.0/0', { nat_gateway_id: 'nat-0123' })]),
      true,
    ],
    ['egress: a transit gateway', egressCheck([route('0.0.0.0/0', { transit_gateway_id: 'tgw-0123' })]), true],
    ['egress: a firewall appliance (network interface)', egressCheck([route('0.0.0.0/0', { network_interface_id: 'eni-0123' })]), true],
    ['egress: a NAT instance', egressCheck([route('0.0.0.0/0', { instance_id: 'i-0123' })]), true],
    ['egress: a Cloud WAN core network', egressCheck([route('0.0.0.0/0', { core_network_arn: 'arn:aws:networkmanager::1:core-network/x' })]), true],
    ['egress: a virtual private gateway (on-premises egress)', egressCheck([route('0.0.0.0/0', { gateway_id: 'vgw-0123' })]), true],
    ['egress: a peering connection leads nowhere beyond the peer', egressCheck([route('0.0.0.0/0', { vpc_peering_connection_id: 'pcx-1' })]), false],
    ['egress: no default route', egressCheck([route('10.0.0.0/8', { transit_gateway_id: 'tgw-0123' })]), false],
    ['egress: null attributes', egressCheck([{ cidr_block: '0.0.0.0/0', nat_gateway_id: null, gateway_id: null }]), false],
  ];
  let results: boolean[] = [];
  beforeAll(() => {
    results = evaluate(`[${cases.map(([, expression]) => expression).join(', ')}]`) as boolean[];
  });
  it.each(cases.map(([name, , expected], i) => [name, expected, i] as const))('%s: %p', (_name, expected, i) => {
    expect(results[i]).toBe(expected);
  });
});

describeWithTerraform('outsideRanges, evaluated by terraform, agrees with the synth-time overlap test', () => {
  const reserved = [RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR];
  const samples = [
    '10.0.0.0/16',
    '10.0.0.0/8',
    '10.32.0.0/12',
    '10.40.0.0/15',
    '10.41.255.0/24',
    '10.42.0.0/24',
    '10.42.255.240/28',
    '10.43.128.0/17',
    '10.43.255.240/28',
    '10.44.0.0/24',
    '10.44.0.0/14',
    '172.31.0.0/20',
    '192.168.1.0/28',
    '0.0.0.0/0',
  ];
  it('for ranges inside, around, beside and far from 10.42.0.0/15', () => {
    const results = evaluate(`[${samples.map((cidr) => outsideRanges(hcl(cidr), reserved)).join(', ')}]`) as boolean[];
    expect(Object.fromEntries(samples.map((cidr, i) => [cidr, results[i]]))).toEqual(
      Object.fromEntries(samples.map((cidr) => [cidr, !reserved.some((range) => cidrsOverlap(cidr, range))])),
    );
  });
});

describeWithTerraform('hostFits, evaluated by terraform', () => {
  const cases: [string, number, boolean][] = [
    ['10.0.1.0/24', 10, true],
    ['10.0.1.0/28', 10, true],
    ['10.0.1.0/28', 14, true],
    // The last address of a subnet is AWS's (broadcast), like the first four.
    ['10.0.1.0/28', 15, false],
    ['10.0.1.0/29', 10, false],
    ['10.0.0.0/16', 65534, true],
  ];
  it('fits hosts 4 to size - 2 of a subnet, from /16 to /28', () => {
    const results = evaluate(`[${cases.map(([cidr, host]) => hostFits(hcl(cidr), host)).join(', ')}]`) as boolean[];
    expect(results).toEqual(cases.map(([, , fits]) => fits));
  });
});
