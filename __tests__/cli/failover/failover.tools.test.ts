import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYER_ROLE, FAKE_BACKUP_ENCRYPTION_CONFIG, useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { checkEveryDrill, COPY, OLDER, STANDBY_NEWEST, STANDBY_REGION, UID } from '../../helpers/drill-world';
import {
  aliasOf,
  expectedStandby,
  failover,
  failoverHere,
  failoverWorld,
  HOSTNAME,
  prepare,
  PRODUCTION_LB,
  RECORDED,
  STANDBY_LB,
  STANDBY_LB_ZONE,
} from '../../helpers/failover-world';
import { codesOf, said } from '../../helpers/plain-output';
import { standbyHeld } from '../../helpers/region-loss-world';
import { MANAGEMENT_CLUSTERS, NEEDING_THE_STEP } from '../../helpers/management-clusters';
import { SYSTEM_AGENT_STEP } from '../../../cli/failover/after-move';
import { PREPARED_FILE } from '../../../cli/failover/pilot-light';
import { RESTORE_VARIABLE } from '../../../cli/shared/failover-record';
import { rtoPlanLine } from '../../../cli/failover/rto-model';

// `npm run failover -- rke-ha` against the fake cloud (helpers/failover-world.ts): production in eu-west-1, its copy
// and the standby in us-west-2, the hostname's records in Route 53 (changes PENDING for a look before INSYNC).
// After every test production's module folder, state and buckets are as they were (checkEveryDrill).

useFakeAwsEndpoint();
checkEveryDrill();

const PRODUCTION_ALIAS = 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com.';
/** Nothing was created: no synth, no terraform outside production's folder, no Route 53 change, no metric written. */
function expectNothingChanged(c: ReturnType<typeof failoverWorld>): void {
  expect(
    c
      .calls()
      .filter((call) => call.startsWith('synth') || call.startsWith('terraform init') || call.includes('Route53') || call.includes('PutMetricData')),
  ).toEqual([]);
  expect(aliasOf(c)).toBe(PRODUCTION_ALIAS);
}
/** The probes of the primary's /ping: at the hostname, and at production's NLB (--connect-to). */
const probesOf = (c: ReturnType<typeof failoverWorld>) => {
  const pings = c.calls().filter((call) => call.startsWith('curl') && call.endsWith(`https://${HOSTNAME}/ping`) && call.includes('%{http_code}'));
  return { byName: pings.filter((p) => !p.includes('--connect-to')).length, atLb: pings.filter((p) => p.includes(`:${PRODUCTION_LB}:443`)).length };
};
const DAY = 86_400_000;
/**
 * Two days pass after a run whose apply began: the record's start and backup are that much older (a rerun reads its
 * backup from the record alone; checkEveryDrill holds the copy as it was).
 */
function twoDaysLater(c: ReturnType<typeof failoverWorld>): void {
  const file = join(c.dir, 'failover.out', 'failover.json');
  const record = JSON.parse(readFileSync(file, 'utf8'));
  record.startedAt = new Date(Date.parse(record.startedAt) - 2 * DAY).toISOString();
  record.backup.lastModified = new Date(Date.parse(record.backup.lastModified) - 2 * DAY).toISOString();
  writeFileSync(file, JSON.stringify(record));
}
/** The newest report. */
const reportOf = (c: ReturnType<typeof failoverWorld>): any => {
  const folder = join(c.dir, 'failover.out');
  const file = readdirSync(folder)
    .filter((f) => f.startsWith('report-'))
    .sort()
    .reverse()[0];
  return JSON.parse(readFileSync(join(folder, file), 'utf8'));
};

