import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AcceptancePhase, CHOSEN_PHASES, timelineOf } from './acceptance-report';
import { type AcceptanceStack, k8sHaHostname, RUN_TAG, UPGRADE } from './acceptance-settings';
import { metricsPhase } from './acceptance-metrics';
import { describeSeen, seenArtifacts } from './acceptance-observed';
import { rotatePhase } from './acceptance-rotate';
import { failoverPhase } from './acceptance-failover';
import { takeBackup } from './acceptance-backup';
import { describeTarget, measured, PROBE_TARGETS, rancherProbe, runClock } from './acceptance-probes';
import { createDownstreamInstance, downstreamDir, importDownstream, writeDownstreamModule } from './acceptance-downstream';
import { migrateDirs, migrateDocker, prepareMigration, readMigrateSupport } from './acceptance-migrate';
import { type AcceptanceRun, describeCluster } from './acceptance-run';
import type { Aws } from '../shared/aws';
import type { KubeApi } from '../shared/kube/kube-api';
import { Interrupted } from '../shared/poll';
import { run as runTool, runAsync } from '../shared/process';
import { rancherGet, rancherLogin } from '../shared/rancher-api';
import { managed } from '../shared/module-folder';
import { standbyRegionOf } from '../shared/standby';
import { stringAttribute, Terraform, terraformBinary } from '../shared/terraform';
import {
  type CaReader,
  initAndApply,
  localModuleProblems,
  type ModuleJson,
  readModuleJson,
  StepFailed,
  synthesize,
  waitForPing,
} from '../shared/throwaway';
import { readableError } from '../shared/tool-output';
import { step, toldDuring } from './acceptance-progress';
import { terraformOutput } from './terraform-output';

// The acceptance run's phases (docs/acceptance.md), one function each, in a table in the run's order: the deploy
// always first, then those the run chose. Each takes the started run (acceptance-run.ts) and adds its evidence to
// the report; a StepFailed ends the run's phases, and the teardown follows (acceptance.ts).

/** How a run's phases ended: all passed, one failed, or a signal or the budget stopped them. */
export type PhasesOutcome = 'passed' | 'failed' | 'interrupted';

/** The phases --only and --skip choose from (CHOSEN_PHASES): every one but deploy, teardown and sweep. */
type ChosenPhase = Exclude<AcceptancePhase, 'deploy' | 'teardown' | 'sweep'>;

/** Each chosen phase's step; run in CHOSEN_PHASES' order, the run's. */
const PHASE_STEPS: Readonly<Record<ChosenPhase, (run: AcceptanceRun) => Promise<void> | void>> = {
  ping: provePing,
  login: proveLogin,
  'second-plan': proveSecondPlan,
  downstream: proveDownstream,
  upgrade: proveUpgrade,
  roll: proveRoll,
  rotate: proveRotate,
  backup: proveBackup,
  metrics: proveMetrics,
  drill: proveDrill,
  failover: proveFailover,
  migrate: proveMigrate,
  break: proveBreak,
};

/** The deploy, then each chosen phase in turn until one fails or the run is stopped. */
export async function runPhases(run: AcceptanceRun): Promise<PhasesOutcome> {
  try {
    await run.phase('deploy', () => proveDeploy(run));
    run.url = String((await run.terraform.outputJson('rancher_url')) ?? '');
    for (const phase of CHOSEN_PHASES) if (run.plan.phases.has(phase)) await run.phase(phase, () => PHASE_STEPS[phase as ChosenPhase](run));
    return 'passed';
  } catch (error) {
    const outcome = error instanceof Interrupted || run.interrupted() ? 'interrupted' : 'failed';
    const { report } = run;
    const last = report.phases[report.phases.length - 1];
    if (!(error instanceof Interrupted) && !(error instanceof StepFailed) && (!last || last.status === 'passed'))
      report.phases.push({ phase: run.current.phase, status: 'failed', detail: (error as Error).message });
    return outcome;
  } finally {
    run.stopBudgetTimer();
  }
}

