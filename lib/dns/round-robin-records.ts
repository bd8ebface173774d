import type { DataAwsRoute53Zone } from '@cdktn/provider-aws/lib/data-aws-route53-zone';
import { Route53HealthCheck } from '@cdktn/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Construct } from 'constructs';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';
import { healthCheckStatusMetric } from './route53-metrics';

/** Seconds between two checks by each checker: 30 (standard) or 10 (fast, an extra charge). */
export const HEALTH_CHECK_INTERVAL_SECONDS = 30;
/** Failed checks in a row before a member is taken out of the answers. */
export const HEALTH_CHECK_FAILURE_THRESHOLD = 3;
/** Seconds resolvers may keep an answer: part of the failover time. */
export const ROUND_ROBIN_TTL_SECONDS = 60;

/** One address the name resolves to. */
export interface RoundRobinMember {
  /** The record's set identifier and the check's Name tag suffix (`server-0`); stable per member. */
  readonly name: string;
  /** IPv4 address (an Elastic IP). */
  readonly address: string;
}

/** What each member's health check asks for. */
export interface MemberHealthCheck {
  /** Sent as Host header and SNI name, so a name-based ingress routes the check to the application. */
  readonly hostname: string;
  /** Path of an HTTPS GET that answers 2xx or 3xx when the member serves. */
  readonly path: string;
  /** @default 443 */
  readonly port?: number;
}

/** A name answered by several members, and how each is checked. */
export interface RoundRobinRecordsProps {
  /** The hosted zone the records go in. */
  readonly zone: DataAwsRoute53Zone;
  /** Fully qualified record name. */
  readonly recordName: string;
  /** The addresses the name resolves to, at least one; the first's record keeps the id `record`. */
  readonly members: readonly RoundRobinMember[];
  /** What each member's HTTPS health check asks for. */
  readonly healthCheck: MemberHealthCheck;
  /** Prefix of the checks' Name tags. */
  readonly name: string;
}

/**
 * A name answered by several addresses: one multivalue-answer A record per
 * member, each tied to an HTTPS Route53 health check on that member. Route53
 * answers with up to eight healthy members (all of them when none is
 * healthy), so a failed member leaves the answers after the checks notice it.
 *
 * Construct ids keep a switch from and to a single record in place: the first
 * member's record is `record`, the id an `AliasRecord` or `ARecord` gives its
 * record, so the same Terraform address changes from a simple record to a
 * multivalue one (the AWS provider deletes and creates it in one change batch
 * when the set identifier changes). The other members' records depend on it:
 * Route53 refuses a multivalue record next to a simple record of the same
 * name, so they are created only after the first one was converted, and
 * (Terraform destroys a dependent before it updates what it depended on)
 * deleted before it is converted back.
 */
export class RoundRobinRecords extends Construct {
  /** One multivalue-answer A record per member, in the members' order. */
  readonly records: Route53Record[];
  /** One health check per member, in the members' order. */
  readonly healthChecks: Route53HealthCheck[];

  constructor(scope: Construct, id: string, props: RoundRobinRecordsProps) {
    super(scope, id);
    if (props.members.length === 0) throw new Error('RoundRobinRecords needs at least one member');
    const check = props.healthCheck;
    this.healthChecks = props.members.map(
      (member, i) =>
        new Route53HealthCheck(this, `health-check-${i}`, {
          type: 'HTTPS',
          ipAddress: member.address,
          port: check.port ?? 443,
          fqdn: check.hostname,
          enableSni: true,
          resourcePath: check.path,
          requestInterval: HEALTH_CHECK_INTERVAL_SECONDS,
          failureThreshold: HEALTH_CHECK_FAILURE_THRESHOLD,
          tags: { Name: `${props.name}-${member.name}` },
        }),
    );
    const records: Route53Record[] = [];
    props.members.forEach((member, i) => {
      records.push(
        new Route53Record(this, i === 0 ? 'record' : `record-${i}`, {
          zoneId: props.zone.zoneId,
          name: props.recordName,
          type: 'A',
          ttl: ROUND_ROBIN_TTL_SECONDS,
          records: [member.address],
          setIdentifier: member.name,
          multivalueAnswerRoutingPolicy: true,
          healthCheckId: this.healthChecks[i].id,
          dependsOn: i === 0 ? undefined : [records[0]],
        }),
      );
    });
    this.records = records;
  }

  /** The status of member `index`'s health check (healthCheckStatusMetric): `stackRegion` is the stack's, the metric lives in its partition's Route53 region. */
  metricHealthCheckStatus(index: number, stackRegion: string, options: MetricOptions = {}): Metric {
    const check = this.healthChecks[index];
    if (!check) throw new Error(`RoundRobinRecords ${this.node.path} has no member ${index} (it has ${this.healthChecks.length})`);
    return metricWith(healthCheckStatusMetric(check.id, stackRegion), options);
  }
}
