import { DataAwsRoute53Zone } from '@cdktn/provider-aws/lib/data-aws-route53-zone';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Construct } from 'constructs';

/** An alias record's name, zone and load balancer. */
export interface AliasRecordProps {
  /** Existing public hosted zone, found by name (ignored when `zone` is given). */
  readonly zoneName?: string;
  /** A zone already looked up by the caller (shared with other records). */
  readonly zone?: DataAwsRoute53Zone;
  /** Fully qualified record name. */
  readonly recordName: string;
  /** Load balancer DNS name and hosted zone id. */
  readonly target: {
    /** The load balancer's DNS name. */
    readonly dnsName: string;
    /** The load balancer's canonical hosted zone id (not the record's zone). */
    readonly zoneId: string;
  };
  /** A dual-stack target: an AAAA alias (`record-aaaa`) beside the A one. @default false */
  readonly ipv6?: boolean;
}

/** An A alias (and with `ipv6` an AAAA alias) from a name in an existing public zone to a load balancer. */
export class AliasRecord extends Construct {
  /** The A alias. */
  readonly record: Route53Record;
  /** The AAAA alias (`ipv6` only). */
  readonly ipv6Record?: Route53Record;
  /** The hosted zone the records are in. */
  readonly zone: DataAwsRoute53Zone;

  constructor(scope: Construct, id: string, props: AliasRecordProps) {
    super(scope, id);
    this.zone = props.zone ?? publicZone(this, 'zone', props.zoneName);
    this.record = new Route53Record(this, 'record', {
      zoneId: this.zone.zoneId,
      name: props.recordName,
      type: 'A',
      alias: { name: props.target.dnsName, zoneId: props.target.zoneId, evaluateTargetHealth: true },
    });
    if (props.ipv6) {
      this.ipv6Record = new Route53Record(this, 'record-aaaa', {
        zoneId: this.zone.zoneId,
        name: props.recordName,
        type: 'AAAA',
        alias: { name: props.target.dnsName, zoneId: props.target.zoneId, evaluateTargetHealth: true },
      });
    }
  }

  /** The A record, and the AAAA one with `ipv6`. */
  get records(): Route53Record[] {
    return this.ipv6Record ? [this.record, this.ipv6Record] : [this.record];
  }
}

/** Looks up an existing public hosted zone by name. */
export function publicZone(scope: Construct, id: string, zoneName: string | undefined): DataAwsRoute53Zone {
  if (zoneName === undefined) throw new Error('a hosted zone name or a looked-up zone is required');
  return new DataAwsRoute53Zone(scope, id, { name: zoneName, privateZone: false });
}
