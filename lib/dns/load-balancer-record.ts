import { hclString } from '../common/terraform-template';
import { DataAwsElbHostedZoneId } from '@cdktn/provider-aws/lib/data-aws-elb-hosted-zone-id';
import { DataAwsLbHostedZoneId } from '@cdktn/provider-aws/lib/data-aws-lb-hosted-zone-id';
import { DataAwsRoute53Zone } from '@cdktn/provider-aws/lib/data-aws-route53-zone';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { targetRecordType } from './private/target-record-type';
import { LOAD_BALANCER_RECORD_TTL_SECONDS } from './record-ttl';

/** A record's name and zone, and the target it points at. */
export interface LoadBalancerRecordProps {
  /** Existing public hosted zone, found by name. */
  readonly zoneName: string;
  /** Fully qualified record name. */
  readonly recordName: string;
  /**
   * Hostname or IPv4 address to point at; may be a Terraform expression known
   * only at plan time (e.g. read from a Kubernetes Service).
   */
  readonly target: string;
  /** TTL of the CNAME or A record (aliases have none). @default 60 */
  readonly ttl?: number;
}

/**
 * A Route53 record for a target that may only be known at plan time. Which
 * record is created is decided by Terraform (conditional counts), by the
 * rules of `dns-target.ts`:
 * - an AWS load balancer hostname (NLB, ALB, Classic ELB) → A alias, with the
 *   canonical hosted zone id of that load balancer type in its region (a
 *   static table in the AWS provider, no API call, works across regions);
 * - an IPv4 address → A record;
 * - any other hostname → CNAME.
 * Exactly one of `alias`, `a` and `cname` has an instance.
 */
export class LoadBalancerRecord extends Construct {
  /** The hosted zone the record is in (looked up by `zoneName`). */
  readonly zone: DataAwsRoute53Zone;
  /** The A alias, with an instance when the target is an AWS load balancer's hostname. */
  readonly alias: Route53Record;
  /** The A record, with an instance when the target is an IPv4 address. */
  readonly a: Route53Record;
  /** The CNAME, with an instance when the target is any other hostname. */
  readonly cname: Route53Record;
  /** The three records, for depends_on (two of them have no instance). */
  readonly records: Route53Record[];
  /** `alias`, `A` or `CNAME`, decided at plan time. */
  readonly recordType: string;
  /** The target, lower-cased. */
  readonly target: string;

  constructor(scope: Construct, id: string, props: LoadBalancerRecordProps) {
    super(scope, id);
    const ttl = props.ttl ?? LOAD_BALANCER_RECORD_TTL_SECONDS;
    const { target, recordType, nlbRegion, elbRegion } = targetRecordType(this, props.target);
    const when = (condition: string) => Token.asNumber(`\${${condition} ? 1 : 0}`);

    const nlbZone = new DataAwsLbHostedZoneId(this, 'nlb-zone-id', {
      count: when(`${nlbRegion.fqn} != null`),
      region: nlbRegion.asString,
      loadBalancerType: 'network',
    });
    const elbZone = new DataAwsElbHostedZoneId(this, 'elb-zone-id', {
      count: when(`${elbRegion.fqn} != null`),
      region: elbRegion.asString,
    });

    this.zone = new DataAwsRoute53Zone(this, 'zone', { name: props.zoneName, privateZone: false });
    this.alias = new Route53Record(this, 'alias', {
      count: when(`${recordType.fqn} == "alias"`),
      zoneId: this.zone.zoneId,
      name: props.recordName,
      type: 'A',
      alias: {
        name: target.asString,
        zoneId: `\${one(concat(${nlbZone.fqn}[*].id, ${elbZone.fqn}[*].id))}`,
        evaluateTargetHealth: true,
      },
    });
    this.a = new Route53Record(this, 'a', {
      count: when(`${recordType.fqn} == "A"`),
      zoneId: this.zone.zoneId,
      name: props.recordName,
      type: 'A',
      ttl,
      records: [target.asString],
    });
    // Route53 refuses a CNAME at the zone apex; say why before the plan reaches the API.
    const name = (text: string) => `lower(trimsuffix(${Token.isUnresolved(text) ? text : hclString(text)}, "."))`;
    this.cname = new Route53Record(this, 'cname', {
      count: when(`${recordType.fqn} == "CNAME"`),
      zoneId: this.zone.zoneId,
      name: props.recordName,
      type: 'CNAME',
      ttl,
      records: [target.asString],
      lifecycle: {
        precondition: [
          {
            condition: `\${${name(props.recordName)} != ${name(props.zoneName)}}`,
            errorMessage:
              'The record name equals the hosted zone name and the target is neither an AWS load balancer nor an IPv4 address, so it would be a CNAME, which Route53 refuses at a zone apex. Point it at an AWS load balancer hostname or an IPv4 address (ingress_target), or use a hostname below the zone.',
          },
        ],
      },
    });
    this.records = [this.alias, this.a, this.cname];
    this.recordType = recordType.asString;
    this.target = target.asString;
  }
}
