import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aws } from '../shared/aws';
import type { ClientsOfRegion } from '../shared/aws/clients';
import type { IoHost } from '../shared/io/io-host';
import { deleteTokenParameter, newestSnapshot, snapshotFolder, snapshotUnreadable, type EtcdSnapshot } from './drill-etcd';
import { type DrillOutcome, type DrillRun, runDrillPhases } from './drill-phases';
import { drillPlan } from './drill-plan';
import { productionDeployment, type ProductionDeployment } from '../shared/production';
import { readStandbyFacts } from '../shared/standby-facts';
import {
  DRILL_PHASES,
  ETCD_NOT_PROVEN,
  ETCD_PHASES,
  NOT_PROVEN,
  STANDBY_NOT_PROVEN,
  describeReport,
  type DrillPhase,
  type DrillReport,
} from './drill-report';
import {
  BACKUP_PREFIX,
  DRILL_STANDBY,
  newestBackup,
  notDecryptable,
  standbyBackup,
  standbyRegionOf,
  standbySettingsProblem,
} from '../shared/standby';
import { defaultThrowawayName, etcdThrowawaySettings, throwawayNameProblem, throwawaySettings } from './drill-settings';
import { readProductionSettings } from '../shared/settings-file';
import { run } from '../shared/process';
import { StateFile } from '../shared/state-file';
import type { TeardownEntry } from '../shared/command-entries';
import { readDeploymentRecord } from '../shared/module-folder';
import { storesOf } from '../shared/stores';
import { keepingEnvironment } from '../shared/scoped-environment';
import { Terraform, terraformBinary } from '../shared/terraform';
import { leftInState } from '../shared/throwaway';
import { beginPhase, drillPhaseRunner } from './drill-progress';

export { throwawayProblems } from './drill-phases';

/** A drill tells through an I/O host: the command line's (progress in place on a terminal, coded lines elsewhere) or the acceptance run's. */
export type DrillOptions = DrillSettings & { readonly io: IoHost };

/** A drill's settings, with the host it tells through. */
export type DrillRunOptions = DrillSettings & { readonly io: IoHost };

export interface DrillSettings {
  /** The stack of production (only rke-ha builds a throwaway deployment). */
  readonly stack: string;
  /** Production's synthesized module folder: read (`terraform state pull`, `terraform output`), never changed. */
  readonly productionDir: string;
  /** The settings file production was synthesized from (RANCHER_CONFIG or rancher.yaml). */
  readonly settingsPath: string;
  /** The drill's own folder: its record, the throwaway's settings, module and state, the reports. */
  readonly root: string;
  /** The node script that synthesizes the app (scripts/synth.js of the checkout). */
  readonly synthScript: string;
  /** The throwaway's `name` setting. @default production's first 10 characters + `-drill` */
  readonly name?: string;
  /** Leave the throwaway deployment up for a person to look at. @default false */
  readonly keep?: boolean;
  /** Only tear down what an earlier drill left. @default false */
  readonly teardownOnly?: boolean;
  /** Restore production's newest etcd snapshot instead of its newest Rancher backup (rke-ha with RKE2). @default false */
  readonly etcd?: boolean;
  /**
   * Drill production's standby (`standby.region`): the throwaway in the standby region, restoring the newest backup of
   * the standby's copy there. @default false
   */
  readonly standby?: boolean;
  /** Print what it would do and stop. @default false */
  readonly dryRun?: boolean;
  /** Budget for Rancher to answer `/ping` once the apply is done. @default 10 */
  readonly pingMinutes?: number;
  /** Budget of the apply (the restore runs in it). @default 180 minutes */
  readonly applyTimeoutMs?: number;
  /** Asked between steps: a signal came. */
  readonly interrupted: () => boolean;
  /** Aborted on the first signal: the synth or apply in flight is stopped (terraform with SIGINT, so it saves its state). */
  readonly stop?: AbortSignal;
  /** The teardown command, which tears the throwaway down (cli/main.ts gives it: cli/shared/command-entries.ts). */
  readonly teardown: TeardownEntry;
  /** AWS SDK clients by region (tests: the fake AWS). @default the SDK's, from the environment */
  readonly aws?: ClientsOfRegion;
}

