import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  ACCEPTANCE_PHASES,
  type AcceptancePhase,
  type AcceptanceReport,
  CHOSEN_PHASES,
  comparePolicy,
  describeReport,
  eventRegions,
  iamAction,
  type Leftover,
  markdownReport,
  NOT_APPLICABLE,
  notProven,
  OPT_IN_PHASES,
  OPTIONAL_PHASES,
  phaseMeaning,
  removalOf,
  timelineOf,
} from './acceptance-report';
import {
  ACCEPTANCE_STACKS,
  type AcceptanceStack,
  acceptanceName,
  acceptanceSettings,
  baseSettingsProblem,
  DEPLOYMENT_TAG,
  k8sHaHostname,
  newRunId,
  RUN_TAG,
  UPGRADE,
  upgradeSumProblem,
} from './acceptance-settings';
import { metricsPhase } from './acceptance-metrics';
import { describeSeen, seenArtifacts } from './acceptance-observed';
import { rotatePhase } from './acceptance-rotate';
import {
  agentLog,
  createDownstreamInstance,
  describeCheck,
  DOWNSTREAM_DOLLARS_PER_HOUR,
  DOWNSTREAM_MINUTES,
  DOWNSTREAM_PLAN,
  type DownstreamContext,
  downstreamDir,
  importDownstream,
  notUp,
  tearDownDownstream,
  waitDownstreamUp,
  writeDownstreamModule,
} from './acceptance-downstream';
import {
  MIGRATE_PLAN,
  migrateDirs,
  migrateDocker,
  type MigrateRecord,
  prepareMigration,
  readMigrateSupport,
  tearDownMigrateSupport,
  tearDownMigrateTarget,
  useMigrateSecrets,
} from './acceptance-migrate';
import { Aws } from '../shared/aws';
import { drill } from '../drill/drill';
import { DOLLARS_PER_HOUR } from '../shared/hourly-cost';
import { readProductionSettings } from '../drill/drill-settings';
import { Kubectl } from '../shared/kubectl';
import { Interrupted, waitUntil, yieldFor } from '../shared/poll';
import { run, runAsync } from '../shared/process';
import { rancherGet, rancherLogin } from '../shared/rancher-api';
import { roll } from '../roll/roll';
import { StateFile } from '../shared/state-file';
import { teardown } from '../teardown/teardown';
import { Terraform, terraformBinary } from '../shared/terraform';
import {
  type CaReader,
  initAndApply,
  leftInState,
  localModuleProblems,
  type ModuleJson,
  phaseRunner,
  rancherCa,
  readModuleJson,
  StepFailed,
  synthesize,
  waitForPing,
} from '../shared/throwaway';
import { readableError } from '../shared/tool-output';

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
  readonly ask: (question: string) => Promise<string | undefined> | string | undefined;
  /** Aborted on the first signal: the command in flight is stopped, then the teardown runs. */
  readonly stop?: AbortSignal;
  readonly log: (line: string) => void;
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
}

/**
 * The same per stack: docker's host is docs/cost.md's m6i.large (≈ $70), its two gp3 volumes, Elastic IP and key
 * (≈ $11): ≈ $80 a month. k8s-ha's own AWS pieces (a bucket, a record, an IAM user) cost cents; the cluster is
 * yours and costs what it costs you anyway.
 */
const STACK_DOLLARS_PER_HOUR: Readonly<Record<AcceptanceStack, number>> = { 'rke-ha': DOLLARS_PER_HOUR, 'k8s-ha': 0, docker: 80 / 730 };
/** What a run of each stack creates and how long it takes (docs/acceptance.md, "The three stacks"), for the dry run. */
const STACK_PLAN: Readonly<Record<AcceptanceStack, { readonly resources: string; readonly time: string }>> = {
  'rke-ha': {
    resources:
      'a VPC with its subnets and NAT gateway, a network load balancer, three RKE2 servers with their volumes, KMS keys, S3 buckets for etcd snapshots and Rancher backups, IAM roles and instance profiles, SSM parameters, log groups; in the cluster cert-manager, Rancher and rancher-backup; the drill phase builds a second such deployment while it runs',
    time: '3-6 hours',
  },
  'k8s-ha': {
    resources: "Rancher, cert-manager and rancher-backup in your cluster, their S3 bucket, the backup's IAM user, one Route53 record in your zone",
    time: '20-40 minutes',
  },
  docker: {
    resources: 'one EC2 host with its data volume, an Elastic IP and a KMS key, running the rancher/rancher container',
    time: '30-50 minutes',
  },
};

/**
 * The time budget of a run without --budget-minutes: deploy 20-30, downstream 10-20, upgrade 15-45, roll 25-60 a
 * server (three), backup, metrics and drill 45-80, teardown 15: up to about 370 minutes, and 20 more so that a slow
 * run of every default phase is not stopped by its own budget.
 */
export const DEFAULT_BUDGET_MINUTES = 390;

/** The cost a run's budget allows, stated before it starts (the drill's rke-ha throwaway counted for an hour on top). */
export function statedCost(
  budgetMinutes: number,
  withDrill: boolean,
  stack: AcceptanceStack = 'rke-ha',
  withDownstream = false,
  withMigrate = false,
): string {
  const hourly = STACK_DOLLARS_PER_HOUR[stack] + (withDownstream ? DOWNSTREAM_DOLLARS_PER_HOUR : 0);
  const dollars = (budgetMinutes / 60) * hourly + (withDrill ? DOLLARS_PER_HOUR : 0) + (withMigrate ? MIGRATE_PLAN.dollars : 0);
  return `$${dollars.toFixed(2)}`;
}

/**
 * The phases a run of `stack` takes from --only and --skip; a problem in words for an unknown phase, or one --only
 * names that does not apply to the stack (NOT_APPLICABLE).
 */
export function chosenPhases(
  only: readonly string[] | undefined,
  skip: readonly string[] | undefined,
  stack: string = 'rke-ha',
  withPhases: readonly string[] = [],
): Set<AcceptancePhase> | string {
  for (const name of [...(only ?? []), ...(skip ?? []), ...withPhases])
    if (!(CHOSEN_PHASES as readonly string[]).includes(name))
      return `Unknown phase ${name}: choose from ${CHOSEN_PHASES.join(', ')} (deploy, teardown and sweep always run).`;
  const notHere = NOT_APPLICABLE[stack] ?? {};
  for (const name of only ?? [])
    if (notHere[name as AcceptancePhase]) return `--only ${name}: that phase does not apply to ${stack} (${notHere[name as AcceptancePhase]}).`;
  for (const name of withPhases) {
    if (!OPTIONAL_PHASES.includes(name as AcceptancePhase))
      return `--with ${name}: only an optional phase (${OPTIONAL_PHASES.join(', ')}) is added with --with; the others run unless --skip names them.`;
    if (notHere[name as AcceptancePhase]) return `--with ${name}: that phase does not apply to ${stack} (${notHere[name as AcceptancePhase]}).`;
  }
  const chosen = new Set<AcceptancePhase>(
    only && only.length > 0
      ? (only as AcceptancePhase[])
      : [...CHOSEN_PHASES.filter((p) => !OPTIONAL_PHASES.includes(p) && !OPT_IN_PHASES.includes(p)), ...(withPhases as AcceptancePhase[])],
  );
  for (const name of skip ?? []) chosen.delete(name as AcceptancePhase);
  for (const name of Object.keys(notHere)) chosen.delete(name as AcceptancePhase);
  // The drill restores the backup the run takes.
  if (chosen.has('drill') && !chosen.has('backup')) return "--only/--skip: the drill restores the backup phase's backup; choose backup with drill.";
  // The migration proves the downstream cluster's move, and retires the host the break would stop.
  if (chosen.has('migrate') && !chosen.has('downstream'))
    return "--only migrate: the migration requires the downstream phase's cluster Active on the new Rancher; choose downstream with migrate (--only downstream,migrate).";
  if (chosen.has('migrate') && chosen.has('break'))
    return '--only migrate,break: the migration retires the docker host the break would stop (the teardown of the rke-ha deployment it leaves is proven by the rke-ha run); leave break out.';
  return new Set(ACCEPTANCE_PHASES.filter((p) => !(CHOSEN_PHASES as readonly string[]).includes(p) || chosen.has(p)));
}

/** The run of the time budget: true once it ran out. */
export function overBudget(startedMs: number, nowMs: number, budgetMinutes: number): boolean {
  return nowMs - startedMs > budgetMinutes * 60_000;
}

/** The one-time Backup the run takes (its file name starts with it, as the operator names files, BACKUP_FILE). */
const BACKUP_NAME = 'rancher-aws-acceptance';
/** The recurring Backup of the stack (SCHEDULED_BACKUP of lib/rancher/backup-objects.ts): its spec is copied. */
const SCHEDULED_BACKUP = 'rancher-aws-scheduled';

