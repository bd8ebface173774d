import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCloud } from '../../helpers/fake-cloud';
import { statuses } from '../../helpers/acceptance-run';
import {
  BUCKET,
  checkEveryDrill,
  COPY,
  drillHere,
  expectedStandbySettings,
  expectTornDown,
  record,
  reportOf,
  STANDBY_KEY,
  STANDBY_NEWEST,
  STANDBY_REGION,
  standbyThrowawayJson,
  world,
} from '../../helpers/drill-world';
import { codesOf, said } from '../../helpers/plain-output';

// `npm run drill -- rke-ha --standby` in the drill's fake world (helpers/drill-world.ts) with production's standby in
// us-west-2: its state replicates the backup bucket to a copy there, which holds backups two and 26 hours old, while
// production's own bucket (eu-west-1) holds newer ones not replicated yet. The drill runs as a function in this process
// (drillHere: its AWS the fake behind the SDK clients, from the world); the dry runs are the bundled CLI's, with no
// tool on PATH, as a person reads the plan first. After every test: no AWS call outside the standby region, no write to
// production's buckets or the copy, production's module, state and buckets as they were (checkEveryDrill).

checkEveryDrill();

const standbyWorld = (change?: (w: any) => void) => world(change, 'standby');
/** The calls of one tool, as the call log has them. */
const callsOf = (c: FakeCloud, tool: string): { args: string[] }[] =>
  readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((l) => l.tool === tool);
/** Nothing was created: no synth, no terraform in the throwaway's folder, no record. */
function expectNothingCreated(c: FakeCloud): void {
  expect(c.calls().some((call) => call.startsWith('synth') || call.startsWith('terraform init'))).toBe(false);
  expect(existsSync(join(c.dir, 'drill.out', 'drill.json'))).toBe(false);
}

