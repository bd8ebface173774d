import { FAILED_OVER_METRIC, failedOverAlarmName, failedOverNamespace } from '../../lib/standby/standby-facts-keys';
import type { AwsClients } from './aws/clients';
import type { FailedOverMetric } from './aws/failover-metric';
import type { RecordTarget } from './hostname-record';
import type { StateResource } from './terraform';
import { StepFailed } from './throwaway';

// The hostname moved through a data plane (issue 91 item 1; docs/development/standby-dns.md): production's
// records of it are Route 53 failover routing (lib/standby/standby-dns.ts), PRIMARY on a health check that follows an
// alarm of the standby region. The failover writes the alarm's metric there (1), the failback writes it back (0):
// CloudWatch's PutMetricData in the standby region, no Route 53 API call. A deployment applied before that version
// has simple records, which the move changes with ChangeResourceRecordSets as before (served from us-east-1: AWS,
// "Fault Isolation Boundaries", Appendix A), with a warning.

/** The default budget of the move's wait (the alarm in ALARM or OK; records without failover routing: INSYNC), in minutes. */
export const SYNC_MINUTES = 10;

/** The SDK's side, loaded at the move only. */
const sdkSide = () => import('./aws/sdk-side');

/** A record's failover role as the AWS provider stores it (`failover_routing_policy`, a list of one block), or undefined. */
const roleOf = (r: StateResource): string | undefined => {
  const policy = r.attributes.failover_routing_policy;
  const type = Array.isArray(policy) ? (policy[0] as { type?: unknown } | undefined)?.type : undefined;
  return typeof type === 'string' ? type : undefined;
};

/** Whether production's records of the hostname are failover routing (applied with a version that makes them so). */
export function failoverRouted(records: readonly StateResource[]): boolean {
  return records.some((r) => roleOf(r) === 'PRIMARY');
}

/** The metric and alarm of the deployment `<name>` of `stack` (lib/standby/standby-facts-keys.ts). */
export function failedOverMetric(name: string, stack: string): FailedOverMetric {
  const prefix = `${name}-${stack}`;
  return { namespace: failedOverNamespace(prefix), metricName: FAILED_OVER_METRIC, alarmName: failedOverAlarmName(prefix) };
}

/** Where a record leads: an alias's DNS name or its first value, lower case without the final dot. */
const leadsTo = (r: StateResource): string => {
  const alias = Array.isArray(r.attributes.alias) ? (r.attributes.alias[0] as { name?: unknown } | undefined) : undefined;
  const value = alias?.name ?? (Array.isArray(r.attributes.records) ? r.attributes.records[0] : undefined);
  return String(value ?? '')
    .replace(/\.$/, '')
    .toLowerCase();
};

/**
 * Why the metric cannot move the name to `target`, or undefined: Route 53 answers with the SECONDARY records once the
 * PRIMARY's health check is unhealthy, so they must exist and lead to the standby the failover checked.
 */
export function secondaryProblem(records: readonly StateResource[], target: RecordTarget, host: string, parameter: string): string | undefined {
  const secondaries = records.filter((r) => roleOf(r) === 'SECONDARY');
  const at = (target.kind === 'A' ? target.address : target.dnsName).replace(/\.$/, '').toLowerCase();
  if (secondaries.length === 0)
    return `production's records of ${host} have no SECONDARY record: the standby region held no ${parameter} (where the standby's load balancer answers) when production was last applied, so nothing leads the name to the standby. Apply production once the parameter is there (its plan warns while it is not), then run the failover again`;
  const elsewhere = secondaries.filter((r) => leadsTo(r) !== at);
  if (elsewhere.length > 0)
    return `production's SECONDARY records of ${host} lead to ${[...new Set(elsewhere.map(leadsTo))].join(', ')}, not to the standby checked at ${at}: ${parameter} names another load balancer than the standby's. Apply production once it names the standby's, then run the failover again`;
  return undefined;
}

/**
 * The metric written in the standby region (1 to fail over, 0 to fail back), then its alarm followed until it is in
 * ALARM (or OK): Route 53's health check on it turns unhealthy (or healthy), and resolvers get the SECONDARY (or
 * PRIMARY) records as the records' TTL lets them. Throws StepFailed when the alarm does not get there in the budget.
 */
export async function moveByMetric(o: {
  readonly clients: AwsClients;
  readonly metric: FailedOverMetric;
  readonly to: 'standby' | 'primary';
  readonly region: string;
  readonly minutes: number;
  readonly interrupted: () => boolean;
  /** Called once the point was written: the name moves from then on. */
  readonly written: () => void;
}): Promise<void> {
  const [value, state] = o.to === 'standby' ? ([1, 'ALARM'] as const) : ([0, 'OK'] as const);
  const sdk = await sdkSide();
  const moved = await sdk.writeFailedOver(o.clients, o.metric, value, state, { budgetMs: o.minutes * 60_000, interrupted: o.interrupted }, o.written);
  if (!moved.reached)
    throw new StepFailed(
      `the alarm ${o.metric.alarmName} in ${o.region} is ${moved.state}, not ${state}, ${o.minutes} minutes after ${o.metric.namespace} ${o.metric.metricName} was set to ${value}: Route 53 follows the alarm, so the name has not moved yet (run again to wait on)`,
    );
}

/** The warning of a move made with Route 53's control plane: records applied before failover routing. */
export function globalMoveWarning(what: 'failover' | 'failback', stack: string): string {
  return `The ${what} moved the hostname with Route 53's ChangeResourceRecordSets, a control-plane call served from us-east-1 (AWS, "Fault Isolation Boundaries"): production's records are not failover routing yet. Apply production with this version (npm run cdktf -- deploy ${stack}, standby.region set) to make them so; the next ${what} then moves the name by a CloudWatch metric of the standby region alone (docs/development/standby-dns.md).`;
}