/** What the drill keeps between runs (`<drill folder>/drill.json`): enough for a rerun to find a throwaway left behind. */
export interface DrillRecord {
  readonly stack: string;
  readonly name: string;
  readonly productionDir: string;
  readonly productionName: string;
  readonly moduleDir: string;
  readonly startedAt: string;
  readonly phase: DrillPhase;
  /** Whether terraform ran in the throwaway's folder (before: nothing of it exists in AWS). */
  readonly applied: boolean;
  /**
   * Production's stores, by name or ARN: its buckets, and its standby's copy of the backups and that copy's key. The
   * teardown refuses a throwaway whose state holds one.
   */
  readonly productionBuckets: readonly string[];
  readonly keep: boolean;
  readonly done: boolean;
  readonly report?: string;
  /** `--etcd`: the throwaway's parameter that holds production's token during the restore (deleted by the teardown too). */
  readonly tokenParameter?: string;
}

/** The throwaway's stack, whatever production's (a k8s-ha backup is restored into rke-ha too). */
const THROWAWAY_STACK = 'rke-ha';

/** The Terraform variable a restore of an encrypted backup reads (rancher-backups.ts names it at the stack level). */
const RESTORE_VARIABLE = 'rancher_backup_restore_encryption_config';

/** What the checks before a drill decided and its statement named: the drill starts from it. */
export interface DrillPlan {
  readonly production: ProductionDeployment;
  /** Production's settings file, read. */
  readonly settings: Record<string, unknown>;
  readonly aws: Aws;
  /** The file restored: the Rancher backup's or the etcd snapshot's, in production's bucket (or its standby's copy). */
  readonly backup: DrillReport['backup'];
  /** `--standby`: the standby's region, where the throwaway runs, and the age of the backup. */
  readonly standby?: DrillReport['standby'];
  /** The Rancher backup's file name (not with --etcd). */
  readonly file?: string;
  /** `--etcd`: the snapshot restored. */
  readonly snapshot?: EtcdSnapshot;
  /** The throwaway's name. */
  readonly name: string;
  readonly outdir: string;
  readonly moduleDir: string;
  readonly settingsFile: string;
}

/**
 * Restores production's newest Rancher backup into a throwaway deployment, checks it, reports, tears it down. In
 * steps: what an earlier drill left torn down first, the drill decided and stated (planDrill), started (startDrill),
 * its phases (runDrillPhases), and its close: teardown and report (endDrill).
 */
export function drill(given: DrillOptions): Promise<number> {
  // The restore's variable is set once the drill knows its backup (startDrill) and put back as the caller had it at
  // the end, so that production's encryption configuration does not outlive the command in a caller's process.
  return keepingEnvironment([`TF_VAR_${RESTORE_VARIABLE}`], () => drillSteps(given));
}

async function drillSteps(given: DrillOptions): Promise<number> {
  const options: DrillRunOptions = given;
  const { io } = options;
  const record = new StateFile<DrillRecord>(join(options.root, 'drill.json'));
  const earlier = await finishEarlierDrill(options, record);
  if (earlier !== undefined) return earlier;
  // k8s-ha's backup is restored into the same throwaway rke-ha deployment (rancher-backup restores into a cluster of
  // another distribution: docs/development/standby-trust.md, "k8s-ha"); its etcd is the user's cluster's, not ours.
  if ((options.stack !== 'rke-ha' && options.stack !== 'k8s-ha') || (options.stack === 'k8s-ha' && options.etcd)) {
    io.error(
      'DRILL_STACK_NOT_RKE_HA',
      options.stack === 'docker'
        ? 'The docker stack has no Rancher backups to restore: its data volume has EBS snapshots instead (docs/docker.md).'
        : options.stack === 'k8s-ha'
          ? "--etcd: a k8s-ha deployment's etcd is its cluster's, whose snapshots this product does not keep. Drill its Rancher backup (without --etcd). Nothing was changed."
          : `${options.stack}: a drill restores rke-ha's or k8s-ha's Rancher backup into a throwaway rke-ha deployment (docs/drill.md).`,
    );
    return 2;
  }
  if (options.standby && options.etcd) {
    io.error(
      'DRILL_STANDBY_ETCD_REFUSED',
      "--standby with --etcd: the standby's copies of the etcd snapshots are encrypted under the standby region's key, which decrypts for S3's replication alone, not for you nor a throwaway's servers; and a failover restores Rancher's backup, which `--standby` drills. Drop --etcd (or drill production's own snapshots: --etcd without --standby). Nothing was changed.",
    );
    return 2;
  }
  if (options.dryRun) return stateDryRun(options);
  const plan = await planDrill(options, record);
  if (typeof plan === 'number') return plan;
  const drilled = startDrill(options, record, plan);
  return endDrill(drilled, await runDrillPhases(drilled));
}

