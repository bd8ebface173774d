import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RTO_BUDGET_SECONDS } from '../../../cli/acceptance/acceptance-failover';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { COPY, PRODUCTION_LB, STANDBY_FILE, standbyBucket, ZONE_ID } from '../../helpers/acceptance-standby-world';
import { checkEveryRun, world, ZONE } from '../../helpers/acceptance-world';
import { type FakeCloud, useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { STANDBY_LB } from '../../helpers/failover-world';
import { codesOf, said } from '../../helpers/plain-output';
import { acceptRkeHa } from '../../helpers/acceptance-in-process';

// The CLI reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The acceptance run's failover phase end to end (cli/acceptance/acceptance-failover.ts), rke-ha with standby.region
// and --hosted-zone, in the acceptance world with its standby (helpers/acceptance-standby-world.ts): the primary's
// instances stopped, the failover command, RTO and RPO, the instances started, the failback command (which stops the
// standby's Rancher and backs it up itself: no step of the run's before it), Rancher again. --only failover: the deploy it needs, then the phase (the downstream cluster,
// not chosen, is not checked: acceptance-failover.test.ts checks that it is, against the standby and after the failback).

checkEveryRun();

const failover = (c: FakeCloud) => {
  writeFileSync(join(c.dir, 'standby.yaml'), 'standby:\n  region: us-west-2\n');
  return acceptRkeHa(c, '--settings', 'standby.yaml', '--hosted-zone', ZONE, '--only', 'failover');
};
/** Where Route 53's A record of the hostname points now (the world's zone). */
const aliasOf = (c: { world(): any }) =>
  c
    .world()
    .aws.route53.zones[ZONE_ID].records.find((r: any) => r.Type === 'A')
    ?.AliasTarget.DNSName.replace(/\.$/, '');

describe('npm run acceptance: the failover phase', () => {
  it('stops the primary, fails over to the standby, reports RTO, RPO and the backups restored, fails back: the record back at the primary, nothing left', async () => {
    const { c } = await world(undefined, 'rke-ha', { standby: true });
    expect(aliasOf(c)).toBe(PRODUCTION_LB);
    const result = await failover(c);
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', failover: 'passed', teardown: 'passed', sweep: 'passed' });
    const run = JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8'));
    const copy = COPY.replace('zzzzzz', run.runId);
    // The copy's newest backup is 30 minutes old: the RPO; the failback restores the one-time backup it took itself.
    const failbackBackup = expect.stringMatching(new RegExp(`^s3://${standbyBucket()}/rancher/rancher-aws-failback-\\d{8}t\\d{6}-`));
    expect(report.failover).toEqual({
      standbyRegion: 'us-west-2',
      rtoSeconds: expect.any(Number),
      rtoBudgetSeconds: RTO_BUDGET_SECONDS,
      rpoMinutes: 30,
      backup: `s3://${copy}/rancher/${STANDBY_FILE}`,
      rpoBudgetMinutes: 360,
      schedule: '0 */6 * * *',
      failbackRtoSeconds: expect.any(Number),
      failbackRpoMinutes: 0,
      failbackBackup,
      breaches: [],
    });
    expect(report.failover.rtoSeconds).toBeLessThanOrEqual(RTO_BUDGET_SECONDS);
    // The run's record: each step once, in its order.
    expect(run.failover).toEqual({
      root: join(runDir(c), 'failover'),
      failbackRoot: join(runDir(c), 'failback'),
      stopped: ['i-server-0_instance', 'i-server-1_instance', 'i-server-2_instance'],
      failedOver: { rtoSeconds: report.failover.rtoSeconds, rpoMinutes: 30, backup: `s3://${copy}/rancher/${STANDBY_FILE}` },
      failedBack: { rtoSeconds: report.failover.failbackRtoSeconds, rpoMinutes: 0, backup: failbackBackup },
    });
    // The failover moved the record to the standby's load balancer; the failback moved it back to the primary's.
    expect(said(result.out, 'FAILOVER_REPORT')).toContain(`-> ${STANDBY_LB}`);
    expect(codesOf(result.out)).toEqual(expect.arrayContaining(['FAILOVER_RESULT', 'FAILBACK_RESULT']));
    expect(said(result.out, 'FAILBACK_RESULT')).toMatch(/^PASSED/);
    expect(aliasOf(c)).toBe(PRODUCTION_LB);
    // Every instance stopped was started again.
    expect(c.world().acceptance.stoppedInstances).toEqual([]);
  });

  it('refuses to fail over while the primary still answers with its instances stopped: the record never moves, the phase failed, nothing left', async () => {
    const { c } = await world((w) => (w.failover.primaryAnswers = true), 'rke-ha', { standby: true });
    const result = await failover(c);
    expect(result.code).toBe(1);
    expect(codesOf(result.out)).toContain('FAILOVER_PRIMARY_ANSWERS');
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', failover: 'failed', teardown: 'passed', sweep: 'passed' });
    expect(report.failover).toBeUndefined();
    expect(aliasOf(c)).toBe(PRODUCTION_LB);
  });
});
