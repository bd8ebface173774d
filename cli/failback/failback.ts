import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA_RECORD_FOLDER } from '../../lib/rancher/ca-record';
import { Aws } from '../shared/aws';
import type { ClientsOfRegion } from '../shared/aws/clients';
import { backupHoldsMember, caMemberOf, recordedCas } from '../shared/backup-ca';
import type { TeardownEntry } from '../shared/command-entries';
import type { IoHost } from '../shared/io/io-host';
import { managed } from '../shared/module-folder';
import { phaseStarted, spannedPhaseRunner } from '../shared/phase-spans';
import { Interrupted } from '../shared/poll';
import { runAsync } from '../shared/process';
import { productionDeployment, type ProductionDeployment } from '../shared/production';
import { answersPong, checkServedCa, trustOf } from '../shared/served-ca';
import { readProductionSettings } from '../shared/settings-file';
import { ageMinutes, allowedAgeMinutes, BACKUP_PREFIX, newestBackup, standbyRegionOf } from '../shared/standby';
import { FAILOVER_RECORD, type FailoverOutcome, RESTORE_VARIABLE, retireFailoverRecord } from '../shared/failover-record';
import { failedOverMetric, globalMoveWarning, moveByMetric, SYNC_MINUTES } from '../shared/dns-move';
import { StateFile } from '../shared/state-file';
import { withEnvironment } from '../shared/scoped-environment';
import { stringAttribute, Terraform, terraformBinary, type ModuleState } from '../shared/terraform';
import { type PhaseRun, readModuleJson, StepFailed, synthesize, type TimedPhase } from '../shared/throwaway';
import {
  aliasZoneLike,
  describeRecordSet,
  ingressTargetOfState,
  recordMove,
  recordSetFor,
  type RecordSet,
  type RecordTarget,
} from '../shared/hostname-record';
import { readableError } from '../shared/tool-output';
import { RANCHER_DEPLOYMENT, scaleByHand, standbyKubeconfig } from '../shared/standby-rancher';
import { kubeApiOn } from '../shared/kube-api-for';
import { failbackSettings, heldOut, hostnameRecords, planProblems, type HeldRecord, type PlannedChange } from './failback-settings';
import { quiesceBackupName, quiesceStandby, stoppedStandby, type QuiesceRecord } from './quiesce';
import { fenceParameterName, lowerFence } from '../shared/fence';

/** The longest production's `terraform apply` (each of the failback's two) may take before the failback gives up (a rerun continues it). */
const FAILBACK_APPLY_TIMEOUT_MS = 10_800_000;

// `npm run failback -- rke-ha` (docs/failover.md, "Failback"): after a failover, production applied again in its own
// region restoring the standby's newest backup, checked at its load balancer, then the hostname's records moved back
// to it and handed back to production's state, then the standby deployment torn down (its backups kept). Decided and
// stated first (nothing changed until the typed confirmation), then phases; a rerun continues from the record
// (`failback.out/failback.json`).

/** The SDK's side, loaded once the failback reaches AWS through it (a dry run never needs it). */
const sdkSide = () => import('../shared/aws/sdk-side');

/** The failback's phases, in order. */
export const FAILBACK_PHASES = ['quiesce', 'copy', 'synth', 'apply', 'check', 'move', 'ping', 'adopt', 'teardown'] as const;
export type FailbackPhase = (typeof FAILBACK_PHASES)[number];

export interface FailbackOptions {
  readonly stack: string;
  /** Production's module folder: its state is applied (through the failback's own module) and the records imported back. */
  readonly productionDir: string;
  readonly settingsPath: string;
  /** The failover's folder: its record and the standby's module and state (read). */
  readonly failoverRoot: string;
  /** The failback's folder: its record, production's settings as applied, its module, the report. */
  readonly root: string;
  readonly synthScript: string;
  readonly dryRun?: boolean;
  /** No typed confirmation (pipelines). @default false */
  readonly yes?: boolean;
  /** Leave the standby deployment up (`--keep-standby`): the failback ends without its teardown. @default false */
  readonly keepStandby?: boolean;
  /**
   * Stop the standby's Rancher and restore a Backup taken then (quiesce.ts, RPO 0); false (`--no-quiesce`): restore
   * the standby's newest scheduled backup, its Rancher running until the end (a standby cluster this command cannot
   * reach). @default true
   */
  readonly quiesce?: boolean;
  /** The teardown command, which takes the standby down once production serves (cli/main.ts gives it). */
  readonly teardown: TeardownEntry;
  readonly ask?: (question: string) => Promise<string | undefined> | string | undefined;
  /** Budget for each /ping. @default 15 */
  readonly pingMinutes?: number;
  /** Budget for Route 53 to report the change INSYNC. @default 10 */
  readonly syncMinutes?: number;
  readonly applyTimeoutMs?: number;
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
  readonly io: IoHost;
  /** AWS SDK clients by region (tests: the fake AWS). @default the SDK's, from the environment */
  readonly clients?: ClientsOfRegion;
}

/** What a failback keeps between runs (`<root>/failback.json`): a rerun continues with the same backup and records. */
export interface FailbackRecord {
  readonly startedAt: string;
  /** The start of the failover this failback returns from (its record's `startedAt`), whose record it retires once done. */
  readonly failover?: string;
  /** The backup restored: chosen at the start (`--no-quiesce`), or the quiesce's (absent until it is taken). */
  readonly backup?: { readonly bucket: string; readonly key: string; readonly lastModified: string };
  readonly file?: string;
  readonly rpoMinutes?: number;
  /** The standby stopped and backed up first (quiesce.ts); absent with `--no-quiesce`. */
  readonly quiesce?: QuiesceRecord;
  /** The CA agents trust, as the standby's backups record it. */
  readonly expectedCa: string;
  /** The hostname's records production's state held before the apply (which forgets them). */
  readonly held: readonly HeldRecord[];
  /** k8s-ha: the record set the failover wrote, which the move back replaces. */
  readonly written?: RecordSet;
  readonly phase: FailbackPhase;
  readonly moved: boolean;
  /**
   * The standby deployment after the failback: torn down (its teardown ended with exit 0; a rerun never starts it
   * again), or kept (`--keep-standby`). Absent until then.
   */
  readonly standby?: 'torn down' | 'kept';
  readonly done?: boolean;
}

