import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FailoverFigures, failoverPhase, type FailoverPhaseRecord, RTO_BUDGET_SECONDS } from '../../../cli/acceptance/acceptance-failover';
import type { FailbackEntry, FailoverEntry } from '../../../cli/shared/command-entries';
import { IoHost } from '../../../cli/shared/io/io-host';
import { StateFile } from '../../../cli/shared/state-file';
import { StepFailed } from '../../../cli/shared/throwaway';
import { FakeAws } from '../../helpers/fake-aws/fake-aws';

/**
 * The acceptance run's failover phase against stand-ins of the commands it runs and of EC2:
 * - EC2: the fake AWS (helpers/fake-aws, README.md "EC2"): StopInstances and StartInstances through the real SDK clients;
 * - the failover and failback commands: each, as cli/failover/failover.ts and cli/failback/failback.ts do, writes
 *   `report-<time>.json` in its folder (FailoverReport, FailbackReport: passed, rtoSeconds, rpoMinutes) and returns
 *   its exit code; the failover, as its own record makes it (FAILOVER_ALREADY_DONE), changes nothing when run again
 *   after it passed. Each stand-in counts its runs and says whether the primary's instances were stopped then.
 *   The failback, as cli/failback/failback.ts does (FAILBACK_NO_STANDBY_BACKUP), refuses with exit 1 while the
 *   standby's bucket holds no backup, and otherwise restores the newest there (its report's backup);
 * - the one-time backup in the standby (acceptance-phases.ts takeBackup against the standby's module): it writes one
 *   backup to the standby's bucket, or ends as takeBackup does when the operator names no file in time.
 * The run's record is a real StateFile (run.json): the second run of the phase reads what the first wrote.
 */

const SERVERS = ['i-server0', 'i-server1', 'i-server2'];
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'acceptance-failover-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A report as the command writes it, in its folder. */
function writeReport(
  root: string,
  report: { passed: boolean; rtoSeconds?: number; rpoMinutes: number; backup?: { bucket: string; key: string } },
): void {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, `report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ version: 1, ...report }));
}

interface Case {
  readonly rtoSeconds?: number;
  readonly rpoMinutes?: number;
  /** The failback's end: its exit code, or a kill (it throws, as the process would end there). */
  readonly failback?: 'passes' | 'killed';
  readonly schedule?: string;
  /** The standby's one-time backup: written, or ended as takeBackup ends when the operator names no file in time. */
  readonly backup?: 'written' | 'never written' | 'killed while waited for';
}

function phaseWorld(c: Case = {}) {
  const aws = new FakeAws();
  for (const id of SERVERS) aws.ec2.addInstance(id);
  const record = new StateFile<{ failover?: FailoverPhaseRecord }>(join(dir, 'run.json'));
  const seen = {
    failovers: 0,
    failbacks: 0,
    stoppedAtFailover: [] as string[],
    runningAtFailback: [] as string[],
    downstream: [] as string[],
    backups: [] as { root: string; failbacksBefore: number; adopt: boolean }[],
    restored: [] as string[],
  };
  /** The standby's bucket: the keys of its backups, oldest first. */
  const standbyBucket: string[] = [];
  const evidence: string[] = [];
  let figures: FailoverFigures | undefined;
  const state = (id: string) => aws.ec2.instances.get(id)!.state;
  const failover: FailoverEntry = async (o) => {
    if (record.read()?.failover?.failedOver === undefined && seen.failovers > 0) throw new Error('a second failover');
    seen.failovers += 1;
    seen.stoppedAtFailover = SERVERS.filter((id) => state(id) === 'stopped');
    writeReport(o.root, {
      passed: true,
      rtoSeconds: c.rtoSeconds ?? 1260,
      rpoMinutes: c.rpoMinutes ?? 42,
      backup: { bucket: 'standby-copy', key: 'rancher/rancher-aws-scheduled-1.tar.gz.enc' },
    });
    return 0;
  };
  const failback: FailbackEntry = async (o) => {
    seen.failbacks += 1;
    // The run's teardown removes the standby whole (its buckets too): the failback leaves it up for that.
    expect(o.keepStandby).toBe(true);
    seen.runningAtFailback = SERVERS.filter((id) => state(id) === 'running');
    if (c.failback === 'killed' && seen.failbacks === 1) throw new Error('killed');
    const newest = standbyBucket[standbyBucket.length - 1];
    if (newest === undefined) {
      o.io.error('FAILBACK_NO_STANDBY_BACKUP', "No backup in s3://standby-backups/rancher/, the standby's own. Nothing was changed.");
      return 1;
    }
    seen.restored.push(newest);
    writeReport(o.root, { passed: true, rtoSeconds: 1500, rpoMinutes: 20, backup: { bucket: 'standby-backups', key: newest } });
    return 0;
  };
  const run = () =>
    failoverPhase({
      stack: 'rke-ha',
      productionDir: join(dir, 'module'),
      settingsFile: join(dir, 'settings.json'),
      settings: c.schedule ? { backups: { schedule: c.schedule } } : {},
      standbyRegion: 'us-west-2',
      runDir: dir,
      synthScript: 'synth.js',
      instanceIds: async () => SERVERS,
      clients: aws.clients(),
      pauseMs: 0,
      commands: { failover, failback },
      standbyBackup: async (root, adopt) => {
        seen.backups.push({ root, failbacksBefore: seen.failbacks, adopt });
        // The process ends while the operator writes it: the Backup exists, its file not yet.
        if (c.backup === 'killed while waited for' && seen.backups.length === 1) throw new Error('killed');
        if (c.backup === 'never written')
          throw new StepFailed('the Backup rancher-aws-acceptance wrote no file within 15 minutes (no file name yet)');
        const key = `rancher/rancher-aws-acceptance-${seen.backups.length}.tar.gz.enc`;
        standbyBucket.push(key);
        return [`s3://standby-backups/${key}: 4100 bytes`];
      },
      record: () => record.read()?.failover,
      update: (failover) => record.write({ ...record.read(), failover }),
      checkDownstream: async (label) => void seen.downstream.push(label),
      rancherAnswers: async () => 'pong',
      figures: (f) => (figures = f),
      evidence: (line) => evidence.push(line),
      interrupted: () => false,
      io: new IoHost({ message: () => undefined, status: () => undefined, close: () => undefined }),
    });
  return { aws, record, seen, evidence, standbyBucket, run, figures: () => figures };
}

