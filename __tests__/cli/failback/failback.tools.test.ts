import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFakeAwsEndpoint, worldKubeconfig } from '../../helpers/fake-cloud';
import type { FakeCloud } from '../../helpers/fake-cloud';
import { BUCKET, COPY, STANDBY_NEWEST, STANDBY_REGION } from '../../helpers/drill-world';
import { aliasOf, expectedStandby, FAILED_OVER_ALARM, failover, HOSTNAME, PRODUCTION_LB, RECORDED, STANDBY_LB } from '../../helpers/failover-world';
import { synthSettings } from '../../helpers/variants';
import { expectedFailback, failback, failbackHere, failbackWorld, FAILBACK_FILE, STANDBY_BUCKET, STANDBY_CONFIG } from '../../helpers/failback-world';
import { codesOf, said } from '../../helpers/plain-output';
import { RESTORE_VARIABLE } from '../../../cli/shared/failover-record';
import { inPlaceRestoreName } from '../../../lib/rancher/backup-objects';

// `npm run failback -- rke-ha` against the fake cloud (helpers/failback-world.ts): a failover to us-west-2 run to its
// end first, then the failback to eu-west-1, its terraform acting on production's state as Terraform would
// (ops-stubs/fake-failback.js: a record left out of the configuration without a `removed` block is deleted in Route 53).
// The standby's teardown is the teardown command's, against the fake cloud's terraform and AWS as the teardown's own
// tests meet them (ops-stubs/fake-cloud.js: a prevent_destroy resource refuses the destroy, a bucket whose guards are
// deleted while it holds objects is a violation, a KMS key scheduled for deletion under a bucket's objects too).

useFakeAwsEndpoint();
const clouds: FakeCloud[] = [];
const made = (c: FakeCloud) => (clouds.push(c), c);
afterEach(() => {
  for (const c of clouds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
  }
});

/** The calls since the failback began (the failover's are before its first synth of failback.out). */
const failbackCalls = (c: FakeCloud) => {
  const calls = c.calls();
  const first = calls.findIndex((call) => call.startsWith('synth') && call.includes('failback.out'));
  return first < 0 ? [] : calls.slice(first);
};
/** The failback changed nothing: no synth, no plan, apply or import, no Route 53 change but the failover's one. */
function expectNothingChanged(c: FakeCloud): void {
  expect(failbackCalls(c)).toEqual([]);
  expect(c.calls().filter((call) => /^terraform (plan|apply|import)/.test(call))).toHaveLength(1);
  expect(c.calls().filter((call) => call.includes('Route53 ChangeResourceRecordSets'))).toHaveLength(1);
  expect(live(c)).toEqual([STANDBY, STANDBY]);
  expect(recordsInState(c)).toEqual(['A', 'AAAA']);
}
/** The hostname's records as Route 53 holds them: where A and AAAA point, or missing. */
const live = (c: FakeCloud) => [aliasOf(c), aliasOf(c, 'AAAA')];
/** Production's state holds the hostname's two records. */
const recordsInState = (c: FakeCloud) =>
  c
    .world()
    .state.resources.filter((r: any) => r.type === 'aws_route53_record')
    .map((r: any) => r.instances[0].attributes.type)
    .sort();
const reportOf = (c: FakeCloud): any => {
  const folder = join(c.dir, 'failback.out');
  const file = readdirSync(folder)
    .filter((f) => f.startsWith('report-'))
    .sort()
    .reverse()[0];
  return JSON.parse(readFileSync(join(folder, file), 'utf8'));
};
const STANDBY = `${STANDBY_LB}.`;
/** The standby's module restoring in place (a standby a failback kept), synthesized once, for `file`. */
let inPlaceModule: string | undefined;
function inPlaceStandby(file: string): string {
  const backups = { ...(expectedStandby.backups as object), restoreFrom: { file: STANDBY_NEWEST, bucket: COPY, inPlace: true } };
  inPlaceModule ??= JSON.stringify(synthSettings('rke-ha', { ...expectedStandby, backups } as never).json);
  return inPlaceModule.split(STANDBY_NEWEST).join(file).split(inPlaceRestoreName(STANDBY_NEWEST)).join(inPlaceRestoreName(file));
}
const PRIMARY = `${PRODUCTION_LB}.`;
/** The standby's deployment, as the failover named it. */
const STANDBY_NAME = 'rancher-sb';
/** The standby's destroys (its module is the one folder of the failback's world whose destroy is run). */
const destroys = (c: FakeCloud) => c.calls().filter((call) => call.startsWith('terraform apply -destroy'));
/** The standby's state holds no managed resource, and its load balancer is gone. */
function expectStandbyDown(c: FakeCloud): void {
  const w = c.world();
  expect(w.drill.state.resources.filter((r: any) => r.mode === 'managed')).toEqual([]);
  expect(Object.keys(w.aws.lbs).filter((arn) => arn.includes('drill'))).toEqual([]);
}
/** What --keep-snapshots keeps: the standby's backup bucket with its backups and guards, its snapshot bucket, their key. */
function expectStandbyDataKept(c: FakeCloud): void {
  const { buckets, keys } = c.world().aws;
  expect(buckets[STANDBY_BUCKET]).toMatchObject({ exists: true, guarded: true });
  expect(buckets[STANDBY_BUCKET].objects.map((o: any) => o.key)).toContain(`rancher/${FAILBACK_FILE}`);
  const snapshots = Object.entries(buckets).find(([name]) => name.startsWith('rancher-drill-etcd-snapshots'))?.[1] as any;
  expect(snapshots).toMatchObject({ exists: true, guarded: true });
  expect(keys[snapshots.key].state).toBe('Enabled');
}