/** Synth, the module's checks, one timed apply; with migrate first the CA both deployments serve. */
async function proveDeploy(run: AcceptanceRun): Promise<void> {
  const { options, plan, report, terraform, evidence, update } = run;
  const { stack, name, runId, runDir, outdir, moduleDir, cluster } = plan;
  if (plan.phases.has('migrate')) {
    // The CA both deployments serve must exist before the first; recorded first (a kill during its apply).
    const support = migrateDirs(runDir).support;
    update({ migrate: { support } });
    await step(options.io, 'migration module', "terraform apply of the migration's CA, bucket and writer", () =>
      prepareMigration(support, { name, runId, region: plan.region }, { ...run.stoppable, output: terraformOutput(options.io) }),
    );
    evidence('deploy', `terraform apply of the migration's module (${support}): the run's CA, bucket and backup writer, tagged ${RUN_TAG}=${runId}`);
  }
  await step(options.io, 'synth', 'the deployment synthesized', () =>
    synthesize({ ...run.stoppable, synthScript: options.synthScript, settingsFile: run.settingsFile, outdir, what: 'the acceptance deployment' }),
  );
  const json = (run.json = readModuleJson(moduleDir));
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
    const kube = await run.kube();
    const before = await clusterNamespaces(kube);
    if (before === undefined) throw new StepFailed(`${describeCluster(cluster)} did not list its namespaces. Nothing was applied`);
    const taken = namespaces.filter((n) => before.includes(n));
    if (taken.length > 0)
      throw new StepFailed(
        `${describeCluster(cluster)} already has the namespace ${taken.join(', ')} the run would create: it is not the run's to take over or remove (with cert-manager installed already, give --settings with k8sHa.certManager.install: false). Nothing was applied`,
      );
    evidence('deploy', `none of the namespaces the module creates (${namespaces.join(', ')}) existed in ${describeCluster(cluster)}`);
    update({ namespaces, namespacesBefore: before });
    report.versions['kubernetes (your cluster)'] = describeVersions(await nodeVersions(kube));
  }
  update({ applied: true });
  let applied;
  try {
    // Its events are kept for the timeline (apply -json); init's output reaches the host.
    applied = await step(options.io, 'apply', 'terraform init and apply of the deployment', () =>
      initAndApply(moduleDir, {
        ...run.stoppable,
        apply: ['apply', '-auto-approve', '-input=false', '-json'],
        applyTimeoutMs: 10_800_000,
        failed: 'the deployment did not complete',
        capture: true,
        output: terraformOutput(options.io),
      }),
    );
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
    report.seen = seenArtifacts(await terraform.pull(), k3s !== undefined ? { k3s } : { rke2: report.versions.rke2 });
    for (const line of describeSeen(report.seen)) evidence('deploy', line);
  } catch (error) {
    report.seen = { unavailable: readableError(String((error as Error).message ?? error)) };
  }
}