describe("the acceptance run's failover phase", () => {
  it('stops the primary, fails over, sees the downstream cluster against the standby, starts the primary, takes a backup in the standby, fails back from it, and reports RTO and RPO against their budgets', async () => {
    const w = phaseWorld();
    await w.run();
    expect(w.seen).toEqual({
      failovers: 1,
      failbacks: 1,
      stoppedAtFailover: SERVERS,
      runningAtFailback: SERVERS,
      downstream: ['failover to us-west-2', 'failback'],
      // In the standby whose module the failover left in its folder, before the failback, which restores it.
      backups: [{ root: join(dir, 'failover'), failbacksBefore: 0, adopt: false }],
      restored: ['rancher/rancher-aws-acceptance-1.tar.gz.enc'],
    });
    expect(w.evidence).toContain('standby (us-west-2): s3://standby-backups/rancher/rancher-aws-acceptance-1.tar.gz.enc: 4100 bytes');
    expect(w.aws.count('EC2 StopInstances')).toBe(3);
    expect(w.aws.count('EC2 StartInstances')).toBe(3);
    // The default backups.schedule (every six hours: lib/config/backup-file.ts) is the RPO budget: 360 minutes.
    expect(w.figures()).toEqual({
      standbyRegion: 'us-west-2',
      rtoSeconds: 1260,
      rtoBudgetSeconds: RTO_BUDGET_SECONDS,
      rpoMinutes: 42,
      // The backups each command restored, from its report: what the RPO is the age of.
      backup: 's3://standby-copy/rancher/rancher-aws-scheduled-1.tar.gz.enc',
      rpoBudgetMinutes: 360,
      schedule: '0 */6 * * *',
      failbackRtoSeconds: 1500,
      failbackRpoMinutes: 20,
      failbackBackup: 's3://standby-backups/rancher/rancher-aws-acceptance-1.tar.gz.enc',
      breaches: [],
    });
    expect(w.evidence).toContain(
      'failover to us-west-2: RTO 1260 s (budget 1800 s), RPO 42 min (budget 360 min, the longest gap of backups.schedule "0 */6 * * *")',
    );
    expect(w.record.read()?.failover).toMatchObject({
      stopped: SERVERS,
      failedOver: { rtoSeconds: 1260, rpoMinutes: 42 },
      standbyBackup: ['s3://standby-backups/rancher/rancher-aws-acceptance-1.tar.gz.enc: 4100 bytes'],
      failedBack: { rtoSeconds: 1500 },
    });
  });

  it('fails the phase naming the standby backup when it never completes, runs no failback, and leaves the record the teardown reads', async () => {
    const w = phaseWorld({ backup: 'never written' });
    const ran = w.run();
    await expect(ran).rejects.toThrow(StepFailed);
    await expect(ran).rejects.toThrow(
      'the one-time backup in the standby (us-west-2), which the failback restores from, failed: the Backup rancher-aws-acceptance wrote no file within 15 minutes (no file name yet)',
    );
    expect(w.seen.failbacks).toBe(0);
    // The primary's servers are running again and the failover's folder (the standby's module) is recorded: the
    // teardown removes the standby, then the primary.
    expect(SERVERS.map((id) => w.aws.ec2.instances.get(id)!.state)).toEqual(['running', 'running', 'running']);
    expect(w.record.read()?.failover).toMatchObject({ root: join(dir, 'failover'), failedOver: { rpoMinutes: 42 } });
    expect(w.record.read()?.failover?.standbyBackup).toBeUndefined();
  });

  it('fails the phase when the RPO is over the backup interval, naming the figure and the budget, after failing back all the same', async () => {
    const w = phaseWorld({ rpoMinutes: 95, schedule: '0 */1 * * *' });
    const ran = w.run();
    await expect(ran).rejects.toThrow(StepFailed);
    await expect(ran).rejects.toThrow('RPO 95 min is over its budget of 60 min (backups.schedule "0 */1 * * *")');
    expect(w.figures()?.breaches).toEqual(['RPO 95 min is over its budget of 60 min (backups.schedule "0 */1 * * *")']);
    // The hostname is back on the primary before the phase fails: the teardown finds the run as it began.
    expect(w.seen.failbacks).toBe(1);
  });

  it('fails the phase when the RTO is over 30 minutes', async () => {
    const w = phaseWorld({ rtoSeconds: 2400 });
    await expect(w.run()).rejects.toThrow('RTO 2400 s is over its budget of 1800 s');
  });

  it('killed during the failback, then run again, continues from the record without a second failover', async () => {
    const w = phaseWorld({ failback: 'killed' });
    await expect(w.run()).rejects.toThrow('killed');
    expect(w.record.read()?.failover).toMatchObject({ stopped: SERVERS, failedOver: { rtoSeconds: 1260, rpoMinutes: 42 } });
    expect(w.record.read()?.failover?.failedBack).toBeUndefined();
    await w.run();
    expect(w.seen.failovers).toBe(1);
    expect(w.seen.failbacks).toBe(2);
    expect(w.aws.count('EC2 StopInstances')).toBe(3);
    expect(w.figures()).toMatchObject({ rtoSeconds: 1260, rpoMinutes: 42, failbackRtoSeconds: 1500, breaches: [] });
    expect(w.evidence).toContain(`the failover passed in an earlier run of this phase (${join(dir, 'failover')}): not run again`);
  });

  it('killed after the standby backup, then run again, takes no second backup and fails back from the first', async () => {
    const w = phaseWorld({ failback: 'killed' });
    await expect(w.run()).rejects.toThrow('killed');
    expect(w.record.read()?.failover?.standbyBackup).toEqual(['s3://standby-backups/rancher/rancher-aws-acceptance-1.tar.gz.enc: 4100 bytes']);
    await w.run();
    expect(w.seen.backups).toHaveLength(1);
    expect(w.standbyBucket).toEqual(['rancher/rancher-aws-acceptance-1.tar.gz.enc']);
    expect(w.seen.restored).toEqual(['rancher/rancher-aws-acceptance-1.tar.gz.enc']);
    expect(w.evidence).toContain("the standby's one-time backup was taken in an earlier run of this phase: not taken again");
  });

  it('killed while the standby backup is waited for, then run again: the Backup the first run created is adopted, not created again', async () => {
    const w = phaseWorld({ backup: 'killed while waited for' });
    await expect(w.run()).rejects.toThrow('killed');
    // Recorded before the create: the second run knows the Backup of that name is its own.
    expect(w.record.read()?.failover).toMatchObject({ standbyBackupStarted: true });
    expect(w.record.read()?.failover?.standbyBackup).toBeUndefined();
    await w.run();
    expect(w.seen.backups.map((b) => b.adopt)).toEqual([false, true]);
    expect(w.seen.failovers).toBe(1);
    expect(w.seen.failbacks).toBe(1);
  });
});
