import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsOf, FAKE_BACKUP_ENCRYPTION_CONFIG, FakeCloud, stateOf, SYNTH_STUB, withoutLongValues, worldKubeconfig } from './fake-cloud';
import { writeBackup } from './backup-file';
import { synthSettings } from './variants';
import type { TerraformJson } from './synth';
import { etcdThrowawaySettings, throwawaySettings } from '../../cli/drill/drill-settings';
import { drill as drillCommand, type DrillSettings } from '../../cli/drill/drill';
import { IoHost } from '../../cli/shared/io/io-host';
import { PlainRenderer } from '../../cli/shared/io/plain-renderer';
import { inWorld } from './in-world';
import { teardown } from '../../cli/teardown/teardown';
import { awsOfWorldWithStubs } from './fake-cloud-aws-stubs';
import { FAILOVER_FENCE_PARAMETER, STANDBY_TARGET_PARAMETER } from '../../lib/standby/standby-facts-keys';
import { caChecksum } from '../../cli/shared/served-ca';
import { heldAsApplied, putStandbyFacts } from './standby-facts-world';

/**
 * The drill's world, shared by its tools files (cli/drill/drill*.tools.test.ts, split so jest runs them side by side).
 */
// `npm run drill` as a person runs it: the bundled CLI, with terraform, aws, kubectl and curl stubbed
// (ops-stubs/fake-cloud.js with fake-drill.js) and the app's synth stubbed (fake-synth.js, writing a real synth of
// the settings the drill wrote) or run for real. Production is a real synth of rke-ha with its state and AWS
// objects; its backup bucket holds two backups and a stray file, the newest backup is a tar.gz laid out as the
// operator lays it out. After every test: production's module folder and state byte-identical, its buckets as
// they were, and no call that would have changed them.

export const PRODUCTION_SETTINGS = { name: 'rancher', region: 'eu-west-1' };
export const BUCKET = 'rancher-rke-ha-backups-0a1b2c';
export const UID = '6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c';
export const NEWEST = `rancher-aws-scheduled-${UID}-2026-11-23T06-00-00Z.tar.gz.enc`;
export const OLDER = `rancher-aws-first-${UID}-2026-11-20T06-00-00Z.tar.gz.enc`;
export const THROWAWAY = 'rancher-drill';
export const PRODUCTION_URL = 'https://rancher.example.com';
export const IN_BACKUP = {
  'clusters.management.cattle.io': 2,
  'users.management.cattle.io': 3,
  'projects.management.cattle.io': 4,
  'settings.management.cattle.io': 5,
};

export const productionJson = synthSettings('rke-ha', PRODUCTION_SETTINGS as never).json;
export const expectedSettings = throwawaySettings(PRODUCTION_SETTINGS, { name: THROWAWAY, file: NEWEST, bucket: BUCKET, productionName: 'rancher' });
export const throwawayJson = synthSettings('rke-ha', expectedSettings as never).json;
// --etcd: the throwaway restores no Rancher backup, and lives at other addresses than production's servers.
export const expectedEtcdSettings = etcdThrowawaySettings(PRODUCTION_SETTINGS, { name: THROWAWAY, productionName: 'rancher' });
export const etcdThrowawayJson = synthSettings('rke-ha', expectedEtcdSettings as never).json;

// --standby: production with a standby region, whose state replicates the backup bucket to a copy there.
export const STANDBY_REGION = 'us-west-2';
const STANDBY_SETTINGS = { ...PRODUCTION_SETTINGS, standby: { region: STANDBY_REGION } };
export const productionStandbyJson = synthSettings('rke-ha', STANDBY_SETTINGS as never).json;
/** The standby's copy of BUCKET, in STANDBY_REGION (named as the copies are: `<name>-rke-ha-backups-sb-<suffix>`). */
export const COPY = 'rancher-rke-ha-backups-sb-0a1b2c';
/**
 * The replication of the backup bucket in a state of productionStandbyJson, with the world's bucket names: its source
 * BUCKET, as the output names it, and its destination COPY (the fake state's own names are not S3 names).
 */