/** Proves a throwaway deployment's whole life; see docs/acceptance.md. Returns the exit code. */
export async function acceptance(options: AcceptanceOptions): Promise<number> {
  const { log } = options;
  if (options.teardownRun !== undefined) return tearDownEarlierRun(options);
  if (!(ACCEPTANCE_STACKS as readonly string[]).includes(options.stack)) {
    log(`The acceptance run proves rke-ha, k8s-ha or docker; ${options.stack} is none of them. Nothing was changed.`);
    return 2;
  }
  const stack = options.stack as AcceptanceStack;
  if (!options.region) {
    log('--region is required: an acceptance run goes only where you say (it never takes a default region). Nothing was changed.');
    return 2;
  }
  const region = options.region;
  const clusterProblem = clusterOptionsProblem(stack, options);
  if (clusterProblem) {
    log(`${clusterProblem} Nothing was changed.`);
    return 2;
  }
  const phases = chosenPhases(options.only, options.skip, stack, options.with);
  if (typeof phases === 'string') {
    log(phases);
    return 2;
  }
  if (stack === 'docker' && phases.has('migrate') !== (options.hostedZone !== undefined)) {
    log(
      phases.has('migrate')
        ? "docker's migrate phase moves Rancher to rke-ha at the same hostname, and a name from sslip.io changes with the address: name a public Route53 zone of yours with --hosted-zone <zone>; the run's record there is <run name>.<zone>, its own. Nothing was changed."
        : '--hosted-zone is for k8s-ha and for docker with --only downstream,migrate. Nothing was changed.',
    );
    return 2;
  }
  const left = unfinishedRuns(options.root);
  if (left.length > 0) {
    for (const r of left)
      log(
        `An earlier acceptance run ${r.runId} (${r.stack}, ${r.name}, ${r.region}, started ${r.startedAt}) stopped in its ${r.phase} phase and was not torn down. A new run never touches it: tear it down first with \`npm run acceptance -- --teardown-run ${r.runId}\`.`,
      );
    log('Nothing was changed.');
    return 2;
  }
  let base: Record<string, unknown> = {};
  if (options.settingsPath !== undefined) {
    if (!existsSync(options.settingsPath)) {
      log(`--settings ${options.settingsPath}: no such file. Nothing was changed.`);
      return 2;
    }
    base = readProductionSettings(options.settingsPath);
    const problem = baseSettingsProblem(base, region, options.settingsPath, stack);
    if (problem) {
      log(problem);
      return 2;
    }
  }
  const upgrade = stack === 'rke-ha' && phases.has('upgrade');
  const sumProblem = upgradeSumProblem(base, upgrade, options.settingsPath);
  // A dry run states the plan even then (and ends with the refusal): anyone can read it before anything else.
  if (sumProblem && !options.dryRun) {
    log(sumProblem);
    return 2;
  }
  const runId = newRunId();
  const name = options.name ?? acceptanceName(runId);
  const aws = new Aws(region);
  // A dry run asks nothing of AWS or of a cluster: it needs no credentials, and says what the run checks first.
  // Whoever runs it: the principal whose CloudTrail events the report compares with the deployer policy.
  const identity = options.dryRun ? undefined : aws.call<{ Arn?: string; Account?: string }>(['sts', 'get-caller-identity']);
  const existing = options.dryRun ? [] : taggedWith(aws, DEPLOYMENT_TAG, `${name}-${stack}`);
  if (existing.length > 0) {
    log(
      `${name} is the name of an existing deployment in ${region}: ${existing.length} resources are tagged ${DEPLOYMENT_TAG}=${name}-${stack} (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}). An acceptance run never touches another deployment: choose another --name. Nothing was changed.`,
    );
    return 2;
  }
  const cluster = stack === 'k8s-ha' ? { kubeconfig: options.kubeconfig!, context: options.context } : undefined;
  if (cluster && !options.dryRun) {
    const refused = clusterRefusal(new Kubectl(cluster.kubeconfig, cluster.context), describeCluster(cluster));
    if (refused) {
      log(`${refused} Nothing was changed.`);
      return 2;
    }
  }
  const budgetMinutes = options.budgetMinutes ?? DEFAULT_BUDGET_MINUTES;
  const cost = statedCost(budgetMinutes, phases.has('drill'), stack, phases.has('downstream'), phases.has('migrate'));
  const runDir = join(options.root, runId);
  const outdir = join(runDir, 'cdktf.out');
  const moduleDir = join(outdir, 'stacks', stack);
  log(
    options.dryRun
      ? `Acceptance run of ${stack} in ${region} (a dry run: no AWS call, no credentials needed; the run id is drawn when it starts):`
      : `Acceptance run ${runId} of ${stack} in ${region} (account ${identity?.Account ?? 'unknown'}, as ${identity?.Arn ?? 'unknown'}):`,
  );
  log(
    cluster || options.hostedZone
      ? `  deployment ${name}${cluster ? ` onto ${describeCluster(cluster)}` : ''}, Rancher at https://${k8sHaHostname(name, options.hostedZone!)} (a record of its own in your zone), every AWS resource tagged ${RUN_TAG}=${runId}, state and module in ${runDir}`
      : `  deployment ${name}, every AWS resource tagged ${RUN_TAG}=${runId}, no domain (an sslip.io name), state and module in ${runDir}`,
  );
  for (const p of ACCEPTANCE_PHASES) {
    const why = NOT_APPLICABLE[stack]?.[p];
    log(`  ${phases.has(p) ? '' : why ? '(does not apply) ' : '(skipped) '}${p}: ${why ?? phaseMeaning(stack, p)}`);
  }
  log(
    `  Budget: ${budgetMinutes} minutes, at most about ${cost} (${costBasis(stack)}${phases.has('downstream') ? `; the downstream instance about $${DOWNSTREAM_DOLLARS_PER_HOUR.toFixed(2)} an hour` : ''}${phases.has('drill') ? "; the drill's throwaway doubles it while it runs" : ''}). Past the budget, the run stops and tears down.`,
  );
  log('  Any failure, Ctrl-C or SIGTERM ends in the teardown too; then the account is searched for anything still tagged with the run id.');
  if (options.dryRun) {
    log(`  What it creates: ${STACK_PLAN[stack].resources}.`);
    if (phases.has('downstream'))
      log(
        `  The downstream phase adds ${DOWNSTREAM_PLAN}; 10-20 minutes to import it, up to ${DOWNSTREAM_MINUTES.active} minutes of looks after each later phase, about $${DOWNSTREAM_DOLLARS_PER_HOUR.toFixed(2)} an hour.`,
      );
    if (phases.has('migrate'))
      log(
        `  The migrate phase adds ${MIGRATE_PLAN.resources}; ${MIGRATE_PLAN.time}; the rke-ha deployment about $${MIGRATE_PLAN.dollars.toFixed(2)} for the time it stands.`,
      );
    log(`  How long: ${STACK_PLAN[stack].time} for every phase (docs/acceptance.md, "What it costs").`);
    log(
      `  Before it creates anything the run asks AWS who you are (sts get-caller-identity), refuses a name ${region} already has (resources tagged ${DEPLOYMENT_TAG}=${name}-${stack})${cluster ? `, and refuses ${describeCluster(cluster)} if Rancher is there` : ''}; a dry run asks none of it.`,
    );
    if (sumProblem) {
      log(`The run would not start: ${sumProblem}`);
      return 2;
    }
    log('Dry run: nothing was changed.');
    return 0;
  }
  if (!options.yes) {
    const answer = await options.ask(`Type yes to start the run (up to ${budgetMinutes} minutes, about ${cost}): `);
    if (answer === undefined) {
      log('No terminal to confirm on: pass --yes to start without the confirmation (pipelines). Nothing was changed.');
      return 2;
    }
    if (answer.trim() !== 'yes') {
      log(`${answer.trim() === '' ? 'Nothing typed' : `'${answer.trim()}' is not yes`}: nothing was changed.`);
      return 1;
    }
  }

  mkdirSync(runDir, { recursive: true });
  const settingsFile = join(runDir, 'settings.json');
  const now = new Date();
  const writeSettings = (kubernetes?: string) =>
    writeFileSync(
      settingsFile,
      `${JSON.stringify(acceptanceSettings(base, { name, runId, region, kubernetes, stack, hostedZone: options.hostedZone, now }), null, 2)}\n`,
    );
  // Without the upgrade phase nothing starts from UPGRADE.from: the run deploys the stack's default version.
  writeSettings(upgrade ? undefined : UPGRADE.to);
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
    notProven: notProven(stack, phases.has('migrate')),
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
    log(`The budget of ${budgetMinutes} minutes ran out: stopping, then the teardown.`);
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
  const phase = phaseRunner<AcceptancePhase>({ interrupted, results: report.phases, enter: (p) => update({ phase: p }), log });
  const terraform = new Terraform(moduleDir);
  const [kubeconfig, caFile] = RUN_SECRETS.map((file) => join(runDir, file));
  let url = '';
  let json: ModuleJson | undefined;
  // The cluster Rancher runs in: rke-ha's own (its kubeconfig output, written once it exists), k8s-ha's the one
  // named on the command line; the docker host has none.
  const kubectl = (): Kubectl => {
    if (cluster) return new Kubectl(cluster.kubeconfig, cluster.context);
    if (stack === 'docker') throw new StepFailed('the docker host has no Kubernetes API of its own to reach');
    writeKubeconfig(terraform, kubeconfig, url);
    return new Kubectl(kubeconfig);
  };
  const readCa: CaReader = stack === 'docker' ? (file, why) => rancherCacerts(url, file, why) : (file, why) => rancherCa(kubectl(), file, why);
  // The downstream cluster's calls to Rancher: admin's token from one login, kept for the run (a login token lives
  // for hours; Rancher's replaced or restarted servers keep it: it is in Rancher's datastore).
  let adminToken: string | undefined;
  const downstream: DownstreamContext = {
    get url() {
      return url;
    },
    caFile,
    aws,
    interrupted,
    stop: halt.signal,
    log,
    token: () => (adminToken ??= loginToken(terraform, readCa, url, caFile)),
  };
  /**
   * The downstream cluster Active with its agent connected, looked at until it is (a bounded poll): the check after
   * a phase that replaced or restored Rancher's servers, with the time it took in the report. Nothing to look at
   * when the downstream phase was not chosen.
   */
  const checkDownstream = async (after: AcceptancePhase, label: string = after) => {
    const clusterId = current.downstream?.clusterId;
    if (!clusterId) return;
    const minutes = options.downstreamMinutes ?? DOWNSTREAM_MINUTES.active;
    const check = await waitDownstreamUp(downstream, { clusterId, after: label, minutes });
    (report.downstream ??= []).push(check);
    evidence(after, `downstream cluster ${clusterId} ${describeCheck(check)}`);
    if (!check.up) throw new StepFailed(notUp(check, minutes, await agentLog(downstream, current.downstream!.instanceId!)));
  };

  let outcome: 'passed' | 'failed' | 'interrupted' = 'passed';
  try {
    await phase('deploy', async () => {
      if (phases.has('migrate')) {
        // The CA both deployments serve must exist before the first; recorded first (a kill during its apply).
        const support = migrateDirs(runDir).support;
        update({ migrate: { support } });
        await prepareMigration(support, { name, runId, region }, stoppable);
        evidence(
          'deploy',
          `terraform apply of the migration's module (${support}): the run's CA, bucket and backup writer, tagged ${RUN_TAG}=${runId}`,
        );
      }
      await synthesize({ ...stoppable, synthScript: options.synthScript, settingsFile, outdir, what: 'the acceptance deployment' });
      json = readModuleJson(moduleDir);
      const problems = json
        ? acceptanceModuleProblems(json, moduleDir, runDir, name, runId, { stack, hostedZone: options.hostedZone })
        : [`no ${moduleDir}/cdk.tf.json`];
      if (problems.length > 0) throw new StepFailed(`the synthesized deployment is not safe to apply: ${problems.join('; ')}`);
      evidence(
        'deploy',
        `synthesized with a local state in its folder, ${options.hostedZone ? `one Route53 record of its own (${k8sHaHostname(name, options.hostedZone!)})` : 'no Route53 record'}, and ${RUN_TAG}=${runId} in every AWS provider's default_tags`,
      );
      if (cluster) {
        // Every namespace the module creates must be new: the teardown then removes only what the run made.
        const namespaces = moduleNamespaces(json!);
        const before = clusterNamespaces(kubectl());
        if (before === undefined) throw new StepFailed(`${describeCluster(cluster)} did not list its namespaces. Nothing was applied`);
        const taken = namespaces.filter((n) => before.includes(n));
        if (taken.length > 0)
          throw new StepFailed(
            `${describeCluster(cluster)} already has the namespace ${taken.join(', ')} the run would create: it is not the run's to take over or remove (with cert-manager installed already, give --settings with k8sHa.certManager.install: false). Nothing was applied`,
          );
        evidence('deploy', `none of the namespaces the module creates (${namespaces.join(', ')}) existed in ${describeCluster(cluster)}`);
        update({ namespaces, namespacesBefore: before });
        report.versions['kubernetes (your cluster)'] = describeVersions(nodeVersions(kubectl()));
      }
      update({ applied: true });
      let applied;
      try {
        applied = await initAndApply(moduleDir, {
          ...stoppable,
          apply: ['apply', '-auto-approve', '-input=false', '-json'],
          applyTimeoutMs: 10_800_000,
          failed: 'the deployment did not complete',
          capture: true,
        });
      } finally {
        // What Terraform said, event by event, for the timeline and for a person reading the failure.
        if (applied) writeFileSync(join(runDir, 'deploy-apply.jsonl'), applied.stdout);
      }
      report.timeline = timelineOf(applied.stdout);
      const summary = applyChanges(applied.stdout);
      if (summary) evidence('deploy', `terraform apply: ${summary}`);
      for (const t of report.timeline)
        if (t.seconds !== undefined)
          evidence('deploy', `${t.step}: ${t.seconds} s (from ${t.startSeconds} s to ${t.endSeconds} s of the apply, ${t.resources} resources)`);
      report.versions.terraform = terraformVersion(moduleDir);
      Object.assign(report.versions, moduleVersions(json!, moduleDir, stack));
      // The facts docs/settings.md marks unconfirmed (an image name in a partition, a sum from one record), as seen.
      try {
        const k3s = report.versions.k3s;
        report.seen = seenArtifacts(terraform.pull(), k3s !== undefined ? { k3s } : { rke2: report.versions.rke2 });
        for (const line of describeSeen(report.seen)) evidence('deploy', line);
      } catch (error) {
        report.seen = { unavailable: readableError(String((error as Error).message ?? error)) };
      }
    });
    url = String(terraform.outputJson('rancher_url') ?? '');
    if (phases.has('ping'))
      await phase('ping', async () => {
        if (!url) throw new StepFailed('the deployment has no rancher_url output');
        await waitForPing(readCa, url, caFile, options.pingMinutes ?? 10, interrupted);
        evidence(
          'ping',
          `${url}/ping answered pong, verified with Rancher's CA from ${stack === 'docker' ? `${url}/cacerts (trusted on first use, as the stack's gate does)` : 'cattle-system/tls-rancher'}`,
        );
      });
    if (phases.has('login'))
      await phase('login', () => {
        for (const line of firstLogin(terraform, readCa, url, caFile)) evidence('login', line);
      });
    if (phases.has('second-plan'))
      await phase('second-plan', async () => {
        const planFile = join(runDir, 'second.tfplan');
        try {
          const planned = await runTerraform(moduleDir, ['plan', '-detailed-exitcode', '-input=false', `-out=${planFile}`], stoppable);
          if (planned.code === 0) {
            report.secondPlanChanges = [];
            evidence('second-plan', 'terraform plan -detailed-exitcode: exit 0, no changes');
            return;
          }
          if (planned.code !== 2) throw new StepFailed(`terraform plan failed (exit ${planned.code}): ${readableError(planned.stderr, 600)}`);
          // Exit 2: something changes, a resource or a root output (an output alone makes the plan not empty).
          const shown = terraform.showPlan(planFile) as ReturnType<Terraform['showPlan']> & {
            readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
          };
          const resources = (shown.resource_changes ?? [])
            .filter((c) => !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0])))
            .map((c) => `${c.change.actions.join(',')} ${c.address}`);
          const outputs = Object.entries(shown.output_changes ?? {})
            .filter(([, c]) => c.actions.some((a) => a !== 'no-op'))
            .map(([output, c]) => `${c.actions.join(',')} output.${output}`);
          report.secondPlanChanges = [...resources, ...outputs];
          const some = (changes: string[]) => `${changes.slice(0, 5).join('; ')}${changes.length > 5 ? '; ...' : ''}`;
          throw new StepFailed(
            `the second plan is not empty (exit 2): ${resources.length > 0 ? `${resources.length} resource changes (${some(resources)})` : 'no resource changes'}${outputs.length > 0 ? `; ${outputs.length} output changes (${some(outputs)})` : ''}`,
          );
        } finally {
          // A saved plan holds the deployment's secrets.
          rmSync(planFile, { force: true });
        }
      });
    if (phases.has('downstream'))
      await phase('downstream', async () => {
        const dir = downstreamDir(runDir);
        writeDownstreamModule(dir, { name, runId, region });
        // Recorded before the apply: a kill during it leaves an instance --teardown-run must find.
        update({ downstream: { dir } });
        const instanceId = await createDownstreamInstance(dir, stoppable);
        update({ downstream: { ...current.downstream!, instanceId } });
        evidence('downstream', `terraform apply of the run's downstream module (${dir}): instance ${instanceId}, tagged ${RUN_TAG}=${runId}`);
        let why = '';
        if (!existsSync(caFile) && !readCa(caFile, (w) => (why = w))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
        const lines = await importDownstream(downstream, {
          instanceId,
          clusterName: `${name}-downstream`,
          ca: readFileSync(caFile, 'utf8'),
          onCluster: (clusterId) => update({ downstream: { ...current.downstream!, clusterId } }),
        });
        for (const line of lines) evidence('downstream', line);
        await checkDownstream('downstream', 'import');
      });
    if (phases.has('upgrade'))
      await phase('upgrade', async () => {
        const before = nodeVersions(kubectl());
        evidence('upgrade', `before: ${describeVersions(before)}`);
        writeSettings(UPGRADE.to);
        await synthesize({ ...stoppable, synthScript: options.synthScript, settingsFile, outdir, what: `the upgrade to ${UPGRADE.to}` });
        await initAndApply(moduleDir, {
          ...stoppable,
          apply: ['apply', '-auto-approve', '-input=false'],
          applyTimeoutMs: 10_800_000,
          failed: `the upgrade to ${UPGRADE.to} did not complete`,
        });
        const after = nodeVersions(kubectl());
        evidence('upgrade', `after the apply: ${describeVersions(after)}`);
        const behind =
          after === undefined
            ? ['(the node list did not answer)']
            : after.filter((n) => n.version !== UPGRADE.to).map((n) => `${n.name} ${n.version}`);
        if (after?.length === 0 || behind.length > 0) throw new StepFailed(`not every node runs ${UPGRADE.to}: ${behind.join(', ') || 'no nodes'}`);
        report.versions.rke2 = `${UPGRADE.from} -> ${UPGRADE.to}`;
        await checkDownstream('upgrade');
      });
    if (phases.has('roll'))
      await phase('roll', async () => {
        // Every server in turn, one at a time (the roll's own rule); the downstream cluster looked at after each.
        for (const server of serverNames(terraform)) {
          const lines: string[] = [];
          const code = await roll({
            dir: moduleDir,
            label: `the acceptance deployment ${name}`,
            server,
            interrupted,
            log: (line) => {
              lines.push(line);
              log(line);
            },
          });
          if (interrupted()) throw new Interrupted();
          evidence('roll', `rancher-ha-aws roll --server ${server}: exit ${code}`);
          for (const line of lines.filter((l) => /Ready|voter|replaced|done|finished/i.test(l)).slice(-5)) evidence('roll', line.trim());
          if (code !== 0) throw new StepFailed(`the roll of ${server} ended with exit ${code}: ${lines[lines.length - 1] ?? ''}`);
          await checkDownstream('roll', `roll of ${server}`);
        }
      });
    if (phases.has('rotate'))
      await phase('rotate', async () => {
        const server = serverNames(terraform)[0];
        const label = `the acceptance deployment ${name}`;
        await rotatePhase({ dir: moduleDir, label, runDir, server, interrupted, log, evidence: (line) => evidence('rotate', line) });
        await checkDownstream('rotate', `roll of ${server} after the rotations`);
      });
    if (phases.has('backup'))
      await phase('backup', async () => {
        // Not in the module: the teardown of a k8s-ha run deletes it itself (the cluster stays).
        if (cluster) update({ backupCreated: true });
        for (const line of await takeBackup(kubectl(), aws, terraform, interrupted)) evidence('backup', line);
      });
    if (phases.has('metrics'))
      await phase('metrics', () =>
        metricsPhase({
          aws,
          terraform,
          json: json!,
          runStartedAt: current.startedAt,
          interrupted,
          evidence: (line) => evidence('metrics', line),
          log,
          rows: (report.metrics ??= []),
          versions: report.versions,
        }),
      );
    if (phases.has('drill'))
      await phase('drill', async () => {
        const lines: string[] = [];
        const code = await drill({
          stack,
          productionDir: moduleDir,
          settingsPath: settingsFile,
          root: join(runDir, 'drill'),
          synthScript: options.synthScript,
          pingMinutes: options.pingMinutes,
          interrupted,
          stop: halt.signal,
          log: (line) => {
            lines.push(line);
            log(line);
          },
        });
        if (interrupted()) throw new Interrupted();
        const drillReport = lines.find((l) => l.startsWith('Result: '));
        evidence('drill', `rancher-ha-aws drill: exit ${code}; ${drillReport ?? 'no report'}`);
        for (const l of lines.filter((x) => /^\s+(passed|FAILED)\s/.test(x))) evidence('drill', l.trim());
        if (code !== 0) throw new StepFailed(`the drill ended with exit ${code}`);
        // The restore ran beside production: production's downstream cluster must still be its own.
        await checkDownstream('drill');
      });
    if (phases.has('migrate'))
      await phase('migrate', async () => {
        const support = readMigrateSupport(current.migrate!.support);
        if (!support) throw new StepFailed("the migration's module has no outputs (its apply did not finish)");
        let why = '';
        if (!existsSync(caFile) && !readCa(caFile, (w) => (why = w))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
        // Read while the docker deployment's state holds it (the phase retires it), kept in memory only.
        const password = terraform.outputJson('rancher_admin_password');
        if (typeof password !== 'string' || password === '') throw new StepFailed('the docker deployment has no rancher_admin_password output');
        await migrateDocker({
          ...stoppable,
          runId,
          url,
          caFile,
          token: downstream.token,
          aws,
          region,
          log,
          runDir,
          name,
          dockerDir: moduleDir,
          dockerSettings: JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>,
          synthScript: options.synthScript,
          pingMinutes: options.pingMinutes ?? 10,
          support,
          record: () => current.migrate!,
          update: (change) => update({ migrate: { ...current.migrate!, ...change } }),
          evidence: (line) => evidence('migrate', line),
          moduleProblems: (json, dir) =>
            acceptanceModuleProblems(json, dir, runDir, name, runId, { stack: 'rke-ha', hostedZone: options.hostedZone }),
          rancherVersion: (json, dir, of) => moduleVersions(json, dir, of).rancher,
        });
        // The restored admin, with the docker Rancher's password: its users came along (whether its login tokens did
        // is not the run's to assume, so the looks below use this login's).
        const login = rancherLogin(url, caFile, 'admin', password);
        adminToken = login.token;
        evidence(
          'migrate',
          `POST ${url}${login.endpoint} as admin with the docker deployment's password, on the rke-ha deployment: ${login.status}, a token`,
        );
        // The same cluster id on the new Rancher: the restore kept it, and its agent found the new Rancher.
        await checkDownstream('migrate', 'migration');
      });
    if (phases.has('break'))
      await phase('break', async () => {
        if (stack === 'docker') {
          for (const line of await stopHost(aws, terraform, interrupted)) evidence('break', line);
          return;
        }
        const k = kubectl();
        k.call(['-n', 'cattle-system', 'scale', 'deployment', 'rancher', '--replicas=0']);
        const replicas = k.tryCall(['-n', 'cattle-system', 'get', 'deployment', 'rancher', '-o', 'jsonpath={.spec.replicas}']);
        if (!replicas.ok || replicas.stdout.trim() !== '0')
          throw new StepFailed(`Rancher was not scaled to zero (spec.replicas ${replicas.stdout.trim() || 'unknown'})`);
        evidence(
          'break',
          'kubectl -n cattle-system scale deployment rancher --replicas=0: spec.replicas 0; the teardown runs against a deployment whose Rancher is down',
        );
      });
  } catch (error) {
    outcome = error instanceof Interrupted || interrupted() ? 'interrupted' : 'failed';
    const last = report.phases[report.phases.length - 1];
    if (!(error instanceof Interrupted) && !(error instanceof StepFailed) && (!last || last.status === 'passed'))
      report.phases.push({ phase: current.phase, status: 'failed', detail: (error as Error).message });
  } finally {
    clearTimeout(budgetTimer);
  }
  // A signal during the last phase's (synchronous) commands is handled on the event loop: the run was interrupted
  // though every phase it started passed.
  await yieldFor(0);
  if (outcome === 'passed' && interrupted()) outcome = 'interrupted';
  options.stop?.removeEventListener('abort', onSignal);
  if (budgetRanOut)
    for (const [i, p] of report.phases.entries())
      if (p.status === 'interrupted') report.phases[i] = { ...p, detail: `the budget of ${budgetMinutes} minutes ran out` };

  const broken = phases.has('break') && report.phases.some((p) => p.phase === 'break' && p.status === 'passed');
  await closeRun({
    record,
    current,
    report,
    aws,
    phases,
    broken,
    finished: outcome === 'passed',
    skipped: (p) => (phases.has(p) ? undefined : 'not chosen (--only/--skip)'),
    policyFile: options.policyFile,
    principal: identity?.Arn,
    log,
  });
  for (const line of describeReport(report, files)) log(line);
  if (outcome === 'interrupted') return 130;
  return outcome === 'passed' && report.passed ? 0 : 1;
}

