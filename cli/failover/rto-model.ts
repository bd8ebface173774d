import { probeTiming, probeWorstCaseSeconds } from '../../lib/common/private/http-retry';
import { BACKUP_WAIT_MINUTES, HELM_GRACE_MINUTES, TIMEOUT_DEFAULTS } from '../../lib/config/wait-budgets';
import { LOAD_BALANCER_RECORD_TTL_SECONDS } from '../../lib/dns/record-ttl';
import { FAILED_OVER_ALARM_EVALUATION_PERIODS, FAILED_OVER_ALARM_PERIOD_SECONDS } from '../../lib/standby/standby-facts-keys';
import { AWS_DEFAULTS } from '../shared/aws/aws-defaults';
import { SYNC_MINUTES } from '../shared/dns-move';
import { POLL_INTERVAL_MS } from '../shared/poll';
import { PING_CURL_SECONDS, PING_MINUTES } from '../shared/served-ca';
import { INIT_TIMEOUT_MS, SYNTH_TIMEOUT_MS } from '../shared/throwaway';
import { FAILOVER_APPLY_TIMEOUT_MS, STATE_PULL_TIMEOUT_MS } from './pilot-light';
import { PRIMARY_PROBE_COUNT, PROBE_MAX_SECONDS } from './primary-probe';

// The failover's recovery time, modelled (issue 91, "Numbers"; docs/development/standby-rto.md): from the failover's
// start to /ping answering by the hostname from the standby with the CA checked, phase by phase, per stack. Each term
// has two figures:
// - worst: the longest a run that succeeds can spend there. Where AWS documents the time (CloudWatch's alarm
//   evaluation, Route 53's health checkers, an ELB alias's TTL) that time plus the code's polling; where nothing
//   upstream bounds it (RKE2's first start, a chart install, a restore, a local synth), the wait's own budget in the
//   code or in the synthesized Terraform (each wait gives up there: a run that succeeds took less);
// - expected: the documented time where there is one, else an estimate (ESTIMATES, named as such: the acceptance run
//   measures them on an account).
// Every budget is imported from where the code uses it, so raising one raises the model.

/** The recovery time the failover is held to (issue 91, "Numbers"), in minutes. */
export const RTO_TARGET_MINUTES = 30;

/** The stacks a failover stands up, as the model tells them apart. */
export const RTO_STACKS = ['rke-ha RKE2', 'rke-ha K3s', 'k8s-ha'] as const;
export type RtoStack = (typeof RTO_STACKS)[number];

/** The model's phases: the failover's plan (before its record is written), then FAILOVER_PHASES. */
export const RTO_PHASES = ['plan', 'synth', 'apply', 'check', 'move', 'ping'] as const;
export type RtoPhase = (typeof RTO_PHASES)[number];

/**
 * AWS's documented times, as the model uses them (docs/development/standby-rto.md cites each). In words:
 * - CloudWatch evaluates a metric alarm whose period is a minute or more once a minute, over its latest periods
 *   (CloudWatch User Guide, "Using Amazon CloudWatch alarms" and "Alarm evaluation");
 * - Route 53's health checkers ask every 30 seconds by default and change a check's status after 3 consecutive results
 *   by default (API Reference, HealthCheckConfig: RequestInterval, FailureThreshold). A check of type
 *   CLOUDWATCH_METRIC follows the alarm's data stream instead (Developer Guide, "How Amazon Route 53 determines whether
 *   a health check is healthy"), for which no delay is documented: the model takes the endpoint checks' defaults;
 * - an alias record to an ELB load balancer answers with a fixed TTL of 60 seconds (Route 53 FAQ, DNS failover);
 * - the AWS provider gives up on an instance that is not running after 10 minutes and on an RDS instance that is not
 *   available after 40 (its default create timeouts of aws_instance and aws_db_instance): AWS documents no launch time.
 */
export const AWS_TIMES = {
  alarmEvaluationSeconds: 60,
  healthCheckIntervalSeconds: 30,
  healthCheckFailureThreshold: 3,
  elbAliasTtlSeconds: 60,
  instanceCreateTimeoutSeconds: 600,
  dbInstanceCreateTimeoutSeconds: 2_400,
} as const;

