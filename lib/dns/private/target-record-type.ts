import { TerraformLocal } from 'cdktf';
import type { Construct } from 'constructs';
import { ELB_HOSTNAME_PATTERN, IPV4_PATTERN, NLB_HOSTNAME_PATTERN } from './dns-target';

/** A record's target, lower-cased, and the record it needs, as Terraform locals of the scope. */
export interface TargetRecordType {
  /** The target, lower-cased. */
  readonly target: TerraformLocal;
  /** `alias`, `A` or `CNAME`, decided at plan time. */
  readonly recordType: TerraformLocal;
  /** The region of an NLB target, else null. */
  readonly nlbRegion: TerraformLocal;
  /** The region of an ALB or Classic ELB target, else null. */
  readonly elbRegion: TerraformLocal;
}

/**
 * The record a target that may be known only at plan time needs (dns-target.ts's rules, in Terraform): an AWS load
 * balancer's hostname an A alias, an IPv4 address an A record, any other name a CNAME. LoadBalancerRecord makes its
 * records by it; a deployment that makes none (a failover's standby) outputs it, for whoever moves the record.
 */
export function targetRecordType(scope: Construct, targetExpression: string): TargetRecordType {
  const target = new TerraformLocal(scope, 'target', `\${lower(${targetExpression})}`);
  const t = target.fqn;
  // The patterns are locals of their own: readable in the module, and cdktf mis-renders
  // a reference that follows a `{n}` quantifier inside the same expression.
  const pattern = (patternId: string, text: string) => new TerraformLocal(scope, patternId, text).fqn;
  const nlbPattern = pattern('nlb-pattern', NLB_HOSTNAME_PATTERN);
  const elbPattern = pattern('elb-pattern', ELB_HOSTNAME_PATTERN);
  const ipv4Pattern = pattern('ipv4-pattern', IPV4_PATTERN);
  const nlbRegion = new TerraformLocal(scope, 'nlb-region', `\${try(regex(${nlbPattern}, ${t})[0], null)}`);
  const elbRegion = new TerraformLocal(scope, 'elb-region', `\${try(regex(${elbPattern}, ${t})[0], null)}`);
  const recordType = new TerraformLocal(
    scope,
    'record-type',
    `\${${nlbRegion.fqn} != null || ${elbRegion.fqn} != null ? "alias" : can(regex(${ipv4Pattern}, ${t})) ? "A" : "CNAME"}`,
  );
  return { target, recordType, nlbRegion, elbRegion };
}
