import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { longestGapMinutes } from '../../lib/alarms/schedule-window';
import { DEFAULT_BACKUP_SCHEDULE } from '../../lib/config/backup-file';
import type { AwsClients, ClientsOfRegion } from '../shared/aws/clients';
import type { FailbackEntry, FailoverEntry } from '../shared/command-entries';
import type { IoHost } from '../shared/io/io-host';
import { Interrupted } from '../shared/poll';
import { keepingEnvironment } from '../shared/scoped-environment';
import { StepFailed } from '../shared/throwaway';
import { OUTAGE_SECONDS, outagePolicy, outageReach } from './acceptance-outage';
import { toldDuring } from './acceptance-progress';

// The acceptance run's failover phase (docs/acceptance.md): a failover rehearsed, not hoped for. The standby's pilot
// light prepared as docs/failover.md has it after each deploy (the failover command's --prepare, with the run's own
// credentials, the primary's region up), production applied again (its plan reads the standby-target the prepare
// wrote: the SECONDARY records of the hostname, without which the failover by the metric is refused), the primary's servers stopped as a lost region leaves them, the failover
// command, the downstream cluster Active against the standby, RTO and RPO held to their budgets, the servers started
// again (the region back), the failback (the product's own: it stops the standby's Rancher and backs it up itself, no
// step of the run's before it), Rancher and the downstream cluster again. Each step is recorded in the run's record
// before the next: a second run of the phase over the same record continues where the first stopped and never fails
// over twice.

// The SDK's side, loaded when the phase runs: the CLI's main bundle carries no SDK (scripts/build.js).
const sdkSide = () => import('../shared/aws/sdk-side');

/** The recovery time a failover may take with the defaults: 30 minutes (docs/acceptance.md, the failover phase). */
export const RTO_BUDGET_SECONDS = 30 * 60;

/** What the run's record keeps of the phase (run.json `failover`): the folders first, then each step once done. */
export interface FailoverPhaseRecord {
  /** The failover's folder: its record, the standby's module and state (the teardown removes that deployment). */
  readonly root: string;
  /** The failback's folder. */
  readonly failbackRoot: string;
  /** The failover command's --prepare passed (in `root`, as the failover's own folder): the pilot light is up. */
  readonly prepared?: boolean;
  /** Production applied after the prepare: its plan read the standby-target, its SECONDARY records lead to the standby. */
  readonly productionApplied?: boolean;
  /** The primary's instances the phase stopped (recorded before the stop; started again before the failback). */
  readonly stopped?: readonly string[];
  /** The failover ended passing, with its report's figures. */
  readonly failedOver?: Figures;
  /** The failback ended passing, with its report's figures. */
  readonly failedBack?: Figures;
}

interface Figures {
  readonly rtoSeconds?: number;
  readonly rpoMinutes?: number;
  /** The backup the command restored (`s3://<bucket>/<key>`): what the RPO is the age of. */
  readonly backup?: string;
}

/** The phase's figures in the acceptance report (`failover`): each held to its budget; a breach is named. */
export interface FailoverFigures {
  readonly standbyRegion: string;
  readonly rtoSeconds?: number;
  readonly rtoBudgetSeconds: number;
  readonly rpoMinutes?: number;
  /** The replicated backup the failover restored (`s3://<bucket>/<key>`), whose age is the RPO. */
  readonly backup?: string;
  /** The longest gap between two runs of backups.schedule: a failover must lose no more than one interval. */
  readonly rpoBudgetMinutes: number;
  readonly schedule: string;
  readonly failbackRtoSeconds?: number;
  readonly failbackRpoMinutes?: number;
  /** The standby's backup the failback restored (`s3://<bucket>/<key>`). */
  readonly failbackBackup?: string;
  /** Each budget the figures broke, with the figure and the budget. */
  readonly breaches: readonly string[];
}

