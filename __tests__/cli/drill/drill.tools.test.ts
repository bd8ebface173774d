import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsOf, FAKE_BACKUP_ENCRYPTION_CONFIG, FakeCloud, stateOf, SYNTH_STUB, withoutLongValues } from '../../helpers/fake-cloud';
import { compiledMain } from '../../helpers/app-process';
import { writeBackup } from '../../helpers/backup-file';
import { synthSettings } from '../../helpers/variants';
import { etcdThrowawaySettings, throwawaySettings } from '../../../cli/drill/drill-settings';
import { statuses } from '../../helpers/acceptance-run';

// `npm run drill` as a person runs it: the bundled CLI, with terraform, aws, kubectl and curl stubbed
// (ops-stubs/fake-cloud.js with fake-drill.js) and the app's synth stubbed (fake-synth.js, writing a real synth of
// the settings the drill wrote) or run for real. Production is a real synth of rke-ha with its state and AWS
// objects; its backup bucket holds two backups and a stray file, the newest backup is a tar.gz laid out as the
// operator lays it out. After every test: production's module folder and state byte-identical, its buckets as
// they were, and no call that would have changed them.

const PRODUCTION_SETTINGS = { name: 'rancher', region: 'eu-west-1' };
const BUCKET = 'rancher-rke-ha-backups-0a1b2c';
const UID = '6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c';
const NEWEST = `rancher-aws-scheduled-${UID}-2026-11-23T06-00-00Z.tar.gz.enc`;
const OLDER = `rancher-aws-first-${UID}-2026-11-20T06-00-00Z.tar.gz.enc`;
const THROWAWAY = 'rancher-drill';
const PRODUCTION_URL = 'https://rancher.example.com';
const IN_BACKUP = {
  'clusters.management.cattle.io': 2,
  'users.management.cattle.io': 3,
  'projects.management.cattle.io': 4,
  'settings.management.cattle.io': 5,
};

const productionJson = synthSettings('rke-ha', PRODUCTION_SETTINGS as never).json;
const expectedSettings = throwawaySettings(PRODUCTION_SETTINGS, { name: THROWAWAY, file: NEWEST, bucket: BUCKET, productionName: 'rancher' });
const throwawayJson = synthSettings('rke-ha', expectedSettings as never).json;
// --etcd: the throwaway restores no Rancher backup, and lives at other addresses than production's servers.
const expectedEtcdSettings = etcdThrowawaySettings(PRODUCTION_SETTINGS, { name: THROWAWAY, productionName: 'rancher' });
const etcdThrowawayJson = synthSettings('rke-ha', expectedEtcdSettings as never).json;
const ETCD_BUCKET = 'rancher-rke-ha-etcd-0a1b2c';
const TOKEN = 'K10-the-cluster-token';
const NEWEST_SNAPSHOT = 'etcd-snapshot-ip-10-0-0-10-1795413600';
const RANCHER_CA = '-----BEGIN CERTIFICATE-----\nproduction rancher ca\n-----END CERTIFICATE-----\n';
const RESTORED = {
  nodes: 3,
  counts: {
    'clusters.management.cattle.io': 2,
    'users.management.cattle.io': 3,
    'projects.management.cattle.io': 4,
    'settings.management.cattle.io': 90,
  },
  serverUrl: PRODUCTION_URL,
  cacerts: RANCHER_CA,
};

const clouds: FakeCloud[] = [];
interface Drill {
  readonly c: FakeCloud;
  /** Production's module folder and state as they were: checked after the test. */
  readonly production: string;
  readonly buckets: string;
}
const drills: Drill[] = [];