/** The report (`<root>/report-<time>.json`, and in --json's messages). */
export interface FailbackReport {
  readonly version: 1;
  readonly production: { readonly name: string; readonly region: string; readonly module: string; readonly url?: string; loadBalancer?: string };
  readonly standby: {
    readonly name: string;
    readonly region: string;
    readonly module: string;
    /** k8s-ha: this run scaled the standby's Rancher to zero replicas on its cluster (the closing warning says so). */
    scaledToZero?: boolean;
  };
  backup?: FailbackRecord['backup'];
  /** The backup's age when the failback began: the standby's data lost (0: taken once the standby stopped writing). */
  rpoMinutes?: number;
  /** Seconds from the failback's first start to Rancher answering pong on the hostname from the primary. */
  rtoSeconds?: number;
  readonly ca: { expected: string; served?: string };
  records: string[];
  readonly phases: TimedPhase<FailbackPhase>[];
  passed?: boolean;
}

/** What the gate found: production, the standby, the backup, the CA, the clients; or an exit code. */
interface Planned {
  readonly production: ProductionDeployment;
  readonly standby: FailoverOutcome;
  readonly standbyConfig: string | undefined;
  readonly record: FailbackRecord;
  readonly clients: { of: ClientsOfRegion; destroy(): void };
}

