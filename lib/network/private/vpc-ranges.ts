import { Fn } from 'cdktf';

/**
 * The VPC ranges the nodes reach directly, as NodeSecurityGroup takes them: a
 * created VPC's literal range, or the ranges inside an existing VPC as a
 * Terraform list (ExistingNetwork.directCidrs).
 */
export type VpcRanges = { readonly vpcCidr: string } | { readonly vpcCidrs: string[] };

/** The VPC ranges as one entry of a comma-separated list (NO_PROXY): the literal range, or the list joined by Terraform. */
export function vpcRangesEntry(ranges: VpcRanges): string {
  return 'vpcCidr' in ranges ? ranges.vpcCidr : Fn.join(',', ranges.vpcCidrs);
}