function backupReplication(state: any): any {
  const found = state.resources.find(
    (r: any) => r.type === 'aws_s3_bucket_replication_configuration' && r.name.startsWith('standby_rancher-backups'),
  );
  const replication = found.instances[0].attributes;
  replication.bucket = BUCKET;
  replication.rule[0].destination[0].bucket = `arn:aws:s3:::${COPY}`;
  return replication;
}
/**
 * `--standby`: production's state as Terraform holds it where the standby facts read it (standby-facts-world.ts): its
 * backup bucket and the copy under the world's names, its NLB's name and zone, and the records beside the backups
 * resolved (the backup record, and the CA record of RANCHER_CA: rancher-ca-<its checksum>).
 */
function standbyState(state: any): void {
  heldAsApplied(state, { bucket: BUCKET, copy: COPY, ca: `rancher-ca-${caChecksum(RANCHER_CA)}`, hostname: new URL(PRODUCTION_URL).host });
  const lb = state.resources.find((r: any) => r.type === 'aws_lb').instances[0].attributes;
  Object.assign(lb, { dns_name: 'rancher-rke-ha-0a1b2c.elb.eu-west-1.amazonaws.com', zone_id: 'Z2IFOLAFXWLO4F' });
}
/** The standby region's key that encrypts the copies, by ARN, as production's state names it. */
export const STANDBY_KEY: string = backupReplication(stateOf(productionStandbyJson)).rule[0].destination[0].encryption_configuration[0]
  .replica_kms_key_id;