describe('npm run drill -- rke-ha --standby', () => {
  it("passes: the copy's newest backup restored into a throwaway in the standby region, its age reported as the RPO; production's region untouched", async () => {
    const c = standbyWorld();
    const result = await drillHere(c, { standby: true });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    // The throwaway: in the standby region, restoring the copy's newest file from the copy, no Route53 record.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedStandbySettings);
    expect(expectedStandbySettings).toMatchObject({ region: STANDBY_REGION, backups: { restoreFrom: { bucket: COPY, file: STANDBY_NEWEST } } });
    expect(Object.keys(standbyThrowawayJson.resource as object).filter((type) => type.startsWith('aws_route53'))).toEqual([]);
    const report = reportOf(c);
    expect(statuses(report)).toEqual({ synth: 'passed', apply: 'passed', ping: 'passed', login: 'passed', compare: 'passed', teardown: 'passed' });
    expect(report.backup).toMatchObject({ bucket: COPY, key: `rancher/${STANDBY_NEWEST}` });
    // Two hours old when the drill began (the world was made just before); the default schedule's 6 hours + 15 minutes allowed.
    expect(report.standby).toEqual({ region: STANDBY_REGION, rpoMinutes: expect.any(Number), allowedMinutes: 375 });
    expect(report.standby.rpoMinutes).toBeGreaterThanOrEqual(120);
    expect(report.standby.rpoMinutes).toBeLessThan(125);
    expect(typeof report.recoveryMinutes).toBe('number');
    expect(report.passed).toBe(true);
    const described = said(result.out, 'DRILL_REPORT');
    expect(described).toContain(`Standby drill of rancher (rke-ha, eu-west-1; standby region ${STANDBY_REGION})`);
    expect(described).toContain(`Data a failover would have lost (RPO): the backup restored was ${report.standby.rpoMinutes} minutes old`);
    expect(described).toMatch(/until \/ping answers, in us-west-2\): \d+ minutes/);
    // Production's region is not called: every AWS call of the drill and of its teardown went to the standby's, and
    // through the SDK (no AWS CLI process).
    expect(callsOf(c, 'aws')).toEqual([]);
    // Production's facts (the parameter, the document and the EncryptionConfiguration beside it: cli/shared/standby-facts.ts),
    // then the backup: the copy's objects read, nothing of production's state.
    const gets = callsOf(c, 'aws-sdk').filter((call) => call.args[1] === 'S3 GetObject' || call.args[1] === 'SSM GetParameter');
    expect(gets.map((call) => `${call.args[1]} ${JSON.parse(call.args[2]).Key ?? JSON.parse(call.args[2]).Name}`)).toEqual([
      'SSM GetParameter /rancher/rke-ha/standby-facts',
      'S3 GetObject rancher-aws/standby/facts.json',
      'S3 GetObject rancher-aws/standby/backup-encryption.yaml',
      `S3 GetObject rancher/${STANDBY_NEWEST}`,
    ]);
    expect([...new Set(callsOf(c, 'aws-sdk').map((call) => call.args[0]))]).toEqual([STANDBY_REGION]);
    // Production's bucket is not even listed, through the CLI or the SDK.
    expect(c.calls().filter((call) => call.includes(BUCKET))).toEqual([]);
    // What the teardown refuses to find in the throwaway's state: production's backup bucket, the copy and its key, as
    // production's facts name them (its etcd snapshot bucket, in production's region, is not among them).
    expect(STANDBY_KEY).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(record(c).productionBuckets).toEqual([BUCKET, COPY, STANDBY_KEY]);
    expectTornDown(c);
  });

  it("a throwaway whose state holds the standby's key is not torn down (its teardown would schedule the key's deletion)", async () => {
    const c = standbyWorld((w) => {
      const key = w.drill.applyState.resources.find((r: any) => r.type === 'aws_kms_key').instances[0].attributes.arn;
      w.drill.applyState = JSON.parse(JSON.stringify(w.drill.applyState).split(key).join(STANDBY_KEY));
    });
    const result = await drillHere(c, { standby: true });
    expect(result.code).toBe(1);
    expect(codesOf(result.out)).toContain('DRILL_PRODUCTION_STORE_IN_THROWAWAY');
    expect(statuses(reportOf(c)).teardown).toBe('failed');
    expect(c.calls().some((call) => call.startsWith('terraform apply -destroy') || call.includes('ScheduleKeyDeletion'))).toBe(false);
  });

  it('refuses before anything is created: no standby.region or a pinned image (dry run too), a standby not applied, an empty or stale copy, --etcd', async () => {
    // Production without a standby: the settings file says so, and the dry run reads nothing else.
    const none = world();
    const dry = none.run(['drill', 'rke-ha', '--dir', 'module', '--standby', '--dry-run'], { tools: [] });
    expect({ code: dry.code, codes: codesOf(dry.out) }).toEqual({ code: 2, codes: ['DRILL_NO_STANDBY'] });
    expect(said(dry.out, 'DRILL_NO_STANDBY')).toContain('sets no standby.region');
    expect(said(dry.out, 'DRILL_NO_STANDBY')).toContain('Set standby.region');
    const real = await drillHere(none, { standby: true });
    expect({ code: real.code, codes: codesOf(real.out) }).toEqual({ code: 2, codes: ['DRILL_NO_STANDBY'] });
    // A pinned image is its region's: refused in the dry run as in the real run.
    writeFileSync(
      join(none.dir, 'rancher.yaml'),
      `name: rancher\nregion: eu-west-1\nstandby:\n  region: ${STANDBY_REGION}\nrkeHa:\n  amiId: ami-0123456789abcdef0\n`,
    );
    const pinned = none.run(['drill', 'rke-ha', '--dir', 'module', '--standby', '--dry-run'], { tools: [] });
    expect({ code: pinned.code, codes: codesOf(pinned.out) }).toEqual({ code: 2, codes: ['DRILL_STANDBY_IMAGE_PINNED'] });
    expect(said(pinned.out, 'DRILL_STANDBY_IMAGE_PINNED')).toContain('rkeHa.amiId ami-0123456789abcdef0');
    // The settings name a standby production was not applied with: no facts of it in the standby region.
    writeFileSync(join(none.dir, 'rancher.yaml'), `name: rancher\nregion: eu-west-1\nstandby:\n  region: ${STANDBY_REGION}\n`);
    const unapplied = await drillHere(none, { standby: true });
    expect({ code: unapplied.code, codes: codesOf(unapplied.out) }).toEqual({ code: 2, codes: ['DRILL_NO_STANDBY_FACTS'] });
    expect(said(unapplied.out, 'DRILL_NO_STANDBY_FACTS')).toContain(`standby.region ${STANDBY_REGION}`);

    // An empty copy: S3 copies only what came after the standby.
    const empty = standbyWorld((w) => (w.aws.buckets[COPY].objects = []));
    const nothing = await drillHere(empty, { standby: true });
    expect({ code: nothing.code, codes: codesOf(nothing.out) }).toEqual({ code: 1, codes: ['DRILL_NO_STANDBY_BACKUP'] });
    expect(said(nothing.out, 'DRILL_NO_STANDBY_BACKUP')).toContain(`s3://${COPY}/rancher/`);

    // A copy whose newest backup is 7 hours old, over the 6-hour schedule and replication's 15 minutes: its age said.
    const stale = standbyWorld((w) => {
      for (const o of w.aws.buckets[COPY].objects) o.lastModified = new Date(Date.parse(o.lastModified) - 5 * 3_600_000).toISOString();
    });
    const old = await drillHere(stale, { standby: true });
    expect({ code: old.code, codes: codesOf(old.out) }).toEqual({ code: 1, codes: ['DRILL_STANDBY_BACKUP_STALE'] });
    expect(said(old.out, 'DRILL_STANDBY_BACKUP_STALE')).toMatch(
      new RegExp(
        `s3://${COPY}/rancher/${STANDBY_NEWEST} \\(\\S+\\) is 42\\d minutes old: .*backups.schedule "0 \\*/6 \\* \\* \\*" allows \\(375 minutes`,
      ),
    );

    // The copies of the etcd snapshots: refused, saying why, before any call. Its dry run without --etcd states the plan.
    const etcd = standbyWorld();
    const plan = etcd.run(['drill', 'rke-ha', '--dir', 'module', '--standby', '--dry-run'], { tools: [] });
    expect({ code: plan.code, codes: codesOf(plan.out) }).toEqual({ code: 0, codes: ['DRILL_PLAN', 'DRILL_DRY_RUN'] });
    expect(said(plan.out, 'DRILL_PLAN')).toContain(`Standby drill of rancher (rke-ha, eu-west-1, in its standby region ${STANDBY_REGION}`);
    const both = await drillHere(etcd, { standby: true, etcd: true });
    expect({ code: both.code, codes: codesOf(both.out) }).toEqual({ code: 2, codes: ['DRILL_STANDBY_ETCD_REFUSED'] });
    expect(etcd.calls()).toEqual([]);

    for (const c of [none, empty, stale, etcd]) expectNothingCreated(c);
  });
});

