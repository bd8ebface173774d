import { outagePolicy, outageRole } from './acceptance-outage';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  NO_STANDBY,
  NOT_APPLICABLE,
  notProven,
  OPT_IN_PHASES,
  OPTIONAL_PHASES,
  phaseMeaning,
  removalOf,
} from './acceptance-report';
import {
  ACCEPTANCE_STACKS,
  type AcceptanceStack,
  acceptanceName,
  baseSettingsProblem,
  k8sHaHostname,
  newRunId,
  RUN_TAG,
  upgradeSumProblem,
} from './acceptance-settings';
import { DOWNSTREAM_DOLLARS_PER_HOUR, DOWNSTREAM_MINUTES, DOWNSTREAM_PLAN, tearDownDownstream } from './acceptance-downstream';
import {
  MIGRATE_PLAN,
  MIGRATE_SECRET_VARIABLES,
  type MigrateRecord,
  readMigrateSupport,
  tearDownMigrateSupport,
  tearDownMigrateTarget,
  useMigrateSecrets,
} from './acceptance-migrate';
import { BACKUP_NAME, BACKUPS } from './acceptance-backup';
import { clusterNamespaces, type PhasesOutcome, runPhases } from './acceptance-phases';
import {
  type AcceptanceCommands,
  type AcceptanceOptions,
  type AcceptanceRun,
  CLUSTER_VARIABLES,
  describeCluster,
  reportFiles,
  RUN_SECRETS,
  type RunPlan,
  type RunRecord,
  startRun,
  useCluster,
  withClients,
} from './acceptance-run';
import { initShown, terraformOutput } from './terraform-output';
import { beginPhase, phaseStopped, step } from './acceptance-progress';
import { type Aws, type AwsByRegion, awsByRegion } from '../shared/aws';
import type { DrillEntry } from '../shared/command-entries';
import { DEPLOYMENT_TAG } from '../../lib/common/deployment-record-format';
import { DOLLARS_PER_HOUR } from '../shared/hourly-cost';
import { kubeApiOn } from '../shared/kube-api-for';
import { yieldFor } from '../shared/poll';
import type { IoHost } from '../shared/io/io-host';
import { runAsync } from '../shared/process';
import { readProductionSettings } from '../shared/settings-file';
import { standbyRegionOf } from '../shared/standby';
import { StateFile } from '../shared/state-file';
import { Terraform, terraformBinary } from '../shared/terraform';
import { RESTORE_VARIABLE } from '../shared/failover-record';
import { keepingEnvironment, withEnvironment } from '../shared/scoped-environment';
import { leftInState, readModuleJson } from '../shared/throwaway';
import { readableError } from '../shared/tool-output';

export type { AcceptanceOptions, RunRecord } from './acceptance-run';
export { overBudget } from './acceptance-run';
export { acceptanceModuleProblems, moduleNamespaces } from './acceptance-phases';

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

/** Why a phase does not apply to a run: its stack's (NOT_APPLICABLE), or for rke-ha's failover, settings without a standby. */
export function notApplicable(stack: string, phase: AcceptancePhase, base: Record<string, unknown>): string | undefined {
  return NOT_APPLICABLE[stack]?.[phase] ?? (stack === 'rke-ha' && phase === 'failover' && !standbyRegionOf(base) ? NO_STANDBY : undefined);
}

/** Why a command line is refused: the refusal's message code, and its words. */
export interface Refusal {
  readonly code: string;
  readonly text: string;
}

/**
 * The phases a run of `stack` takes from --only and --skip; a refusal for an unknown phase, or one --only names that
 * does not apply to the stack (NOT_APPLICABLE).
 */
export function chosenPhases(
  only: readonly string[] | undefined,
  skip: readonly string[] | undefined,
  stack: string = 'rke-ha',
  withPhases: readonly string[] = [],
): Set<AcceptancePhase> | Refusal {
  for (const name of [...(only ?? []), ...(skip ?? []), ...withPhases])
    if (!(CHOSEN_PHASES as readonly string[]).includes(name))
      return {
        code: 'ACCEPTANCE_PHASE_UNKNOWN',
        text: `Unknown phase ${name}: choose from ${CHOSEN_PHASES.join(', ')} (deploy, teardown and sweep always run).`,
      };
  const notHere = NOT_APPLICABLE[stack] ?? {};
  for (const name of only ?? [])
    if (notHere[name as AcceptancePhase])
      return {
        code: 'ACCEPTANCE_PHASE_NOT_APPLICABLE',
        text: `--only ${name}: that phase does not apply to ${stack} (${notHere[name as AcceptancePhase]}).`,
      };
  for (const name of withPhases) {
    if (!OPTIONAL_PHASES.includes(name as AcceptancePhase))
      return {
        code: 'ACCEPTANCE_PHASE_NOT_OPTIONAL',
        text: `--with ${name}: only an optional phase (${OPTIONAL_PHASES.join(', ')}) is added with --with; the others run unless --skip names them.`,
      };
    if (notHere[name as AcceptancePhase])
      return {
        code: 'ACCEPTANCE_PHASE_NOT_APPLICABLE',
        text: `--with ${name}: that phase does not apply to ${stack} (${notHere[name as AcceptancePhase]}).`,
      };
  }
  const chosen = new Set<AcceptancePhase>(
    only && only.length > 0
      ? (only as AcceptancePhase[])
      : [...CHOSEN_PHASES.filter((p) => !OPTIONAL_PHASES.includes(p) && !OPT_IN_PHASES.includes(p)), ...(withPhases as AcceptancePhase[])],
  );
  for (const name of skip ?? []) chosen.delete(name as AcceptancePhase);
  for (const name of Object.keys(notHere)) chosen.delete(name as AcceptancePhase);
  // The drill restores the backup the run takes.
  if (chosen.has('drill') && !chosen.has('backup'))
    return {
      code: 'ACCEPTANCE_DRILL_WITHOUT_BACKUP',
      text: "--only/--skip: the drill restores the backup phase's backup; choose backup with drill.",
    };
  // The migration proves the downstream cluster's move, and retires the host the break would stop.
  if (chosen.has('migrate') && !chosen.has('downstream'))
    return {
      code: 'ACCEPTANCE_MIGRATE_WITHOUT_DOWNSTREAM',
      text: "--only migrate: the migration requires the downstream phase's cluster Active on the new Rancher; choose downstream with migrate (--only downstream,migrate).",
    };
  if (chosen.has('migrate') && chosen.has('break'))
    return {
      code: 'ACCEPTANCE_MIGRATE_WITH_BREAK',
      text: '--only migrate,break: the migration retires the docker host the break would stop (the teardown of the rke-ha deployment it leaves is proven by the rke-ha run); leave break out.',
    };
  return new Set(ACCEPTANCE_PHASES.filter((p) => !(CHOSEN_PHASES as readonly string[]).includes(p) || chosen.has(p)));
}

