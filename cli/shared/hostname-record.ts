import { dnsTargetKind, loadBalancerRegion } from '../../lib/dns/private/dns-target';
import { type ModuleState, type StateResource, stringAttribute } from './terraform';

// The hostname's record moved to another target keeping the type that target needs (k8s-ha's LoadBalancerRecord,
// lib/dns/load-balancer-record.ts: an AWS load balancer's hostname an A alias, an IPv4 address an A record, any other
// hostname a CNAME). The failover and the failback of k8s-ha (docs/failover.md); rke-ha's records stay aliases to its
// NLB (cli/shared/aws/records.ts, moveAliasRecords).

/** A record set as Route 53's ChangeResourceRecordSets takes it (Route 53 API Reference, ResourceRecordSet). */
export interface RecordSet {
  readonly Name: string;
  readonly Type: 'A' | 'AAAA' | 'CNAME';
  readonly AliasTarget?: { readonly HostedZoneId: string; readonly DNSName: string; readonly EvaluateTargetHealth: boolean };
  readonly ResourceRecords?: readonly { readonly Value: string }[];
  readonly TTL?: number;
}

/** One change of a batch. */
export interface RecordChange {
  readonly Action: 'DELETE' | 'UPSERT';
  readonly ResourceRecordSet: RecordSet;
}

/** Where a record leads: an AWS load balancer (with its canonical hosted zone), an IPv4 address, or another name. */
export type RecordTarget =
  | { readonly kind: 'alias'; readonly dnsName: string; readonly zoneId: string }
  | { readonly kind: 'A'; readonly address: string }
  | { readonly kind: 'CNAME'; readonly dnsName: string };

/** The TTL k8s-ha's A and CNAME records have (LoadBalancerRecord's default). */
export const RECORD_TTL = 60;

/**
 * The record a target needs, as k8s-ha's stack decides it at plan time (lib/dns/private/dns-target.ts). An AWS load
 * balancer's hostname takes an A alias when its canonical zone is known; else, with `cname`, a CNAME to the same name
 * (a deployment without its record, `dns.hostnameRecord: false`, looks no zone up), and undefined without.
 */
export function targetOf(target: string, aliasZoneId: string | undefined, cname = false): RecordTarget | undefined {
  const kind = dnsTargetKind(target);
  if ((kind === 'nlb' || kind === 'elb') && aliasZoneId) return { kind: 'alias', dnsName: target.toLowerCase(), zoneId: aliasZoneId };
  if ((kind === 'nlb' || kind === 'elb') && !cname) return undefined;
  return kind === 'ipv4' ? { kind: 'A', address: target } : { kind: 'CNAME', dnsName: target.toLowerCase() };
}

/**
 * The canonical zone of an alias `held` for a load balancer of the same kind and region as `target` (the zone is one
 * per kind and region, lib/dns/load-balancer-record.ts), or undefined.
 */
export function aliasZoneLike(target: string, held: RecordSet | undefined): string | undefined {
  const alias = held?.AliasTarget;
  if (!alias) return undefined;
  const region = loadBalancerRegion(target);
  const same = dnsTargetKind(target) === dnsTargetKind(alias.DNSName) && region === loadBalancerRegion(alias.DNSName);
  return same && region !== undefined ? alias.HostedZoneId : undefined;
}

/** The record set of `host` that leads to `target`. */
export function recordSetFor(host: string, target: RecordTarget): RecordSet {
  if (target.kind === 'alias')
    return { Name: host, Type: 'A', AliasTarget: { HostedZoneId: target.zoneId, DNSName: target.dnsName, EvaluateTargetHealth: true } };
  return {
    Name: host,
    Type: target.kind,
    TTL: RECORD_TTL,
    ResourceRecords: [{ Value: target.kind === 'A' ? target.address : target.dnsName }],
  };
}

/** A list of the state's nested block (written as a list; a missing one empty). */
const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);

/**
 * An aws_route53_record of the state as the record set Route 53 holds (the provider's attributes: `alias` a list of
 * one block, `records` the values, `ttl`), or undefined for a type the move does not handle.
 */
