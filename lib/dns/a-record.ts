import { DataAwsRoute53Zone } from '@cdktn/provider-aws/lib/data-aws-route53-zone';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Construct } from 'constructs';

/** A record's name, zone and addresses. */
export interface ARecordProps {
  /** Existing public hosted zone, found by name. */
  readonly zoneName: string;
  /** Fully qualified record name. */
  readonly recordName: string;
  /** IPv4 addresses the name resolves to (an Elastic IP, say). */
  readonly addresses: string[];
  /** Seconds resolvers may cache the answer. @default 300 */
  readonly ttl?: number;
}

/** A plain A record in an existing public zone, for a fixed address rather than a load balancer. */
export class ARecord extends Construct {
  /** The A record. */
  readonly record: Route53Record;
  /** The hosted zone it is in (looked up by `zoneName`). */
  readonly zone: DataAwsRoute53Zone;

  constructor(scope: Construct, id: string, props: ARecordProps) {
    super(scope, id);
    this.zone = new DataAwsRoute53Zone(this, 'zone', { name: props.zoneName, privateZone: false });
    this.record = new Route53Record(this, 'record', {
      zoneId: this.zone.zoneId,
      name: props.recordName,
      type: 'A',
      ttl: props.ttl ?? 300,
      records: props.addresses,
    });
  }
}