/**
 * A throwaway an earlier drill left (not finished, or said finished while its state still holds resources: a record
 * written by hand) torn down first; `--teardown` ends there. The exit code when the drill ends here, else undefined.
 */
async function finishEarlierDrill(options: DrillRunOptions, record: StateFile<DrillRecord>): Promise<number | undefined> {
  const { io } = options;
  const previous = record.read();
  if (previous && (!previous.done || leftInState(previous.moduleDir, THROWAWAY_STACK) > 0)) {
    if (previous.keep && !options.teardownOnly) {
      io.error(
        'DRILL_KEPT_THROWAWAY_UP',
        `The throwaway deployment ${previous.name} of the drill started ${previous.startedAt} was kept (--keep) and is still up (${previous.moduleDir}). Tear it down first: npm run drill -- ${previous.stack} --teardown`,
      );
      return 2;
    }
    io.warn(
      'DRILL_EARLIER_THROWAWAY_LEFT',
      `An earlier drill left its throwaway deployment ${previous.name} (${previous.moduleDir}; started ${previous.startedAt}, stopped in its ${previous.phase} phase)${options.dryRun ? '; a run without --dry-run tears it down first.' : ': tearing it down first.'}`,
    );
    if (options.dryRun) return 0;
    const span = io.begin({ code: 'DRILL_EARLIER_TEARDOWN_STARTED', label: 'earlier throwaway', text: `tearing down ${previous.name}` });
    let code: number;
    try {
      code = await tearDownThrowaway(previous, options.teardown, io, options.aws);
    } catch (error) {
      span.stop();
      throw error;
    }
    if (code !== 0) {
      span.stop();
      return code;
    }
    span.end('DRILL_EARLIER_TORN_DOWN', `The earlier drill's throwaway ${previous.name} is torn down.`, { throwaway: previous.name });
    forgetThrowawayFiles(options.root);
    record.write({ ...previous, done: true });
    if (options.teardownOnly) return 0;
  } else if (options.teardownOnly) {
    io.result(
      'DRILL_NOTHING_LEFT',
      `No throwaway deployment of a drill is left (${record.path}${previous ? ': the last one was torn down' : ' does not exist'}).`,
    );
    return 0;
  }
  return undefined;
}

/** A dry run reads nothing but the settings file: no terraform, no AWS call, no credentials (anyone reads the plan first). */
function stateDryRun(options: DrillRunOptions): number {
  const { io } = options;
  let settings: Record<string, unknown>;
  try {
    settings = readProductionSettings(options.settingsPath);
  } catch (error) {
    io.error('DRILL_SETTINGS_UNREADABLE', `${(error as Error).message} Nothing was changed.`);
    return 2;
  }
  // What the real run refuses about the name, the dry run refuses too (production's name there from its state).
  const productionName = productionNameOf(settings);
  const nameRefused = throwawayNameProblem(options.name ?? defaultThrowawayName(productionName), productionName);
  if (nameRefused !== undefined) {
    io.error('DRILL_NAME_REFUSED', `${nameRefused} Nothing was changed.`);
    return 2;
  }
  const noStandby = options.standby ? standbySettingsProblem(settings, options.settingsPath) : undefined;
  if (noStandby !== undefined) {
    io.error(noStandby.code, `${noStandby.message} Nothing was changed.`);
    return 2;
  }
  // The plan is one message; its last line, that nothing was changed, the dry run's result.
  const plan = drillPlan({
    ...options,
    settings,
    etcd: options.etcd ?? false,
    keep: options.keep ?? false,
    standby: options.standby ? standbyRegionOf(settings) : undefined,
  });
  io.info('DRILL_PLAN', plan.slice(0, -1).join('\n'));
  io.result('DRILL_DRY_RUN', plan[plan.length - 1]);
  return 0;
}