/**
 * The end of every run, whatever happened before, and of `--teardown-run`: the teardown (a signal now waits for
 * it; the drill's throwaway, too, is torn down), the sweep, CloudTrail's actions, the phases not taken marked
 * skipped, the report written and the record done once the teardown passed.
 */
async function closeRun(o: {
  readonly record: StateFile<RunRecord>;
  readonly current: RunRecord;
  readonly report: AcceptanceReport;
  readonly aws: Aws;
  readonly phases: ReadonlySet<AcceptancePhase>;
  readonly broken: boolean;
  /** Whether the run went through its phases without a failure or a stop (else the report fails, whatever passed). */
  readonly finished: boolean;
  /** Why a phase that did not run was skipped, when it was not for a failure before it. */
  readonly skipped: (phase: AcceptancePhase) => string | undefined;
  readonly policyFile?: string;
  readonly principal?: string;
  readonly log: (line: string) => void;
}): Promise<void> {
  const { report, log } = o;
  let current = o.current;
  const files = reportFiles(dirname(o.record.path));
  // As the run's own steps: the record and what the report holds so far, so a kill during the teardown or the
  // sweep loses no phase already ended.
  const update = (change: Partial<RunRecord>) => {
    current = { ...current, ...change };
    o.record.write(current);
    files.store.write(report);
  };
  const evidence = (phase: AcceptancePhase, line: string) => (report.evidence[phase] ??= []).push(line);
  // The phases that did not run, each with why, in their place: before the teardown (a kill during it keeps the
  // reasons on disk), then the teardown's and the sweep's own if they never ran.
  const markSkipped = (only?: (phase: AcceptancePhase) => boolean) => {
    for (const p of ACCEPTANCE_PHASES)
      if ((only?.(p) ?? true) && !report.phases.some((r) => r.phase === p))
        report.phases.splice(ACCEPTANCE_PHASES.indexOf(p), 0, {
          phase: p,
          status: 'skipped',
          detail: NOT_APPLICABLE[current.stack]?.[p] ?? o.skipped(p),
        });
  };
  markSkipped((p) => p !== 'teardown' && p !== 'sweep');
  update({ phase: 'teardown' });
  const teardownStarted = Date.now();
  let code: number;
  try {
    code = await tearDownRun(current, log, (change) => update({ migrate: { ...current.migrate!, ...change } }));
  } catch (error) {
    log(`The teardown of ${current.name} stopped: ${(error as Error).message}`);
    code = 1;
  }
  report.phases.push({
    phase: 'teardown',
    status: code === 0 ? 'passed' : 'failed',
    seconds: Math.round((Date.now() - teardownStarted) / 1000),
    detail: code === 0 ? undefined : `finish it with: npm run acceptance -- --teardown-run ${current.runId}`,
  });
  if (code === 0)
    evidence(
      'teardown',
      current.applied
        ? `${current.stack === 'k8s-ha' ? 'terraform apply -destroy -refresh=false' : 'rancher-ha-aws teardown --yes'}: exit 0${o.broken ? (current.stack === 'docker' ? ', with the host stopped' : ', with Rancher scaled to zero') : ''}`
        : 'nothing was applied',
    );
  if (code === 0 && current.downstream)
    evidence('teardown', `terraform apply -destroy of the downstream module (${current.downstream.dir}): exit 0, first`);
  update({ phase: 'sweep' });
  const sweepStarted = Date.now();
  const swept = sweepAll(o.aws, current);
  report.leftovers = swept.leftovers;
  const stillThere = (swept.leftovers ?? []).filter((l) => l.state === 'left');
  report.phases.push({
    phase: 'sweep',
    status: swept.leftovers !== undefined && swept.problems.length === 0 && stillThere.length === 0 ? 'passed' : 'failed',
    seconds: Math.round((Date.now() - sweepStarted) / 1000),
    detail:
      [
        ...swept.problems,
        ...(stillThere.length > 0 ? [`${stillThere.length} resources left (tagged ${RUN_TAG}=${current.runId}, or in your cluster)`] : []),
      ].join('; ') || undefined,
  });
  for (const line of swept.evidence) evidence('sweep', line);
  if (current.applied && o.policyFile) report.awsActions = awsActions(o.aws, o.principal, report.startedAt, o.policyFile);
  markSkipped();
  report.finishedAt = new Date().toISOString();
  report.passed = o.finished && report.phases.every((p) => p.status === 'passed' || (p.status === 'skipped' && !o.phases.has(p.phase)));
  const runDir = dirname(o.record.path);
  files.store.write(report);
  writeFileSync(files.markdown, markdownReport(report));
  update({ done: code === 0 });
  // rke-ha's cluster-admin kubeconfig and Rancher's CA: never left in the folder, a killed run's neither.
  for (const file of RUN_SECRETS) rmSync(join(runDir, file), { force: true });
}

