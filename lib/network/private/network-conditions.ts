import { parseCidr } from '../../config/cidr';

/**
 * Terraform expressions for the plan-time checks of an existing network
 * (ExistingNetwork's pre- and postconditions), as plain text so the tests
 * can evaluate them with `terraform console` on sample values.
 *
 * Route objects of `data.aws_route_table` (AWS provider 6.x) carry every
 * target attribute, "" when unset; `try` keeps a null from failing a check.
 */

/** What a 0.0.0.0/0 route may lead to, as a condition on a route `r`. */
export const ROUTE_TARGETS = {
  internetGateway: 'try(startswith(r.gateway_id, "igw-"), false)',
  natGateway: 'try(length(r.nat_gateway_id) > 0, false)',
  transitGateway: 'try(length(r.transit_gateway_id) > 0, false)',
  networkInterface: 'try(length(r.network_interface_id) > 0, false)',
  instance: 'try(length(r.instance_id) > 0, false)',
  coreNetwork: 'try(length(r.core_network_arn) > 0, false)',
  virtualPrivateGateway: 'try(startswith(r.gateway_id, "vgw-"), false)',
} as const;

/** The targets that give a subnet without public addresses a way out: a NAT, a transit or virtual private gateway, an appliance. */
export const PRIVATE_EGRESS_TARGETS = [
  ROUTE_TARGETS.natGateway,
  ROUTE_TARGETS.transitGateway,
  ROUTE_TARGETS.networkInterface,
  ROUTE_TARGETS.instance,
  ROUTE_TARGETS.coreNetwork,
  ROUTE_TARGETS.virtualPrivateGateway,
] as const;

/** True when the route list `routes` has a 0.0.0.0/0 route to one of the `targets` (conditions on `r`). */
export function hasDefaultRoute(routes: string, targets: readonly string[]): string {
  return `anytrue([for r in ${routes} : r.cidr_block == "0.0.0.0/0" && (${targets.join(' || ')})])`;
}

/** True when the route list `routes` has a ::/0 route to one of the `targets` (conditions on `r`). */
export function hasIpv6DefaultRoute(routes: string, targets: readonly string[]): string {
  return `anytrue([for r in ${routes} : r.ipv6_cidr_block == "::/0" && (${targets.join(' || ')})])`;
}

/** The first address of CIDR expression `cidr`, as a number. */
function rangeStart(cidr: string): string {
  return `sum([for i, octet in split(".", cidrhost(${cidr}, 0)) : tonumber(octet) * pow(256, 3 - i)])`;
}

/** The number of addresses in CIDR expression `cidr`. */
function rangeSize(cidr: string): string {
  return `pow(2, 32 - tonumber(split("/", ${cidr})[1]))`;
}

/** True when CIDR expression `cidr` shares no address with any of the literal `ranges`. */
export function outsideRanges(cidr: string, ranges: readonly string[]): string {
  // Adjacent ranges (10.42.0.0/16, 10.43.0.0/16) merge into one interval: one comparison each.
  const intervals = ranges
    .map((range) => {
      const parsed = parseCidr(range);
      if (!parsed) throw new Error(`not a CIDR: ${range}`);
      return [parsed.base, parsed.base + 2 ** (32 - parsed.prefix)];
    })
    .sort((a, b) => a[0] - b[0])
    .reduce<number[][]>((merged, [first, end]) => {
      const last = merged[merged.length - 1];
      if (last && first <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([first, end]);
      return merged;
    }, []);
  // `for start in [...]` names the start once instead of repeating its expression per comparison.
  const outside = intervals.map(([first, end]) => `(start + ${rangeSize(cidr)} <= ${first} || start >= ${end})`).join(' && ');
  return `alltrue([for start in [${rangeStart(cidr)}] : ${outside}])`;
}

/** True when host `hostNumber` of CIDR expression `cidr` is an address AWS lets an instance take (not the last one). */
export function hostFits(cidr: string, hostNumber: number): string {
  return `${hostNumber} <= ${rangeSize(cidr)} - 2`;
}
