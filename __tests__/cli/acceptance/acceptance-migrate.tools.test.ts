import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateTargetSettings } from '../../../cli/acceptance/acceptance-migrate';
import { acceptanceSettings } from '../../../cli/acceptance/acceptance-settings';
import { SECRET_NAME_PATTERN } from '../../../lib/rancher/backup-objects';
import { acceptanceRancher, MIGRATION_FILE, PASSWORD, type Rancher, TOKEN } from '../../helpers/acceptance-rancher';
import { awsOf, FakeCloud, stateOf, withoutLongValues } from '../../helpers/fake-cloud';
import { synthSettings } from '../../helpers/variants';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';
import { acceptInProcess } from '../../helpers/acceptance-in-process';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// docker's migrate phase against the fake cloud (fake-acceptance.js: the migration's own module, the rke-ha target's
// first apply with its restore, the docker deployment's teardown) and the local Rancher of acceptance-rancher.ts (the
// Rancher Backups app, the Secrets and the Backup through its local-cluster proxy; the restored Rancher keeps the
// clusters of the backup under their ids; the agent's tunnel is a new one after the move). One docker synth with a
// zone and one synth of the rke-ha target for the file; --only downstream,migrate keeps the stub calls few.

const REGION = 'eu-west-1';
const PLACEHOLDER = 'zzzzzz';
const ZONE = 'acme-test.net';
const SYNTH = join(__dirname, '..', '..', 'helpers', 'ops-stubs', 'fake-acceptance-synth.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { MIGRATE_ACCESS_KEY, RESTORED_SECRET_PATTERN } = require('../../helpers/ops-stubs/fake-acceptance.js') as {
  MIGRATE_ACCESS_KEY: string;
  RESTORED_SECRET_PATTERN: string;
};
const dockerSettings = acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION, stack: 'docker', hostedZone: ZONE });
const dockerJson = synthSettings('docker', dockerSettings as never).json;
const targetJson = synthSettings(
  'rke-ha',
  migrateTargetSettings(dockerSettings, { file: MIGRATION_FILE, bucket: `acc-${PLACEHOLDER}-migrate` }) as never,
).json;

const worlds: { c: FakeCloud; r: Rancher }[] = [];
afterEach(async () => {
  for (const { c, r } of worlds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
    await new Promise((done) => r.server.close(done));
  }
});

async function world(change?: (w: any) => void): Promise<{ c: FakeCloud; r: Rancher }> {
  const r = await acceptanceRancher();
  const applyState = withoutLongValues(stateOf(dockerJson));
  Object.assign(applyState.outputs, {
    rancher_url: { value: r.url },
    rancher_admin_password: { value: PASSWORD, sensitive: true },
    instance_id: { value: 'i-server' },
  });
  const targetState = withoutLongValues(stateOf(targetJson, 'migrate'));
  // The same hostname: the test's Rancher answers for both.
  targetState.outputs = { rancher_url: { value: r.url }, kubeconfig: { value: 'apiVersion: v1\nkind: Config\n', sensitive: true } };
  const c = new FakeCloud(dockerJson, {
    state: { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'acceptance', outputs: {}, resources: [] },
    aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
    acceptance: {
      applyState,
      applyAws: awsOf(applyState),
      events: [],
      migrate: { rancher: 'docker', targetState, targetAws: awsOf(targetState) },
    },
  });
  r.dir = c.dir;
  if (change) c.update(change);
  copyFileSync(join(c.dir, 'module', 'cdk.tf.json'), join(c.dir, 'acceptance.docker.cdk.tf.json'));
  writeFileSync(join(c.dir, 'migrate.cdk.tf.json'), JSON.stringify(targetJson));
  mkdirSync(join(c.dir, 'docs'));
  copyFileSync(join(__dirname, '..', '..', '..', 'docs', 'deployer-policy.json'), join(c.dir, 'docs', 'deployer-policy.json'));
  copyFileSync(join(__dirname, '..', '..', '..', 'package.json'), join(c.dir, 'package.json'));
  worlds.push({ c, r });
  return { c, r };
}