/**
 * Proves a throwaway deployment's whole life; see docs/acceptance.md. Returns the exit code. In four steps: the
 * checks and the statement before anything is created (planRun), the run's folder and clock (startRun), its phases
 * (runPhases), and its close: teardown, sweep and report (endRun).
 */
export async function acceptance(given: AcceptanceOptions): Promise<number> {
  // The commands the run runs reach AWS through the caller's clients too, when it gave them.
  const options = { ...given, commands: withClients(given.commands, given.aws) };
  // The cluster's and the migration's Terraform variables (the CA's private key among them) end with the run: a
  // caller in the same process (a library user, the tests) never inherits them.
  return keepingEnvironment([...CLUSTER_VARIABLES, ...MIGRATE_SECRET_VARIABLES], async () => {
    if (options.teardownRun !== undefined) return tearDownEarlierRun(options);
    const plan = await planRun(options);
    if (typeof plan === 'number') return plan;
    const run = startRun(options, plan);
    return endRun(run, await runPhases(run));
  });
}

/** What the command line and the settings file chose, checked before anything else is asked. */
type Choice = Pick<RunPlan, 'stack' | 'region' | 'phases' | 'base' | 'upgrade'> & {
  /** Why the upgrade's sums would refuse the run: a dry run still states the plan, then says it. */
  readonly sumProblem?: string;
};

/**
 * The run decided and stated, or the exit code that ends it first: the command line checked (choose), AWS and the
 * cluster asked (lookAround), the plan said (statePlan), then a dry run ends and a real one is confirmed.
 */
async function planRun(options: AcceptanceOptions): Promise<RunPlan | number> {
  const choice = choose(options);
  if (typeof choice === 'number') return choice;
  const plan = await lookAround(options, choice);
  if (typeof plan === 'number') return plan;
  const cost = statedCost(plan.budgetMinutes, plan.phases.has('drill'), plan.stack, plan.phases.has('downstream'), plan.phases.has('migrate'));
  // The statement is one message: a dry run's says also what it would create, how long and what it asks first.
  options.io.info('ACCEPTANCE_PLAN', [...planLines(options, plan, cost), ...(options.dryRun ? dryRunLines(plan) : [])].join('\n'), {
    stack: plan.stack,
    region: plan.region,
    ...(options.dryRun ? {} : { runId: plan.runId }),
    name: plan.name,
    phases: [...plan.phases],
    budgetMinutes: plan.budgetMinutes,
    cost,
  });
  if (options.dryRun) return endDryRun(options, choice.sumProblem);
  const confirmed = await confirmRun(options, plan.budgetMinutes, cost);
  return confirmed ?? plan;
}

/** A refusal: its message under its own code (the exit code in its data), and that exit code. */
function refused(io: IoHost, code: string, text: string, exitCode: 1 | 2 = 2): number {
  io.error(code, text, { exitCode });
  return exitCode;
}