/** Rancher's /ping, trusted with its own CA. */
async function provePing(run: AcceptanceRun): Promise<void> {
  const { url } = run;
  if (!url) throw new StepFailed('the deployment has no rancher_url output');
  await waitForPing(run.readCa, url, run.caFile, run.options.pingMinutes ?? 10, run.interrupted);
  run.evidence(
    'ping',
    `${url}/ping answered pong, verified with Rancher's CA from ${run.plan.stack === 'docker' ? `${url}/cacerts (trusted on first use, as the stack's gate does)` : 'cattle-system/tls-rancher'}`,
  );
}

async function proveLogin(run: AcceptanceRun): Promise<void> {
  for (const line of await firstLogin(run.terraform, run.readCa, run.url, run.caFile)) run.evidence('login', line);
}

/** terraform plan right after the apply: nothing to change, neither a resource nor a root output. */
async function proveSecondPlan(run: AcceptanceRun): Promise<void> {
  const { evidence, report, terraform } = run;
  const { moduleDir, runDir } = run.plan;
  const planFile = join(runDir, 'second.tfplan');
  try {
    const planned = await runTerraform(moduleDir, ['plan', '-detailed-exitcode', '-input=false', `-out=${planFile}`], run.stoppable);
    if (planned.code === 0) {
      report.secondPlanChanges = [];
      evidence('second-plan', 'terraform plan -detailed-exitcode: exit 0, no changes');
      return;
    }
    if (planned.code !== 2) throw new StepFailed(`terraform plan failed (exit ${planned.code}): ${readableError(planned.stderr, 600)}`);
    // Exit 2: something changes, a resource or a root output (an output alone makes the plan not empty).
    const shown = (await terraform.showPlan(planFile)) as Awaited<ReturnType<Terraform['showPlan']>> & {
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
}

/** A downstream K3s instance of the run's own, imported into Rancher and seen Active. */
async function proveDownstream(run: AcceptanceRun): Promise<void> {
  const { caFile, evidence, update } = run;
  const { name, runId, region, runDir } = run.plan;
  const dir = downstreamDir(runDir);
  writeDownstreamModule(dir, { name, runId, region });
  // Recorded before the apply: a kill during it leaves an instance --teardown-run must find.
  update({ downstream: { dir } });
  const { io } = run.options;
  const instanceId = await step(io, 'apply', 'terraform apply of the downstream instance', () =>
    createDownstreamInstance(dir, { ...run.stoppable, output: terraformOutput(io) }),
  );
  update({ downstream: { ...run.current.downstream!, instanceId } });
  evidence('downstream', `terraform apply of the run's downstream module (${dir}): instance ${instanceId}, tagged ${RUN_TAG}=${runId}`);
  let why = '';
  if (!existsSync(caFile) && !(await run.readCa(caFile, (w) => (why = w)))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
  const lines = await importDownstream(run.downstream, {
    instanceId,
    clusterName: `${name}-downstream`,
    ca: readFileSync(caFile, 'utf8'),
    onCluster: (clusterId) => update({ downstream: { ...run.current.downstream!, clusterId } }),
  });
  for (const line of lines) evidence('downstream', line);
  await run.checkDownstream('downstream', 'import');
}

/**
 * `work` with Rancher's /ping and the API probed beside it (acceptance-probes.ts): the phase's availability in the
 * report and its evidence, and the phase failed, naming the gap, when Rancher did not stay answering.
 */
async function whileProbed(run: AcceptanceRun, phase: 'upgrade' | 'roll' | 'rotate', work: () => Promise<void>): Promise<void> {
  let why = '';
  if (!(await run.readCa(run.caFile, (w) => (why = w)))) throw new StepFailed(`Rancher's CA could not be read to probe it: ${why}`);
  await measured(phase, rancherProbe({ url: run.url, caFile: run.caFile, kube: await run.kube() }), work, {
    clock: run.options.clock ?? runClock(),
    record: (availability) => {
      (run.report.availability ??= []).push(availability);
      for (const target of PROBE_TARGETS) run.evidence(phase, describeTarget(target, availability[target]));
    },
  });
}

/** rke-ha from UPGRADE.from to UPGRADE.to by a second synth and apply: every node runs the new version. */
function proveUpgrade(run: AcceptanceRun): Promise<void> {
  return whileProbed(run, 'upgrade', () => upgrade(run));
}

async function upgrade(run: AcceptanceRun): Promise<void> {
  const { evidence, options } = run;
  const { moduleDir, outdir } = run.plan;
  const before = await nodeVersions(await run.kube());
  evidence('upgrade', `before: ${describeVersions(before)}`);
  run.writeSettings(UPGRADE.to);
  await step(options.io, 'synth', `the deployment synthesized at ${UPGRADE.to}`, () =>
    synthesize({ ...run.stoppable, synthScript: options.synthScript, settingsFile: run.settingsFile, outdir, what: `the upgrade to ${UPGRADE.to}` }),
  );
  await step(options.io, 'apply', `terraform apply of the upgrade to ${UPGRADE.to}`, () =>
    initAndApply(moduleDir, {
      ...run.stoppable,
      apply: ['apply', '-auto-approve', '-input=false'],
      applyTimeoutMs: 10_800_000,
      failed: `the upgrade to ${UPGRADE.to} did not complete`,
      output: terraformOutput(options.io),
    }),
  );
  const after = await nodeVersions(await run.kube());
  evidence('upgrade', `after the apply: ${describeVersions(after)}`);
  const behind =
    after === undefined ? ['(the node list did not answer)'] : after.filter((n) => n.version !== UPGRADE.to).map((n) => `${n.name} ${n.version}`);
  if (after?.length === 0 || behind.length > 0) throw new StepFailed(`not every node runs ${UPGRADE.to}: ${behind.join(', ') || 'no nodes'}`);
  run.report.versions.rke2 = `${UPGRADE.from} -> ${UPGRADE.to}`;
  await run.checkDownstream('upgrade');
}

/** Every server in turn, one at a time (the roll's own rule); the downstream cluster looked at after each. */
function proveRoll(run: AcceptanceRun): Promise<void> {
  return whileProbed(run, 'roll', () => rollEach(run));
}

async function rollEach(run: AcceptanceRun): Promise<void> {
  const { evidence, interrupted } = run;
  const { io } = run.options;
  for (const server of await serverNames(run.terraform)) {
    // The roll tells through the run's host: its spans nest in the phase's, its messages keep their ROLL_ codes.
    const { code, texts: lines } = await toldDuring(io, () =>
      run.options.commands.roll({ dir: run.plan.moduleDir, label: `the acceptance deployment ${run.plan.name}`, server, interrupted, io }),
    );
    if (interrupted()) throw new Interrupted();
    evidence('roll', `rancher-ha-aws roll --server ${server}: exit ${code}`);
    for (const line of lines.filter((l) => /Ready|voter|replaced|done|finished/i.test(l)).slice(-5)) evidence('roll', line.trim());
    if (code !== 0) throw new StepFailed(`the roll of ${server} ended with exit ${code}: ${lines[lines.length - 1] ?? ''}`);
    await run.checkDownstream('roll', `roll of ${server}`);
  }
}

function proveRotate(run: AcceptanceRun): Promise<void> {
  return whileProbed(run, 'rotate', () => rotateAll(run));
}

async function rotateAll(run: AcceptanceRun): Promise<void> {
  const server = (await serverNames(run.terraform))[0];
  const label = `the acceptance deployment ${run.plan.name}`;
  await rotatePhase({
    dir: run.plan.moduleDir,
    label,
    runDir: run.plan.runDir,
    server,
    interrupted: run.interrupted,
    commands: run.options.commands,
    io: run.options.io,
    evidence: (line) => run.evidence('rotate', line),
  });
  await run.checkDownstream('rotate', `roll of ${server} after the rotations`);
}

async function proveBackup(run: AcceptanceRun): Promise<void> {
  // Not in the module: the teardown of a k8s-ha run deletes it itself (the cluster stays).
  if (run.plan.cluster) run.update({ backupCreated: true });
  for (const line of await takeBackup(await run.kube(), run.plan.aws, run.terraform, { interrupted: run.interrupted })) run.evidence('backup', line);
}

function proveMetrics(run: AcceptanceRun): Promise<void> {
  return metricsPhase({
    aws: run.plan.aws,
    terraform: run.terraform,
    json: run.json!,
    runStartedAt: run.current.startedAt,
    interrupted: run.interrupted,
    evidence: (line) => run.evidence('metrics', line),
    io: run.options.io,
    rows: (run.report.metrics ??= []),
    versions: run.report.versions,
  });
}

/** The drill against the run's deployment: its backup restored beside it, production's downstream cluster still its own. */
async function proveDrill(run: AcceptanceRun): Promise<void> {
  const { evidence, interrupted, options } = run;
  const { code, texts } = await toldDuring(options.io, () =>
    options.commands.drill({
      stack: run.plan.stack,
      productionDir: run.plan.moduleDir,
      settingsPath: run.settingsFile,
      root: join(run.plan.runDir, 'drill'),
      synthScript: options.synthScript,
      pingMinutes: options.pingMinutes,
      interrupted,
      stop: run.halt,
      io: options.io,
    }),
  );
  // Its report is one message of several lines: its Result line and each comparison are picked out of them.
  const lines = texts.flatMap((t) => t.split('\n'));
  if (interrupted()) throw new Interrupted();
  const drillReport = lines.find((l) => l.startsWith('Result: '));
  evidence('drill', `rancher-ha-aws drill: exit ${code}; ${drillReport ?? 'no report'}`);
  for (const l of lines.filter((x) => /^\s+(passed|FAILED)\s/.test(x))) evidence('drill', l.trim());
  if (code !== 0) throw new StepFailed(`the drill ended with exit ${code}`);
  // The restore ran beside production: production's downstream cluster must still be its own.
  await run.checkDownstream('drill');
}

/**
 * rke-ha with a standby: the primary's instances stopped (EC2 StopInstances), failover, the downstream cluster against
 * the standby, RTO and RPO against their budgets, the instances started, failback (cli/acceptance/acceptance-failover.ts).
 */
async function proveFailover(run: AcceptanceRun): Promise<void> {
  const { options, plan } = run;
  // The run's clients of the primary's region (the caller's, when it gave them: AcceptanceOptions.aws).
  const { clients } = await plan.aws.sdk();
  if (plan.outageRole === undefined) throw new StepFailed('the run chose no role for the failover to assume (--outage-role)');
  await failoverPhase({
    stack: plan.stack,
    productionDir: plan.moduleDir,
    settingsFile: run.settingsFile,
    settings: JSON.parse(readFileSync(run.settingsFile, 'utf8')) as Record<string, unknown>,
    standbyRegion: standbyRegionOf(plan.base)!,
    runDir: plan.runDir,
    synthScript: options.synthScript,
    pingMinutes: options.pingMinutes,
    instanceIds: async () =>
      managed(await run.terraform.pull(), 'aws_instance')
        .map((r) => stringAttribute(r.attributes.id))
        .filter((id): id is string => id !== undefined),
    clients,
    commands: options.commands,
    // Production applied as the deploy applies it (its module and settings as the run left them), after the prepare.
    applyProduction: async () => {
      await step(options.io, 'apply', "terraform apply of production after the standby's prepare", () =>
        initAndApply(plan.moduleDir, {
          ...run.stoppable,
          apply: ['apply', '-auto-approve', '-input=false'],
          applyTimeoutMs: 10_800_000,
          failed: "production's apply after the standby's prepare did not complete",
          output: terraformOutput(options.io),
        }),
      );
    },
    // The primary's region denied to the failover command alone (acceptance-outage.ts; the role chosen before the run).
    outage: { role: plan.outageRole!, region: plan.region, clientsOf: options.aws },
    record: () => run.current.failover,
    update: (failover) => run.update({ failover }),
    checkDownstream: (label) => run.checkDownstream('failover', label),
    rancherAnswers: async () => {
      await waitForPing(run.readCa, run.url, run.caFile, options.pingMinutes ?? 10, run.interrupted);
      return `${run.url}/ping answered pong from ${plan.region} after the failback, verified with Rancher's CA`;
    },
    figures: (figures) => (run.report.failover = figures),
    evidence: (line) => run.evidence('failover', line),
    interrupted: run.interrupted,
    stop: run.halt,
    io: options.io,
  });
}

/** docker's Rancher moved onto an rke-ha deployment at the same hostname; admin's password and the downstream cluster came along. */
async function proveMigrate(run: AcceptanceRun): Promise<void> {
  const { caFile, options, terraform, url } = run;
  const { name, runId, region, runDir, moduleDir } = run.plan;
  const support = await readMigrateSupport(run.current.migrate!.support);
  if (!support) throw new StepFailed("the migration's module has no outputs (its apply did not finish)");
  let why = '';
  if (!existsSync(caFile) && !(await run.readCa(caFile, (w) => (why = w)))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
  // Read while the docker deployment's state holds it (the phase retires it), kept in memory only.
  const password = await terraform.outputJson('rancher_admin_password');
  if (typeof password !== 'string' || password === '') throw new StepFailed('the docker deployment has no rancher_admin_password output');
  await migrateDocker({
    ...run.stoppable,
    runId,
    url,
    caFile,
    token: run.downstream.token,
    aws: run.plan.aws,
    region,
    io: options.io,
    runDir,
    name,
    teardown: options.commands.teardown,
    dockerDir: moduleDir,
    dockerSettings: JSON.parse(readFileSync(run.settingsFile, 'utf8')) as Record<string, unknown>,
    synthScript: options.synthScript,
    pingMinutes: options.pingMinutes ?? 10,
    support,
    record: () => run.current.migrate!,
    update: (change) => run.update({ migrate: { ...run.current.migrate!, ...change } }),
    evidence: (line) => run.evidence('migrate', line),
    moduleProblems: (json, dir) => acceptanceModuleProblems(json, dir, runDir, name, runId, { stack: 'rke-ha', hostedZone: options.hostedZone }),
    rancherVersion: (json, dir, of) => moduleVersions(json, dir, of).rancher,
  });
  // The restored admin, with the docker Rancher's password: its users came along (whether its login tokens did
  // is not the run's to assume, so the looks below use this login's).
  const login = await rancherLogin(url, caFile, 'admin', password);
  run.adminToken = login.token;
  run.evidence(
    'migrate',
    `POST ${url}${login.endpoint} as admin with the docker deployment's password, on the rke-ha deployment: ${login.status}, a token`,
  );
  // The same cluster id on the new Rancher: the restore kept it, and its agent found the new Rancher.
  await run.checkDownstream('migrate', 'migration');
}

/** Rancher down before the teardown (docker: its host stopped; else Rancher scaled to zero): the teardown must not need it. */
async function proveBreak(run: AcceptanceRun): Promise<void> {
  if (run.plan.stack === 'docker') {
    for (const line of await stopHost(run.plan.aws, run.terraform, run.interrupted)) run.evidence('break', line);
    return;
  }
  const kube = await run.kube();
  await kube.deployments.scale('cattle-system', 'rancher', 0);
  let replicas: number | undefined;
  try {
    replicas = await kube.deployments.replicas('cattle-system', 'rancher');
  } catch {
    // Unknown: said below.
  }
  if (replicas !== 0) throw new StepFailed(`Rancher was not scaled to zero (spec.replicas ${replicas ?? 'unknown'})`);
  run.evidence(
    'break',
    "cattle-system/rancher's scale set to 0 replicas (as kubectl scale does): spec.replicas 0; the teardown runs against a deployment whose Rancher is down",
  );
}

/** The cluster's namespaces; undefined when it did not answer. */
export async function clusterNamespaces(kube: Pick<KubeApi, 'namespaces'>): Promise<string[] | undefined> {
  try {
    return await kube.namespaces.names();
  } catch {
    return undefined;
  }
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

/**
 * The first login as a person makes it: `admin` with the rancher_admin_password output, through Rancher's login API
 * (`/v1-public/login`, `/v3-public/...?action=login` where that is missing), then the token it returned reads the
 * user it belongs to. Password and token go to curl on its standard input, never on its command line.
 */
async function firstLogin(terraform: Terraform, readCa: CaReader, url: string, caFile: string): Promise<string[]> {
  const password = await terraform.outputJson('rancher_admin_password');
  if (typeof password !== 'string' || password === '')
    throw new StepFailed('the deployment has no rancher_admin_password output (rancher.bootstrap off?)');
  let why = '';
  if (!existsSync(caFile) && !(await readCa(caFile, (w) => (why = w)))) throw new StepFailed(`Rancher's CA could not be read: ${why}`);
  const login = await rancherLogin(url, caFile, 'admin', password);
  const me = await rancherGet(url, caFile, login.token, '/v3/users?me=true');
  const users = usernames(me.body);
  if (me.status !== 200 || !users.includes('admin'))
    throw new StepFailed(`the login's token did not read admin's user (${url}/v3/users?me=true answered ${me.status})`);
  return [
    `POST ${url}${login.endpoint} as admin with the rancher_admin_password output: ${login.status}, a token`,
    `GET ${url}/v3/users?me=true with that token: 200, user admin`,
  ];
}

/** docker's break: its host stopped, and seen stopped (Rancher with it: the teardown must not need it). */
async function stopHost(aws: Aws, terraform: Terraform, interrupted: () => boolean): Promise<string[]> {
  const id = await terraform.outputJson('instance_id');
  if (typeof id !== 'string' || id === '') throw new StepFailed('the deployment has no instance_id output');
  const { side, clients } = await aws.sdk();
  // StopInstances, then DescribeInstances once a poll until EC2 says stopped.
  const { stopped, state } = await side.stopInstance(clients, id, { budgetMs: 10 * 60_000, interrupted });
  if (!stopped) throw new StepFailed(`the host ${id} did not stop within 10 minutes (${state})`);
  return [`EC2 StopInstances of ${id}: stopped; the teardown runs against a host whose Rancher is down`];
}

/** The deployment's servers, from its servers_pending_replacement output (rke-ha's three when it has none). */
async function serverNames(terraform: Terraform): Promise<string[]> {
  const pending = await terraform.outputJson('servers_pending_replacement');
  const names = pending && typeof pending === 'object' ? Object.keys(pending as object).sort() : [];
  return names.length > 0 ? names : ['server-0', 'server-1', 'server-2'];
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
async function nodeVersions(kube: KubeApi): Promise<{ name: string; version: string }[] | undefined> {
  try {
    return await kube.nodes.versions();
  } catch {
    return undefined;
  }
}

const describeVersions = (nodes: { name: string; version: string }[] | undefined) =>
  nodes === undefined ? 'the node list did not answer' : nodes.map((n) => `${n.name} ${n.version}`).join(', ') || 'no nodes';

/** Terraform's own version and the providers the module was initialised with (`terraform version -json`). */
function terraformVersion(moduleDir: string): string | undefined {
  const result = runTool(terraformBinary(), ['version', '-json'], { cwd: moduleDir, timeoutMs: 60_000 });
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