const MIGRATE_RUN = ['docker', '--region', REGION, '--yes', '--wait-minutes', '1', '--only', 'downstream,migrate', '--hosted-zone', ZONE];
const accept = (c: FakeCloud, ...extra: string[]) => acceptInProcess(c, ...MIGRATE_RUN, ...extra);
/** The bundled CLI, for a run its world kills: kill -9 ends that process, not jest's. */
const acceptKilled = (c: FakeCloud) => c.runAsync(['acceptance', ...MIGRATE_RUN], { env: { RANCHER_HA_AWS_SYNTH: SYNTH } });
const recordOf = (c: FakeCloud): any => JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8'));
/** Everything the run left in the fake world: the modules' states (the target's, once applied) and the backup. */
const nothingLeft = (c: FakeCloud) => {
  const w = c.world();
  expect(w.state.resources).toEqual([]);
  expect(w.acceptance.migrate.state?.resources ?? []).toEqual([]);
  expect(w.acceptance.migrate.support.resources).toEqual([]);
  expect(w.acceptance.downstream.state.resources).toEqual([]);
  expect(existsSync(join(c.dir, 'migrate-backup.json'))).toBe(false);
  // The final snapshot the rke-ha deployment's RDS datastore left (with the run's tag) is gone too.
  expect(w.aws.finalDbSnapshots).toEqual([]);
};