export interface FailoverPhaseOptions {
  readonly stack: string;
  /** The run's module folder (production's). */
  readonly productionDir: string;
  /** The run's settings file (production's, with standby.region). */
  readonly settingsFile: string;
  readonly settings: Record<string, unknown>;
  readonly standbyRegion: string;
  readonly runDir: string;
  readonly synthScript: string;
  readonly pingMinutes?: number;
  /** The deployment's instances (its state): what a lost region takes down. */
  readonly instanceIds: () => Promise<readonly string[]>;
  /** SDK clients of the primary's region. */
  readonly clients: AwsClients;
  /** How long to wait for each instance to stop or start. @default 10 minutes */
  readonly instanceBudgetMs?: number;
  readonly pauseMs?: number;
  readonly commands: { readonly failover: FailoverEntry; readonly failback: FailbackEntry };
  /**
   * Production's apply in its module folder, as the run's deploy applies it (acceptance-phases.ts): after the first
   * prepare its plan reads the standby-target parameter and makes the hostname's SECONDARY records (docs/failover.md:
   * deploy, prepare, deploy again). Throws StepFailed when it fails.
   */
  readonly applyProduction: () => Promise<void>;
  /**
   * The primary's region denied to the failover command (acceptance-outage.ts): it runs with `role`'s temporary
   * credentials whose session policy denies `region`, given through its environment and its SDK clients (of the
   * run's settings, `clientsOf`: the SDK's defaults when not given). The rest of the run keeps its own credentials.
   */
  readonly outage?: { readonly role: string; readonly region: string; readonly clientsOf?: ClientsOfRegion };
  readonly record: () => FailoverPhaseRecord | undefined;
  readonly update: (record: FailoverPhaseRecord) => void;
  /** The downstream cluster Active with its agent connected (the run's check, against the hostname). */
  readonly checkDownstream: (label: string) => Promise<void>;
  /** Rancher's /ping on the hostname, trusted with its CA. */
  readonly rancherAnswers: () => Promise<string>;
  readonly figures: (figures: FailoverFigures) => void;
  readonly evidence: (line: string) => void;
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
  readonly io: IoHost;
}

/** The RPO budget: the longest gap between two runs of the settings' backups.schedule (the default's when unset). */
export function rpoBudget(settings: Record<string, unknown>): { readonly minutes: number; readonly schedule: string } {
  const backups = settings.backups as { schedule?: unknown } | undefined;
  const schedule = typeof backups?.schedule === 'string' ? backups.schedule : DEFAULT_BACKUP_SCHEDULE;
  return { minutes: longestGapMinutes(schedule) ?? (longestGapMinutes(DEFAULT_BACKUP_SCHEDULE) as number), schedule };
}

/** The budgets the failover's figures broke, each with its figure and budget (none when the figures hold). */
export function breaches(
  figures: Figures,
  budget: { readonly rtoSeconds: number; readonly rpoMinutes: number; readonly schedule: string },
): string[] {
  const broken: string[] = [];
  if (figures.rtoSeconds === undefined) broken.push('the failover reported no RTO');
  else if (figures.rtoSeconds > budget.rtoSeconds) broken.push(`RTO ${figures.rtoSeconds} s is over its budget of ${budget.rtoSeconds} s`);
  if (figures.rpoMinutes === undefined) broken.push('the failover reported no RPO');
  else if (figures.rpoMinutes > budget.rpoMinutes)
    broken.push(`RPO ${figures.rpoMinutes} min is over its budget of ${budget.rpoMinutes} min (backups.schedule "${budget.schedule}")`);
  return broken;
}

