import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA_RECORD_FOLDER } from '../../lib/rancher/ca-record';
import { STANDBY_TARGET_PARAMETER } from '../../lib/standby/standby-facts-keys';
import { Aws } from '../shared/aws';
import { backupHoldsMember } from '../shared/backup-ca';
import type { ClientsOfRegion } from '../shared/aws/clients';
import type { AliasRecordChange } from '../shared/aws/records';
import {
  describeRecordSet,
  recordMove,
  recordSetFor,
  recordSetOfState,
  type RecordSet,
  type RecordTarget,
  ingressTargetOfState,
  isApex,
} from '../shared/hostname-record';
import type { IoHost } from '../shared/io/io-host';
import { managed } from '../shared/module-folder';
import { phaseStarted, spannedPhaseRunner } from '../shared/phase-spans';
import { Interrupted } from '../shared/poll';
import type { ProductionDeployment } from '../shared/production';
import { operationTags, readProductionSettings } from '../shared/settings-file';
import {
  ageMinutes,
  allowedAgeMinutes,
  backupKeyOf,
  type ChosenBackup,
  standbyBackup,
  standbyRegionOf,
  standbySettingsProblem,
  type StandbyUse,
} from '../shared/standby';
import { FAILOVER_RECORD, type FailoverOutcome, RESTORE_VARIABLE, withZoneMoved } from '../shared/failover-record';
import { StateFile } from '../shared/state-file';
import { withEnvironment } from '../shared/scoped-environment';
import { type ModuleState, stringAttribute, Terraform } from '../shared/terraform';
import { initAndApply, type PhaseRun, readModuleJson, StepFailed, synthesize, type TimedPhase } from '../shared/throwaway';
import { answersPong, checkServedCa, trustOf } from '../shared/served-ca';
import { failedOverMetric, failoverRouted, globalMoveWarning, moveByMetric, secondaryProblem, SYNC_MINUTES } from '../shared/dns-move';
import { caMemberOf, failoverScopeProblem, standbyClusterProblem, standbyName, standbyNameProblem, standbySettings } from './failover-settings';
import { defaultProbeSchedule, type PrimaryProbes, probePrimary, type ProbeSchedule } from './primary-probe';
import { fenceParameterName, raiseFence } from '../shared/fence';
import { failoverProduction, type FailoverProduction } from './production-facts';
import { primaryOfPartialMove } from './partial-move';
import { FAILOVER_APPLY_TIMEOUT_MS, failoverApplyArgs, standbyModuleProblems, standbyStateOf } from './pilot-light';
import { prepareStandby } from './prepare';
import { startKeptStandby } from './kept-standby';
import { replacingPruned, restoredBefore } from './in-place-restore';
import { afterMoveLines, afterTheMove, type ImportedClusters, type StandbyBackups } from './after-move';
import { rtoPlanLine, rtoStackOf, timeoutsOf } from './rto-model';

// `npm run failover -- rke-ha` (docs/failover.md): production's deployment stood up in its standby region from the
// newest backup of the standby's copy, under the same hostname, checked at its load balancer, then the hostname's
// record moved to it. Decided and stated first (nothing changed until the typed confirmation), then phases.

/** The SDK's side, loaded once the failover reaches AWS through it (scripts/build.js bundles it apart: a dry run or a refusal never needs it). */
const sdkSide = () => import('../shared/aws/sdk-side');

/** The failover's phases, in order. */
export const FAILOVER_PHASES = ['synth', 'apply', 'check', 'move', 'ping'] as const;
export type FailoverPhase = (typeof FAILOVER_PHASES)[number];

/** `failover`'s words for the standby lookup it shares with `drill --standby`. */
const FAILOVER_STANDBY: StandbyUse = {
  prefix: 'FAILOVER',
  lead: 'failover',
  instead: 'then fail over (nothing to fail over to without one)',
  again: 'fail over (or pass the newest backup by hand: docs/standby.md)',
  starts: 'the standby deployment in <region>',
};

export interface FailoverOptions {
  readonly stack: string;
  /**
   * Production's module folder, named in the report: never read (its state's backend is in the region a failover is
   * for); production's facts are read in the standby region (production-facts.ts).
   */
  readonly productionDir: string;
  readonly settingsPath: string;
  /** The failover's folder: its record, the standby's settings, module and state (kept: the standby is production now). */
  readonly root: string;
  readonly synthScript: string;
  readonly dryRun?: boolean;
  /** The person says the primary is lost: proceed although its /ping answers, or the probes could not tell. @default false */
  readonly primaryLost?: boolean;
  /** A backup of the standby's copy by key (`rancher/<file>`, or the file), instead of its newest. @default the newest */
  readonly backup?: string;
  /** Apply the standby's pilot light ahead of an outage (prepare.ts) instead of failing over. @default false */
  readonly prepare?: boolean;
  /** The standby's state a local file in `root`, not the standby region's bucket (pilot-light.ts). @default false */
  readonly localState?: boolean;
  /** The probes of the primary: how many, how far apart. @default 7, 10 s apart (primary-probe.ts) */
  readonly probes?: ProbeSchedule;
  /** No typed confirmation (pipelines). @default false */
  readonly yes?: boolean;
  readonly ask?: (question: string) => Promise<string | undefined> | string | undefined;
  /** Budget for the standby's and then the hostname's /ping, each. @default 15 */
  readonly pingMinutes?: number;
  /** Budget for the failover routing's alarm to reach ALARM (or, records without it, Route 53 to report INSYNC). @default 10 */
  readonly syncMinutes?: number;
  readonly applyTimeoutMs?: number;
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
  readonly io: IoHost;
  /** AWS SDK clients by region (tests: the fake AWS). @default the SDK's, from the environment */
  readonly clients?: ClientsOfRegion;
}