/** The copy's newest backup: older than production's newest (not replicated yet), within the 6-hour schedule. */
export const STANDBY_NEWEST = `rancher-aws-scheduled-${UID}-2026-11-23T00-00-00Z.tar.gz.enc`;
export const expectedStandbySettings = throwawaySettings(STANDBY_SETTINGS, {
  name: THROWAWAY,
  file: STANDBY_NEWEST,
  bucket: COPY,
  productionName: 'rancher',
  region: STANDBY_REGION,
});
export const standbyThrowawayJson = synthSettings('rke-ha', expectedStandbySettings as never).json;
const MINUTE = 60_000;
export const ETCD_BUCKET = 'rancher-rke-ha-etcd-0a1b2c';
export const TOKEN = 'K10-the-cluster-token';
export const NEWEST_SNAPSHOT = 'etcd-snapshot-ip-10-0-0-10-1795413600';
export const RANCHER_CA = '-----BEGIN CERTIFICATE-----\nproduction rancher ca\n-----END CERTIFICATE-----\n';
export const RESTORED = {
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

/**
 * `productionBackend`: production's state backend as its module names it (`{ s3: { bucket, key, region } }`, the
 * backend docs/deploy.md recommends) in place of the synthesized local file: the stub reads the state there, and a
 * lost region's backend is not read (ops-stubs/region-loss.js). `productionJson`: production's module, synthesized of
 * other settings than PRODUCTION_SETTINGS (failover-world.ts's K3s).
 */
export function world(
  change?: (w: any) => void,
  mode: 'backup' | 'etcd' | 'standby' = 'backup',
  options: { productionBackend?: Record<string, unknown>; productionJson?: TerraformJson } = {},
): FakeCloud {
  const etcd = mode === 'etcd';
  const standby = mode === 'standby';
  const synthesized = options.productionJson ?? (standby ? productionStandbyJson : productionJson);
  const json = options.productionBackend
    ? ({ ...synthesized, terraform: { ...synthesized.terraform, backend: options.productionBackend } } as typeof synthesized)
    : synthesized;
  const state = withoutLongValues(stateOf(json));
  if (standby) {
    backupReplication(state);
    standbyState(state);
  }
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
  // The standby's copy: the newest two hours old (the RPO it gives), an older one, a stray file.
  const now = Date.now();
  if (standby)
    aws.buckets[COPY] = {
      exists: true,
      guarded: true,
      objects: [
        { key: `rancher/${OLDER}`, version: 's1', lastModified: new Date(now - 26 * 60 * MINUTE).toISOString(), size: 1000 },
        { key: `rancher/${STANDBY_NEWEST}`, version: 's2', lastModified: new Date(now - 120 * MINUTE).toISOString(), size: 1100 },
        { key: 'rancher/notes.txt', version: 's3', lastModified: new Date(now - 10 * MINUTE).toISOString(), size: 5 },
      ],
    };
  const throwawayModule = etcd ? etcdThrowawayJson : standby ? standbyThrowawayJson : throwawayJson;
  // A standby drill's throwaway is in the standby region: its keys' ARNs (which KMS finds only there) say so.
  const throwawayState = withoutLongValues(stateOf(throwawayModule, 'drill', standby ? STANDBY_REGION : undefined));
  const etcdBucket = throwawayState.resources.find((r: any) => r.type === 'aws_s3_bucket' && r.name.startsWith('etcd-snapshots_'));
  throwawayState.outputs = {
    rancher_url: { value: 'https://3-250-1-2.sslip.io' },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n# the throwaway deployment\n', sensitive: true },
    rancher_backup_bucket: { value: 'rancher-drill-rke-ha-backups' },
    etcd_snapshot_bucket: { value: etcdBucket.instances[0].attributes.bucket },
  };
  const w: any = { state, aws, cluster: { apiUp: true } };
  const c = new FakeCloud(json, w);
  clouds.push(c);
  c.update((x) => {
    // The throwaway's kubeconfig names the world's Kubernetes API as the drill's cluster (the drill's calls through the client).
    throwawayState.outputs.kubeconfig.value = worldKubeconfig(c.dir, 'drill');
    x.drill = {
      productionDir: c.moduleDir,
      applyState: throwawayState,
      applyAws: awsOf(throwawayState),
      encryptionConfig: FAKE_BACKUP_ENCRYPTION_CONFIG,
      backupFile: writeBackup(c.dir, IN_BACKUP),
      backupBucket: BUCKET,
      ...(standby ? { standby: { bucket: COPY, region: STANDBY_REGION } } : {}),
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
    // The fake AWS hands out the backup file for every backup of production's bucket and of the standby's copy.
    for (const name of [BUCKET, COPY])
      for (const o of x.aws.buckets[name]?.objects ?? []) if (o.key.endsWith('.tar.gz.enc')) o.body = x.drill.backupFile;
    change?.(x);
    // --standby: production's facts in the standby region, as its apply wrote them (`drill.standbyFacts`: false for
    // none, or the fields a world of another stack's production gives: standby-facts-world.ts).
    if (standby && x.drill.standbyFacts !== false) putStandbyFacts(x, json, x.drill.standbyFacts ?? {});
    // KMS refuses production's snapshot key to the caller: S3 answers AccessDenied to its reads and copies.
    if (x.drill.etcd?.denied) for (const o of x.aws.buckets[ETCD_BUCKET].objects) o.unreadable = true;
    // The compare phase's first AWS call is its backup's download, through the SDK: the fake AWS endpoint signals the
    // drill there (a bundled-CLI run), as the stubs signal it at their phases' calls.
    if (x.drill.signalAt?.phase === 'compare') {
      x.signalOnCall = { call: 'S3 GetObject', signal: x.drill.signalAt.signal };
      delete x.drill.signalAt;
    }
  });
  writeFileSync(join(c.dir, 'rancher.yaml'), `name: rancher\nregion: eu-west-1\n${standby ? `standby:\n  region: ${STANDBY_REGION}\n` : ''}`);
  writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), JSON.stringify(throwawayModule, null, 1));
  drills.push({ c, production: productionBytes(c), buckets: JSON.stringify(productionBuckets(c)) });
  return c;
}

