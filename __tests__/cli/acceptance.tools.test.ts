import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ACCEPTANCE_PHASES, TIMELINE } from '../../cli/acceptance-report';
import { acceptanceSettings, RUN_TAG, UPGRADE } from '../../cli/acceptance-settings';
import { throwawaySettings } from '../../cli/drill-settings';
import { writeBackup } from '../helpers/backup-file';
import { awsOf, FAKE_BACKUP_ENCRYPTION_CONFIG, FakeCloud, stateOf } from '../helpers/fake-cloud';
import { fakeCluster, serverInstances } from '../helpers/roll-world';
import { synthSettings } from '../helpers/variants';
import { testReleaseSums } from '../helpers/release-sums';

// `npm run acceptance -- rke-ha` as a person runs it: the bundled CLI with terraform, aws and kubectl stubbed
// (ops-stubs/fake-cloud.js with fake-acceptance.js, the roll's cluster of fake-roll.js and the drill's throwaway of
// fake-drill.js), the app's synth stubbed (fake-acceptance-synth.js, writing real synths the file makes once), and
// Rancher a local HTTP server of this test that /ping and the first login reach through the real curl. Every run,
// passing, failing or killed, must end with the deployment's state empty, a report, and the stubs' invariants kept.

const REGION = 'eu-west-1';
const PLACEHOLDER = 'zzzzzz';
const PASSWORD = 'the-admin-password-from-the-output';
const TOKEN = 'token-abcde:the-secret-part';
const IN_BACKUP = {
  'clusters.management.cattle.io': 1,
  'users.management.cattle.io': 2,
  'projects.management.cattle.io': 2,
  'settings.management.cattle.io': 3,
};
const SYNTH = join(__dirname, '..', 'helpers', 'ops-stubs', 'fake-acceptance-synth.js');

// The synths, once for the file: the run's deployment (its run id a placeholder the synth stub replaces) and the drill's throwaway of it.
// No sum of the from-version's tarball is recorded: supplied here, fictional, as an operator's --settings would.
const settings = acceptanceSettings(
  { versions: { releaseSums: testReleaseSums(UPGRADE.from) } },
  { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION },
);
const json = synthSettings('rke-ha', settings as never).json;
const throwawayJson = synthSettings(
  'rke-ha',
  throwawaySettings(settings, {
    name: `acc-${PLACEHOLDER}-drill`,
    file: 'rancher-aws-acceptance-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T12-00-00Z.tar.gz.enc',
    bucket: `acc-${PLACEHOLDER}-rke-ha-backups`,
    productionName: `acc-${PLACEHOLDER}`,
  }) as never,
).json;

/** The local Rancher: /ping, the login API (v1) with the admin password, and /v3/users?me=true with the token. */
interface Rancher {
  readonly url: string;
  readonly requests: string[];
  readonly server: Server;
}
async function rancher(): Promise<Rancher> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url === '/ping') {
        res.end('pong');
        return;
      }
      if (req.method === 'POST' && req.url === '/v1-public/login') {
        const login = JSON.parse(body);
        const ok = login.type === 'localProvider' && login.username === 'admin' && login.password === PASSWORD;
        res.writeHead(ok ? 201 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { token: TOKEN } : {}));
      } else if (req.url === '/v3/users?me=true' && req.headers.authorization === `Bearer ${TOKEN}`)
        res.end(JSON.stringify({ data: [{ username: 'admin' }] }));
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

/** A state without its long strings (the user data, the gates' manifests): every stub call reads and writes the world. */
function small(state: any): any {
  for (const r of state.resources)
    for (const [k, v] of Object.entries(r.instances[0].attributes)) if (JSON.stringify(v).length > 2000) r.instances[0].attributes[k] = '(long)';
  return state;
}

const worlds: { c: FakeCloud; r: Rancher }[] = [];
afterEach(async () => {
  for (const { c, r } of worlds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
    await new Promise((done) => r.server.close(done));
  }
});