describe('npm run failover -- rke-ha', () => {
  it("refuses without production's facts in the standby region, or when the copies' key does not let the caller decrypt its EncryptionConfiguration: exit 2, before any probe", async () => {
    // Production applied without them (an older version): no parameter, no objects in the copy.
    const none = failoverWorld((w) => (w.drill.standbyFacts = false));
    const missing = await failoverHere(none);
    expect({ code: missing.code, codes: codesOf(missing.out) }).toEqual({ code: 2, codes: ['FAILOVER_NO_STANDBY_FACTS'] });
    expect(said(missing.out, 'FAILOVER_NO_STANDBY_FACTS')).toContain(
      `no readable SSM parameter /rancher/rke-ha/standby-facts in ${STANDBY_REGION} (ParameterNotFound)`,
    );
    expect(said(missing.out, 'FAILOVER_NO_STANDBY_FACTS')).toContain("its plan's check standby_facts says when the copy lacks them");
    // The caller is none of production's deployers: the copies' key (fake-kms.ts users) does not let it decrypt.
    const stranger = failoverWorld((w) => {
      for (const key of Object.values<any>(w.aws.keys))
        if (key.region === STANDBY_REGION) key.users = ['arn:aws:iam::111122223333:role/not-a-deployer'];
    });
    const denied = await failoverHere(stranger);
    expect({ code: denied.code, codes: codesOf(denied.out) }).toEqual({ code: 2, codes: ['FAILOVER_NO_STANDBY_FACTS'] });
    expect(said(denied.out, 'FAILOVER_NO_STANDBY_FACTS')).toContain(`s3://${COPY}/rancher-aws/standby/backup-encryption.yaml`);
    expect(said(denied.out, 'FAILOVER_NO_STANDBY_FACTS')).toContain('(AccessDenied)');
    expect(denied.out).not.toContain(FAKE_BACKUP_ENCRYPTION_CONFIG.trim());
    for (const c of [none, stranger]) {
      expect(probesOf(c)).toEqual({ byName: 0, atLb: 0 });
      expectNothingChanged(c);
    }
  });

  it('dry run: reads the settings file only, states the plan, changes nothing', () => {
    const c = failoverWorld();
    const dry = c.run(['failover', 'rke-ha', '--dir', 'module', '--dry-run'], { tools: [] });
    expect({ code: dry.code, codes: codesOf(dry.out) }).toEqual({ code: 0, codes: ['FAILOVER_PLAN', 'FAILOVER_DRY_RUN'] });
    expect(said(dry.out, 'FAILOVER_PLAN')).toContain(`standby deployment: rancher-sb in ${STANDBY_REGION}`);
    // The modelled RTO (rto-model.ts), with the settings' timeouts.
    expect(said(dry.out, 'FAILOVER_PLAN')).toContain(rtoPlanLine('rke-ha RKE2').trim());
    expect(c.calls()).toEqual([]);
  });

  it('refuses while the primary answers pong; with --primary-lost a SIGINT stops the apply, and a rerun moves the record and reports RTO and RPO', () => {
    const c = failoverWorld((w) => (w.failover.primary = 'pong'));
    const refused = failover(c, '--yes');
    expect({ code: refused.code, codes: codesOf(refused.out) }).toEqual({ code: 1, codes: ['FAILOVER_PRIMARY_ANSWERS'] });
    expect(said(refused.out, 'FAILOVER_PRIMARY_ANSWERS')).toContain('--primary-lost');
    // One pong shows it serving: the first probe, at the hostname, is the last.
    expect(probesOf(c)).toEqual({ byName: 1, atLb: 0 });
    expectNothingChanged(c);

    // A signal during the apply: terraform is stopped with SIGINT (it saves its state), the record stays, exit 130.
    c.update((w) => (w.drill.signalAt = { phase: 'apply', signal: 'SIGINT' }));
    const stopped = failover(c, '--yes', '--primary-lost');
    expect(stopped.code).toBe(130);
    expect(said(stopped.out, 'FAILOVER_PHASE_INTERRUPTED')).toBe('apply: interrupted by a signal');
    expect(c.world().drill.state.resources.length).toBeGreaterThan(0);
    expect(aliasOf(c)).toBe(PRODUCTION_ALIAS);
    expect(JSON.parse(readFileSync(join(c.dir, 'failover.out', 'failover.json'), 'utf8'))).toMatchObject({ phase: 'apply', moved: false });

    // Two days later a rerun decides again: the primary still serves (refused without --primary-lost), and the
    // recorded backup's age is now's, not the first run's.
    twoDaysLater(c);
    const later = failover(c, '--yes');
    expect({ code: later.code, codes: codesOf(later.out) }).toEqual({ code: 1, codes: ['FAILOVER_PRIMARY_ANSWERS'] });
    expect(said(later.out, 'FAILOVER_PRIMARY_ANSWERS')).toMatch(/a copy 30[0-4]\d minutes old/);

    // The rerun moves the records, but Rancher does not answer by the name within the budget: exit 1, moved. The
    // restore brought Rancher's management Clusters: the report names the imported RKE2/K3s ones with the step.
    c.update((w) => Object.assign(w.failover, { nameDown: true, clusters: MANAGEMENT_CLUSTERS }));
    const waiting = failover(c, '--yes', '--primary-lost', '--wait-minutes', '1');
    expect(waiting.code).toBe(1);
    // Its backups go to its own bucket (the state's output), in the standby region alone.
    const standbyBucket = c.world().drill.state.outputs.rancher_backup_bucket.value;
    expect(reportOf(c)).toMatchObject({
      importedClusters: { clusters: NEEDING_THE_STEP, step: SYSTEM_AGENT_STEP },
      standbyBackups: { bucket: standbyBucket, region: STANDBY_REGION, secondRegion: false },
    });
    expect(said(waiting.out, 'FAILOVER_REPORT')).toContain(
      `imported RKE2/K3s clusters needing the system-agent step: c-7xk2p (edge-rke2), c-q9w4r (edge-k3s); on each: ${SYSTEM_AGENT_STEP}`,
    );
    expect(said(waiting.out, 'FAILOVER_REPORT')).toContain(
      `the standby's backups: s3://${standbyBucket} in us-west-2 only, no copy in a second region`,
    );
    expect(said(waiting.out, 'FAILOVER_PLAN')).toContain(`rancher/${STANDBY_NEWEST} (`);
    expect(said(waiting.out, 'FAILOVER_PLAN')).toMatch(/, 30[0-4]\d minutes old now: the data lost \(RPO\); the one the standby's apply began with/);
    expect(said(waiting.out, 'FAILOVER_BACKUP_OLD')).toContain("It is the backup the standby's apply began with, which a rerun keeps.");
    expect(aliasOf(c)).toBe(`${STANDBY_LB}.`);
    expect(said(waiting.out, 'FAILOVER_PHASE_FAILED')).toContain(`https://${HOSTNAME}/ping did not answer pong within 1 minutes`);
    const movedRecord = JSON.parse(readFileSync(join(c.dir, 'failover.out', 'failover.json'), 'utf8'));
    expect(movedRecord).toMatchObject({ moved: true, movedBy: 'metric' });
    // A record from before the run kept how it moved: the rerun tells it from production's facts (PRIMARY records).
    delete movedRecord.movedBy;
    writeFileSync(join(c.dir, 'failover.out', 'failover.json'), JSON.stringify(movedRecord));

    // Then only the wait is left (the name leads to the standby now: no primary check, no second move). The list of
    // the clusters refused this time: said in the report, the failover passes all the same.
    c.update((w) => Object.assign(w.failover, { nameDown: false, clustersRefused: 'Forbidden' }));
    const lost = failover(c, '--yes', '--json');
    expect(waiting.out).toContain('FAILOVER_PRIMARY_ANSWERS_LOST');
    const json = JSON.parse(lost.out);
    expect(lost.code).toBe(0);
    expect(json.exitCode).toBe(0);
    // The standby: production's settings in the standby region, no record of its own, restoring the copy's newest file.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedStandby);
    expect(expectedStandby).toMatchObject({
      region: STANDBY_REGION,
      hostname: HOSTNAME,
      rkeHa: { loadBalancer: { hostnameRecord: false } },
      backups: { restoreFrom: { bucket: COPY, file: STANDBY_NEWEST } },
    });
    // Both names (A and AAAA) answer the standby's NLB: the failover routing's metric written once in us-west-2, its
    // alarm followed to ALARM (one look while CloudWatch evaluates), the PRIMARY's health check unhealthy; no Route 53 call.
    expect(aliasOf(c)).toBe(`${STANDBY_LB}.`);
    expect(aliasOf(c, 'AAAA')).toBe(`${STANDBY_LB}.`);
    expect(c.calls().filter((call) => call.includes('Route53'))).toEqual([]);
    expect(c.calls().filter((call) => call.includes('us-west-2 CloudWatch PutMetricData')).length).toBe(1);
    expect(c.calls().filter((call) => call.includes('us-west-2 CloudWatch DescribeAlarms')).length).toBe(2);
    expect(json.messages.find((m: any) => m.code === 'FAILOVER_REPORT').text).toContain(
      'FailedOver 1 in us-west-2, its alarm rancher-rke-ha-failed-over in ALARM',
    );
    expect(json.messages.filter((m: any) => m.code === 'FAILOVER_PHASE_STARTED').map((m: any) => m.data.phase)).toEqual(['ping']);
    expect(c.calls().filter((call) => call.startsWith('terraform apply -auto-approve'))).toHaveLength(2);
    const report = reportOf(c);
    expect(report.passed).toBe(true);
    expect(report.importedClusters.unlisted).toContain('cannot list resource "clusters" in API group "management.cattle.io"');
    expect(json.messages.find((m: any) => m.code === 'FAILOVER_REPORT').text).toContain('imported RKE2/K3s clusters: could not list (');
    expect(report.ca).toEqual({ expected: RECORDED, served: RECORDED });
    // The RPO the run that moved reported: two days and two hours.
    expect(report.rpoMinutes).toBeGreaterThanOrEqual(2 * 1440 + 120);
    expect(report.rpoMinutes).toBeLessThan(2 * 1440 + 125);
    expect(typeof report.rtoSeconds).toBe('number');
    const result = json.messages.find((m: any) => m.code === 'FAILOVER_RESULT');
    expect(result.data).toMatchObject({ passed: true, moved: true, rpoMinutes: report.rpoMinutes, rtoSeconds: report.rtoSeconds });
    // Failover routing moved the name: production's records as its apply left them, the SECONDARY to the standby.
    const left = json.messages.find((m: any) => m.code === 'FAILOVER_PRIMARY_LEFT').text;
    expect(left).toContain(
      "its state still owning rancher.example.com's records, unchanged: failover routing, whose PRIMARY stays unhealthy while the alarm rancher-rke-ha-failed-over in us-west-2 is in ALARM, so the SECONDARY, which leads to the standby, answers.",
    );
    expect(left).not.toContain('now point');
    expect(left).toContain(
      "The fence in us-west-2 (/rancher/rke-ha/failover-fence) holds until the failback removes it: production's plan refuses to change the records",
    );
    // A rerun says it is done and changes nothing.
    const again = failover(c, '--yes');
    expect({ code: again.code, codes: codesOf(again.out) }).toEqual({ code: 0, codes: ['FAILOVER_ALREADY_DONE'] });
  });

  it("restores the copy's newest whatever its age, its age the RPO, warned past the schedule, once 7 probes at the hostname and the NLB found the primary down; refuses a copy without the CA agents need", () => {
    const stale = failoverWorld((w) => {
      for (const o of w.aws.buckets[COPY].objects) o.lastModified = new Date(Date.parse(o.lastModified) - 5 * 3_600_000).toISOString();
    });
    // No terminal to confirm on: everything is decided and stated, nothing changed.
    const old = failover(stale);
    expect({ code: old.code, codes: codesOf(old.out) }).toEqual({
      code: 2,
      codes: ['FAILOVER_PRIMARY_DOWN', 'FAILOVER_BACKUP_OLD', 'FAILOVER_PLAN', 'FAILOVER_NO_TERMINAL'],
    });
    expect(said(old.out, 'FAILOVER_BACKUP_OLD')).toMatch(
      new RegExp(`s3://${COPY}/rancher/${STANDBY_NEWEST} is 42\\d minutes old, more than backups.schedule "0 \\*/6 \\* \\* \\*" lets`),
    );
    expect(said(old.out, 'FAILOVER_PLAN')).toMatch(/primary: down \(7 probes over \d+ s at the hostname .* and production's load balancer /);
    expect(said(old.out, 'FAILOVER_PLAN')).toMatch(new RegExp(`backup: s3://${COPY}/rancher/${STANDBY_NEWEST} \\(\\S+\\), 42\\d minutes old now`));
    expect(probesOf(stale)).toEqual({ byName: 7, atLb: 7 });
    expectNothingChanged(stale);

    const noCa = failoverWorld(undefined, { caMember: false });
    const without = failover(noCa, '--yes');
    expect({ code: without.code, codes: codesOf(without.out) }).toEqual({ code: 1, codes: ['FAILOVER_BACKUP_WITHOUT_CA'] });
    expect(said(without.out, 'FAILOVER_BACKUP_WITHOUT_CA')).toContain('secrets.#v1/cattle-system/tls-rancher.json');
    expectNothingChanged(noCa);
  });

  it("--prepare applies the pilot light ahead (the failover's module, a restore file of its own, -target: no server); a failover then applies the rest without refreshing it, and one without it is warned", async () => {
    const none = failoverWorld((w) => delete w.aws.parameters['/rancher/rke-ha/standby-state']);
    const refused = await failoverHere(none, { prepare: true });
    expect({ code: refused.code, codes: codesOf(refused.out) }).toEqual({ code: 2, codes: ['FAILOVER_PREPARE_NO_STATE_BUCKET'] });

    const c = failoverWorld();
    const prepared = prepare(c);
    expect({ code: prepared.code, result: codesOf(prepared.out).at(-1) }).toEqual({ code: 0, result: 'FAILOVER_PREPARED' });
    // The settings the failover gives its synth, but for the restore file, which no targeted resource names.
    const seen = JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'));
    expect(seen).toEqual({
      ...expectedStandby,
      backups: { ...(expectedStandby.backups as object), restoreFrom: { file: PREPARED_FILE, bucket: COPY } },
    });
    const applies = c.calls().filter((call) => call.startsWith('terraform apply'));
    expect(applies).toHaveLength(1);
    expect(applies[0]).toMatch(/^terraform apply -auto-approve -input=false( -target=\S+)+$/);
    const held = [...standbyHeld(c)].map((a) => a.split('.')[0]);
    expect(held).toEqual(
      expect.arrayContaining(['aws_iam_role', 'aws_iam_instance_profile', 'aws_s3_bucket_policy', 'aws_route53_health_check', 'aws_lb']),
    );
    expect(held.filter((type) => /^(aws_instance|aws_launch_template|helm_release|kubernetes_)/.test(type))).toEqual([]);
    expect(existsSync(join(c.dir, 'failover.out', 'failover.json'))).toBe(false);
    // Where production's failover record is to lead: the NLB just made, in the standby region's parameter.
    expect(JSON.parse(c.world().aws.parameters['/rancher/rke-ha/standby-target'].value)).toEqual({
      dnsName: STANDBY_LB,
      zoneId: STANDBY_LB_ZONE,
      type: 'alias',
    });
    expect(codesOf(prepared.out)).toContain('FAILOVER_STANDBY_TARGET');
    // Tagged as production's resources are (its settings' tags: none here; its deployment tag), set after the write
    // (SSM takes no tags with Overwrite): found by tag, and deleted by production's teardown (teardown.tools.test.ts).
    expect(c.world().aws.parameters['/rancher/rke-ha/standby-target'].tags).toEqual([{ Key: 'rancher-aws:deployment', Value: 'rancher-rke-ha' }]);

    const run = failover(c, '--yes');
    expect({ code: run.code, warned: codesOf(run.out).filter((code) => code === 'FAILOVER_NOT_PREPARED') }).toEqual({ code: 0, warned: [] });
    expect(
      c
        .calls()
        .filter((call) => call.startsWith('terraform apply'))
        .at(-1),
    ).toBe(
      // The deployer the prepare's apply read, given back: the plan reads no IAM (prepared-deployer.ts).
      `terraform apply -auto-approve -input=false -refresh=false -var=read_deployer_session=false -var=deployer_arns=["${DEPLOYER_ROLE}"]`,
    );

    const unprepared = failoverWorld();
    const old = failover(unprepared, '--yes');
    expect({ code: old.code, warned: codesOf(old.out).filter((code) => code === 'FAILOVER_NOT_PREPARED') }).toEqual({
      code: 0,
      warned: ['FAILOVER_NOT_PREPARED'],
    });
    expect(said(old.out, 'FAILOVER_NOT_PREPARED')).toContain('npm run failover -- rke-ha --prepare');
    expect(
      unprepared
        .calls()
        .filter((call) => call.startsWith('terraform apply'))
        .at(-1),
    ).toBe('terraform apply -auto-approve -input=false');
  });

  it("a pilot light is removed by the command production's teardown names (TEARDOWN_STANDBY_STANDS), where the prepare ran, with no restore variable given", () => {
    const c = failoverWorld();
    expect(prepare(c).code).toBe(0);
    expect(standbyHeld(c).size).toBeGreaterThan(0);
    expect(process.env.TF_VAR_rancher_backup_restore_encryption_config).toBeUndefined();
    // `npm run teardown -- --dir failover.out/cdktf.out/stacks/rke-ha` as users run it (the bundled CLI), with --yes.
    const removed = c.run(['teardown', '--dir', 'failover.out/cdktf.out/stacks/rke-ha', '--yes'], { tools: ['terraform'] });
    expect({ code: removed.code, err: removed.err, result: codesOf(removed.out).at(-1) }).toEqual({ code: 0, err: '', result: 'TEARDOWN_REPORT' });
    // The module requires the restore's variable (its prepared file is encrypted), which a destroy asks for too:
    // the teardown gave its stand-in, which its validation passes.
    expect(JSON.parse(readFileSync(join(c.dir, 'failover.out', 'cdktf.out', 'stacks', 'rke-ha', 'cdk.tf.json'), 'utf8')).variable).toHaveProperty(
      [RESTORE_VARIABLE],
      expect.not.objectContaining({ default: expect.anything() }),
    );
    expect(c.calls()).toContain('terraform apply -destroy -refresh=false -auto-approve -input=false');
    // Its region is the standby's, though its state lists the /ping check's alarm in us-east-1 first (no deployment
    // record in a pilot light: the region its ARNs name most), and its load balancer's protection is lifted there,
    // where ELB finds it (an endpoint of another region answers LoadBalancerNotFound, which reads as gone).
    expect(said(removed.out, 'TEARDOWN_PLAN')).toMatch(new RegExp(`^Teardown of rke-ha \\(\\S+, ${STANDBY_REGION}, module `));
    expect(
      c
        .calls()
        .filter((call) => call.includes('ModifyLoadBalancerAttributes'))
        .map((call) => call.split(' ')[1]),
    ).toEqual([STANDBY_REGION]);
    // Nothing of it left in its state, its load balancer's deletion protection lifted first (the destroy refuses it on).
    expect(standbyHeld(c).size).toBe(0);
  });

  it('--backup chooses another backup of the copy, a backup file there or refused; a record from before the apply chooses again, one from after keeps its backup', async () => {
    const c = failoverWorld();
    const notBackup = await failoverHere(c, { backup: 'rancher/notes.txt' });
    expect({ code: notBackup.code, codes: codesOf(notBackup.out) }).toEqual({ code: 2, codes: ['FAILOVER_BACKUP_NOT_A_BACKUP'] });
    expect(said(notBackup.out, 'FAILOVER_BACKUP_NOT_A_BACKUP')).toContain('--backup rancher/notes.txt is not a backup file of this deployment');
    const missing = `rancher-aws-scheduled-${UID}-2026-01-01T00-00-00Z.tar.gz.enc`;
    const notThere = await failoverHere(c, { backup: missing });
    expect({ code: notThere.code, codes: codesOf(notThere.out) }).toEqual({ code: 2, codes: ['FAILOVER_BACKUP_NOT_IN_COPY'] });
    expect(said(notThere.out, 'FAILOVER_BACKUP_NOT_IN_COPY')).toContain(
      `s3://${COPY}/rancher/${missing} is not in the standby's copy (2 backup files there`,
    );
    // Refused before the primary is probed.
    expect(probesOf(c)).toEqual({ byName: 0, atLb: 0 });

    // The older backup (26 hours): stated with the copy's newest, its age warned.
    const older = await failoverHere(c, { backup: `rancher/${OLDER}` });
    expect(codesOf(older.out)).toEqual(['FAILOVER_PRIMARY_DOWN', 'FAILOVER_BACKUP_OLD', 'FAILOVER_PLAN', 'FAILOVER_NO_TERMINAL']);
    expect(said(older.out, 'FAILOVER_PLAN')).toMatch(
      new RegExp(
        `backup: s3://${COPY}/rancher/${OLDER} \\(\\S+\\), 15[67]\\d minutes old now: the data lost \\(RPO\\); chosen with --backup \\(the copy's newest: rancher/${STANDBY_NEWEST}\\)`,
      ),
    );
    expect(said(older.out, 'FAILOVER_BACKUP_OLD')).not.toContain("Production's backups stopped");

    // A record of a run stopped before its apply (its synth): this run chooses again, the newest.
    const folder = join(c.dir, 'failover.out');
    const recorded = {
      startedAt: new Date().toISOString(),
      region: STANDBY_REGION,
      name: 'rancher-sb',
      backup: { bucket: COPY, key: `rancher/${OLDER}`, lastModified: new Date(Date.now() - 26 * 3_600_000).toISOString(), bytes: 1000 },
      file: OLDER,
      rpoMinutes: 5,
      phase: 'synth',
      moved: false,
    };
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'failover.json'), JSON.stringify(recorded));
    const again = await failoverHere(c);
    expect(said(again.out, 'FAILOVER_PLAN')).toMatch(
      new RegExp(`backup: s3://${COPY}/rancher/${STANDBY_NEWEST} \\(\\S+\\), 12\\d minutes old now: the data lost \\(RPO\\)$`, 'm'),
    );
    // Once the apply began with it: kept (its age now, not the recorded 5), and --backup naming another refused.
    writeFileSync(join(folder, 'failover.json'), JSON.stringify({ ...recorded, phase: 'apply' }));
    const kept = await failoverHere(c);
    expect(said(kept.out, 'FAILOVER_PLAN')).toMatch(new RegExp(`backup: s3://${COPY}/rancher/${OLDER} \\(\\S+\\), 15[67]\\d minutes old now`));
    const other = await failoverHere(c, { backup: STANDBY_NEWEST });
    expect({ code: other.code, codes: codesOf(other.out) }).toEqual({ code: 2, codes: ['FAILOVER_BACKUP_RECORDED'] });
    expect(said(other.out, 'FAILOVER_BACKUP_RECORDED')).toContain(`the standby's apply began with s3://${COPY}/rancher/${OLDER}`);
    expectNothingChanged(c);
  });

  it('the primary asked at its load balancer too: serving there though its name does not answer is refused; an answer that is not pong, or a signal while probing, leaves it unknown, never down', async () => {
    const c = failoverWorld((w) => Object.assign(w.failover, { primary: 'pong', primaryByName: 'down' }));
    const serving = await failoverHere(c, { yes: true });
    expect({ code: serving.code, codes: codesOf(serving.out) }).toEqual({ code: 1, codes: ['FAILOVER_PRIMARY_ANSWERS'] });
    expect(said(serving.out, 'FAILOVER_PRIMARY_ANSWERS')).toContain(`production's load balancer ${PRODUCTION_LB} answered pong (probe 1)`);
    expect(probesOf(c)).toEqual({ byName: 1, atLb: 1 });

    // Something answers at both, not Rancher: not known after that round; refused without --primary-lost.
    c.update((w) => Object.assign(w.failover, { primary: 'other', primaryByName: undefined }));
    const unknown = await failoverHere(c, { yes: true });
    expect({ code: unknown.code, codes: codesOf(unknown.out) }).toEqual({ code: 1, codes: ['FAILOVER_PRIMARY_UNKNOWN'] });
    expect(said(unknown.out, 'FAILOVER_PRIMARY_UNKNOWN')).toContain(
      "probe 1 at the hostname rancher.example.com: answered HTTP 404 '404 page not found'",
    );
    expect(probesOf(c)).toEqual({ byName: 2, atLb: 2 });
    const lost = await failoverHere(c, { primaryLost: true });
    expect(codesOf(lost.out)).toEqual(['FAILOVER_PRIMARY_UNKNOWN_LOST', 'FAILOVER_PLAN', 'FAILOVER_NO_TERMINAL']);

    // Down so far, and a signal during the third probe: unknown, exit 130, not a failover of a primary not shown down.
    c.update((w) => (w.failover.primary = 'down'));
    const before = probesOf(c).byName + probesOf(c).atLb;
    const stopped = await failoverHere(c, { yes: true, interrupted: () => probesOf(c).byName + probesOf(c).atLb >= before + 5 });
    expect({ code: stopped.code, codes: codesOf(stopped.out) }).toEqual({ code: 130, codes: ['FAILOVER_PRIMARY_UNKNOWN'] });
    expect(said(stopped.out, 'FAILOVER_PRIMARY_UNKNOWN')).toContain(
      'The probes of the primary were interrupted (during probe 3 at the hostname rancher.example.com, which came to: curl: (7)',
    );
    expect(probesOf(c).byName + probesOf(c).atLb).toBe(before + 5);
    expectNothingChanged(c);
  });

  it("records applied before failover routing move through Route 53's API, warned; failover records without a SECONDARY are refused before the metric", () => {
    const simple = failoverWorld(undefined, { failoverRouting: false });
    const moved = failover(simple, '--yes');
    expect({ code: moved.code, result: said(moved.out, 'FAILOVER_RESULT') }).toMatchObject({ code: 0, result: expect.stringContaining('PASSED') });
    expect(aliasOf(simple)).toBe(`${STANDBY_LB}.`);
    expect(simple.calls().filter((call) => call.includes('Route53 ChangeResourceRecordSets')).length).toBe(1);
    expect(simple.calls().filter((call) => call.includes('CloudWatch'))).toEqual([]);
    expect(said(moved.out, 'FAILOVER_MOVE_GLOBAL')).toContain('Apply production with this version');
    // Rancher restored with its `local` cluster alone: none needs the step.
    expect(said(moved.out, 'FAILOVER_REPORT')).toContain('imported RKE2/K3s clusters: none needs the system-agent step');
    // These records (A and AAAA) were changed: they lead to the standby now.
    expect(said(moved.out, 'FAILOVER_PRIMARY_LEFT')).toContain(
      "its state still owning rancher.example.com's records, which now point at the standby (moved by a Route 53 change: made before failover routing).",
    );
    expect(said(moved.out, 'FAILOVER_PRIMARY_LEFT')).not.toContain('failover routing, whose PRIMARY');
    expect(JSON.parse(readFileSync(join(simple.dir, 'failover.out', 'failover.json'), 'utf8'))).toMatchObject({ moved: true, movedBy: 'records' });

    // The standby-target parameter was absent when production was applied: PRIMARY records, no SECONDARY.
    const alone = failoverWorld(undefined, { failoverRouting: { dnsName: STANDBY_LB, zoneId: 'Z1H1FL5HABSF5', secondary: false } });
    const refused = failover(alone, '--yes');
    expect(refused.code).toBe(1);
    expect(said(refused.out, 'FAILOVER_PHASE_FAILED')).toContain('have no SECONDARY record');
    expect(said(refused.out, 'FAILOVER_PHASE_FAILED')).toContain('/rancher/rke-ha/standby-target (us-west-2)');
    expect(alone.calls().filter((call) => call.includes('PutMetricData') || call.includes('Route53'))).toEqual([]);
    expect(aliasOf(alone)).toBe(PRODUCTION_ALIAS);
  });

  it('a standby that serves another CA: the record is not moved, both CAs named, exit 1', () => {
    const c = failoverWorld((w) => (w.failover.servedCa = '-----BEGIN CERTIFICATE-----\na new rancher ca\n-----END CERTIFICATE-----\n'));
    const result = failover(c, '--yes');
    expect(result.code).toBe(1);
    expect(codesOf(result.out)).toContain('FAILOVER_PHASE_FAILED');
    expect(said(result.out, 'FAILOVER_PHASE_FAILED')).toMatch(
      new RegExp(`serves the CA rancher-ca-[0-9a-f]{64}, and the backups' record says agents trust ${RECORDED}`),
    );
    expect(aliasOf(c)).toBe(PRODUCTION_ALIAS);
    expect(c.calls().filter((call) => call.includes('Route53'))).toEqual([]);
    expect(reportOf(c).phases.map((p: any) => `${p.phase} ${p.status}`)).toEqual(['synth passed', 'apply passed', 'check failed']);
    expect(existsSync(join(c.dir, 'failover.out', 'failover.json'))).toBe(true);
  });
});