/**
 * What a failover keeps between runs (`<root>/failover.json`): a rerun continues with the same backup once the
 * standby's apply began with it (its module restores that file), and chooses again before.
 */
export interface FailoverRecord extends FailoverOutcome {
  readonly backup: ChosenBackup['backup'];
  readonly file: string;
  /** The backup's age the run that moved the records reported (the data lost); before the move each run reports its age then. */
  readonly rpoMinutes?: number;
  readonly phase: FailoverPhase;
  /** Once moved: the CA checked and the records moved, for the report of a rerun that only waits. */
  readonly ca?: FailoverReport['ca'];
  readonly records?: readonly string[];
  /**
   * Once moved: how. `metric`: failover routing's alarm (cli/shared/dns-move.ts), production's records unchanged;
   * `records`: a Route 53 change of records made before failover routing (FAILOVER_MOVE_GLOBAL), which now lead to
   * the standby. Absent in a record written before it was kept: production's facts say which then.
   */
  readonly movedBy?: MovedBy;
  /**
   * The standby restores in place (its cluster restored a backup before: in-place-restore.ts), decided at the synth of
   * the run that began the failover. Absent until then.
   */
  readonly inPlace?: boolean;
}

/** How the failover moved the hostname (FailoverRecord.movedBy). */
type MovedBy = 'metric' | 'records';

/** The report (`<root>/report-<time>.json`, and in --json's messages). */
export interface FailoverReport {
  readonly version: 1;
  readonly production: { readonly name: string; readonly region: string; readonly module: string; readonly url?: string };
  readonly standby: { readonly name: string; readonly region: string; readonly module: string; readonly loadBalancer?: string };
  readonly backup: ChosenBackup['backup'];
  /** The backup's age when this run decided (once moved: as the run that moved decided): the data lost. */
  readonly rpoMinutes: number;
  /** What the probes of the primary found (this run's, before the move). */
  readonly primary?: Pick<PrimaryProbes, 'verdict' | 'probes' | 'seconds' | 'targets' | 'why'>;
  /** Seconds from the command's start to Rancher answering pong on the hostname. */
  rtoSeconds?: number;
  readonly ca: { expected?: string; served?: string };
  records: string[];
  readonly phases: TimedPhase<FailoverPhase>[];
  passed?: boolean;
  /** Once moved: the imported RKE2/K3s clusters whose system-agent needs the person's step, or why they could not be listed (after-move.ts). */
  importedClusters?: ImportedClusters;
  /** Once moved: where the standby's own backups go (its bucket, in the standby region alone). */
  standbyBackups?: StandbyBackups;
}

/** Where the failover's tests and callers have always found it (cli/shared/served-ca.ts). */
export { caChecksum } from '../shared/served-ca';