/**
 * Times nothing upstream documents, estimated for the expected figure only (never the worst): what a run in a
 * typical region takes. The acceptance run (docs/acceptance.md) measures the real ones.
 */
export const ESTIMATES = {
  sdkReadsSeconds: 10,
  synthSeconds: 60,
  initSeconds: 40,
  instanceRunningSeconds: 60,
  rke2FirstServerSeconds: 240,
  k3sFirstServerSeconds: 120,
  serverJoinSeconds: 90,
  gateJobSeconds: 30,
  chartSeconds: 60,
  restoreSeconds: 120,
  rancherRolloutSeconds: 240,
  firstBackupSeconds: 90,
} as const;

/** One term of the model. */
export interface RtoTerm {
  readonly phase: RtoPhase;
  readonly what: string;
  readonly expectedSeconds: number;
  readonly worstSeconds: number;
  /** Where the worst figure comes from: the constant in the code, or AWS's documented time. */
  readonly source: string;
}

/** A stack's model. */
export interface RtoModel {
  readonly stack: RtoStack;
  readonly terms: readonly RtoTerm[];
  /** Each phase's sums, the apply's worst capped at the failover's own apply timeout (FAILOVER_APPLY_TIMEOUT_MS). */
  readonly phases: Readonly<Record<RtoPhase, { readonly expectedSeconds: number; readonly worstSeconds: number }>>;
  readonly expectedSeconds: number;
  readonly worstSeconds: number;
  /**
   * Where a wait of the failover gives up before AWS's documented time is over (the move's SYNC_MINUTES under the
   * alarm's evaluation, the ping's PING_MINUTES under the health check and the TTL): a failover would fail where AWS
   * works as documented. Empty when every budget covers it.
   */
  readonly budgetProblems: readonly string[];
}

/** The `timeouts.*` of a deployment, in minutes. */
export type RtoTimeouts = Record<keyof typeof TIMEOUT_DEFAULTS, number>;

const minutes = (m: number) => m * 60;
/** The longest a gate's or an operator Job's Helm release waits (gate-chart.ts: the Job's budget and Helm's grace). */
const jobRelease = (m: number) => minutes(m + HELM_GRACE_MINUTES);
/** The longest an `http` readiness data source of a budget of `m` minutes retries (http-retry.ts). */
const probe = (m: number) => probeWorstCaseSeconds(probeTiming(m));

