import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsOf, FAKE_BACKUP_ENCRYPTION_CONFIG, FakeCloud, REGION, stateOf } from '../../helpers/fake-cloud';
import { awsOfWorld } from '../../helpers/fake-cloud-aws';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings, variantSettings } from '../../helpers/variants';
import { liftDeletionProtection } from '../../../cli/shared/aws/databases';
import { liftLoadBalancerProtection } from '../../../cli/shared/aws/load-balancers';
import { IoHost } from '../../../cli/shared/io/io-host';
import { PlainRenderer } from '../../../cli/shared/io/plain-renderer';
import { OVERRIDE_FILE, useTerraformBinary } from '../../../cli/shared/terraform';
import { teardown as teardownCommand, type TeardownSettings } from '../../../cli/teardown/teardown';
import { codesOf, said } from '../../helpers/plain-output';

// The teardown command, driven as a function in this process, against a fake world built from a real synth of each
// stack: Terraform's state after a successful apply, the AWS objects with their deletion protection, and a snapshot
// bucket with snapshots. Terraform is the stub process (ops-stubs/fake-cloud.js), as Terraform stays a process in
// the product: it refuses a plan with prevent_destroy and a refresh while the API is down, and its destroy is refused
// by a protected load balancer or database and a non-empty bucket, as the real provider is. AWS is the in-memory fake
// behind the SDK clients (helpers/fake-cloud-aws.ts), loaded from the world's AWS objects before every call and
// written back after it: the world file is the one truth, so the stub terraform's destroy sees exactly what the
// command's SDK calls left (a protection not yet lifted, a bucket not yet emptied), and the command sees what the
// destroy deleted. The stubs and the fake flag any moment snapshot data is without its guards (checked after each
// test). A few cases run the bundled CLI as a process, as users run it: those that stop before AWS (the prompt's
// wrong answers, no terminal, the refusals, `npm run teardown -- rke-ha --dry-run`). The bundled CLI's teardown
// through AWS runs as a process in the drill's and the acceptance run's tests (fake-aws-endpoint/).

const VARIANTS: Record<string, { stack: 'rke-ha' | 'docker'; settings: Record<string, unknown> }> = {
  'rke-ha (RKE2)': { stack: 'rke-ha', settings: {} },
  'rke-ha (K3s on PostgreSQL, flow logs to S3)': { stack: 'rke-ha', settings: variantSettings('rke-ha k3s every security option, private nodes') },
  'rke-ha (RKE2, flow logs to CloudWatch, snapshot access logs, object lock)': {
    stack: 'rke-ha',
    settings: variantSettings('rke-ha every security option, private nodes'),
  },
  docker: { stack: 'docker', settings: {} },
  // The copies and their key in the standby's region: kept or deleted with the rest, the key asked for in its region.
  'rke-ha (RKE2, standby in us-west-2)': { stack: 'rke-ha', settings: { standby: { region: 'us-west-2' } } },
};

const synths = new Map<string, TerraformJson>();
function synth(variant: string): TerraformJson {
  if (!synths.has(variant)) synths.set(variant, synthSettings(VARIANTS[variant].stack, VARIANTS[variant].settings as never).json);
  return synths.get(variant)!;
}

/** The standby's load balancer, as `failover --prepare` writes it in the standby region (cli/failover/prepare.ts). */
const STANDBY_TARGET = '/rancher/rke-ha/standby-target';
/** Another deployment's, beside it in that region: not the teardown's. */
const OTHER_TARGET = '/other/rke-ha/standby-target';
/** Production's copy of the cluster token there (lib/standby/etcd-break-glass.ts), which Terraform and `rotate token` write. */
const STANDBY_TOKEN = '/rancher/rke-ha/standby-token';
/** The bucket of the standby's state (lib/standby/standby-state.ts) as the fake state names it, and its backend's key. */
const STANDBY_STATE_BUCKET = 'rancher-standby_state_bucket-0a1b';
const STANDBY_STATE_KEY = 'rancher/rke-ha.tfstate';

function cloud(variant: string, cluster: { apiUp: boolean }, change?: (world: any) => void): FakeCloud {
  const json = synth(variant);
  const state = stateOf(json);
  const world: any = { state, aws: awsOf(state), cluster };
  // With a standby, what the prepare wrote beside production in the standby region, tagged as it tags it.
  if (variant.includes('standby'))
    world.aws.parameters = Object.fromEntries(
      [STANDBY_TARGET, OTHER_TARGET].map((name) => [
        name,
        {
          value: JSON.stringify({ dnsName: 'rancher-sb-nlb-0a1b2c.elb.us-west-2.amazonaws.com', zoneId: 'Z1H1FL5HABSF5', type: 'alias' }),
          version: 1,
          type: 'String',
          region: 'us-west-2',
          tags: [{ Key: 'rancher-aws:deployment', Value: `${name.split('/')[1]}-rke-ha` }],
        },
      ]),
    );
  // And the token's copy production's apply wrote there (a SecureString under the standby's key).
  if (variant.includes('standby'))
    world.aws.parameters[STANDBY_TOKEN] = { value: 'K10-the-cluster-token', version: 2, type: 'SecureString', region: 'us-west-2', tags: [] };
  change?.(world);
  return track(new FakeCloud(json, world));
}

// The invariant, asserted after EVERY test on every fake world it made: snapshot data never without its guards.
const clouds: FakeCloud[] = [];
const track = (c: FakeCloud) => (clouds.push(c), c);
afterEach(() => {
  for (const c of clouds.splice(0)) {
    expect(c.violations()).toBe('');
    // AWS only through the SDK: the teardown starts no AWS CLI process.
    expect(c.calls().filter((call) => call.startsWith('aws '))).toEqual([]);
    c.remove();
  }
});

// Polls (RDS reporting deletion protection off) without waiting.
process.env.RANCHER_HA_AWS_POLL_MS = '0';

/**
 * `rancher-ha-aws teardown --dir <module> --yes` of the world, in this process (from `cwd`, where the saves go by
 * default): its exit code, what it printed as plain lines (each with its code: cli/shared/io/plain-renderer.ts), and
 * its host (the messages' data, the spans). Nothing reaches a standard error here: a failure is thrown instead.
 */
async function teardown(
  c: FakeCloud,
  options: Partial<TeardownSettings> & { io?: IoHost } = {},
  cwd = c.dir,
): Promise<{ code: number; out: string; err: ''; io: IoHost }> {
  let out = '';
  const io = options.io ?? new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  useTerraformBinary(join(c.bin, 'terraform'));
  process.env.FAKE_WORLD = c.dir;
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await teardownCommand({
      dir: c.moduleDir,
      label: c.moduleDir,
      yes: true,
      aws: awsOfWorld(c).of,
      ...options,
      io,
    });
    return { code, out, err: '', io };
  } finally {
    process.chdir(before);
  }
}
/** The data of the teardown's last report (TEARDOWN_REPORT): its name, whether it finished, what it kept and deleted. */
const reportOf = (io: IoHost) =>
  io.messages.filter((m) => m.code === 'TEARDOWN_REPORT').at(-1)?.data as
    { name: string; done: boolean; kept: string[]; deleted: string[]; exitCode: number } | undefined;