/** What a run writes to its folder that must not outlive it. */
const RUN_SECRETS = ['kubeconfig.yaml', 'rancher-ca.pem'];

/** A run's report: the JSON written whole at every step (a StateFile), the Markdown once at the end. */
const reportFiles = (runDir: string) => {
  const json = join(runDir, 'report.json');
  return { json, markdown: join(runDir, 'report.md'), store: new StateFile<AcceptanceReport>(json) };
};

/** Runs that started, applied something and were not torn down (their folders in `root`). */
function unfinishedRuns(root: string): RunRecord[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((id) => join(root, id, 'run.json'))
    .filter((file) => existsSync(file))
    .map((file) => new StateFile<RunRecord>(file).read()!)
    .filter((r) => !r.done && (r.applied || r.migrate !== undefined || leftInState(r.moduleDir, r.stack) > 0));
}

/**
 * `--teardown-run <run id>`: the teardown and the sweep of a run an earlier command left (killed: no handler ran;
 * or its teardown failed), and its report finished: what passed before, as the run wrote it at each step.
 */
async function tearDownEarlierRun(options: AcceptanceOptions): Promise<number> {
  const file = join(options.root, options.teardownRun!, 'run.json');
  const record = existsSync(file) ? new StateFile<RunRecord>(file) : undefined;
  const found = record?.read();
  if (!record || !found) {
    options.log(`No acceptance run ${options.teardownRun} in ${options.root}. Nothing was changed.`);
    return 2;
  }
  const files = reportFiles(dirname(file));
  if (found.done) {
    // Run twice, or on a run that tore itself down: its report stands as it is.
    const ended = files.store.read();
    options.log(`The acceptance run ${found.runId} (${found.name}) is torn down already; its report is ${files.markdown}. Nothing was changed.`);
    return ended?.phases.some((p) => p.phase === 'sweep' && p.status === 'passed') ? 0 : 1;
  }
  // A report the kill cut short (written whole since, but an older run's may not be) is started again: the teardown
  // must not wait on it.
  let earlier: AcceptanceReport | undefined;
  try {
    earlier = files.store.read();
  } catch (error) {
    options.log(`${(error as Error).message.split(';')[0]}: the report starts again from the run's record.`);
  }
  const report: AcceptanceReport = {
    ...(earlier ?? {
      version: 1,
      stack: found.stack,
      runId: found.runId,
      name: found.name,
      region: found.region,
      startedAt: found.startedAt,
      versions: { region: found.region },
      evidence: {},
      notProven: notProven(found.stack),
    }),
    // A run whose own teardown failed wrote its teardown and sweep: this one's replace them.
    phases: (earlier?.phases ?? []).filter((p) => p.phase !== 'teardown' && p.phase !== 'sweep' && p.status !== 'skipped'),
  };
  // Why the earlier run skipped a phase (not chosen, not for this stack) stays its reason.
  const skippedBefore = new Map((earlier?.phases ?? []).filter((p) => p.status === 'skipped').map((p) => [p.phase, p.detail]));
  if (!report.phases.some((p) => p.phase === found.phase) && found.phase !== 'teardown' && found.phase !== 'sweep')
    report.phases.push({
      phase: found.phase,
      status: 'interrupted',
      detail: 'the run stopped here without its teardown (killed, or it lost its machine)',
    });
  useCluster(found);
  await closeRun({
    record,
    current: found,
    report,
    aws: new Aws(found.region),
    // What the earlier run took is what it reported; the others were not reached.
    phases: new Set([...report.phases.map((p) => p.phase), 'teardown', 'sweep']),
    broken: report.phases.some((p) => p.phase === 'break' && p.status === 'passed'),
    // The run did not end by itself: what it took is what it reported, the rest was not reached.
    finished: false,
    skipped: (phase) => skippedBefore.get(phase) ?? 'not reached: the run stopped before it',
    log: options.log,
  });
  for (const line of describeReport(report, files)) options.log(line);
  const after = record.read()!;
  options.log(after.done ? `The acceptance run ${found.runId} (${found.name}) is torn down.` : `The teardown of ${found.runId} did not finish.`);
  const sweepPassed = report.phases.some((p) => p.phase === 'sweep' && p.status === 'passed');
  return after.done && sweepPassed ? 0 : 1;
}