/** The terms before and around the apply that every stack shares, and the DNS move's and the ping's. */
function sharedTerms(stack: RtoStack, applyTerms: RtoTerm[]): RtoTerm[] {
  const sdkCallWorst = (AWS_DEFAULTS.maxAttempts * AWS_DEFAULTS.requestTimeoutMs) / 1000;
  const probes = PRIMARY_PROBE_COUNT * 2 * PROBE_MAX_SECONDS + ((PRIMARY_PROBE_COUNT - 1) * POLL_INTERVAL_MS) / 1000;
  const alarm = FAILED_OVER_ALARM_PERIOD_SECONDS * FAILED_OVER_ALARM_EVALUATION_PERIODS + AWS_TIMES.alarmEvaluationSeconds;
  const look = POLL_INTERVAL_MS / 1000 + PING_CURL_SECONDS;
  const healthCheck = AWS_TIMES.healthCheckIntervalSeconds * AWS_TIMES.healthCheckFailureThreshold;
  const ttl = stack === 'k8s-ha' ? Math.max(LOAD_BALANCER_RECORD_TTL_SECONDS, AWS_TIMES.elbAliasTtlSeconds) : AWS_TIMES.elbAliasTtlSeconds;
  return [
    {
      phase: 'plan',
      what: "production's facts, the copy's backups and the backup's CA member read in the standby region",
      expectedSeconds: ESTIMATES.sdkReadsSeconds,
      worstSeconds: sdkCallWorst,
      source: 'one SDK call retried to its last attempt: AWS_DEFAULTS maxAttempts x requestTimeoutMs (cli/shared/aws/aws-defaults.ts)',
    },
    {
      phase: 'plan',
      what: 'the primary probed, lost: every curl at the hostname and at its load balancer runs to its limit',
      expectedSeconds: probes,
      worstSeconds: probes,
      source: 'PRIMARY_PROBE_COUNT x 2 targets x PROBE_MAX_SECONDS, and POLL_INTERVAL_MS between probes (primary-probe.ts)',
    },
    {
      phase: 'synth',
      what: "the standby's state bucket named (SSM), its settings written, the app synthesized",
      expectedSeconds: ESTIMATES.synthSeconds,
      worstSeconds: SYNTH_TIMEOUT_MS / 1000,
      source: 'SYNTH_TIMEOUT_MS (cli/shared/throwaway.ts): a local process, nothing upstream bounds it',
    },
    {
      phase: 'apply',
      what: 'terraform init and state pull (the pilot light held: -refresh=false), init again for the apply',
      expectedSeconds: ESTIMATES.initSeconds,
      worstSeconds: (2 * INIT_TIMEOUT_MS + STATE_PULL_TIMEOUT_MS) / 1000,
      source: 'INIT_TIMEOUT_MS twice, STATE_PULL_TIMEOUT_MS (throwaway.ts, pilot-light.ts)',
    },
    ...applyTerms,
    {
      phase: 'check',
      what: "pong at the standby's load balancer, its published CA read and the chain verified",
      expectedSeconds: 3,
      worstSeconds: 3 * PING_CURL_SECONDS,
      source:
        "three curls of PING_CURL_SECONDS (served-ca.ts): the apply's own /ping probe answered at that address already, so the first look answers",
    },
    {
      phase: 'move',
      what: 'the fence and the metric written in the standby region, the alarm followed until ALARM',
      expectedSeconds: Math.round(alarm / 2 + POLL_INTERVAL_MS / 2000),
      worstSeconds: alarm + POLL_INTERVAL_MS / 1000,
      source: `the alarm's period x evaluation periods (${FAILED_OVER_ALARM_PERIOD_SECONDS} s x ${FAILED_OVER_ALARM_EVALUATION_PERIODS}, standby-facts-keys.ts) and CloudWatch's evaluation each minute, one DescribeAlarms poll (POLL_INTERVAL_MS)`,
    },
    {
      phase: 'ping',
      what: "Route 53's health check follows the alarm: the PRIMARY unhealthy, the SECONDARY answers",
      expectedSeconds: healthCheck / 2,
      worstSeconds: healthCheck,
      source: "Route 53's health checkers: default interval x failure threshold (no delay documented for CLOUDWATCH_METRIC checks)",
    },
    {
      phase: 'ping',
      what: "resolvers let go of the PRIMARY's answer (its TTL)",
      expectedSeconds: ttl / 2,
      worstSeconds: ttl,
      source:
        stack === 'k8s-ha'
          ? "LOAD_BALANCER_RECORD_TTL_SECONDS (lib/dns/record-ttl.ts) or an ELB alias's fixed 60 s (Route 53 FAQ)"
          : "an ELB alias's fixed TTL of 60 s (Route 53 FAQ)",
    },
    {
      phase: 'ping',
      what: '/ping by the hostname with the CA: one poll and one look',
      expectedSeconds: look / 2,
      worstSeconds: look,
      source: 'POLL_INTERVAL_MS and PING_CURL_SECONDS (poll.ts, served-ca.ts)',
    },
  ];
}

/**
 * The synthesized standby's waits in the order the apply meets them (readiness data sources, gates, charts: each a
 * dependency of the next), with the `timeouts.*` of `t`. Waits that run side by side count once, the longer.
 */
