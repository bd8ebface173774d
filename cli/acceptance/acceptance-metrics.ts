import { BACKUP_CREDENTIALS_FAILED_MARKER, BACKUP_CREDENTIALS_UNIT, CERT_RENEWAL_UNIT } from '../../lib/kubernetes/object-names';
import {
  BACKUP_CREDENTIALS_METRIC,
  CERTIFICATE_DAYS_LEFT_ALARM_DAYS,
  CERTIFICATE_DAYS_LEFT_METRIC,
  RESTART_HELD_METRIC,
  SERVER_DIMENSION,
  UNVERIFIED_ARTIFACT_METRIC,
} from '../../lib/kubernetes/server-metrics';
import type { Aws } from '../shared/aws';
import type { IoHost } from '../shared/io/io-host';
import { readDeploymentRecord } from '../shared/module-folder';
import { waitUntil } from '../shared/poll';
import { onServer } from '../shared/server-command';
import { serversOf } from '../shared/servers';
import type { Terraform } from '../shared/terraform';
import { type ModuleJson, StepFailed } from '../shared/throwaway';

// The acceptance run's `metrics` phase: each server's own metrics (sent from shell by cluster-lib.sh put_metric,
// signed by curl with the instance role's session credentials) read back from CloudWatch.
//
// The servers send them from timers (lib/kubernetes/private/server-units.ts): the certificate renewal, which sends
// CertificateDaysLeft and RestartHeld, first runs 2 to 3 hours after boot (OnBootSec=2h, RandomizedDelaySec=1h), then
// every 6 hours; the backup credentials' refresh runs a minute after boot and every 15 minutes, but sends
// BackupCredentialsFailed only after a failure (1) and at the first success after one (0). A run cannot wait hours
// for the one, and a healthy server never sends the other. So the phase starts, through SSM, the same services the
// timers start, once each, one server at a time: the renewal run as its timer would run it; the refresh with the
// file the script keeps while its last refresh failed put there first, so that a success takes the script's
// recovery path and sends 0 (no failure is caused: a refresh that fails sends 1, and the phase fails on it).

/** How long each server's metrics may take to be seen in CloudWatch once its services ran (a bound of ours). */
export const METRICS_MINUTES = 5;
/** The SSM command's budget: a renewal run that restarts its server waits up to RESTART_WAIT_SECONDS (900 s). */
const COMMAND_MINUTES = 20;
const CERT_RENEWAL_SERVICE = `${CERT_RENEWAL_UNIT}.service`;
const REFRESH_SERVICE = `${BACKUP_CREDENTIALS_UNIT}-refresh.service`;

/** A metric the phase requires of every server: which service sends it, and what value it must have. */
export interface ExpectedMetric {
  readonly metric: string;
  readonly service: string;
  readonly expected: string;
  readonly holds: (value: number) => boolean;
  /** Why it may not come, when the service logged no send of it. */
  readonly notSent: string;
}

export const EXPECTED_METRICS: readonly ExpectedMetric[] = [
  {
    metric: RESTART_HELD_METRIC,
    service: CERT_RENEWAL_SERVICE,
    expected: '0 (no restart held)',
    holds: (v) => v === 0,
    notSent: "the renewal run sends nothing while a restart is under way or the cluster's API does not answer (cert-renewal.sh report_hold)",
  },
  {
    metric: CERTIFICATE_DAYS_LEFT_METRIC,
    service: CERT_RENEWAL_SERVICE,
    // Under the alarm's threshold a fresh deployment would be alarming already.
    expected: `more than ${CERTIFICATE_DAYS_LEFT_ALARM_DAYS} (the alarm's threshold)`,
    holds: (v) => v > CERTIFICATE_DAYS_LEFT_ALARM_DAYS,
    notSent: "the renewal run found none of the server's leaf certificates (cert-renewal.sh report_days_left)",
  },
  {
    metric: BACKUP_CREDENTIALS_METRIC,
    service: REFRESH_SERVICE,
    expected: '0 (the refresh succeeded)',
    holds: (v) => v === 0,
    notSent: `the refresh did not take its recovery path (the failure marker ${BACKUP_CREDENTIALS_FAILED_MARKER} was not there before it, or bootstrap.env has no BACKUP_ROLE_ARN: backups off)`,
  },
];

