import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AcceptancePhase, type AcceptanceReport, notProven } from './acceptance-report';
import { acceptanceSettings, type AcceptanceStack, UPGRADE } from './acceptance-settings';
import {
  agentLog,
  describeCheck,
  DOWNSTREAM_MINUTES,
  type DownstreamCheck,
  type DownstreamContext,
  notUp,
  waitDownstreamUp,
} from './acceptance-downstream';
import type { MigrateRecord } from './acceptance-migrate';
import type { Clock } from './acceptance-probes';
import type { Aws, AwsByRegion } from '../shared/aws';
import type { ClientsOfRegion } from '../shared/aws/clients';
import type { DrillEntry, FailbackEntry, FailoverEntry, RollEntry, RotateEntry, TeardownEntry } from '../shared/command-entries';
import type { FailoverPhaseRecord } from './acceptance-failover';
import { kubeApiFor, kubeApiOn } from '../shared/kube-api-for';
import type { KubeApi } from '../shared/kube/kube-api';
import { runAsync } from '../shared/process';
import { rancherLogin } from '../shared/rancher-api';
import { StateFile } from '../shared/state-file';
import { Terraform } from '../shared/terraform';
import type { IoHost } from '../shared/io/io-host';
import { type CaReader, type ModuleJson, type PhaseRun, rancherCa, StepFailed, type Stoppable } from '../shared/throwaway';
import { acceptancePhaseRunner } from './acceptance-progress';
import { readableError } from '../shared/tool-output';

// A run once it started (docs/acceptance.md): its folder, record and report, the one stop for a signal and the
// budget, and Rancher as the phases reach it. acceptance.ts decides and states the run (RunPlan), starts it here,
// runs the phases (acceptance-phases.ts), then closes it.

export interface AcceptanceOptions {
  /** The stack to prove: rke-ha, k8s-ha or docker. */
  readonly stack: string;
  /** The region to run in: the user's choice, never a default. */
  readonly region: string | undefined;
  /** The deployment's name. @default acc-<run id> */
  readonly name?: string;
  /** A settings file whose shape the run takes (sizes, versions but Kubernetes', proxy...). @default none: every default */
  readonly settingsPath?: string;
  /** The acceptance runs' folder: one folder per run (settings, module, state, reports). */
  readonly root: string;
  /** The node script that synthesizes the app (scripts/synth.js of the checkout). */
  readonly synthScript: string;
  /** docs/deployer-policy.json of the checkout. */
  readonly policyFile: string;
  /** The project's package.json (its version goes into the report). */
  readonly packageFile: string;
  /** Run only these of CHOSEN_PHASES (with deploy, teardown and sweep). */
  readonly only?: readonly string[];
  /** Add these of OPTIONAL_PHASES to the default set. */
  readonly with?: readonly string[];
  /** Leave these of CHOSEN_PHASES out. */
  readonly skip?: readonly string[];
  /** Start without the typed confirmation. @default false */
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  /** The whole run's time budget: past it, the run stops where it is and tears down. @default 240 */
  readonly budgetMinutes?: number;
  /** Only tear down the run with this id (one an earlier run left: killed, or its teardown failed). */
  readonly teardownRun?: string;
  /** Budget for /ping once the apply is done. @default 10 */
  readonly pingMinutes?: number;
  /** Budget for the downstream cluster to be Active and connected after each phase. @default 10 (DOWNSTREAM_MINUTES.active) */
  readonly downstreamMinutes?: number;
  /** k8s-ha: the kubeconfig file of the cluster the run installs Rancher onto. */
  readonly kubeconfig?: string;
  /** k8s-ha: the context of that file. @default its current context */
  readonly context?: string;
  /** k8s-ha: the public Route53 zone (yours) that gets the run's own record, `<name>.<zone>`. */
  readonly hostedZone?: string;
  /** rke-ha's failover phase: the role the failover's credentials are of. @default the caller's own, when it is an assumed role */
  readonly outageRole?: string;
  readonly ask: (question: string) => Promise<string | undefined> | string | undefined;
  /** Aborted on the first signal: the command in flight is stopped, then the teardown runs. */
  readonly stop?: AbortSignal;
  /** The commands the run runs as a person would (cli/main.ts gives them: cli/shared/command-entries.ts). */
  readonly commands: AcceptanceCommands;
  /**
   * The AWS SDK clients by region, for the run and the commands it runs (the tests' fake cloud behind the SDK, when
   * the run is driven in their process). @default each region's from the standard settings
   */
  readonly aws?: ClientsOfRegion;
  /** Where the run tells everything (cli/shared/io/): the command line's host; the commands it runs tell through it too. */
  readonly io: IoHost;
  /** The run's clock, which the availability probes of the upgrade, roll and rotate phases keep time by. @default the wall clock */
  readonly clock?: Clock;
}