/**
 * Production read, the file to restore chosen and the throwaway named, what the drill does stated; or the exit code
 * of a refusal (nothing changed).
 */
async function planDrill(options: DrillRunOptions, record: StateFile<DrillRecord>): Promise<DrillPlan | number> {
  const { io } = options;
  const settings = readProductionSettings(options.settingsPath);
  // --standby rehearses the failover: production as its facts in the standby region give it, never its state, whose
  // backend is in the region a failover is for (cli/shared/standby-facts.ts). Without standby.region, refused below.
  const standbyRegion = options.standby ? standbyRegionOf(settings) : undefined;
  const facts = standbyRegion
    ? await readStandbyFacts(
        new Aws(standbyRegion, options.aws?.(standbyRegion)),
        { name: productionNameOf(settings), stack: options.stack, productionDir: options.productionDir },
        { prefix: 'DRILL', lead: '--standby' },
      )
    : undefined;
  if (facts && 'refused' in facts) {
    io.error(facts.why, `${facts.refused} Nothing was changed.`);
    return facts.code;
  }
  const production = facts ? facts.production : await productionDeployment(options.productionDir, 'drill');
  const problem = settingsMismatch(settings, production, options.settingsPath);
  if (problem) {
    io.error('DRILL_SETTINGS_NOT_PRODUCTIONS', problem);
    return 2;
  }
  const name = options.name ?? defaultThrowawayName(production.name);
  const nameRefused = throwawayNameProblem(name, production.name);
  if (nameRefused !== undefined) {
    io.error('DRILL_NAME_REFUSED', `${nameRefused} Nothing was changed.`);
    return 2;
  }
  const noStandby = options.standby ? standbySettingsProblem(settings, options.settingsPath) : undefined;
  if (noStandby !== undefined) {
    io.error(noStandby.code, `${noStandby.message} Nothing was changed.`);
    return 2;
  }
  // With --standby every AWS call of the drill's own is in the standby region: production's region is not read.
  const region = options.standby ? standbyRegionOf(settings)! : production.region;
  const aws = new Aws(region, options.aws?.(region));
  const chosen = options.etcd
    ? await etcdSource(aws, production, settings, options.stack)
    : options.standby
      ? await standbySource(aws, production, settings, options.settingsPath, options.stack)
      : await backupSource(aws, production);
  if ('refused' in chosen) {
    io.error(chosen.why, `${chosen.refused} Nothing was changed.`);
    return chosen.code;
  }
  const { backup, file, snapshot, standby } = chosen;
  const outdir = join(options.root, 'cdktf.out');
  const moduleDir = join(outdir, 'stacks', THROWAWAY_STACK);
  const settingsFile = join(options.root, 'settings.json');
  // What the drill does, stated before it starts: one message.
  io.info(
    'DRILL_PLAN',
    [
      standby
        ? `Standby drill of ${production.name} (${options.stack}, ${production.region}, module ${production.dir}) in its standby region ${standby.region}:`
        : `Drill of ${production.name} (${options.stack}, ${production.region}, module ${production.dir}):`,
      `  ${snapshot ? 'etcd snapshot' : 'backup'}: s3://${backup.bucket}/${backup.key} (${backup.lastModified}, ${backup.bytes} bytes${standby ? `, ${standby.rpoMinutes} minutes old: the RPO` : ''}), the newest ${standby ? "in the standby's copy" : 'there'}; read only`,
      `  throwaway deployment: ${name}${standby ? ` in ${standby.region}` : ''}, its own network, a wildcard DNS name (no Route53 record), state and module in ${moduleDir}`,
      snapshot
        ? `  then: the snapshot copied into the throwaway's bucket and restored on its first server with production's token (its other servers stopped), production's backup writer taken out of it, /ping at production's hostname through the throwaway's load balancer, the Nodes and Rancher's objects counted, server-url, a report in ${options.root}`
        : `  then: /ping, the counts of clusters, users, projects and settings against the backup, server-url, a report in ${options.root}`,
      options.keep
        ? '  --keep: the throwaway stays up afterwards'
        : '  then the teardown of the throwaway (also when a step fails or the drill is interrupted)',
    ].join('\n'),
    { production: production.name, key: backup.key, throwaway: name, ...(standby ? { region: standby.region } : {}) },
  );

  // The folder of the last throwaway, torn down: its empty state and its teardown record would be taken for the new
  // one's (the teardown resumes from its record), so it goes; one whose state still holds resources stays.
  const left = leftInState(moduleDir, THROWAWAY_STACK);
  if (left > 0) {
    io.error(
      'DRILL_EARLIER_RESOURCES_LEFT',
      `${moduleDir} still holds ${left} resources of an earlier throwaway, and ${record.path} does not name it: tear it down with \`npm run teardown -- --dir ${moduleDir} --yes\` (TF_VAR_${RESTORE_VARIABLE} set to production's rancher_backup_encryption_config). Nothing was changed.`,
    );
    return 2;
  }
  return { production, settings, aws, backup, file, snapshot, standby, name, outdir, moduleDir, settingsFile };
}