export async function failoverPhase(o: FailoverPhaseOptions): Promise<void> {
  let current: FailoverPhaseRecord = o.record() ?? { root: join(o.runDir, 'failover'), failbackRoot: join(o.runDir, 'failback') };
  const save = (change: Partial<FailoverPhaseRecord>) => o.update((current = { ...current, ...change }));
  // The folders first: a kill from here on leaves a standby the teardown must find.
  save({});
  const budget = { budgetMs: o.instanceBudgetMs ?? 10 * 60_000, pauseMs: o.pauseMs, interrupted: o.interrupted };
  if (current.failedOver) o.evidence(`the failover passed in an earlier run of this phase (${current.root}): not run again`);
  else {
    // The pilot light first, in the failover's folder (its module and state are the failover's), once: a record with
    // the servers stopped is past it (and the prepare refuses once the failover's record exists).
    if (!current.prepared && !current.stopped) {
      await command(
        o,
        'failover',
        () =>
          o.commands.failover({
            stack: o.stack,
            productionDir: o.productionDir,
            settingsPath: o.settingsFile,
            root: current.root,
            synthScript: o.synthScript,
            yes: true,
            prepare: true,
            interrupted: o.interrupted,
            stop: o.stop,
            io: o.io,
          }),
        '--prepare',
      );
      save({ prepared: true });
    }
    // Production again, as a person does after the first prepare: its plan reads the standby-target just written and
    // makes the SECONDARY records the failover's metric moves the name to. Once, and not on a record past the stop.
    if (!current.productionApplied && !current.stopped) {
      await o.applyProduction();
      if (o.interrupted()) throw new Interrupted();
      save({ productionApplied: true });
      o.evidence(
        `terraform apply of production (${o.productionDir}) after the prepare: its plan reads the standby-target for the hostname's SECONDARY records`,
      );
    }
    const ids = current.stopped ?? (await o.instanceIds());
    if (ids.length === 0) throw new StepFailed("the deployment's state holds no instance to stop");
    save({ stopped: ids });
    for (const id of ids) {
      const { stopped, state } = await (await sdkSide()).stopInstance(o.clients, id, budget);
      if (!stopped) throw new StepFailed(`the primary's instance ${id} did not stop within ${budget.budgetMs / 60_000} minutes (${state})`);
    }
    o.evidence(`EC2 StopInstances of the primary's ${ids.length} instances (${ids.join(', ')}): stopped, as a lost region leaves them`);
    await command(o, 'failover', () =>
      asOutage(o, (clients) =>
        o.commands.failover({
          stack: o.stack,
          productionDir: o.productionDir,
          settingsPath: o.settingsFile,
          root: current.root,
          synthScript: o.synthScript,
          yes: true,
          pingMinutes: o.pingMinutes,
          interrupted: o.interrupted,
          stop: o.stop,
          io: o.io,
          ...(clients ? { clients } : {}),
        }),
      ),
    );
    save({ failedOver: figuresOf(current.root, 'failover') });
  }
  const rpo = rpoBudget(o.settings);
  const broken = breaches(current.failedOver!, { rtoSeconds: RTO_BUDGET_SECONDS, rpoMinutes: rpo.minutes, schedule: rpo.schedule });
  const report = (): FailoverFigures => ({
    standbyRegion: o.standbyRegion,
    rtoSeconds: current.failedOver?.rtoSeconds,
    rtoBudgetSeconds: RTO_BUDGET_SECONDS,
    rpoMinutes: current.failedOver?.rpoMinutes,
    backup: current.failedOver?.backup,
    rpoBudgetMinutes: rpo.minutes,
    schedule: rpo.schedule,
    failbackRtoSeconds: current.failedBack?.rtoSeconds,
    failbackRpoMinutes: current.failedBack?.rpoMinutes,
    failbackBackup: current.failedBack?.backup,
    breaches: broken,
  });
  o.figures(report());
  o.evidence(
    `failover to ${o.standbyRegion}: RTO ${current.failedOver!.rtoSeconds ?? '(none)'} s (budget ${RTO_BUDGET_SECONDS} s), RPO ${current.failedOver!.rpoMinutes ?? '(none)'} min (budget ${rpo.minutes} min, the longest gap of backups.schedule "${rpo.schedule}")`,
  );
  if (!current.failedBack) {
    await o.checkDownstream(`failover to ${o.standbyRegion}`);
    for (const id of current.stopped ?? []) {
      const { running, state } = await (await sdkSide()).startInstance(o.clients, id, budget);
      if (!running) throw new StepFailed(`the primary's instance ${id} did not start within ${budget.budgetMs / 60_000} minutes (${state})`);
    }
    o.evidence(`EC2 StartInstances of the primary's ${current.stopped?.length ?? 0} instances: running, the region back`);
    await command(o, 'failback', () =>
      o.commands.failback({
        stack: o.stack,
        productionDir: o.productionDir,
        settingsPath: o.settingsFile,
        failoverRoot: current.root,
        root: current.failbackRoot,
        synthScript: o.synthScript,
        yes: true,
        // The run's own teardown removes the standby whole, its buckets too (a run leaves nothing); the failback's
        // teardown would keep those buckets guarded, as it must for a real standby.
        keepStandby: true,
        pingMinutes: o.pingMinutes,
        interrupted: o.interrupted,
        stop: o.stop,
        io: o.io,
      }),
    );
    save({ failedBack: figuresOf(current.failbackRoot, 'failback') });
    o.figures(report());
    o.evidence(`failback: RTO ${current.failedBack!.rtoSeconds ?? '(none)'} s, RPO ${current.failedBack!.rpoMinutes ?? '(none)'} min`);
  }
  o.evidence(await o.rancherAnswers());
  await o.checkDownstream('failback');
  if (broken.length > 0) throw new StepFailed(`the failover broke its budgets: ${broken.join('; ')}`);
}