/** The other commands an acceptance run runs: its roll, rotate, drill, failover and teardown phases, and its teardown. */
export interface AcceptanceCommands {
  readonly roll: RollEntry;
  readonly rotate: RotateEntry<'token'>;
  readonly rotateEncryptionKey: RotateEntry<'encryption-key'>;
  readonly drill: DrillEntry;
  readonly failover: FailoverEntry;
  readonly failback: FailbackEntry;
  readonly teardown: TeardownEntry;
}

/** The commands with the caller's AWS clients bound: each reaches AWS through them, as the run does. */
export function withClients(commands: AcceptanceCommands, aws: ClientsOfRegion | undefined): AcceptanceCommands {
  if (aws === undefined) return commands;
  return {
    roll: (o) => commands.roll({ ...o, aws }),
    rotate: (o) => commands.rotate({ ...o, aws }),
    rotateEncryptionKey: (o) => commands.rotateEncryptionKey({ ...o, aws }),
    drill: (o) => commands.drill({ ...o, aws }),
    // The failover's own clients when the run gives it some (its outage: acceptance-outage.ts), else the run's.
    failover: (o) => commands.failover({ ...o, clients: o.clients ?? aws }),
    failback: (o) => commands.failback({ ...o, clients: aws }),
    teardown: (o) => commands.teardown({ ...o, aws }),
  };
}

/** What a run keeps in `<root>/<run id>/run.json`: enough for `--teardown-run <run id>` to find what it left. */
export interface RunRecord {
  readonly runId: string;
  readonly stack: string;
  readonly name: string;
  readonly region: string;
  readonly moduleDir: string;
  readonly startedAt: string;
  readonly phase: AcceptancePhase;
  /** Whether terraform ran in the run's folder (before: nothing of it exists in AWS). */
  readonly applied: boolean;
  readonly done: boolean;
  /** k8s-ha: the cluster the run installs onto (a file's path and a context: no secret), for a later --teardown-run. */
  readonly cluster?: { readonly kubeconfig: string; readonly context?: string };
  /** k8s-ha: the namespaces the run's module creates in that cluster (none existed before; each must be gone after). */
  readonly namespaces?: readonly string[];
  /** k8s-ha: the cluster's namespaces before the apply (the sweep tells those that came with Rancher from the user's). */
  readonly namespacesBefore?: readonly string[];
  /** k8s-ha: the one-time Backup object was asked for (not in the module: the teardown deletes it itself). */
  readonly backupCreated?: boolean;
  /** The downstream cluster: its module's folder (written before its apply), its instance, its id in Rancher. */
  readonly downstream?: { readonly dir: string; readonly instanceId?: string; readonly clusterId?: string };
  /** docker's migrate phase: its shared module (written before the deploy), the rke-ha target, the docker retired. */
  readonly migrate?: MigrateRecord;
  /** rke-ha with a standby: the failover phase's folders and steps done (acceptance-failover.ts). */
  readonly failover?: FailoverPhaseRecord;
}

/** What the checks before a run decided and its statement named: the run starts from it. */
export interface RunPlan {
  readonly stack: AcceptanceStack;
  readonly region: string;
  readonly phases: ReadonlySet<AcceptancePhase>;
  /** The settings the run's file starts from (--settings; none: every default). */
  readonly base: Record<string, unknown>;
  /** rke-ha with its upgrade phase: the deploy starts from UPGRADE.from. */
  readonly upgrade: boolean;
  readonly runId: string;
  readonly name: string;
  /** AWS in the run's region. */
  readonly aws: Aws;
  /** AWS by region (the standby's, the sweep's, CloudTrail's): the run's region gives `aws`. */
  readonly awsIn: AwsByRegion;
  /** Who runs it (sts get-caller-identity): the principal whose CloudTrail events the report reads. */
  readonly identity?: { readonly Arn?: string; readonly Account?: string };
  /** The failover phase: the role whose credentials, the primary's region denied, the failover runs with (acceptance-outage.ts). */
  readonly outageRole?: string;
  /** k8s-ha: the cluster named on the command line. */
  readonly cluster?: { readonly kubeconfig: string; readonly context?: string };
  readonly budgetMinutes: number;
  readonly runDir: string;
  readonly outdir: string;
  readonly moduleDir: string;
}

