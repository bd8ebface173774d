import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type FailoverFigures, failoverPhase, type FailoverPhaseRecord, RTO_BUDGET_SECONDS } from '../../../cli/acceptance/acceptance-failover';
import { OUTAGE_SECONDS, outagePolicy, outageReach, outageRole, roleOfCaller } from '../../../cli/acceptance/acceptance-outage';
import type { ClientsOfRegion } from '../../../cli/shared/aws/clients';
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
 *   The failover's --prepare, as cli/failover/prepare.ts: the pilot light applied, no report written; refused (exit 2)
 *   once a failover ran (its record in the folder: FAILOVER_PREPARE_DURING_FAILOVER).
 *   The failback, as cli/failback/failback.ts does (its quiesce), stops the standby's Rancher and takes its own
 *   one-time backup in the standby's bucket, then restores it (its report's backup, RPO 0): the phase takes none.
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
  /** The failover run under the outage: this role's credentials, eu-west-1 (the primary's) denied. */
  readonly outageRole?: string;
  readonly rtoSeconds?: number;
  readonly rpoMinutes?: number;
  /** The failback's end: its exit code, or a kill (it throws, as the process would end there). */
  readonly failback?: 'passes' | 'killed';
  readonly schedule?: string;
  /** The prepare's exit code. @default 0 */
  readonly prepareExit?: number;
  /** Production's apply after the prepare fails (StepFailed, as initAndApply throws). */
  readonly productionApplyFails?: boolean;
}

function phaseWorld(c: Case = {}) {
  const aws = new FakeAws();
  for (const id of SERVERS) aws.ec2.addInstance(id);
  const record = new StateFile<{ failover?: FailoverPhaseRecord }>(join(dir, 'run.json'));
  const seen = {
    prepares: 0,
    runningAtPrepare: [] as string[],
    /** Production's applies after the prepare, and the prepares before each. */
    productionApplies: [] as { preparesBefore: number; running: string[] }[],
    failovers: 0,
    failbacks: 0,
    stoppedAtFailover: [] as string[],
    runningAtFailback: [] as string[],
    downstream: [] as string[],
    restored: [] as string[],
  };
  /** The standby's bucket: the keys of its backups, oldest first. */
  const standbyBucket: string[] = [];
  const evidence: string[] = [];
  /** What each command was given to reach AWS with: its environment's keys, and its SDK clients' (undefined: none given). */
  const credentials: Record<string, unknown> = {};
  const credentialsSeen = async (clients: ClientsOfRegion | undefined) => ({
    env: { key: process.env.AWS_ACCESS_KEY_ID, token: process.env.AWS_SESSION_TOKEN, profile: process.env.AWS_PROFILE },
    clients: clients && (await clients('us-west-2').s3.config.credentials()).accessKeyId,
  });
  let figures: FailoverFigures | undefined;
  const state = (id: string) => aws.ec2.instances.get(id)!.state;
  const failover: FailoverEntry = async (o) => {
    if (o.prepare) {
      seen.prepares += 1;
      credentials.prepare = await credentialsSeen(o.clients);
      seen.runningAtPrepare = SERVERS.filter((id) => state(id) === 'running');
      return seen.failovers > 0 ? 2 : (c.prepareExit ?? 0);
    }
    if (record.read()?.failover?.failedOver === undefined && seen.failovers > 0) throw new Error('a second failover');
    seen.failovers += 1;
    credentials.failover = await credentialsSeen(o.clients);
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
    credentials.failback = await credentialsSeen(o.clients);
    // The run's teardown removes the standby whole (its buckets too): the failback leaves it up for that.
    expect(o.keepStandby).toBe(true);
    seen.runningAtFailback = SERVERS.filter((id) => state(id) === 'running');
    if (c.failback === 'killed' && seen.failbacks === 1) throw new Error('killed');
    // Its quiesce: the standby's one-time backup, taken by the failback itself.
    const newest = `rancher/rancher-aws-failback-${standbyBucket.length + 1}.tar.gz.enc`;
    standbyBucket.push(newest);
    seen.restored.push(newest);
    writeReport(o.root, { passed: true, rtoSeconds: 1500, rpoMinutes: 0, backup: { bucket: 'standby-backups', key: newest } });
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
      applyProduction: async () => {
        seen.productionApplies.push({ preparesBefore: seen.prepares, running: SERVERS.filter((id) => state(id) === 'running') });
        if (c.productionApplyFails)
          throw new StepFailed("terraform apply failed (exit 1): production's apply after the standby's prepare did not complete");
      },
      ...(c.outageRole ? { outage: { role: c.outageRole, region: 'eu-west-1', clientsOf: (region: string) => aws.clients({ region }) } } : {}),
      record: () => record.read()?.failover,
      update: (failover) => record.write({ ...record.read(), failover }),
      checkDownstream: async (label) => void seen.downstream.push(label),
      rancherAnswers: async () => 'pong',
      figures: (f) => (figures = f),
      evidence: (line) => evidence.push(line),
      interrupted: () => false,
      io: new IoHost({ message: () => undefined, status: () => undefined, close: () => undefined }),
    });
  return { aws, record, seen, evidence, credentials, standbyBucket, run, figures: () => figures };
}