/** The stack, region, phases and settings the command line names, or the exit code of a refusal (nothing changed). */
function choose(options: AcceptanceOptions): Choice | number {
  const { io } = options;
  if (!(ACCEPTANCE_STACKS as readonly string[]).includes(options.stack))
    return refused(
      io,
      'ACCEPTANCE_STACK_UNKNOWN',
      `The acceptance run proves rke-ha, k8s-ha or docker; ${options.stack} is none of them. Nothing was changed.`,
    );
  const stack = options.stack as AcceptanceStack;
  if (!options.region)
    return refused(
      io,
      'ACCEPTANCE_NO_REGION',
      '--region is required: an acceptance run goes only where you say (it never takes a default region). Nothing was changed.',
    );
  const region = options.region;
  const clusterProblem = clusterOptionsProblem(stack, options);
  if (clusterProblem) return refused(io, clusterProblem.code, `${clusterProblem.text} Nothing was changed.`);
  const phases = chosenPhases(options.only, options.skip, stack, options.with);
  if (!(phases instanceof Set)) return refused(io, phases.code, phases.text);
  if (stack === 'docker' && phases.has('migrate') !== (options.hostedZone !== undefined))
    return phases.has('migrate')
      ? refused(
          io,
          'ACCEPTANCE_MIGRATE_NO_HOSTED_ZONE',
          "docker's migrate phase moves Rancher to rke-ha at the same hostname, and a name from sslip.io changes with the address: name a public Route53 zone of yours with --hosted-zone <zone>; the run's record there is <run name>.<zone>, its own. Nothing was changed.",
        )
      : refused(
          io,
          'ACCEPTANCE_HOSTED_ZONE_NOT_USED',
          '--hosted-zone is for k8s-ha and for docker with --only downstream,migrate. Nothing was changed.',
        );
  const left = unfinishedRuns(options.root);
  if (left.length > 0)
    return refused(
      io,
      'ACCEPTANCE_EARLIER_RUN_LEFT',
      [
        ...left.map(
          (r) =>
            `An earlier acceptance run ${r.runId} (${r.stack}, ${r.name}, ${r.region}, started ${r.startedAt}) stopped in its ${r.phase} phase and was not torn down. A new run never touches it: tear it down first with \`npm run acceptance -- --teardown-run ${r.runId}\`.`,
        ),
        'Nothing was changed.',
      ].join('\n'),
    );
  let base: Record<string, unknown> = {};
  if (options.settingsPath !== undefined) {
    if (!existsSync(options.settingsPath))
      return refused(io, 'ACCEPTANCE_SETTINGS_MISSING', `--settings ${options.settingsPath}: no such file. Nothing was changed.`);
    base = readProductionSettings(options.settingsPath);
    const problem = baseSettingsProblem(base, region, options.settingsPath, stack);
    if (problem) return refused(io, 'ACCEPTANCE_SETTINGS_REFUSED', problem);
  }
  // The failover phase needs a standby to fail over to, and a record of the hostname to move (a zone of yours).
  const standby = stack === 'rke-ha' ? standbyRegionOf(base) : undefined;
  if (stack === 'rke-ha' && !standby) {
    if (options.only?.includes('failover')) return refused(io, 'ACCEPTANCE_PHASE_NOT_APPLICABLE', `--only failover: ${NO_STANDBY}.`);
    phases.delete('failover');
  }
  if (stack === 'rke-ha' && phases.has('failover') !== (options.hostedZone !== undefined))
    return phases.has('failover')
      ? refused(
          io,
          'ACCEPTANCE_FAILOVER_NO_HOSTED_ZONE',
          `The failover phase moves Rancher's hostname to the standby in ${standby}, and a name from sslip.io has no record to move: name a public Route53 zone of yours with --hosted-zone <zone> (the run's record there is <run name>.<zone>, its own), or leave the phase out with --skip failover. Nothing was changed.`,
        )
      : refused(
          io,
          'ACCEPTANCE_HOSTED_ZONE_NOT_USED',
          '--hosted-zone is for rke-ha only with its failover phase (standby.region in --settings). Nothing was changed.',
        );
  if (options.outageRole !== undefined && !phases.has('failover'))
    return refused(
      io,
      'ACCEPTANCE_OUTAGE_ROLE_NOT_USED',
      '--outage-role is for rke-ha with its failover phase (standby.region in --settings). Nothing was changed.',
    );
  const upgrade = stack === 'rke-ha' && phases.has('upgrade');
  const sumProblem = upgradeSumProblem(base, upgrade, options.settingsPath);
  // A dry run states the plan even then (and ends with the refusal): anyone can read it before anything else.
  if (sumProblem && !options.dryRun) return refused(io, 'ACCEPTANCE_UPGRADE_SUM_MISSING', sumProblem);
  return { stack, region, phases, base, upgrade, sumProblem };
}

/**
 * The run's id and name, and what AWS and the cluster say before anything is created: who runs it, no deployment of
 * that name, no Rancher in the cluster. A dry run asks none of it: it needs no credentials.
 */