/**
 * The run's deployment torn down from its state: a drill's throwaway it left first (tagged with the run id too), then
 * the teardown command (rke-ha, docker), or for k8s-ha the Backup object the run made and a destroy of its module
 * with the cluster reachable (the teardown command leaves a cluster's Helm releases to terraform destroy).
 */
async function tearDownRun(record: RunRecord, log: (line: string) => void, updateMigrate: (change: Partial<MigrateRecord>) => void): Promise<number> {
  // The migration's CA and backup key, which both deployments' destroys ask for as variables.
  const support = record.migrate ? readMigrateSupport(record.migrate.support) : undefined;
  if (support) useMigrateSecrets(support);
  // The downstream instance first (its own module and state): its agent then stops dialling a Rancher about to go.
  const downstream = record.downstream ? await tearDownDownstream(record.downstream.dir, log) : 0;
  const target = record.migrate ? await tearDownMigrateTarget(record.migrate, record.name, new Aws(record.region), updateMigrate, log) : 0;
  const deployment = Math.max(downstream, target, await tearDownDeployment(record, log));
  // The shared module last, and only once the deployments are gone: a --teardown-run after a failure needs its CA.
  if (!record.migrate || deployment !== 0) return deployment;
  return tearDownMigrateSupport(record.migrate.support, log);
}

/** The deployment's side of tearDownRun. */
async function tearDownDeployment(record: RunRecord, log: (line: string) => void): Promise<number> {
  const drilled = await tearDownDrillLeft(record, log);
  if (!record.applied || !existsSync(join(record.moduleDir, 'cdk.tf.json'))) {
    log(`Nothing of ${record.name} was created (the run stopped before its apply).`);
    return drilled;
  }
  if (!existsSync(join(record.moduleDir, '.terraform'))) {
    const init = run(terraformBinary(), ['init', '-input=false'], { cwd: record.moduleDir, timeoutMs: 900_000, inherit: true });
    if (init.code !== 0) {
      log(
        `terraform init failed in ${record.moduleDir} (exit ${init.code}): ${record.name} was not torn down. Fix it, then: npm run acceptance -- --teardown-run ${record.runId}`,
      );
      return 1;
    }
  }
  if (record.stack === 'k8s-ha') return Math.max(drilled, await destroyOnCluster(record, log));
  const code = await teardown({
    dir: record.moduleDir,
    label: `the acceptance deployment ${record.name}`,
    keepSnapshots: false,
    yes: true,
    log,
  });
  return Math.max(drilled, code);
}

/** A drill's throwaway the run left (killed during its drill phase): the drill's own teardown, from its record. */
async function tearDownDrillLeft(record: RunRecord, log: (line: string) => void): Promise<number> {
  const runDir = resolve(record.moduleDir, '..', '..', '..');
  const root = join(runDir, 'drill');
  const drilled = new StateFile<{ done?: boolean }>(join(root, 'drill.json')).read();
  if (!drilled || drilled.done) return 0;
  return drill({
    stack: record.stack,
    productionDir: record.moduleDir,
    settingsPath: join(runDir, 'settings.json'),
    root,
    synthScript: '',
    teardownOnly: true,
    interrupted: () => false,
    log,
  });
}

