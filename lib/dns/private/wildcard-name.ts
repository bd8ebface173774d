import { Fn } from 'cdktf';
import type { WildcardDnsDomain } from '../../config/dns-schema';

/**
 * Rancher's name without a domain of one's own: `<a-b-c-d>.<domain>`, which
 * the public wildcard DNS service (sslip.io, nip.io) answers with a.b.c.d.
 * The dash form keeps the address in one label, so the name never looks like
 * an IP literal to a client and fits the hostname rules every other name
 * here follows. `publicIp` is usually a reference (an Elastic IP's
 * `public_ip`): the name is known once the address is allocated, and stays as
 * long as the address does.
 */
export function wildcardHostname(publicIp: string, domain: WildcardDnsDomain): string {
  return `${Fn.replace(publicIp, '.', '-')}.${domain}`;
}