export async function failback(options: FailbackOptions): Promise<number> {
  const { io } = options;
  if (options.stack !== 'rke-ha' && options.stack !== 'k8s-ha') {
    io.error(
      'FAILBACK_STACK_NOT_RKE_HA',
      `A failback returns rke-ha or k8s-ha from its standby region; ${options.stack} keeps no standby (docs/standby.md). Nothing was changed.`,
    );
    return 2;
  }
  let settings: Record<string, unknown>;
  try {
    settings = readProductionSettings(options.settingsPath);
  } catch (error) {
    io.error('FAILBACK_SETTINGS_UNREADABLE', `${(error as Error).message} Nothing was changed.`);
    return 2;
  }
  const region = standbyRegionOf(settings);
  if (!region) {
    io.error(
      'FAILBACK_NO_STANDBY',
      `${options.settingsPath} sets no standby.region: there is no standby to fail back from. Set RANCHER_CONFIG to the settings file the failover ran with. Nothing was changed.`,
    );
    return 2;
  }
  const failoverModule = join(options.failoverRoot, 'cdktf.out', 'stacks', options.stack);
  const moduleDir = join(options.root, 'cdktf.out', 'stacks', options.stack);
  if (options.dryRun) {
    io.info(
      'FAILBACK_PLAN',
      [
        `Failback of ${String(settings.name ?? 'rancher')} (${options.stack}, module ${options.productionDir}) from its standby in ${region}:`,
        `  refused unless ${join(options.failoverRoot, FAILOVER_RECORD)} records a failover done, production's state is readable, its region's EC2 answers${options.quiesce === false ? ", and the standby's newest backup is fresh enough for backups.schedule and carries the CA the agents need" : ''}`,
        options.quiesce === false
          ? "  the standby's Rancher left running until the end (--no-quiesce): what it writes after its newest backup is lost (the RPO)"
          : '  first the standby stops writing: its Rancher (cattle-system/rancher) scaled to 0 on its cluster, a planned outage until production answers; then a one-time Backup taken there, which must carry the CA the agents need: the backup restored, nothing lost (RPO 0)',
        `  that backup copied into production's own backup bucket; production applied to its own state from ${moduleDir}, restoring it, the hostname's records held out of the apply (forgotten, never deleted nor moved; the plan is refused if it deletes anything)`,
        `  then: the CA the primary serves checked against the standby's record at its load balancer; the name moved back (failover routing: its alarm's metric set back to 0 in the standby region, until the alarm is OK; records applied before it: Route 53 UPSERT, until INSYNC); /ping on the hostname; the records imported back into production's state; RTO and RPO reported`,
        options.keepStandby
          ? `  the standby deployment (${failoverModule}) left up (--keep-standby), named with the way to remove it`
          : options.stack === 'k8s-ha'
            ? `  last, once the records are moved and /ping answers from the primary: the standby's Rancher stopped on your cluster there (Deployment cattle-system/rancher scaled to 0, with the kubeconfig and context its settings name) and left installed (the teardown command does not remove a k8s-ha deployment), named with the way to remove it (--keep-standby leaves it running)`
            : `  last, once the records are moved and /ping answers from the primary: teardown of the standby deployment (${failoverModule}) as \`npm run teardown -- --dir ${failoverModule} --keep-snapshots --yes\` does it: its backup bucket and key kept, guarded (--keep-standby leaves it up)`,
      ].join('\n'),
      { region, standbyModule: failoverModule },
    );
    io.result('FAILBACK_DRY_RUN', 'Dry run: nothing was read but the settings file, and nothing was changed.', { exitCode: 0 });
    return 0;
  }
  const file = new StateFile<FailbackRecord>(join(options.root, 'failback.json'));
  const failoverRecord = () => new StateFile<FailoverOutcome>(join(options.failoverRoot, FAILOVER_RECORD)).read();
  // The failover a failback returns from: the one it names, or (a record written before it named one) the one that
  // began before it.
  const retire = (record: FailbackRecord) => {
    const from = record.failover ?? failoverRecord()?.startedAt;
    if (from !== undefined && Date.parse(from) <= Date.parse(record.startedAt)) retireFailoverRecord(options.failoverRoot, from, failoverRecord);
  };
  let earlier = file.read();
  // A failover begun after this failback was: a new cycle. The finished failback's record is kept under its start,
  // and this failback starts anew (failover -> failback -> failover -> failback).
  const newer = earlier?.done ? failoverRecord() : undefined;
  if (earlier?.done && newer && Date.parse(newer.startedAt) > Date.parse(earlier.startedAt)) {
    renameSync(file.path, join(options.root, `failback-${earlier.startedAt.replace(/[:.]/g, '-')}.json`));
    earlier = undefined;
  }
  // --no-quiesce after a quiesce that took no backup (a standby cluster it could not reach): planned anew, from the
  // standby's newest scheduled backup.
  if (options.quiesce === false && earlier?.quiesce && !earlier.backup && !earlier.moved) earlier = undefined;
  if (earlier?.done) {
    // Killed between its end and the failover record's retirement: retired now.
    retire(earlier);
    const standby =
      earlier.standby === 'torn down'
        ? ' the standby deployment is torn down, its backups kept.'
        : options.stack === 'k8s-ha'
          ? ` the standby deployment was left on your cluster (${failoverModule}), its Rancher stopped unless that run had --keep-standby: destroy it there as docs/k8s-ha.md says.`
          : ` the standby deployment was left up (${failoverModule}): remove it with \`npm run teardown -- --dir ${failoverModule} --keep-snapshots\`.`;
    io.result(
      'FAILBACK_ALREADY_DONE',
      `The failback of ${earlier.startedAt} is done: the hostname leads to the primary;${standby} Nothing was changed.`,
      {
        exitCode: 0,
        standby: earlier.standby ?? 'left up',
      },
    );
    return 0;
  }
  const planned = await planFailback(options, settings, { region, earlier, failoverModule });
  if (typeof planned === 'number') return planned;
  const { production, standby, clients } = planned;
  let current = planned.record;
  mkdirSync(options.root, { recursive: true });
  file.write(current);
  const report: FailbackReport = {
    version: 1,
    production: { name: production.name, region: production.region, module: production.dir, ...(production.url ? { url: production.url } : {}) },
    standby: { name: standby.name, region: standby.region, module: failoverModule },
    backup: current.backup,
    rpoMinutes: current.rpoMinutes,
    ca: { expected: current.expectedCa },
    records: [],
    phases: [],
  };
  const phase = spannedPhaseRunner<FailbackPhase>({
    io,
    prefix: 'FAILBACK',
    begin: phaseStarted(io, 'FAILBACK', FAILBACK_PHASES),
    interrupted: options.interrupted,
    results: report.phases,
    enter: (p) => file.write((current = { ...current, phase: p })),
  });
  let outcome: 'passed' | 'failed' | 'interrupted' = 'passed';
  try {
    await runPhases({
      options,
      settings,
      production,
      report,
      phase,
      moduleDir,
      clients,
      record: () => current,
      standbyConfig: planned.standbyConfig,
      setMoved: () => file.write((current = { ...current, moved: true })),
      setStandby: (standby) => file.write((current = { ...current, standby })),
      update: (change) => file.write((current = { ...current, ...change })),
    });
  } catch (error) {
    outcome = error instanceof Interrupted || options.interrupted() ? 'interrupted' : 'failed';
    if (!(error instanceof StepFailed) && !(error instanceof Interrupted)) io.error('FAILBACK_FAILED', (error as Error).message);
  } finally {
    clients.destroy();
  }
  report.passed = outcome === 'passed';
  if (report.passed) {
    file.write((current = { ...current, done: true }));
    // The failover's record retired (kept beside it under its start): the next failover is a new one, not "done".
    retire(current);
  }
  const now = new Date().toISOString();
  const reportFile = join(options.root, `report-${now.replace(/[:.]/g, '-')}.json`);
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  describe(io, report, current.standby, options.stack);
  const exitCode = outcome === 'interrupted' ? 130 : report.passed ? 0 : 1;
  io.result(
    'FAILBACK_RESULT',
    report.passed
      ? `PASSED: ${report.production.url} answers from ${production.region} again${current.standby === 'torn down' ? `; the standby ${standby.name} is torn down, its backups kept` : ''}. RTO ${report.rtoSeconds} s, RPO ${report.rpoMinutes} min. Report: ${reportFile}`
      : `${outcome === 'interrupted' ? 'INTERRUPTED' : 'FAILED'}${current.moved ? '' : ': the hostname still leads to the standby'}; run the failback again to continue.${stoppedStandby(current)} Report: ${reportFile}`,
    { passed: report.passed, report: reportFile, exitCode, rtoSeconds: report.rtoSeconds, rpoMinutes: report.rpoMinutes, moved: current.moved },
  );
  return exitCode;
}