export async function failover(options: FailoverOptions): Promise<number> {
  const { io } = options;
  // The RTO runs from here (issue 91, "Numbers": from the failover's start), the primary's probing included.
  const began = new Date().toISOString();
  if (options.stack !== 'rke-ha' && options.stack !== 'k8s-ha') {
    io.error(
      'FAILOVER_STACK_NOT_RKE_HA',
      `A failover stands rke-ha or k8s-ha up in its standby region; ${options.stack} keeps no standby (docs/standby.md). Nothing was changed.`,
    );
    return 2;
  }
  let settings: Record<string, unknown>;
  try {
    settings = readProductionSettings(options.settingsPath);
  } catch (error) {
    io.error('FAILOVER_SETTINGS_UNREADABLE', `${(error as Error).message} Nothing was changed.`);
    return 2;
  }
  const noStandby = standbySettingsProblem(settings, options.settingsPath, FAILOVER_STANDBY, options.stack);
  if (noStandby) {
    io.error(noStandby.code, `${noStandby.message} Nothing was changed.`);
    return 2;
  }
  const scope = failoverScopeProblem(settings, options.stack);
  if (scope) {
    io.error('FAILOVER_NOT_SUPPORTED', `${scope} Nothing was changed.`);
    return 2;
  }
  const cluster = options.stack === 'k8s-ha' ? standbyClusterProblem(settings) : undefined;
  if (cluster) {
    io.error(cluster.code, `${cluster.message} Nothing was changed.`);
    return 2;
  }
  const region = standbyRegionOf(settings)!;
  const productionName = typeof settings.name === 'string' ? settings.name : 'rancher';
  const name = standbyName(productionName);
  const nameRefused = standbyNameProblem(name);
  if (nameRefused) {
    io.error('FAILOVER_NAME_REFUSED', `${nameRefused}. Nothing was changed.`);
    return 2;
  }
  const moduleDir = join(options.root, 'cdktf.out', 'stacks', options.stack);
  if (options.prepare) return prepareStandby(options, settings, { region, name, productionName, moduleDir });
  if (options.dryRun) {
    io.info(
      'FAILOVER_PLAN',
      [
        `Failover of ${productionName} (${options.stack}, module ${options.productionDir}) to its standby region ${region}:`,
        `  the primary probed ${(options.probes ?? defaultProbeSchedule()).count} times over a minute at the hostname and at its load balancer: refused while it answers pong or the probes cannot tell (unless --primary-lost)`,
        `  backup: ${options.backup ? `${options.backup} (--backup)` : "the copy's newest"}, whatever its age (its age is the RPO, warned past backups.schedule); refused without the CA the agents need`,
        `  standby deployment: ${name} in ${region}${options.stack === 'k8s-ha' ? ' on the cluster standby.k8sHa.access reaches' : ''}, the same hostname and rancher.tls (TF_VAR_tls_* as for production), no Route53 record of its own; module and state kept in ${moduleDir}`,
        `  then: the CA it serves checked against the backup's record at its ${options.stack === 'k8s-ha' ? 'ingress target' : 'load balancer'}; the hostname moved there (failover routing: its alarm's metric set in ${region}, until the alarm is in ALARM; records applied before it: ${options.stack === 'k8s-ha' ? 'one Route 53 change batch, the record type the target needs' : 'Route 53 UPSERT'}, until INSYNC); /ping on the hostname; RTO and RPO reported`,
        rtoPlanLine(rtoStackOf(options.stack, settings), timeoutsOf(settings)),
      ].join('\n'),
      { production: productionName, region, standby: name },
    );
    io.result('FAILOVER_DRY_RUN', 'Dry run: nothing was read but the settings file, and nothing was changed.', { exitCode: 0 });
    return 0;
  }
  const record = new StateFile<FailoverRecord>(join(options.root, FAILOVER_RECORD));
  const earlier = record.read();
  if (earlier?.moved && earlier.done) {
    io.result(
      'FAILOVER_ALREADY_DONE',
      `The failover of ${earlier.startedAt} moved the hostname to ${earlier.name} in ${earlier.region} (${moduleDir}): it serves production now. Nothing was changed; failback is its own step (docs/failover.md).`,
      { exitCode: 0 },
    );
    return 0;
  }
  // Moved, not answered yet: the name leads to the standby now (its /ping is no longer the primary's), so only the
  // wait for it is left.
  const moved = earlier?.moved ? await failoverProduction(options, region, productionName) : undefined;
  if (typeof moved === 'number') return moved;
  const planned = moved
    ? {
        production: moved,
        chosen: undefined,
        expectedCa: undefined,
        primary: undefined,
        clients: { of: () => undefined as never, destroy: () => undefined },
      }
    : await planFailover(options, settings, { region, name, productionName, earlier, moduleDir });
  if (typeof planned === 'number') return planned;
  const { production, chosen, expectedCa, clients, primary } = planned;
  const now = new Date().toISOString();
  // Before the move the backup is this run's choice (the recorded one once the apply began with it: planFailover).
  let current: FailoverRecord = earlier
    ? { ...earlier, ...(chosen ? { backup: chosen.backup, file: chosen.file } : {}) }
    : { startedAt: began, region, name, backup: chosen!.backup, file: chosen!.file, phase: 'synth', moved: false };
  mkdirSync(options.root, { recursive: true });
  record.write(current);
  const report: FailoverReport = {
    version: 1,
    production: { name: production.name, region: production.region, module: production.dir, ...(production.url ? { url: production.url } : {}) },
    standby: { name, region, module: moduleDir },
    backup: current.backup,
    // Its age now; once moved, as the move recorded it (a record from before it: its age now).
    rpoMinutes: chosen?.standby?.rpoMinutes ?? current.rpoMinutes ?? ageMinutes(current.backup.lastModified, Date.now()),
    ...(primary ? { primary } : {}),
    ca: current.ca ?? { expected: expectedCa },
    records: [...(current.records ?? [])],
    phases: [],
  };
  const phase = spannedPhaseRunner<FailoverPhase>({
    io,
    prefix: 'FAILOVER',
    begin: phaseStarted(io, 'FAILOVER', FAILOVER_PHASES),
    interrupted: options.interrupted,
    results: report.phases,
    enter: (p) => record.write((current = { ...current, phase: p })),
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
      current,
      setMoved: (by, written) => {
        // The RPO the run that moved reported stays the failover's: from then on the standby takes the writes.
        record.write(
          (current = {
            ...current,
            moved: true,
            movedBy: by,
            rpoMinutes: report.rpoMinutes,
            ca: report.ca,
            records: report.records,
            ...(written ? { written } : {}),
          }),
        );
      },
      zoneMoved: (zoneId) => record.write((current = withZoneMoved(current, zoneId))),
      inPlaceDecided: (inPlace) => record.write((current = { ...current, inPlace })),
    });
  } catch (error) {
    outcome = error instanceof Interrupted || options.interrupted() ? 'interrupted' : 'failed';
    if (!(error instanceof StepFailed) && !(error instanceof Interrupted)) io.error('FAILOVER_FAILED', (error as Error).message);
  } finally {
    clients.destroy();
  }
  // The standby is production now: what it leaves to the person, read without failing the failover (after-move.ts).
  if (current.moved && outcome !== 'interrupted')
    Object.assign(report, await afterTheMove({ stack: options.stack, moduleDir, root: options.root, region: current.region }));
  report.passed = outcome === 'passed';
  if (report.passed) record.write((current = { ...current, done: true }));
  const file = join(options.root, `report-${now.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  describe(io, report, current, production, options.stack);
  const exitCode = outcome === 'interrupted' ? 130 : report.passed ? 0 : 1;
  io.result(
    'FAILOVER_RESULT',
    report.passed
      ? `PASSED: ${report.production.url} answers from ${region}. RTO ${report.rtoSeconds} s, RPO ${report.rpoMinutes} min. Report: ${file}`
      : `${outcome === 'interrupted' ? 'INTERRUPTED' : 'FAILED'}${current.moved ? '' : ': the hostname still leads to the primary'}; run the failover again to continue. Report: ${file}`,
    { passed: report.passed, report: file, exitCode, rtoSeconds: report.rtoSeconds, rpoMinutes: report.rpoMinutes, moved: current.moved },
  );
  return exitCode;
}

/** Production, the backup and the CA it must carry, the primary probed, what it does stated and confirmed; or an exit code. */
async function planFailover(
  options: FailoverOptions,
  settings: Record<string, unknown>,
  o: { region: string; name: string; productionName: string; earlier: FailoverRecord | undefined; moduleDir: string },
): Promise<
  | {
      production: FailoverProduction;
      chosen: ChosenBackup;
      expectedCa: string;
      primary: FailoverReport['primary'];
      clients: { of: ClientsOfRegion; destroy(): void };
    }
  | number
> {
  const { io } = options;
  // Production's facts, in the standby region (its name, kind and standby region checked against the settings there).
  const production = await failoverProduction(options, o.region, o.productionName);
  if (typeof production === 'number') return production;
  // The standby's copy is listed through the SDK (cli/shared/standby.ts), with the failover's clients when it is given them.
  const aws = new Aws(o.region, options.clients?.(o.region));
  const chosen = await chooseBackup(options, settings, aws, production, o.earlier, o.region);
  if (typeof chosen === 'number') return chosen;
  const rpo = chosen.standby!.rpoMinutes;
  /** The backup the standby's apply began with (chooseBackup keeps it). */
  const recorded = o.earlier !== undefined && o.earlier.phase !== 'synth';
  // The CA agents trust, as production's facts name its record (written by production's apply into the standby region,
  // whatever replication copied), and the backup carrying it (trust page, step 4).
  const cas = production.facts.caRecord ? [production.facts.caRecord.ca] : [];
  if (cas.length !== 1) {
    io.error(
      'FAILOVER_CA_NOT_RECORDED',
      `${production.facts.location} names no record of the CA agents trust (${CA_RECORD_FOLDER}): the failover checks the standby against exactly one (apply production with this version to write it). Nothing was changed.`,
    );
    return 1;
  }
  const member = caMemberOf(settings);
  if (member && !(await backupHoldsMember(aws, chosen.backup, member.file, options.root))) {
    io.error(
      'FAILOVER_BACKUP_WITHOUT_CA',
      `s3://${chosen.backup.bucket}/${chosen.backup.key} holds no ${member.file} (${member.what}): restored from it, Rancher would serve another CA and every downstream agent would refuse it. Check production's backups (the rancher-resource-set-full ResourceSet), then fail over from a backup that has it. Nothing was changed.`,
    );
    return 1;
  }
  const host = new URL(production.url).host;
  const primary = primaryOfPartialMove(o.earlier) ?? (await decidePrimary(options, production, rpo));
  if (typeof primary === 'number') return primary;
  if (rpo > chosen.standby!.allowedMinutes)
    io.warn(
      'FAILOVER_BACKUP_OLD',
      `s3://${chosen.backup.bucket}/${chosen.backup.key} is ${rpo} minutes old, more than backups.schedule "${allowedAgeMinutes(settings).schedule}" lets the copy's newest be (${chosen.standby!.allowedMinutes} minutes: its longest gap and replication's 15): the failover loses that much (the RPO).${
        recorded
          ? " It is the backup the standby's apply began with, which a rerun keeps."
          : chosen.standby!.newest
            ? ''
            : ` Production's backups stopped, or replication lagged (the alarms ${production.name}-${options.stack}-standby-rancher-backups-failed and -lag).`
      }`,
      { rpoMinutes: rpo, allowedMinutes: chosen.standby!.allowedMinutes },
    );
  io.info(
    'FAILOVER_PLAN',
    [
      `Failover of ${production.name} (${options.stack}, ${production.region}, its facts ${production.facts.location}) to ${o.region}:`,
      `  primary: ${primary.verdict} (${primary.probes} probes over ${primary.seconds} s at ${primary.targets.join(' and ')}: ${primary.why})`,
      `  backup: s3://${chosen.backup.bucket}/${chosen.backup.key} (${chosen.backup.lastModified}), ${rpo} minutes old now: the data lost (RPO)${chosen.standby!.newest ? `; chosen with --backup (the copy's newest: ${chosen.standby!.newest})` : ''}${recorded ? "; the one the standby's apply began with" : ''}`,
      `  standby deployment: ${o.name} in ${o.region}, ${host} with the same rancher.tls; module and state kept in ${o.moduleDir}`,
      `  the CA agents trust: ${cas[0]}`,
      `  then: ${host}'s records in production's hosted zone moved to the standby's load balancer once it serves that CA`,
    ].join('\n'),
    { backup: chosen.backup.key, rpoMinutes: rpo, region: o.region, standby: o.name, primary: primary.verdict },
  );
  if (!options.yes) {
    const answer = await options.ask?.(`Type the hostname (${host}) to fail it over to ${o.region}: `);
    if (answer === undefined) {
      io.error('FAILOVER_NO_TERMINAL', 'No terminal to confirm on: pass --yes to fail over without the typed confirmation. Nothing was changed.', {
        exitCode: 2,
      });
      return 2;
    }
    if (answer.trim() !== host) {
      io.error('FAILOVER_WRONG_NAME', `'${answer.trim()}' is not '${host}': nothing was changed.`, { exitCode: 1 });
      return 1;
    }
  }
  const clients = options.clients ? { of: options.clients, destroy: () => undefined } : (await sdkSide()).clientsByRegion();
  return { production, chosen, expectedCa: cas[0], primary, clients };
}

