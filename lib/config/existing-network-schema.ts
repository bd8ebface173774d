import { z } from 'zod';
import { subnetId, vpcId, wholeNumber } from './primitives';

/**
 * `existingNetwork` of the rkeHa and docker sections: a VPC and subnets the
 * stack uses instead of creating its own. Only the shapes are checked here
 * (ids, counts, repeats); what the subnets are (in the VPC, their zones and
 * routes) is checked at plan time by ExistingNetwork, where AWS can be asked.
 */

/** The VPC range a stack creates when none is set. */
export const DEFAULT_VPC_CIDR = '10.0.0.0/16';

/** The VPC range a stack creates: its `vpcCidr` or the default; undefined with an existing network. */
export function createdVpcCidr(s: { readonly vpcCidr?: string; readonly existingNetwork?: unknown }): string | undefined {
  return s.existingNetwork ? undefined : (s.vpcCidr ?? DEFAULT_VPC_CIDR);
}

/** Host number of a server's fixed address inside its subnet. */
export const DEFAULT_HOST_NUMBER = 10;

/**
 * A host number: AWS keeps the first four addresses of a subnet (network,
 * router, DNS, reserved) and the last; whether it fits the subnet is known
 * only at plan time.
 */
const hostNumber = wholeNumber(4, 65534);

/** Subnet ids, each at most once. */
const subnetIds = z.array(subnetId).superRefine((ids, ctx) => {
  if (!Array.isArray(ids)) return;
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  for (const id of repeated) ctx.addIssue({ code: 'custom', message: `lists ${id} more than once`, input: ids });
});

export const rkeExistingNetworkSchema = z.strictObject({
  /** An existing VPC to deploy into instead (`vpc-` + 8 or 17 hex digits); see "Existing VPC and subnets" */
  vpcId,
  /**
   * Public subnets for the internet-facing load balancers, one per zone,
   * covering every server's zone; each routes 0.0.0.0/0 to an internet gateway.
   */
  loadBalancerSubnetIds: subnetIds,
  /**
   * The servers' subnets, in server order (server-0 in the first), each in a
   * zone of its own; private (egress through NAT, a transit gateway...) or
   * public (an internet gateway and public addresses on launch).
   */
  nodeSubnetIds: subnetIds,
  /** k3s only: the RDS datastore's subnets, in at least two zones. */
  datastoreSubnetIds: subnetIds.optional(),
  /** Each server's fixed address is this host of its subnet; it must be free (checked only when the server starts). */
  nodeHostNumber: hostNumber.default(DEFAULT_HOST_NUMBER),
});

export const dockerExistingNetworkSchema = z.strictObject({
  /** An existing VPC to deploy into instead (`vpc-` + 8 or 17 hex digits); see "Existing VPC and subnets" */
  vpcId,
  /** A public subnet (0.0.0.0/0 to an internet gateway): the host and its Elastic IP. */
  subnetId,
  /** The host's fixed address is this host of the subnet; it must be free. */
  hostNumber: hostNumber.default(DEFAULT_HOST_NUMBER),
});

export type RkeExistingNetworkSettings = z.output<typeof rkeExistingNetworkSchema>;
export type DockerExistingNetworkSettings = z.output<typeof dockerExistingNetworkSchema>;