/** The gate (the failover done, production readable, its region answering), the standby's backup chosen and checked, stated and confirmed. */
async function planFailback(
  options: FailbackOptions,
  settings: Record<string, unknown>,
  o: { region: string; earlier: FailbackRecord | undefined; failoverModule: string },
): Promise<Planned | number> {
  const { io } = options;
  const standby = new StateFile<FailoverOutcome>(join(options.failoverRoot, FAILOVER_RECORD)).read();
  if (!standby?.moved || !standby.done || standby.region !== o.region) {
    io.error(
      'FAILBACK_NOT_FAILED_OVER',
      `${join(options.failoverRoot, FAILOVER_RECORD)} ${standby ? `records a failover to ${standby.region} that is not done (run the failover again to finish it)` : 'does not exist'}: a failback returns from a failover that moved the hostname to the standby. Run it in the folder the failover ran in. Nothing was changed.`,
    );
    return 2;
  }
  let production: ProductionDeployment;
  try {
    production = await productionDeployment(options.productionDir, 'failback');
  } catch (error) {
    io.error('FAILBACK_PRODUCTION_UNREADABLE', `Production's state: ${(error as Error).message} Nothing was changed.`);
    return 2;
  }
  if (!production.backupBucket) {
    io.error(
      'FAILBACK_NO_BACKUP_BUCKET',
      `${production.dir} has no rancher_backup_bucket output: production restores the standby's backup from its own backup bucket (backups.enabled). Nothing was changed.`,
    );
    return 2;
  }
  if (!production.url) {
    io.error('FAILBACK_NO_URL', `${production.dir} has no rancher_url output: nothing names the hostname to move back. Nothing was changed.`);
    return 2;
  }
  const clients = options.clients ? { of: options.clients, destroy: () => undefined } : (await sdkSide()).clientsByRegion();
  const refuse = (code: string, text: string, exitCode: 1 | 2): number => {
    clients.destroy();
    io.error(code, `${text} Nothing was changed.`);
    return exitCode;
  };
  const primary = await (await sdkSide()).regionAnswers(clients.of(production.region)).catch((error: unknown) => {
    clients.destroy();
    throw error;
  });
  if (!primary.answers)
    return refuse(
      'FAILBACK_PRIMARY_REGION_DOWN',
      `EC2 in ${production.region}, production's region, did not answer (${readableError(primary.error, 300)}): production is applied there next. Fail back once the region is healthy (the AWS Health Dashboard).`,
      1,
    );
  // Once the records moved back, the standby's state is no longer read: its backup is chosen (the record), its
  // configuration only restores it before the move, and its teardown may have taken its outputs already.
  let standbyState: ModuleState = { outputs: {}, resources: [] };
  if (!o.earlier?.moved)
    try {
      standbyState = await new Terraform(o.failoverModule).pull();
    } catch (error) {
      return refuse('FAILBACK_STANDBY_UNREADABLE', `The standby's state: ${(error as Error).message}`, 2);
    }
  const output = (key: string) => stringAttribute(standbyState.outputs[key]?.value);
  const bucket = o.earlier?.moved ? o.earlier.backup!.bucket : output('rancher_backup_bucket');
  if (!bucket)
    return refuse(
      'FAILBACK_STANDBY_NO_BACKUPS',
      `The standby's state (${o.failoverModule}) has no rancher_backup_bucket output: it keeps no backups to fail back from.`,
      2,
    );
  // The standby's bucket listed through the failback's clients where it is given them (a library user's, the tests').
  const aws = new Aws(o.region, options.clients?.(o.region));
  let record: FailbackRecord;
  if (o.earlier) record = o.earlier;
  else {
    // By default the backup is the one the standby takes once its Rancher stopped (the quiesce phase, quiesce.ts):
    // none is chosen here. With --no-quiesce, its newest scheduled one, held to the schedule's age (its Rancher writes
    // on, so a backup older than that is the sign of backups that stopped).
    let chosen: { readonly key: string; readonly lastModified: string; readonly fileName: string; readonly age: number } | undefined;
    if (options.quiesce === false) {
      const newest = await newestBackup(aws, bucket);
      const allowed = allowedAgeMinutes(settings);
      if (!newest)
        return refuse(
          'FAILBACK_NO_STANDBY_BACKUP',
          `No backup in s3://${bucket}/${BACKUP_PREFIX}, the standby's own: its next one (backups.schedule "${allowed.schedule}") is the first there. Wait for it.`,
          1,
        );
      const age = ageMinutes(newest.lastModified, Date.now());
      if (age > allowed.minutes)
        return refuse(
          'FAILBACK_STANDBY_BACKUP_STALE',
          `The standby's newest backup s3://${bucket}/${newest.key} (${newest.lastModified}) is ${age} minutes old: a failback now would lose that much (the RPO), more than backups.schedule "${allowed.schedule}" allows (${allowed.minutes} minutes: its longest gap and 15). The standby's backups stopped (backups.enabled, the rancher-backup operator in ${o.region}): fix that, then fail back.`,
          1,
        );
      const fileName = newest.key.slice(BACKUP_PREFIX.length);
      if (fileName.endsWith('.enc') && !output('rancher_backup_encryption_config'))
        return refuse(
          'FAILBACK_BACKUP_NOT_DECRYPTABLE',
          `${fileName} is encrypted, and the standby's state has no rancher_backup_encryption_config output to decrypt it with.`,
          2,
        );
      chosen = { key: newest.key, lastModified: newest.lastModified, fileName, age };
    }
    const cas = await recordedCas(aws, bucket);
    if (cas.length !== 1)
      return refuse(
        'FAILBACK_CA_NOT_RECORDED',
        `s3://${bucket}/${CA_RECORD_FOLDER} holds ${cas.length} records of the CA agents trust: the failback checks the primary against exactly one.`,
        1,
      );
    const member = caMemberOf(settings);
    if (chosen && member && !(await backupHoldsMember(aws, { bucket, key: chosen.key }, member.file, options.root)))
      return refuse(
        'FAILBACK_BACKUP_WITHOUT_CA',
        `s3://${bucket}/${chosen.key} holds no ${member.file} (${member.what}): restored from it, the primary would serve another CA and every downstream agent would refuse it. Check the standby's backups (the rancher-resource-set-full ResourceSet), then fail back from one that has it.`,
        1,
      );
    const host = new URL(production.url).host;
    const held = hostnameRecords(await new Terraform(production.dir).pull(), host, options.stack);
    if (held.length === 0)
      return refuse(
        'FAILBACK_NO_RECORD',
        `Production's state holds no ${options.stack === 'k8s-ha' ? 'A or CNAME' : 'A or AAAA'} record of ${host}: nothing to move back (DNS round robin is not failed back).`,
        2,
      );
    // k8s-ha: the record the failover wrote (perhaps of another type than production's), which the move deletes.
    if (options.stack === 'k8s-ha' && !standby.written)
      return refuse(
        'FAILBACK_NO_RECORD',
        `${join(options.failoverRoot, FAILOVER_RECORD)} does not name the record set the failover wrote for ${host}: the move back could not replace it. Point the record at production by hand (docs/failover.md).`,
        2,
      );
    const startedAt = new Date().toISOString();
    record = {
      startedAt,
      failover: standby.startedAt,
      ...(chosen
        ? { backup: { bucket, key: chosen.key, lastModified: chosen.lastModified }, file: chosen.fileName, rpoMinutes: chosen.age }
        : { quiesce: { backupName: quiesceBackupName(startedAt), bucket } }),
      expectedCa: cas[0],
      held,
      ...(standby.written ? { written: standby.written } : {}),
      phase: chosen ? 'copy' : 'quiesce',
      moved: false,
    };
  }
  const host = new URL(production.url).host;
  io.info(
    'FAILBACK_PLAN',
    [
      `Failback of ${production.name} (${options.stack}) from ${standby.name} in ${o.region} to ${production.region} (module ${production.dir}):`,
      record.backup
        ? `  backup: s3://${record.backup.bucket}/${record.backup.key} (${record.backup.lastModified}), ${record.rpoMinutes} minutes old: the data lost (RPO)`
        : `  first the standby stops writing: its Rancher (cattle-system/rancher) scaled to 0 on its cluster, nothing serves until production answers (a planned outage); then a one-time Backup ${record.quiesce!.backupName} there, the backup restored: nothing lost (RPO 0)`,
      `  copied into production's bucket, then production applied to its own state, restoring it; ${record.held.map((h) => h.address).join(', ')} held out of the apply (forgotten, not deleted)`,
      `  the CA agents trust: ${record.expectedCa}`,
      `  then: ${host}'s records moved back to production's load balancer once it serves that CA, and imported back into its state`,
      options.keepStandby
        ? `  the standby deployment ${standby.name} (${o.failoverModule}) left up (--keep-standby)`
        : options.stack === 'k8s-ha'
          ? `  last, once /ping answers from the primary: the standby ${standby.name}'s Rancher stopped on your cluster (cattle-system/rancher scaled to 0), left installed`
          : `  last, once /ping answers from the primary: the standby deployment ${standby.name} (${o.failoverModule}) torn down as \`npm run teardown -- --keep-snapshots\` does it, its backup bucket and key kept`,
    ].join('\n'),
    { backup: record.backup?.key ?? record.quiesce?.backupName, rpoMinutes: record.rpoMinutes ?? 0, region: production.region },
  );
  if (!options.yes) {
    const answer = await options.ask?.(`Type the hostname (${host}) to fail it back to ${production.region}: `);
    if (answer === undefined)
      return refuse('FAILBACK_NO_TERMINAL', 'No terminal to confirm on: pass --yes to fail back without the typed confirmation.', 2);
    if (answer.trim() !== host) return refuse('FAILBACK_WRONG_NAME', `'${answer.trim()}' is not '${host}':`, 1);
  }
  return { production, standby, standbyConfig: output('rancher_backup_encryption_config'), record, clients };
}