describe('npm run failback -- rke-ha', () => {
  it('failover routing: the name moved back by the metric (0 in us-west-2, its alarm OK), no Route 53 call; the records held out imported back with their set identifiers', () => {
    const c = made(failbackWorld(undefined, { failoverRouting: true }));
    expect(live(c)).toEqual([STANDBY, STANDBY]);
    const done = failback(c, '--yes');
    expect(done.code).toBe(0);
    expect(live(c)).toEqual([PRIMARY, PRIMARY]);
    expect(c.calls().filter((call) => call.includes('Route53'))).toEqual([]);
    expect(failbackCalls(c).filter((call) => call.includes('us-west-2 CloudWatch PutMetricData'))).toHaveLength(1);
    expect(c.world().aws.alarms[FAILED_OVER_ALARM].state).toBe('OK');
    expect(said(done.out, 'FAILBACK_REPORT')).toContain('FailedOver 0 in us-west-2, its alarm rancher-rke-ha-failed-over OK');
    // The PRIMARY and SECONDARY records, forgotten by the failback's apply, imported by the provider's four-part id.
    const ids = failbackCalls(c)
      .filter((call) => call.startsWith('terraform import'))
      .map((call) => call.split(' ').at(-1))
      .sort();
    expect(ids).toEqual(['AAAA', 'A'].flatMap((type) => ['primary', 'standby'].map((set) => `Z0PRODUCTIONZONE_${HOSTNAME}_${type}_${set}`)));
    expect(recordsInState(c)).toEqual(['A', 'A', 'AAAA', 'AAAA']);
  });

  it('dry run: reads the settings file only, states the plan, changes nothing', () => {
    const c = made(failbackWorld(undefined, { failedOver: false }));
    const dry = c.run(['failback', 'rke-ha', '--dir', 'module', '--dry-run'], { tools: [] });
    expect({ code: dry.code, codes: codesOf(dry.out) }).toEqual({ code: 0, codes: ['FAILBACK_PLAN', 'FAILBACK_DRY_RUN'] });
    expect(said(dry.out, 'FAILBACK_PLAN')).toContain(`from its standby in ${STANDBY_REGION}`);
    expect(c.calls()).toEqual([]);
  });

  it('refuses without a failover done, and while the primary region does not answer: nothing changed', () => {
    const none = made(failbackWorld(undefined, { failedOver: false }));
    const refused = failback(none, '--yes');
    expect({ code: refused.code, codes: codesOf(refused.out) }).toEqual({ code: 2, codes: ['FAILBACK_NOT_FAILED_OVER'] });

    const c = made(failbackWorld((w) => (w.aws.downRegions = ['eu-west-1'])));
    const down = failback(c, '--yes');
    expect({ code: down.code, codes: codesOf(down.out) }).toEqual({ code: 1, codes: ['FAILBACK_PRIMARY_REGION_DOWN'] });
    expect(said(down.out, 'FAILBACK_PRIMARY_REGION_DOWN')).toContain('EC2 in eu-west-1');
    expectNothingChanged(c);
    expect(c.calls().filter((call) => call.includes('aws-sdk eu-west-1 EC2 DescribeInstances')).length).toBeGreaterThan(0);
  });

  it('refuses a production state that holds no deployment, naming the failback (not another command): nothing changed', () => {
    const c = made(failbackWorld((w) => (w.state.resources = [])));
    const empty = failback(c, '--yes');
    expect({ code: empty.code, codes: codesOf(empty.out) }).toEqual({ code: 2, codes: ['FAILBACK_PRODUCTION_UNREADABLE'] });
    expect(said(empty.out, 'FAILBACK_PRODUCTION_UNREADABLE')).toMatch(/holds no deployment \(its state is empty\): the failback restores production/);
    expect(said(empty.out, 'FAILBACK_PRODUCTION_UNREADABLE')).not.toContain('drill');
    expect(failbackCalls(c)).toEqual([]);
    expect(destroys(c)).toEqual([]);
  });

  it("--no-quiesce: refuses a standby backup older than the schedule allows, or one without the agents' CA: nothing changed", () => {
    const stale = made(
      failbackWorld((w) => {
        for (const o of w.aws.buckets[STANDBY_BUCKET].objects) o.lastModified = new Date(Date.parse(o.lastModified) - 8 * 3_600_000).toISOString();
      }),
    );
    const old = failback(stale, '--yes', '--no-quiesce');
    expect({ code: old.code, codes: codesOf(old.out) }).toEqual({ code: 1, codes: ['FAILBACK_STANDBY_BACKUP_STALE'] });
    expect(said(old.out, 'FAILBACK_STANDBY_BACKUP_STALE')).toContain(`s3://${STANDBY_BUCKET}/rancher/${FAILBACK_FILE}`);
    expectNothingChanged(stale);

    const noCa = made(failbackWorld(undefined, { caMember: false }));
    const without = failback(noCa, '--yes', '--no-quiesce');
    expect({ code: without.code, codes: codesOf(without.out) }).toEqual({ code: 1, codes: ['FAILBACK_BACKUP_WITHOUT_CA'] });
    expectNothingChanged(noCa);
  });

  it('a primary that serves another CA: the records stay on the standby, neither deleted nor moved, exit 1', () => {
    const c = made(failbackWorld((w) => (w.failover.primaryCa = '-----BEGIN CERTIFICATE-----\na new rancher ca\n-----END CERTIFICATE-----\n')));
    const result = failback(c, '--yes');
    expect(result.code).toBe(1);
    expect(said(result.out, 'FAILBACK_PHASE_FAILED')).toMatch(
      new RegExp(`the primary serves the CA rancher-ca-[0-9a-f]{64}, and the backups' record says agents trust ${RECORDED}`),
    );
    expect(live(c)).toEqual([STANDBY, STANDBY]);
    expect(c.calls().filter((call) => call.includes('Route53 ChangeResourceRecordSets'))).toHaveLength(1);
    // Production's state forgot them (failback.out/failback.json holds them for the rerun): Route 53 still has them.
    expect(recordsInState(c)).toEqual([]);
    expect(reportOf(c).phases.map((p: any) => `${p.phase} ${p.status}`)).toEqual([
      'quiesce passed',
      'copy passed',
      'synth passed',
      'apply passed',
      'check failed',
    ]);
    // The hostname leads to a standby whose Rancher this failback stopped: the result says so, and the two ways on.
    expect(said(result.out, 'FAILBACK_RESULT')).toMatch(
      /whose Rancher this failback stopped.*Run the failback again to continue, or start the standby's Rancher again: kubectl --kubeconfig <\(terraform -chdir=\S+ output -raw kubeconfig\) -n cattle-system scale deployment rancher --replicas=3\./,
    );
  });

  it('restores the standby into production with the records held out, is resumed after a SIGINT, moves them back once the CA is checked, hands them back to its state', () => {
    const c = made(failbackWorld((w) => (w.drill.signalAt = { phase: 'apply', signal: 'SIGINT' })));
    // The scheduled backup (--no-quiesce): the copy, the restore and the records are those of the quiesced path too.
    const stopped = failback(c, '--yes', '--no-quiesce');
    expect(stopped.code).toBe(130);
    expect(said(stopped.out, 'FAILBACK_PHASE_INTERRUPTED')).toBe('apply: interrupted by a signal');
    expect(live(c)).toEqual([STANDBY, STANDBY]);
    expect(recordsInState(c)).toEqual(['A', 'AAAA']);
    // A record written before failbacks named their failover: the one that began before it is the one retired.
    const recordFile = join(c.dir, 'failback.out', 'failback.json');
    const { failover: _named, ...unnamed } = JSON.parse(readFileSync(recordFile, 'utf8'));
    writeFileSync(recordFile, JSON.stringify(unnamed));

    const done = failback(c, '--yes', '--json', '--no-quiesce');
    expect(done.code).toBe(0);
    const json = JSON.parse(done.out);
    // Production's settings as applied: restoring the standby's newest backup, no record in the configuration.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedFailback);
    expect(expectedFailback).toMatchObject({
      hostname: HOSTNAME,
      rkeHa: { loadBalancer: { hostnameRecord: false } },
    });
    // Restored from production's own bucket (the operator reads a bucket of its own region only), where the standby's
    // backup was copied first, under its key, with that bucket's default encryption.
    expect((expectedFailback as any).backups.restoreFrom).toEqual({ file: FAILBACK_FILE, inPlace: true, unrecordedSource: true });
    // Copied before each run's plan (a rerun copies again, the same bytes): the plan's restore reads it there.
    const all = c.calls();
    const copied = all.filter((call) => call.includes('S3 CopyObject'));
    expect(copied).toHaveLength(2);
    const plans = all.flatMap((call, i) => (call.startsWith('terraform plan -input=false -out=failback.tfplan') ? [i] : []));
    expect(all.flatMap((call, i) => (call.includes('S3 CopyObject') ? [i] : [])).map((at, n) => at < plans[n])).toEqual([true, true]);
    for (const call of copied) {
      expect(call).toContain(`"CopySource":"${STANDBY_BUCKET}/rancher/${FAILBACK_FILE}"`);
      expect(call).toContain(`"Bucket":"${BUCKET}","Key":"rancher/${FAILBACK_FILE}"`);
      expect(call).not.toContain('ServerSideEncryption');
    }
    expect(c.world().aws.buckets[BUCKET].objects.map((o: any) => o.key)).toContain(`rancher/${FAILBACK_FILE}`);
    // The records: never deleted, never moved before the primary's CA was checked; moved once, to production's NLB.
    const calls = failbackCalls(c);
    const apply = calls.findIndex((call) => call.startsWith('terraform apply') && !call.includes('-destroy'));
    const caAsked = calls.findIndex(
      (call) => call.startsWith('curl') && call.includes(`${HOSTNAME}:443:${PRODUCTION_LB}:443`) && call.includes('/v3/settings/cacerts'),
    );
    const moved = calls.findIndex((call) => call.includes('Route53 ChangeResourceRecordSets'));
    expect(apply).toBeGreaterThan(-1);
    expect(caAsked).toBeGreaterThan(apply);
    expect(moved).toBeGreaterThan(caAsked);
    expect(calls.filter((call) => call.includes('Route53 ChangeResourceRecordSets'))).toHaveLength(1);
    expect(c.world().failback.recordCreated).toBeUndefined();
    expect(c.world().failback.recordsDeleted).toBeUndefined();
    expect(live(c)).toEqual([PRIMARY, PRIMARY]);
    // Handed back: production's state holds both records again, as Route 53 now has them.
    expect(c.world().failback.imported).toHaveLength(2);
    expect(recordsInState(c)).toEqual(['A', 'AAAA']);
    const report = reportOf(c);
    expect(report).toMatchObject({ passed: true, ca: { expected: RECORDED, served: RECORDED }, backup: { bucket: STANDBY_BUCKET } });
    expect(report.rpoMinutes).toBeGreaterThanOrEqual(30);
    expect(report.rpoMinutes).toBeLessThan(35);
    expect(typeof report.rtoSeconds).toBe('number');
    expect(json.messages.find((m: any) => m.code === 'FAILBACK_RESULT').data).toMatchObject({
      passed: true,
      moved: true,
      rtoSeconds: report.rtoSeconds,
    });
    // Last, once the primary answered /ping on the hostname with the records moved and handed back: the standby taken
    // down as `teardown --keep-snapshots --yes` does it, once; its backups (data) kept with every guard.
    const destroy = calls.findIndex((call) => call.startsWith('terraform apply -destroy'));
    const pinged = calls.map((call, i) => (call.startsWith('curl') && call.includes(`https://${HOSTNAME}/ping`) ? i : -1)).filter((i) => i >= 0);
    const imported = calls.map((call, i) => (call.startsWith('terraform import') ? i : -1)).filter((i) => i >= 0);
    expect(pinged.length).toBeGreaterThan(0);
    expect(destroy).toBeGreaterThan(Math.max(moved, ...pinged, ...imported));
    expect(destroys(c)).toHaveLength(1);
    expectStandbyDown(c);
    expectStandbyDataKept(c);
    // Saved beside them, as --keep-snapshots saves it: restoring the kept backups needs it.
    expect(readFileSync(join(c.dir, `${STANDBY_NAME}-backup-encryption.yaml`), 'utf8')).toBe(`${STANDBY_CONFIG}\n`);
    expect(json.messages.find((m: any) => m.code === 'TEARDOWN_REPORT').text).toContain(`Kept: S3 bucket ${STANDBY_BUCKET}`);
    expect(report.phases.map((p: any) => `${p.phase} ${p.status}`).slice(-3)).toEqual(['ping passed', 'adopt passed', 'teardown passed']);
    expect(json.messages.map((m: any) => m.code)).not.toContain('FAILBACK_STANDBY_LEFT');
    const callsBefore = c.calls().length;
    const again = failback(c, '--yes');
    expect({ code: again.code, codes: codesOf(again.out) }).toEqual({ code: 0, codes: ['FAILBACK_ALREADY_DONE'] });
    expect(said(again.out, 'FAILBACK_ALREADY_DONE')).toContain('the standby deployment is torn down, its backups kept');
    expect(existsSync(join(c.dir, 'failover.out', 'failover.json'))).toBe(false);
    expect(c.calls()).toHaveLength(callsBefore);
  });

  it("restores the standby's file on production's running cluster as its own Restore, prune on, with the standby's key: a completed Restore there never stands for it", () => {
    // Production was itself migrated (or failed back before): a Restore of the migration's name completed there.
    const MIGRATED = `rancher-aws-scheduled-0a1b2c3d-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-01-05T06-00-00Z.tar.gz.enc`;
    const c = made(failbackWorld((w) => (w.failback.restores = { 'rancher-aws-migration': { file: MIGRATED, completed: true } })));
    const done = failback(c, '--yes', '--keep-standby', '--no-quiesce');
    expect({ code: done.code, err: done.err }).toEqual({ code: 0, err: '' });
    const f = c.world().failback;
    // The operator ran a Restore of the standby's file: one of its own, in place, pruning what the backup lacks.
    expect(f.restored).toEqual({ name: expect.stringMatching(/^rancher-aws-restore-[0-9a-f]{10}$/), file: FAILBACK_FILE, prune: true });
    expect(f.restores['rancher-aws-migration']).toEqual({ file: MIGRATED, completed: true });
    // Production's plan accepted the standby's file with the standby's configuration (its record names production's).
    expect((expectedFailback as any).backups.restoreFrom).toMatchObject({ file: FAILBACK_FILE, inPlace: true, unrecordedSource: true });
    // The prune took production's own Secrets too: an apply after the restore put back what Terraform manages.
    expect(f.secretsPruned).toBeUndefined();
    const applies = failbackCalls(c).filter((call) => /^terraform apply -input=false failback/.test(call));
    expect(applies).toEqual(['terraform apply -input=false failback.tfplan', 'terraform apply -input=false failback-after.tfplan']);
  });

  it('failover -> failback --keep-standby -> failover -> failback: the done failback retires the failover record, so the next failover is a new one (its kept standby started again), and so is its failback', () => {
    const c = made(failbackWorld());
    const first = failback(c, '--yes', '--keep-standby');
    expect(first.code).toBe(0);
    // The kept standby's Rancher as the quiesce left it: stopped, so it acts for no downstream cluster beside production's.
    expect(c.world().failover.standbyRancher).toBe(0);
    expect(c.world().aws.parameters['/rancher/rke-ha/failover-fence']).toBeUndefined();
    const root = join(c.dir, 'failover.out');
    const started = JSON.parse(readFileSync(join(c.dir, 'failback.out', 'failback.json'), 'utf8')).failover;
    expect(existsSync(join(root, 'failover.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(root, `failover-${started.replace(/[:.]/g, '-')}.json`), 'utf8'))).toMatchObject({ done: true });
    // The primary lost again: a failover, not "already done".
    c.update((w) => (w.failover.primary = 'down'));
    // The world's synth hands out the standby's module for this failover (its backend the standby's state bucket) as the
    // failover's settings render it on a kept standby (in place), then the one before again.
    const standbyModule = join(c.dir, 'throwaway.cdk.tf.json');
    const before = readFileSync(standbyModule, 'utf8');
    writeFileSync(standbyModule, inPlaceStandby(STANDBY_NEWEST));
    // Killed (kill -9) once the kept standby's Rancher is scaled back up: the rerun goes on without a second scale.
    c.update((w) => (w.drill.signalAt = { phase: 'failover-scale', signal: 'SIGKILL' }));
    // A minute's wait for /ping at most (a standby that never answers fails in 6 looks, not 90).
    const killed = failover(c, '--yes', '--wait-minutes', '1');
    expect({ code: killed.code, standbyRancher: c.world().failover.standbyRancher }).toEqual({ code: null, standbyRancher: 3 });
    const again = failover(c, '--yes', '--wait-minutes', '1');
    writeFileSync(standbyModule, before);
    expect(codesOf(again.out)).not.toContain('FAILOVER_ALREADY_DONE');
    expect({ code: again.code, err: again.err }).toEqual({ code: 0, err: '' });
    expect(live(c)).toEqual([STANDBY, STANDBY]);
    // The standby's apply left the release as it was (Helm not run): the failover started its Rancher, once.
    const scales = c.calls().filter((call) => /scale deployment rancher --replicas=[1-9]/.test(call));
    expect(scales).toHaveLength(1);
    expect(said(again.out, 'FAILOVER_REPORT')).toContain('apply: passed');
    expect(said(again.out, 'FAILOVER_REPORT')).toContain("Rancher at 3 replicas on the standby's cluster");
    expect(c.world().failover.standbyRancher).toBe(3);
    // The fence raised again by this failover, for its failback to lower.
    expect(c.world().aws.parameters['/rancher/rke-ha/failover-fence']).toEqual(expect.objectContaining({ region: STANDBY_REGION }));
    // The same file for both failovers, each its own Restore: the first's a migration, the kept standby's in place.
    expect(c.world().failover.restores).toEqual({
      'rancher-aws-migration': { file: STANDBY_NEWEST, completed: true, prune: false },
      [inPlaceRestoreName(STANDBY_NEWEST)]: { file: STANDBY_NEWEST, completed: true, prune: true },
    });
    expect(c.world().failover.secretsPruned).toBeUndefined();
    // The standby's newer backup, then the failback of that failover: a new one, restoring that file as its own Restore.
    const NEWER = FAILBACK_FILE.replace('22-00-00Z', '23-00-00Z');
    c.update((w) => {
      w.failover.primary = 'pong';
      // The standby applied again: its outputs as failbackWorld gives them (the fake's apply writes its own).
      Object.assign(w.drill.state.outputs, {
        kubeconfig: { value: worldKubeconfig(c.dir, 'standby'), sensitive: true },
        rancher_backup_bucket: { value: STANDBY_BUCKET },
        rancher_backup_encryption_config: { value: STANDBY_CONFIG, sensitive: true },
      });
      w.aws.buckets[STANDBY_BUCKET].objects.push({
        key: `rancher/${NEWER}`,
        version: 'f3',
        lastModified: new Date().toISOString(),
        size: 1300,
        body: w.drill.backupFile,
      });
    });
    // The failback's synth (a stand-in: the module synthesized once for FAILBACK_FILE) renders that file's restore.
    const module = join(c.dir, 'failback.cdk.tf.json');
    const rendered = readFileSync(module, 'utf8');
    writeFileSync(module, rendered.split(FAILBACK_FILE).join(NEWER).split(inPlaceRestoreName(FAILBACK_FILE)).join(inPlaceRestoreName(NEWER)));
    const back = failback(c, '--yes', '--keep-standby', '--no-quiesce');
    expect(codesOf(back.out)).not.toContain('FAILBACK_ALREADY_DONE');
    expect({ code: back.code, err: back.err }).toEqual({ code: 0, err: '' });
    expect(live(c)).toEqual([PRIMARY, PRIMARY]);
    const f = c.world().failback;
    expect(f.restored).toEqual({ name: inPlaceRestoreName(NEWER), file: NEWER, prune: true });
    expect(Object.keys(f.restores)).toHaveLength(2);
    // The first failback's record kept beside the new one.
    expect(readdirSync(join(c.dir, 'failback.out')).filter((n) => /^failback-.*\.json$/.test(n))).toHaveLength(1);
  });

  // The kept standby's cluster holds the first failover's completed Restore under rancher-aws-migration, which the
  // operator never runs again (fake-drill.js standbyRestore): the next failover restores in place
  // (cli/failover/in-place-restore.ts; docs/development/standby-trust.md, "A kept standby at the next failover").
  it("failover -> failback --keep-standby -> failover of the copy's newer backup: the kept standby restores it in place, a Restore of its own with prune on, and its pruned Secrets are made again", () => {
    const c = made(failbackWorld());
    expect(failback(c, '--yes', '--keep-standby').code).toBe(0);
    const NEWER = STANDBY_NEWEST.replace('2026-11-23T00-00-00Z', '2026-11-28T00-00-00Z');
    c.update((w) => {
      w.failover.primary = 'down';
      w.aws.buckets[COPY].objects.push({
        key: `rancher/${NEWER}`,
        version: 's9',
        lastModified: new Date().toISOString(),
        size: 1100,
        body: w.drill.backupFile,
      });
    });
    // The world's synth hands out the standby's module as the failover's settings render it: in place, the newer file.
    writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), inPlaceStandby(NEWER));
    const again = failover(c, '--yes', '--wait-minutes', '1');
    expect({ code: again.code, err: again.err }).toEqual({ code: 0, err: '' });
    const settings = JSON.parse(readFileSync(join(c.dir, 'failover.out', 'settings.json'), 'utf8'));
    expect(settings.backups.restoreFrom).toEqual({ file: NEWER, bucket: COPY, inPlace: true });
    const w = c.world();
    expect(w.failover.restores[inPlaceRestoreName(NEWER)]).toEqual({ file: NEWER, completed: true, prune: true });
    // Pruned by that restore, replaced by the second apply (the state alone would leave them gone).
    expect(w.failover.secretsPruned).toBeUndefined();
    const applies = c.calls().filter((call) => /^terraform apply/.test(call) && !call.includes('-destroy'));
    expect(applies.at(-1)).toMatch(/-refresh=false.*-replace=kubernetes_secret_v1\.rancher-backups_encryption_/);
  });

  it('--keep-standby: the standby stays up, named with the teardown that removes it, and the dry run says so', () => {
    const dry = made(failbackWorld(undefined, { failedOver: false }));
    const plan = dry.run(['failback', 'rke-ha', '--dir', 'module', '--dry-run'], { tools: [] });
    expect(said(plan.out, 'FAILBACK_PLAN')).toContain('teardown of the standby deployment');
    expect(said(plan.out, 'FAILBACK_PLAN')).toContain('--keep-snapshots --yes');
    const kept = dry.run(['failback', 'rke-ha', '--dir', 'module', '--dry-run', '--keep-standby'], { tools: [] });
    expect(said(kept.out, 'FAILBACK_PLAN')).toContain('left up (--keep-standby)');

    const c = made(failbackWorld());
    const result = failback(c, '--yes', '--keep-standby');
    expect(result.code).toBe(0);
    expect(live(c)).toEqual([PRIMARY, PRIMARY]);
    expect(destroys(c)).toEqual([]);
    expect(c.world().drill.state.resources.filter((r: any) => r.type === 'aws_lb')).toHaveLength(1);
    expect(said(result.out, 'FAILBACK_STANDBY_LEFT')).toContain('--keep-snapshots');
    expect(reportOf(c).phases.at(-1)).toEqual({ phase: 'teardown', status: 'skipped', detail: '--keep-standby' });
    const again = failback(c, '--yes');
    expect({ code: again.code, codes: codesOf(again.out) }).toEqual({ code: 0, codes: ['FAILBACK_ALREADY_DONE'] });
    expect(said(again.out, 'FAILBACK_ALREADY_DONE')).toContain('npm run teardown -- --dir');
    expect(destroys(c)).toEqual([]);
  });

  it("killed (kill -9) once the standby's Rancher stopped, then once its Backup was created: each rerun goes on, never scales or creates twice, and restores that Backup's file", () => {
    const c = made(failbackWorld((w) => (w.drill.signalAt = { phase: 'quiesce-scale', signal: 'SIGKILL' })));
    const record = () => JSON.parse(readFileSync(join(c.dir, 'failback.out', 'failback.json'), 'utf8'));
    expect(failback(c, '--yes').code).toBeNull();
    expect(c.world().failover.standbyRancher).toBe(0);
    expect(record()).toMatchObject({ phase: 'quiesce', quiesce: { stoppedFrom: 3 } });
    expect(live(c)).toEqual([STANDBY, STANDBY]);
    c.update((w) => (w.drill.signalAt = { phase: 'quiesce-backup', signal: 'SIGKILL' }));
    expect(failback(c, '--yes').code).toBeNull();
    const name = record().quiesce.backupName;
    expect(name).toMatch(/^rancher-aws-failback-\d{8}t\d{6}$/);
    expect(Object.keys(c.world().failover.backups)).toEqual([name]);
    expect(record().quiesce).toMatchObject({ backupStarted: true });

    const rerun = failback(c, '--yes');
    expect({ code: rerun.code, result: said(rerun.out, 'FAILBACK_RESULT') }).toMatchObject({ code: 0, result: expect.stringContaining('RPO 0 min') });
    expect(c.calls().filter((call) => call.includes('scale deployment rancher'))).toHaveLength(1);
    expect(c.calls().filter((call) => call.includes('POST /apis/resources.cattle.io/v1/backups'))).toHaveLength(1);
    expect(said(rerun.out, 'FAILBACK_REPORT')).toContain(`quiesce: passed`);
    expect(said(rerun.out, 'FAILBACK_REPORT')).toContain(`${name} (created by an earlier run of this phase) adopted`);
    const f = c.world().failback;
    expect(f.restored.file).toMatch(new RegExp(`^${name}-`));
    expect(f.writesLost).toBe(false);
    expect(live(c)).toEqual([PRIMARY, PRIMARY]);
  });

  it("the standby's Backup failing (its operator's error): the failback stops at its quiesce, the hostname at the standby whose Rancher it stopped, and says the two ways on", () => {
    const c = made(failbackWorld((w) => (w.failover.backupFails = 'failed to check if s3 bucket exists: AccessDenied')));
    const failed = failback(c, '--yes');
    expect(failed.code).toBe(1);
    expect(said(failed.out, 'FAILBACK_PHASE_FAILED')).toMatch(
      /^quiesce: the Backup rancher-aws-failback-\d{8}t\d{6} failed, as its operator reports it: failed to check if s3 bucket exists: AccessDenied$/,
    );
    expect(said(failed.out, 'FAILBACK_RESULT')).toMatch(
      /^FAILED: the hostname still leads to the standby; .*whose Rancher this failback stopped.*Run the failback again to continue, or start the standby's Rancher again: kubectl .* scale deployment rancher --replicas=3\./,
    );
    expect(c.world().failover.standbyRancher).toBe(0);
    expect(live(c)).toEqual([STANDBY, STANDBY]);
    expect(failbackCalls(c)).toEqual([]);
    expect(c.calls().filter((call) => call.includes('S3 CopyObject'))).toEqual([]);
  });

  it('killed (kill -9) once the records moved back: the rerun checks /ping again, then tears the standby down, without restoring again', () => {
    const c = made(failbackWorld((w) => (w.drill.signalAt = { phase: 'adopt', signal: 'SIGKILL' })));
    const killed = failback(c, '--yes');
    expect(killed.code).toBeNull();
    expect(live(c)).toEqual([PRIMARY, PRIMARY]);
    expect(JSON.parse(readFileSync(join(c.dir, 'failback.out', 'failback.json'), 'utf8'))).toMatchObject({ phase: 'adopt', moved: true });
    expect(destroys(c)).toEqual([]);
    const before = c.calls().length;

    const rerun = failback(c, '--yes');
    expect(rerun.code).toBe(0);
    const after = c.calls().slice(before);
    // Not restored again: no copy, synth, plan or apply of production, no Route 53 change; /ping before the teardown.
    expect(after.filter((call) => /S3 CopyObject|Route53 ChangeResourceRecordSets|^terraform (plan|apply -input)|^synth/.test(call))).toEqual([]);
    const ping = after.findIndex((call) => call.startsWith('curl') && call.includes(`https://${HOSTNAME}/ping`));
    expect(ping).toBeGreaterThan(-1);
    expect(after.findIndex((call) => call.startsWith('terraform apply -destroy'))).toBeGreaterThan(ping);
    expect(destroys(c)).toHaveLength(1);
    expect(recordsInState(c)).toEqual(['A', 'AAAA']);
    expectStandbyDown(c);
    expectStandbyDataKept(c);
    expect(reportOf(c)).toMatchObject({ passed: true });
    expect(JSON.parse(readFileSync(join(c.dir, 'failback.out', 'failback.json'), 'utf8'))).toMatchObject({ standby: 'torn down', done: true });
  });

  it('the standby already gone (its module removed by hand): the failback records it torn down, and says so then and on a rerun', () => {
    const c = made(failbackWorld((w) => (w.drill.signalAt = { phase: 'adopt', signal: 'SIGKILL' })));
    expect(failback(c, '--yes').code).toBeNull();
    rmSync(join(c.dir, 'failover.out', 'cdktf.out', 'stacks', 'rke-ha', 'cdk.tf.json'));

    const rerun = failback(c, '--yes');
    expect(rerun.code).toBe(0);
    expect(codesOf(rerun.out)).toContain('FAILBACK_STANDBY_GONE');
    expect(destroys(c)).toEqual([]);
    expect(JSON.parse(readFileSync(join(c.dir, 'failback.out', 'failback.json'), 'utf8'))).toMatchObject({ standby: 'torn down', done: true });
    expect(said(rerun.out, 'FAILBACK_RESULT')).toContain(`the standby ${STANDBY_NAME} is torn down`);
    const again = failback(c, '--yes');
    expect(codesOf(again.out)).toEqual(['FAILBACK_ALREADY_DONE']);
    expect(said(again.out, 'FAILBACK_ALREADY_DONE')).toContain('the standby deployment is torn down');
  });

  it("killed (kill -9) during the standby's destroy: the rerun finds it torn down and never destroys again", () => {
    // The destroy goes on once the failback is killed, as terraform in its own process group does (fake-drill.js).
    const c = made(failbackWorld((w) => (w.drill.signalAt = { phase: 'teardown', signal: 'SIGKILL' })));
    const killed = failback(c, '--yes');
    expect(killed.code).toBeNull();
    expect(JSON.parse(readFileSync(join(c.dir, 'failback.out', 'failback.json'), 'utf8'))).toMatchObject({ phase: 'teardown', moved: true });
    expect(destroys(c)).toHaveLength(1);

    const rerun = failback(c, '--yes');
    expect(rerun.code).toBe(0);
    expect(codesOf(rerun.out)).toContain('TEARDOWN_NOTHING_LEFT');
    expect(destroys(c)).toHaveLength(1);
    expectStandbyDown(c);
    expectStandbyDataKept(c);
    expect(JSON.parse(readFileSync(join(c.dir, 'failback.out', 'failback.json'), 'utf8'))).toMatchObject({ standby: 'torn down', done: true });
  });
});

describe('the failback called as a function (a library user, the acceptance run)', () => {
  it("passes the restore's encryption configuration to its terraform alone: none of it is left in the caller's environment, on a command line or in a message", async () => {
    const c = made(failbackWorld());
    const before = process.env[`TF_VAR_${RESTORE_VARIABLE}`];
    const result = await failbackHere(c);
    expect({ code: result.code, codes: codesOf(result.out).filter((code) => code.endsWith('_RESULT')) }).toEqual({
      code: 0,
      codes: ['FAILBACK_RESULT'],
    });
    expect(result.leftInEnvironment).toEqual({});
    expect(process.env[`TF_VAR_${RESTORE_VARIABLE}`]).toBe(before);
    // Its terraform had it (the stubs refuse a plan, apply or destroy without it), and no call's arguments or message carried it.
    expect(destroys(c)).toHaveLength(1);
    for (const secret of [STANDBY_CONFIG, c.world().drill.encryptionConfig]) {
      expect(c.calls().filter((call) => call.includes(secret.trim().split('\n')[0]) && call.includes('EncryptionConfiguration'))).toEqual([]);
      expect(result.out).not.toContain(secret.trim());
    }
  });
});