/** The k8s-ha run's own objects in the cluster, then `terraform destroy` of its module (no refresh: Rancher may be down). */
async function destroyOnCluster(record: RunRecord, log: (line: string) => void): Promise<number> {
  let code = 0;
  if (record.backupCreated && record.cluster) {
    const k = new Kubectl(record.cluster.kubeconfig, record.cluster.context);
    const deleted = k.tryCall(['delete', 'backups.resources.cattle.io', BACKUP_NAME, '--ignore-not-found']);
    // Gone with its CRD already (a destroy that ran before) is fine too. Otherwise the destroy still runs: the
    // bucket, the IAM user and the DNS record need no cluster, and the sweep then lists what is left.
    if (!deleted.ok && !/doesn't have a resource type/.test(deleted.stderr)) {
      log(`The Backup ${BACKUP_NAME} the run created was not deleted: ${readableError(deleted.stderr, 300)}`);
      code = 1;
    }
  }
  const destroyed = await runAsync(terraformBinary(), ['apply', '-destroy', '-refresh=false', '-auto-approve', '-input=false'], {
    cwd: record.moduleDir,
    timeoutMs: 3_600_000,
    inherit: true,
  });
  if (destroyed.code !== 0) {
    log(`terraform destroy of ${record.name} failed (exit ${destroyed.code}): finish it with npm run acceptance -- --teardown-run ${record.runId}`);
    return 1;
  }
  return code;
}

/** k8s-ha: the Terraform variables that reach the cluster, in this process's environment (every terraform inherits it). */
function useCluster(record: RunRecord): void {
  if (!record.cluster) return;
  process.env.TF_VAR_kubeconfig_path = record.cluster.kubeconfig;
  if (record.cluster.context) process.env.TF_VAR_kubeconfig_context = record.cluster.context;
  else delete process.env.TF_VAR_kubeconfig_context;
}

const describeCluster = (cluster: { kubeconfig: string; context?: string }) =>
  `the cluster of ${cluster.kubeconfig}${cluster.context ? ` (context ${cluster.context})` : ' (its current context)'}`;

/** What a stack needs on the command line, or refuses there: k8s-ha names its cluster and the zone of its record. */
function clusterOptionsProblem(stack: AcceptanceStack, options: AcceptanceOptions): string | undefined {
  if (stack !== 'k8s-ha')
    return options.kubeconfig || options.context || (options.hostedZone && stack !== 'docker')
      ? `--kubeconfig, --context and --hosted-zone are for k8s-ha (the cluster it installs onto, the zone of its record; --hosted-zone also for docker's migrate phase); ${stack} builds its own.`
      : undefined;
  if (!options.kubeconfig)
    return 'k8s-ha installs onto a cluster of yours: name it with --kubeconfig <file> (and --context <name> for another than its current context).';
  if (!existsSync(options.kubeconfig)) return `--kubeconfig ${options.kubeconfig}: no such file.`;
  if (!options.hostedZone)
    return "k8s-ha has no wildcard DNS mode: name a public Route53 zone of yours with --hosted-zone <zone>; the run's record there is <run name>.<zone>, its own.";
  return undefined;
}

/** Why the run must not install onto this cluster: it has a Rancher already (cattle-system), or it does not answer. */
function clusterRefusal(k: Kubectl, which: string): string | undefined {
  const found = k.tryCall(['get', 'namespace', 'cattle-system', '-o', 'name']);
  if (found.ok)
    return `${which} has a namespace cattle-system: a Rancher is installed there already. The acceptance run installs its own and removes it afterwards, which would take that one's namespace along: use a cluster without Rancher.`;
  if (!/NotFound/.test(found.stderr)) return `${which} did not answer (${readableError(found.stderr, 300)}).`;
  return undefined;
}

/** The cluster's namespaces; undefined when it did not answer. */
function clusterNamespaces(k: Kubectl): string[] | undefined {
  const listed = k.tryCall(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}']);
  return listed.ok ? listed.stdout.split(/\s+/).filter(Boolean) : undefined;
}

/** The namespaces a k8s-ha module creates: its namespace resources and the Helm releases that create theirs. */
export function moduleNamespaces(json: ModuleJson): string[] {
  const names = new Set<string>();
  for (const body of Object.values(json.resource?.kubernetes_namespace_v1 ?? {})) {
    const name = (body.metadata as { name?: unknown }[] | { name?: unknown } | undefined) ?? {};
    const value = Array.isArray(name) ? name[0]?.name : name.name;
    if (typeof value === 'string' && !value.includes('${')) names.add(value);
  }
  for (const body of Object.values(json.resource?.helm_release ?? {}))
    if (body.create_namespace === true && typeof body.namespace === 'string' && !body.namespace.includes('${')) names.add(body.namespace);
  return [...names].sort();
}

/** What the stated cost rests on, per stack. */
const costBasis = (stack: AcceptanceStack) =>
  stack === 'k8s-ha'
    ? "its own AWS pieces (a bucket, a record, an IAM user) cost cents; your cluster's hours are yours"
    : stack === 'docker'
      ? `the default docker host costs about $${STACK_DOLLARS_PER_HOUR.docker.toFixed(2)} an hour, docs/cost.md`
      : `the default deployment costs about $${DOLLARS_PER_HOUR.toFixed(2)} an hour, docs/cost.md`;

/** The ARNs of what is tagged `key=value` in the region (the Resource Groups Tagging API, every page). */
function taggedWith(aws: Aws, key: string, value: string): string[] {
  const arns: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const answer = aws.call<{ ResourceTagMappingList?: { ResourceARN: string }[]; PaginationToken?: string }>([
      'resourcegroupstaggingapi',
      'get-resources',
      '--tag-filters',
      `Key=${key},Values=${value}`,
      ...(token ? ['--pagination-token', token] : []),
    ]);
    arns.push(...(answer?.ResourceTagMappingList ?? []).map((m) => m.ResourceARN));
    token = answer?.PaginationToken;
    if (!token) break;
  }
  return arns;
}

/**
 * What is still tagged with the run's id, each with how to remove it; a KMS key pending deletion and a terminated
 * instance are going by themselves (AWS lists them for a while).
 */
function sweep(aws: Aws, runId: string): Leftover[] {
  return taggedWith(aws, RUN_TAG, runId).map((arn) => {
    const [, , service, , , resource = ''] = arn.split(':');
    let pending = false;
    if (service === 'kms') {
      const key = aws.call<{ KeyMetadata?: { KeyState?: string } }>(['kms', 'describe-key', '--key-id', arn], ['NotFoundException']);
      pending = key === undefined || key.KeyMetadata?.KeyState === 'PendingDeletion';
    }
    if (service === 'ec2' && resource.startsWith('instance/')) {
      const found = aws.call<{ Reservations?: { Instances?: { State?: { Name?: string } }[] }[] }>(
        ['ec2', 'describe-instances', '--instance-ids', resource.slice('instance/'.length)],
        ['InvalidInstanceID.NotFound'],
      );
      const state = found?.Reservations?.[0]?.Instances?.[0]?.State?.Name;
      pending = state === undefined || state === 'terminated' || state === 'shutting-down';
    }
    return { arn, state: pending ? 'pending' : 'left', remove: removalOf(arn, aws.region) } as Leftover;
  });
}

type Tags = { Tags?: { Key: string; Value: string }[] };

/**
 * The IAM the Tagging API does not list (its GetResources does not support IAM users and roles: "Services that
 * support the Resource Groups Tagging API", AWS Resource Groups Tagging API Reference): the account's roles, users,
 * instance profiles and customer managed policies whose name starts with the run's name, each kept when its own tags
 * carry the run id (a name alone could be another's, with --name). IAM is global: one look serves every region.
 */
function iamLeftovers(aws: Aws, name: string, runId: string): Leftover[] {
  const ours = (tags: Tags | undefined) => (tags?.Tags ?? []).some((t) => t.Key === RUN_TAG && t.Value === runId);
  const mine = (candidate: string | undefined) => candidate?.startsWith(`${name}-`) === true;
  const arns: string[] = [];
  // The AWS CLI follows every page of a list call itself unless told not to.
  for (const r of aws.call<{ Roles?: { RoleName?: string; Arn: string }[] }>(['iam', 'list-roles'])?.Roles ?? [])
    if (mine(r.RoleName) && ours(aws.call<Tags>(['iam', 'list-role-tags', '--role-name', r.RoleName!], ['NoSuchEntity']))) arns.push(r.Arn);
  // The stacks put their users under one path (deployer-policy.json grants them there only).
  for (const u of aws.call<{ Users?: { UserName?: string; Arn: string }[] }>(['iam', 'list-users', '--path-prefix', '/rancher-ha-aws/'])?.Users ?? [])
    if (mine(u.UserName) && ours(aws.call<Tags>(['iam', 'list-user-tags', '--user-name', u.UserName!], ['NoSuchEntity']))) arns.push(u.Arn);
  for (const p of aws.call<{ InstanceProfiles?: { InstanceProfileName?: string; Arn: string }[] }>(['iam', 'list-instance-profiles'])
    ?.InstanceProfiles ?? [])
    if (
      mine(p.InstanceProfileName) &&
      ours(aws.call<Tags>(['iam', 'list-instance-profile-tags', '--instance-profile-name', p.InstanceProfileName!], ['NoSuchEntity']))
    )
      arns.push(p.Arn);
  for (const p of aws.call<{ Policies?: { PolicyName?: string; Arn: string }[] }>(['iam', 'list-policies', '--scope', 'Local'])?.Policies ?? [])
    if (mine(p.PolicyName) && ours(aws.call<Tags>(['iam', 'list-policy-tags', '--policy-arn', p.Arn], ['NoSuchEntity']))) arns.push(p.Arn);
  return arns.map((arn) => ({ arn, state: 'left', remove: removalOf(arn, aws.region) }));
}