describe('npm run drill -- k8s-ha --standby', () => {
  it("restores k8s-ha's replicated backup into the same throwaway rke-ha deployment in the standby region, never its standby cluster", async () => {
    // Production's facts as k8s-ha's apply writes them (the world's production module is rke-ha's: standby-facts-world.ts).
    const c = standbyWorld((w) => {
      const target = 'rancher-ingress-0a1b.elb.eu-west-1.amazonaws.com';
      w.drill.standbyFacts = {
        stack: 'k8s-ha',
        document: { kind: 'k8s-ha', distribution: null, loadBalancer: null, ingress: { target, recordType: 'alias' } },
      };
    });
    // Production's settings name its cluster and the standby's: neither is the throwaway's (always rke-ha, its own VPC).
    const settings = readFileSync(join(c.dir, 'rancher.yaml'), 'utf8');
    writeFileSync(
      join(c.dir, 'rancher.yaml'),
      `${settings}k8sHa:\n  access:\n    kubeconfig:\n      context: prod\n`.replace(
        'standby:\n',
        'standby:\n  k8sHa:\n    access:\n      kubeconfig:\n        path: ~/.kube/standby\n',
      ),
    );
    const result = await drillHere(c, { standby: true, stack: 'k8s-ha' });
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedStandbySettings);
    const report = reportOf(c);
    expect(report).toMatchObject({
      stack: 'k8s-ha',
      backup: { bucket: COPY, key: `rancher/${STANDBY_NEWEST}` },
      standby: { region: STANDBY_REGION },
    });
    expect(statuses(report)).toMatchObject({ apply: 'passed', compare: 'passed', teardown: 'passed' });
    expect(existsSync(join(c.dir, 'drill.out', 'cdktf.out', 'stacks', 'rke-ha', 'cdk.tf.json'))).toBe(true);
  });
});