interface Run {
  readonly options: FailbackOptions;
  readonly settings: Record<string, unknown>;
  readonly production: ProductionDeployment;
  readonly report: FailbackReport;
  readonly phase: PhaseRun<FailbackPhase>;
  readonly moduleDir: string;
  readonly clients: { of: ClientsOfRegion };
  readonly record: () => FailbackRecord;
  readonly standbyConfig: string | undefined;
  readonly setMoved: () => void;
  readonly setStandby: (standby: 'torn down' | 'kept') => void;
  readonly update: (change: Partial<FailbackRecord>) => void;
}

async function runPhases(r: Run): Promise<void> {
  const { options, production, report } = r;
  const url = production.url!;
  const caFile = join(options.root, 'served-ca.pem');
  if (!r.record().moved) await beforeTheMove(r, caFile);
  await r.phase('ping', async () => {
    await answersPong(options, trustOf(caFile), url, `${url}/ping`);
    report.rtoSeconds = Math.round((Date.now() - Date.parse(r.record().startedAt)) / 1000);
  });
  await r.phase('adopt', () => adopt(r));
  if (options.keepStandby) {
    report.phases.push({ phase: 'teardown', status: 'skipped', detail: '--keep-standby' });
    r.setStandby('kept');
  } else if (options.stack === 'k8s-ha') {
    // k8s-ha's standby is Rancher on a cluster of the person's, which the teardown command refuses (it would leave
    // the cluster and remove nothing of its own): it stays installed, stopped, and the report names how to remove it.
    await r.phase('teardown', async (phase) => phase.detail(await stopStandbyRancher(r)));
    r.setStandby('kept');
  } else if (r.record().standby === 'torn down') report.phases.push({ phase: 'teardown', status: 'skipped', detail: 'torn down by an earlier run' });
  else await r.phase('teardown', () => tearDownStandby(r));
}

/**
 * k8s-ha: the standby's Rancher scaled to zero on its cluster (standby-rancher.ts), once production answered on the
 * hostname in this run, with the kubeconfig and context the standby's apply used. A Deployment already gone counts as
 * stopped. A cluster that does not answer fails the phase, production serving: the message names the command that
 * stops it by hand, and a rerun tries again. With `access.variables` there is no kubeconfig to read: a warning names
 * that command, for the person.
 */
