import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsSsmParametersByPath } from '@cdktn/provider-aws/lib/data-aws-ssm-parameters-by-path';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Route53HealthCheck } from '@cdktn/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';
import { addCheck } from '../common/private/check';
import { hclString, literal } from '../common/terraform-template';
import {
  FAILED_OVER_ALARM_EVALUATION_PERIODS,
  FAILED_OVER_ALARM_PERIOD_SECONDS,
  FAILED_OVER_METRIC,
  failedOverAlarmName,
  failedOverNamespace,
  STANDBY_TARGET_PARAMETER,
} from './standby-facts-keys';

/** The set identifiers of the hostname's failover records. */
export const PRIMARY_SET_ID = 'primary';
export const SECONDARY_SET_ID = 'standby';

/** TTL of a SECONDARY A or CNAME record (k8s-ha's records' own). */
const SECONDARY_TTL = 60;

/** Production's records of its hostname, the standby's region, and where the deployment's names start. */
export interface StandbyDnsProps {
  /** `<name>-<stack id>`: the metric's namespace, the alarm's and the health check's names. */
  readonly deployment: string;
  /** The standby's region (a literal): the metric and its alarm are there. */
  readonly standbyRegion: string;
  /** The standby region's AWS provider. */
  readonly provider: AwsProvider;
  /** The deployment's SSM path (`/<name>/<stack id>`): `<parameterPath>/standby-target` in the standby region. */
  readonly parameterPath: string;
  /**
   * Production's records of the hostname (A, AAAA or CNAME; each may be counted), made PRIMARY here; none while they
   * are held out of the apply (`hostnameRecord: false`, the failback's), when the alarm and health check stay alone.
   */
  readonly records: readonly Route53Record[];
  /** A unique name at the stack's root: the check's. */
  readonly stackLevelName: string;
}

/**
 * The hostname moved by a metric instead of a record change (issue 91 item 1; docs/development/standby-dns.md):
 * Route 53's record changes are served from us-east-1 (AWS, "Fault Isolation Boundaries", Appendix A), so a failover
 * must not need one. At deploy time:
 * - a CloudWatch alarm in the standby region on FAILED_OVER_METRIC (the failover writes 1 there, the failback 0: both
 *   PutMetricData, a data-plane call of that region). Missing data is ignored: CloudWatch keeps the alarm's state
 *   while no new point comes (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data"), so one
 *   point keeps the state for good;
 * - a Route 53 health check of type CLOUDWATCH_METRIC on that alarm, unhealthy while it is in ALARM. With insufficient
 *   data (a new deployment: nothing written yet) it keeps its last known status, and a new health check with none is
 *   healthy (Route 53 API Reference, HealthCheckConfig, InsufficientDataHealthStatus "LastKnownStatus");
 * - production's records become failover routing: PRIMARY, with that health check, and an alias's
 *   `evaluate_target_health` false (nothing fails over by itself: two primaries would run); a SECONDARY of the same
 *   name and type leads to the standby's load balancer as `<parameterPath>/standby-target` of the standby region
 *   names it (the pilot light writes it). Without the parameter there is no secondary, and a check warns: Route 53
 *   answers with a failover record only while its health check is healthy, or when no other answers (Route 53
 *   Developer Guide, "How health checks work in simple Amazon Route 53 configurations" and "Active-passive failover").
 */
export class StandbyDns extends Construct {
  readonly alarm: CloudwatchMetricAlarm;
  readonly healthCheck: Route53HealthCheck;
  /** The SECONDARY records (counted: none while the parameter is absent or names a target of another type). */
  readonly secondaries: Route53Record[] = [];
  /**
   * The listing of `parameterPath` in the standby region (names and values, directly below it), where the SECONDARY's
   * target is read; none without records. The failover's fence reads the same listing (lib/standby/failover-fence.ts):
   * one read of the path, not two.
   */
  readonly listing?: DataAwsSsmParametersByPath;