/** One metric of one server as the report keeps it. */
export interface MetricArrival {
  readonly metric: string;
  readonly server: string;
  readonly instanceId: string;
  readonly expected: string;
  /** The value of what arrived (the mean of the new datapoints: one, unless a timer sent too). */
  readonly value?: number;
  readonly datapoints: number;
  /** The newest datapoint's timestamp (CloudWatch's minute), ISO. */
  readonly at?: string;
  /** Seconds from the phase's start until the run saw it in CloudWatch. */
  readonly seconds?: number;
  readonly arrived: boolean;
  /** Whether the value is the expected one. */
  readonly ok: boolean;
  /** What the server's journal said of the send (put_metric's line), when it said anything. */
  readonly sent?: string;
  /** Why it failed, in words, with the likely cause. */
  readonly why?: string;
}

/** The one shell command each server runs (AWS-RunShellScript, as root). */
export function serverCommand(): string {
  return [
    'since=$(date +%s)',
    `systemctl start ${CERT_RENEWAL_SERVICE}; echo "exit ${CERT_RENEWAL_SERVICE} $?"`,
    // The file the script keeps while its last refresh failed: a success now sends BackupCredentialsFailed 0.
    `install -D -m 0600 /dev/null ${BACKUP_CREDENTIALS_FAILED_MARKER}`,
    `systemctl start ${REFRESH_SERVICE}; echo "exit ${REFRESH_SERVICE} $?"`,
    `journalctl -u ${CERT_RENEWAL_SERVICE} -u ${REFRESH_SERVICE} --since "@$since" -o cat --no-pager | grep -E 'to CloudWatch|AssumeRole|refreshed' | tail -n 20`,
    '. /etc/os-release && echo "os $PRETTY_NAME"',
    'echo "curl $(curl --version | head -n 1)"',
  ].join('\n');
}

/** What a server's command printed: each service's exit, put_metric's lines by metric, its OS and curl. */
export interface ServerOutput {
  readonly exits: Readonly<Record<string, string>>;
  readonly sends: Readonly<Record<string, string>>;
  readonly other: readonly string[];
  readonly os?: string;
  readonly curl?: string;
}

export function parseServerOutput(text: string): ServerOutput {
  const exits: Record<string, string> = {};
  const sends: Record<string, string> = {};
  const other: string[] = [];
  let os: string | undefined;
  let curl: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const exit = /^exit (\S+) (\d+)$/.exec(line);
    // put_metric's two lines: "<NAME>=<VALUE> sent to CloudWatch (...)", "could not send <NAME>=<VALUE> to CloudWatch (HTTP n)".
    const send = /(?:^|: )(?:could not send )?([A-Za-z]+)=(-?[0-9.]+) (?:sent )?to CloudWatch/.exec(line);
    if (exit) exits[exit[1]] = exit[2];
    else if (line.startsWith('os ')) os = line.slice(3);
    else if (line.startsWith('curl ')) curl = line.slice(5);
    else if (send) sends[send[1]] = line.replace(/^[^:]*: /, '');
    else other.push(line.replace(/^[^:]*: /, ''));
  }
  return { exits, sends, other, ...(os ? { os } : {}), ...(curl ? { curl } : {}) };
}

/** Why a metric never arrived, from what its server said: the likely cause, in words, and where to look. */
export function likelyCause(e: ExpectedMetric, out: ServerOutput | undefined, namespace: string, region: string): string {
  if (!out) return `the SSM command did not finish on the server, so ${e.service} may not have run (SSM agent, instance state)`;
  const line = out.sends[e.metric];
  const status = line && /could not send/.test(line) ? /HTTP (\d{3})/.exec(line)?.[1] : undefined;
  if (status === '403')
    return `CloudWatch refused PutMetricData (HTTP 403): the node role's policy (cloudwatch:PutMetricData in ${namespace}), or the request's signature with the instance's session token (curl --aws-sigv4 and X-Amz-Security-Token: the curl of this server's OS)`;
  if (status === '000')
    return `PutMetricData got no answer or had no credentials (HTTP 000): IMDS (the instance role's credentials) or the way to monitoring.${region}.amazonaws.com (proxy, VPC endpoint)`;
  if (status) return `CloudWatch answered PutMetricData with HTTP ${status} (${line})`;
  if (line)
    return `the server logged "${line}", yet no datapoint was seen in ${namespace} within ${METRICS_MINUTES} minutes: the namespace or region the servers send to (RESTART_METRIC_NAMESPACE, AWS_REGION) is not the one the alarms read`;
  return `${e.service} logged no send of ${e.metric} (exit ${out.exits[e.service] ?? 'unknown'}): ${e.notSent}; see journalctl -u ${e.service} on the server`;
}