/** The variables the SDK and Terraform take credentials from: the profile unset, so that the keys are the ones used. */
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

/**
 * Runs the failover under the outage (o.outage): the role's credentials with the primary's region denied, in this
 * process's environment for the commands it starts (Terraform) and in SDK clients of their own (the run's are made
 * once per process from its own credentials), both put back as they were after it. Without o.outage, as it is.
 */
async function asOutage(o: FailoverPhaseOptions, run: (clients: ClientsOfRegion | undefined) => Promise<number>): Promise<number> {
  if (!o.outage) return run(undefined);
  const { role, region, clientsOf } = o.outage;
  const sdk = await sdkSide();
  const sessionName = `rancher-aws-outage-${basename(o.runDir)}`.slice(0, 64);
  const credentials = await sdk.assumeRoleWithPolicy(o.clients, {
    roleArn: role,
    sessionName,
    policy: outagePolicy(region),
    seconds: OUTAGE_SECONDS,
  });
  o.evidence(
    `the failover ran with ${role}'s temporary credentials (session ${sessionName}, ${OUTAGE_SECONDS / 60} minutes), whose session policy denies ${outageReach(region)} (aws:RequestedRegion): the rest of the run keeps its own`,
  );
  const made = new Map<string, AwsClients>();
  const clients: ClientsOfRegion = (r) => {
    let found = made.get(r);
    if (found === undefined)
      made.set(r, (found = clientsOf ? clientsOf(r).withCredentials(credentials) : new sdk.AwsClients({ region: r, credentials })));
    return found;
  };
  try {
    return await keepingEnvironment(CREDENTIAL_VARIABLES, () => {
      delete process.env.AWS_PROFILE;
      process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
      process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
      return run(clients);
    });
  } finally {
    for (const c of made.values()) c.destroy();
  }
}

/** One command of the phase, as a person runs it: its exit code in the evidence; anything but 0 fails the phase. */
async function command(o: FailoverPhaseOptions, what: 'failover' | 'failback', run: () => Promise<number>, option = '--yes'): Promise<void> {
  const { code, texts } = await toldDuring(o.io, run);
  if (o.interrupted()) throw new Interrupted();
  o.evidence(`rancher-ha-aws ${what} ${o.stack} ${option}: exit ${code}`);
  if (code !== 0)
    throw new StepFailed(`the ${what}${option === '--yes' ? '' : ` ${option}`} ended with exit ${code}: ${texts[texts.length - 1] ?? ''}`);
}

/**
 * RTO, RPO and the backup restored from the newest report the command wrote in its folder (`report-<time>.json`,
 * FailoverReport and FailbackReport: rtoSeconds, rpoMinutes, backup), whichever run of it passed last.
 */
function figuresOf(root: string, what: string): Figures {
  const files = existsSync(root) ? readdirSync(root).filter((f) => /^report-.*\.json$/.test(f)) : [];
  for (const file of files.sort().reverse()) {
    const report = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
      passed?: boolean;
      rtoSeconds?: unknown;
      rpoMinutes?: unknown;
      backup?: { bucket?: unknown; key?: unknown };
    };
    if (report.passed !== true) continue;
    const number = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const { bucket, key } = report.backup ?? {};
    const backup = typeof bucket === 'string' && typeof key === 'string' ? `s3://${bucket}/${key}` : undefined;
    return { rtoSeconds: number(report.rtoSeconds), rpoMinutes: number(report.rpoMinutes), ...(backup ? { backup } : {}) };
  }
  throw new StepFailed(`the ${what} passed, and ${root} holds no passing report of it to read RTO and RPO from`);
}