/** Every file of production's module folder, and its state, as bytes (hashed). */
export function productionBytes(c: FakeCloud): string {
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
export const productionBuckets = (c: FakeCloud) =>
  Object.fromEntries(Object.entries(c.world().aws.buckets).filter(([name]) => !name.includes('drill')));

/**
 * Registers, in the calling test file, the checks after every test of the drills it made (production's module folder,
 * state and buckets as they were, no violation, production only read) and their clean-up.
 */
export function checkEveryDrill(): void {
  afterEach(() => {
    for (const d of drills.splice(0)) {
      expect(productionBytes(d.c)).toBe(d.production);
      expect(JSON.stringify(productionBuckets(d.c))).toBe(d.buckets);
      expect(d.c.violations()).toBe('');
      expectProductionOnlyRead(d.c);
    }
    for (const c of clouds.splice(0)) c.remove();
  });
}

export const drill = (c: FakeCloud, ...extra: string[]) =>
  // As users run it: terraform and curl on PATH, and neither the AWS CLI nor kubectl (the SDK and the Kubernetes client).
  c.run(['drill', 'rke-ha', '--dir', 'module', ...extra], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB }, tools: ['terraform', 'curl'] });

/**
 * `drill rke-ha --dir module` of the world, driven as a function in this process, from the world's folder: terraform,
 * curl and the synth are the world's stubs (processes, as in the product), AWS the fake AWS behind the SDK
 * clients loaded from and written back to the world (fake-cloud-aws-stubs.ts: SSM Run Command answered by the
 * stubs). Its exit code, what it printed as plain lines, and its host (messages, spans: what `--json` prints). The
 * environment it changes (PATH, the world, the restore's TF_VAR_) is put back after it.
 */
export async function drillHere(
  c: FakeCloud,
  options: Partial<Omit<DrillSettings, 'teardown' | 'interrupted'>> = {},
): Promise<{ code: number; out: string; err: ''; io: IoHost }> {
  let out = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  const before = process.env.TF_VAR_rancher_backup_restore_encryption_config;
  const { result: code } = await inWorld(c, {}, async () => {
    const ended = await drillCommand({
      stack: 'rke-ha',
      productionDir: c.moduleDir,
      settingsPath: join(c.dir, 'rancher.yaml'),
      root: join(c.dir, 'drill.out'),
      synthScript: SYNTH_STUB,
      interrupted: () => false,
      teardown,
      aws: awsOfWorldWithStubs(c),
      ...options,
      io,
    });
    // The drill puts the restore's variable back as its caller had it (a library user's process keeps no secret of it).
    expect(process.env.TF_VAR_rancher_backup_restore_encryption_config).toBe(before);
    return ended;
  });
  return { code, out, err: '', io };
}

export const reportOf = (c: FakeCloud): any => {
  const folder = join(c.dir, 'drill.out');
  const files = readdirSync(folder).filter((f) => f.startsWith('report-'));
  return JSON.parse(readFileSync(join(folder, files.sort()[files.length - 1]), 'utf8'));
};
export const record = (c: FakeCloud) => JSON.parse(readFileSync(join(c.dir, 'drill.out', 'drill.json'), 'utf8'));

/** The throwaway is gone: its state empty, its buckets deleted, its other AWS objects deleted or scheduled. */
export function expectTornDown(c: FakeCloud): void {
  const w = c.world();
  expect(w.drill.state?.resources ?? []).toEqual([]);
  for (const [name, bucket] of Object.entries(w.aws.buckets) as [string, any][]) if (name.includes('drill')) expect(bucket.exists).toBe(false);
  expect(Object.keys(w.aws.lbs).filter((arn) => arn.includes('drill'))).toEqual([]);
  expect(record(c).done).toBe(true);
  expect(existsSync(join(c.dir, 'drill.out', 'kubeconfig.yaml'))).toBe(false);
  expect(existsSync(join(c.dir, 'drill.out', 'backup.tar.gz'))).toBe(false);
}

