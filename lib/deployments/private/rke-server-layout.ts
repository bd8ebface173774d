import { Fn, Op, Token } from 'cdktf';
import type { GuardCondition } from '../../common/deployment-guard';
import { cidrHost, cidrSubnet } from '../../config/cidr';
import { DEFAULT_HOST_NUMBER } from '../../config/existing-network-schema';
import { PRIVATE_SUBNET_OFFSET } from '../../network/private-subnets';
import type { SubnetInfo } from '../../network/public-network';

/** The K3s datastore's isolated subnets: sixteenths 12-14 of the VPC range (public 0-2, private nodes 8-10). */
export const DATABASE_SUBNET_OFFSET = 12;

/**
 * Where a server's fixed address lies in the current node layout, and in the
 * other one (public or private subnets) when the stack created the network.
 */
export interface ServerAddress {
  readonly current: string;
  /** None in an existing network: there is no second layout the stack knows of. */
  readonly other?: string;
}

/** Host 10 of each server's subnet: the public subnets are sixteenths 0-2 of the VPC, the private ones 8-10. */
export function serverAddresses(vpcCidr: string, privateNodes: boolean, count: number): ServerAddress[] {
  const address = (offset: number, i: number) => cidrHost(cidrSubnet(vpcCidr, 4, offset + i), DEFAULT_HOST_NUMBER);
  return Array.from({ length: count }, (_, i) => {
    const publicIp = address(0, i);
    const privateIp = address(PRIVATE_SUBNET_OFFSET, i);
    return privateNodes ? { current: privateIp, other: publicIp } : { current: publicIp, other: privateIp };
  });
}

/**
 * Host `hostNumber` of each server's existing subnet: a Terraform expression
 * (`cidrhost` of the subnet's range as read at plan time), so plans still
 * show the literal address.
 */
export function existingServerAddresses(subnets: readonly SubnetInfo[], hostNumber: number): ServerAddress[] {
  return subnets.map((subnet) => ({ current: Fn.cidrhost(subnet.cidr, hostNumber) }));
}

/**
 * Where server `i` looks for the others: their addresses in the current layout, then in the other one. A
 * server keeps its address until it is replaced, so during a move between public and private subnets a
 * replaced server still finds the ones not moved yet.
 */
export function peerCandidates(addresses: readonly ServerAddress[], i: number): string[] {
  const others = addresses.filter((_, j) => j !== i);
  return [...others.map((a) => a.current), ...others.flatMap((a) => (a.other === undefined ? [] : [a.other]))];
}

/** The addresses of server `i`'s predecessor, which it waits for; none for the first. */
export function previousServer(addresses: readonly ServerAddress[], i: number): string[] {
  if (i === 0) return [];
  const { current, other } = addresses[i - 1];
  return other === undefined ? [current] : [current, other];
}

/**
 * The rule that keeps servers able to find each other in an existing
 * network: at most one running server may be away from the address the
 * settings give it. A server keeps its subnet and address until it is
 * replaced (ServerNode's held attributes) and a replaced one looks for the
 * others only at their addresses in the settings. With one server away,
 * any server replaced next still finds one that is where the settings say;
 * with two of three away, one not moved and replaced first (a new AMI) finds
 * none, and with all three away no server does. `runningIps` is the private
 * addresses of the deployment's servers as they exist (ServerQuorum's
 * lookup); the servers beyond the count are refused by the quorum rule.
 */
export function movedServersCondition(runningIps: string[], addresses: readonly ServerAddress[]): GuardCondition {
  const away = Fn.setsubtract(
    runningIps,
    addresses.map((a) => a.current),
  );
  return {
    condition: Token.asString(Op.lte(Fn.lengthOf(away), 1)),
    errorMessage:
      `existingNetwork moves the running servers at ${Token.asString(Fn.jsonencode(Fn.sort(Fn.tolist(away))))} to other addresses at once. ` +
      'Each server keeps its address until it is replaced, and a replaced server looks for the others only at the addresses the settings give them: with more than one away, the next server replaced may find no peer and never join. ' +
      'Move one server per apply: change its entry of existingNetwork.nodeSubnets, replace that server (terraform apply -replace=<its aws_instance>), and only then the next; nodeHostNumber moves every server and cannot change (docs/day-2.md, "Existing VPC and subnets").',
  };
}