export function recordSetOfState(resource: StateResource): RecordSet | undefined {
  const a = resource.attributes;
  const type = a.type;
  if (type !== 'A' && type !== 'AAAA' && type !== 'CNAME') return undefined;
  const name = String(a.name).replace(/\.$/, '');
  const alias = list(a.alias)[0];
  if (alias)
    return {
      Name: name,
      Type: type,
      AliasTarget: {
        HostedZoneId: String(alias.zone_id),
        DNSName: String(alias.name).replace(/\.$/, ''),
        EvaluateTargetHealth: alias.evaluate_target_health === true,
      },
    };
  const values = Array.isArray(a.records) ? (a.records as unknown[]).map((v) => ({ Value: String(v) })) : [];
  return { Name: name, Type: type, TTL: typeof a.ttl === 'number' ? a.ttl : Number(a.ttl), ResourceRecords: values };
}

/**
 * One change batch that makes `wanted` the only record of its name among A, AAAA and CNAME: every other one of
 * `current` deleted first, with its values exactly as they are (Route 53 deletes a record set only when every value
 * matches), then `wanted` upserted. One batch: Route 53 applies all of it or none (API Reference,
 * ChangeResourceRecordSets), so the name never leads nowhere, and a CNAME is never refused for a record beside it
 * (a CNAME coexists with no other record of its name, RFC 1912 section 2.4; Route 53 answers InvalidChangeBatch,
 * "RRSet of type CNAME ... conflicts with other records with the same DNS name", aws/aws-sdk-java#1996), nor an A
 * for a CNAME.
 */
export function recordMove(current: readonly RecordSet[], wanted: RecordSet): RecordChange[] {
  const name = (s: RecordSet) => s.Name.replace(/\.$/, '').toLowerCase();
  const others = current.filter((s) => name(s) === name(wanted) && s.Type !== wanted.Type);
  return [...others.map((s) => ({ Action: 'DELETE' as const, ResourceRecordSet: s })), { Action: 'UPSERT' as const, ResourceRecordSet: wanted }];
}

/** A record set in a line of the report: `CNAME rancher.example.com -> lb.example.net`. */
export function describeRecordSet(set: RecordSet): string {
  const to = set.AliasTarget ? `${set.AliasTarget.DNSName} (alias)` : (set.ResourceRecords ?? []).map((r) => r.Value).join(', ');
  return `${set.Type} ${set.Name} -> ${to}`;
}

/** The outputs naming k8s-ha's ingress target (where its record leads), the newer first. */
export const INGRESS_TARGET_OUTPUTS = ['ingress_target', 'dns_target'] as const;

/**
 * Where a k8s-ha deployment's record would lead, from its state: the address its stack outputs (the ingress Service's
 * load balancer, or `dns.target`), with an AWS load balancer's canonical zone from the stack's own lookup of it (the
 * aws_lb_hosted_zone_id or aws_elb_hosted_zone_id data source of lib/dns/load-balancer-record.ts, there only while it
 * makes the record), else `zone`; without a zone, a CNAME when `cname` allows it. A reason instead when the state holds
 * no address, or a load balancer's without a zone and no CNAME allowed.
 */
export function ingressTargetOfState(
  state: ModuleState,
  o: { readonly zone?: (address: string) => string | undefined; readonly cname: boolean },
): { readonly address: string; readonly target?: RecordTarget; readonly problem?: string } {
  const address = INGRESS_TARGET_OUTPUTS.map((x) => stringAttribute(state.outputs[x]?.value)).find((v) => v);
  if (!address) return { address: '', problem: `no ${INGRESS_TARGET_OUTPUTS.join(' or ')} output (apply it with this version)` };
  const zone =
    state.resources
      .filter((x) => x.mode === 'data' && (x.type === 'aws_lb_hosted_zone_id' || x.type === 'aws_elb_hosted_zone_id'))
      .map((x) => stringAttribute(x.attributes.id))
      .find((v) => v) ?? o.zone?.(address);
  const target = targetOf(address, zone, o.cname);
  return target
    ? { address, target }
    : {
        address,
        problem: `an ingress target ${address} of an AWS load balancer, no canonical hosted zone for it, and a hostname a CNAME cannot have`,
      };
}

/** The hostname is its hosted zone's apex, where Route 53 takes no CNAME. */
export const isApex = (host: string, hostedZone: unknown): boolean =>
  typeof hostedZone === 'string' && host.replace(/\.$/, '').toLowerCase() === hostedZone.replace(/\.$/, '').toLowerCase();