function applyTerms(stack: RtoStack, t: RtoTimeouts): RtoTerm[] {
  const terms: RtoTerm[] = [];
  const add = (what: string, expectedSeconds: number, worstSeconds: number, source: string) =>
    terms.push({ phase: 'apply', what, expectedSeconds, worstSeconds, source });
  // Made by the prepare (the pilot light, pilot-light.ts AHEAD), not by the failover: expected 0. Its worst stays the
  // create timeout, for a standby prepared before the pilot light made it, whose failover still makes it.
  if (stack === 'rke-ha K3s')
    add(
      "K3s' datastore: the pilot light's RDS instance, found available",
      0,
      AWS_TIMES.dbInstanceCreateTimeoutSeconds,
      "made by the prepare (pilotLightTargets, pilot-light.ts); the AWS provider's default create timeout of aws_db_instance where a standby was prepared before it and the failover makes it",
    );
  if (stack !== 'k8s-ha') {
    const servers = stack === 'rke-ha RKE2' ? 3 : 2;
    add(
      'the servers launched (running)',
      ESTIMATES.instanceRunningSeconds,
      AWS_TIMES.instanceCreateTimeoutSeconds,
      "the AWS provider's default create timeout of aws_instance",
    );
    add(
      `the first server installs ${stack === 'rke-ha RKE2' ? 'RKE2' : 'K3s'} and starts: /readyz answers`,
      stack === 'rke-ha RKE2' ? ESTIMATES.rke2FirstServerSeconds : ESTIMATES.k3sFirstServerSeconds,
      probe(t.apiMinutes),
      'the api-readiness http probe: timeouts.apiMinutes (lib/rancher/api-readiness.ts, http-retry.ts); the boot loader waits inside it',
    );
    add(
      'the kubernetes-upgraded gate (nothing to upgrade on a new cluster)',
      ESTIMATES.gateJobSeconds,
      jobRelease(t.upgradeMinutes * servers),
      `timeouts.upgradeMinutes x ${servers} servers, and HELM_GRACE_MINUTES (gate-chart.ts)`,
    );
    add(
      'servers-ready and ingress-ready gates (side by side): every server joined, one after another',
      ESTIMATES.serverJoinSeconds * (servers - 1),
      jobRelease(Math.max(t.serversMinutes, t.ingressMinutes)),
      'timeouts.serversMinutes (the longer), and HELM_GRACE_MINUTES',
    );
  } else {
    add('the ingress-ready gate', ESTIMATES.gateJobSeconds, jobRelease(t.ingressMinutes), 'timeouts.ingressMinutes, and HELM_GRACE_MINUTES');
  }
  add(
    "cert-manager's release, beside rancher-backup's two charts and the restore of the backup",
    Math.max(ESTIMATES.chartSeconds, 2 * ESTIMATES.chartSeconds + ESTIMATES.restoreSeconds),
    Math.max(minutes(t.certManagerMinutes), 2 * minutes(BACKUP_WAIT_MINUTES) + jobRelease(BACKUP_WAIT_MINUTES)),
    'BACKUP_WAIT_MINUTES per chart and for the restore Job, with HELM_GRACE_MINUTES (lib/config/wait-budgets.ts); timeouts.certManagerMinutes beside them',
  );
  add('the Rancher release rolled out', ESTIMATES.rancherRolloutSeconds, minutes(t.rancherMinutes), 'timeouts.rancherMinutes (Helm timeout)');
  add(
    'the certificate-ready gate',
    ESTIMATES.gateJobSeconds,
    jobRelease(t.certificateMinutes),
    'timeouts.certificateMinutes, and HELM_GRACE_MINUTES',
  );
  add(
    `/ping at the standby's ${stack === 'k8s-ha' ? 'ingress' : 'load balancer'} (rancher-readiness)`,
    POLL_INTERVAL_MS / 1000,
    probe(t.pingMinutes),
    'the rancher-readiness http probe: timeouts.pingMinutes (lib/rancher/rancher-readiness.ts)',
  );
  add(
    "the backups' record and the first backup",
    ESTIMATES.firstBackupSeconds,
    jobRelease(BACKUP_WAIT_MINUTES),
    'BACKUP_WAIT_MINUTES, and HELM_GRACE_MINUTES',
  );
  return terms;
}

/** The failover's apply gives up after this many seconds (FAILOVER_APPLY_TIMEOUT_MS), whatever the waits inside it allow. */
const APPLY_CAP_SECONDS = FAILOVER_APPLY_TIMEOUT_MS / 1000;