async function lookAround(options: AcceptanceOptions, choice: Choice): Promise<RunPlan | number> {
  const { io } = options;
  const { stack, region } = choice;
  const runId = newRunId();
  const name = options.name ?? acceptanceName(runId);
  const awsIn = awsByRegion(options.aws);
  const aws = awsIn(region);
  // A dry run asks nothing of AWS or of a cluster: it needs no credentials, and says what the run checks first.
  // Whoever runs it: the principal whose CloudTrail events the report compares with the deployer policy.
  const sdk = options.dryRun ? undefined : await aws.sdk();
  const me = sdk && (await sdk.side.callerIdentity(sdk.clients));
  const identity = me && { Arn: me.arn, Account: me.account };
  const existing = sdk ? await sdk.side.resourcesTagged(sdk.clients, DEPLOYMENT_TAG, `${name}-${stack}`) : [];
  if (existing.length > 0)
    return refused(
      io,
      'ACCEPTANCE_NAME_TAKEN',
      `${name} is the name of an existing deployment in ${region}: ${existing.length} resources are tagged ${DEPLOYMENT_TAG}=${name}-${stack} (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}). An acceptance run never touches another deployment: choose another --name. Nothing was changed.`,
    );
  // The failover runs with credentials that deny the primary's region: a role to assume for them, or nothing starts.
  const outage = choice.phases.has('failover') && !options.dryRun ? outageRole(options.outageRole, identity?.Arn) : undefined;
  if (outage && 'refusal' in outage) return refused(io, 'ACCEPTANCE_OUTAGE_NO_ROLE', outage.refusal);
  // Assumed once now, for the shortest session STS gives (15 minutes), so that a role the caller may not assume (its
  // trust policy) is refused before anything is created, not hours later with the primary's servers stopped.
  if (sdk && outage && 'role' in outage) {
    const why = await sdk.side
      .assumeRoleWithPolicy(sdk.clients, {
        roleArn: outage.role,
        sessionName: `rancher-aws-outage-check-${runId}`,
        policy: outagePolicy(region),
        seconds: 900,
      })
      .then(
        () => undefined,
        (error: Error) => error.message,
      );
    if (why !== undefined)
      return refused(
        io,
        'ACCEPTANCE_OUTAGE_ROLE_REFUSED',
        `The failover phase runs the failover with ${outage.role}'s credentials, and STS AssumeRole of it was refused: ${why}. Let ${identity?.Arn ?? 'you'} assume it (its trust policy; yours when it is your own role), name another with --outage-role <arn>, or leave the phase out with --skip failover. Nothing was changed.`,
      );
  }
  const cluster = stack === 'k8s-ha' ? { kubeconfig: options.kubeconfig!, context: options.context } : undefined;
  if (cluster && !options.dryRun) {
    const refusal = await clusterRefusal(cluster, describeCluster(cluster));
    if (refusal) return refused(io, refusal.code, `${refusal.text} Nothing was changed.`);
  }
  const runDir = join(options.root, runId);
  const outdir = join(runDir, 'cdktf.out');
  return {
    stack,
    region,
    phases: choice.phases,
    base: choice.base,
    upgrade: choice.upgrade,
    runId,
    name,
    aws,
    awsIn,
    identity,
    ...(outage ? { outageRole: outage.role } : {}),
    cluster,
    budgetMinutes: options.budgetMinutes ?? DEFAULT_BUDGET_MINUTES,
    runDir,
    outdir,
    moduleDir: join(outdir, 'stacks', stack),
  };
}

/** What the run does, phase by phase, what it may cost and how it ends, before it starts: the lines of ACCEPTANCE_PLAN. */
function planLines(options: AcceptanceOptions, plan: RunPlan, cost: string): string[] {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const { stack, region, name, runId, runDir, phases, cluster, identity, budgetMinutes } = plan;
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
    const why = notApplicable(stack, p, plan.base);
    log(`  ${phases.has(p) ? '' : why ? '(does not apply) ' : '(skipped) '}${p}: ${why ?? phaseMeaning(stack, p, options.hostedZone !== undefined)}`);
  }
  log(
    `  Budget: ${budgetMinutes} minutes, at most about ${cost} (${costBasis(stack)}${phases.has('downstream') ? `; the downstream instance about $${DOWNSTREAM_DOLLARS_PER_HOUR.toFixed(2)} an hour` : ''}${phases.has('drill') ? "; the drill's throwaway doubles it while it runs" : ''}). Past the budget, the run stops and tears down.`,
  );
  log('  Any failure, Ctrl-C or SIGTERM ends in the teardown too; then the account is searched for anything still tagged with the run id.');
  return lines;
}

/** What a dry run adds to the plan: what it would create, how long it takes, what it checks first. */
function dryRunLines(plan: RunPlan): string[] {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const { stack, region, name, phases, cluster } = plan;
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
  return lines;
}

/** A dry run's end, after its plan: the refusal the run would meet, or that nothing was changed; its exit code. */
function endDryRun(options: AcceptanceOptions, sumProblem: string | undefined): number {
  if (sumProblem) return refused(options.io, 'ACCEPTANCE_UPGRADE_SUM_MISSING', `The run would not start: ${sumProblem}`);
  options.io.result('ACCEPTANCE_DRY_RUN', 'Dry run: nothing was changed.');
  return 0;
}

/** The typed confirmation (--yes skips it): undefined to go on, else the exit code. */
async function confirmRun(options: AcceptanceOptions, budgetMinutes: number, cost: string): Promise<number | undefined> {
  if (options.yes) return undefined;
  const { io } = options;
  const answer = await options.ask(`Type yes to start the run (up to ${budgetMinutes} minutes, about ${cost}): `);
  if (answer === undefined)
    return refused(
      io,
      'ACCEPTANCE_NO_TERMINAL',
      'No terminal to confirm on: pass --yes to start without the confirmation (pipelines). Nothing was changed.',
    );
  if (answer.trim() !== 'yes')
    return refused(
      io,
      'ACCEPTANCE_NOT_CONFIRMED',
      `${answer.trim() === '' ? 'Nothing typed' : `'${answer.trim()}' is not yes`}: nothing was changed.`,
      1,
    );
  return undefined;
}