/**
 * The backup this run restores: the one the standby's apply began with, once it began (the standby's module restores
 * that file; `--backup` naming another is refused), else the copy's newest or the one `--backup` names. Its age now
 * either way: the RPO of a rerun is not its first run's.
 */
async function chooseBackup(
  options: FailoverOptions,
  settings: Record<string, unknown>,
  aws: Aws,
  production: ProductionDeployment,
  earlier: FailoverRecord | undefined,
  region: string,
): Promise<ChosenBackup | number> {
  const { io } = options;
  if (earlier && earlier.phase !== 'synth') {
    const given = options.backup === undefined ? undefined : (backupKeyOf(options.backup) ?? options.backup);
    if (given !== undefined && given !== earlier.backup.key) {
      io.error(
        'FAILOVER_BACKUP_RECORDED',
        `--backup ${options.backup}: the standby's apply began with s3://${earlier.backup.bucket}/${earlier.backup.key} (${join(options.root, FAILOVER_RECORD)}), and its module restores that file; a rerun continues with it. To restore another, tear the standby down first (npm run teardown -- --dir ${join(options.root, 'cdktf.out', 'stacks', options.stack)}) and remove ${join(options.root, FAILOVER_RECORD)}. Nothing was changed.`,
      );
      return 2;
    }
    const allowed = allowedAgeMinutes(settings);
    return {
      backup: earlier.backup,
      file: earlier.file,
      standby: { region, rpoMinutes: ageMinutes(earlier.backup.lastModified, Date.now()), allowedMinutes: allowed.minutes },
    };
  }
  const found = await standbyBackup(aws, production, settings, options.settingsPath, FAILOVER_STANDBY, options.stack, options.backup);
  if ('refused' in found) {
    io.error(found.why, `${found.refused} Nothing was changed.`);
    return found.code;
  }
  return found;
}