/**
 * A started run, as every phase takes it. `url`, `json` and `adminToken` are filled in as the phases learn them
 * (the deploy's output, its module, admin's login); everything else is fixed when the run starts.
 */
export interface AcceptanceRun {
  readonly options: AcceptanceOptions;
  readonly plan: RunPlan;
  readonly settingsFile: string;
  readonly record: StateFile<RunRecord>;
  readonly report: AcceptanceReport;
  readonly files: ReportFiles;
  /** The record as last written. */
  readonly current: RunRecord;
  readonly terraform: Terraform;
  readonly caFile: string;
  /** Rancher's address: the deploy's rancher_url output, once the deploy ran. */
  url: string;
  /** The synthesized module, once the deploy read it. */
  json: ModuleJson | undefined;
  /** admin's login token for the downstream cluster's calls: one login kept for the run (the migrate phase's replaces it). */
  adminToken: string | undefined;
  /** Aborted on a signal or when the budget runs out: the command in flight stops, the phases end. */
  readonly halt: AbortSignal;
  readonly stoppable: Stoppable;
  readonly downstream: DownstreamContext;
  /** One phase run, timed and recorded in the report (phaseRunner). */
  readonly phase: PhaseRun<AcceptancePhase>;
  readonly writeSettings: (kubernetes?: string) => void;
  readonly update: (change: Partial<RunRecord>) => void;
  readonly evidence: (phase: AcceptancePhase, line: string) => void;
  readonly interrupted: () => boolean;
  /**
   * The Kubernetes API of the cluster Rancher runs in, through the client: rke-ha's own (its kubeconfig output),
   * k8s-ha's the one named (its context); the docker host has none.
   */
  readonly kube: () => Promise<KubeApi>;
  readonly readCa: (caFile: string, why: (text: string) => void) => Promise<boolean>;
  /**
   * The downstream cluster Active with its agent connected, looked at until it is (a bounded poll): the check after
   * a phase that replaced or restored Rancher's servers, with the time it took in the report. Nothing to look at
   * when the downstream phase was not chosen.
   */
  readonly checkDownstream: (after: AcceptancePhase, label?: string) => Promise<void>;
  readonly budgetRanOut: () => boolean;
  /** The budget's timer stopped (the phases ended). */
  readonly stopBudgetTimer: () => void;
  /** The signal no longer stops the run (it is closing: the teardown waits for itself). */
  readonly stopListening: () => void;
}

/** The run of the time budget: true once it ran out. */
export function overBudget(startedMs: number, nowMs: number, budgetMinutes: number): boolean {
  return nowMs - startedMs > budgetMinutes * 60_000;
}