/** After the phases, whatever they did: the teardown, the sweep and the report (closeRun); the run's exit code. */
async function endRun(started: AcceptanceRun, phasesOutcome: PhasesOutcome): Promise<number> {
  const { options, plan, report } = started;
  let outcome = phasesOutcome;
  // A signal during the last phase's (synchronous) commands is handled on the event loop: the run was interrupted
  // though every phase it started passed.
  await yieldFor(0);
  if (outcome === 'passed' && started.interrupted()) outcome = 'interrupted';
  started.stopListening();
  if (started.budgetRanOut())
    for (const [i, p] of report.phases.entries())
      if (p.status === 'interrupted') report.phases[i] = { ...p, detail: `the budget of ${plan.budgetMinutes} minutes ran out` };

  const broken = plan.phases.has('break') && report.phases.some((p) => p.phase === 'break' && p.status === 'passed');
  await closeRun({
    record: started.record,
    current: started.current,
    report,
    awsIn: plan.awsIn,
    phases: plan.phases,
    broken,
    finished: outcome === 'passed',
    skipped: (p) => (plan.phases.has(p) ? undefined : (notApplicable(plan.stack, p, plan.base) ?? 'not chosen (--only/--skip)')),
    policyFile: options.policyFile,
    principal: plan.identity?.Arn,
    commands: options.commands,
    io: options.io,
  });
  const code = outcome === 'interrupted' ? 130 : outcome === 'passed' && report.passed ? 0 : 1;
  tellReport(options.io, report, started.files, code);
  return code;
}

/**
 * The report's summary, in the words of describeReport: the phases (ACCEPTANCE_REPORT), each resource left
 * (ACCEPTANCE_LEFT, or ACCEPTANCE_LEFT_GOING for one going by itself), then its Result line (ACCEPTANCE_RESULT, with
 * whether it passed, the report's files and the exit code).
 */
function tellReport(io: IoHost, report: AcceptanceReport, files: { json: string; markdown: string }, exitCode: number): void {
  const lines = describeReport(report, files);
  const phases = 1 + report.phases.length;
  io.info('ACCEPTANCE_REPORT', lines.slice(0, phases).join('\n'), {
    phases: report.phases.map((p) => ({ phase: p.phase, status: p.status, ...(p.seconds === undefined ? {} : { seconds: p.seconds }) })),
  });
  for (const [i, l] of (report.leftovers ?? []).entries())
    if (l.state === 'left') io.warn('ACCEPTANCE_LEFT', lines[phases + i], { arn: l.arn, remove: l.remove });
    else io.info('ACCEPTANCE_LEFT_GOING', lines[phases + i], { arn: l.arn });
  io.result('ACCEPTANCE_RESULT', lines[lines.length - 1], { passed: report.passed === true, report: files.markdown, json: files.json, exitCode });
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
  /** AWS by region, the run's own first (sweepRegions, eventRegions). */
  readonly awsIn: AwsByRegion;
  readonly phases: ReadonlySet<AcceptancePhase>;
  readonly broken: boolean;
  /** Whether the run went through its phases without a failure or a stop (else the report fails, whatever passed). */
  readonly finished: boolean;
  /** Why a phase that did not run was skipped, when it was not for a failure before it. */
  readonly skipped: (phase: AcceptancePhase) => string | undefined;
  readonly policyFile?: string;
  readonly principal?: string;
  readonly commands: AcceptanceCommands;
  readonly io: IoHost;
}): Promise<void> {
  const { report, io } = o;
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
  const teardownSpan = beginPhase(io, 'teardown', o.phases);
  const teardownStarted = Date.now();
  let code: number;
  try {
    code = await tearDownRun(current, o.commands, o.awsIn, io, (change) => update({ migrate: { ...current.migrate!, ...change } }));
  } catch (error) {
    io.error('ACCEPTANCE_TEARDOWN_STOPPED', `The teardown of ${current.name} stopped: ${(error as Error).message}`);
    code = 1;
  }
  report.phases.push({
    phase: 'teardown',
    status: code === 0 ? 'passed' : 'failed',
    seconds: Math.round((Date.now() - teardownStarted) / 1000),
    detail: code === 0 ? undefined : `finish it with: npm run acceptance -- --teardown-run ${current.runId}`,
  });
  if (code === 0) teardownSpan.end('ACCEPTANCE_PHASE_PASSED', 'teardown: passed', { phase: 'teardown' });
  else phaseStopped(io, false, `teardown: finish it with: npm run acceptance -- --teardown-run ${current.runId}`);
  teardownSpan.stop();
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
  const sweepSpan = beginPhase(io, 'sweep', o.phases);
  const sweepStarted = Date.now();
  const swept = await sweepAll(o.awsIn, current);
  report.leftovers = swept.leftovers;
  const stillThere = (swept.leftovers ?? []).filter((l) => l.state === 'left');
  const sweepDetail =
    [
      ...swept.problems,
      ...(stillThere.length > 0 ? [`${stillThere.length} resources left (tagged ${RUN_TAG}=${current.runId}, or in your cluster)`] : []),
    ].join('; ') || undefined;
  const sweepPassed = swept.leftovers !== undefined && sweepDetail === undefined;
  report.phases.push({
    phase: 'sweep',
    status: sweepPassed ? 'passed' : 'failed',
    seconds: Math.round((Date.now() - sweepStarted) / 1000),
    detail: sweepDetail,
  });
  if (sweepPassed) sweepSpan.end('ACCEPTANCE_PHASE_PASSED', 'sweep: passed', { phase: 'sweep' });
  else phaseStopped(io, false, `sweep: ${sweepDetail ?? 'the Tagging API was not read'}`);
  sweepSpan.stop();
  for (const line of swept.evidence) evidence('sweep', line);
  if (current.applied && o.policyFile) report.awsActions = await awsActions(o.awsIn, current.region, o.principal, report.startedAt, o.policyFile);
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
  const { io } = options;
  if (!record || !found)
    return refused(io, 'ACCEPTANCE_NO_SUCH_RUN', `No acceptance run ${options.teardownRun} in ${options.root}. Nothing was changed.`);
  const files = reportFiles(dirname(file));
  if (found.done) {
    // Run twice, or on a run that tore itself down: its report stands as it is.
    const ended = files.store.read();
    const exitCode = ended?.phases.some((p) => p.phase === 'sweep' && p.status === 'passed') ? 0 : 1;
    io.result(
      'ACCEPTANCE_TORN_DOWN_ALREADY',
      `The acceptance run ${found.runId} (${found.name}) is torn down already; its report is ${files.markdown}. Nothing was changed.`,
      { runId: found.runId, report: files.markdown, exitCode },
    );
    return exitCode;
  }
  // A report the kill cut short (written whole since, but an older run's may not be) is started again: the teardown
  // must not wait on it.
  let earlier: AcceptanceReport | undefined;
  try {
    earlier = files.store.read();
  } catch (error) {
    io.warn('ACCEPTANCE_REPORT_RESTARTED', `${(error as Error).message.split(';')[0]}: the report starts again from the run's record.`);
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
    awsIn: awsByRegion(options.aws),
    // What the earlier run took is what it reported; the others were not reached.
    phases: new Set([...report.phases.map((p) => p.phase), 'teardown', 'sweep']),
    broken: report.phases.some((p) => p.phase === 'break' && p.status === 'passed'),
    // The run did not end by itself: what it took is what it reported, the rest was not reached.
    finished: false,
    skipped: (phase) => skippedBefore.get(phase) ?? 'not reached: the run stopped before it',
    commands: options.commands,
    io,
  });
  const after = record.read()!;
  const sweepPassed = report.phases.some((p) => p.phase === 'sweep' && p.status === 'passed');
  const exitCode = after.done && sweepPassed ? 0 : 1;
  tellReport(io, report, files, exitCode);
  if (after.done) io.result('ACCEPTANCE_TORN_DOWN', `The acceptance run ${found.runId} (${found.name}) is torn down.`, { runId: found.runId });
  else io.error('ACCEPTANCE_TEARDOWN_UNFINISHED', `The teardown of ${found.runId} did not finish.`, { runId: found.runId });
  return exitCode;
}