/** The namespace the deployment's alarms read the servers' metrics in (its RestartHeld alarm's); undefined with alarms off. */
export function metricNamespace(json: ModuleJson): string | undefined {
  const alarms = Object.values(json.resource?.aws_cloudwatch_metric_alarm ?? {}) as { metric_name?: unknown; namespace?: unknown }[];
  const namespace = alarms.find((a) => a.metric_name === RESTART_HELD_METRIC)?.namespace;
  return typeof namespace === 'string' && !namespace.includes('${') ? namespace : undefined;
}

/** The metrics each server sends into its own series (dimension Server: its place, `server-0`, ...). */
const PER_SERVER_METRICS: readonly string[] = [CERTIFICATE_DAYS_LEFT_METRIC];

/** Count and sum of each metric's datapoints in a window, and the newest datapoint's time. */
export type Totals = Record<string, { readonly count: number; readonly sum: number; readonly newest?: number }>;

/**
 * GetMetricData for the metrics, SampleCount and Sum a minute at a time from `since`: with no dimension (put_metric
 * sends none; CloudWatch matches a metric by its namespace, name and every dimension), but for the metrics each
 * server sends into its own series (CertificateDaysLeft: dimension Server, put_server_metric), read for `server`.
 * CloudWatch returns only the periods that hold data (none for a metric nobody sent yet: an empty answer, not an
 * error), the timestamps being the periods' starts; every page is read (NextToken). (ListMetrics is no help here: a
 * new metric takes up to 15 minutes to be listed.)
 */
export async function readTotals(
  aws: Aws,
  namespace: string,
  metrics: readonly string[],
  since: Date,
  until: Date,
  server?: string,
): Promise<Totals> {
  const queries = metrics.flatMap((metric, i) => {
    const own = PER_SERVER_METRICS.includes(metric);
    if (own && server === undefined) throw new Error(`internal: ${metric} is read for one server`);
    const dimensions = own ? { Dimensions: [{ Name: SERVER_DIMENSION, Value: server }] } : {};
    return (['SampleCount', 'Sum'] as const).map((stat) => ({
      Id: `${stat === 'Sum' ? 's' : 'n'}${i}`,
      MetricStat: { Metric: { Namespace: namespace, MetricName: metric, ...dimensions }, Period: 60, Stat: stat },
      ReturnData: true,
    }));
  });
  const { side, clients } = await aws.sdk();
  const series = await side.metricData(clients, queries, since, until);
  const points = (id: string) => series.find((r) => r.id === id)?.points ?? [];
  const totals: Totals = {};
  metrics.forEach((metric, i) => {
    const add = (list: readonly { value: number }[]) => list.reduce((a, p) => a + p.value, 0);
    const counts = points(`n${i}`);
    const stamps = counts.map((p) => p.at.getTime()).filter(Number.isFinite);
    totals[metric] = { count: add(counts), sum: add(points(`s${i}`)), ...(stamps.length > 0 ? { newest: Math.max(...stamps) } : {}) };
  });
  return totals;
}

/** A minute's start (CloudWatch rounds a recent StartTime down to the minute). */
const minuteOf = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000);

/** What the phase needs of the run. */
export interface MetricsContext {
  readonly aws: Aws;
  readonly terraform: Terraform;
  readonly json: ModuleJson;
  /** When the run started: a refused release file (UnverifiedArtifact) is looked for since then. */
  readonly runStartedAt: string;
  readonly interrupted: () => boolean;
  readonly evidence: (line: string) => void;
  readonly io: IoHost;
  /** Where the rows go (the report's `metrics`), kept as they come: a failure still reports what arrived. */
  readonly rows: MetricArrival[];
  /** The servers' operating system and curl, for the report's versions. */
  readonly versions: Record<string, string | undefined>;
}

/**
 * The phase: for each server in turn, its services run once through SSM, then its metrics read back from CloudWatch
 * until each has a new datapoint (a bounded poll); each must hold its expected value. A server's datapoints are told
 * from another's by order: the next server starts only once this one's arrived, or its budget ran out. Fails naming
 * every metric that did not arrive, or arrived with a wrong value, with the likely cause.
 */