describe("the acceptance run's failover phase", () => {
  it('stops the primary, fails over, sees the downstream cluster against the standby, starts the primary, fails back (the failback backs the standby up itself, no step of the phase before it), and reports RTO and RPO against their budgets', async () => {
    const w = phaseWorld();
    await w.run();
    expect(w.seen).toEqual({
      // The pilot light first (docs/failover.md, after each deploy), the primary's servers still running.
      prepares: 1,
      runningAtPrepare: SERVERS,
      // Production applied again after the prepare (its plan reads the standby-target: the SECONDARY records), once,
      // the primary's servers still running.
      productionApplies: [{ preparesBefore: 1, running: SERVERS }],
      failovers: 1,
      failbacks: 1,
      stoppedAtFailover: SERVERS,
      runningAtFailback: SERVERS,
      downstream: ['failover to us-west-2', 'failback'],
      restored: ['rancher/rancher-aws-failback-1.tar.gz.enc'],
    });
    // issue 91 item 7: the product's own procedure, no one-time backup of the run's in the standby before the failback.
    expect(w.evidence.filter((line) => line.startsWith('standby (us-west-2)'))).toEqual([]);
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
      failbackRpoMinutes: 0,
      failbackBackup: 's3://standby-backups/rancher/rancher-aws-failback-1.tar.gz.enc',
      breaches: [],
    });
    expect(w.evidence).toContain(
      'failover to us-west-2: RTO 1260 s (budget 1800 s), RPO 42 min (budget 360 min, the longest gap of backups.schedule "0 */6 * * *")',
    );
    expect(w.record.read()?.failover).toMatchObject({
      prepared: true,
      productionApplied: true,
      stopped: SERVERS,
      failedOver: { rtoSeconds: 1260, rpoMinutes: 42 },
      failedBack: { rtoSeconds: 1500 },
    });
    const prepared = w.evidence.indexOf('rancher-ha-aws failover rke-ha --prepare: exit 0');
    expect(prepared).toBeGreaterThanOrEqual(0);
    const applied = w.evidence.findIndex((line) => line.startsWith('terraform apply of production'));
    expect(prepared).toBeLessThan(applied);
    expect(applied).toBeLessThan(w.evidence.findIndex((line) => line.startsWith('EC2 StopInstances')));
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

  it("runs the failover alone with the outage role's credentials, the primary's region denied by their session policy; the failback with the run's own", async () => {
    const before = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDRUNOWN';
    process.env.AWS_PROFILE = 'operator';
    delete process.env.AWS_SESSION_TOKEN;
    try {
      const w = phaseWorld({ outageRole: 'arn:aws:iam::111122223333:role/deployer' });
      await w.run();
      expect(w.aws.sessions).toEqual([
        {
          RoleArn: 'arn:aws:iam::111122223333:role/deployer',
          RoleSessionName: `rancher-aws-outage-${basename(dir)}`,
          Policy: outagePolicy('eu-west-1'),
          DurationSeconds: OUTAGE_SECONDS,
        },
      ]);
      // The session policy allows what the role allows and denies every action requested in the primary's region.
      expect(JSON.parse(outagePolicy('eu-west-1')).Statement).toEqual([
        { Effect: 'Allow', Action: '*', Resource: '*' },
        expect.objectContaining({ Effect: 'Deny', Action: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }),
      ]);
      expect(w.credentials).toEqual({
        // The prepare, long before an outage: the run's own.
        prepare: { env: { key: 'AKIDRUNOWN', token: undefined, profile: 'operator' }, clients: undefined },
        // The failover: the session's keys in its environment (the profile unset, so that they are the ones used) and in its clients.
        failover: { env: { key: 'ASIAFAKESESSION1', token: 'fake-session-token-1', profile: undefined }, clients: 'ASIAFAKESESSION1' },
        // The failback: the run's own environment, no clients of the phase's.
        failback: { env: { key: 'AKIDRUNOWN', token: undefined, profile: 'operator' }, clients: undefined },
      });
      expect(w.evidence).toContainEqual(
        expect.stringContaining('whose session policy denies every AWS call requested in eu-west-1 (aws:RequestedRegion)'),
      );
      // The run's environment after the phase is as it was.
      expect([process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SESSION_TOKEN, process.env.AWS_PROFILE]).toEqual(['AKIDRUNOWN', undefined, 'operator']);
    } finally {
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[key];
      Object.assign(process.env, before);
    }
  });

  it("chooses the outage's role: --outage-role, else the caller's own assumed role; an IAM user without one is refused", () => {
    expect(roleOfCaller('arn:aws:sts::123456789012:assumed-role/deployer/alice')).toBe('arn:aws:iam::123456789012:role/deployer');
    expect(roleOfCaller('arn:aws-cn:sts::123456789012:assumed-role/deployer/alice')).toBe('arn:aws-cn:iam::123456789012:role/deployer');
    expect(roleOfCaller('arn:aws:iam::123456789012:user/alice')).toBeUndefined();
    expect(outageRole('arn:aws:iam::123456789012:role/other', 'arn:aws:sts::123456789012:assumed-role/deployer/alice')).toEqual({
      role: 'arn:aws:iam::123456789012:role/other',
    });
    expect(outageRole(undefined, 'arn:aws:sts::123456789012:assumed-role/deployer/alice')).toEqual({
      role: 'arn:aws:iam::123456789012:role/deployer',
    });
    expect(outageRole(undefined, 'arn:aws:iam::123456789012:user/alice')).toEqual({ refusal: expect.stringContaining('--outage-role <arn>') });
    // A us-east-1 primary: the same deny takes the APIs signed there.
    expect(outageReach('us-east-1')).toContain("IAM, Route 53's API and S3's bucket configuration");
  });

  it('fails the phase when the prepare fails: nothing stopped, no failover, not recorded as prepared', async () => {
    const w = phaseWorld({ prepareExit: 1 });
    await expect(w.run()).rejects.toThrow('the failover --prepare ended with exit 1');
    expect(w.aws.count('EC2 StopInstances')).toBe(0);
    expect({ prepares: w.seen.prepares, failovers: w.seen.failovers }).toEqual({ prepares: 1, failovers: 0 });
    expect(w.record.read()?.failover?.prepared).toBeUndefined();
    expect(w.seen.productionApplies).toEqual([]);
    expect(w.evidence).toContain('rancher-ha-aws failover rke-ha --prepare: exit 1');
  });

  it("fails the phase when production's apply after the prepare fails: nothing stopped, no failover, not recorded; run again, it applies again and goes on", async () => {
    const w = phaseWorld({ productionApplyFails: true });
    await expect(w.run()).rejects.toThrow("production's apply after the standby's prepare did not complete");
    expect(w.aws.count('EC2 StopInstances')).toBe(0);
    expect(w.seen.failovers).toBe(0);
    expect(w.record.read()?.failover).toMatchObject({ prepared: true });
    expect(w.record.read()?.failover?.productionApplied).toBeUndefined();
    const again = phaseWorld();
    await again.run();
    // The second run's world is new, its record the first's: the prepare is not repeated, production's apply is.
    expect({ prepares: again.seen.prepares, applies: again.seen.productionApplies.length, failovers: again.seen.failovers }).toEqual({
      prepares: 0,
      applies: 1,
      failovers: 1,
    });
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
    expect(w.seen.prepares).toBe(1);
    expect(w.seen.productionApplies).toHaveLength(1);
    expect(w.seen.failovers).toBe(1);
    expect(w.seen.failbacks).toBe(2);
    expect(w.aws.count('EC2 StopInstances')).toBe(3);
    expect(w.figures()).toMatchObject({ rtoSeconds: 1260, rpoMinutes: 42, failbackRtoSeconds: 1500, breaches: [] });
    expect(w.evidence).toContain(`the failover passed in an earlier run of this phase (${join(dir, 'failover')}): not run again`);
  });
});
