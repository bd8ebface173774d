import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import { Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';

/** Where the deployer's public address is looked up when no admin CIDR is set. */
export const DEPLOYER_IP_URL = 'https://checkip.amazonaws.com';

/**
 * The networks a construct opens its admin ports to. An empty list means what
 * it means in a settings file (`adminCidrs: []`, the app's `admin_cidrs`
 * variable): the deployer's own public address (/32), looked up at plan
 * time; an empty list never opens the ports to nobody. A Terraform reference
 * is used as it is (the app's stacks pass their variable, which does the same
 * lookup itself).
 */
export function adminNetworks(scope: Construct, cidrs: readonly string[]): string[] {
  if (Token.isUnresolved(cidrs) || cidrs.length > 0) return [...cidrs];
  const lookup = new DataHttp(scope, 'deployer-ip', { url: DEPLOYER_IP_URL });
  return [`${Fn.trimspace(lookup.responseBody)}/32`];
}