async function stopStandbyRancher(r: Run): Promise<string> {
  const { options, report } = r;
  if (!r.record().moved || report.rtoSeconds === undefined)
    throw new StepFailed(
      `Rancher of the standby ${report.standby.name} is not stopped: production has not answered /ping on the hostname in this run`,
    );
  const settings = JSON.parse(readFileSync(join(options.failoverRoot, 'settings.json'), 'utf8')) as Record<string, unknown>;
  const access = standbyKubeconfig(settings, report.standby.module);
  const { namespace, name } = RANCHER_DEPLOYMENT;
  const stillRuns = (why: string) =>
    `Rancher of the standby ${report.standby.name} still runs on its cluster: ${why}. Production serves; stop the standby's before it acts for the downstream clusters beside production's:`;
  if (!access) {
    // Its address and credentials were in the failover's environment only: said, for the person to do, not retried.
    options.io.warn(
      'FAILBACK_STANDBY_RUNNING',
      `${stillRuns('its settings reach the cluster through Terraform variables (k8sHa.access.variables), which this command cannot read')} ${scaleByHand(undefined)} with the standby cluster's credentials.`,
    );
    return `not stopped: the standby's cluster is reached through Terraform variables; ${scaleByHand(undefined)} by hand`;
  }
  try {
    const kube = await kubeApiOn(access);
    const replicas = await kube.deployments.replicas(namespace, name);
    if (replicas === undefined) return `no Deployment ${namespace}/${name} on the standby's cluster (removed)`;
    report.standby.scaledToZero = true;
    // Stopped by the quiesce: checked still at 0 (scaled again if someone started it since).
    if (replicas === 0) return `Rancher still at 0 replicas on the standby's cluster (${namespace}/${name})`;
    await kube.deployments.scale(namespace, name, 0);
    return `Rancher scaled from ${replicas} to 0 on the standby's cluster (${namespace}/${name})`;
  } catch (error) {
    throw new StepFailed(
      `${stillRuns((error as Error).message)} run the failback again, or ${scaleByHand(access)} (a cluster that is gone: run it again with --keep-standby).`,
    );
  }
}

/**
 * The standby deployment taken down as `npm run teardown -- --dir <its module> --keep-snapshots --yes` does it (the
 * teardown command's own steps, docs/teardown.md): its backup bucket, which holds the standby's backups (data), and
 * the KMS key that encrypts it stay with every guard, and the cluster token and the backups' encryption configuration
 * are saved beside them. Only once the records lead to the primary and it answered /ping on the hostname in this run:
 * before that, the standby may still be what serves production.
 */
async function tearDownStandby(r: Run): Promise<void> {
  const { options, report } = r;
  const { name, module } = report.standby;
  if (!r.record().moved || report.rtoSeconds === undefined)
    throw new StepFailed(
      `the standby ${name} is not torn down: ${r.record().moved ? 'the primary has not answered /ping on the hostname in this run' : 'the records still lead to it'}`,
    );
  if (!existsSync(join(module, 'cdk.tf.json'))) {
    options.io.info('FAILBACK_STANDBY_GONE', `${module} holds no module of the standby ${name}: there is nothing to tear down.`);
    // Gone is what the record says of it, as after its teardown: a rerun and the report agree.
    r.setStandby('torn down');
    return;
  }
  // Its destroy needs the variable its apply was given: production's configuration, which the failover restored it
  // with. Set for the init and the teardown's terraform alone (the teardown takes no environment), then put back.
  const variable = { [`TF_VAR_${RESTORE_VARIABLE}`]: r.production.backupEncryptionConfig };
  const code = await withEnvironment(variable, async () => {
    if (!existsSync(join(module, '.terraform'))) {
      const init = await runTerraform(r, module, ['init', '-input=false']);
      if (init.code !== 0)
        throw new StepFailed(`terraform init failed in ${module} (exit ${init.code}): the standby ${name} is not torn down (run the failback again)`);
    }
    return options.teardown({
      dir: module,
      label: `the standby ${name}`,
      keepSnapshots: true,
      yes: true,
      io: options.io,
      aws: r.clients.of,
      ...(options.stop ? { stop: options.stop } : {}),
    });
  });
  if (options.interrupted()) throw new Interrupted();
  if (code !== 0)
    throw new StepFailed(
      `the teardown of the standby ${name} ended with exit ${code} (its messages say why): production serves; run the failback again to finish it, or \`npm run teardown -- --dir ${module} --keep-snapshots\``,
    );
  r.setStandby('torn down');
}