/**
 * The run's deployment torn down from its state: a drill's throwaway it left first (tagged with the run id too), then
 * the teardown command (rke-ha, docker), or for k8s-ha the Backup object the run made and a destroy of its module
 * with the cluster reachable (the teardown command leaves a cluster's Helm releases to terraform destroy).
 */
async function tearDownRun(
  record: RunRecord,
  commands: AcceptanceCommands,
  awsIn: AwsByRegion,
  io: IoHost,
  updateMigrate: (change: Partial<MigrateRecord>) => void,
): Promise<number> {
  // The migration's CA and backup key, which both deployments' destroys ask for as variables.
  const support = record.migrate ? await readMigrateSupport(record.migrate.support) : undefined;
  if (support) useMigrateSecrets(support);
  // The downstream instance first (its own module and state): its agent then stops dialling a Rancher about to go.
  // Each part a step of the teardown's span: the status line names the one running.
  const downstream = record.downstream
    ? await step(io, 'downstream instance', 'terraform destroy of the downstream instance', () => tearDownDownstream(record.downstream!.dir, io))
    : 0;
  const target = record.migrate
    ? await step(io, 'migration target', "the migration's rke-ha deployment torn down", () =>
        tearDownMigrateTarget(record.migrate!, record.name, awsIn(record.region), updateMigrate, commands.teardown, io),
      )
    : 0;
  // The failover phase's standby (its own module and state in the failover's folder), before the primary.
  const standby = record.failover
    ? await step(io, 'standby deployment', "the failover's standby deployment torn down", () => tearDownStandby(record, commands, io))
    : 0;
  const deployment = Math.max(
    downstream,
    target,
    standby,
    await step(io, 'deployment', `${record.name} torn down`, () => tearDownDeployment(record, commands, io)),
  );
  // The shared module last, and only once the deployments are gone: a --teardown-run after a failure needs its CA.
  if (!record.migrate || deployment !== 0) return deployment;
  return step(io, 'migration module', "terraform destroy of the migration's CA, bucket and writer", () =>
    tearDownMigrateSupport(record.migrate!.support, io),
  );
}

/** The deployment's side of tearDownRun. */
async function tearDownDeployment(record: RunRecord, commands: AcceptanceCommands, io: IoHost): Promise<number> {
  const drilled = await tearDownDrillLeft(record, commands.drill, io);
  if (!record.applied || !existsSync(join(record.moduleDir, 'cdk.tf.json'))) {
    io.info('ACCEPTANCE_NOTHING_CREATED', `Nothing of ${record.name} was created (the run stopped before its apply).`);
    return drilled;
  }
  if (!existsSync(join(record.moduleDir, '.terraform'))) {
    const init = initShown(record.moduleDir, io);
    if (init.code !== 0) {
      io.error(
        'ACCEPTANCE_TERRAFORM_INIT_FAILED',
        `terraform init failed in ${record.moduleDir} (exit ${init.code}): ${record.name} was not torn down. Fix it, then: npm run acceptance -- --teardown-run ${record.runId}`,
      );
      return 1;
    }
  }
  if (record.stack === 'k8s-ha') return Math.max(drilled, await destroyOnCluster(record, io));
  const code = await commands.teardown({
    dir: record.moduleDir,
    label: `the acceptance deployment ${record.name}`,
    keepSnapshots: false,
    yes: true,
    // On the run's host: the teardown's codes and spans nest in the run's teardown phase.
    io,
  });
  return Math.max(drilled, code);
}