/** A leftover in the user's cluster (k8s-ha): named `kubernetes:namespace/<name>` in place of an ARN. */
const clusterLeftover = (namespace: string, cluster: { kubeconfig: string; context?: string }): Leftover => ({
  arn: `kubernetes:namespace/${namespace}`,
  state: 'left',
  remove: `kubectl --kubeconfig ${cluster.kubeconfig}${cluster.context ? ` --context ${cluster.context}` : ''} delete namespace ${namespace} (the run created it; look at what is in it first)`,
});

/**
 * The sweep: the Tagging API in the run's region, IAM, and for k8s-ha the namespaces the run created in the cluster
 * (each must be gone; what Rancher itself made there at run time is its own, documented, and only counted).
 */
/** The run's region and every other one an AWS provider of its module names (a literal region, as the stacks write). */
export function sweepRegions(record: Pick<RunRecord, 'region' | 'moduleDir'>): string[] {
  const providers = readModuleJson(record.moduleDir)?.provider?.aws ?? [];
  const named = providers.map((p) => (p as { region?: unknown }).region).filter((r): r is string => typeof r === 'string' && !r.includes('${'));
  return [...new Set([record.region, ...named])];
}

function sweepAll(aws: Aws, record: RunRecord): { leftovers?: Leftover[]; problems: string[]; evidence: string[] } {
  const problems: string[] = [];
  const evidence: string[] = [];
  let leftovers: Leftover[] | undefined;
  // The Tagging API answers for its own region: every region the module's AWS providers create in (us-east-1 too
  // when alarms put the Route53 health checks' alarms there), the run's own first.
  for (const region of sweepRegions(record)) {
    try {
      const seen = new Set((leftovers ?? []).map((l) => l.arn));
      // An ARN without a region (S3's) is listed in every region asked: kept once.
      const found = sweep(region === aws.region ? aws : new Aws(region), record.runId).filter((l) => !seen.has(l.arn));
      leftovers = [...(leftovers ?? []), ...found];
      const left = found.filter((l) => l.state === 'left').length;
      evidence.push(
        `aws resourcegroupstaggingapi get-resources --tag-filters Key=${RUN_TAG},Values=${record.runId} in ${region}: ${found.length} resources (${left} left, ${found.length - left} going by themselves)`,
      );
    } catch (error) {
      problems.push(
        `the Resource Groups Tagging API could not be read in ${region} (${(error as Error).message.slice(0, 300)}): look for ${RUN_TAG}=${record.runId} in the console`,
      );
    }
  }
  try {
    const iam = iamLeftovers(aws, record.name, record.runId);
    leftovers = [...(leftovers ?? []), ...iam];
    evidence.push(
      `aws iam list-roles, list-users --path-prefix /rancher-ha-aws/, list-instance-profiles, list-policies --scope Local: ${iam.length} named ${record.name}-* and tagged ${RUN_TAG}=${record.runId}`,
    );
  } catch (error) {
    problems.push(
      `IAM could not be listed (${(error as Error).message.slice(0, 300)}): look for roles and users named ${record.name}-* in the IAM console`,
    );
  }
  if (record.cluster && record.applied) {
    const present = clusterNamespaces(new Kubectl(record.cluster.kubeconfig, record.cluster.context));
    if (present === undefined)
      problems.push(`${describeCluster(record.cluster)} did not list its namespaces: look for ${(record.namespaces ?? []).join(', ')} there`);
    else {
      const ours = (record.namespaces ?? []).filter((n) => present.includes(n));
      leftovers = [...(leftovers ?? []), ...ours.map((n) => clusterLeftover(n, record.cluster!))];
      // Neither the user's (there before) nor the module's: what Rancher made while it ran (cattle-global-data, fleet-*, ...).
      const came = present.filter((n) => !(record.namespacesBefore ?? present).includes(n) && !(record.namespaces ?? []).includes(n));
      evidence.push(
        `${describeCluster(record.cluster)}: ${ours.length} of the run's namespaces (${(record.namespaces ?? []).join(', ') || 'none'}) left; ${came.length} namespaces that came with Rancher stay (${came.join(', ') || 'none'}; its rancher-cleanup job clears them, docs/k8s-ha.md)`,
      );
    }
  }
  return { leftovers, problems, evidence };
}

/**
 * The actions the run's principal used (CloudTrail's event history, management events, from the run's start until
 * now) against docs/deployer-policy.json; or why they could not be read.
 */
function awsActions(aws: Aws, principalArn: string | undefined, since: string, policyFile: string): AcceptanceReport['awsActions'] {
  // CloudTrail names an assumed role's caller by its session name, a user by the user's name: the ARN's last part.
  const user = principalArn?.split('/').pop();
  if (!user) return { source: 'CloudTrail', unavailable: 'the caller identity was not known' };
  const used = new Set<string>();
  const regions = eventRegions(aws.region);
  const runRegion = aws;
  const until = new Date().toISOString();
  try {
    for (const region of regions) {
      // Each region's own event history (the deployer-policy test finds the call by the name aws).
      const aws = region === runRegion.region ? runRegion : new Aws(region);
      let token: string | undefined;
      for (let page = 0; page < 2000; page++) {
        const answer = aws.call<{ Events?: { EventSource?: string; EventName?: string }[]; NextToken?: string }>([
          'cloudtrail',
          'lookup-events',
          '--lookup-attributes',
          `AttributeKey=Username,AttributeValue=${user}`,
          '--start-time',
          since,
          '--end-time',
          until,
          '--max-results',
          '50',
          ...(token ? ['--next-token', token] : []),
        ]);
        for (const e of answer?.Events ?? []) if (e.EventSource && e.EventName) used.add(iamAction(e.EventSource, e.EventName));
        token = answer?.NextToken;
        if (!token) break;
      }
    }
  } catch (error) {
    return { source: 'CloudTrail', unavailable: `cloudtrail lookup-events failed: ${(error as Error).message.slice(0, 300)}` };
  }
  const policy = JSON.parse(readFileSync(policyFile, 'utf8')) as { Statement: { Effect: string; Action?: string | string[] }[] };
  const sorted = [...used].sort();
  return { source: `CloudTrail event history (${regions.join(' and ')}) for ${user} since ${since}`, used: sorted, ...comparePolicy(sorted, policy) };
}

/**
 * Beyond the drill's checks (cli/shared/throwaway.ts): the run id in every AWS provider's default tags (so every resource
 * carries it), and names only under the run's own prefix. With a zone (k8s-ha; docker's migrate phase and its rke-ha
 * target) the Route53 records are the run's own: each is named by the rancher_hostname variable, whose default is `<name>.<zone>` (the drill's check refuses any record).
 */