/** The throwaway's folder and settings written, the drill's record and report begun. */
function startDrill(options: DrillRunOptions, record: StateFile<DrillRecord>, plan: DrillPlan): DrillRun {
  const { production, settings, backup, file, snapshot, standby, name, outdir, moduleDir, settingsFile } = plan;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(options.root, { recursive: true });
  const throwaway =
    file !== undefined
      ? throwawaySettings(settings, { name, file, bucket: backup.bucket, productionName: production.name, region: standby?.region })
      : etcdThrowawaySettings(settings, { name, productionName: production.name });
  writeFileSync(settingsFile, `${JSON.stringify(throwaway, null, 2)}\n`);
  let current: DrillRecord = {
    stack: options.stack,
    name,
    productionDir: production.dir,
    productionName: production.name,
    moduleDir,
    startedAt: new Date().toISOString(),
    phase: 'synth',
    applied: false,
    productionBuckets: [production.backupBucket, production.etcdSnapshotBucket, production.backupCopy?.bucket, production.backupCopy?.keyArn].filter(
      (b): b is string => b !== undefined,
    ),
    keep: options.keep ?? false,
    done: false,
  };
  record.write(current);
  const report: DrillReport = {
    version: 1,
    stack: options.stack,
    source: snapshot ? 'etcd-snapshot' : 'rancher-backup',
    production: { name: production.name, region: production.region, module: production.dir, url: production.url },
    backup,
    throwaway: { name, module: moduleDir, kept: options.keep ?? false },
    ...(standby ? { standby } : {}),
    startedAt: current.startedAt,
    phases: [],
    comparisons: [],
    notProven: snapshot ? ETCD_NOT_PROVEN : standby ? [...NOT_PROVEN, STANDBY_NOT_PROVEN] : NOT_PROVEN,
  };
  const update = (change: Partial<DrillRecord>) => {
    current = { ...current, ...change };
    record.write(current);
  };
  const phase = drillPhaseRunner({
    io: options.io,
    etcd: snapshot !== undefined,
    interrupted: options.interrupted,
    results: report.phases,
    enter: (name) => update({ phase: name }),
  });

  // The restore of an encrypted backup and the teardown's destroy both need production's configuration in the
  // variable (Terraform asks for a variable without a default in a destroy too): in this process's environment until
  // the drill ends (drill), so the teardown's terraform inherits it as the apply's does.
  if (file?.endsWith('.enc')) process.env[`TF_VAR_${RESTORE_VARIABLE}`] = production.backupEncryptionConfig;
  return {
    options,
    plan,
    report,
    get current() {
      return current;
    },
    throwaway,
    update,
    phase,
  };
}