function world(change?: (w: any) => void, mode: 'backup' | 'etcd' = 'backup'): FakeCloud {
  const etcd = mode === 'etcd';
  const state = withoutLongValues(stateOf(productionJson));
  state.outputs.rancher_url = { value: PRODUCTION_URL };
  state.outputs.rancher_backup_bucket = { value: BUCKET };
  state.outputs.etcd_snapshot_bucket = { value: ETCD_BUCKET };
  const aws = awsOf(state);
  aws.buckets[BUCKET] = {
    exists: true,
    guarded: true,
    objects: [
      { key: `rancher/${OLDER}`, version: 'v1', lastModified: '2026-11-20T06:00:09.000Z', size: 1000 },
      { key: `rancher/${NEWEST}`, version: 'v2', lastModified: '2026-11-23T06:00:09.000Z', size: 1200 },
      { key: 'rancher/notes.txt', version: 'v3', lastModified: '2026-11-24T00:00:00.000Z', size: 5 },
    ],
  };
  // Production's snapshots: scheduled ones of two servers, a roll's, their metadata twins, the newest by time.
  aws.buckets[ETCD_BUCKET] = {
    exists: true,
    guarded: true,
    objects: [
      { key: 'rke-ha/etcd-snapshot-ip-10-0-16-10-1795392000', version: 'e1', lastModified: '2026-11-23T00:00:09.000Z', size: 9000 },
      { key: `rke-ha/${NEWEST_SNAPSHOT}`, version: 'e2', lastModified: '2026-11-23T06:00:09.000Z', size: 9100 },
      { key: `rke-ha/.metadata/${NEWEST_SNAPSHOT}`, version: 'e3', lastModified: '2026-11-23T06:00:10.000Z', size: 300 },
      { key: 'rke-ha/rancher-roll-server-1-20261122T100000', version: 'e4', lastModified: '2026-11-22T10:00:00.000Z', size: 9000 },
    ],
  };
  const throwawayState = withoutLongValues(stateOf(etcd ? etcdThrowawayJson : throwawayJson, 'drill'));
  const etcdBucket = throwawayState.resources.find((r: any) => r.type === 'aws_s3_bucket' && r.name.startsWith('etcd-snapshots_'));
  throwawayState.outputs = {
    rancher_url: { value: 'https://3-250-1-2.sslip.io' },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n# the throwaway deployment\n', sensitive: true },
    rancher_backup_bucket: { value: 'rancher-drill-rke-ha-backups' },
    etcd_snapshot_bucket: { value: etcdBucket.instances[0].attributes.bucket },
  };
  const w: any = { state, aws, cluster: { apiUp: true } };
  const c = new FakeCloud(productionJson, w);
  clouds.push(c);
  c.update((x) => {
    x.drill = {
      productionDir: c.moduleDir,
      applyState: throwawayState,
      applyAws: awsOf(throwawayState),
      encryptionConfig: FAKE_BACKUP_ENCRYPTION_CONFIG,
      backupFile: writeBackup(c.dir, IN_BACKUP),
      backupBucket: BUCKET,
      restored: { ...IN_BACKUP, serverUrl: PRODUCTION_URL },
      ping: 'pong',
      // The token's parameter carries the tags every resource of the throwaway carries (the fake records a violation otherwise).
      ...(etcd
        ? {
            etcd: {
              bucket: ETCD_BUCKET,
              token: TOKEN,
              restore: 'ok',
              restored: RESTORED,
              parameterTags: { 'rancher-ha-aws-drill-of': 'rancher', 'rancher-aws:deployment': `${THROWAWAY}-rke-ha` },
            },
          }
        : {}),
    };
    change?.(x);
  });
  writeFileSync(join(c.dir, 'rancher.yaml'), 'name: rancher\nregion: eu-west-1\n');
  writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), JSON.stringify(etcd ? etcdThrowawayJson : throwawayJson, null, 1));
  drills.push({ c, production: productionBytes(c), buckets: JSON.stringify(productionBuckets(c)) });
  return c;
}