/**
 * The primary probed (primary-probe.ts) and what that allows: `down` goes on; `serving` and `unknown` stop unless the
 * person says it is lost (`--primary-lost`); an interrupted probing stops (130). The report's summary, or an exit code.
 */
async function decidePrimary(
  options: FailoverOptions,
  production: ProductionDeployment,
  rpo: number,
): Promise<NonNullable<FailoverReport['primary']> | number> {
  const { io } = options;
  const url = production.url!;
  const probed = await probePrimary({
    url,
    loadBalancer: production.loadBalancer,
    schedule: options.probes ?? defaultProbeSchedule(),
    interrupted: options.interrupted,
    stop: options.stop,
  });
  const { verdict, probes, seconds, targets, why } = probed;
  const summary = { verdict, probes, seconds, targets, why };
  const asked = `${probes} probes of ${url}/ping over ${seconds} s at ${targets.join(' and ')}`;
  if (probed.interrupted) {
    io.error(
      'FAILOVER_PRIMARY_UNKNOWN',
      `The probes of the primary were interrupted (${why}): whether it serves is not known. Nothing was changed.`,
      {
        exitCode: 130,
        ...summary,
      },
    );
    return 130;
  }
  if (verdict === 'down') {
    io.info('FAILOVER_PRIMARY_DOWN', `The primary in ${production.region} is down: ${asked}, none answered (last: ${why}).`, summary);
    return summary;
  }
  if (options.primaryLost) {
    io.warn(
      verdict === 'serving' ? 'FAILOVER_PRIMARY_ANSWERS_LOST' : 'FAILOVER_PRIMARY_UNKNOWN_LOST',
      `${verdict === 'serving' ? `The primary answers (${why})` : `Whether the primary serves is not known (${why})`}, and --primary-lost says it is lost: proceeding.`,
      summary,
    );
    return summary;
  }
  if (verdict === 'serving')
    io.error(
      'FAILOVER_PRIMARY_ANSWERS',
      `${url}/ping answers pong: the primary in ${production.region} still serves (${why}). A failover now would move its users to a copy ${rpo} minutes old. If it is lost all the same (it answers, but cannot be used), run again with --primary-lost. Nothing was changed.`,
      summary,
    );
  else
    io.error(
      'FAILOVER_PRIMARY_UNKNOWN',
      `Whether the primary in ${production.region} serves is not known: ${asked}, and ${why}. A failover goes on by itself only when every probe fails at both. Look at the primary; if it is lost, run again with --primary-lost. Nothing was changed.`,
      summary,
    );
  return 1;
}