/** The run's folder, settings file, record and report written, and the budget's clock started. */
export function startRun(options: AcceptanceOptions, plan: RunPlan): AcceptanceRun {
  const { io } = options;
  const { stack, name, runId, region, runDir, moduleDir, cluster, budgetMinutes } = plan;
  mkdirSync(runDir, { recursive: true });
  const settingsFile = join(runDir, 'settings.json');
  const now = new Date();
  const writeSettings = (kubernetes?: string) =>
    writeFileSync(
      settingsFile,
      `${JSON.stringify(acceptanceSettings(plan.base, { name, runId, region, kubernetes, stack, hostedZone: options.hostedZone, now }), null, 2)}\n`,
    );
  // Without the upgrade phase nothing starts from UPGRADE.from: the run deploys the stack's default version.
  writeSettings(plan.upgrade ? undefined : UPGRADE.to);
  const record = new StateFile<RunRecord>(join(runDir, 'run.json'));
  let current: RunRecord = {
    runId,
    stack,
    name,
    region,
    moduleDir,
    startedAt: now.toISOString(),
    phase: 'deploy',
    applied: false,
    done: false,
    ...(cluster ? { cluster } : {}),
  };
  record.write(current);
  const report: AcceptanceReport = {
    version: 1,
    stack,
    runId,
    name,
    region,
    startedAt: current.startedAt,
    versions: { project: projectVersion(options.packageFile), region },
    phases: [],
    evidence: {},
    notProven: notProven(stack, plan.phases.has('migrate')),
  };
  const files = reportFiles(runDir);
  const update = (change: Partial<RunRecord>) => {
    current = { ...current, ...change };
    record.write(current);
    // What passed so far, on disk at every step (whole: a StateFile): a run killed with SIGKILL (no handler runs) still says it.
    files.store.write(report);
  };
  const evidence = (phase: AcceptancePhase, line: string) => (report.evidence[phase] ??= []).push(line);
  useCluster(current);

  // One stop for a signal and for the budget: the command in flight is told to stop, the phases end, the teardown runs.
  const halt = new AbortController();
  let budgetRanOut = false;
  const started = Date.now();
  const onSignal = () => halt.abort();
  options.stop?.addEventListener('abort', onSignal, { once: true });
  if (options.stop?.aborted) halt.abort();
  const outOfBudget = () => {
    if (budgetRanOut) return;
    budgetRanOut = true;
    io.warn('ACCEPTANCE_BUDGET_RAN_OUT', `The budget of ${budgetMinutes} minutes ran out: stopping, then the teardown.`, { budgetMinutes });
    halt.abort();
  };
  // On time while an asynchronous command runs (an apply); between the synchronous ones, at every look of a wait.
  const budgetTimer = setTimeout(outOfBudget, budgetMinutes * 60_000);
  budgetTimer.unref();
  const interrupted = () => {
    if (!halt.signal.aborted && overBudget(started, Date.now(), budgetMinutes)) outOfBudget();
    return halt.signal.aborted;
  };
  const stoppable = { interrupted, stop: halt.signal };
  const phase = acceptancePhaseRunner({ io, phases: plan.phases, interrupted, results: report.phases, enter: (p) => update({ phase: p }) });
  const terraform = new Terraform(moduleDir);
  const [kubeconfig, caFile] = RUN_SECRETS.map((file) => join(runDir, file));
  // One client for the run, once its kubeconfig is there (the user's is theirs: never removed; the run's own is).
  let api: KubeApi | undefined;
  const kube = async (): Promise<KubeApi> => {
    if (api) return api;
    if (cluster) return (api = await kubeApiOn({ kubeconfig: cluster.kubeconfig, context: cluster.context }));
    if (stack === 'docker') throw new StepFailed('the docker host has no Kubernetes API of its own to reach');
    await writeKubeconfig(terraform, kubeconfig, self.url);
    return (api = await kubeApiFor(kubeconfig));
  };
  const readCa = async (file: string, why: (text: string) => void): Promise<boolean> =>
    stack === 'docker' ? rancherCacerts(self.url, file, why) : rancherCa(await kube(), file, why);
  // The downstream cluster's calls to Rancher: admin's token from one login, kept for the run (a login token lives
  // for hours; Rancher's replaced or restarted servers keep it: it is in Rancher's datastore).
  const downstream: DownstreamContext = {
    get url() {
      return self.url;
    },
    caFile,
    aws: plan.aws,
    interrupted,
    stop: halt.signal,
    token: async () => (self.adminToken ??= await loginToken(terraform, readCa, self.url, caFile)),
  };
  const checkDownstream = async (after: AcceptancePhase, label: string = after) => {
    const clusterId = current.downstream?.clusterId;
    if (!clusterId) return;
    const minutes = options.downstreamMinutes ?? DOWNSTREAM_MINUTES.active;
    // A wait of up to `minutes`: a step of the phase, so the status line names it while it lasts.
    const doing = `waiting for the downstream cluster ${clusterId} Active with its agent connected after the ${label} (${minutes} minutes at most)`;
    const span = io.begin({
      code: 'ACCEPTANCE_STEP_STARTED',
      label: 'downstream cluster',
      text: `downstream cluster: ${doing}`,
      doing,
      data: { clusterId },
    });
    let check: DownstreamCheck;
    try {
      check = await waitDownstreamUp(downstream, { clusterId, after: label, minutes });
    } catch (error) {
      span.stop();
      throw error;
    }
    (report.downstream ??= []).push(check);
    evidence(after, `downstream cluster ${clusterId} ${describeCheck(check)}`);
    if (check.up)
      span.end('ACCEPTANCE_DOWNSTREAM_ACTIVE', `downstream cluster ${clusterId}: Active with its agent connected after the ${label}`, {
        clusterId,
        after: label,
      });
    else span.stop();
    if (!check.up) throw new StepFailed(notUp(check, minutes, await agentLog(downstream, current.downstream!.instanceId!)));
  };
  const self: AcceptanceRun = {
    options,
    plan,
    settingsFile,
    record,
    report,
    files,
    get current() {
      return current;
    },
    terraform,
    caFile,
    url: '',
    json: undefined,
    adminToken: undefined,
    halt: halt.signal,
    stoppable,
    downstream,
    phase,
    writeSettings,
    update,
    evidence,
    interrupted,
    kube,
    readCa,
    checkDownstream,
    budgetRanOut: () => budgetRanOut,
    stopBudgetTimer: () => clearTimeout(budgetTimer),
    stopListening: () => options.stop?.removeEventListener('abort', onSignal),
  };
  return self;
}

