import { cidrHost, cidrSubnet } from '../config/cidr';
import { PRIVATE_SUBNET_OFFSET } from '../network/private-subnets';

/** Host number of each server's fixed address inside its subnet. */
export const NODE_HOST_NUMBER = 10;
/** The K3s datastore's isolated subnets: sixteenths 12-14 of the VPC range (public 0-2, private nodes 8-10). */
export const DATABASE_SUBNET_OFFSET = 12;

/** Where a server's fixed address lies in the current node layout, and in the other one (public or private subnets). */
export interface ServerAddress {
  readonly current: string;
  readonly other: string;
}

/** Host 10 of each server's subnet: the public subnets are sixteenths 0-2 of the VPC, the private ones 8-10. */
export function serverAddresses(vpcCidr: string, privateNodes: boolean, count: number): ServerAddress[] {
  const address = (offset: number, i: number) => cidrHost(cidrSubnet(vpcCidr, 4, offset + i), NODE_HOST_NUMBER);
  return Array.from({ length: count }, (_, i) => {
    const publicIp = address(0, i);
    const privateIp = address(PRIVATE_SUBNET_OFFSET, i);
    return privateNodes ? { current: privateIp, other: publicIp } : { current: publicIp, other: privateIp };
  });
}

/**
 * Where server `i` looks for the others: their addresses in the current layout, then in the other one. A
 * server keeps its address until it is replaced, so during a move between public and private subnets a
 * replaced server still finds the ones not moved yet.
 */
export function peerCandidates(addresses: readonly ServerAddress[], i: number): string[] {
  const others = addresses.filter((_, j) => j !== i);
  return [...others.map((a) => a.current), ...others.map((a) => a.other)];
}