/** The standby the failover phase stood up (tagged with the run id too), by the teardown command; nothing when it never synthesized. */
async function tearDownStandby(record: RunRecord, commands: AcceptanceCommands, io: IoHost): Promise<number> {
  const dir = join(record.failover!.root, 'cdktf.out', 'stacks', record.stack);
  if (!existsSync(join(dir, 'cdk.tf.json'))) return 0;
  // The standby restored production's backup: its module requires that backup's EncryptionConfiguration
  // (RESTORE_VARIABLE, production's output), and terraform refuses a destroy too without a required variable's value
  // (hashicorp/terraform v1.11, "No value for required variable"). The failover and the failback set it for their own
  // steps only, and a --teardown-run is a new process: production's, read from its state, for this teardown alone.
  const config = record.applied ? await new Terraform(record.moduleDir).outputJson('rancher_backup_encryption_config') : undefined;
  return withEnvironment({ [`TF_VAR_${RESTORE_VARIABLE}`]: typeof config === 'string' ? config : undefined }, () =>
    commands.teardown({ dir, label: `the standby of the acceptance deployment ${record.name}`, keepSnapshots: false, yes: true, io }),
  );
}

/** A drill's throwaway the run left (killed during its drill phase): the drill's own teardown, from its record. */
async function tearDownDrillLeft(record: RunRecord, drill: DrillEntry, io: IoHost): Promise<number> {
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
    io,
  });
}

/** The k8s-ha run's own objects in the cluster, then `terraform destroy` of its module (no refresh: Rancher may be down). */
async function destroyOnCluster(record: RunRecord, io: IoHost): Promise<number> {
  let code = 0;
  if (record.backupCreated && record.cluster) {
    // None (NotFound), or gone with its CRD already (a destroy that ran before: the same 404), is fine too. Otherwise
    // the destroy still runs: the bucket, the IAM user and the DNS record need no cluster, and the sweep then lists
    // what is left.
    try {
      const kube = await kubeApiOn(record.cluster);
      await kube.clusterObjects.delete(BACKUPS, BACKUP_NAME);
    } catch (error) {
      io.error(
        'ACCEPTANCE_BACKUP_NOT_DELETED',
        `The Backup ${BACKUP_NAME} the run created was not deleted: ${readableError((error as Error).message, 300)}`,
      );
      code = 1;
    }
  }
  const destroyed = await runAsync(terraformBinary(), ['apply', '-destroy', '-refresh=false', '-auto-approve', '-input=false'], {
    cwd: record.moduleDir,
    timeoutMs: 3_600_000,
    onLine: terraformOutput(io),
  });
  if (destroyed.code !== 0) {
    io.error(
      'ACCEPTANCE_DESTROY_FAILED',
      `terraform destroy of ${record.name} failed (exit ${destroyed.code}): finish it with npm run acceptance -- --teardown-run ${record.runId}`,
    );
    return 1;
  }
  return code;
}

/** What a stack needs on the command line, or refuses there: k8s-ha names its cluster and the zone of its record. */
function clusterOptionsProblem(stack: AcceptanceStack, options: AcceptanceOptions): Refusal | undefined {
  if (stack !== 'k8s-ha')
    return options.kubeconfig || options.context || (options.hostedZone && stack !== 'docker' && stack !== 'rke-ha')
      ? {
          code: 'ACCEPTANCE_CLUSTER_OPTIONS_NOT_USED',
          text: `--kubeconfig, --context and --hosted-zone are for k8s-ha (the cluster it installs onto, the zone of its record; --hosted-zone also for docker's migrate phase); ${stack} builds its own.`,
        }
      : undefined;
  if (!options.kubeconfig)
    return {
      code: 'ACCEPTANCE_NO_KUBECONFIG',
      text: 'k8s-ha installs onto a cluster of yours: name it with --kubeconfig <file> (and --context <name> for another than its current context).',
    };
  if (!existsSync(options.kubeconfig)) return { code: 'ACCEPTANCE_KUBECONFIG_MISSING', text: `--kubeconfig ${options.kubeconfig}: no such file.` };
  if (!options.hostedZone)
    return {
      code: 'ACCEPTANCE_NO_HOSTED_ZONE',
      text: "k8s-ha has no wildcard DNS mode: name a public Route53 zone of yours with --hosted-zone <zone>; the run's record there is <run name>.<zone>, its own.",
    };
  return undefined;
}

/** Why the run must not install onto this cluster: it has a Rancher already (cattle-system), or it does not answer. */
async function clusterRefusal(cluster: { kubeconfig: string; context?: string }, which: string): Promise<Refusal | undefined> {
  let found: boolean;
  try {
    found = await (await kubeApiOn(cluster)).namespaces.exists('cattle-system');
  } catch (error) {
    return { code: 'ACCEPTANCE_CLUSTER_UNREACHABLE', text: `${which} did not answer (${readableError((error as Error).message, 300)}).` };
  }
  if (found)
    return {
      code: 'ACCEPTANCE_CLUSTER_HAS_RANCHER',
      text: `${which} has a namespace cattle-system: a Rancher is installed there already. The acceptance run installs its own and removes it afterwards, which would take that one's namespace along: use a cluster without Rancher.`,
    };
  return undefined;
}

