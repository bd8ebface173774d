import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACCEPTANCE_PHASES,
  type AcceptancePhase,
  type AcceptanceReport,
  CHOSEN_PHASES,
  comparePolicy,
  describeReport,
  iamAction,
  type Leftover,
  markdownReport,
  NOT_PROVEN,
  PHASE_MEANING,
  removalOf,
  timelineOf,
} from './acceptance-report';
import { acceptanceName, acceptanceSettings, baseSettingsProblem, DEPLOYMENT_TAG, newRunId, RUN_TAG, UPGRADE } from './acceptance-settings';
import { Aws } from './aws';
import { drill } from './drill';
import { readProductionSettings } from './drill-settings';
import { Kubectl } from './kubectl';
import { Interrupted, waitUntil, yieldFor } from './poll';
import { run, runAsync } from './process';
import { rancherGet, rancherLogin } from './rancher-api';
import { roll } from './roll';
import { StateFile } from './state-file';
import { teardown } from './teardown';
import { Terraform } from './terraform';
import {
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
} from './throwaway';
import { readableError } from './tool-output';

export interface AcceptanceOptions {
  /** The stack to prove (rke-ha). */
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
  readonly ask: (question: string) => Promise<string | undefined> | string | undefined;
  /** Aborted on the first signal: the command in flight is stopped, then the teardown runs. */
  readonly stop?: AbortSignal;
  readonly log: (line: string) => void;
}

/** What a run keeps in `<root>/<run id>/run.json`: enough for `--teardown <run id>` to find what it left. */
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
}

/**
 * The cost of an hour of the default deployment, in dollars: docs/cost.md's monthly total (≈ $490 in us-east-1)
 * over 730 hours. The drill's throwaway is a second one while it runs.
 */
export const DOLLARS_PER_HOUR = 490 / 730;
/** The time budget of a run without --budget-minutes: deploy 20-30, upgrade 15-45, roll 25-60, backup and drill 40-60, teardown 15. */
export const DEFAULT_BUDGET_MINUTES = 240;

/** The cost a run's budget allows, stated before it starts (the drill's throwaway counted for an hour on top). */
export function statedCost(budgetMinutes: number, withDrill: boolean): string {
  const hours = budgetMinutes / 60 + (withDrill ? 1 : 0);
  return `$${(hours * DOLLARS_PER_HOUR).toFixed(2)}`;
}