/** The throwaway torn down (or kept), the phases not reached marked skipped, the report written; the exit code. */
async function endDrill(drilled: DrillRun, outcome: DrillOutcome): Promise<number> {
  const { options, report } = drilled;
  const { io } = options;
  const { name, moduleDir, snapshot } = drilled.plan;
  let tornDown = true;
  if (options.keep) {
    report.phases.push({ phase: 'teardown', status: 'skipped', detail: '--keep' });
    io.info(
      'DRILL_KEPT',
      `Kept: the throwaway deployment ${name} (${moduleDir}${report.throwaway.url ? `, ${report.throwaway.url}` : ''}).\nTear it down with: npm run drill -- ${options.stack} --teardown`,
      { throwaway: name },
    );
  } else {
    const started = Date.now();
    const span = beginPhase(io, 'teardown', snapshot !== undefined);
    let code: number;
    try {
      code = await tearDownThrowaway(drilled.current, options.teardown, io, options.aws);
    } catch (error) {
      span.stop();
      throw error;
    }
    tornDown = code === 0;
    const detail = tornDown ? undefined : `run npm run drill -- ${options.stack} --teardown to finish it`;
    report.phases.push({ phase: 'teardown', status: tornDown ? 'passed' : 'failed', seconds: Math.round((Date.now() - started) / 1000), detail });
    if (tornDown) span.end('DRILL_PHASE_PASSED', 'teardown: passed', { phase: 'teardown' });
    else {
      span.stop();
      io.error('DRILL_PHASE_FAILED', `teardown: ${detail}`);
    }
  }
  if (!options.keep && tornDown) forgetThrowawayFiles(options.root);
  const phases: readonly DrillPhase[] = snapshot ? ETCD_PHASES : DRILL_PHASES;
  for (const p of phases) if (!report.phases.some((r) => r.phase === p)) report.phases.splice(phases.indexOf(p), 0, { phase: p, status: 'skipped' });
  const seconds = (p: DrillPhase) => report.phases.find((r) => r.phase === p && r.status === 'passed')?.seconds;
  const upTo = phases.slice(0, phases.indexOf('ping') + 1).map(seconds);
  if (upTo.every((s) => s !== undefined)) report.recoveryMinutes = Math.ceil(upTo.reduce((a, b) => a + b, 0) / 60);
  report.finishedAt = new Date().toISOString();
  report.passed = outcome === 'passed' && tornDown;
  const reportFile = join(options.root, `report-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  drilled.update({ phase: 'teardown', done: !options.keep && tornDown, report: reportFile });
  // The report as one message, its last line (Result: PASSED or FAILED, and the file) the drill's result.
  const described = describeReport(report, reportFile);
  io.info('DRILL_REPORT', described.slice(0, -1).join('\n'));
  const exitCode = outcome === 'interrupted' ? 130 : report.passed ? 0 : 1;
  io.result('DRILL_RESULT', described[described.length - 1], { passed: report.passed, report: reportFile, exitCode });
  return exitCode;
}

/** The throwaway's kubeconfig and CA: of no use once it is gone. */
function forgetThrowawayFiles(root: string): void {
  for (const file of ['kubeconfig.yaml', 'rancher-ca.pem']) rmSync(join(root, file), { force: true });
}

/** What a drill restores: the file in production's bucket (or its standby's copy), and the backup's name or the snapshot. */
type Source =
  | { readonly backup: DrillReport['backup']; readonly file?: string; readonly snapshot?: EtcdSnapshot; readonly standby?: DrillReport['standby'] }
  | { readonly refused: string; readonly code: 1 | 2; /** The refusal's message code. */ readonly why: string };

/** Production's newest Rancher backup, which its state can decrypt. */
async function backupSource(aws: Aws, production: ProductionDeployment): Promise<Source> {
  if (!production.backupBucket)
    return {
      why: 'DRILL_NO_BACKUP_BUCKET',
      refused: `${production.name} has no backup bucket (no rancher_backup_bucket output): apply it with this version first.`,
      code: 2,
    };
  const backup = await newestBackup(aws, production.backupBucket);
  if (!backup)
    return {
      why: 'DRILL_NO_BACKUP',
      refused: `No backup in s3://${production.backupBucket}/${BACKUP_PREFIX}: nothing to restore (backups.enabled, and the first backup of the apply?).`,
      code: 1,
    };
  const file = backup.key.slice(BACKUP_PREFIX.length);
  const undecryptable = notDecryptable(file, production, 'DRILL');
  if (undecryptable) return undecryptable;
  const { key, lastModified, bytes } = backup;
  return { backup: { bucket: production.backupBucket, key, lastModified, bytes }, file };
}