/** What the stated cost rests on, per stack. */
const costBasis = (stack: AcceptanceStack) =>
  stack === 'k8s-ha'
    ? "its own AWS pieces (a bucket, a record, an IAM user) cost cents; your cluster's hours are yours"
    : stack === 'docker'
      ? `the default docker host costs about $${STACK_DOLLARS_PER_HOUR.docker.toFixed(2)} an hour, docs/cost.md`
      : `the default deployment costs about $${DOLLARS_PER_HOUR.toFixed(2)} an hour, docs/cost.md`;

/**
 * What is still tagged with the run's id, each with how to remove it; a KMS key pending deletion and a terminated
 * instance are going by themselves (AWS lists them for a while).
 */
async function sweep(aws: Aws, runId: string): Promise<Leftover[]> {
  const { side, clients } = await aws.sdk();
  const leftovers: Leftover[] = [];
  // The Resource Groups Tagging API, every page (a page may hold no resource and a token: only no token ends it).
  for (const arn of await side.resourcesTagged(clients, RUN_TAG, runId)) {
    const [, , service, , , resource = ''] = arn.split(':');
    let pending = false;
    // Gone (NotFoundException) counts as going: KMS forgets a key once its deletion is done.
    if (service === 'kms') pending = [undefined, 'PendingDeletion'].includes(await side.keyState(clients, arn));
    if (service === 'ec2' && resource.startsWith('instance/')) {
      // Unknown to EC2 (InvalidInstanceID.NotFound): gone.
      const state = await side.instanceState(clients, resource.slice('instance/'.length));
      pending = state === undefined || state === 'terminated' || state === 'shutting-down';
    }
    leftovers.push({ arn, state: pending ? 'pending' : 'left', remove: removalOf(arn, aws.region) });
  }
  return leftovers;
}

/**
 * The IAM the Tagging API does not list (its GetResources does not support IAM users and roles: "Services that
 * support the Resource Groups Tagging API", AWS Resource Groups Tagging API Reference): the account's roles, users,
 * instance profiles and customer managed policies whose name starts with the run's name, each kept when its own tags
 * carry the run id (a name alone could be another's, with --name). IAM is global: one look serves every region.
 */
async function iamLeftovers(aws: Aws, name: string, runId: string): Promise<Leftover[]> {
  const { side, clients } = await aws.sdk();
  // Every list and tag list followed to its end (IAM pages with Marker); an entity gone while looked at (NoSuchEntity)
  // is not ours. The stacks put their users under one path (deployer-policy.json grants them there only).
  const arns = await side.taggedIam(clients, { namePrefix: `${name}-`, userPath: '/rancher-ha-aws/', tag: { key: RUN_TAG, value: runId } });
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

async function sweepAll(awsIn: AwsByRegion, record: RunRecord): Promise<{ leftovers?: Leftover[]; problems: string[]; evidence: string[] }> {
  const problems: string[] = [];
  const evidence: string[] = [];
  let leftovers: Leftover[] | undefined;
  // The Tagging API answers for its own region: every region the module's AWS providers create in (us-east-1 too
  // when alarms put the Route53 health checks' alarms there), the run's own first.
  for (const region of sweepRegions(record)) {
    try {
      const seen = new Set((leftovers ?? []).map((l) => l.arn));
      // An ARN without a region (S3's) is listed in every region asked: kept once.
      const found = (await sweep(awsIn(region), record.runId)).filter((l) => !seen.has(l.arn));
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
    const iam = await iamLeftovers(awsIn(record.region), record.name, record.runId);
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
    const present = await kubeApiOn(record.cluster).then(clusterNamespaces, () => undefined);
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
async function awsActions(
  awsIn: AwsByRegion,
  runRegion: string,
  principalArn: string | undefined,
  since: string,
  policyFile: string,
): Promise<AcceptanceReport['awsActions']> {
  // CloudTrail names an assumed role's caller by its session name, a user by the user's name: the ARN's last part.
  const user = principalArn?.split('/').pop();
  if (!user) return { source: 'CloudTrail', unavailable: 'the caller identity was not known' };
  const used = new Set<string>();
  const regions = eventRegions(runRegion);
  const until = new Date();
  try {
    for (const region of regions) {
      // Each region's own event history, every page (50 events a page, NextToken until the last).
      const { side, clients } = await awsIn(region).sdk();
      for (const e of await side.eventsBy(clients, user, new Date(since), until)) used.add(iamAction(e.source, e.name));
    }
  } catch (error) {
    return { source: 'CloudTrail', unavailable: `cloudtrail lookup-events failed: ${(error as Error).message.slice(0, 300)}` };
  }
  const policy = JSON.parse(readFileSync(policyFile, 'utf8')) as { Statement: { Effect: string; Action?: string | string[] }[] };
  const sorted = [...used].sort();
  return { source: `CloudTrail event history (${regions.join(' and ')}) for ${user} since ${since}`, used: sorted, ...comparePolicy(sorted, policy) };
}
