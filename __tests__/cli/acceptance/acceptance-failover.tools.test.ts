import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RTO_BUDGET_SECONDS } from '../../../cli/acceptance/acceptance-failover';
import { RUN_TAG } from '../../../cli/acceptance/acceptance-settings';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { COPY, PRODUCTION_LB, STANDBY_FILE, standbyBucket, ZONE_ID } from '../../helpers/acceptance-standby-world';
import { checkEveryRun, world, ZONE } from '../../helpers/acceptance-world';
import { type FakeCloud, useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { STANDBY_LB, STANDBY_LB_ZONE } from '../../helpers/failover-world';
import { codesOf, said } from '../../helpers/plain-output';
import { acceptRkeHa } from '../../helpers/acceptance-in-process';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { answer } = require('../../helpers/ops-stubs/route53-answer.js');

// The CLI reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The acceptance run's failover phase end to end (cli/acceptance/acceptance-failover.ts), rke-ha with standby.region
// and --hosted-zone, in the acceptance world with its standby (helpers/acceptance-standby-world.ts): the standby's
// pilot light prepared (the failover command's --prepare), the primary's instances stopped, the failover command, RTO
// and RPO, the instances started, the failback command (which stops the standby's Rancher and backs it up itself: no
// step of the run's before it), Rancher again. --only failover: the deploy it needs, then the phase (the downstream cluster,
// not chosen, is not checked: acceptance-failover.test.ts checks that it is, against the standby and after the failback).

checkEveryRun();

/** The role the failover's credentials are of by default: the caller's own (the world's caller is `assumed-role/deployer/alice`). */
const OUTAGE_ROLE = 'arn:aws:iam::123456789012:role/deployer';
const failover = (c: FakeCloud) => {
  writeFileSync(join(c.dir, 'standby.yaml'), 'standby:\n  region: us-west-2\n');
  return acceptRkeHa(c, '--settings', 'standby.yaml', '--hosted-zone', ZONE, '--only', 'failover');
};
/** A JSON-lines file of the world's (calls.jsonl, session-calls.jsonl: each call made with an STS session's key). */
const lines = (c: FakeCloud, file: string) =>
  existsSync(join(c.dir, file))
    ? readFileSync(join(c.dir, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
/** Where the hostname's A record leads now, as Route 53 answers it (failover routing: by the health check's alarm). */
const aliasOf = (c: { world(): any }) => {
  const w = c.world();
  const host = w.aws.route53.zones[ZONE_ID].records.find((r: any) => r.Type === 'A').Name;
  return answer(w.aws.route53.zones, w.aws.route53.healthChecks, w.aws.alarms, host, 'A')?.AliasTarget.DNSName.replace(/\.$/, '');
};
/** Production's records of the hostname in Route 53: each type and failover role, and where it leads. */
const recordsOf = (c: { world(): any }) =>
  c
    .world()
    .aws.route53.zones[ZONE_ID].records.filter((r: any) => ['A', 'AAAA'].includes(r.Type))
    .map((r: any) => `${r.Type} ${r.Failover ?? 'simple'} -> ${r.AliasTarget.DNSName.replace(/\.$/, '')}`);

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
      prepared: true,
      productionApplied: true,
      stopped: ['i-server-0_instance', 'i-server-1_instance', 'i-server-2_instance'],
      failedOver: { rtoSeconds: report.failover.rtoSeconds, rpoMinutes: 30, backup: `s3://${copy}/rancher/${STANDBY_FILE}` },
      failedBack: { rtoSeconds: report.failover.failbackRtoSeconds, rpoMinutes: 0, backup: failbackBackup },
    });
    // The pilot light prepared first, as docs/failover.md has it after each deploy: the failover command's --prepare
    // (cli/failover/prepare.ts), in the failover's folder, with the run's own credentials. Its targeted apply and the
    // standby-target it writes come before the primary's servers stop; the failover's apply then makes the rest
    // without refreshing what the prepare made (the state holds the pilot light: pilot-light.ts, failoverApplyArgs).
    // Then production applied again in its own folder, as docs/failover.md's first deploy has it (deploy, prepare,
    // deploy again): its plan reads the standby-target and makes the SECONDARY records, before the servers stop.
    const calls = c.calls();
    const cwds = lines(c, 'calls.jsonl').map((l: any) => l.cwd);
    const at = (matches: (line: string) => boolean) => calls.findIndex(matches);
    const productionDir = join(runDir(c), 'cdktf.out', 'stacks', 'rke-ha');
    const applies = calls
      .map((l, i) => ({ l, i, production: cwds[i] === productionDir }))
      .filter(({ l }) => l.startsWith('terraform apply -auto-approve -input=false') && !l.endsWith(' -json'));
    expect(applies.map(({ l, production }) => (production ? `production: ${l}` : l))).toEqual([
      expect.stringMatching(/^terraform apply -auto-approve -input=false( -target=\S+)+$/),
      'production: terraform apply -auto-approve -input=false',
      'terraform apply -auto-approve -input=false -refresh=false',
    ]);
    const order = [
      applies[0].i,
      at((l) => l.startsWith('aws-sdk us-west-2 SSM PutParameter {"Name":"/acc-') && l.includes('/rke-ha/standby-target"')),
      applies[1].i,
      at((l) => l.includes(' ec2 stop-instances ')),
      applies[2].i,
    ];
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]))).toBe(true);
    expect(report.evidence.failover).toContainEqual(expect.stringMatching(/^terraform apply of production \(.*\) after the prepare/));
    // The standby-target as the prepare wrote it, tagged as the run's resources are (the run's tag from its settings,
    // production's deployment tag): the run's teardown of production deleted it in the standby region (teardown.ts,
    // operationsParameters), and the sweep, which looks there for what carries the run's tag, found nothing left.
    const target = `/acc-${run.runId}/rke-ha/standby-target`;
    const input = (call: string, line: (l: string) => boolean) => {
      const found = calls.find((l) => l.startsWith(`aws-sdk us-west-2 SSM ${call} `) && line(l));
      return found && JSON.parse(found.slice(found.indexOf('{')));
    };
    // (Its value is not logged: the prepare says it, and production's SECONDARY records below lead there.)
    expect(input('PutParameter', (l) => l.includes(`"Name":"${target}"`))).toMatchObject({ Type: 'String', Overwrite: true });
    expect(said(result.out, 'FAILOVER_STANDBY_TARGET')).toContain(`${target} (us-west-2): ${STANDBY_LB} in ${STANDBY_LB_ZONE}`);
    expect(input('AddTagsToResource', (l) => l.includes(`"ResourceId":"${target}"`))).toMatchObject({
      ResourceType: 'Parameter',
      Tags: expect.arrayContaining([
        { Key: RUN_TAG, Value: run.runId },
        { Key: 'rancher-aws:deployment', Value: `acc-${run.runId}-rke-ha` },
      ]),
    });
    expect(input('DeleteParameter', (l) => l.includes(`"Name":"${target}"`))).toBeDefined();
    expect(c.world().aws.parameters[target]).toBeUndefined();
    expect(report.evidence.sweep).toContainEqual(expect.stringMatching(new RegExp(`Values=${run.runId} in us-west-2: 0 resources`)));
    expect(codesOf(result.out)).toEqual(expect.arrayContaining(['FAILOVER_STANDBY_TARGET', 'FAILOVER_PREPARED']));
    expect(codesOf(result.out).filter((code) => code === 'FAILOVER_NOT_PREPARED' || code === 'FAILOVER_STATE_LOCAL')).toEqual([]);
    expect(report.evidence.failover).toContain('rancher-ha-aws failover rke-ha --prepare: exit 0');
    // Production's records failover routing, each PRIMARY with its SECONDARY to the standby's load balancer (the
    // second apply read the standby-target): the failover moved the name by the metric of the standby region, no
    // Route 53 change; the failback moved it back the same way.
    expect(recordsOf(c)).toEqual([
      `A PRIMARY -> ${PRODUCTION_LB}`,
      `A SECONDARY -> ${STANDBY_LB}`,
      `AAAA PRIMARY -> ${PRODUCTION_LB}`,
      `AAAA SECONDARY -> ${STANDBY_LB}`,
    ]);
    expect(said(result.out, 'FAILOVER_REPORT')).toContain(`the SECONDARY ones (to ${STANDBY_LB}) answer`);
    expect(codesOf(result.out).filter((code) => code === 'FAILOVER_MOVE_GLOBAL' || code === 'FAILBACK_MOVE_GLOBAL')).toEqual([]);
    expect(Object.keys(c.world().aws.route53.changes)).toEqual([]);
    expect(codesOf(result.out)).toEqual(expect.arrayContaining(['FAILOVER_RESULT', 'FAILBACK_RESULT']));
    expect(said(result.out, 'FAILBACK_RESULT')).toMatch(/^PASSED/);
    expect(aliasOf(c)).toBe(PRODUCTION_LB);
    // Every instance stopped was started again.
    expect(c.world().acceptance.stoppedInstances).toEqual([]);
    // The outage (issue 91 item 7): one session, of the caller's own role, its policy denying the primary's region;
    // the failover's SDK calls made with it, each to eu-west-1 refused AccessDenied, and the failover passed all the same.
    // Two sessions of the caller's own role, each denying the primary's region: the check before anything was
    // created (the shortest STS gives, no call made with it), then the failover's.
    const sessions = Object.entries<any>(c.world().aws.sessions);
    expect(sessions).toEqual([
      [expect.stringMatching(/SESSION1$/), expect.objectContaining({ role: OUTAGE_ROLE, deniedRegions: ['eu-west-1'], seconds: 900 })],
      [expect.stringMatching(/SESSION2$/), expect.objectContaining({ role: OUTAGE_ROLE, deniedRegions: ['eu-west-1'], seconds: 3600 })],
    ]);
    const made = lines(c, 'session-calls.jsonl');
    expect(made.length).toBeGreaterThan(0);
    // None of them reached eu-west-1: in this world the failover makes none there (those it made would be denied).
    expect(made.filter((m: any) => m.region === 'eu-west-1' && !m.denied)).toEqual([]);
    // The stop of the primary's instances before, their start and the failback after, ran with the run's own
    // credentials: every call of the session falls between the last StopInstances and the first StartInstances.
    const stopped = calls.length - 1 - [...calls].reverse().findIndex((l) => l.includes(' ec2 stop-instances '));
    const started = calls.findIndex((l) => l.includes(' ec2 start-instances '));
    expect(stopped).toBeLessThan(calls.length);
    expect(made.every((m: any) => m.at > stopped && m.at < started)).toBe(true);
    // The run's evidence says so.
    expect(report.evidence.failover).toContainEqual(expect.stringContaining(`the failover ran with ${OUTAGE_ROLE}'s temporary credentials`));
    expect(report.evidence.failover).toContainEqual(expect.stringContaining('denies every AWS call requested in eu-west-1 (aws:RequestedRegion)'));
    // The run's environment is its own again after the failover (the session's key put back).
    expect(process.env.AWS_SESSION_TOKEN).not.toBe('fake-session-token');
  });

  it("refuses a role the caller may not assume (its trust policy) before anything is created: coded, with STS's words", async () => {
    const { c } = await world((w) => (w.aws.untrusted = [OUTAGE_ROLE]), 'rke-ha', { standby: true });
    const result = await failover(c);
    expect(result.code).toBe(2);
    expect(said(result.out, 'ACCEPTANCE_OUTAGE_ROLE_REFUSED')).toContain(`not authorized to perform: sts:AssumeRole on resource: ${OUTAGE_ROLE}`);
    expect(c.world().aws.sessions).toBeUndefined();
    // Nothing created: no terraform ran.
    expect(c.calls().filter((l) => l.startsWith('terraform '))).toEqual([]);
  });

  it('refuses --outage-role without the failover phase', async () => {
    const { c } = await world(undefined, 'rke-ha');
    const result = await acceptRkeHa(c, '--only', 'ping', '--outage-role', OUTAGE_ROLE);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toContain('ACCEPTANCE_OUTAGE_ROLE_NOT_USED');
  });

  it('refuses a caller that is an IAM user, without --outage-role, before anything is created: coded, nothing assumed', async () => {
    const { c } = await world((w) => (w.acceptance.caller = 'arn:aws:iam::123456789012:user/alice'), 'rke-ha', { standby: true });
    const result = await failover(c);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toContain('ACCEPTANCE_OUTAGE_NO_ROLE');
    expect(said(result.out, 'ACCEPTANCE_OUTAGE_NO_ROLE')).toContain('arn:aws:iam::123456789012:user/alice is not an assumed role');
    expect(c.world().aws.sessions).toBeUndefined();
    expect(lines(c, 'calls.jsonl').map((l: any) => l.args[1])).not.toContain('STS AssumeRole');
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