async function world(change?: (w: any) => void): Promise<{ c: FakeCloud; r: Rancher }> {
  const r = await rancher();
  const applyState = small(stateOf(json));
  const servers = serverInstances(applyState);
  const backupBucket = applyState.resources.find((x: any) => x.type === 'aws_s3_bucket' && x.name.startsWith('rancher-backups_bucket')).instances[0]
    .attributes.bucket;
  Object.assign(applyState.outputs, {
    rancher_url: { value: r.url },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n', sensitive: true },
    rancher_admin_password: { value: PASSWORD, sensitive: true },
    rancher_backup_bucket: { value: backupBucket },
    servers_pending_replacement: { value: { 'server-0': [], 'server-1': [], 'server-2': [] } },
  });
  const throwawayState = small(stateOf(throwawayJson, 'drill'));
  throwawayState.outputs = {
    rancher_url: { value: 'https://3-250-1-2.sslip.io' },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n# the throwaway deployment\n', sensitive: true },
    rancher_backup_bucket: { value: 'rancher-drill-rke-ha-backups' },
  };
  const empty = { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'acceptance', outputs: {}, resources: [] };
  const w: any = {
    roll: true,
    state: empty,
    aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
    cluster: fakeCluster(servers, false),
    acceptance: {
      applyState,
      applyAws: awsOf(applyState),
      events: [
        { EventSource: 'ec2.amazonaws.com', EventName: 'RunInstances' },
        { EventSource: 'ec2.amazonaws.com', EventName: 'DescribeInstances' },
        { EventSource: 'ec2.amazonaws.com', EventName: 'CreateFleet' },
      ],
    },
    drill: {
      productionDir: 'none',
      backupBucket: 'none',
      applyState: throwawayState,
      applyAws: awsOf(throwawayState),
      encryptionConfig: FAKE_BACKUP_ENCRYPTION_CONFIG,
      restored: { ...IN_BACKUP, serverUrl: r.url },
      ping: 'pong',
    },
  };
  const c = new FakeCloud(json, w);
  c.update((x) => {
    x.drill.backupFile = writeBackup(c.dir, IN_BACKUP);
    change?.(x);
  });
  copyFileSync(join(c.dir, 'module', 'cdk.tf.json'), join(c.dir, 'acceptance.cdk.tf.json'));
  writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), JSON.stringify(throwawayJson));
  mkdirSync(join(c.dir, 'docs'));
  copyFileSync(join(__dirname, '..', '..', 'docs', 'deployer-policy.json'), join(c.dir, 'docs', 'deployer-policy.json'));
  copyFileSync(join(__dirname, '..', '..', 'package.json'), join(c.dir, 'package.json'));
  worlds.push({ c, r });
  return { c, r };
}

const accept = (c: FakeCloud, ...extra: string[]) =>
  c.runAsync(['acceptance', 'rke-ha', '--region', REGION, '--yes', '--wait-minutes', '1', ...extra], { env: { RANCHER_HA_AWS_SYNTH: SYNTH } });

/** The run's folder (one run per world). */
const runDir = (c: FakeCloud) => {
  const root = join(c.dir, 'acceptance.out');
  const [id] = readdirSync(root);
  return join(root, id);
};
/**
 * The cost of a case bounded: the roll and the drill (most of a run's stub calls) left out of the cases of other
 * phases; the passing run has them all.
 */
const skipping = (phase: string) => ['--skip', ['roll', 'drill'].filter((p) => p !== phase).join(',')];
/** The statuses a run stopped at `phase` reports: before it passed (or not chosen), after it skipped. */
function expectStoppedAt(report: any, phase: string, there: readonly string[]): void {
  const at = ACCEPTANCE_PHASES.indexOf(phase as never);
  const chosen = (p: string) => !skipping(phase)[1].split(',').includes(p);
  const s = statuses(report);
  for (const [i, p] of ACCEPTANCE_PHASES.entries()) {
    const expected = p === 'teardown' || p === 'sweep' ? ['passed'] : i === at ? there : i < at && chosen(p) ? ['passed'] : ['skipped'];
    expect({ phase: p, status: s[p], expected: expected.includes(s[p]) }).toEqual({ phase: p, status: s[p], expected: true });
  }
}

const reportOf = (c: FakeCloud): any => JSON.parse(readFileSync(join(runDir(c), 'report.json'), 'utf8'));
const statuses = (report: any) => Object.fromEntries(report.phases.map((p: any) => [p.phase, p.status]));