/** Every file of production's module folder, and its state, as bytes (hashed). */
function productionBytes(c: FakeCloud): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(`${path} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(c.moduleDir);
  return [...files, JSON.stringify(c.world().state)].join('\n');
}

/** Production's buckets (every one its state names, and the backup bucket). */
const productionBuckets = (c: FakeCloud) => Object.fromEntries(Object.entries(c.world().aws.buckets).filter(([name]) => !name.includes('drill')));

afterEach(() => {
  for (const d of drills.splice(0)) {
    expect(productionBytes(d.c)).toBe(d.production);
    expect(JSON.stringify(productionBuckets(d.c))).toBe(d.buckets);
    expect(d.c.violations()).toBe('');
    expectProductionOnlyRead(d.c);
  }
  for (const c of clouds.splice(0)) c.remove();
});

const drill = (c: FakeCloud, ...extra: string[]) =>
  c.run(['drill', 'rke-ha', '--dir', 'module', ...extra], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB } });

const reportOf = (c: FakeCloud): any => {
  const folder = join(c.dir, 'drill.out');
  const files = readdirSync(folder).filter((f) => f.startsWith('report-'));
  return JSON.parse(readFileSync(join(folder, files.sort()[files.length - 1]), 'utf8'));
};
const record = (c: FakeCloud) => JSON.parse(readFileSync(join(c.dir, 'drill.out', 'drill.json'), 'utf8'));

/** The throwaway is gone: its state empty, its buckets deleted, its other AWS objects deleted or scheduled. */
function expectTornDown(c: FakeCloud): void {
  const w = c.world();
  expect(w.drill.state?.resources ?? []).toEqual([]);
  for (const [name, bucket] of Object.entries(w.aws.buckets) as [string, any][]) if (name.includes('drill')) expect(bucket.exists).toBe(false);
  expect(Object.keys(w.aws.lbs).filter((arn) => arn.includes('drill'))).toEqual([]);
  expect(record(c).done).toBe(true);
  expect(existsSync(join(c.dir, 'drill.out', 'kubeconfig.yaml'))).toBe(false);
  expect(existsSync(join(c.dir, 'drill.out', 'backup.tar.gz'))).toBe(false);
}

/** The calls in production's folder and on production's backup bucket: reads only. */
function expectProductionOnlyRead(c: FakeCloud): void {
  const lines = readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  for (const call of lines.filter((l) => l.tool === 'terraform' && l.cwd === c.moduleDir)) expect(call.args.slice(0, 2)).toEqual(['state', 'pull']);
  for (const call of lines.filter((l) => l.tool === 'aws' && l.args.includes(BUCKET)))
    expect(['list-objects-v2', 'get-object']).toContain(call.args[1]);
  // The snapshot bucket: listed, read (a byte), and named only as the source of the copy.
  for (const call of lines.filter((l) => l.tool === 'aws' && l.args.some((a: string) => a.startsWith(ETCD_BUCKET)))) {
    expect(['list-objects-v2', 'get-object', 'copy-object']).toContain(call.args[1]);
    if (call.args[1] === 'copy-object') expect(call.args[call.args.indexOf('--copy-source') + 1]).toBe(`${ETCD_BUCKET}/rke-ha/${NEWEST_SNAPSHOT}`);
  }
}

describe('npm run drill', () => {
  it('passes: restores the newest backup into a throwaway, checks it, reports, tears it down; production only read', () => {
    const c = world();
    const result = drill(c);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    // The settings the app was given: production's, turned into the throwaway's, restoring the newest file.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedSettings);
    const report = reportOf(c);
    expect(statuses(report)).toEqual({ synth: 'passed', apply: 'passed', ping: 'passed', login: 'passed', compare: 'passed', teardown: 'passed' });
    expect(report.backup).toMatchObject({ bucket: BUCKET, key: `rancher/${NEWEST}` });
    // Counted through Rancher's API, logged in as the drill's own user (every page; that user not counted).
    expect(report.comparisons).toEqual([
      ...Object.entries(IN_BACKUP).map(([what, n]) => ({
        what,
        backup: n,
        restored: n,
        passed: true,
        note: `Rancher's API, /v3/${what.split('.')[0]}`,
      })),
      {
        what: 'setting server-url',
        backup: PRODUCTION_URL,
        restored: PRODUCTION_URL,
        passed: true,
        note: "in the backup; compared with production's URL, through Rancher's API",
      },
    ]);
    expect(report.login).toEqual({ user: 'rancher-ha-aws-drill', endpoint: '/v1-public/login', status: 201, removed: true });
    expect(c.world().drill.userEvents).toEqual(['created', 'deleted']);
    expect(c.calls().filter((call) => call.startsWith('curl ') && call.includes('/v3/projects'))).toHaveLength(2);
    expect(result.out).toContain(
      "Logged in to https://3-250-1-2.sslip.io as rancher-ha-aws-drill (the drill's own user, deleted afterwards): POST /v1-public/login answered 201.",
    );
    // The password and the token reached no file of the drill's folder.
    for (const file of readdirSync(join(c.dir, 'drill.out')).filter((f) => statSync(join(c.dir, 'drill.out', f)).isFile()))
      expect(readFileSync(join(c.dir, 'drill.out', file), 'utf8')).not.toContain('the-secret-part');
    expect(report.passed).toBe(true);
    expect(typeof report.recoveryMinutes).toBe('number');
    expect(report.notProven.join(' ')).toContain('Downstream clusters');
    expect(result.out).toContain('Result: PASSED');
    expect(result.out).toContain('What this drill does not prove:');
    expectTornDown(c);
    // The throwaway's apply and destroy were given production's backup configuration (the stub refuses otherwise).
    expect(c.calls().filter((call) => call.startsWith('terraform apply'))).toEqual([
      'terraform apply -auto-approve -input=false',
      'terraform apply -destroy -refresh=false -auto-approve -input=false',
    ]);
  });

  it("passes with the app's own synth of the settings it writes (no stubbed synth)", () => {
    const c = world();
    const result = c.run(['drill', 'rke-ha', '--dir', 'module'], { env: { RANCHER_HA_AWS_SYNTH: compiledMain() } });
    expect(result.code).toBe(0);
    const written = JSON.parse(readFileSync(join(c.dir, 'drill.out', 'cdktf.out', 'stacks', 'rke-ha', 'cdk.tf.json'), 'utf8'));
    // What the app wrote is the stack the unit tests check (no Route53 record, own VPC and state, read-only grants).
    expect(Object.keys(written.resource).sort()).toEqual(Object.keys(throwawayJson.resource as object).sort());
    expect(written.terraform.backend).toEqual({ local: { path: 'terraform.rke-ha.tfstate' } });
    expect(existsSync(join(c.dir, 'cdktf.out'))).toBe(false);
    expect(reportOf(c).passed).toBe(true);
    expectTornDown(c);
  });

  it('--keep leaves the throwaway up and says how to tear it down; a new drill is refused until --teardown', () => {
    const c = world();
    const kept = drill(c, '--keep');
    expect(kept.code).toBe(0);
    expect(kept.out).toContain(`Kept: the throwaway deployment ${THROWAWAY}`);
    expect(kept.out).toContain('npm run drill -- rke-ha --teardown');
    expect(statuses(reportOf(c)).teardown).toBe('skipped');
    expect(c.world().drill.state.resources.length).toBe(c.world().drill.applyState.resources.length);
    expect(existsSync(join(c.dir, 'drill.out', 'kubeconfig.yaml'))).toBe(true);
    // Kept, but without the drill's user.
    expect(c.world().drill.userEvents).toEqual(['created', 'deleted']);
    const again = drill(c);
    expect(again.code).toBe(2);
    expect(again.out).toContain('was kept (--keep) and is still up');
    const down = drill(c, '--teardown');
    expect(down.code).toBe(0);
    expectTornDown(c);
    expect(drill(c, '--teardown').out).toContain('No throwaway deployment of a drill is left');
  });

  it('a failing restore (the apply fails): the report says where, what exists is torn down', () => {
    const c = world((w) => (w.drill.applyFails = true));
    const result = drill(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toEqual({ synth: 'passed', apply: 'failed', ping: 'skipped', login: 'skipped', compare: 'skipped', teardown: 'passed' });
    expect(report.phases[1].detail).toContain('the restore did not complete');
    expect(report.passed).toBe(false);
    expect(report.recoveryMinutes).toBeUndefined();
    expect(result.out).toContain('Result: FAILED');
    expectTornDown(c);
  });

  // A child that ends before taking its input made Node's write to it fail with EPIPE, which ended the CLI before its
  // teardown (2 drills of 4 on the old code); every drill must now fail its apply and still tear down. Three drills:
  // the race is caught every time by process.tools.test.ts; this shows the drill's path.
  it('a terraform that exits at once on the apply, 3 drills: each fails its apply and tears down', () => {
    const outcomes: string[] = [];
    const cs: FakeCloud[] = [];
    for (let i = 0; i < 3; i++) {
      const c = world();
      cs.push(c);
      const result = c.run(['drill', 'rke-ha', '--dir', 'module'], {
        env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB, ...c.exitingAtOnce('terraform', 'apply -auto-approve') },
      });
      const report = existsSync(join(c.dir, 'drill.out')) && readdirSync(join(c.dir, 'drill.out')).some((f) => f.startsWith('report-'));
      const s = report ? statuses(reportOf(c)) : {};
      outcomes.push(`exit ${result.code}: apply ${s.apply}, teardown ${s.teardown}${/EPIPE/.test(result.err) ? ' (EPIPE)' : ''}`);
    }
    expect(outcomes).toEqual(Array(3).fill('exit 1: apply failed, teardown passed'));
    for (const c of cs) expectTornDown(c);
  });

  it('a failing /ping: looks the budget allows (6 in a minute), then the teardown', () => {
    const c = world((w) => (w.drill.ping = 'down'));
    const result = drill(c, '--wait-minutes', '1');
    expect(result.code).toBe(1);
    expect(statuses(reportOf(c))).toMatchObject({ apply: 'passed', ping: 'failed', login: 'skipped', teardown: 'passed' });
    expect(reportOf(c).phases[2].detail).toContain('Rancher did not answer pong on https://3-250-1-2.sslip.io/ping within 1 minutes');
    expect(c.calls().filter((call) => call.startsWith('curl '))).toHaveLength(6);
    expectTornDown(c);
  });

  it("rancher-webhook not serving yet refuses the drill's password twice: what was made is deleted, the create looked at again, the drill passes", () => {
    const c = world((w) => (w.drill.webhookRefusals = 2));
    const result = drill(c);
    expect(result.code).toBe(0);
    expect(statuses(reportOf(c))).toMatchObject({ login: 'passed', compare: 'passed', teardown: 'passed' });
    expect(c.calls().filter((call) => call.endsWith('create -f -'))).toHaveLength(3);
    expect(c.world().drill.userEvents).toEqual(['deleted', 'deleted', 'created', 'deleted']);
    expectTornDown(c);
  });

  it("a login Rancher refuses: the looks the budget allows (12 in 2 minutes), the drill's user deleted, no comparison, the teardown", () => {
    const c = world((w) => (w.drill.login = 'refused'));
    const result = drill(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ ping: 'passed', login: 'failed', compare: 'skipped', teardown: 'passed' });
    expect(report.phases[3].detail).toBe(
      "the drill's user did not log in to Rancher within 2 minutes (last: the login of rancher-ha-aws-drill on https://3-250-1-2.sslip.io/v1-public/login answered 401)",
    );
    expect(c.calls().filter((call) => call.startsWith('curl ') && call.includes('/v1-public/login'))).toHaveLength(12);
    expect(c.world().drill.userEvents).toEqual(['created', 'deleted']);
    expect(report.comparisons).toEqual([]);
    expectTornDown(c);
  });

  it.each([
    [
      'fewer clusters in Rancher than the backup holds',
      (w: any) => (w.drill.restored['clusters.management.cattle.io'] = 1),
      'clusters.management.cattle.io',
    ],
    ['fewer users restored than the backup holds', (w: any) => (w.drill.restored['users.management.cattle.io'] = 2), 'users.management.cattle.io'],
    ["a server-url other than production's", (w: any) => (w.drill.restored.serverUrl = 'https://3-250-1-2.sslip.io'), 'setting server-url'],
  ])('%s: the comparison fails, naming it', (_name, change, what) => {
    const c = world(change);
    const result = drill(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ compare: 'failed', teardown: 'passed' });
    expect(report.comparisons.filter((x: any) => !x.passed).map((x: any) => x.what)).toEqual([what]);
    expect(result.out).toContain(`FAILED  ${what}`);
    expectTornDown(c);
  });

  // SIGINT (Ctrl-C) takes the same path as SIGTERM: once, where a command is in flight.
  it.each([
    ['synth', 'SIGTERM', { synth: 'interrupted', apply: 'skipped', teardown: 'passed' }],
    ['apply', 'SIGTERM', { synth: 'passed', apply: 'interrupted', ping: 'skipped', teardown: 'passed' }],
    ['apply', 'SIGINT', { synth: 'passed', apply: 'interrupted', ping: 'skipped', teardown: 'passed' }],
    ['ping', 'SIGTERM', { apply: 'passed', ping: 'interrupted', login: 'skipped', teardown: 'passed' }],
    ['login', 'SIGTERM', { ping: 'passed', login: 'passed', compare: 'skipped', teardown: 'passed' }],
    ['compare', 'SIGTERM', { login: 'passed', compare: 'interrupted', teardown: 'passed' }],
  ])('during the %s phase, %s: stops there, tears the throwaway down, exit 130, the report says what passed', (phase, signal, expected) => {
    const c = world((w) => {
      w.drill.signalAt = { phase, signal };
      // Rancher not answering yet: the signal comes while the drill polls.
      if (phase === 'ping') w.drill.ping = 'down';
    });
    const result = drill(c);
    expect(result.code).toBe(130);
    expect(result.err).toContain(`${signal}: stopping the drill`);
    expect(statuses(reportOf(c))).toMatchObject(expected);
    expect(reportOf(c).passed).toBe(false);
    if (phase === 'synth') expect(result.out).toContain(`Nothing of ${THROWAWAY} was created`);
    if (phase === 'apply') expect(c.calls()).toContain('terraform apply -destroy -refresh=false -auto-approve -input=false');
    expectTornDown(c);
  });

  it('SIGTERM during the teardown: the teardown finishes first', () => {
    const c = world((w) => (w.drill.signalAt = { phase: 'teardown', signal: 'SIGTERM' }));
    const result = drill(c);
    // Signals are handled between steps; the teardown is the last, and the drill is done once it finished.
    expect(result.code).toBe(0);
    expect(statuses(reportOf(c)).teardown).toBe('passed');
    expectTornDown(c);
  });

  it.each(['synth', 'apply', 'compare', 'teardown'])(
    'killed (kill -9) during the %s phase: a rerun finds the throwaway left behind, tears it down, then drills',
    (phase) => {
      const c = world((w) => (w.drill.signalAt = { phase, signal: 'SIGKILL' }));
      const first = drill(c);
      expect(first.code).toBeNull();
      expect(record(c)).toMatchObject({ name: THROWAWAY, done: false });
      const rerun = drill(c);
      expect(rerun.code).toBe(0);
      expect(rerun.out).toContain(`An earlier drill left its throwaway deployment ${THROWAWAY}`);
      expect(reportOf(c).passed).toBe(true);
      expectTornDown(c);
    },
  );

  it('killed (kill -9) during the apply, then --teardown: only the teardown', () => {
    const c = world((w) => (w.drill.signalAt = { phase: 'apply', signal: 'SIGKILL' }));
    expect(drill(c).code).toBeNull();
    expect(c.world().drill.state.resources.length).toBeGreaterThan(0);
    const down = drill(c, '--teardown');
    expect(down.code).toBe(0);
    expect(c.calls().filter((call) => call.startsWith('terraform apply -auto-approve'))).toHaveLength(1);
    expectTornDown(c);
  });

  it("a throwaway whose state holds production's bucket is not torn down (its teardown would delete the bucket)", () => {
    const c = world((w) => {
      const bucket = w.drill.applyState.resources.find((r: any) => r.type === 'aws_s3_bucket' && r.name.startsWith('rancher-backups_'));
      Object.assign(bucket.instances[0].attributes, { id: BUCKET, bucket: BUCKET });
    });
    const result = drill(c);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`The throwaway's state holds production's ${BUCKET}: it is not torn down`);
    expect(statuses(reportOf(c)).teardown).toBe('failed');
    expect(c.calls().some((call) => call.startsWith('terraform apply -destroy') || call.startsWith('terraform state rm'))).toBe(false);
  });

  it('a throwaway still in its state is torn down first, though its record says it is gone; without a record the drill stops', () => {
    const c = world();
    expect(drill(c, '--keep').code).toBe(0);
    const kept = record(c);
    writeFileSync(join(c.dir, 'drill.out', 'drill.json'), JSON.stringify({ ...kept, done: true, keep: false }));
    const again = drill(c);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`An earlier drill left its throwaway deployment ${THROWAWAY}`);
    expectTornDown(c);
    // Nothing names it: the drill does not guess, and says how to tear it down.
    expect(drill(c, '--keep').code).toBe(0);
    rmSync(join(c.dir, 'drill.out', 'drill.json'));
    const lost = drill(c);
    expect(lost.code).toBe(2);
    expect(lost.out).toMatch(
      /still holds \d+ resources of an earlier throwaway, and .* does not name it: tear it down with `npm run teardown -- --dir /,
    );
    expect(drill(c, '--teardown').out).toContain('No throwaway deployment of a drill is left');
    // The test's own clean-up of what it left.
    const env = { TF_VAR_rancher_backup_restore_encryption_config: FAKE_BACKUP_ENCRYPTION_CONFIG };
    expect(c.run(['teardown', '--dir', kept.moduleDir, '--yes'], { env }).code).toBe(0);
    expect(c.world().drill.state.resources).toEqual([]);
  });

  it('--dry-run with no tool, no credentials and no module: the steps, what it creates, how long, what it costs; no call, nothing written', () => {
    const c = world();
    const result = c.run(['drill', 'rke-ha', '--dir', 'not-synthesized', '--dry-run'], { tools: [] });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('a dry run: no terraform, no AWS call, no credentials needed');
    expect(result.out).toContain('not synthesized here yet');
    for (const phase of ['synth', 'apply', 'ping', 'login', 'compare', 'teardown']) expect(result.out).toContain(`  ${phase}: `);
    expect(result.out).toContain(`throwaway deployment: ${THROWAWAY}`);
    expect(result.out).toContain('What it creates: a second rke-ha deployment');
    expect(result.out).toContain('How long: about an hour');
    expect(result.out).toMatch(/Cost: about \$\d+\.\d\d-\$\d+\.\d\d/);
    expect(result.out).toContain('Dry run: nothing was changed.');
    expect(c.calls()).toEqual([]);
    expect(existsSync(join(c.dir, 'drill.out'))).toBe(false);
    // --etcd: its own steps.
    const etcd = c.run(['drill', 'rke-ha', '--dir', 'module', '--dry-run', '--etcd', '--keep'], { tools: [] });
    expect(etcd.code).toBe(0);
    expect(etcd.out).toContain('  restore: ');
    expect(etcd.out).toContain('(skipped: --keep) teardown: ');
    expect(etcd.out).not.toContain('not synthesized');
    expect(c.calls()).toEqual([]);
  });

  // A dry run that passed on a name the real run refused (d0e353c): both refuse it now, before anything.
  it.each([
    ['rancher', "--name rancher is production's own name: the throwaway needs another. Nothing was changed."],
    ['../../x', '--name ../../x: expected lower-case letters, digits and "-" only'],
    ['Prod-Drill', '--name Prod-Drill: expected lower-case letters, digits and "-" only'],
  ])('refuses --name %s in the dry run as in the real run, before any call', (name, message) => {
    const c = world();
    const dry = c.run(['drill', 'rke-ha', '--dir', 'module', '--name', name, '--dry-run'], { tools: [] });
    expect({ code: dry.code, err: dry.err }).toEqual({ code: 2, err: '' });
    expect(dry.out).toContain(message);
    expect(dry.out).not.toContain('Dry run: nothing was changed.');
    expect(c.calls()).toEqual([]);
    const real = drill(c, '--name', name);
    expect(real.code).toBe(2);
    expect(real.out).toContain(message);
    expect(c.calls().some((call) => call.startsWith('synth') || call.startsWith('terraform init') || call.startsWith('aws '))).toBe(false);
    expect(existsSync(join(c.dir, 'drill.out', 'drill.json'))).toBe(false);
  });

  it.each([
    [
      'a settings file of another deployment',
      (c: FakeCloud) => writeFileSync(join(c.dir, 'rancher.yaml'), 'name: other\nregion: eu-west-1\n'),
      2,
      'is not the one',
    ],
    ['no backup in the bucket', undefined, 1, 'No backup in s3://'],
    ['the name of production for the throwaway', undefined, 2, "is production's own name", ['--name', 'rancher']],
  ])('refuses %s before anything is created', (name, change, code, message, extra: string[] = []) => {
    const c = world((w) => {
      if (name === 'no backup in the bucket') w.aws.buckets[BUCKET].objects = [];
    });
    change?.(c);
    const result = drill(c, ...extra);
    expect(result.code).toBe(code);
    expect(result.out).toContain(message);
    expect(c.calls().some((call) => call.startsWith('synth') || call.startsWith('terraform init'))).toBe(false);
  });

  it('refuses the docker and k8s-ha stacks, which it builds no throwaway for', () => {
    const c = world();
    for (const stack of ['docker', 'k8s-ha']) {
      const result = c.run(['drill', stack, '--dir', 'module'], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB } });
      expect(result.code).toBe(2);
      expect(result.out).toMatch(stack === 'docker' ? /no Rancher backups to restore/ : /no second cluster to restore into/);
    }
  });
});

describe('npm run drill -- rke-ha --etcd', () => {
  const etcdWorld = (change?: (w: any) => void) => world(change, 'etcd');
  const etcdOf = (c: FakeCloud) => c.world().drill.etcd;

  /** Production's token: in no call's arguments, no file of the drill's folder, not in the throwaway's state. */
  function expectTokenNowhere(c: FakeCloud): void {
    expect(readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')).not.toContain(TOKEN);
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
    for (const file of walk(join(c.dir, 'drill.out'))) expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    expect(JSON.stringify(c.world().drill.state ?? {})).not.toContain(TOKEN);
    // And its parameter is gone.
    expect(etcdOf(c).parameters ?? {}).toEqual({});
  }

  it("passes: the newest snapshot restored on the throwaway's first server with production's token, checked, reported, torn down", () => {
    const c = etcdWorld();
    const result = drill(c, '--etcd');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    // The throwaway's settings: no Rancher restore, no backups, another VPC range.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedEtcdSettings);
    const report = reportOf(c);
    expect(report.source).toBe('etcd-snapshot');
    expect(report.backup).toMatchObject({ bucket: ETCD_BUCKET, key: `rke-ha/${NEWEST_SNAPSHOT}` });
    expect(statuses(report)).toEqual({ synth: 'passed', apply: 'passed', restore: 'passed', ping: 'passed', compare: 'passed', teardown: 'passed' });
    expect(report.comparisons.map((x: any) => [x.what, x.backup, x.restored, x.passed])).toEqual([
      ['nodes', 3, 3, true],
      ...Object.entries(RESTORED.counts).map(([kind, n]) => [kind, 'at least 1', n, true]),
      ['setting server-url', PRODUCTION_URL, PRODUCTION_URL, true],
    ]);
    expect(typeof report.recoveryMinutes).toBe('number');
    expect(report.notProven.join(' ')).toContain("production's backup writer");
    expect(result.out).toContain('Result: PASSED');
    // The other two servers stopped, the restore on the first; the ping at production's name through the throwaway.
    const servers = c
      .world()
      .drill.applyState.resources.filter((r: any) => r.type === 'aws_instance')
      .map((r: any) => r.instances[0].attributes.id);
    expect(etcdOf(c).stopped).toEqual(servers.slice(1));
    const ping = c.calls().find((call) => call.startsWith('curl '));
    expect(ping).toContain('--connect-to rancher.example.com:443:3-250-1-2.sslip.io:443');
    expect(ping).toMatch(/--cacert \S+rancher-ca\.pem/);
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it('refuses before anything is created: no snapshot, a snapshot it may not read (KMS), TLS at the load balancer', () => {
    const none = etcdWorld(
      (w) => (w.aws.buckets[ETCD_BUCKET].objects = w.aws.buckets[ETCD_BUCKET].objects.filter((o: any) => o.key.includes('.metadata'))),
    );
    const empty = drill(none, '--etcd');
    expect(empty.code).toBe(1);
    expect(empty.out).toContain(`No etcd snapshot in s3://${ETCD_BUCKET}/rke-ha/: nothing to restore. Nothing was changed.`);

    const denied = etcdWorld((w) => (w.drill.etcd.denied = true));
    const refused = drill(denied, '--etcd');
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(`s3://${ETCD_BUCKET}/rke-ha/${NEWEST_SNAPSHOT} cannot be read with your credentials`);
    expect(refused.out).toContain('kms:Decrypt');
    expect(refused.out).toContain('run the drill as one of them');

    const external = etcdWorld();
    writeFileSync(join(external.dir, 'rancher.yaml'), 'name: rancher\nregion: eu-west-1\nrancher:\n  tls:\n    mode: external\n');
    const tls = drill(external, '--etcd');
    expect(tls.code).toBe(2);
    expect(tls.out).toContain('rancher.tls.mode external');

    for (const c of [none, denied, external]) {
      expect(c.calls().some((call) => call.startsWith('synth') || call.startsWith('terraform init') || call.includes('put-parameter'))).toBe(false);
      expect(existsSync(join(c.dir, 'drill.out', 'drill.json'))).toBe(false);
    }
  });

  it('a failing restore: the report says where, the token parameter is deleted, the throwaway torn down', () => {
    const c = etcdWorld((w) => (w.drill.etcd.restore = 'fails'));
    const result = drill(c, '--etcd');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toEqual({
      synth: 'passed',
      apply: 'passed',
      restore: 'failed',
      ping: 'skipped',
      compare: 'skipped',
      teardown: 'passed',
    });
    expect(report.phases[2].detail).toContain('the cluster reset from etcd-snapshot failed');
    expect(report.recoveryMinutes).toBeUndefined();
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it("a restored cluster whose Nodes are not production's servers fails the comparison, naming it", () => {
    const c = etcdWorld((w) => (w.drill.etcd.restored = { ...RESTORED, nodes: 1 }));
    const result = drill(c, '--etcd');
    expect(result.code).toBe(1);
    expect(statuses(reportOf(c))).toMatchObject({ restore: 'passed', ping: 'passed', compare: 'failed', teardown: 'passed' });
    expect(result.out).toContain('FAILED  nodes: backup 3, restored 1');
    expectTornDown(c);
  });

  it('SIGTERM during the restore: stops there, deletes the token parameter, tears down, exit 130', () => {
    const c = etcdWorld((w) => (w.drill.signalAt = { phase: 'restore', signal: 'SIGTERM' }));
    const result = drill(c, '--etcd');
    expect(result.code).toBe(130);
    expect(statuses(reportOf(c))).toMatchObject({ apply: 'passed', restore: 'interrupted', ping: 'skipped', teardown: 'passed' });
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it('killed (kill -9) during the restore: the token parameter stays named in the record; a rerun deletes it, tears down, drills', () => {
    const c = etcdWorld((w) => (w.drill.signalAt = { phase: 'restore', signal: 'SIGKILL' }));
    expect(drill(c, '--etcd').code).toBeNull();
    const left = record(c);
    expect(left).toMatchObject({ name: THROWAWAY, done: false, phase: 'restore' });
    expect(Object.keys(etcdOf(c).parameters)).toEqual([left.tokenParameter]);
    const rerun = drill(c, '--etcd');
    expect(rerun.code).toBe(0);
    expect(rerun.out).toContain(`An earlier drill left its throwaway deployment ${THROWAWAY}`);
    expect(reportOf(c).passed).toBe(true);
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it('killed during the restore, then --teardown: the parameter and the throwaway go, nothing is drilled', () => {
    const c = etcdWorld((w) => (w.drill.signalAt = { phase: 'restore', signal: 'SIGKILL' }));
    expect(drill(c, '--etcd').code).toBeNull();
    expect(drill(c, '--teardown').code).toBe(0);
    expect(c.calls().filter((call) => call.startsWith('terraform apply -auto-approve'))).toHaveLength(1);
    expectTokenNowhere(c);
    expectTornDown(c);
  });
});