export function acceptanceModuleProblems(
  json: ModuleJson,
  moduleDir: string,
  root: string,
  name: string,
  runId: string,
  run: { readonly stack?: AcceptanceStack; readonly hostedZone?: string } = {},
): string[] {
  const records = json.resource?.aws_route53_record;
  // k8s-ha's, and docker's and its migration target's with a zone (the migrate phase).
  const ownRecords =
    run.hostedZone !== undefined &&
    records !== undefined &&
    json.variable?.rancher_hostname?.default === k8sHaHostname(name, run.hostedZone ?? '') &&
    Object.values(records).every((r) => r.name === '${var.rancher_hostname}');
  const problems = localModuleProblems(
    ownRecords ? { ...json, resource: { ...json.resource, aws_route53_record: undefined! } } : json,
    moduleDir,
    root,
  );
  if (run.hostedZone !== undefined && !ownRecords)
    problems.push(`its Route53 records are not all named ${k8sHaHostname(name, run.hostedZone ?? '')}`);
  for (const provider of json.provider?.aws ?? [])
    if (provider.default_tags?.[0]?.tags?.[RUN_TAG] !== runId)
      problems.push(`the AWS provider ${provider.alias ?? '(default)'} does not tag ${RUN_TAG}=${runId}`);
  const named: Record<string, string> = {
    aws_s3_bucket: 'bucket',
    aws_ssm_parameter: 'name',
    aws_iam_role: 'name',
    aws_iam_user: 'name',
    aws_lb: 'name',
  };
  for (const [type, attribute] of Object.entries(named))
    for (const [id, body] of Object.entries(json.resource?.[type] ?? {})) {
      const value = body[attribute];
      if (typeof value === 'string' && !value.includes('${') && !value.replace(/^\//, '').startsWith(name))
        problems.push(`${type}.${id} is named ${value}, outside the run's prefix ${name}`);
    }
  return problems;
}

/** terraform in the module folder, stopped with SIGINT on a signal. */
async function runTerraform(moduleDir: string, args: readonly string[], stoppable: { interrupted: () => boolean; stop?: AbortSignal }) {
  const result = await runAsync(terraformBinary(), args, { cwd: moduleDir, timeoutMs: 1_800_000, stop: stoppable.stop, stopSignal: 'SIGINT' });
  if (stoppable.interrupted()) throw new Interrupted();
  return result;
}

/** The deployment's cluster-admin kubeconfig (its sensitive output) into the run's folder, mode 0600. */
function writeKubeconfig(terraform: Terraform, file: string, url: string): void {
  if (existsSync(file)) return;
  const config = terraform.outputJson('kubeconfig');
  if (typeof config !== 'string' || !url) throw new StepFailed('the deployment has no rancher_url or kubeconfig output');
  writeFileSync(file, config, { mode: 0o600 });
}

/**
 * The first login as a person makes it: `admin` with the rancher_admin_password output, through Rancher's login API
 * (`/v1-public/login`, `/v3-public/...?action=login` where that is missing), then the token it returned reads the
 * user it belongs to. Password and token go to curl on its standard input, never on its command line.
 */
function firstLogin(terraform: Terraform, readCa: CaReader, url: string, caFile: string): string[] {
  const password = terraform.outputJson('rancher_admin_password');
  if (typeof password !== 'string' || password === '')
    throw new StepFailed('the deployment has no rancher_admin_password output (rancher.bootstrap off?)');
  let why = '';
  if (!existsSync(caFile) && !readCa(caFile, (w) => (why = w))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
  const login = rancherLogin(url, caFile, 'admin', password);
  const me = rancherGet(url, caFile, login.token, '/v3/users?me=true');
  const users = usernames(me.body);
  if (me.status !== 200 || !users.includes('admin'))
    throw new StepFailed(`the login's token did not read admin's user (${url}/v3/users?me=true answered ${me.status})`);
  return [
    `POST ${url}${login.endpoint} as admin with the rancher_admin_password output: ${login.status}, a token`,
    `GET ${url}/v3/users?me=true with that token: 200, user admin`,
  ];
}

/**
 * Rancher's own CA on the docker host, as the stack's readiness gate reads it: `/cacerts` without verification, once
 * (trust on first use: the CA does not exist before Rancher starts), then every call verifies against it.
 */
function rancherCacerts(url: string, caFile: string, why: (text: string) => void): boolean {
  if (!url) {
    why('the deployment has no rancher_url output');
    return false;
  }
  const got = run('curl', ['--silent', '--show-error', '--fail', '--max-time', '20', '--insecure', `${url}/cacerts`], { timeoutMs: 60_000 });
  if (got.code !== 0 || !got.stdout.includes('BEGIN CERTIFICATE')) {
    why(got.code === 0 ? `${url}/cacerts answered no certificate` : readableError(got.stderr, 300));
    return false;
  }
  writeFileSync(caFile, got.stdout);
  return true;
}

/** docker's break: its host stopped, and seen stopped (Rancher with it: the teardown must not need it). */
async function stopHost(aws: Aws, terraform: Terraform, interrupted: () => boolean): Promise<string[]> {
  const id = terraform.outputJson('instance_id');
  if (typeof id !== 'string' || id === '') throw new StepFailed('the deployment has no instance_id output');
  aws.call(['ec2', 'stop-instances', '--instance-ids', id]);
  let state = '';
  const stopped = await waitUntil(10 * 60_000, interrupted, () => {
    const found = aws.call<{ Reservations?: { Instances?: { State?: { Name?: string } }[] }[] }>(['ec2', 'describe-instances', '--instance-ids', id]);
    state = found?.Reservations?.[0]?.Instances?.[0]?.State?.Name ?? 'unknown';
    return state === 'stopped' ? true : undefined;
  });
  if (!stopped) throw new StepFailed(`the host ${id} did not stop within 10 minutes (${state})`);
  return [`aws ec2 stop-instances --instance-ids ${id}: stopped; the teardown runs against a host whose Rancher is down`];
}

/** The deployment's servers, from its servers_pending_replacement output (rke-ha's three when it has none). */
function serverNames(terraform: Terraform): string[] {
  const pending = terraform.outputJson('servers_pending_replacement');
  const names = pending && typeof pending === 'object' ? Object.keys(pending as object).sort() : [];
  return names.length > 0 ? names : ['server-0', 'server-1', 'server-2'];
}

/** admin's login token (the rancher_admin_password output), with Rancher's CA read first when the run has none yet. */
function loginToken(terraform: Terraform, readCa: CaReader, url: string, caFile: string): string {
  const password = terraform.outputJson('rancher_admin_password');
  if (typeof password !== 'string' || password === '')
    throw new StepFailed('the deployment has no rancher_admin_password output (rancher.bootstrap off?)');
  let why = '';
  if (!existsSync(caFile) && !readCa(caFile, (w) => (why = w))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
  return rancherLogin(url, caFile, 'admin', password).token;
}

/** The usernames of a `/v3/users` answer (none when it is not one). */
function usernames(body: string): string[] {
  try {
    return ((JSON.parse(body) as { data?: { username?: string }[] }).data ?? []).map((u) => String(u.username));
  } catch {
    return [];
  }
}

/** Each node's name and kubelet version, or undefined when the API did not answer. */
function nodeVersions(kubectl: Kubectl): { name: string; version: string }[] | undefined {
  const result = kubectl.tryCall(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.nodeInfo.kubeletVersion}{"\\n"}{end}']);
  if (!result.ok) return undefined;
  return result.stdout
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => ({ name: l.slice(0, l.indexOf('=')), version: l.slice(l.indexOf('=') + 1).trim() }));
}

const describeVersions = (nodes: { name: string; version: string }[] | undefined) =>
  nodes === undefined ? 'the node list did not answer' : nodes.map((n) => `${n.name} ${n.version}`).join(', ') || 'no nodes';

/**
 * A one-time Backup with the scheduled Backup's storage and encryption (so it lands where the scheduled ones do, and
 * the drill finds it as the newest), waited for until the operator names its file, which must then be in the bucket.
 */
async function takeBackup(kubectl: Kubectl, aws: Aws, terraform: Terraform, interrupted: () => boolean): Promise<string[]> {
  const bucket = terraform.outputJson('rancher_backup_bucket');
  if (typeof bucket !== 'string') throw new StepFailed('the deployment has no rancher_backup_bucket output (backups.enabled)');
  const scheduled = JSON.parse(kubectl.call(['get', 'backups.resources.cattle.io', SCHEDULED_BACKUP, '-o', 'json'])) as {
    spec?: Record<string, unknown>;
  };
  const { schedule: _schedule, retentionCount: _retention, ...spec } = scheduled.spec ?? {};
  const created = kubectl.call(['create', '-f', '-', '-o', 'name'], {
    input: JSON.stringify({ apiVersion: 'resources.cattle.io/v1', kind: 'Backup', metadata: { name: BACKUP_NAME }, spec }),
  });
  let last = '';
  const file = await waitUntil(15 * 60_000, interrupted, () => {
    const status = kubectl.tryCall(['get', 'backups.resources.cattle.io', BACKUP_NAME, '-o', 'jsonpath={.status.filename}']);
    last = status.ok ? 'no file name yet' : readableError(status.stderr, 300);
    return status.ok && status.stdout.trim() !== '' ? status.stdout.trim() : undefined;
  });
  if (!file) throw new StepFailed(`the Backup ${BACKUP_NAME} wrote no file within 15 minutes (${last})`);
  await yieldFor(0);
  const listed = aws.call<{ Contents?: { Key: string; Size: number }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    bucket,
    '--prefix',
    `rancher/${file}`,
  ]);
  const object = (listed?.Contents ?? []).find((o) => o.Key === `rancher/${file}`);
  if (!object) throw new StepFailed(`the operator names ${file}, which is not in s3://${bucket}/rancher/`);
  return [
    `${created.trim() || BACKUP_NAME} created with the scheduled Backup's storage and encryption: ${file}`,
    `s3://${bucket}/rancher/${file}: ${object.Size} bytes`,
  ];
}

/** The project's version (package.json of the checkout). */
function projectVersion(packageFile: string): string | undefined {
  try {
    return String((JSON.parse(readFileSync(packageFile, 'utf8')) as { version?: string }).version);
  } catch {
    return undefined;
  }
}

/** Terraform's own version and the providers the module was initialised with (`terraform version -json`). */
function terraformVersion(moduleDir: string): string | undefined {
  const result = run(terraformBinary(), ['version', '-json'], { cwd: moduleDir, timeoutMs: 60_000 });
  try {
    const v = JSON.parse(result.stdout) as { terraform_version?: string; provider_selections?: Record<string, string> };
    const providers = Object.entries(v.provider_selections ?? {}).map(([p, version]) => `${p.split('/').pop()} ${version}`);
    return `${v.terraform_version ?? '?'}${providers.length ? `; providers: ${providers.join(', ')}` : ''}`;
  } catch {
    return undefined;
  }
}

/** Versions the synthesized module pins: the charts, RKE2 at deploy, the instance type. */
function moduleVersions(json: ModuleJson, moduleDir: string, stack: AcceptanceStack): Record<string, string | undefined> {
  const releases = Object.values(json.resource?.helm_release ?? {}) as { chart?: string; version?: string }[];
  const chart = (name: string) => releases.find((r) => r.chart === name)?.version;
  const text = readFileSync(join(moduleDir, 'cdk.tf.json'), 'utf8');
  const k3s = /K3S_VERSION=\\"(v[^\\"]+)\\"/.exec(text)?.[1];
  if (stack === 'docker')
    return {
      // The container's image (the host's RANCHER_IMAGE): K3s inside it comes with Rancher's version.
      rancher: /RANCHER_IMAGE=\\"[^\\"]*rancher\/rancher:(v[^\\"]+)\\"/.exec(text)?.[1],
      'instance type': String(json.variable?.instance_type?.default ?? '(the instance_type variable)'),
    };
  return {
    rancher: chart('rancher'),
    'cert-manager': chart('cert-manager'),
    'rancher-backup': chart('rancher-backup'),
    ...(stack === 'rke-ha' && k3s !== undefined ? { k3s } : {}),
    ...(stack === 'rke-ha'
      ? {
          rke2: /RKE2_VERSION=\\"(v[^\\"]+)\\"/.exec(text)?.[1] ?? UPGRADE.from,
          'instance type': String(json.variable?.instance_type?.default ?? '(the instance_type variable)'),
        }
      : {}),
  };
}

/** "N added, M changed, K destroyed" from the apply's change summary event. */
function applyChanges(applyJson: string): string | undefined {
  for (const line of applyJson.split('\n').reverse()) {
    if (!line.includes('"change_summary"')) continue;
    try {
      return (JSON.parse(line) as { '@message'?: string })['@message'];
    } catch {
      return undefined;
    }
  }
  return undefined;
}