/** The model of a stack's failover, with the `timeouts.*` of its settings (the defaults unless given). */
export function rtoModel(stack: RtoStack, timeouts: Partial<RtoTimeouts> = {}): RtoModel {
  const t: RtoTimeouts = { ...TIMEOUT_DEFAULTS, ...timeouts };
  const terms = sharedTerms(stack, applyTerms(stack, t));
  const phases = Object.fromEntries(
    RTO_PHASES.map((phase) => {
      const of = terms.filter((term) => term.phase === phase);
      const worst = of.reduce((total, term) => total + term.worstSeconds, 0);
      return [
        phase,
        {
          expectedSeconds: of.reduce((total, term) => total + term.expectedSeconds, 0),
          worstSeconds: phase === 'apply' ? Math.min(worst, APPLY_CAP_SECONDS) : worst,
        },
      ];
    }),
  ) as RtoModel['phases'];
  const total = (pick: (p: RtoModel['phases'][RtoPhase]) => number) => RTO_PHASES.reduce((sum, phase) => sum + pick(phases[phase]), 0);
  return {
    stack,
    terms,
    phases,
    expectedSeconds: total((p) => p.expectedSeconds),
    worstSeconds: total((p) => p.worstSeconds),
    budgetProblems: budgetProblems(phases),
  };
}

/** The seconds a wait of `budgetMinutes` polls at least (waitUntil: that many looks, POLL_INTERVAL_MS apart). */
const polledSeconds = (budgetMinutes: number) =>
  ((Math.max(1, Math.ceil((minutes(budgetMinutes) * 1000) / POLL_INTERVAL_MS)) - 1) * POLL_INTERVAL_MS) / 1000;

function budgetProblems(phases: RtoModel['phases']): string[] {
  const problems: string[] = [];
  if (polledSeconds(SYNC_MINUTES) < phases.move.worstSeconds)
    problems.push(`SYNC_MINUTES (${SYNC_MINUTES}) polls ${polledSeconds(SYNC_MINUTES)} s, under the alarm's ${phases.move.worstSeconds} s`);
  if (polledSeconds(PING_MINUTES) < phases.ping.worstSeconds)
    problems.push(`PING_MINUTES (${PING_MINUTES}) polls ${polledSeconds(PING_MINUTES)} s, under the name's move of ${phases.ping.worstSeconds} s`);
  return problems;
}

/** Whole minutes, rounded up. */
export const inMinutes = (seconds: number): number => Math.ceil(seconds / 60);

/** The model's stack for the failover's: rke-ha's distribution from its settings (`rkeHa.distribution`, rke2 by default). */
export function rtoStackOf(stack: string, settings: Record<string, unknown>): RtoStack {
  if (stack === 'k8s-ha') return 'k8s-ha';
  const rkeHa = settings.rkeHa as { distribution?: unknown } | undefined;
  return rkeHa?.distribution === 'k3s' ? 'rke-ha K3s' : 'rke-ha RKE2';
}

/** The `timeouts.*` a settings file sets (numbers only: the rest is the schema's to refuse). */
export function timeoutsOf(settings: Record<string, unknown>): Partial<RtoTimeouts> {
  const given = settings.timeouts;
  if (given === null || typeof given !== 'object') return {};
  return Object.fromEntries(
    Object.entries(given).filter(([key, value]) => Object.hasOwn(TIMEOUT_DEFAULTS, key) && typeof value === 'number' && Number.isFinite(value)),
  );
}

/** The dry run's line: the modelled RTO against the target, and the phase that takes most of a worst case over it. */
export function rtoPlanLine(stack: RtoStack, timeouts?: Partial<RtoTimeouts>): string {
  const model = rtoModel(stack, timeouts);
  const worst = inMinutes(model.worstSeconds);
  const [phase, most] = Object.entries(model.phases).sort(([, a], [, b]) => b.worstSeconds - a.worstSeconds)[0];
  return `  RTO modelled (${stack}, docs/development/standby-rto.md): about ${inMinutes(model.expectedSeconds)} minutes; at most ${worst} before a wait gives up${
    worst > RTO_TARGET_MINUTES
      ? `, over the ${RTO_TARGET_MINUTES}-minute target (the ${phase}'s budgets: ${inMinutes(most.worstSeconds)} minutes)`
      : ''
  }`;
}