/** The calls in production's folder and on production's backup bucket: reads only. */
export function expectProductionOnlyRead(c: FakeCloud): void {
  const lines = readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  for (const call of lines.filter((l) => l.tool === 'terraform' && l.cwd === c.moduleDir)) expect(call.args.slice(0, 2)).toEqual(['state', 'pull']);
  for (const call of lines.filter((l) => l.tool === 'aws' && l.args.includes(BUCKET)))
    expect(['list-objects-v2', 'get-object']).toContain(call.args[1]);
  // The standby's copy (--standby): listed and read, nothing else.
  for (const call of lines.filter((l) => l.tool === 'aws' && l.args.includes(COPY)))
    expect(['list-objects-v2', 'get-object']).toContain(call.args[1]);
  const sdk = lines.filter((l) => l.tool === 'aws-sdk').map((l) => ({ region: l.args[0], call: l.args[1], input: JSON.parse(l.args[2]) }));
  // Through the SDK (the drill's reads, its copy, the teardown's calls): production's buckets are never named but by a read.
  for (const call of sdk.filter((c) => [BUCKET, ETCD_BUCKET, COPY].includes(c.input.Bucket)))
    expect(['S3 ListObjectsV2', 'S3 GetObject']).toContain(call.call);
  // Production's snapshot: read a byte only (whether the caller may), never downloaded; named only as the source of
  // the copy, which goes SSE-S3 into the throwaway's bucket (its servers read it without production's key).
  for (const call of sdk.filter((c) => c.call === 'S3 GetObject' && c.input.Bucket === ETCD_BUCKET)) expect(call.input.Range).toBe('bytes=0-0');
  for (const call of sdk.filter((c) => c.call === 'S3 CopyObject')) {
    expect(call.input.CopySource).toBe(`${ETCD_BUCKET}/rke-ha/${NEWEST_SNAPSHOT}`);
    expect(call.input.ServerSideEncryption).toBe('AES256');
    expect([BUCKET, ETCD_BUCKET, COPY]).not.toContain(call.input.Bucket);
  }
  // The token's parameter: a SecureString under a key, its value never in the log (fake-cloud-aws.ts loggedInput). The
  // failover's fence (cli/shared/fence.ts): a String, nothing secret, in the standby region only. (A failover's
  // prepare writes the standby's load balancer, nothing secret, as a String.)
  const fence = (c: { input: any }) => String(c.input.Name).endsWith(FAILOVER_FENCE_PARAMETER);
  for (const call of sdk.filter((c) => c.call === 'SSM PutParameter' && !fence(c) && !String(c.input.Name).endsWith(STANDBY_TARGET_PARAMETER)))
    expect(call.input).toMatchObject({ Type: 'SecureString', Value: '(not logged)' });
  for (const call of sdk.filter((c) => c.call === 'SSM PutParameter' && fence(c)))
    expect(call).toMatchObject({ region: STANDBY_REGION, input: { Type: 'String' } });
  // The failover (failover-world.ts) reads this world too: the drill's own checks follow.
  if (c.world().failover) return;
  // --standby: every AWS call in the standby region (production's is not read).
  const standby = c.world().drill.standby;
  if (standby) expect([...new Set(sdk.map((x) => x.region))].filter((r) => r !== standby.region)).toEqual([]);
  // No AWS CLI process for the drill's own calls: S3 and SSM's parameters through the SDK (SSM Run Command's
  // invocations are the stubs', in the AWS CLI's words: fake-aws-endpoint/world-stubs.ts).
  expect(lines.filter((l) => l.tool === 'aws' && l.args[0] !== 'ssm').map((l) => l.args.join(' '))).toEqual([]);
}