/** Torn down: the state empty, the run's buckets gone, its load balancer gone, its record done. */
function expectTornDown(c: FakeCloud): void {
  const w = c.world();
  expect(w.state.resources).toEqual([]);
  for (const [name, bucket] of Object.entries(w.aws.buckets) as [string, any][])
    expect({ name, exists: bucket.exists }).toEqual({ name, exists: false });
  expect(Object.keys(w.aws.lbs)).toEqual([]);
  expect(JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8')).done).toBe(true);
  expect(existsSync(join(runDir(c), 'kubeconfig.yaml'))).toBe(false);
  expect(existsSync(join(runDir(c), 'report.md'))).toBe(true);
}

describe('npm run acceptance', () => {
  it('passes: every phase, a report with versions, the timeline, an empty second plan, the AWS actions; nothing left', async () => {
    const { c, r } = await world();
    const result = await accept(c);
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toEqual(Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, 'passed'])));
    expect(report.passed).toBe(true);
    expect(report.timeline.map((t: any) => t.step)).toEqual(TIMELINE.map((t) => t.step));
    expect(report.timeline.every((t: any) => t.seconds !== undefined && t.resources > 0)).toBe(true);
    expect(report.secondPlanChanges).toEqual([]);
    expect(report.versions).toMatchObject({ rke2: `${UPGRADE.from} -> ${UPGRADE.to}`, rancher: '2.14.3', region: REGION });
    expect(report.leftovers.every((l: any) => l.state === 'pending')).toBe(true);
    expect(report.awsActions.used).toEqual(['ec2:CreateFleet', 'ec2:DescribeInstances', 'ec2:RunInstances']);
    expect(report.awsActions.notGranted).toEqual(['ec2:CreateFleet']);
    expect(report.awsActions.unused.length).toBeGreaterThan(100);
    // The first login reached the local Rancher with the output's password; the token read admin's user.
    expect(r.requests).toEqual(expect.arrayContaining(['GET /ping', 'POST /v1-public/login', 'GET /v3/users?me=true']));
    expect(readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')).not.toContain(PASSWORD);
    expect(readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')).not.toContain(TOKEN);
    // The synths: the deployment at the version the upgrade starts from, then at its target; every one tagged with the run id.
    const seen = readFileSync(join(c.dir, 'acceptance-settings-seen.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const runId = report.runId;
    expect(seen.map((s) => [s.name, s.versions?.rke2, s.tags[RUN_TAG]])).toEqual([
      [`acc-${runId}`, UPGRADE.from, runId],
      [`acc-${runId}`, UPGRADE.to, runId],
      [`acc-${runId}-drill`, UPGRADE.to, runId],
    ]);
    expect(c.world().replaced).toEqual(['server-0']);
    expect(c.calls()).toContain(
      'kubectl --kubeconfig ' + join(runDir(c), 'kubeconfig.yaml') + ' --request-timeout=30s -n cattle-system scale deployment rancher --replicas=0',
    );
    const markdown = readFileSync(join(runDir(c), 'report.md'), 'utf8');
    for (const heading of [
      '## Versions',
      '## Phases',
      '## Deploy timeline',
      '## Second plan',
      '## Left in the account',
      '## AWS actions',
      '## What this run does not prove',
    ])
      expect(markdown).toContain(heading);
    expect(result.out).toContain('Result: PASSED');
    expectTornDown(c);
  });

  // A failure in each phase: the phases before it passed, those after it were skipped, the deployment is torn down.
  it.each([
    ['deploy', (w: any) => (w.acceptance.applyFails = true)],
    ['ping', (w: any) => (w.acceptance.failAt = 'ping')],
    ['login', (w: any) => (w.acceptance.failAt = 'login')],
    [
      'second-plan',
      (w: any) => (w.acceptance.planChanges = [{ address: 'aws_instance.server-0', mode: 'managed', change: { actions: ['update'] } }]),
    ],
    ['upgrade', (w: any) => (w.acceptance.failAt = 'upgrade')],
    ['roll', (w: any) => (w.acceptance.failAt = 'roll')],
    ['backup', (w: any) => (w.acceptance.failAt = 'backup')],
    ['drill', (w: any) => (w.drill.applyFails = true)],
    ['break', (w: any) => (w.acceptance.failAt = 'break')],
  ])('a failure in the %s phase: reported there, later phases skipped, torn down', async (phase, change) => {
    const { c } = await world(change);
    const result = await accept(c, ...skipping(phase));
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expectStoppedAt(report, phase, ['failed']);
    expect(report.passed).toBe(false);
    if (phase === 'second-plan') expect(report.secondPlanChanges).toEqual(['update aws_instance.server-0']);
    expect(result.out).toContain('Result: FAILED');
    expectTornDown(c);
  });

  it.each(['deploy', 'ping', 'login', 'second-plan', 'upgrade', 'roll', 'backup', 'drill', 'break'])(
    'SIGTERM during the %s phase: stops there, tears down, exit 130, the report says what passed',
    async (phase) => {
      const { c } = await world((w) => (w.acceptance.signalAt = { phase, signal: 'SIGTERM' }));
      const result = await accept(c, ...skipping(phase));
      expect(result.code).toBe(130);
      expect(result.err).toContain('SIGTERM: stopping the acceptance run');
      const report = reportOf(c);
      // A short phase may finish before the signal is seen; then it is the next one that does not start.
      expectStoppedAt(report, phase, ['interrupted', 'passed']);
      expect(report.passed).toBe(false);
      expectTornDown(c);
    },
  );

  it('the sweep finds a leftover tagged with the run id: listed with how to remove it, the run fails', async () => {
    const { c } = await world((w) => (w.acceptance.leftovers = ['arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc']));
    const result = await accept(c, '--only', 'ping');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', ping: 'passed', login: 'skipped', teardown: 'passed', sweep: 'failed' });
    expect(report.leftovers).toContainEqual({
      arn: 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc',
      state: 'left',
      remove: expect.stringContaining('aws ec2 delete-volume'),
    });
    expect(result.out).toContain('LEFT: arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc: aws ec2 delete-volume');
  });

  it('a failing teardown: the sweep lists what is left, --teardown-run <id> finishes it', async () => {
    const { c } = await world((w) => (w.acceptance.failAt = 'teardown'));
    const result = await accept(c, '--only', 'ping');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ teardown: 'failed', sweep: 'failed' });
    expect(report.leftovers.filter((l: any) => l.state === 'left').length).toBeGreaterThan(10);
    // A new run never touches it, and says how to finish it.
    const again = await accept(c);
    expect(again.code).toBe(2);
    expect(again.out).toContain(`--teardown ${report.runId}`);
    c.update((w) => delete w.acceptance.failAt);
    const down = await c.runAsync(['acceptance', '--teardown-run', report.runId]);
    expect(down.code).toBe(0);
    expectTornDown(c);
  });

  it.each([
    ['no region', ['acceptance', 'rke-ha', '--yes'], '--region is required'],
    ['another stack', ['acceptance', 'docker', '--region', REGION, '--yes'], 'covers rke-ha first'],
    ['an unknown phase', ['acceptance', 'rke-ha', '--region', REGION, '--yes', '--only', 'ping,dance'], 'Unknown phase dance'],
  ])('refuses %s before any call', async (_name, args, message) => {
    const { c } = await world();
    const result = await c.runAsync(args);
    expect(result.code).toBe(2);
    expect(result.out).toContain(message);
    expect(c.calls()).toEqual([]);
  });

  it('refuses a name that belongs to an existing deployment, and a settings file with a state backend; nothing created', async () => {
    const { c } = await world((w) => (w.acceptance.existing = ['arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1']));
    const taken = await accept(c, '--name', 'rancher');
    expect(taken.code).toBe(2);
    expect(taken.out).toContain('rancher is the name of an existing deployment');
    writeFileSync(join(c.dir, 'prod.yaml'), 'name: rancher\nbackend:\n  type: s3\n  bucket: tf-state\n');
    const backend = await accept(c, '--settings', 'prod.yaml');
    expect(backend.code).toBe(2);
    expect(backend.out).toContain('names a state backend');
    expect(c.calls().every((call) => /^aws (sts|resourcegroupstaggingapi) /.test(call))).toBe(true);
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
  });

  it('states its budget and asks on a terminal; anything but yes changes nothing', async () => {
    const { c } = await world();
    const question = 'Type yes to start the run';
    const asked = await c.runInTerminal(['acceptance', 'rke-ha', '--region', REGION, '--budget-minutes', '120'], question, 'no');
    expect(asked.code).toBe(1);
    expect(asked.screen).toContain('Budget: 120 minutes, at most about $');
    expect(asked.screen).toContain("'no' is not yes: nothing was changed.");
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
    // No terminal and no --yes: refused.
    const piped = await c.runAsync(['acceptance', 'rke-ha', '--region', REGION]);
    expect(piped.code).toBe(2);
    expect(piped.out).toContain('pass --yes');
  });
});