/**
 * `--standby`: the newest backup in the standby's copy, no older than `backups.schedule` allows (the lookup a failover
 * makes too: cli/shared/standby.ts).
 */
function standbySource(
  aws: Aws,
  production: ProductionDeployment,
  settings: Record<string, unknown>,
  settingsPath: string,
  stack: string,
): Promise<Source> {
  return standbyBackup(aws, production, settings, settingsPath, DRILL_STANDBY, stack);
}

/**
 * Production's newest etcd snapshot (`--etcd`), read with the operator's credentials, and what its restore needs:
 * RKE2 (K3s keeps its state in RDS), production's token in its state, and TLS at the cluster's ingress (the ping
 * reaches the restored ingress through the throwaway's NLB; with TLS at production's ALB it would answer plain HTTP).
 */
async function etcdSource(aws: Aws, production: ProductionDeployment, settings: Record<string, unknown>, stack: string): Promise<Source> {
  if (production.distribution === 'k3s' || !production.etcdSnapshotBucket)
    return {
      why: 'DRILL_NO_SNAPSHOT_BUCKET',
      refused: `--etcd: ${production.name} has no etcd snapshot bucket (no etcd_snapshot_bucket output): K3s keeps its state in RDS, whose snapshots the drill does not restore.`,
      code: 2,
    };
  if (!production.joinToken)
    return {
      why: 'DRILL_NO_JOIN_TOKEN',
      refused: `--etcd: production's state has no join_token output: a restored snapshot cannot be read without the cluster token.`,
      code: 2,
    };
  const tls = (settings.rancher as { tls?: { mode?: unknown } } | undefined)?.tls?.mode;
  if (tls === 'external')
    return {
      why: 'DRILL_TLS_AT_LOAD_BALANCER',
      refused: `--etcd: production terminates TLS at its load balancer (rancher.tls.mode external): its restored ingress answers plain HTTP, which the throwaway's TCP load balancer would serve on 443. Drill its Rancher backup instead (without --etcd).`,
      code: 2,
    };
  const folder = snapshotFolder(stack);
  const snapshot = await newestSnapshot(aws, production.etcdSnapshotBucket, folder);
  if (!snapshot)
    return {
      why: 'DRILL_NO_SNAPSHOT',
      refused: `No etcd snapshot in s3://${production.etcdSnapshotBucket}/${folder}/: nothing to restore.`,
      code: 1,
    };
  const unreadable = await snapshotUnreadable(aws, production.etcdSnapshotBucket, snapshot.key);
  if (unreadable)
    return {
      why: 'DRILL_SNAPSHOT_UNREADABLE',
      refused: `--etcd: s3://${production.etcdSnapshotBucket}/${snapshot.key} cannot be read with your credentials (${unreadable}). The snapshot bucket's key decrypts only for the identities that deploy production (the one that applied it last, and deployer_arns): run the drill as one of them.`,
      code: 2,
    };
  const { key, lastModified, bytes } = snapshot;
  return { backup: { bucket: production.etcdSnapshotBucket, key, lastModified, bytes }, snapshot };
}

/** Production's name as its settings file gives it (the `name` setting's default when it gives none). */
const productionNameOf = (settings: Record<string, unknown>): string => (typeof settings.name === 'string' ? settings.name : 'rancher');