/** The standby's cluster-admin kubeconfig (the failover phase's backup there): a secret of the run's, removed with them. */
export const STANDBY_KUBECONFIG = 'standby-kubeconfig.yaml';
/** What a run writes to its folder that must not outlive it. */
export const RUN_SECRETS = ['kubeconfig.yaml', 'rancher-ca.pem', STANDBY_KUBECONFIG];

/** A run's report: the JSON written whole at every step (a StateFile), the Markdown once at the end. */
export const reportFiles = (runDir: string) => {
  const json = join(runDir, 'report.json');
  return { json, markdown: join(runDir, 'report.md'), store: new StateFile<AcceptanceReport>(json) };
};
export type ReportFiles = ReturnType<typeof reportFiles>;

/** The variables useCluster sets, which the run puts back as they were when it ends (acceptance.ts). */
export const CLUSTER_VARIABLES = ['TF_VAR_kubeconfig_path', 'TF_VAR_kubeconfig_context'] as const;

/** k8s-ha: the Terraform variables that reach the cluster, in this process's environment (every terraform inherits it). */
export function useCluster(record: RunRecord): void {
  if (!record.cluster) return;
  const [path, context] = CLUSTER_VARIABLES;
  process.env[path] = record.cluster.kubeconfig;
  if (record.cluster.context) process.env[context] = record.cluster.context;
  else delete process.env[context];
}

export const describeCluster = (cluster: { kubeconfig: string; context?: string }) =>
  `the cluster of ${cluster.kubeconfig}${cluster.context ? ` (context ${cluster.context})` : ' (its current context)'}`;

/** The deployment's cluster-admin kubeconfig (its sensitive output) into the run's folder, mode 0600. */
async function writeKubeconfig(terraform: Terraform, file: string, url: string): Promise<void> {
  if (existsSync(file)) return;
  const config = await terraform.outputJson('kubeconfig');
  if (typeof config !== 'string' || !url) throw new StepFailed('the deployment has no rancher_url or kubeconfig output');
  writeFileSync(file, config, { mode: 0o600 });
}

/**
 * Rancher's own CA on the docker host, as the stack's readiness gate reads it: `/cacerts` without verification, once
 * (trust on first use: the CA does not exist before Rancher starts), then every call verifies against it.
 */
async function rancherCacerts(url: string, caFile: string, why: (text: string) => void): Promise<boolean> {
  if (!url) {
    why('the deployment has no rancher_url output');
    return false;
  }
  const got = await runAsync('curl', ['--silent', '--show-error', '--fail', '--max-time', '20', '--insecure', `${url}/cacerts`], {
    timeoutMs: 60_000,
  });
  if (got.code !== 0 || !got.stdout.includes('BEGIN CERTIFICATE')) {
    why(got.code === 0 ? `${url}/cacerts answered no certificate` : readableError(got.stderr, 300));
    return false;
  }
  writeFileSync(caFile, got.stdout);
  return true;
}

/** admin's login token (the rancher_admin_password output), with Rancher's CA read first when the run has none yet. */
async function loginToken(terraform: Terraform, readCa: CaReader, url: string, caFile: string): Promise<string> {
  const password = await terraform.outputJson('rancher_admin_password');
  if (typeof password !== 'string' || password === '')
    throw new StepFailed('the deployment has no rancher_admin_password output (rancher.bootstrap off?)');
  let why = '';
  if (!existsSync(caFile) && !(await readCa(caFile, (w) => (why = w)))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
  return (await rancherLogin(url, caFile, 'admin', password)).token;
}

/** The project's version (package.json of the checkout). */
function projectVersion(packageFile: string): string | undefined {
  try {
    return String((JSON.parse(readFileSync(packageFile, 'utf8')) as { version?: string }).version);
  } catch {
    return undefined;
  }
}