interface Run {
  readonly options: FailoverOptions;
  readonly settings: Record<string, unknown>;
  readonly production: FailoverProduction;
  readonly report: FailoverReport;
  readonly phase: PhaseRun<FailoverPhase>;
  readonly moduleDir: string;
  readonly clients: { of: ClientsOfRegion };
  readonly current: FailoverRecord;
  readonly setMoved: (by: MovedBy, written?: RecordSet) => void;
  /** A hosted zone's batch accepted (the record lists it at once: a rerun knows the name leads there to the standby). */
  readonly zoneMoved: (zoneId: string) => void;
  /** How the standby restores, decided (the record keeps it for a rerun). */
  readonly inPlaceDecided: (inPlace: boolean) => void;
}

async function runPhases(r: Run): Promise<void> {
  const { options, production, report, current } = r;
  const url = production.url!;
  const caFile = join(options.root, 'served-ca.pem');
  if (!current.moved) await beforeTheMove(r, caFile);
  await r.phase('ping', async () => {
    await answersPong(options, trustOf(caFile), url, `${url}/ping`);
    // From the failover's first start (a rerun continues it).
    report.rtoSeconds = Math.round((Date.now() - Date.parse(current.startedAt)) / 1000);
  });
}

/** The standby made, checked, and the records moved to it. */
async function beforeTheMove(r: Run, caFile: string): Promise<void> {
  const { options, production, report, moduleDir, current } = r;
  const settingsFile = join(options.root, 'settings.json');
  const outdir = join(options.root, 'cdktf.out');
  const url = production.url!;
  const host = new URL(url).host;
  let inPlace = current.inPlace;
  await r.phase('synth', async (phase) => {
    // Its state in the standby region's bucket that production's apply made (pilot-light.ts).
    const state = await standbyStateOf(options, r.clients.of(current.region), production.name, current.region);
    // Decided once per failover (a rerun keeps its module): a standby a failback kept restores in place.
    if (inPlace === undefined) r.inPlaceDecided((inPlace = await restoredBefore({ ...options, moduleDir })));
    if (inPlace) phase.detail("Rancher's in-place restore: the standby's cluster restored a backup before (a failback kept it)");
    const standby = standbySettings(r.settings, {
      name: current.name,
      region: current.region,
      file: current.file,
      bucket: current.backup.bucket,
      productionName: production.name,
      stack: options.stack,
      state,
      inPlace,
    });
    writeFileSync(settingsFile, `${JSON.stringify(standby, null, 2)}\n`);
    await synthesize({ ...options, settingsFile, outdir, what: 'the standby deployment' });
    const json = readModuleJson(moduleDir);
    const problems = json ? standbyModuleProblems(json, moduleDir, options.root, state, current.region) : [`no ${join(moduleDir, 'cdk.tf.json')}`];
    if (problems.length > 0) throw new StepFailed(`the synthesized standby is not safe to apply beside production: ${problems.join('; ')}`);
  });
  // The restore's variable (production's encryption configuration, a secret) for the apply's terraform alone, through
  // its environment: never on a command line, and gone from this process once the apply ended.
  await r.phase('apply', async (phase) => {
    await withEnvironment({ [`TF_VAR_${RESTORE_VARIABLE}`]: production.backupEncryptionConfig }, async () => {
      // Prepared (pilot-light.ts): what is left, reading nothing of the pilot light (no control-plane read either).
      const apply = await failoverApplyArgs(moduleDir, {
        ...options,
        caller: async () => (await (await sdkSide()).callerIdentity(r.clients.of(current.region))).arn,
      });
      // In place, a second apply: the restore pruned the standby's own Secrets, which Terraform makes again (in-place-restore.ts).
      for (const args of inPlace ? [apply, replacingPruned(apply, readModuleJson(moduleDir) ?? {})] : [apply])
        await initAndApply(moduleDir, {
          ...options,
          apply: args,
          applyTimeoutMs: options.applyTimeoutMs ?? FAILOVER_APPLY_TIMEOUT_MS,
          failed: 'the standby deployment is not complete (run the failover again to continue)',
          output: options.io.lines('FAILOVER_TERRAFORM_OUTPUT'),
        });
    });
    // A standby a failback kept has Rancher at 0 replicas, which its apply leaves so: started again (kept-standby.ts).
    const started = await startKeptStandby({ stack: options.stack, module: moduleDir, root: options.root });
    if (started.warning) options.io.warn('FAILOVER_STANDBY_RANCHER_UNCHECKED', started.warning);
    phase.detail(started.detail);
  });
  const state = await new Terraform(moduleDir).pull();
  const target = options.stack === 'k8s-ha' ? ingressTargetOf(state, production, !isApex(host, r.settings.hostedZone)) : nlbTargetOf(state);
  const at = target.kind === 'A' ? target.address : target.dnsName;
  Object.assign(report.standby, { loadBalancer: at });
  await r.phase('check', () =>
    checkServedCa({
      ...options,
      url,
      loadBalancer: at,
      expected: report.ca.expected!,
      caFile,
      who: 'the standby',
      left: `The record was not moved; the standby is left up for you to look at (${moduleDir}).`,
      seen: (served) => (report.ca.served = served),
    }),
  );
  await r.phase('move', async () => {
    // The records production's state owns, as its facts in the standby region hold them: the move points them elsewhere.
    const owned = production.facts.records.filter((a) => String(a.attributes.name).replace(/\.$/, '') === host);
    // The marker production honours (fence.ts), in the standby region, once the records are known and before they move.
    const fence = () =>
      raiseFence(r.clients.of(current.region), {
        productionName: production.name,
        stack: options.stack,
        marker: {
          since: new Date().toISOString(),
          standby: { name: current.name, region: current.region },
          backup: { bucket: current.backup.bucket, key: current.backup.key },
        },
        io: options.io,
        tags: operationTags(r.settings.tags, `${production.name}-${options.stack}`),
      });
    if (failoverRouted(owned)) {
      // Failover routing (dns-move.ts): the metric of the standby region moves the name; no Route 53 call.
      const parameter = `/${production.name}/${options.stack}${STANDBY_TARGET_PARAMETER}`;
      const problem = secondaryProblem(owned, target, host, `${parameter} (${current.region})`);
      if (problem) throw new StepFailed(problem);
      await fence();
      const metric = failedOverMetric(production.name, options.stack);
      await moveByMetric({
        clients: r.clients.of(current.region),
        metric,
        to: 'standby',
        region: current.region,
        minutes: options.syncMinutes ?? SYNC_MINUTES,
        interrupted: options.interrupted,
        written: () => {
          report.records = [
            `${host}: ${metric.namespace} ${metric.metricName} 1 in ${current.region}, its alarm ${metric.alarmName} in ALARM: the PRIMARY records' health check unhealthy, the SECONDARY ones (to ${at}) answer`,
          ];
          r.setMoved('metric');
        },
      });
      return;
    }
    options.io.warn('FAILOVER_MOVE_GLOBAL', globalMoveWarning('failover', options.stack));
    const sdk = await sdkSide();
    const budget = { budgetMs: (options.syncMinutes ?? SYNC_MINUTES) * 60_000, interrupted: options.interrupted, zoneMoved: r.zoneMoved };
    let moved: { changeIds: string[]; inSync: boolean };
    if (options.stack === 'k8s-ha') {
      // k8s-ha's one record, of the type the standby's target needs: an A alias, an A, or a CNAME (the others of the
      // name deleted in the same batch, hostname-record.ts).
      const current = owned.map(recordSetOfState).filter((x) => x !== undefined);
      const zoneId = owned.find((x) => recordSetOfState(x) !== undefined)?.attributes.zone_id;
      if (current.length === 0 || typeof zoneId !== 'string')
        throw new StepFailed(`production's state holds no A or CNAME record of ${host}: nothing to move`);
      const wanted = recordSetFor(host, target);
      await fence();
      moved = await sdk.changeRecordSets(r.clients.of(production.region), [{ zoneId, changes: recordMove(current, wanted) }], budget, () => {
        report.records = [
          `${describeRecordSet(wanted)} in ${zoneId}${current.some((c) => c.Type !== wanted.Type) ? ` (replacing ${current.map(describeRecordSet).join('; ')})` : ''}`,
        ];
        r.setMoved('records', wanted);
      });
    } else {
      if (target.kind !== 'alias') throw new StepFailed("the standby's load balancer is not an NLB");
      const records: AliasRecordChange[] = owned
        .map((resource) => resource.attributes)
        .filter((a) => a.type === 'A' || a.type === 'AAAA')
        .map((a) => ({
          zoneId: String(a.zone_id),
          name: host,
          type: a.type as 'A' | 'AAAA',
          target: { dnsName: target.dnsName, zoneId: target.zoneId },
        }));
      if (records.length === 0)
        throw new StepFailed(`production's state holds no A record of ${host}: nothing to move (DNS round robin is not failed over)`);
      await fence();
      moved = await sdk.moveAliasRecords(r.clients.of(production.region), records, budget, () => {
        report.records = records.map((rec) => `${rec.type} ${rec.name} in ${rec.zoneId} -> ${rec.target.dnsName}`);
        r.setMoved('records');
      });
    }
    if (!moved.inSync)
      throw new StepFailed(`Route 53 did not report ${moved.changeIds.join(', ')} INSYNC within ${options.syncMinutes ?? SYNC_MINUTES} minutes`);
  });
}