/** The settings file is production's: same name and region as its state records (otherwise the throwaway would not be its copy). */
function settingsMismatch(settings: Record<string, unknown>, production: ProductionDeployment, path: string): string | undefined {
  const name = productionNameOf(settings);
  const region = typeof settings.region === 'string' ? settings.region : 'us-east-1';
  if (name === production.name && region === production.region) return undefined;
  return `The settings file ${path} (name ${name}, region ${region}) is not the one ${production.dir} was applied from (name ${production.name}, region ${production.region}): set RANCHER_CONFIG to production's settings file. Nothing was changed.`;
}

/**
 * Tears a throwaway deployment down with the teardown command's steps (no confirmation, its own buckets deleted),
 * after checking that its state holds none of production's stores. Returns the exit code.
 */
async function tearDownThrowaway(drilled: DrillRecord, teardown: TeardownEntry, io: IoHost, aws: ClientsOfRegion | undefined): Promise<number> {
  if (drilled.tokenParameter) {
    // A drill stopped mid-restore (killed) leaves production's token there: it goes first.
    try {
      const production = await productionDeployment(drilled.productionDir, 'drill');
      await deleteTokenParameter(new Aws(production.region, aws?.(production.region)), drilled.tokenParameter);
    } catch (error) {
      io.error(
        'DRILL_TOKEN_PARAMETER_NOT_DELETED',
        `The parameter ${drilled.tokenParameter} (production's cluster token) could not be deleted: ${(error as Error).message}. Delete it by hand.`,
      );
      return 1;
    }
  }
  if (!drilled.applied || !existsSync(join(drilled.moduleDir, 'cdk.tf.json'))) {
    io.info('DRILL_NOTHING_CREATED', `Nothing of ${drilled.name} was created (the drill stopped before its apply).`);
    return 0;
  }
  if (!process.env[`TF_VAR_${RESTORE_VARIABLE}`]) {
    try {
      const production = await productionDeployment(drilled.productionDir, 'drill');
      if (production.backupEncryptionConfig) process.env[`TF_VAR_${RESTORE_VARIABLE}`] = production.backupEncryptionConfig;
    } catch (error) {
      io.warn(
        'DRILL_PRODUCTION_UNREADABLE',
        `Production's state could not be read (${(error as Error).message}); the destroy may ask for ${RESTORE_VARIABLE}.`,
      );
    }
  }
  // A folder whose `terraform init` never finished cannot even be read: init it first (the state is a local file there).
  if (!existsSync(join(drilled.moduleDir, '.terraform'))) {
    // Synchronous as before (a signal waits for it); its output through the host once it ends, so that it stays above a
    // terminal's status line and off standard output with --json.
    const init = run(terraformBinary(), ['init', '-input=false'], { cwd: drilled.moduleDir, timeoutMs: 900_000 });
    const shown = io.lines('DRILL_TERRAFORM_OUTPUT');
    for (const line of `${init.stdout}${init.stderr}`.split('\n')) if (line.trim() !== '') shown(line);
    if (init.code !== 0) {
      io.error(
        'DRILL_TERRAFORM_INIT_FAILED',
        `terraform init failed in ${drilled.moduleDir} (exit ${init.code}): the throwaway ${drilled.name} was not torn down. Fix it, then run the drill with --teardown.`,
      );
      return 1;
    }
  }
  const state = await new Terraform(drilled.moduleDir).pull();
  const productionStores = new Set(drilled.productionBuckets);
  const shared = storesOf(state, readDeploymentRecord(state)).stores.filter(
    (s) => productionStores.has(s.id) || (s.arn !== undefined && productionStores.has(s.arn)),
  );
  if (shared.length > 0) {
    io.error(
      'DRILL_PRODUCTION_STORE_IN_THROWAWAY',
      `The throwaway's state holds production's ${shared.map((s) => s.id).join(', ')}: it is not torn down (its teardown would delete them). Look at ${drilled.moduleDir} by hand.`,
    );
    return 1;
  }
  // The teardown tells through the drill's host: its messages keep their codes, its steps and stores are spans
  // within the drill's teardown phase, and terraform's destroy reaches the host a line at a time.
  return teardown({
    dir: drilled.moduleDir,
    label: `the drill's throwaway ${drilled.name}`,
    keepSnapshots: false,
    yes: true,
    io,
    ...(aws ? { aws } : {}),
  });
}