/** The teardown's steps as `label n/m outcome`, in order (its stores' spans left out). */
const stepsOf = (io: IoHost) =>
  io
    .report()
    .spans.filter((s) => ['forget', 'guards', 'destroy', 'parameters', 'stores'].includes(s.label))
    .map((s) => `${s.label} ${s.position?.n}/${s.position?.m} ${s.outcome}`);
const numbered = (...steps: string[]) => steps.map((step, i) => `${step} ${i + 1}/${steps.length} done`);

/** Where the SDK call `call` (`S3 DeleteBucket`) of the resource named `id` is in the world's call log; -1 when it is not. */
const sdkCallAt = (calls: readonly string[], call: string, id: string) =>
  calls.findIndex((line) => line.startsWith('aws-sdk ') && line.split(' ').slice(2, 4).join(' ') === call && line.includes(JSON.stringify(id)));
const addressesOfType = (c: FakeCloud, pattern: RegExp) =>
  c
    .world()
    .state.resources.filter((r: any) => r.mode === 'managed' && pattern.test(r.type))
    .map((r: any) => `${r.type}.${r.name}`);

describe.each(Object.keys(VARIANTS))('teardown of %s', (variant) => {
  describe.each([
    ['healthy', true],
    ['broken (API and Rancher down)', false],
  ])('%s cluster', (_health, apiUp) => {
    it('a plain destroy fails here when anything is guarded or the API is down (the stubs refuse what the real tools refuse)', () => {
      const c = cloud(variant, { apiUp });
      const world = c.world();
      const guarded = Object.keys(world.aws.lbs).length + Object.keys(world.aws.dbs).length + Object.keys(world.aws.buckets).length;
      // Without the command: a destroy with its refresh, straight through the stub.
      const plain = spawnSync(join(c.bin, 'terraform'), ['apply', '-destroy', '-auto-approve'], {
        cwd: c.moduleDir,
        env: { ...process.env, FAKE_WORLD: c.dir },
        encoding: 'utf8',
      });
      if (!apiUp) expect(plain.stderr).toContain('connection refused');
      else if (guarded > 0) expect(plain.stderr).toMatch(/prevent_destroy|deletion protection|BucketNotEmpty/);
      expect(plain.status === 0).toBe(apiUp && guarded === 0);
    });

    it('without --keep-snapshots: destroys everything, the snapshot data last and on purpose, never unguarded', async () => {
      const c = cloud(variant, { apiUp });
      const inCluster = addressesOfType(c, /^(helm|kubernetes|rancher2)_/);
      const buckets = Object.keys(c.world().aws.buckets);
      const versions = Object.fromEntries(Object.entries(c.world().aws.buckets).map(([name, b]: [string, any]) => [name, b.objects.length]));
      const guarded = Object.keys(c.world().aws.lbs).length + Object.keys(c.world().aws.dbs).length > 0;
      const keysOfBuckets = Object.values(c.world().aws.buckets).map((b: any) => b.key);
      if (variant.includes('standby')) expect(keysOfBuckets.map((key) => c.world().aws.keys[key]?.region)).toContain('us-west-2');
      const result = await teardown(c);
      expect(result).toSucceed();
      const calls = c.calls();
      const destroyAt = calls.indexOf('terraform apply -destroy -refresh=false -auto-approve -input=false');
      expect(destroyAt).toBeGreaterThan(0);
      if (inCluster.length > 0) {
        const rm = calls.findIndex((call) => call.startsWith('terraform state rm '));
        expect(rm).toBeLessThan(destroyAt);
        expect(calls[rm].split(' ')).toEqual(expect.arrayContaining(inCluster));
      }
      // Deletion protection is lifted in AWS before the destroy, never by an apply of changed settings.
      for (const arn of Object.keys(cloud(variant, { apiUp }).world().aws.lbs)) {
        const lifted = sdkCallAt(calls, 'ElasticLoadBalancingV2 ModifyLoadBalancerAttributes', arn);
        expect(lifted).toBeGreaterThanOrEqual(0);
        expect(lifted).toBeLessThan(destroyAt);
      }
      for (const call of calls.slice(destroyAt)) expect(call).not.toMatch(/ModifyLoadBalancerAttributes|ModifyDBInstance/);
      expect(calls.some((call) => call.startsWith('terraform apply') && !call.includes('-destroy'))).toBe(false);
      const world = c.world();
      expect(world.state.resources).toEqual([]);
      for (const name of buckets) {
        expect(world.aws.buckets[name].exists).toBe(false);
        expect(sdkCallAt(calls, 'S3 DeleteBucket', name)).toBeGreaterThan(destroyAt);
      }
      for (const key of keysOfBuckets.filter(Boolean)) {
        expect(world.aws.keys[key]).toMatchObject({ state: 'PendingDeletion', window: 30 });
        expect(sdkCallAt(calls, 'KMS ScheduleKeyDeletion', key)).toBeGreaterThan(
          Math.max(...buckets.map((name) => sdkCallAt(calls, 'S3 DeleteBucket', name))),
        );
      }
      const finalSnapshots = cloud(variant, { apiUp })
        .world()
        .state.resources.filter((r: any) => r.type === 'aws_db_instance')
        .map((r: any) => r.instances[0].attributes.final_snapshot_identifier);
      expect(world.aws.finalDbSnapshots).toEqual(finalSnapshots);
      for (const snapshot of finalSnapshots) expect(said(result.out, 'TEARDOWN_REPORT')).toContain(`final RDS snapshot ${snapshot}, region`);
      expect(existsSync(join(c.moduleDir, OVERRIDE_FILE))).toBe(false);
      expect(c.violations()).toBe('');
      expect(reportOf(result.io)).toMatchObject({ name: 'rancher', done: true, kept: [], exitCode: 0 });
      // Each step a span, step n of m among those this run takes; each store one of its own within the last, a
      // bucket's end saying how many versions it deleted; terraform's destroy as lines of the host's.
      expect(stepsOf(result.io)).toEqual(
        numbered(
          'forget',
          ...(guarded ? ['guards'] : []),
          'destroy',
          ...(variant.includes('standby') ? ['parameters'] : []),
          ...(buckets.length > 0 ? ['stores'] : []),
        ),
      );
      // With a standby, the standby-target the prepare wrote (which the destroy does not know) deleted in its region
      // after the destroy, and said; another deployment's beside it stays. The token's copy is the module's: the
      // destroy deleted it.
      if (variant.includes('standby')) {
        const deletedAt = calls.findIndex((call) => call.startsWith(`aws-sdk us-west-2 SSM DeleteParameter {"Name":"${STANDBY_TARGET}"`));
        expect(deletedAt).toBeGreaterThan(destroyAt);
        expect(Object.keys(world.aws.parameters)).toEqual([OTHER_TARGET]);
        expect(said(result.out, 'TEARDOWN_REPORT')).toContain(
          `Deleted: the SSM parameter ${STANDBY_TARGET} (us-west-2), written by failover --prepare (the standby's load balancer).`,
        );
      }
      const deleted = result.io.messages.filter((m) => m.code === 'TEARDOWN_STORE_DELETED').map((m) => m.data!);
      expect(deleted.filter((d) => d.kind === 'bucket').map((d) => [d.store, d.versionsDeleted])).toEqual(
        expect.arrayContaining(buckets.map((name) => [name, versions[name]])),
      );
      const stores = result.io.report().spans.filter((s) => deleted.some((d) => d.store === s.label));
      expect(stores.length).toBe(reportOf(result.io)!.deleted.length);
      expect(stores.map((s) => `${s.position?.n}/${s.position?.m} ${s.outcome}`)).toEqual(stores.map((_, i) => `${i + 1}/${stores.length} done`));
      expect(codesOf(result.out)).toContain('TEARDOWN_TERRAFORM_OUTPUT');
    });

    it('with --keep-snapshots: the bucket, its guards and its KMS key stay; the token is saved; it says where', async () => {
      const c = cloud(variant, { apiUp });
      const before = c.world().aws;
      // The servers' boot documents are objects of a bucket of their own, which the destroy removes (not a store).
      const [records, bootDocuments] = [false, true].map((boot) =>
        addressesOfType(c, /^aws_s3_object$/).filter((address: string) => /_boot-document_/.test(address) === boot),
      );
      const servers = addressesOfType(c, /^aws_instance$/).length;
      const result = await teardown(c, { keepSnapshots: true });
      expect(result).toSucceed();
      const world = c.world();
      expect(world.state.resources).toEqual([]);
      const report = said(result.out, 'TEARDOWN_REPORT');
      expect(reportOf(result.io)).toMatchObject({ done: true, deleted: [] });
      // No store is deleted: no step for them, no store's span. The standby-target is no store: deleted all the same
      // (only this deployment's plan reads it; a new one's prepare writes it again); the token's copy by the destroy.
      expect(stepsOf(result.io).at(-1)).toMatch(variant.includes('standby') ? /^parameters / : /^destroy /);
      if (variant.includes('standby')) expect(Object.keys(world.aws.parameters)).toEqual([OTHER_TARGET]);
      expect(codesOf(result.out)).not.toContain('TEARDOWN_STORE_STARTED');
      for (const [name, bucket] of Object.entries(before.buckets) as [string, any][]) {
        expect(world.aws.buckets[name]).toEqual(bucket); // exists, guarded, every snapshot, its key
        expect(reportOf(result.io)!.kept).toContain(name);
        if (bucket.key === undefined) continue; // a log bucket, under S3's own keys
        expect(world.aws.keys[bucket.key]).toEqual(before.keys[bucket.key]);
        expect(world.aws.keys[bucket.key].state).toBe('Enabled');
        expect(reportOf(result.io)!.kept).toContain(bucket.key);
      }
      expect(c.calls().some((call) => /DeleteBucket|DeleteObjects|ScheduleKeyDeletion|DeleteLogGroup/.test(call))).toBe(false);
      if (variant.startsWith('rke-ha')) {
        const tokenFile = join(c.dir, 'rancher-join-token');
        expect(readFileSync(tokenFile, 'utf8')).toBe('K10-the-cluster-token\n');
        expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
        expect(report).toContain(`the cluster token in ${tokenFile}`);
        // Rancher's backups stay with their bucket (above), and the configuration that decrypts them beside the token.
        expect(Object.keys(before.buckets).some((name) => name.includes('rancher-backups'))).toBe(true);
        const backupKeyFile = join(c.dir, 'rancher-backup-encryption.yaml');
        expect(readFileSync(backupKeyFile, 'utf8')).toBe(`${FAKE_BACKUP_ENCRYPTION_CONFIG}\n`);
        expect(statSync(backupKeyFile).mode & 0o777).toBe(0o600);
        expect(report).toContain(`the encryption configuration of Rancher's backups in ${backupKeyFile}`);
        // The records a migration's preflight reads beside the backups (the record, and the CA agents trust) stay with
        // them, and with a standby what a failover reads in the copy (its facts and the backups' EncryptionConfiguration):
        // forgotten, never destroyed.
        expect(records).toHaveLength(variant.includes('standby') ? 4 : 2);
        if (variant.includes('standby')) expect(records.filter((address: string) => /\.standby_facts_/.test(address))).toHaveLength(2);
        const rm = c.calls().find((call) => call.startsWith('terraform state rm ') && call.includes('aws_s3_bucket.'));
        expect(rm?.split(' ')).toEqual(expect.arrayContaining(records));
        expect(bootDocuments).toHaveLength(servers);
        for (const document of bootDocuments) expect(rm?.split(' ')).not.toContain(document);
      } else {
        expect(report).toMatch(/the Rancher data volume vol-data_volume \(final and scheduled\): snap-scheduled-1, snap-final-vol-data_volume/);
      }
      expect(c.violations()).toBe('');
    });
  });

  it('half gone: a teardown interrupted during the destroy finishes on a second run, and a third finds nothing to do', async () => {
    const c = cloud(variant, { apiUp: false }, (world) => {
      world.interruptDestroyAfter = 5;
    });
    const first = await teardown(c);
    expect(first.code).toBe(1);
    expect(
      codesOf(first.out)
        .filter((code) => code !== 'TEARDOWN_TERRAFORM_OUTPUT')
        .slice(-2),
    ).toEqual(['TEARDOWN_STEP_STARTED', 'TEARDOWN_DESTROY_FAILED']);
    expect(stepsOf(first.io).at(-1)).toMatch(/^destroy \d\/\d stopped$/);
    expect(existsSync(join(c.moduleDir, OVERRIDE_FILE))).toBe(false);
    const buckets = Object.keys(c.world().aws.buckets);
    for (const name of buckets) expect(c.world().aws.buckets[name]).toMatchObject({ exists: true, guarded: true });
    const second = await teardown(c);
    expect(second.code).toBe(0);
    for (const name of buckets) expect(c.world().aws.buckets[name].exists).toBe(false);
    const third = await teardown(c);
    expect(third.code).toBe(0);
    expect(codesOf(third.out)).toEqual(['TEARDOWN_NOTHING_LEFT']);
    expect(c.violations()).toBe('');
  });
});