/** rke-ha's standby: its NLB, an alias target. */
function nlbTargetOf(state: ModuleState): RecordTarget {
  const lbAttributes = managed(state, 'aws_lb')[0]?.attributes;
  const lb = { dnsName: stringAttribute(lbAttributes?.dns_name), zoneId: stringAttribute(lbAttributes?.zone_id) };
  if (!lb.dnsName || !lb.zoneId) throw new StepFailed("the standby's state holds no load balancer with a DNS name and zone");
  return { kind: 'alias', dnsName: lb.dnsName, zoneId: lb.zoneId };
}

/**
 * k8s-ha's standby: where its record would lead (hostname-record.ts). Made without its record, its state looks up no
 * canonical zone: an AWS load balancer's name gets a CNAME (below the zone's apex; at the apex it is refused, the record
 * not moved). Production's own target refused.
 */
function ingressTargetOf(state: ModuleState, production: ProductionDeployment, cname: boolean): RecordTarget {
  const { address, target, problem } = ingressTargetOfState(state, { cname });
  if (!target) throw new StepFailed(`the standby's state holds ${problem}`);
  if (production.ingressTarget?.toLowerCase() === address.toLowerCase())
    throw new StepFailed(
      `the standby's ingress target ${address} is production's: standby.k8sHa.access reaches production's cluster. The record was not moved`,
    );
  return target;
}