export async function metricsPhase(c: MetricsContext): Promise<void> {
  const namespace = metricNamespace(c.json);
  if (!namespace) throw new StepFailed('the deployment has no RestartHeld alarm (alarms off?): the servers send their metrics only with alarms on');
  const state = await c.terraform.pull();
  const servers = serversOf(state, readDeploymentRecord(state));
  if (servers.length === 0) throw new StepFailed("the state holds none of the deployment's servers");
  const region = c.aws.region;
  const started = Date.now();
  const problems: string[] = [];
  const metrics = EXPECTED_METRICS.map((e) => e.metric);
  const systems = new Set<string>();
  for (const server of servers) {
    const before = await readTotals(c.aws, namespace, metrics, minuteOf(started), new Date(Date.now() + 60_000), server.name);
    c.io.info(
      'ACCEPTANCE_METRICS_STARTED',
      `  ${server.name} (${server.instanceId}): ${CERT_RENEWAL_SERVICE} and ${REFRESH_SERVICE} started once through SSM`,
      { server: server.name, instanceId: server.instanceId },
    );
    const { commandId, result } = await onServer(
      c,
      server,
      serverCommand(),
      `rancher-ha-aws acceptance: the metrics of ${server.name}`,
      COMMAND_MINUTES * 60_000,
    );
    const out = result ? parseServerOutput(result.output) : undefined;
    if (out?.os) systems.add(`${out.os}${out.curl ? `; ${out.curl.split(' ').slice(0, 2).join(' ')}` : ''}`);
    c.evidence(
      `${server.name} (${server.instanceId}), SSM command ${commandId}: ${
        out
          ? `${Object.entries(out.exits)
              .map(([s, code]) => `${s} exit ${code}`)
              .join(', ')}; ${out.os ?? 'OS unknown'}; ${out.curl ?? 'curl unknown'}`
          : `did not finish within ${COMMAND_MINUTES} minutes`
      }`,
    );
    for (const line of Object.values(out?.sends ?? {})) c.evidence(`${server.name}: ${line}`);
    // Until each metric has a datapoint past those counted before (or the budget ran out): the last look kept.
    let last = before;
    await waitUntil(METRICS_MINUTES * 60_000, c.interrupted, async () => {
      last = await readTotals(c.aws, namespace, metrics, minuteOf(started), new Date(Date.now() + 60_000), server.name);
      return metrics.every((m) => last[m].count > before[m].count) ? true : undefined;
    });
    const seenAt = Date.now();
    for (const e of EXPECTED_METRICS) {
      const was = before[e.metric];
      const now = last[e.metric];
      const datapoints = now.count - was.count;
      const row = { metric: e.metric, server: server.name, instanceId: server.instanceId, expected: e.expected, datapoints };
      const sent = out?.sends[e.metric];
      if (datapoints <= 0) {
        const why = `${e.metric} of ${server.name} (${server.instanceId}) did not arrive in CloudWatch (${namespace}) within ${METRICS_MINUTES} minutes: ${likelyCause(e, out, namespace, region)}`;
        c.rows.push({ ...row, arrived: false, ok: false, ...(sent ? { sent } : {}), why });
        problems.push(why);
        continue;
      }
      const value = (now.sum - was.sum) / datapoints;
      const ok = e.holds(value);
      const why = ok
        ? undefined
        : `${e.metric} of ${server.name} arrived as ${value}, not ${e.expected}${sent ? ` (the server logged "${sent}")` : ''}`;
      c.rows.push({
        ...row,
        value,
        ...(now.newest !== undefined ? { at: new Date(now.newest).toISOString() } : {}),
        seconds: Math.round((seenAt - started) / 1000),
        arrived: true,
        ok,
        ...(sent ? { sent } : {}),
        ...(why ? { why } : {}),
      });
      if (why) problems.push(why);
    }
    const mine = c.rows.filter((r) => r.instanceId === server.instanceId);
    c.io.info('ACCEPTANCE_METRICS_READ', `  ${server.name}: ${mine.map((r) => `${r.metric} ${r.arrived ? r.value : 'never arrived'}`).join(', ')}`, {
      server: server.name,
    });
  }
  if (systems.size > 0) c.versions["servers' OS"] = [...systems].join(' | ');
  // A refused release file since the run began: the alarm <name>-unverified-artifact would have fired.
  const refused = await readTotals(
    c.aws,
    namespace,
    [UNVERIFIED_ARTIFACT_METRIC],
    minuteOf(Date.parse(c.runStartedAt)),
    new Date(Date.now() + 60_000),
  );
  c.evidence(
    `${UNVERIFIED_ARTIFACT_METRIC} in ${namespace} since the run started: ${refused[UNVERIFIED_ARTIFACT_METRIC].count} datapoints (expected none)`,
  );
  if (refused[UNVERIFIED_ARTIFACT_METRIC].count > 0)
    problems.push(
      `a server sent ${UNVERIFIED_ARTIFACT_METRIC} during the run: it refused a release file (journalctl -u rancher-aws-bootstrap on it)`,
    );
  if (problems.length > 0) throw new StepFailed(problems.join('; '));
}