/** The phases a run takes from --only and --skip; a problem in words for an unknown phase. */
export function chosenPhases(only: readonly string[] | undefined, skip: readonly string[] | undefined): Set<AcceptancePhase> | string {
  for (const name of [...(only ?? []), ...(skip ?? [])])
    if (!(CHOSEN_PHASES as readonly string[]).includes(name))
      return `Unknown phase ${name}: choose from ${CHOSEN_PHASES.join(', ')} (deploy, teardown and sweep always run).`;
  const chosen = new Set<AcceptancePhase>(only && only.length > 0 ? (only as AcceptancePhase[]) : CHOSEN_PHASES);
  for (const name of skip ?? []) chosen.delete(name as AcceptancePhase);
  // The drill restores the backup the run takes.
  if (chosen.has('drill') && !chosen.has('backup')) return "--only/--skip: the drill restores the backup phase's backup; choose backup with drill.";
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
  if (options.stack !== 'rke-ha') {
    log(
      `The acceptance run covers rke-ha first; ${options.stack} is not covered yet (k8s-ha needs a cluster of yours, docker a stack of its own: docs/acceptance.md). Nothing was changed.`,
    );
    return 2;
  }
  if (!options.region) {
    log('--region is required: an acceptance run goes only where you say (it never takes a default region). Nothing was changed.');
    return 2;
  }
  const region = options.region;
  const phases = chosenPhases(options.only, options.skip);
  if (typeof phases === 'string') {
    log(phases);
    return 2;
  }
  const left = unfinishedRuns(options.root);
  if (left.length > 0) {
    for (const r of left)
      log(
        `An earlier acceptance run ${r.runId} (${r.name}, ${r.region}, started ${r.startedAt}) stopped in its ${r.phase} phase and was not torn down. A new run never touches it: tear it down first with \`npm run acceptance -- ${r.stack} --teardown ${r.runId}\`.`,
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
    const problem = baseSettingsProblem(base, region, options.settingsPath);
    if (problem) {
      log(problem);
      return 2;
    }
  }
  const runId = newRunId();
  const name = options.name ?? acceptanceName(runId);
  const aws = new Aws(region);
  // Whoever runs it: the principal whose CloudTrail events the report compares with the deployer policy.
  const identity = aws.call<{ Arn?: string; Account?: string }>(['sts', 'get-caller-identity']);
  const existing = taggedWith(aws, DEPLOYMENT_TAG, `${name}-${options.stack}`);
  if (existing.length > 0) {
    log(
      `${name} is the name of an existing deployment in ${region}: ${existing.length} resources are tagged ${DEPLOYMENT_TAG}=${name}-${options.stack} (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}). An acceptance run never touches another deployment: choose another --name. Nothing was changed.`,
    );
    return 2;
  }
  const budgetMinutes = options.budgetMinutes ?? DEFAULT_BUDGET_MINUTES;
  const cost = statedCost(budgetMinutes, phases.has('drill'));
  const runDir = join(options.root, runId);
  const outdir = join(runDir, 'cdktf.out');
  const moduleDir = join(outdir, 'stacks', options.stack);
  log(`Acceptance run ${runId} of ${options.stack} in ${region} (account ${identity?.Account ?? 'unknown'}, as ${identity?.Arn ?? 'unknown'}):`);
  log(`  deployment ${name}, every AWS resource tagged ${RUN_TAG}=${runId}, no domain (an sslip.io name), state and module in ${runDir}`);
  for (const p of ACCEPTANCE_PHASES) log(`  ${phases.has(p) ? '' : '(skipped) '}${p}: ${PHASE_MEANING[p]}`);
  log(
    `  Budget: ${budgetMinutes} minutes, at most about ${cost} (the default deployment costs about $${DOLLARS_PER_HOUR.toFixed(2)} an hour, docs/cost.md${phases.has('drill') ? "; the drill's throwaway doubles it while it runs" : ''}). Past the budget, the run stops and tears down.`,
  );
  log('  Any failure, Ctrl-C or SIGTERM ends in the teardown too; then the account is searched for anything still tagged with the run id.');
  if (options.dryRun) {
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
  const writeSettings = (kubernetes?: string) =>
    writeFileSync(settingsFile, `${JSON.stringify(acceptanceSettings(base, { name, runId, region, kubernetes }), null, 2)}\n`);
  writeSettings();
  const record = new StateFile<RunRecord>(join(runDir, 'run.json'));
  let current: RunRecord = {
    runId,
    stack: options.stack,
    name,
    region,
    moduleDir,
    startedAt: new Date().toISOString(),
    phase: 'deploy',
    applied: false,
    done: false,
  };
  record.write(current);
  const update = (change: Partial<RunRecord>) => {
    current = { ...current, ...change };
    record.write(current);
  };
  const report: AcceptanceReport = {
    version: 1,
    stack: options.stack,
    runId,
    name,
    region,
    startedAt: current.startedAt,
    versions: { project: projectVersion(options.packageFile), region },
    phases: [],
    evidence: {},
    notProven: NOT_PROVEN,
  };
  const evidence = (phase: AcceptancePhase, line: string) => (report.evidence[phase] ??= []).push(line);

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
  const kubeconfig = join(runDir, 'kubeconfig.yaml');
  const caFile = join(runDir, 'rancher-ca.pem');
  const kubectl = new Kubectl(kubeconfig);
  let url = '';
  let json: ModuleJson | undefined;

  let outcome: 'passed' | 'failed' | 'interrupted' = 'passed';
  try {
    await phase('deploy', async () => {
      await synthesize({ ...stoppable, synthScript: options.synthScript, settingsFile, outdir, what: 'the acceptance deployment' });
      json = readModuleJson(moduleDir);
      const problems = json ? acceptanceModuleProblems(json, moduleDir, runDir, name, runId) : [`no ${moduleDir}/cdk.tf.json`];
      if (problems.length > 0) throw new StepFailed(`the synthesized deployment is not safe to apply: ${problems.join('; ')}`);
      evidence(
        'deploy',
        `synthesized with a local state in its folder, no Route53 record, and ${RUN_TAG}=${runId} in every AWS provider's default_tags`,
      );
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
      Object.assign(report.versions, moduleVersions(json!, moduleDir));
    });
    url = String(terraform.outputJson('rancher_url') ?? '');
    if (phases.has('ping'))
      await phase('ping', async () => {
        writeKubeconfig(terraform, kubeconfig, url);
        await waitForPing(kubectl, url, caFile, options.pingMinutes ?? 10, interrupted);
        evidence('ping', `${url}/ping answered pong, verified with Rancher's CA from cattle-system/tls-rancher`);
      });
    if (phases.has('login'))
      await phase('login', () => {
        writeKubeconfig(terraform, kubeconfig, url);
        for (const line of firstLogin(terraform, kubectl, url, caFile)) evidence('login', line);
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
          const shown = terraform.showPlan(planFile);
          report.secondPlanChanges = (shown.resource_changes ?? [])
            .filter((c) => !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0])))
            .map((c) => `${c.change.actions.join(',')} ${c.address}`);
          throw new StepFailed(
            `the second plan is not empty (exit 2): ${report.secondPlanChanges.length} changes (${report.secondPlanChanges.slice(0, 5).join('; ')}${report.secondPlanChanges.length > 5 ? '; ...' : ''}${report.secondPlanChanges.length === 0 ? 'outputs only' : ''})`,
          );
        } finally {
          // A saved plan holds the deployment's secrets.
          rmSync(planFile, { force: true });
        }
      });
    if (phases.has('upgrade'))
      await phase('upgrade', async () => {
        writeKubeconfig(terraform, kubeconfig, url);
        const before = nodeVersions(kubectl);
        evidence('upgrade', `before: ${describeVersions(before)}`);
        writeSettings(UPGRADE.to);
        await synthesize({ ...stoppable, synthScript: options.synthScript, settingsFile, outdir, what: `the upgrade to ${UPGRADE.to}` });
        await initAndApply(moduleDir, {
          ...stoppable,
          apply: ['apply', '-auto-approve', '-input=false'],
          applyTimeoutMs: 10_800_000,
          failed: `the upgrade to ${UPGRADE.to} did not complete`,
        });
        const after = nodeVersions(kubectl);
        evidence('upgrade', `after the apply: ${describeVersions(after)}`);
        const behind =
          after === undefined
            ? ['(the node list did not answer)']
            : after.filter((n) => n.version !== UPGRADE.to).map((n) => `${n.name} ${n.version}`);
        if (after?.length === 0 || behind.length > 0) throw new StepFailed(`not every node runs ${UPGRADE.to}: ${behind.join(', ') || 'no nodes'}`);
        report.versions.rke2 = `${UPGRADE.from} -> ${UPGRADE.to}`;
      });
    if (phases.has('roll'))
      await phase('roll', async () => {
        const lines: string[] = [];
        const code = await roll({
          dir: moduleDir,
          label: `the acceptance deployment ${name}`,
          server: 'server-0',
          interrupted,
          log: (line) => {
            lines.push(line);
            log(line);
          },
        });
        if (interrupted()) throw new Interrupted();
        evidence('roll', `rancher-ha-aws roll --server server-0: exit ${code}`);
        for (const line of lines.filter((l) => /Ready|voter|replaced|done|finished/i.test(l)).slice(-5)) evidence('roll', line.trim());
        if (code !== 0) throw new StepFailed(`the roll of server-0 ended with exit ${code}: ${lines[lines.length - 1] ?? ''}`);
      });
    if (phases.has('backup'))
      await phase('backup', async () => {
        writeKubeconfig(terraform, kubeconfig, url);
        for (const line of await takeBackup(kubectl, aws, terraform, interrupted)) evidence('backup', line);
      });
    if (phases.has('drill'))
      await phase('drill', async () => {
        const lines: string[] = [];
        const code = await drill({
          stack: options.stack,
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
      });
    if (phases.has('break'))
      await phase('break', () => {
        writeKubeconfig(terraform, kubeconfig, url);
        kubectl.call(['-n', 'cattle-system', 'scale', 'deployment', 'rancher', '--replicas=0']);
        const replicas = kubectl.tryCall(['-n', 'cattle-system', 'get', 'deployment', 'rancher', '-o', 'jsonpath={.spec.replicas}']);
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

  // The teardown: always, whatever happened above; a signal now waits for it (the drill's, too, tore down its own).
  update({ phase: 'teardown' });
  const teardownStarted = Date.now();
  let code: number;
  try {
    code = await tearDownRun(current, log);
  } catch (error) {
    log(`The teardown of ${name} stopped: ${(error as Error).message}`);
    code = 1;
  }
  report.phases.push({
    phase: 'teardown',
    status: code === 0 ? 'passed' : 'failed',
    seconds: Math.round((Date.now() - teardownStarted) / 1000),
    detail: code === 0 ? undefined : `finish it with: npm run acceptance -- ${options.stack} --teardown ${runId}`,
  });
  if (code === 0)
    evidence(
      'teardown',
      current.applied
        ? `rancher-ha-aws teardown --yes: exit 0${phases.has('break') && report.phases.some((p) => p.phase === 'break' && p.status === 'passed') ? ', with Rancher scaled to zero' : ''}`
        : 'nothing was applied',
    );
  update({ phase: 'sweep' });
  const sweepStarted = Date.now();
  let leftovers: Leftover[] | undefined;
  let sweepError = '';
  try {
    leftovers = sweep(aws, runId);
  } catch (error) {
    sweepError = (error as Error).message;
  }
  report.leftovers = leftovers;
  const stillThere = (leftovers ?? []).filter((l) => l.state === 'left');
  report.phases.push({
    phase: 'sweep',
    status: leftovers !== undefined && stillThere.length === 0 ? 'passed' : 'failed',
    seconds: Math.round((Date.now() - sweepStarted) / 1000),
    detail:
      leftovers === undefined
        ? `the Resource Groups Tagging API could not be read (${sweepError.slice(0, 300)}): look for ${RUN_TAG}=${runId} in the console`
        : stillThere.length === 0
          ? undefined
          : `${stillThere.length} resources still tagged ${RUN_TAG}=${runId}`,
  });
  if (leftovers)
    evidence(
      'sweep',
      `aws resourcegroupstaggingapi get-resources --tag-filters Key=${RUN_TAG},Values=${runId} in ${region}: ${leftovers.length} resources (${stillThere.length} left, ${leftovers.length - stillThere.length} going by themselves)`,
    );
  if (current.applied) report.awsActions = awsActions(aws, identity?.Arn, report.startedAt, options.policyFile);
  for (const p of ACCEPTANCE_PHASES)
    if (!report.phases.some((r) => r.phase === p))
      report.phases.splice(ACCEPTANCE_PHASES.indexOf(p), 0, {
        phase: p,
        status: 'skipped',
        detail: phases.has(p) ? undefined : 'not chosen (--only/--skip)',
      });
  report.finishedAt = new Date().toISOString();
  report.passed = outcome === 'passed' && report.phases.every((p) => p.status === 'passed' || (p.status === 'skipped' && !phases.has(p.phase)));
  const files = { json: join(runDir, 'report.json'), markdown: join(runDir, 'report.md') };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.markdown, markdownReport(report));
  update({ done: code === 0 });
  for (const file of [kubeconfig, caFile]) rmSync(file, { force: true });
  for (const line of describeReport(report, files)) log(line);
  if (outcome === 'interrupted') return 130;
  return report.passed ? 0 : 1;
}

/** Runs that started, applied something and were not torn down (their folders in `root`). */
function unfinishedRuns(root: string): RunRecord[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((id) => join(root, id, 'run.json'))
    .filter((file) => existsSync(file))
    .map((file) => new StateFile<RunRecord>(file).read()!)
    .filter((r) => !r.done && (r.applied || leftInState(r.moduleDir, r.stack) > 0));
}

/** `--teardown <run id>`: the teardown and the sweep of a run an earlier command left. */
async function tearDownEarlierRun(options: AcceptanceOptions): Promise<number> {
  const file = join(options.root, options.teardownRun!, 'run.json');
  const record = existsSync(file) ? new StateFile<RunRecord>(file).read() : undefined;
  if (!record) {
    options.log(`No acceptance run ${options.teardownRun} in ${options.root}. Nothing was changed.`);
    return 2;
  }
  const code = await tearDownRun(record, options.log);
  const leftovers = sweep(new Aws(record.region), record.runId);
  for (const l of leftovers) options.log(`  LEFT: ${l.arn}${l.state === 'pending' ? ' (going by itself)' : `: ${l.remove}`}`);
  new StateFile<RunRecord>(file).write({ ...record, done: code === 0 });
  options.log(code === 0 ? `The acceptance run ${record.runId} (${record.name}) is torn down.` : `The teardown of ${record.runId} did not finish.`);
  return code === 0 && leftovers.every((l) => l.state === 'pending') ? 0 : 1;
}

/** The teardown command on the run's module (no confirmation: the run confirmed once, and the folder is its own). */
async function tearDownRun(record: RunRecord, log: (line: string) => void): Promise<number> {
  if (!record.applied || !existsSync(join(record.moduleDir, 'cdk.tf.json'))) {
    log(`Nothing of ${record.name} was created (the run stopped before its apply).`);
    return 0;
  }
  if (!existsSync(join(record.moduleDir, '.terraform'))) {
    const init = run('terraform', ['init', '-input=false'], { cwd: record.moduleDir, timeoutMs: 900_000, inherit: true });
    if (init.code !== 0) {
      log(
        `terraform init failed in ${record.moduleDir} (exit ${init.code}): ${record.name} was not torn down. Fix it, then: npm run acceptance -- ${record.stack} --teardown ${record.runId}`,
      );
      return 1;
    }
  }
  return teardown({
    dir: record.moduleDir,
    label: `the acceptance deployment ${record.name}`,
    keepSnapshots: false,
    yes: true,
    log,
  });
}

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

/**
 * The actions the run's principal used (CloudTrail's event history, management events, from the run's start until
 * now) against docs/deployer-policy.json; or why they could not be read.
 */
function awsActions(aws: Aws, principalArn: string | undefined, since: string, policyFile: string): AcceptanceReport['awsActions'] {
  // CloudTrail names an assumed role's caller by its session name, a user by the user's name: the ARN's last part.
  const user = principalArn?.split('/').pop();
  if (!user) return { source: 'CloudTrail', unavailable: 'the caller identity was not known' };
  const used = new Set<string>();
  let token: string | undefined;
  try {
    for (let page = 0; page < 2000; page++) {
      const answer = aws.call<{ Events?: { EventSource?: string; EventName?: string }[]; NextToken?: string }>([
        'cloudtrail',
        'lookup-events',
        '--lookup-attributes',
        `AttributeKey=Username,AttributeValue=${user}`,
        '--start-time',
        since,
        '--end-time',
        new Date().toISOString(),
        '--max-results',
        '50',
        ...(token ? ['--next-token', token] : []),
      ]);
      for (const e of answer?.Events ?? []) if (e.EventSource && e.EventName) used.add(iamAction(e.EventSource, e.EventName));
      token = answer?.NextToken;
      if (!token) break;
    }
  } catch (error) {
    return { source: 'CloudTrail', unavailable: `cloudtrail lookup-events failed: ${(error as Error).message.slice(0, 300)}` };
  }
  const policy = JSON.parse(readFileSync(policyFile, 'utf8')) as { Statement: { Effect: string; Action?: string | string[] }[] };
  const sorted = [...used].sort();
  return { source: `CloudTrail event history for ${user} since ${since}`, used: sorted, ...comparePolicy(sorted, policy) };
}

/**
 * Beyond the drill's checks (cli/throwaway.ts): the run id in every AWS provider's default tags (so every resource
 * carries it), and names only under the run's own prefix.
 */
export function acceptanceModuleProblems(json: ModuleJson, moduleDir: string, root: string, name: string, runId: string): string[] {
  const problems = localModuleProblems(json, moduleDir, root);
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
  const result = await runAsync('terraform', args, { cwd: moduleDir, timeoutMs: 1_800_000, stop: stoppable.stop, stopSignal: 'SIGINT' });
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
function firstLogin(terraform: Terraform, kubectl: Kubectl, url: string, caFile: string): string[] {
  const password = terraform.outputJson('rancher_admin_password');
  if (typeof password !== 'string' || password === '')
    throw new StepFailed('the deployment has no rancher_admin_password output (rancher.bootstrap off?)');
  if (!existsSync(caFile) && !rancherCa(kubectl, caFile)) throw new StepFailed("Rancher's CA (cattle-system/tls-rancher) could not be read");
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
  const result = run('terraform', ['version', '-json'], { cwd: moduleDir, timeoutMs: 60_000 });
  try {
    const v = JSON.parse(result.stdout) as { terraform_version?: string; provider_selections?: Record<string, string> };
    const providers = Object.entries(v.provider_selections ?? {}).map(([p, version]) => `${p.split('/').pop()} ${version}`);
    return `${v.terraform_version ?? '?'}${providers.length ? `; providers: ${providers.join(', ')}` : ''}`;
  } catch {
    return undefined;
  }
}

/** Versions the synthesized module pins: the charts, RKE2 at deploy, the instance type. */
function moduleVersions(json: ModuleJson, moduleDir: string): Record<string, string | undefined> {
  const releases = Object.values(json.resource?.helm_release ?? {}) as { chart?: string; version?: string }[];
  const chart = (name: string) => releases.find((r) => r.chart === name)?.version;
  const text = readFileSync(join(moduleDir, 'cdk.tf.json'), 'utf8');
  return {
    rancher: chart('rancher'),
    'cert-manager': chart('cert-manager'),
    'rancher-backup': chart('rancher-backup'),
    rke2: /RKE2_VERSION=\\"(v[^\\"]+)\\"/.exec(text)?.[1] ?? UPGRADE.from,
    'instance type': String(json.variable?.instance_type?.default ?? '(the instance_type variable)'),
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