  constructor(scope: Construct, id: string, props: StandbyDnsProps) {
    super(scope, id);
    const { provider } = props;
    this.alarm = new CloudwatchMetricAlarm(this, 'alarm', {
      provider,
      alarmName: literal(failedOverAlarmName(props.deployment)),
      alarmDescription: literal(
        `${props.deployment} failed over to ${props.standbyRegion}: its hostname answers from the standby while this is in ALARM (written by npm run failover, reset by npm run failback; docs/failover.md)`,
      ),
      namespace: literal(failedOverNamespace(props.deployment)),
      metricName: FAILED_OVER_METRIC,
      statistic: 'Maximum',
      period: FAILED_OVER_ALARM_PERIOD_SECONDS,
      evaluationPeriods: FAILED_OVER_ALARM_EVALUATION_PERIODS,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'ignore',
    });
    this.healthCheck = new Route53HealthCheck(this, 'health-check', {
      type: 'CLOUDWATCH_METRIC',
      cloudwatchAlarmName: this.alarm.alarmName,
      cloudwatchAlarmRegion: props.standbyRegion,
      insufficientDataHealthStatus: 'LastKnownStatus',
      tags: { Name: literal(failedOverAlarmName(props.deployment)) },
      // Replaced (another standby region), the new one first: the records move to it before the old one goes, never
      // left on a deleted health check, whose status Route 53 no longer predicts (API Reference, DeleteHealthCheck).
      lifecycle: { createBeforeDestroy: true },
    });

    if (props.records.length === 0) return;
    const parameter = `${props.parameterPath}${STANDBY_TARGET_PARAMETER}`;
    // A path read, which finds nothing (not an error) while the parameter is absent; its values are sensitive in the
    // provider's schema (SecureStrings), this one a String of nothing secret. Not recursive: the parameters directly
    // below the path, which is all the fence looks for too.
    const parameters = new DataAwsSsmParametersByPath(this, 'parameters', {
      provider,
      path: props.parameterPath,
      recursive: false,
      withDecryption: false,
    });
    this.listing = parameters;
    const target = new TerraformLocal(
      this,
      'target',
      `\${try(jsondecode(nonsensitive(zipmap(${parameters.fqn}.names, ${parameters.fqn}.values)[${hclString(parameter)}])), null)}`,
    );
    const kind = `try(${target.fqn}.type, "")`;
    const when = (condition: string) => Token.asNumber(`\${${condition} ? 1 : 0}`);

    props.records.forEach((record, i) => {
      const type = record.typeInput;
      if (type !== 'A' && type !== 'AAAA' && type !== 'CNAME')
        throw new Error(`StandbyDns ${this.node.path}: record ${record.node.path} is of type ${type}`);
      record.setIdentifier = PRIMARY_SET_ID;
      record.putFailoverRoutingPolicy({ type: 'PRIMARY' });
      record.healthCheckId = this.healthCheck.id;
      const alias = record.aliasInput as { name: string; zoneId: string } | undefined;
      if (alias) record.putAlias({ name: alias.name, zoneId: alias.zoneId, evaluateTargetHealth: false });

      const present = `length(${record.fqn}[*]) > 0`;
      const common = {
        zoneId: record.zoneIdInput!,
        name: record.nameInput!,
        setIdentifier: SECONDARY_SET_ID,
        failoverRoutingPolicy: { type: 'SECONDARY' },
        // After the record it pairs with: Route 53 refuses a failover record beside a simple one of the same name and type.
        dependsOn: [record],
      };
      if (type !== 'CNAME')
        this.secondaries.push(
          new Route53Record(this, `secondary-${i}-alias`, {
            ...common,
            count: when(`${present} && ${kind} == "alias"`),
            type,
            alias: { name: `\${${target.fqn}.dnsName}`, zoneId: `\${${target.fqn}.zoneId}`, evaluateTargetHealth: false },
          }),
        );
      if (type !== 'AAAA')
        this.secondaries.push(
          new Route53Record(this, `secondary-${i}-${type.toLowerCase()}`, {
            ...common,
            count: when(`${present} && ${kind} == "${type}"`),
            type,
            ttl: SECONDARY_TTL,
            records: [`\${${target.fqn}.target}`],
          }),
        );
    });

    addCheck(this, props.stackLevelName, [
      {
        condition: `\${contains(["alias", "A", "CNAME"], ${kind})}`,
        errorMessage:
          `The standby region ${props.standbyRegion} holds no SSM parameter ${parameter} naming the standby's load balancer ` +
          '(JSON with "type" alias, A or CNAME): the hostname has no SECONDARY record, and a failover cannot move the name yet. ' +
          "It is written once the standby's load balancer is made ahead (docs/development/standby-dns.md).",
      },
    ]);
  }
}