/** Production applied (records held out), its CA checked at its load balancer, the records moved back. */
async function beforeTheMove(r: Run, caFile: string): Promise<void> {
  const { options, production, report, moduleDir } = r;
  const held = r.record().held;
  const url = production.url!;
  // The standby stops writing and backs up first: that backup is the one restored (RPO 0).
  const quiesce = r.record().quiesce;
  if (!quiesce) report.phases.push({ phase: 'quiesce', status: 'skipped', detail: '--no-quiesce' });
  else
    await r.phase('quiesce', async (phase) => {
      const quiesced = await quiesceStandby({
        stack: options.stack,
        module: report.standby.module,
        failoverRoot: options.failoverRoot,
        root: options.root,
        region: report.standby.region,
        settings: r.settings,
        standbyConfig: r.standbyConfig,
        ...(options.clients ? { clients: options.clients } : {}),
        interrupted: options.interrupted,
        record: () => r.record().quiesce!,
        save: (change) => r.update({ quiesce: { ...r.record().quiesce!, ...change } }),
      });
      r.update({ backup: quiesced.backup, file: quiesced.file, rpoMinutes: 0 });
      report.backup = quiesced.backup;
      report.rpoMinutes = 0;
      phase.detail(quiesced.detail);
    });
  // The standby's backup into production's own bucket, under the same key: the rancher-backup operator reads a
  // storage location in its deployment's region only (lib/rancher/backup-objects.ts: the endpoint is
  // s3.<region>.<suffix>), and the standby's bucket is in the other region. The copy takes production's bucket's
  // default encryption (its key); a rerun copies it again, the same bytes.
  await r.phase('copy', async () => {
    const { bucket, key } = r.record().backup!;
    await (await sdkSide()).copyObject(r.clients.of(production.region), { bucket, key }, { bucket: production.backupBucket!, key }, 'bucket default');
  });
  await r.phase('synth', async () => {
    const settingsFile = join(options.root, 'settings.json');
    writeFileSync(settingsFile, `${JSON.stringify(failbackSettings(r.settings, { file: r.record().file! }, options.stack), null, 2)}\n`);
    await synthesize({ ...options, settingsFile, outdir: join(options.root, 'cdktf.out'), what: "production's failback" });
    const json = readModuleJson(moduleDir);
    const productionJson = readModuleJson(production.dir);
    if (!json || !productionJson) throw new StepFailed(`no cdk.tf.json in ${json ? production.dir : moduleDir}`);
    if (json.resource?.aws_route53_record)
      throw new StepFailed("the failback's module has a Route53 record: it would move the name before the check");
    const safe = heldOut(json, await new Terraform(production.dir).pull(), { productionDir: production.dir, productionJson, moduleDir });
    writeFileSync(join(moduleDir, 'cdk.tf.json'), `${JSON.stringify(safe, null, 2)}\n`);
  });
  // The restore's variable (the standby's encryption configuration, a secret) in the environment of the plan and the
  // apply alone: never on a command line, never in this process's own environment.
  const restoring = r.standbyConfig ? { [`TF_VAR_${RESTORE_VARIABLE}`]: r.standbyConfig } : undefined;
  await r.phase('apply', async () => {
    // The failover's fence down first (cli/shared/fence.ts): production's servers keep Rancher at 0 replicas while
    // it stands, and this apply needs Rancher answering (its release, its /ping, then the CA check).
    const lowered = await lowerFence(r.clients.of(report.standby.region), { productionName: production.name, stack: options.stack });
    options.io.info(
      'FAILBACK_FENCE_DOWN',
      `${fenceParameterName(production.name, options.stack)} in ${report.standby.region} ${lowered ? 'deleted' : 'was gone already'}: production's servers let Rancher run again, and its plan may change the hostname's records.`,
    );
    await terraform(r, ['init', '-input=false'], restoring);
    // The restore (its Job waits until the operator completed that Restore of that file), then a second plan and
    // apply: the restore prunes what the standby's backup lacks, production's own Secrets of the operator's namespace
    // among them, and Terraform puts back what its state holds (docs/backups.md's in-place restore, "apply again").
    for (const plan of ['failback.tfplan', 'failback-after.tfplan']) {
      await terraform(r, ['plan', '-input=false', `-out=${plan}`], restoring);
      const shown = await runAsync(terraformBinary(), ['show', '-json', plan], { cwd: moduleDir, timeoutMs: 300_000 });
      if (shown.code !== 0) throw new StepFailed(`terraform show -json ${plan} failed: ${readableError(shown.stderr)}`);
      const changes = ((JSON.parse(shown.stdout) as { resource_changes?: PlannedChange[] }).resource_changes ?? []) as PlannedChange[];
      const problems = planProblems(changes);
      if (problems.length > 0)
        throw new StepFailed(
          `the plan of production's failback is refused, nothing ${plan === 'failback.tfplan' ? '' : 'more '}was applied: ${problems.join('; ')}. Its plan is ${join(moduleDir, plan)}.`,
        );
      await terraform(r, ['apply', '-input=false', plan], restoring);
    }
  });
  // The PRIMARY record's where the records are failover routing (the SECONDARY leads to the standby).
  const target = productionTarget(await new Terraform(production.dir).pull(), options.stack, held.find((h) => h.failover?.role !== 'SECONDARY')?.set);
  const at = target.kind === 'A' ? target.address : target.dnsName;
  report.production.loadBalancer = at;
  await r.phase('check', () =>
    checkServedCa({
      ...options,
      url,
      loadBalancer: at,
      expected: report.ca.expected,
      caFile,
      who: 'the primary',
      left: `The records were not moved: ${new URL(url).host} still leads to the standby, which serves production.`,
      seen: (served) => (report.ca.served = served),
    }),
  );
  await r.phase('move', async () => {
    if (held.some((h) => h.failover?.role === 'PRIMARY')) {
      // Failover routing (cli/shared/dns-move.ts): the metric set back in the standby region, the PRIMARY records
      // answer again once the alarm is OK; no Route 53 call.
      const metric = failedOverMetric(production.name, options.stack);
      const region = report.standby.region;
      await moveByMetric({
        clients: r.clients.of(region),
        metric,
        to: 'primary',
        region,
        minutes: options.syncMinutes ?? SYNC_MINUTES,
        interrupted: options.interrupted,
        written: () => {
          report.records = [
            `${new URL(url).host}: ${metric.namespace} ${metric.metricName} 0 in ${region}, its alarm ${metric.alarmName} OK: the PRIMARY records (to ${at}) answer again`,
          ];
          r.setMoved();
        },
      });
      return;
    }
    options.io.warn('FAILBACK_MOVE_GLOBAL', globalMoveWarning('failback', options.stack));
    const sdk = await sdkSide();
    const budget = { budgetMs: (options.syncMinutes ?? SYNC_MINUTES) * 60_000, interrupted: options.interrupted };
    let moved: { changeIds: string[]; inSync: boolean };
    if (options.stack === 'k8s-ha') {
      // Production's record written back of the type its state holds (the adopt imports it at that address), at its
      // target now; the failover's record deleted in the same batch where its type differs (hostname-record.ts).
      const [own] = held;
      const wanted = recordSetFor(own.name, target);
      if (wanted.Type !== own.type)
        throw new StepFailed(
          `production's ingress target ${at} needs a ${wanted.Type} record, and its state held ${own.address} (${own.type}): the record was not moved. Point it by hand, then apply production (docs/failover.md)`,
        );
      const written = r.record().written!;
      moved = await sdk.changeRecordSets(
        r.clients.of(production.region),
        [{ zoneId: own.zoneId, changes: recordMove([written], wanted) }],
        budget,
        () => {
          report.records = [`${describeRecordSet(wanted)} in ${own.zoneId}`];
          r.setMoved();
        },
      );
    } else {
      if (target.kind !== 'alias') throw new StepFailed("production's load balancer is not an NLB");
      const records = held.map((h) => ({
        zoneId: h.zoneId,
        name: h.name,
        type: h.type as 'A' | 'AAAA',
        target: { dnsName: target.dnsName, zoneId: target.zoneId },
      }));
      moved = await sdk.moveAliasRecords(r.clients.of(production.region), records, budget, () => {
        report.records = records.map((rec) => `${rec.type} ${rec.name} in ${rec.zoneId} -> ${rec.target.dnsName}`);
        r.setMoved();
      });
    }
    if (!moved.inSync)
      throw new StepFailed(`Route 53 did not report ${moved.changeIds.join(', ')} INSYNC within ${options.syncMinutes ?? SYNC_MINUTES} minutes`);
  });
}