describe("the acceptance run's docker → rke-ha migration", () => {
  it("the synthesized modules: docker and rke-ha at the run's own record, both asking for the run's CA; rke-ha for the backup's key", () => {
    const required = (json: any) =>
      Object.entries(json.variable ?? {})
        .filter(([, v]: [string, any]) => v.default === undefined)
        .map(([k]) => k)
        .sort();
    expect(required(dockerJson)).toEqual(['tls_ca_certificate_pem', 'tls_ca_private_key_pem']);
    expect(required(targetJson)).toEqual(['rancher_backup_restore_encryption_config', 'tls_ca_certificate_pem', 'tls_ca_private_key_pem']);
    for (const json of [dockerJson, targetJson] as any[]) {
      expect(json.variable.rancher_hostname.default).toBe(`acc-${PLACEHOLDER}.${ZONE}`);
      const records = Object.values(json.resource.aws_route53_record) as any[];
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((x) => x.name === '${var.rancher_hostname}')).toBe(true);
    }
    // rke-ha on K3s: its datastore is RDS.
    expect(Object.keys(targetJson.resource.aws_db_instance ?? {})).toHaveLength(1);
  });

  it('backs the docker Rancher up, retires it, restores into rke-ha at the same name: the downstream cluster is Active there under its id', async () => {
    const { c, r } = await world();
    const result = await accept(c);
    if (result.code !== 0) console.log(result.out.slice(-4000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', downstream: 'passed', migrate: 'passed', teardown: 'passed', sweep: 'passed' });
    expect(statuses(report).break).toBe('skipped');
    const clusterId = recordOf(c).downstream.clusterId;
    // The cluster imported into the docker Rancher, back under the same id on the restored one.
    expect(report.downstream.map((d: any) => [d.after, d.up])).toEqual([
      ['import', true],
      ['migration', true],
    ]);
    // Its first look after the move saw the tunnel down (the Rancher it dialled was gone).
    expect(report.downstream[1].first).toContain('Connected False');
    const w = c.world();
    expect(w.acceptance.migrate.restoredFrom).toBe(MIGRATION_FILE);
    // The writer's key and the EncryptionConfiguration went along in the backup, and the restore's Job removed them.
    expect(RESTORED_SECRET_PATTERN).toBe(SECRET_NAME_PATTERN);
    expect(w.acceptance.migrate.backedUpSecrets).toHaveLength(2);
    expect(w.acceptance.migrate.restoredSecrets).toEqual([]);
    // docs/docker-to-rke-ha.md's route in order: the app, the Secrets and the Backup on docker, then docker torn down, then rke-ha.
    const steps = r.requests.filter((q) => /action=install|resourcesets|secrets|backups/.test(q));
    const backups = '/k8s/clusters/local/apis/resources.cattle.io/v1';
    expect(steps).toEqual([
      'POST /v1/catalog.cattle.io.clusterrepos/rancher-charts?action=install',
      // The chart's install took a look to show its resource set.
      `GET ${backups}/resourcesets/rancher-resource-set-full`,
      `GET ${backups}/resourcesets/rancher-resource-set-full`,
      'POST /k8s/clusters/local/api/v1/namespaces/cattle-resources-system/secrets',
      'POST /k8s/clusters/local/api/v1/namespaces/cattle-resources-system/secrets',
      `POST ${backups}/backups`,
      `GET ${backups}/backups/rancher-aws-migration`,
      `GET ${backups}/backups/rancher-aws-migration`,
    ]);
    // admin logged in twice: on the docker Rancher (the import), and on the restored one with the docker's password.
    expect(r.requests.filter((q) => q === 'POST /v1-public/login')).toHaveLength(2);
    // The same cluster looked at on the restored Rancher: the import's id, answered 200 (a Rancher without the restore has none).
    expect(r.requests.filter((q) => q === `GET /v3/clusters/${clusterId}`).length).toBeGreaterThan(2);
    // The settings of both deployments: one name in the zone, one CA; the target a K3s restore without the bootstrap.
    const seen = readFileSync(join(c.dir, 'acceptance-settings-seen.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(seen).toHaveLength(2);
    const [docker, target] = seen;
    expect(docker).toMatchObject({ hostname: `${recordOf(c).name}.${ZONE}`, hostedZone: ZONE, docker: { tls: { issuer: 'ca' } } });
    expect(docker.dns).toBeUndefined();
    expect(target).toMatchObject({
      hostname: docker.hostname,
      hostedZone: ZONE,
      name: docker.name,
      rkeHa: { distribution: 'k3s' },
      rancher: { bootstrap: { enabled: false }, tls: { issuer: 'ca' } },
      backups: { enabled: true, restoreFrom: { file: MIGRATION_FILE, bucket: `${docker.name}-migrate`, unrecordedSource: true } },
    });
    expect(target.docker).toBeUndefined();
    // Torn down: the downstream instance, the target, the docker deployment (by the phase), the migration's module last.
    nothingLeft(c);
    expect(w.acceptance.migrate.support.destroyed).toBe(1);
    const deleted = c.calls().filter((x) => x.startsWith('aws rds delete-db-snapshot'));
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatch(new RegExp(`--db-snapshot-identifier ${recordOf(c).name}-[a-z0-9-]*final`));
    const raw = readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const applies = raw
      .filter((x) => x.tool === 'terraform' && x.args[0] === 'apply')
      .map((x) => `${x.args.includes('-destroy') ? 'destroy' : 'apply'} ${x.cwd.replace(runDir(c), '.')}`);
    expect(applies).toEqual([
      'apply ./migrate/support',
      'apply ./cdktf.out/stacks/docker',
      'apply ./downstream',
      'destroy ./cdktf.out/stacks/docker',
      'apply ./migrate/cdktf.out/stacks/rke-ha',
      'destroy ./downstream',
      'destroy ./migrate/cdktf.out/stacks/rke-ha',
      'destroy ./migrate/support',
    ]);
    // No secret on a command line: admin's password and token, the writer's secret key, the CA's key.
    const text = readFileSync(join(c.dir, 'calls.jsonl'), 'utf8');
    for (const secret of [PASSWORD, TOKEN, 'the-writer-secret-key', 'the-run-ca-key']) expect(text).not.toContain(secret);
    expect(text).not.toContain(MIGRATE_ACCESS_KEY);
    expect(readFileSync(join(runDir(c), 'report.md'), 'utf8')).toContain('| migration |');
  });

  it('an rke-ha deployment of another Rancher version: refused before the docker deployment is retired, which the teardown then removes', async () => {
    const { c } = await world();
    const other = JSON.parse(JSON.stringify(targetJson));
    const rancher = Object.values(other.resource.helm_release).find((r: any) => r.chart === 'rancher') as any;
    rancher.version = '2.13.9';
    writeFileSync(join(c.dir, 'migrate.cdk.tf.json'), JSON.stringify(other));
    const result = await accept(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ downstream: 'passed', migrate: 'failed', teardown: 'passed', sweep: 'passed' });
    expect(report.phases.find((p: any) => p.phase === 'migrate').detail).toMatch(
      /not safe to apply: it installs Rancher 2\.13\.9 and the backup comes from Rancher v\d+\.\d+\.\d+: a migration restores into the same version/,
    );
    // Never applied, and the docker deployment stood until the run's own teardown.
    expect(recordOf(c).migrate.target).toBeUndefined();
    expect(recordOf(c).migrate.dockerRetired).toBeUndefined();
    nothingLeft(c);
  });

  it('the rke-ha deployment serving another CA: the agent never reconnects, the phase fails naming the checksum mismatch; torn down all the same', async () => {
    const { c } = await world(
      (w) => (w.acceptance.rancherCaFrom = { phase: 'migrate', ca: '-----BEGIN CERTIFICATE-----\nanother-ca\n-----END CERTIFICATE-----\n' }),
    );
    const result = await accept(c, '--downstream-minutes', '1');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ downstream: 'passed', migrate: 'failed', teardown: 'passed', sweep: 'passed' });
    const detail = report.phases.find((p: any) => p.phase === 'migrate').detail;
    expect(detail).toContain('not Active with its agent connected 1 minute after the migration');
    expect(detail).toMatch(/the agent logged: ERROR: Configured cacerts checksum \([0-9a-f]{64}\) does not match given --ca-checksum/);
    nothingLeft(c);
  });

  it('killed (kill -9) during the rke-ha apply, the docker deployment already retired: --teardown-run tears down what is left, the sweep is clean', async () => {
    const { c } = await world((w) => (w.acceptance.migrateKillAt = 'target'));
    const first = await acceptKilled(c);
    expect(first.code).toBeNull();
    const record = recordOf(c);
    expect(record).toMatchObject({ phase: 'migrate', done: false, migrate: { dockerRetired: true, file: MIGRATION_FILE } });
    expect(record.migrate.target).toBe(join(runDir(c), 'migrate', 'cdktf.out', 'stacks', 'rke-ha'));
    // The apply ran to its end after the kill: the target stands, with the migration's module and the instance.
    expect(c.world().acceptance.migrate.state.resources.length).toBeGreaterThan(0);
    // A new run refuses to start while this one is not torn down.
    const again = await accept(c);
    expect(again.code).toBe(2);
    expect(again.out).toContain(`--teardown-run ${record.runId}`);
    const torn = await acceptInProcess(c, '--teardown-run', record.runId);
    if (torn.code !== 0) console.log(torn.out.slice(-4000));
    expect(torn.code).toBe(0);
    nothingLeft(c);
    expect(statuses(reportOf(c))).toMatchObject({ downstream: 'passed', migrate: 'interrupted', teardown: 'passed', sweep: 'passed' });
  });

  it('killed (kill -9) as the phase starts, the docker deployment standing: --teardown-run destroys it with the run CA, then the rest', async () => {
    const { c } = await world((w) => (w.acceptance.signalAt = { phase: 'migrate', signal: 'SIGKILL' }));
    const first = await acceptKilled(c);
    expect(first.code).toBeNull();
    const record = recordOf(c);
    expect(record).toMatchObject({ phase: 'migrate', done: false });
    expect(record.migrate.dockerRetired).toBeUndefined();
    expect(c.world().state.resources.length).toBeGreaterThan(0);
    const torn = await acceptInProcess(c, '--teardown-run', record.runId);
    if (torn.code !== 0) console.log(torn.out.slice(-4000));
    expect(torn.code).toBe(0);
    const w = c.world();
    expect(w.state.resources).toEqual([]);
    expect(w.acceptance.migrate.support.resources).toEqual([]);
    expect(w.acceptance.downstream.state.resources).toEqual([]);
    expect(statuses(reportOf(c))).toMatchObject({ migrate: 'interrupted', teardown: 'passed', sweep: 'passed' });
  });

  it('killed (kill -9) during the apply of its CA, bucket and writer, before the docker deployment: --teardown-run destroys them', async () => {
    const { c } = await world((w) => (w.acceptance.migrateKillAt = 'support'));
    const first = await acceptKilled(c);
    expect(first.code).toBeNull();
    const record = recordOf(c);
    expect(record).toMatchObject({ phase: 'deploy', applied: false, migrate: { support: join(runDir(c), 'migrate', 'support') } });
    expect(c.world().acceptance.migrate.support.resources.length).toBeGreaterThan(0);
    const torn = await acceptInProcess(c, '--teardown-run', record.runId);
    if (torn.code !== 0) console.log(torn.out.slice(-4000));
    expect(torn.code).toBe(0);
    const w = c.world();
    expect(w.acceptance.migrate.support.resources).toEqual([]);
    expect(w.state.resources).toEqual([]);
  });

  it('refuses, before any call: migrate without the downstream phase, without a zone, with the break, or for rke-ha; a zone without migrate', async () => {
    const { c } = await world();
    const run = (...args: string[]) => c.runAsync(['acceptance', ...args, '--region', REGION, '--yes'], { env: { RANCHER_HA_AWS_SYNTH: SYNTH } });
    const cases: [string[], string][] = [
      [['docker', '--only', 'migrate', '--hosted-zone', ZONE], 'ACCEPTANCE_MIGRATE_WITHOUT_DOWNSTREAM'],
      [['docker', '--only', 'downstream,migrate'], 'ACCEPTANCE_MIGRATE_NO_HOSTED_ZONE'],
      [['docker', '--only', 'downstream,migrate,break', '--hosted-zone', ZONE], 'ACCEPTANCE_MIGRATE_WITH_BREAK'],
      [['rke-ha', '--only', 'migrate'], 'ACCEPTANCE_PHASE_NOT_APPLICABLE'],
      [['docker', '--hosted-zone', ZONE], 'ACCEPTANCE_HOSTED_ZONE_NOT_USED'],
    ];
    for (const [args, code] of cases) {
      const result = await run(...args);
      expect([args.join(' '), result.code, codesOf(result.out)]).toEqual([args.join(' '), 2, [code]]);
    }
    expect(c.calls()).toEqual([]);
    // The default docker run does not take the phase (it needs a zone): said in its plan.
    const dry = await c.runAsync(['acceptance', 'docker', '--region', REGION, '--dry-run'], { env: { PATH: '/nonexistent' } });
    expect(dry.code).toBe(0);
    expect(said(dry.out, 'ACCEPTANCE_PLAN')).toContain('(skipped) migrate: docker only, when --only names it');
  });

  it('--dry-run with the phase: what it creates, its time, and its cost in the budget', async () => {
    const { c } = await world();
    const result = await c.runAsync(
      ['acceptance', 'docker', '--region', REGION, '--dry-run', '--only', 'downstream,migrate', '--hosted-zone', ZONE],
      { env: { PATH: '/nonexistent' } },
    );
    expect(result.code).toBe(0);
    const plan = said(result.out, 'ACCEPTANCE_PLAN');
    expect(plan).toContain(`Rancher at https://acc-`);
    expect(plan).toMatch(/The migrate phase adds before the deploy, a module of the run's own with a throwaway CA[^\n]*60-90 minutes/);
    // 390 minutes of the docker host and the downstream instance, (0.1096 + 0.05) × 6.5, and the rke-ha deployment's 1.5 hours.
    expect(plan).toMatch(/at most about \$\d+\.\d\d/);
    const stated = Number(/at most about \$(\d+\.\d\d)/.exec(plan)![1]);
    expect(stated).toBeGreaterThan(1.04);
    expect(c.calls()).toEqual([]);
  });
});