/**
 * docs/teardown.md "As plain Terraform", read from the page: the resource prefixes its step 1 forgets and
 * the store addresses its step 2 names (`aws_s3_bucket.etcd-snapshots_*`, ...), besides the guards and keys it
 * describes in words (every `aws_s3_bucket_*` of those buckets, the key their encryption names).
 */
const PLAIN_TERRAFORM = (() => {
  const page = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'teardown.md'), 'utf8');
  const section = page.slice(page.indexOf('\n### As plain Terraform\n'));
  const step = (n: number) => new RegExp(`^${n}\\. ([\\s\\S]*?)^${n + 1}\\. `, 'm').exec(section)![1];
  return {
    inCluster: [...step(1).matchAll(/`([a-z0-9]+_)\*`/g)].map((m) => m[1]),
    stores: [...step(2).matchAll(/`(aws_[a-z0-9_]+)\.([a-z0-9-]+_)\*`/g)].map(([, type, prefix]) => ({ type, prefix })),
  };
})();

describe.each(Object.keys(VARIANTS))('the plain-Terraform steps of docs/teardown.md on %s', (variant) => {
  it('destroy everything but the stores, which stay in AWS with their guards (the stub terraform refuses prevent_destroy)', async () => {
    expect(PLAIN_TERRAFORM.inCluster).toEqual(['helm_', 'kubernetes_', 'rancher2_']);
    const c = cloud(variant, { apiUp: false });
    const env = { ...process.env, FAKE_WORLD: c.dir };
    const tool = (name: string, args: string[]) => spawnSync(join(c.bin, name), args, { cwd: c.moduleDir, env, encoding: 'utf8' });
    const live = c.world().state.resources.filter((r: any) => r.mode === 'managed');
    const address = (r: any) => `${r.type}.${r.name}`;
    const attributes = (r: any) => r.instances[0].attributes;
    // Steps 1 and 2.
    const inCluster = live.filter((r: any) => PLAIN_TERRAFORM.inCluster.some((prefix) => r.type.startsWith(prefix)));
    const named = live.filter((r: any) => PLAIN_TERRAFORM.stores.some((p) => r.type === p.type && r.name.startsWith(p.prefix)));
    const buckets = new Set<string>(named.filter((r: any) => r.type === 'aws_s3_bucket').map((r: any) => attributes(r).bucket));
    const guards = live.filter((r: any) => r.type.startsWith('aws_s3_bucket_') && buckets.has(attributes(r).bucket));
    const keyArns = new Set(
      guards.flatMap((g: any) => (attributes(g).rule ?? []).map((rule: any) => rule.apply_server_side_encryption_by_default?.[0]?.kms_master_key_id)),
    );
    const keys = live.filter((r: any) => r.type === 'aws_kms_key' && keyArns.has(attributes(r).arn));
    const forget = [...new Set([...inCluster, ...named, ...guards, ...keys].map(address))];
    expect(tool('terraform', ['state', 'rm', ...forget]).status).toBe(0);
    // Steps 3 and 4: the calls the page's aws commands make (RDS described until it reports the protection off).
    const aws = awsOfWorld(c).of(REGION);
    for (const lb of live.filter((r: any) => r.type === 'aws_lb')) expect(await liftLoadBalancerProtection(aws, attributes(lb).arn)).toBe(true);
    for (const db of live.filter((r: any) => r.type === 'aws_db_instance'))
      expect(await liftDeletionProtection(aws, attributes(db).identifier, { budgetMs: 100_000, pauseMs: 0 })).toBe('off');
    const lifted: Record<string, Record<string, unknown>> = {};
    for (const r of live.filter((r: any) => r.type === 'aws_lb' || r.type === 'aws_db_instance'))
      lifted[r.type] = { ...lifted[r.type], [r.name]: { lifecycle: { prevent_destroy: false } } };
    writeFileSync(join(c.moduleDir, OVERRIDE_FILE), JSON.stringify({ resource: lifted }));
    const destroy = tool('terraform', ['apply', '-destroy', '-refresh=false', '-auto-approve']);
    expect(destroy.stderr).toBe('');
    expect(destroy.status).toBe(0);
    const world = c.world();
    expect(world.state.resources).toEqual([]);
    for (const name of buckets) expect(world.aws.buckets[name]).toMatchObject({ exists: true, guarded: true });
  });
});

