import { hclString } from '../../common/terraform-template';

/**
 * What a DNS name can point at, and how Route53 expresses each case. The
 * patterns are RE2- and JavaScript-compatible: the same text is used in the
 * Terraform expressions (decided at plan time, when the target may only then
 * be known) and in `dnsTargetKind` (synth time, tests).
 */

/** Network Load Balancer: `<name>-<id>.elb.<region>.amazonaws.com`; the capture is the region. */
export const NLB_HOSTNAME_PATTERN = '^[a-z0-9-]+\\.elb\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?$';

/** Application or Classic Load Balancer: `<name>-<id>.<region>.elb.amazonaws.com`; the capture is the region. */
export const ELB_HOSTNAME_PATTERN = '^[a-z0-9-]+\\.([a-z0-9-]+)\\.elb\\.amazonaws\\.com(?:\\.cn)?$';

/** A lower-case DNS name of two or more labels (no lookahead: RE2 has none; check the 253-character limit apart). */
export const HOSTNAME_PATTERN = '^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';

export const IPV4_PATTERN = '^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$';

/**
 * An IPv4 address no checker on the internet reaches (RFC 1918 private ranges, shared address space 100.64.0.0/10,
 * loopback, link-local): a public name that resolves there cannot be checked by Route53's health checkers.
 */
export const UNREACHABLE_IPV4_PATTERN =
  '^(?:10\\.|127\\.|192\\.168\\.|169\\.254\\.|172\\.(?:1[6-9]|2[0-9]|3[01])\\.|100\\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.)';

/**
 * - `nlb`: an NLB hostname → A alias, zone id of NLBs in its region
 * - `elb`: an ALB or Classic ELB hostname → A alias, zone id of ALBs/ELBs in its region (the same table)
 * - `ipv4`: an address → A record
 * - `hostname`: any other name (a load balancer outside AWS, another DNS name) → CNAME
 */
export type DnsTargetKind = 'nlb' | 'elb' | 'ipv4' | 'hostname';

/** The Route53 record each kind becomes. */
export const RECORD_FOR_KIND: Readonly<Record<DnsTargetKind, 'alias' | 'A' | 'CNAME'>> = {
  nlb: 'alias',
  elb: 'alias',
  ipv4: 'A',
  hostname: 'CNAME',
};

/** Classifies a target the way the Terraform expressions of `LoadBalancerRecord` do. */
export function dnsTargetKind(target: string): DnsTargetKind {
  const t = target.toLowerCase();
  if (new RegExp(NLB_HOSTNAME_PATTERN).test(t)) return 'nlb';
  if (new RegExp(ELB_HOSTNAME_PATTERN).test(t)) return 'elb';
  if (new RegExp(IPV4_PATTERN).test(t)) return 'ipv4';
  return 'hostname';
}

/** Region of an AWS load balancer hostname, undefined for any other target. */
export function loadBalancerRegion(target: string): string | undefined {
  const t = target.toLowerCase();
  return (new RegExp(NLB_HOSTNAME_PATTERN).exec(t) ?? new RegExp(ELB_HOSTNAME_PATTERN).exec(t))?.[1];
}

/**
 * A Terraform condition (no `${}`) that holds when `expression` is a DNS name
 * as the settings' `FQDN` accepts it: lower case, two or more labels, at most
 * 253 characters.
 */
export function dnsNameCondition(expression: string): string {
  return `length(${expression}) <= 253 && can(regex(${hclString(HOSTNAME_PATTERN)}, ${expression}))`;
}