/**
 * The report as one message, and what the primary left. What production's state owns of the hostname depends on how
 * the name moved (the record's `movedBy`): by failover routing its records are as production's apply left them, and
 * the SECONDARY leads to the standby; by a Route 53 change (records made before failover routing) they lead there.
 */
function describe(io: IoHost, report: FailoverReport, current: FailoverRecord, production: FailoverProduction, stack: string): void {
  io.info(
    'FAILOVER_REPORT',
    [
      `Failover of ${report.production.name} (${report.production.region}) to ${report.standby.name} in ${report.standby.region}:`,
      ...report.phases.map((p) => `  ${p.phase}: ${p.status}${p.seconds !== undefined ? ` (${p.seconds} s)` : ''}${p.detail ? `: ${p.detail}` : ''}`),
      `  backup restored: s3://${report.backup.bucket}/${report.backup.key}; data lost (RPO): ${report.rpoMinutes} minutes`,
      report.rtoSeconds !== undefined
        ? `  recovery (RTO, from the command's start to pong on ${report.production.url}): ${report.rtoSeconds} s`
        : '  recovery (RTO): not reached',
      `  CA: recorded ${report.ca.expected ?? '(unknown)'}, served ${report.ca.served ?? '(not asked)'}`,
      ...afterMoveLines(report.importedClusters, report.standbyBackups),
      ...report.records.map((r) => `  moved: ${r}`),
    ].join('\n'),
  );
  if (!current.moved) return;
  const host = new URL(report.production.url!).host;
  const byMetric = (current.movedBy ?? (failoverRouted(production.facts.records) ? 'metric' : 'records')) === 'metric';
  // The records way moved one record set per type (rke-ha's A and AAAA with dual stack), each a line of the report.
  const plural = byMetric || report.records.length > 1;
  const records = byMetric
    ? `its state still owning ${host}'s records, unchanged: failover routing, whose PRIMARY stays unhealthy while the alarm ${failedOverMetric(production.name, stack).alarmName} in ${report.standby.region} is in ALARM, so the SECONDARY, which leads to the standby, answers`
    : `its state still owning ${host}'s record${plural ? 's, which now point' : ', which now points'} at the standby (moved by a Route 53 change: made before failover routing)`;
  io.warn(
    'FAILOVER_PRIMARY_LEFT',
    `Left in ${production.region}: production's module and state (${production.dir}) untouched, its servers as the region left them, and ${records}. The fence in ${report.standby.region} (${fenceParameterName(production.name, stack)}) holds until the failback removes it: production's plan refuses to change the record${plural ? 's' : ''}${stack === 'rke-ha' ? ", and production's servers keep Rancher at 0 replicas when the region returns" : ", and the guard in production's cluster (the CronJob rancher-aws-failover-fence/rancher-aws-failover-fence) keeps Rancher at 0 replicas when it answers again; a production applied before 0.5.0 has none: scale its Rancher to 0 (kubectl -n cattle-system scale deployment rancher --replicas=0) then"} (docs/failover.md).`,
  );
}