describe('teardown', () => {
  const variant = 'rke-ha (RKE2)';

  it('servers already gone (terminated outside Terraform) and the API down: still one command', async () => {
    const c = cloud(variant, { apiUp: false }, (world) => {
      world.aws.lbs = {}; // an earlier attempt by hand got as far as the load balancer
    });
    const result = await teardown(c);
    expect(result).toSucceed();
    expect(c.world().state.resources).toEqual([]);
    expect(c.violations()).toBe('');
  });

  it('a record left unfinished with nothing left (killed once its destroy ended): the rerun says the teardown finished, exit 0, and retires the record', async () => {
    const c = cloud(variant, { apiUp: true });
    expect(await teardown(c, { keepSnapshots: true })).toSucceed();
    // As a kill after the destroy and before the record said done leaves it: the run's record, unfinished.
    const folder = join(c.moduleDir, '.rancher-ha-aws');
    const retired = readdirSync(folder).find((f) => f.startsWith('teardown-finished-'))!;
    const record = JSON.parse(readFileSync(join(folder, retired), 'utf8'));
    rmSync(join(folder, retired));
    writeFileSync(join(folder, 'teardown.json'), JSON.stringify({ ...record, done: false }));

    const rerun = await teardown(c);
    expect(rerun.code).toBe(0);
    expect(codesOf(rerun.out)).toEqual(['TEARDOWN_NOTHING_LEFT', 'TEARDOWN_REPORT']);
    expect(reportOf(rerun.io)).toMatchObject({ name: 'rancher', done: true, deleted: [], exitCode: 0 });
    expect(said(rerun.out, 'TEARDOWN_REPORT')).toMatch(/^Teardown of rancher finished\./);
    expect(said(rerun.out, 'TEARDOWN_REPORT')).not.toContain('not finished');
    expect(existsSync(join(folder, 'teardown.json'))).toBe(false);
    // A third run has no record left to report: nothing left, alone.
    expect(codesOf((await teardown(c)).out)).toEqual(['TEARDOWN_NOTHING_LEFT']);
  });

  it("with a standby whose region does not answer after the destroy: stopped in the step parameters, not finished; a rerun deletes the prepare's standby-target and finishes", async () => {
    const c = cloud('rke-ha (RKE2, standby in us-west-2)', { apiUp: true }, (w) => (w.aws.regionLoss = { region: 'us-west-2' }));
    const first = await teardown(c, { keepSnapshots: true });
    expect(first.code).toBe(1);
    expect(said(first.out, 'TEARDOWN_FAILED')).toContain('The teardown stopped in its step parameters');
    expect(c.world().state.resources).toEqual([]);
    expect(Object.keys(c.world().aws.parameters)).toEqual([STANDBY_TARGET, OTHER_TARGET]);
    // The region back: the state holds nothing, the stores are kept, and the record still names the parameter.
    c.update((w) => delete w.aws.regionLoss);
    const second = await teardown(c);
    expect(second).toSucceed();
    expect(codesOf(second.out)).toContain('TEARDOWN_PARAMETER_DELETED');
    expect(Object.keys(c.world().aws.parameters)).toEqual([OTHER_TARGET]);
    expect(reportOf(second.io)).toMatchObject({ done: true, deleted: [] });
    expect(said(second.out, 'TEARDOWN_REPORT')).toContain(`Deleted: the SSM parameter ${STANDBY_TARGET} (us-west-2)`);
  });

  describe("a standby's state in the bucket production keeps for it (failover --prepare's pilot light)", () => {
    const standby = 'rke-ha (RKE2, standby in us-west-2)';
    /** The standby's state as its S3 backend holds it: Terraform's format v4, `resources` managed and data. */
    const stateText = (resources: { type: string; instances: number }[]) =>
      JSON.stringify({
        version: 4,
        serial: 7,
        resources: [
          ...resources.map((r, i) => ({
            mode: 'managed',
            type: r.type,
            name: `r${i}`,
            instances: Array.from({ length: r.instances }, () => ({ attributes: {} })),
          })),
          { mode: 'data', type: 'aws_iam_policy_document', name: 'trust', instances: [{ attributes: {} }] },
        ],
      });
    /** The pilot light of a K3s standby: its NLB, IAM (a role with two instances of a policy), and its RDS datastore. */
    const PILOT_LIGHT = [
      { type: 'aws_lb', instances: 1 },
      { type: 'aws_iam_role_policy', instances: 2 },
      { type: 'aws_db_instance', instances: 1 },
    ];
    const withStandbyState = (text: string) => (w: any) =>
      w.aws.buckets[STANDBY_STATE_BUCKET].objects.push({ key: STANDBY_STATE_KEY, version: 'sv1', lastModified: new Date(0).toISOString(), text });
    const COMMAND = 'npm run teardown -- --dir failover.out/cdktf.out/stacks/rke-ha';

    it('still holding the pilot light: the dry run says so; the teardown keeps its bucket guarded, names the count and the command, is not finished; once the standby is torn down, a rerun deletes it', async () => {
      const c = cloud(standby, { apiUp: true }, withStandbyState(stateText(PILOT_LIGHT)));
      expect(Object.keys(c.world().aws.buckets)).toContain(STANDBY_STATE_BUCKET);
      const others = Object.keys(c.world().aws.buckets).filter((name) => name !== STANDBY_STATE_BUCKET);
      // The dry run reads the standby's state (in its region) and says what the run will do with it.
      const dry = await teardown(c, { dryRun: true, yes: false });
      expect(codesOf(dry.out)).toEqual(['TEARDOWN_STANDBY_STANDS', 'TEARDOWN_PLAN', 'TEARDOWN_DRY_RUN']);
      expect(c.calls()).toEqual([
        'terraform state pull',
        `aws-sdk us-west-2 S3 GetObject ${JSON.stringify({ Bucket: STANDBY_STATE_BUCKET, Key: STANDBY_STATE_KEY })}`,
      ]);
      const plan = said(dry.out, 'TEARDOWN_PLAN');
      expect(plan).toContain(
        `Keep the S3 bucket ${STANDBY_STATE_BUCKET}, guarded, not deleted: the standby's state s3://${STANDBY_STATE_BUCKET}/${STANDBY_STATE_KEY} (us-west-2) still holds 4 resources, the pilot light of failover --prepare, K3s' deletion-protected RDS datastore among them. Remove them first with \`${COMMAND}\``,
      );
      expect(plan.split('Delete on purpose')[1].split('\n')[0]).not.toContain(STANDBY_STATE_BUCKET);

      const first = await teardown(c);
      expect(first.code).toBe(1);
      const warning = first.io.messages.find((m) => m.code === 'TEARDOWN_STANDBY_STANDS')!;
      expect(warning).toMatchObject({ level: 'warn', data: { bucket: STANDBY_STATE_BUCKET, region: 'us-west-2', resources: 4, command: COMMAND } });
      expect(said(first.out, 'TEARDOWN_STANDBY_STANDS')).toContain('then run this teardown again: it deletes the bucket');
      const world = c.world();
      // The standby's state and its guards stay (forgotten by production's state, as a kept store is), nothing else.
      expect(world.aws.buckets[STANDBY_STATE_BUCKET]).toMatchObject({ exists: true, guarded: true });
      expect(world.aws.buckets[STANDBY_STATE_BUCKET].objects.map((o: any) => o.key)).toContain(STANDBY_STATE_KEY);
      expect(sdkCallAt(c.calls(), 'S3 DeleteBucket', STANDBY_STATE_BUCKET)).toBe(-1);
      expect(c.calls().some((call) => call.includes('DeleteObjects') && call.includes(STANDBY_STATE_BUCKET))).toBe(false);
      for (const name of others) expect(world.aws.buckets[name].exists).toBe(false);
      expect(world.state.resources).toEqual([]);
      expect(reportOf(first.io)).toMatchObject({ done: false, kept: [STANDBY_STATE_BUCKET], exitCode: 1 });
      expect(said(first.out, 'TEARDOWN_REPORT')).toContain(
        `Standing: the standby's state s3://${STANDBY_STATE_BUCKET}/${STANDBY_STATE_KEY} (us-west-2) still holds 4 resources`,
      );
      expect(said(first.out, 'TEARDOWN_REPORT')).toContain(`Remove them with \`${COMMAND}\`, then run this teardown again.`);

      // A rerun while it stands: read again, kept again, still not finished.
      const again = await teardown(c);
      expect({ code: again.code, stands: codesOf(again.out).includes('TEARDOWN_STANDBY_STANDS') }).toEqual({ code: 1, stands: true });
      expect(c.world().aws.buckets[STANDBY_STATE_BUCKET].exists).toBe(true);

      // The standby torn down: its backend's state holds no resource (as Terraform leaves it after a destroy).
      c.update((w) => (w.aws.buckets[STANDBY_STATE_BUCKET].objects.find((o: any) => o.key === STANDBY_STATE_KEY).text = stateText([])));
      const last = await teardown(c);
      expect(last).toSucceed();
      expect(codesOf(last.out)).not.toContain('TEARDOWN_STANDBY_STANDS');
      expect(c.world().aws.buckets[STANDBY_STATE_BUCKET].exists).toBe(false);
      expect(reportOf(last.io)).toMatchObject({ done: true, kept: [], exitCode: 0 });
      expect(reportOf(last.io)!.deleted).toContain(STANDBY_STATE_BUCKET);
      expect(said(last.out, 'TEARDOWN_REPORT')).toContain(`Deleted: S3 bucket ${STANDBY_STATE_BUCKET}.`);
    });

    it('a standby state that cannot be read (access denied): nothing shows it is empty, so its bucket stays too, said so', async () => {
      const c = cloud(standby, { apiUp: true }, (w) => {
        withStandbyState(stateText(PILOT_LIGHT))(w);
        w.aws.buckets[STANDBY_STATE_BUCKET].objects.at(-1).unreadable = true;
      });
      const result = await teardown(c);
      expect(result.code).toBe(1);
      expect(result.io.messages.find((m) => m.code === 'TEARDOWN_STANDBY_STANDS')?.data).toMatchObject({
        bucket: STANDBY_STATE_BUCKET,
        unread: expect.stringContaining('AccessDenied'),
      });
      expect(said(result.out, 'TEARDOWN_STANDBY_STANDS')).toContain(`could not be read`);
      expect(said(result.out, 'TEARDOWN_STANDBY_STANDS')).toContain(`If it holds any, remove them with \`${COMMAND}\``);
      expect(c.world().aws.buckets[STANDBY_STATE_BUCKET]).toMatchObject({ exists: true, guarded: true });
      expect(reportOf(result.io)).toMatchObject({ done: false, kept: [STANDBY_STATE_BUCKET] });
    });

    it("lifts each guard in its own region (a standby's module holds the standby region's and us-east-1's), not the deployment's", async () => {
      const arn = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/sb-load-balancer_lb/0123';
      const c = cloud(standby, { apiUp: true }, (w) => {
        w.aws.lbs[arn] = { protection: true };
        w.aws.dbs['rancher-sb-datastore'] = { protection: true, region: 'us-west-2' };
      });
      const { liftGuards } = await import('../../../cli/teardown/teardown-aws');
      const plan = {
        loadBalancers: [{ address: 'aws_lb.sb', arn, region: 'us-west-2' }],
        databases: [{ address: 'aws_db_instance.sb', identifier: 'rancher-sb-datastore', region: 'us-west-2' }],
      };
      await liftGuards(awsOfWorld(c).of, plan, REGION);
      expect([c.world().aws.lbs[arn].protection, c.world().aws.dbs['rancher-sb-datastore'].protection]).toEqual([false, false]);
      expect(
        c
          .calls()
          .filter((call) => /ModifyLoadBalancerAttributes|ModifyDBInstance/.test(call))
          .map((call) => call.split(' ')[1]),
      ).toEqual(['us-west-2', 'us-west-2']);
    });

    it('with --keep-snapshots: kept as the other stores, finished, and the standing standby named with its command', async () => {
      const c = cloud(standby, { apiUp: false }, withStandbyState(stateText([{ type: 'aws_instance', instances: 3 }])));
      const result = await teardown(c, { keepSnapshots: true });
      expect(result).toSucceed();
      // A standby that runs (a failover's, kept by a failback): its backups are data, kept by its own teardown too.
      expect(result.io.messages.find((m) => m.code === 'TEARDOWN_STANDBY_STANDS')).toMatchObject({
        level: 'warn',
        data: { resources: 3, command: `${COMMAND} --keep-snapshots` },
      });
      expect(said(result.out, 'TEARDOWN_STANDBY_STANDS')).toContain('is kept (--keep-snapshots)');
      expect(said(result.out, 'TEARDOWN_REPORT')).toContain(`Remove them with \`${COMMAND} --keep-snapshots\`.`);
      expect(c.world().aws.buckets[STANDBY_STATE_BUCKET]).toMatchObject({ exists: true, guarded: true });
    });
  });

  it('after an interruption with --keep-snapshots, a rerun without it still keeps the data', async () => {
    const c = cloud(variant, { apiUp: true }, (world) => {
      world.interruptDestroyAfter = 3;
    });
    expect((await teardown(c, { keepSnapshots: true })).code).toBe(1);
    const result = await teardown(c);
    expect(result).toSucceed();
    expect(codesOf(result.out)).toContain('TEARDOWN_KEEP_FROM_EARLIER_RUN');
    for (const bucket of Object.values(c.world().aws.buckets) as any[]) expect(bucket).toMatchObject({ exists: true, guarded: true });
  });

  it('a signal while the stores are deleted: no further store is begun, exit 130; a rerun deletes the rest', async () => {
    const c = cloud(variant, { apiUp: true });
    const buckets = Object.keys(c.world().aws.buckets);
    // The command line's signal handler aborts this (cli/shared/signals.ts stopOnSignals): here, as the first store ends.
    const signal = new AbortController();
    let out = '';
    const plain = new PlainRenderer({ write: (text: string) => (out += text) });
    const io = new IoHost({
      message: (m) => (plain.message(m), m.code === 'TEARDOWN_STORE_DELETED' && signal.abort()),
      status: () => undefined,
      close: () => undefined,
    });
    const first = await teardown(c, { io, stop: signal.signal });
    expect(first.code).toBe(130);
    expect(codesOf(out).filter((code) => code.startsWith('TEARDOWN_STORE_'))).toEqual(['TEARDOWN_STORE_STARTED', 'TEARDOWN_STORE_DELETED']);
    expect(codesOf(out).at(-1)).toBe('TEARDOWN_INTERRUPTED');
    expect(stepsOf(io).at(-1)).toMatch(/^stores \d\/\d stopped$/);
    expect(buckets.filter((name) => c.world().aws.buckets[name].exists)).toHaveLength(buckets.length - 1);
    for (const name of buckets.filter((b) => c.world().aws.buckets[b].exists)) expect(c.world().aws.buckets[name].guarded).toBe(true);
    const rerun = await teardown(c);
    expect(rerun).toSucceed();
    for (const name of buckets) expect(c.world().aws.buckets[name].exists).toBe(false);
  });

  it('a Terraform call that fails in a step stops the run there, said under its code; a rerun continues', async () => {
    // The stub fails the next `terraform state rm` as a backend refusing the write would (exit 1, its message).
    const c = cloud(variant, { apiUp: true }, (world) => {
      world.failures = { 'terraform state rm': 1 };
    });
    const resources = c.world().state.resources.length;
    const failed = await teardown(c);
    expect(failed.code).toBe(1);
    expect(codesOf(failed.out).slice(-2)).toEqual(['TEARDOWN_STEP_STARTED', 'TEARDOWN_FAILED']);
    expect(said(failed.out, 'TEARDOWN_FAILED')).toContain("injected failure of 'terraform state rm'");
    expect(stepsOf(failed.io)).toEqual(['forget 1/4 stopped']);
    expect(c.world().state.resources).toHaveLength(resources);
    expect(await teardown(c)).toSucceed();
    expect(c.world().state.resources).toEqual([]);
  });

  it('S3 Object Lock: locked versions keep the bucket and its key; it says so and exits non-zero', async () => {
    const c = cloud(variant, { apiUp: true }, (world) => {
      for (const bucket of Object.values(world.aws.buckets) as any[]) bucket.objects[0].locked = true;
    });
    const result = await teardown(c);
    expect(result.code).toBe(1);
    const locked = result.io.messages.filter((m) => m.code === 'TEARDOWN_BUCKET_LOCKED').map((m) => m.data!.store);
    expect(locked.sort()).toEqual(Object.keys(c.world().aws.buckets).sort());
    expect(reportOf(result.io)).toMatchObject({ done: false, exitCode: 1 });
    for (const bucket of Object.values(c.world().aws.buckets) as any[]) {
      expect(bucket).toMatchObject({ exists: true, guarded: true });
      if (bucket.key !== undefined) expect(c.world().aws.keys[bucket.key].state).toBe('Enabled'); // the backup bucket is under S3's own keys
    }
    expect(c.violations()).toBe('');
  });

  it('--dry-run prints the steps and changes nothing', async () => {
    const c = cloud(variant, { apiUp: true });
    const result = await teardown(c, { dryRun: true, yes: false });
    expect(result).toSucceed();
    expect(codesOf(result.out)).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_DRY_RUN']);
    expect(said(result.out, 'TEARDOWN_PLAN')).toMatch(/Forget \d+ in-cluster resources/);
    expect(said(result.out, 'TEARDOWN_PLAN')).toContain('terraform apply -destroy -refresh=false');
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it('changes nothing without a terminal to confirm on (input piped)', () => {
    const c = cloud(variant, { apiUp: true });
    const noTerminal = c.run(['teardown', '--dir', 'module'], { input: 'rancher\n' });
    expect(noTerminal).toMatchObject({ code: 2, err: '' });
    expect(codesOf(noTerminal.out)).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_NO_TERMINAL']);
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  // On a pseudo-terminal, as a person runs it: node makes a terminal's descriptor non-blocking, so a synchronous read
  // of it failed with EAGAIN before the person could type (piped input never showed it). The answer is typed only
  // once the question is on the screen.
  it('asks for the deployment name on a real terminal: a wrong name or none changes nothing', async () => {
    const c = cloud(variant, { apiUp: true });
    const question = 'Type the deployment name (rancher) to tear it down: ';
    // With --json and standard output redirected, the question is still asked on the terminal, and the file is JSON.
    const wrong = await c.runInTerminal(['teardown', '--dir', 'module', '--json'], question, 'rancher-prod', {}, 'report.json');
    expect(wrong.screen).not.toContain('EAGAIN');
    expect(wrong.screen).toContain("'rancher-prod' is not 'rancher': nothing was changed.");
    expect(wrong.code).toBe(1);
    expect(JSON.parse(readFileSync(join(c.dir, 'report.json'), 'utf8'))).toMatchObject({ exitCode: 1 });
    expect(c.calls()).toEqual(['terraform state pull']);
    const interrupted = await c.runInTerminal(['teardown', '--dir', 'module'], question, '\u0003'); // Ctrl-C
    expect(interrupted.screen).toContain('No name typed: nothing was changed.');
    expect(interrupted.code).toBe(1);
    expect(c.calls()).toEqual(['terraform state pull', 'terraform state pull']);
  });

  it('asked for the deployment name, the right one tears down', async () => {
    const c = cloud(variant, { apiUp: true });
    const asked: string[] = [];
    const right = await teardown(c, { yes: false, ask: (question) => (asked.push(question), 'rancher') });
    expect(asked).toEqual(['Type the deployment name (rancher) to tear it down: ']);
    expect(reportOf(right.io)).toMatchObject({ name: 'rancher', done: true });
    expect(right.code).toBe(0);
    expect(c.world().state.resources).toEqual([]);
  });

  it('asks for the deployment name the module records under any construct id; without a record, the folder name, never a path', async () => {
    // A module applied before the deployment record: the name as the guard recorded it, under any construct path
    // (as a library user's `new RancherOnRke(this, 'rancher', ...)` names the guard's records).
    const withoutRecord = (world: any) => {
      world.state.resources = world.state.resources.filter((r: any) => r.name !== 'deployment-record');
    };
    const prefixed = cloud(variant, { apiUp: true }, (world) => {
      withoutRecord(world);
      for (const r of world.state.resources) if (r.name.startsWith('deployment-guard_')) r.name = `platform_rancher_${r.name}`;
    });
    expect(said((await teardown(prefixed, { dryRun: true })).out, 'TEARDOWN_PLAN')).toContain(`Teardown of rancher (${prefixed.moduleDir},`);
    const unrecorded = cloud(variant, { apiUp: true }, (world) => {
      withoutRecord(world);
      world.state.resources = world.state.resources.filter((r: any) => !r.name.startsWith('deployment-guard_record-name_'));
    });
    const questions: string[] = [];
    const asked = await teardown(unrecorded, { yes: false, ask: (question) => (questions.push(question), 'rke-ha') });
    expect(questions).toEqual(["Type the module folder's name (module) to tear it down: "]);
    expect(asked.io.messages.at(-1)).toMatchObject({ code: 'TEARDOWN_WRONG_NAME', data: { typed: 'rke-ha', name: 'module', exitCode: 1 } });
    expect(asked.code).toBe(1);
  });

  describe('--keep-snapshots saves the token and the backup key only where it can, and says so truthfully', () => {
    const files = (c: FakeCloud) => ({ token: join(c.dir, 'rancher-join-token'), backupKey: join(c.dir, 'rancher-backup-encryption.yaml') });
    /** Nothing but reading the state (once a run), nothing destroyed, no teardown record. */
    const untouched = (c: FakeCloud, resources: number) => {
      expect([...new Set(c.calls())]).toEqual(['terraform state pull']);
      expect(c.world().state.resources).toHaveLength(resources);
      expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'teardown.json'))).toBe(false);
    };

    it('files already there holding the same token and key (a rerun, or saved by hand): left as they are, said so', async () => {
      const c = cloud(variant, { apiUp: true });
      const { token, backupKey } = files(c);
      writeFileSync(token, 'K10-the-cluster-token'); // as `terraform output -raw join_token > file` writes it
      writeFileSync(backupKey, `${FAKE_BACKUP_ENCRYPTION_CONFIG}\n`);
      const result = await teardown(c, { keepSnapshots: true });
      expect(result).toSucceed();
      expect(said(result.out, 'TEARDOWN_PLAN')).toContain(`The cluster token is already saved in ${token}, identical: left as it is.`);
      expect(said(result.out, 'TEARDOWN_PLAN')).toContain(
        `The encryption configuration of Rancher's backups is already saved in ${backupKey}, identical: left as it is.`,
      );
      expect(codesOf(result.out)).not.toContain('TEARDOWN_SAVED');
      expect(readFileSync(token, 'utf8')).toBe('K10-the-cluster-token');
      expect(said(result.out, 'TEARDOWN_REPORT')).toContain(`Kept: the cluster token in ${token}.`);
      expect(c.world().state.resources).toEqual([]);
    });

    it.each([
      ['rancher-join-token', 'the cluster token'],
      ['rancher-backup-encryption.yaml', "the encryption configuration of Rancher's backups"],
    ])('%s there from an earlier deployment of the same name: never overwritten, nothing destroyed, said so', async (file, what) => {
      const c = cloud(variant, { apiUp: true });
      const path = join(c.dir, file);
      writeFileSync(path, 'an earlier deployment\n', { mode: 0o600 });
      const resources = c.world().state.resources.length;
      const dryRun = await teardown(c, { keepSnapshots: true, dryRun: true });
      expect(said(dryRun.out, 'TEARDOWN_PLAN')).toContain(`${path} exists and holds something else than ${what} of this deployment`);
      expect(dryRun.io.messages.map((m) => [m.code, m.level])).toEqual([
        ['TEARDOWN_PLAN', 'info'],
        ['TEARDOWN_SAVE_CONFLICT', 'warn'],
      ]);
      expect(dryRun.code).toBe(0);
      const result = await teardown(c, { keepSnapshots: true });
      expect(result.code).toBe(1);
      expect(said(result.out, 'TEARDOWN_PLAN')).toContain(`${path} exists and holds something else than ${what} of this deployment`);
      expect(result.io.messages.map((m) => [m.code, m.level])).toEqual([
        ['TEARDOWN_PLAN', 'info'],
        ['TEARDOWN_SAVE_CONFLICT', 'error'],
      ]);
      expect(result.io.messages[1].data).toEqual({ files: [path], exitCode: 1 });
      expect(readFileSync(path, 'utf8')).toBe('an earlier deployment\n');
      for (const other of Object.values(files(c))) if (other !== path) expect(existsSync(other)).toBe(false);
      untouched(c, resources);
      // Moved away, the teardown goes through and saves this deployment's.
      rmSync(path);
      expect(await teardown(c, { keepSnapshots: true })).toSucceed();
      expect(readFileSync(path, 'utf8')).not.toBe('an earlier deployment\n');
    });

    it('a save that cannot be written (a folder where no file can be created): refused before anything changes', async () => {
      const c = cloud(variant, { apiUp: true });
      const resources = c.world().state.resources.length;
      // sysfs refuses to create files to everyone, root included (whom a chmod 0555 would not stop).
      const result = await teardown(c, { keepSnapshots: true }, '/sys');
      expect(result.code).toBe(1);
      expect(codesOf(result.out)).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_SAVE_FAILED']);
      expect(said(result.out, 'TEARDOWN_SAVE_FAILED')).toMatch(/\/sys\/rancher-join-token \((EACCES|EROFS|EPERM)\)/);
      untouched(c, resources);
    });
  });

  it('refuses clearly: unknown stack, no synthesized module, missing Terraform, nothing in the state; needs no AWS CLI', async () => {
    const c = cloud(variant, { apiUp: true });
    expect(c.run(['teardown', 'rke-hq']).err).toContain("teardown: 'rke-hq' is not a stack: name rke-ha, k8s-ha, docker");
    expect(c.run(['teardown', 'rke-ha']).err).toContain('holds no synthesized module: run `npm run synth` first');
    const missing = c.run(['teardown', '--dir', 'module', '--yes'], { tools: [] });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("'terraform' was not found on PATH");
    expect(c.calls()).toEqual([]);
    // AWS is reached through the SDK: terraform is the one tool the command needs on PATH.
    // With --json: the report alone on standard output, the progress (plain lines, not a terminal) on standard error.
    const withoutAws = c.run(['teardown', '--dir', 'module', '--dry-run', '--json'], { tools: ['terraform'] });
    expect(withoutAws.code).toBe(0);
    const run = JSON.parse(withoutAws.out);
    expect(run).toMatchObject({ command: 'teardown', exitCode: 0, spans: [] });
    expect(run.messages.map((m: any) => m.code)).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_DRY_RUN']);
    expect(codesOf(withoutAws.err)).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_DRY_RUN']);
    c.write({ ...c.world(), state: { version: 4, resources: [], outputs: {} } });
    const empty = await teardown(c);
    expect(empty.code).toBe(0);
    expect(codesOf(empty.out)).toEqual(['TEARDOWN_NOTHING_LEFT']);
  });

  it('`npm run teardown -- rke-ha` (scripts/ops.js) finds the module in cdktf.out/stacks/rke-ha under the current directory', () => {
    const c = cloud(variant, { apiUp: true });
    const stackDir = join(c.dir, 'cdktf.out', 'stacks', 'rke-ha');
    mkdirSync(stackDir, { recursive: true });
    copyFileSync(join(c.moduleDir, 'cdk.tf.json'), join(stackDir, 'cdk.tf.json'));
    const script = join(__dirname, '..', '..', '..', 'scripts', 'ops.js');
    const result = spawnSync(process.execPath, [script, 'teardown', 'rke-ha', '--dry-run'], {
      cwd: c.dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${c.bin}:${process.env.PATH}`, FAKE_WORLD: c.dir },
    });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(codesOf(result.stdout)).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_DRY_RUN']);
    expect(said(result.stdout, 'TEARDOWN_PLAN')).toContain(`module ${stackDir})`);
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  describe('acts only on the deployment it names, never on a record of an earlier one in the same module folder', () => {
    /** A later deployment applied from the same folder: its own synth, name, region and state (another record id, other buckets). */
    const applyProd2 = (c: FakeCloud) => {
      const json = synthSettings('rke-ha', { name: 'prod2', region: 'eu-west-1' } as never).json;
      writeFileSync(join(c.moduleDir, 'cdk.tf.json'), JSON.stringify(json, null, 1));
      const state = stateOf(json, 'prod2');
      c.write({ state, aws: awsOf(state), cluster: { apiUp: true } });
      return Object.keys(awsOf(state).buckets);
    };
    const recordFile = (c: FakeCloud) => join(c.moduleDir, '.rancher-ha-aws', 'teardown.json');

    it('after a finished teardown, prod2 is torn down from its own plan, header, confirmation and region', async () => {
      const c = cloud(variant, { apiUp: true });
      const oldBuckets = Object.keys(c.world().aws.buckets);
      const first = await teardown(c);
      expect(first).toSucceed();
      // The finished record is retired, named in the output.
      expect(existsSync(recordFile(c))).toBe(false);
      expect(said(first.out, 'TEARDOWN_REPORT')).toMatch(/This teardown's record is kept as .*teardown-finished-rancher-.*\.json\./);
      const prod2Buckets = applyProd2(c);
      expect(prod2Buckets.some((b) => oldBuckets.includes(b))).toBe(false);
      const since = c.calls().length;
      const callsSince = () => c.calls().slice(since);

      const dryRun = await teardown(c, { deployment: 'prod2', dryRun: true });
      expect(dryRun).toSucceed();
      const plan = said(dryRun.out, 'TEARDOWN_PLAN');
      expect(dryRun.io.messages[0].data).toMatchObject({ name: 'prod2', region: 'eu-west-1', steps: 5 });
      for (const b of prod2Buckets) expect(plan).toContain(`S3 bucket ${b}`);
      for (const b of oldBuckets) expect(dryRun.out).not.toContain(b);
      // Its steps are numbered as they are taken: 1, 2, 3 (the load balancer), 4, 5.
      expect([...plan.matchAll(/^ {2}(\d+)\. /gm)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5]);

      const questions: string[] = [];
      const answering = (answer: string) => ({ deployment: 'prod2', yes: false, ask: (question: string) => (questions.push(question), answer) });
      const wrong = await teardown(c, answering('rancher'));
      expect(wrong.io.messages.at(-1)).toMatchObject({ code: 'TEARDOWN_WRONG_NAME', data: { typed: 'rancher', name: 'prod2' } });
      expect(callsSince().filter((call) => call !== 'terraform state pull')).toEqual([]);
      for (const b of prod2Buckets) expect(c.world().aws.buckets[b]).toMatchObject({ exists: true, guarded: true });

      const right = await teardown(c, answering('prod2'));
      expect(questions).toEqual(Array(2).fill('Type the deployment name (prod2) to tear it down: '));
      expect(right.code).toBe(0);
      expect(reportOf(right.io)).toMatchObject({ name: 'prod2', done: true });
      const aws = callsSince().filter((call) => call.startsWith('aws-sdk '));
      expect(aws.length).toBeGreaterThan(0);
      for (const call of aws) expect(call.split(' ')[1]).toBe('eu-west-1');
      for (const b of oldBuckets) expect(aws.some((call) => call.includes(b))).toBe(false);
      for (const b of prod2Buckets) expect(c.world().aws.buckets[b].exists).toBe(false);
    });

    it("an unfinished teardown's record of an earlier deployment is refused with its reason and the next step, nothing changed", async () => {
      const c = cloud(variant, { apiUp: true }, (world) => {
        for (const bucket of Object.values(world.aws.buckets) as any[]) bucket.objects[0].locked = true;
      });
      // Object Lock keeps the old buckets: the record stays unfinished.
      expect((await teardown(c)).code).toBe(1);
      expect(existsSync(recordFile(c))).toBe(true);
      const prod2Buckets = applyProd2(c);
      const calls = c.calls().length;
      for (const extra of [{}, { deployment: 'prod2' }, { dryRun: true }]) {
        const result = await teardown(c, extra);
        expect(result.code).toBe(2);
        expect(codesOf(result.out)).toEqual(['TEARDOWN_UNFINISHED_OTHER_DEPLOYMENT']);
        // The facts it names: the record, the deployment it is of, the one this run would act on.
        const refusal = said(result.out, 'TEARDOWN_UNFINISHED_OTHER_DEPLOYMENT');
        expect(refusal).toContain(`${recordFile(c)} is an unfinished teardown of rancher (region us-east-1, construct Default, deployment record `);
        expect(refusal).toMatch(
          /(--deployment names prod2|the module's state now holds prod2 \(region eu-west-1, construct Default, deployment record )/,
        );
        expect(refusal).toContain(`move ${recordFile(c)} away`);
      }
      expect(
        c
          .calls()
          .slice(calls)
          .filter((call) => call !== 'terraform state pull'),
      ).toEqual([]);
      for (const b of prod2Buckets) expect(c.world().aws.buckets[b]).toMatchObject({ exists: true, guarded: true });
    });
  });

  it('refuses a deployment on an existing cluster (k8s-ha), whose cluster must stay', async () => {
    const json = synthSettings('k8s-ha', {}).json;
    const state = stateOf(json);
    const c = track(new FakeCloud(json, { state, aws: awsOf(state), cluster: { apiUp: true } }));
    const result = await teardown(c);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['TEARDOWN_EXISTING_CLUSTER']);
    expect(c.calls()).toEqual(['terraform state pull']);
  });
});