/**
 * Where production's records lead once applied: rke-ha's NLB, or k8s-ha's ingress target (hostname-record.ts), an
 * AWS load balancer's canonical zone from the alias its state held (applied without its record, it looks none up),
 * with no CNAME in place of an alias: the record goes back of the type the state held.
 */
function productionTarget(state: ModuleState, stack: string, held: RecordSet | undefined): RecordTarget {
  if (stack === 'k8s-ha') {
    const { target, problem } = ingressTargetOfState(state, { zone: (address) => aliasZoneLike(address, held), cname: held?.Type === 'CNAME' });
    if (!target) throw new StepFailed(`production's state holds ${problem}`);
    return target;
  }
  const lbAttributes = managed(state, 'aws_lb')[0]?.attributes;
  const lb = { dnsName: stringAttribute(lbAttributes?.dns_name), zoneId: stringAttribute(lbAttributes?.zone_id) };
  if (!lb.dnsName || !lb.zoneId) throw new StepFailed("production's state holds no load balancer with a DNS name and zone");
  return { kind: 'alias', dnsName: lb.dnsName, zoneId: lb.zoneId };
}

/** A terraform command in `cwd`, stopped with SIGINT on a signal (terraform saves its state); an interruption throws. */
async function runTerraform(
  r: Run,
  cwd: string,
  args: readonly string[],
  env?: Readonly<Record<string, string>>,
): Promise<{ code: number | null; timedOut?: boolean }> {
  const result = await runAsync(terraformBinary(), args, {
    cwd,
    ...(env ? { env } : {}),
    timeoutMs: args[0] === 'apply' ? (r.options.applyTimeoutMs ?? FAILBACK_APPLY_TIMEOUT_MS) : 900_000,
    onLine: r.options.io.lines('FAILBACK_TERRAFORM_OUTPUT'),
    stop: r.options.stop,
    stopSignal: 'SIGINT',
  });
  if (r.options.interrupted()) throw new Interrupted();
  return result;
}

/** A terraform command in the failback's module. */
async function terraform(r: Run, args: readonly string[], env?: Readonly<Record<string, string>>): Promise<void> {
  const result = await runTerraform(r, r.moduleDir, args, env);
  if (result.code !== 0)
    throw new StepFailed(
      `terraform ${args[0]} ${result.timedOut ? 'did not finish in time' : `failed (exit ${result.code})`}: production's failback is not complete (run the failback again to continue)`,
    );
}

/**
 * The records handed back to production's own module: imported (`terraform import`, the provider's id
 * `<zone>_<name>_<type>`) where its state no longer holds them, so its next plan holds them as they are, pointed at
 * its load balancer, instead of failing to create them.
 */
async function adopt(r: Run): Promise<void> {
  // By the instance's address (k8s-ha's record is counted: `...[0]`).
  const inState = new Set((await new Terraform(r.production.dir).pull()).resources.filter((x) => x.mode === 'managed').map((x) => x.address));
  for (const h of r.record().held.filter((x) => !inState.has(x.address))) {
    // A failover record's id ends with its set identifier (terraform-provider-aws, aws_route53_record's import id).
    const id = `${h.zoneId}_${h.name}_${h.type}${h.failover ? `_${h.failover.setIdentifier}` : ''}`;
    const result = await runTerraform(r, r.production.dir, ['import', '-input=false', h.address, id]);
    if (result.code !== 0)
      throw new StepFailed(
        `terraform import ${h.address} failed in ${r.production.dir} (exit ${result.code}): the record leads to the primary but production's state does not hold it yet (run the failback again)`,
      );
  }
}

/** The report as one message, and what is left: the standby deployment, where --keep-standby kept it. */
function describe(io: IoHost, report: FailbackReport, standby: FailbackRecord['standby'], stack: string): void {
  io.info(
    'FAILBACK_REPORT',
    [
      `Failback of ${report.production.name} from ${report.standby.name} (${report.standby.region}) to ${report.production.region}:`,
      ...report.phases.map((p) => `  ${p.phase}: ${p.status}${p.seconds !== undefined ? ` (${p.seconds} s)` : ''}${p.detail ? `: ${p.detail}` : ''}`),
      report.backup
        ? `  backup restored: s3://${report.backup.bucket}/${report.backup.key}; data lost (RPO): ${report.rpoMinutes} minutes`
        : '  backup restored: none yet (the standby was not backed up)',
      report.rtoSeconds !== undefined
        ? `  recovery (RTO, from the failback's start to pong on ${report.production.url}): ${report.rtoSeconds} s`
        : '  recovery (RTO): not reached',
      `  CA: recorded ${report.ca.expected}, served ${report.ca.served ?? '(not asked)'}`,
      ...report.records.map((r) => `  moved: ${r}`),
    ].join('\n'),
  );
  if (standby === 'kept' && stack === 'k8s-ha')
    io.warn(
      'FAILBACK_STANDBY_LEFT',
      `Left in ${report.standby.region}: Rancher of the standby ${report.standby.name} on your cluster there (${report.standby.module}), no longer serving${report.standby.scaledToZero ? ', scaled to 0' : ''}. The teardown command does not remove a k8s-ha deployment: destroy it in that folder as docs/k8s-ha.md says (its backup bucket's prevent_destroy: take the bucket out of the state to keep the standby's backups).`,
    );
  else if (standby === 'kept')
    io.warn(
      'FAILBACK_STANDBY_LEFT',
      `Left up in ${report.standby.region} (--keep-standby): the standby deployment ${report.standby.name} (${report.standby.module}), no longer serving. Its backup bucket holds the standby's backups (data): remove the deployment with \`npm run teardown -- --dir ${report.standby.module} --keep-snapshots\`, which keeps that bucket and its key guarded (docs/teardown.md); delete the bucket by hand once you no longer need those backups.`,
    );
}
