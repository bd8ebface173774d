import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCEPTANCE_PHASES, NOT_APPLICABLE, OPTIONAL_PHASES, TIMELINE } from '../../../cli/acceptance/acceptance-report';
import { AVAILABILITY_BUDGET } from '../../../cli/acceptance/acceptance-probes';
import { acceptanceSettings, RUN_TAG, UPGRADE } from '../../../cli/acceptance/acceptance-settings';
import { throwawaySettings } from '../../../cli/drill/drill-settings';
import { acceptanceRancher, PASSWORD, type Rancher, TOKEN } from '../../helpers/acceptance-rancher';
import { writeBackup } from '../../helpers/backup-file';
import { awsOf, FAKE_BACKUP_ENCRYPTION_CONFIG, FakeCloud, stateOf } from '../../helpers/fake-cloud';
import { FIRST_KEY, fakeCluster, serverInstances, tokenWith } from '../../helpers/roll-world';
import { OLD, secretOf } from '../../helpers/rotate-world';
import { synthSettings } from '../../helpers/variants';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';

// `npm run acceptance -- <stack>` as a person runs it: the bundled CLI with terraform, aws and kubectl stubbed
// (ops-stubs/fake-cloud.js with fake-acceptance.js, the roll's cluster of fake-roll.js and the drill's throwaway of
// fake-drill.js), the app's synth stubbed (fake-acceptance-synth.js, writing real synths the file makes once), and
// Rancher a local HTTP server of this test that /ping, /cacerts (docker) and the first login reach through the real
// curl. Every run, passing, failing or killed, must end with the deployment's state empty, a report, and the stubs'
// invariants kept. k8s-ha runs onto a fake cluster of the user's (its own kubeconfig file and context).

const REGION = 'eu-west-1';
const PLACEHOLDER = 'zzzzzz';
const IN_BACKUP = {
  'clusters.management.cattle.io': 1,
  'users.management.cattle.io': 2,
  'projects.management.cattle.io': 2,
  'settings.management.cattle.io': 3,
};
const SYNTH = join(__dirname, '..', '..', 'helpers', 'ops-stubs', 'fake-acceptance-synth.js');

// The synths, once for the file: the run's deployment of each stack (its run id a placeholder the synth stub
// replaces) and the drill's throwaway of rke-ha's.
const ZONE = 'acme-test.net';
// The rke-ha run's from-version is the previous release's default, whose sums are recorded: no settings of the user's.
const settings = acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION });
const json = synthSettings('rke-ha', settings as never).json;
const STACK_JSON: Record<string, any> = {
  'rke-ha': json,
  'k8s-ha': synthSettings(
    'k8s-ha',
    acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION, stack: 'k8s-ha', hostedZone: ZONE }) as never,
  ).json,
  docker: synthSettings(
    'docker',
    acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION, stack: 'docker' }) as never,
  ).json,
};
const throwawayJson = synthSettings(
  'rke-ha',
  throwawaySettings(settings, {
    name: `acc-${PLACEHOLDER}-drill`,
    file: 'rancher-aws-acceptance-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T12-00-00Z.tar.gz.enc',
    bucket: `acc-${PLACEHOLDER}-rke-ha-backups`,
    productionName: `acc-${PLACEHOLDER}`,
  }) as never,
).json;

/** The local Rancher (acceptance-rancher.ts): /ping, /cacerts, the login API, and the downstream cluster's import. */
const rancher = acceptanceRancher;

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

async function world(change?: (w: any) => void, stack = 'rke-ha'): Promise<{ c: FakeCloud; r: Rancher }> {
  const r = await rancher();
  const stackJson = STACK_JSON[stack];
  const applyState = small(stateOf(stackJson));
  const servers = stack === 'rke-ha' ? serverInstances(applyState) : [];
  const backupBucket = applyState.resources.find((x: any) => x.type === 'aws_s3_bucket' && x.name.startsWith('rancher-backups_bucket'))?.instances[0]
    .attributes.bucket;
  Object.assign(applyState.outputs, {
    rancher_url: { value: r.url },
    rancher_admin_password: { value: PASSWORD, sensitive: true },
    ...(stack === 'rke-ha'
      ? {
          kubeconfig: { value: 'apiVersion: v1\nkind: Config\n', sensitive: true },
          servers_pending_replacement: { value: { 'server-0': [], 'server-1': [], 'server-2': [] } },
        }
      : {}),
    ...(backupBucket ? { rancher_backup_bucket: { value: backupBucket } } : {}),
    ...(stack === 'docker' ? { instance_id: { value: 'i-server' } } : {}),
  });
  const throwawayState = small(stateOf(throwawayJson, 'drill'));
  throwawayState.outputs = {
    rancher_url: { value: 'https://3-250-1-2.sslip.io' },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n# the throwaway deployment\n', sensitive: true },
    rancher_backup_bucket: { value: 'rancher-drill-rke-ha-backups' },
  };
  const empty = { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'acceptance', outputs: {}, resources: [] };
  const w: any = {
    roll: stack === 'rke-ha',
    state: empty,
    aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
    // k8s-ha: the user's cluster, its nodes the user's (never one of the run's); docker: none.
    cluster:
      stack === 'k8s-ha'
        ? { apiUp: true, servers: [{ name: 'node-a', node: 'ip-10-9-0-1', ready: true, member: true, nodePresent: true }] }
        : stack === 'rke-ha'
          ? fakeCluster(servers, false)
          : undefined,
    acceptance: {
      ...(stack === 'k8s-ha'
        ? { kubelet: 'v1.34.2+eks', cluster: { context: 'user-admin', namespaces: ['default', 'kube-system', 'ingress-nginx'] } }
        : {}),
      applyState,
      applyAws: awsOf(applyState),
      events: [
        { EventSource: 'ec2.amazonaws.com', EventName: 'RunInstances' },
        { EventSource: 'ec2.amazonaws.com', EventName: 'DescribeInstances' },
        { EventSource: 'ec2.amazonaws.com', EventName: 'CreateFleet' },
        { EventSource: 's3.amazonaws.com', EventName: 'PutBucketEncryption' },
        { EventSource: 's3.amazonaws.com', EventName: 'PutBucketReplication' },
      ],
      // IAM's events are in us-east-1's event history only, whatever the run's region.
      globalEvents: [{ EventSource: 'iam.amazonaws.com', EventName: 'CreateRole' }],
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
  const c = new FakeCloud(stackJson, w);
  r.dir = c.dir;
  c.update((x) => {
    x.drill.backupFile = writeBackup(c.dir, IN_BACKUP);
    if (x.acceptance.cluster) x.acceptance.cluster.kubeconfig = join(c.dir, 'user-kubeconfig.yaml');
    change?.(x);
  });
  writeFileSync(join(c.dir, 'user-kubeconfig.yaml'), 'apiVersion: v1\nkind: Config\n# the user cluster\n');
  copyFileSync(join(c.dir, 'module', 'cdk.tf.json'), join(c.dir, `acceptance.${stack}.cdk.tf.json`));
  writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), JSON.stringify(throwawayJson));
  mkdirSync(join(c.dir, 'docs'));
  copyFileSync(join(__dirname, '..', '..', '..', 'docs', 'deployer-policy.json'), join(c.dir, 'docs', 'deployer-policy.json'));
  copyFileSync(join(__dirname, '..', '..', '..', 'package.json'), join(c.dir, 'package.json'));
  worlds.push({ c, r });
  return { c, r };
}

/** An rke-ha run as the README gives it: no settings file unless the case gives one. */
const accept = (c: FakeCloud, ...extra: string[]) => {
  return c.runAsync(['acceptance', 'rke-ha', '--region', REGION, '--yes', '--wait-minutes', '1', ...extra], { env: { RANCHER_HA_AWS_SYNTH: SYNTH } });
};

/** The run's folder (one run per world). */
/**
 * The cost of a case bounded: the downstream cluster, the roll and the drill (most of a run's stub calls) left out of the cases of other
 * phases; the passing run has them all.
 */
const skipping = (phase: string) => ['--skip', ['downstream', 'roll', 'drill'].filter((p) => p !== phase).join(',')];
/** The statuses a run stopped at `phase` reports: before it passed (or not chosen), after it skipped. */
function expectStoppedAt(report: any, phase: string, there: readonly string[]): void {
  const at = ACCEPTANCE_PHASES.indexOf(phase as never);
  // rke-ha's runs: the optional phases not named, and the migration, which does not apply (it starts from docker).
  const chosen = (p: string) =>
    !skipping(phase)[1].split(',').includes(p) && !OPTIONAL_PHASES.includes(p as never) && !NOT_APPLICABLE['rke-ha'][p as never];
  const s = statuses(report);
  for (const [i, p] of ACCEPTANCE_PHASES.entries()) {
    const expected = p === 'teardown' || p === 'sweep' ? ['passed'] : i === at ? there : i < at && chosen(p) ? ['passed'] : ['skipped'];
    expect({ phase: p, status: s[p], expected: expected.includes(s[p]) }).toEqual({ phase: p, status: s[p], expected: true });
  }
}

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
    // Every phase but the optional ones (not named with --with) and the migration, which starts from docker (acceptance-migrate.tools).
    expect(statuses(report)).toEqual(
      Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, OPTIONAL_PHASES.includes(p) || p === 'migrate' ? 'skipped' : 'passed'])),
    );
    expect(report.passed).toBe(true);
    expect(report.timeline.map((t: any) => t.step)).toEqual(TIMELINE.map((t) => t.step));
    expect(report.timeline.every((t: any) => t.seconds !== undefined && t.resources > 0)).toBe(true);
    expect(report.secondPlanChanges).toEqual([]);
    // The downstream cluster after each phase that replaced Rancher's servers: its agent's tunnel dropped (the first
    // look sees Connected False), back once Rancher answered with the CA it trusts; still its own after the drill.
    expect(report.downstream.map((d: any) => [d.after, d.up])).toEqual(
      ['import', 'upgrade', 'roll of server-0', 'roll of server-1', 'roll of server-2', 'drill'].map((after) => [after, true]),
    );
    const dropped = 'state unavailable; Connected False; Ready False (Disconnected: Cluster agent is not connected)';
    expect(report.downstream.slice(1, 5).map((d: any) => d.first)).toEqual([dropped, dropped, dropped, dropped]);
    expect(report.downstream[5].first).toBe('state active; Connected True, Ready True');
    expect(c.world().acceptance.downstream.destroyed).toBe(1);
    // After the roll, the servers that replaced the first three: each one's three metrics arrived, healthy.
    expect(report.metrics.map((m: any) => [m.server, m.metric, m.ok])).toEqual(
      ['server-0', 'server-1', 'server-2'].flatMap((s) => ['RestartHeld', 'CertificateDaysLeft', 'BackupCredentialsFailed'].map((m) => [s, m, true])),
    );
    expect(report.versions).toMatchObject({ rke2: `${UPGRADE.from} -> ${UPGRADE.to}`, rancher: DEFAULT_VERSIONS.rancher, region: REGION });
    expect(report.leftovers.every((l: any) => l.state === 'pending')).toBe(true);
    // Read in the run's region and in us-east-1; S3's event names as the IAM actions that authorize them.
    expect(report.awsActions.used).toEqual([
      'ec2:CreateFleet',
      'ec2:DescribeInstances',
      'ec2:RunInstances',
      'iam:CreateRole',
      's3:PutEncryptionConfiguration',
      's3:PutReplicationConfiguration',
    ]);
    expect(report.awsActions.notGranted).toEqual(['ec2:CreateFleet', 's3:PutReplicationConfiguration']);
    expect(report.awsActions.unused.length).toBeGreaterThan(100);
    expect(report.awsActions.unused).not.toContain('iam:CreateRole');
    expect(report.awsActions.unused).not.toContain('iam:PassRole');
    expect(report.awsActions.notMeasurable).toEqual(expect.arrayContaining(['iam:PassRole', 'ec2:CreateTags', 's3:GetObject']));
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
    expect(c.world().replaced).toEqual(['server-0', 'server-1', 'server-2']);
    expect(c.calls()).toContain(
      'kubectl --kubeconfig ' + join(runDir(c), 'kubeconfig.yaml') + ' --request-timeout=30s -n cattle-system scale deployment rancher --replicas=0',
    );
    const markdown = readFileSync(join(runDir(c), 'report.md'), 'utf8');
    for (const heading of [
      '## Versions',
      '## Phases',
      '## Deploy timeline',
      '## Second plan',
      "## Servers' metrics",
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
    ['metrics', (w: any) => (w.acceptance.failAt = 'metrics')],
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

  it.each(['deploy', 'ping', 'login', 'second-plan', 'upgrade', 'roll', 'backup', 'metrics', 'drill', 'break'])(
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

  it("a leftover in us-east-1 (a region the module's providers create in, as alarms on do): the sweep asks there too", async () => {
    const { c } = await world((w) => (w.acceptance.leftovers = ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:acc-health-check']));
    // The module with a second AWS provider in us-east-1 (the Route53 health checks' alarms), tagged as the first.
    const file = join(c.dir, 'acceptance.rke-ha.cdk.tf.json');
    const module = JSON.parse(readFileSync(file, 'utf8'));
    module.provider.aws.push({ ...module.provider.aws[0], alias: 'us_east_1', region: 'us-east-1' });
    writeFileSync(file, JSON.stringify(module));
    const result = await accept(c, '--only', 'ping');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ teardown: 'passed', sweep: 'failed' });
    expect(report.leftovers.filter((l: any) => l.arn.includes(':us-east-1:'))).toEqual([
      { arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:acc-health-check', state: 'left', remove: expect.any(String) },
    ]);
    expect(report.evidence.sweep).toEqual(expect.arrayContaining([expect.stringContaining(`Values=${report.runId} in us-east-1: 1 resources`)]));
    // Each ARN once, though S3's are listed in both regions.
    expect(new Set(report.leftovers.map((l: any) => l.arn)).size).toBe(report.leftovers.length);
  });

  it('--dry-run as the README gives it (no tool, no credentials on PATH, no --skip): the phases, the upgrade from the previous default, what it creates, how long, what it costs; no call, nothing written', async () => {
    const { c } = await world();
    const result = c.run(['acceptance', 'rke-ha', '--region', REGION, '--dry-run'], { tools: [] });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    for (const phase of ACCEPTANCE_PHASES) expect(result.out).toContain(`${phase}: `);
    expect(result.out).not.toContain('(skipped) upgrade: ');
    expect(result.out).not.toContain('The run would not start');
    expect(result.out).toContain('What it creates: a VPC with its subnets and NAT gateway, a network load balancer, three RKE2 servers');
    expect(result.out).toContain('How long: 3-6 hours');
    expect(result.out).toMatch(/Budget: 390 minutes, at most about \$5\.36/);
    expect(result.out).toContain('Dry run: nothing was changed.');
    expect(c.calls()).toEqual([]);
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
  });

  it('--dry-run --skip upgrade: the upgrade shown as skipped, exit 0', async () => {
    const { c } = await world();
    const result = c.run(['acceptance', 'rke-ha', '--region', REGION, '--dry-run', '--skip', 'upgrade'], { tools: [] });
    expect(result.code).toBe(0);
    expect(result.out).toContain('(skipped) upgrade: ');
    expect(c.calls()).toEqual([]);
  });

  it('a second plan whose only changes are no-ops and an output: exit 2 fails the phase, which names the output, not "0 changes"', async () => {
    const { c } = await world((w) => {
      w.acceptance.planChanges = [{ address: 'aws_instance.server-0', mode: 'managed', change: { actions: ['no-op'] } }];
      w.acceptance.planOutputChanges = { rancher_url: { actions: ['update'] }, kubeconfig: { actions: ['no-op'] } };
    });
    const result = await accept(c, '--only', 'second-plan');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ 'second-plan': 'failed', teardown: 'passed' });
    expect(report.secondPlanChanges).toEqual(['update output.rancher_url']);
    const detail = report.phases.find((p: any) => p.phase === 'second-plan').detail;
    expect(detail).toBe('the second plan is not empty (exit 2): no resource changes; 1 output changes (update output.rancher_url)');
    expect(readFileSync(join(runDir(c), 'report.md'), 'utf8')).toContain('- `update output.rancher_url`');
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
    expect(again.out).toContain(`--teardown-run ${report.runId}`);
    c.update((w) => delete w.acceptance.failAt);
    const down = await c.runAsync(['acceptance', '--teardown-run', report.runId]);
    expect(down.code).toBe(0);
    expectTornDown(c);
    // Run twice: the run is torn down, its report stands, nothing is called.
    const written = readFileSync(join(runDir(c), 'report.json'), 'utf8');
    const calls = c.calls().length;
    const twice = await c.runAsync(['acceptance', '--teardown-run', report.runId]);
    expect(twice.code).toBe(0);
    expect(twice.out).toContain(`The acceptance run ${report.runId} (${report.name}) is torn down already`);
    expect(readFileSync(join(runDir(c), 'report.json'), 'utf8')).toBe(written);
    expect(c.calls()).toHaveLength(calls);
  });

  it('killed (kill -9) with its report cut short: --teardown-run tears it down all the same, the report started again from the record', async () => {
    const { c } = await world((w) => (w.acceptance.signalAt = { phase: 'second-plan', signal: 'SIGKILL' }));
    const first = await accept(c, '--skip', 'roll,drill');
    expect(first.code).toBeNull();
    const record = JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8'));
    const file = join(runDir(c), 'report.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
    expect(down.code).toBe(0);
    expect(down.out).toContain('is not valid JSON');
    expectTornDown(c);
    expect(statuses(reportOf(c))).toMatchObject({ 'second-plan': 'interrupted', teardown: 'passed', sweep: 'passed' });
  });

  it('killed (kill -9) during its own teardown: the phases it ended stay in the report, and --teardown-run keeps them and why others were skipped', async () => {
    const { c } = await world((w) => (w.acceptance.signalAt = { phase: 'teardown', signal: 'SIGKILL' }));
    const first = await accept(c, '--only', 'ping,break');
    expect(first.code).toBeNull();
    const record = JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8'));
    expect(statuses(reportOf(c))).toMatchObject({ ping: 'passed', break: 'passed' });
    const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
    expect(down.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ ping: 'passed', break: 'passed', teardown: 'passed', sweep: 'passed' });
    expect(report.evidence.teardown.join('\n')).toContain('with Rancher scaled to zero');
    expect(report.phases.find((p: any) => p.phase === 'login').detail).not.toContain('not reached');
    expectTornDown(c);
  });

  it.each([
    ['no region', ['acceptance', 'rke-ha', '--yes'], '--region is required'],
    ['an unknown stack', ['acceptance', 'eks', '--region', REGION, '--yes'], 'proves rke-ha, k8s-ha or docker; eks is none'],
    ['k8s-ha without a cluster', ['acceptance', 'k8s-ha', '--region', REGION, '--yes', '--hosted-zone', ZONE], 'name it with --kubeconfig'],
    ['k8s-ha without a zone', ['acceptance', 'k8s-ha', '--region', REGION, '--yes', '--kubeconfig', 'user-kubeconfig.yaml'], '--hosted-zone'],
    ['a cluster for another stack', ['acceptance', 'docker', '--region', REGION, '--yes', '--kubeconfig', 'x'], 'are for k8s-ha'],
    [
      'a phase docker has not',
      ['acceptance', 'docker', '--region', REGION, '--yes', '--only', 'roll'],
      '--only roll: that phase does not apply to docker',
    ],
    ['an unknown phase', ['acceptance', 'rke-ha', '--region', REGION, '--yes', '--only', 'ping,dance'], 'Unknown phase dance'],
  ])('refuses %s before any call', async (_name, args, message) => {
    const { c } = await world();
    const result = await c.runAsync(args);
    expect(result.code).toBe(2);
    expect(result.out).toContain(message);
    expect(c.calls()).toEqual([]);
  });

  it("the README's run (no settings file, no --skip upgrade) starts from the previous default and upgrades it; --skip upgrade deploys the target", async () => {
    const { c } = await world();
    const run = await accept(c, '--skip', 'downstream,roll,drill');
    expect(run.out).not.toContain('records no SHA-256');
    expect(run.code).toBe(0);
    expect(reportOf(c).versions.rke2).toBe(`${UPGRADE.from} -> ${UPGRADE.to}`);
    const { c: other } = await world();
    const skipped = await accept(other, '--skip', 'upgrade,downstream,roll,drill');
    expect(skipped.code).toBe(0);
    expect(JSON.parse(readFileSync(join(runDir(other), 'settings.json'), 'utf8')).versions.rke2).toBe(UPGRADE.to);
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

  it.each([
    ['second-plan', (w: any) => (w.acceptance.signalAt = { phase: 'second-plan', signal: 'SIGKILL' }), ['--skip', 'roll,drill']],
    // The drill's throwaway fully applied when the run dies: it is left too, tagged with the run id.
    ['drill', (w: any) => (w.drill.signalAt = { phase: 'apply', signal: 'SIGKILL' }), ['--skip', 'roll']],
    // At its first CloudWatch read: the servers' services may have run, nothing of the phase is left in AWS.
    ['metrics', (w: any) => (w.acceptance.signalAt = { phase: 'metrics', signal: 'SIGKILL' }), ['--skip', 'downstream,roll,drill']],
  ])(
    'killed (kill -9) during the %s phase: a rerun refuses and names it, --teardown-run <id> tears it down, the sweep clean',
    async (phase, change, extra) => {
      const { c } = await world(change);
      const first = await accept(c, ...extra);
      // No handler ran: no teardown, no final report, the record not done.
      expect(first.code).toBeNull();
      const record = JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8'));
      expect(record).toMatchObject({ phase, applied: true, done: false });
      expect(c.world().state.resources.length).toBeGreaterThan(0);
      if (phase === 'drill') expect(c.world().drill.state.resources.length).toBeGreaterThan(0);
      const before = c.calls().length;
      const rerun = await accept(c);
      expect(rerun.code).toBe(2);
      expect(rerun.out).toContain(`npm run acceptance -- --teardown-run ${record.runId}`);
      expect(c.calls()).toHaveLength(before);
      const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
      if (down.code !== 0) console.log(down.out.slice(-4000));
      expect(down.code).toBe(0);
      expect(down.out).toContain(`The acceptance run ${record.runId} (${record.name}) is torn down.`);
      const report = reportOf(c);
      const s = statuses(report);
      expect(s).toMatchObject({ deploy: 'passed', ping: 'passed', [phase]: 'interrupted', teardown: 'passed', sweep: 'passed' });
      expect(s.break).toBe('skipped');
      expect(report.phases.find((p: any) => p.phase === 'break').detail).toContain('not reached');
      expect(report.passed).toBe(false);
      expect(report.leftovers.every((l: any) => l.state === 'pending')).toBe(true);
      if (phase === 'drill') expect(c.world().drill.state.resources).toEqual([]);
      expectTornDown(c);
    },
  );

  it("the sweep finds an IAM role left with the run id (the Tagging API lists no IAM): listed with how to remove it; a role named alike without the tag is not the run's", async () => {
    const { c } = await world(
      (w) =>
        (w.acceptance.iam = [
          { kind: 'role', name: `acc-${PLACEHOLDER}-rke-ha-left` },
          { kind: 'role', name: `acc-${PLACEHOLDER}-rke-ha-someone-elses`, tagged: false },
          { kind: 'role', name: 'rancher-rke-ha-production' },
          { kind: 'user', name: `acc-${PLACEHOLDER}-rke-ha-rancher-backup` },
        ]),
    );
    const result = await accept(c, '--only', 'ping');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ teardown: 'passed', sweep: 'failed' });
    const iam = report.leftovers.filter((l: any) => l.arn.includes(':iam::'));
    expect(iam.map((l: any) => l.arn)).toEqual([
      `arn:aws:iam::123456789012:role/acc-${report.runId}-rke-ha-left`,
      `arn:aws:iam::123456789012:user/rancher-ha-aws/acc-${report.runId}-rke-ha-rancher-backup`,
    ]);
    expect(iam[0]).toMatchObject({
      state: 'left',
      remove: expect.stringContaining(`aws iam delete-role --role-name acc-${report.runId}-rke-ha-left`),
    });
    expect(iam[1].remove).toContain(`aws iam delete-user --user-name acc-${report.runId}-rke-ha-rancher-backup`);
    expect(result.out).toContain(`LEFT: arn:aws:iam::123456789012:role/acc-${report.runId}-rke-ha-left`);
    expect(c.calls()).toContain(`aws iam list-role-tags --role-name acc-${report.runId}-rke-ha-someone-elses --region ${REGION} --output json`);
    expect(c.calls().some((call) => call.includes('rancher-rke-ha-production'))).toBe(false);
  });

  it('k8s-ha onto the cluster you name: the phases that apply pass, the others say why not; only what the run made goes, your namespaces stay', async () => {
    const { c } = await world(undefined, 'k8s-ha');
    const kubeconfig = join(c.dir, 'user-kubeconfig.yaml');
    const result = await c.runAsync(
      [
        'acceptance',
        'k8s-ha',
        '--region',
        REGION,
        '--yes',
        '--wait-minutes',
        '1',
        '--kubeconfig',
        'user-kubeconfig.yaml',
        '--context',
        'user-admin',
        '--hosted-zone',
        ZONE,
      ],
      { env: { RANCHER_HA_AWS_SYNTH: SYNTH } },
    );
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    const applies = ['deploy', 'ping', 'login', 'second-plan', 'backup', 'break', 'teardown', 'sweep'];
    expect(statuses(report)).toEqual(Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, applies.includes(p) ? 'passed' : 'skipped'])));
    for (const p of ['upgrade', 'roll', 'rotate', 'drill'] as const)
      expect(report.phases.find((x: any) => x.phase === p).detail).toBe((NOT_APPLICABLE['k8s-ha'] as any)[p]);
    expect(report.passed).toBe(true);
    expect(report.versions['kubernetes (your cluster)']).toBe('ip-10-9-0-1 v1.34.2+eks');
    expect(report.notProven.join(' ')).toContain('rancher-cleanup');
    // Every kubectl call went to the user's file and context (the fake refuses others); the destroy, not the
    // teardown command, removed the module; the run's Backup object went first.
    const w = c.world();
    expect(
      c
        .calls()
        .filter((call) => call.startsWith('kubectl'))
        .every((call) => call.includes(`--kubeconfig ${kubeconfig} --context user-admin`)),
    ).toBe(true);
    expect(c.calls()).toContain('terraform apply -destroy -refresh=false -auto-approve -input=false');
    expect(w.acceptance.backupDeleted).toBe(true);
    expect(w.state.resources).toEqual([]);
    const sweep = report.evidence.sweep.join('\n');
    expect(sweep).toContain("0 of the run's namespaces (cattle-resources-system, cattle-system, cert-manager, rancher-aws-gates) left");
    expect(sweep).toContain('2 namespaces that came with Rancher stay (cattle-global-data, fleet-local');
    expect(report.evidence.deploy.join('\n')).toContain(`one Route53 record of its own (acc-${report.runId}.${ZONE})`);
    expect(JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8')).done).toBe(true);
  });

  it('k8s-ha refuses a cluster that has a Rancher already (cattle-system) before anything is created', async () => {
    const { c } = await world((w) => w.acceptance.cluster.namespaces.push('cattle-system'), 'k8s-ha');
    const result = await c.runAsync(
      ['acceptance', 'k8s-ha', '--region', REGION, '--yes', '--kubeconfig', 'user-kubeconfig.yaml', '--context', 'user-admin', '--hosted-zone', ZONE],
      { env: { RANCHER_HA_AWS_SYNTH: SYNTH } },
    );
    expect(result.code).toBe(2);
    expect(result.out).toContain('has a namespace cattle-system: a Rancher is installed there already');
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
    expect(c.calls().filter((call) => !/^aws (sts|resourcegroupstaggingapi) /.test(call))).toEqual([
      `kubectl --kubeconfig ${join(c.dir, 'user-kubeconfig.yaml')} --context user-admin --request-timeout=30s get namespace cattle-system -o name`,
    ]);
  });

  it('docker: one host; the upgrade, roll, backup and drill do not apply (said why), the break stops the host, torn down', async () => {
    const { c, r } = await world(undefined, 'docker');
    const result = await c.runAsync(['acceptance', 'docker', '--region', REGION, '--yes', '--wait-minutes', '1'], {
      env: { RANCHER_HA_AWS_SYNTH: SYNTH },
    });
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    const applies = ['deploy', 'ping', 'login', 'second-plan', 'downstream', 'break', 'teardown', 'sweep'];
    expect(statuses(report)).toEqual(Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, applies.includes(p) ? 'passed' : 'skipped'])));
    for (const p of ['upgrade', 'roll', 'rotate', 'backup', 'drill'] as const)
      expect(report.phases.find((x: any) => x.phase === p).detail).toBe((NOT_APPLICABLE.docker as any)[p]);
    expect(result.out).toContain('(does not apply) roll: one host');
    // Rancher's CA read from /cacerts (trust on first use), then /ping and the login verified against it.
    expect(r.requests).toEqual(expect.arrayContaining(['GET /cacerts', 'GET /ping', 'POST /v1-public/login']));
    expect(c.calls()).toContain(`aws ec2 stop-instances --instance-ids i-server --region ${REGION} --output json`);
    expect(c.calls().some((call) => call.startsWith('kubectl'))).toBe(false);
    expect(report.versions).toMatchObject({ rancher: `v${DEFAULT_VERSIONS.rancher}`, 'instance type': 'm6i.large' });
    expect(report.timeline.find((t: any) => t.step === 'first-server').resources).toBeGreaterThan(0);
    expectTornDown(c);
  });

  const K8S_HA = ['--kubeconfig', 'user-kubeconfig.yaml', '--context', 'user-admin', '--hosted-zone', ZONE];
  /** A k8s-ha run killed (kill -9) in its backup phase, and the record it left. */
  async function k8sHaKilledDuringBackup(): Promise<{ c: FakeCloud; record: any }> {
    const { c } = await world((w) => (w.acceptance.signalAt = { phase: 'backup', signal: 'SIGKILL' }), 'k8s-ha');
    const first = await c.runAsync(['acceptance', 'k8s-ha', '--region', REGION, '--yes', '--wait-minutes', '1', ...K8S_HA], {
      env: { RANCHER_HA_AWS_SYNTH: SYNTH },
    });
    expect(first.code).toBeNull();
    return { c, record: JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8')) };
  }

  // A child that ends before taking its input made Node's write to it fail with EPIPE, which ended the CLI before its
  // teardown (3 runs of 10 on the old code); every run must now fail its deploy and still tear down and sweep. Three
  // runs, not ten: the race is caught every time by process.tools.test.ts; this shows the whole run's path.
  it('a terraform that exits at once on the apply, 3 runs: each fails its deploy, tears down and sweeps', async () => {
    const outcomes: string[] = [];
    const cs: FakeCloud[] = [];
    for (let i = 0; i < 3; i++) {
      const { c } = await world();
      cs.push(c);
      const result = await c.runAsync(['acceptance', 'rke-ha', '--region', REGION, '--yes', '--only', 'ping'], {
        env: { RANCHER_HA_AWS_SYNTH: SYNTH, ...c.exitingAtOnce('terraform', 'apply -auto-approve') },
      });
      const s = existsSync(join(runDir(c), 'report.json')) ? statuses(reportOf(c)) : {};
      outcomes.push(`exit ${result.code}: deploy ${s.deploy}, teardown ${s.teardown}, sweep ${s.sweep}${/EPIPE/.test(result.err) ? ' (EPIPE)' : ''}`);
    }
    expect(outcomes).toEqual(Array(3).fill('exit 1: deploy failed, teardown passed, sweep passed'));
    for (const c of cs) expectTornDown(c);
  });

  it('k8s-ha killed during its backup, the cluster gone since: --teardown-run says the Backup was not deleted and still destroys what needs no cluster', async () => {
    const { c, record } = await k8sHaKilledDuringBackup();
    c.update((w) => (w.acceptance.clusterDown = true));
    const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
    expect(down.code).toBe(1);
    expect(down.out).toContain('The Backup rancher-aws-acceptance the run created was not deleted');
    expect(c.calls()).toContain('terraform apply -destroy -refresh=false -auto-approve -input=false');
    expect(statuses(reportOf(c))).toMatchObject({ backup: 'interrupted', teardown: 'failed' });
  });

  it('k8s-ha killed (kill -9) during its backup: --teardown-run <id> deletes the Backup, destroys only what the run made, through your cluster access, the sweep clean', async () => {
    const { c, record } = await k8sHaKilledDuringBackup();
    expect(record).toMatchObject({ stack: 'k8s-ha', phase: 'backup', applied: true, done: false });
    const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
    if (down.code !== 0) console.log(down.out.slice(-4000));
    expect(down.code).toBe(0);
    expect(statuses(reportOf(c))).toMatchObject({
      deploy: 'passed',
      'second-plan': 'passed',
      backup: 'interrupted',
      teardown: 'passed',
      sweep: 'passed',
    });
    // The record kept the cluster access: the destroy and every kubectl call used the user's file and context.
    expect(c.calls()).toContain('terraform apply -destroy -refresh=false -auto-approve -input=false');
    expect(
      c
        .calls()
        .filter((call) => call.startsWith('kubectl'))
        .every((call) => call.includes('--context user-admin')),
    ).toBe(true);
    expect(c.world().acceptance.backupDeleted).toBe(true);
    expectTornDown(c);
  });

  it('docker failing in its login phase: the later phases not reached, torn down, the report says what passed', async () => {
    const { c } = await world((w) => (w.acceptance.failAt = 'login'), 'docker');
    const result = await c.runAsync(['acceptance', 'docker', '--region', REGION, '--yes', '--wait-minutes', '1'], {
      env: { RANCHER_HA_AWS_SYNTH: SYNTH },
    });
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', ping: 'passed', login: 'failed', teardown: 'passed', sweep: 'passed' });
    expect(report.passed).toBe(false);
    expectTornDown(c);
  });

  it('states its budget and asks on a terminal; anything but yes changes nothing', async () => {
    const { c } = await world();
    const question = 'Type yes to start the run';
    const asked = await c.runInTerminal(['acceptance', 'rke-ha', '--region', REGION, '--budget-minutes', '120', '--skip', 'upgrade'], question, 'no');
    expect(asked.code).toBe(1);
    expect(asked.screen).toContain('Budget: 120 minutes, at most about $');
    expect(asked.screen).toContain("'no' is not yes: nothing was changed.");
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
    // No terminal and no --yes: refused.
    const piped = await c.runAsync(['acceptance', 'rke-ha', '--region', REGION, '--skip', 'upgrade']);
    expect(piped.code).toBe(2);
    expect(piped.out).toContain('pass --yes');
  });

  it("--only roll, two servers' services restarted at once beside it: Rancher's /ping and the API stop answering, the roll phase fails naming the gap", async () => {
    // server-1 and server-2 serve nothing for 8 probes of the API from the roll's first: 8 probe intervals, 40 s on the run's clock.
    const { c } = await world((w) => (w.acceptance.outage = { phase: 'roll', servers: ['server-1', 'server-2'], probes: 8 }));
    const result = await accept(c, '--only', 'roll');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report).roll).toBe('failed');
    const failed = report.phases.find((p: any) => p.phase === 'roll');
    expect(failed.detail).toMatch(/^Rancher did not stay answering through the roll: /);
    // The probe's /ping and /readyz go out side by side: the /ping of the outage's first or last probe may come first.
    expect(failed.detail).toMatch(/Rancher's \/ping through the load balancer did not answer for (35|40) s from \d{4}-\d\d-\d\dT/);
    expect(failed.detail).toContain("the Kubernetes API's /readyz did not answer for 40 s from ");
    const [roll] = report.availability;
    expect(roll.phase).toBe('roll');
    expect(roll.api.probes - roll.api.answered).toBe(8);
    expect(roll.api.longestGapMs).toBe(8 * AVAILABILITY_BUDGET.intervalMs);
    expect(readFileSync(join(runDir(c), 'report.md'), 'utf8')).toContain('## Rancher answering through the restarts');
    // The roll itself went through, one at a time: the phase fails on Rancher's availability alone.
    expect(report.evidence.roll).toEqual(expect.arrayContaining(['rancher-ha-aws roll --server server-2: exit 0']));
    expectTornDown(c);
  });

  it('--only roll, one server at a time: every probe of the roll answered, no gap, the phase passes with the numbers in the report', async () => {
    const { c } = await world();
    expect((await accept(c, '--only', 'roll')).code).toBe(0);
    const [roll] = reportOf(c).availability;
    expect(roll.phase).toBe('roll');
    for (const target of ['ping', 'api']) {
      expect(roll[target].probes).toBeGreaterThan(0);
      expect(roll[target].answered).toBe(roll[target].probes);
      expect(roll[target].longestGapMs).toBe(0);
    }
  });

  it('--with rotate (RKE2): the token rotated, then the encryption key, then server-0 rolled, which joins with the new token; the replaced token not left in the run folder; torn down', async () => {
    const { c } = await world((w) => {
      // The deployment's token parameter as the apply writes it (its name carries the run id), the servers and the
      // datastore on that token, and RKE2's secrets-encryption on its first key (roll-world.ts withToken, withEncryption).
      const r = w.acceptance.applyState.resources.find(
        (x: any) => x.type === 'aws_ssm_parameter' && String(x.instances[0].attributes.name).endsWith('/token'),
      );
      const a = r.instances[0].attributes;
      const token = tokenWith(OLD);
      w.acceptance.applyParameters = {
        [a.name]: { name: a.name, value: token, version: 1, keyId: a.key_id, tier: a.tier, description: a.description },
      };
      w.cluster.token = token;
      w.cluster.encryption = { saved: { stage: 'start', active: FIRST_KEY } };
      for (const s of w.cluster.servers) {
        s.token = { config: token, server: token, startedAfterConfig: true };
        s.enc = { stage: 'start', active: FIRST_KEY };
      }
    });
    const result = await accept(c, '--only', 'rotate', '--with', 'rotate');
    if (result.code !== 0) console.log(result.out.slice(-6000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toEqual(
      Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, ['deploy', 'rotate', 'teardown', 'sweep'].includes(p) ? 'passed' : 'skipped'])),
    );
    // Read after the teardown (which stops every server): each server's token copies and encryption configuration.
    const w = c.world();
    const token = w.parameters[Object.keys(w.parameters)[0]].value;
    expect(secretOf(token)).not.toBe(OLD);
    expect(w.cluster.token).toBe(token);
    expect(w.cluster.encryption.saved.active).not.toBe(FIRST_KEY);
    for (const s of w.cluster.servers) {
      expect([s.name, s.token.config, s.token.server]).toEqual([s.name, token, token]);
      expect([s.name, s.enc]).toEqual([s.name, w.cluster.encryption.saved]);
    }
    expect(w.parameterWrites).toHaveLength(1);
    expect(w.cluster.rotations).toEqual(['server-0']);
    expect(w.cluster.encryption.rotations).toEqual(['server-0']);
    expect(w.cluster.encryption.restarts.map((x: any) => [x.server, x.during])).toEqual([
      ['server-1', 'none'],
      ['server-2', 'none'],
    ]);
    // The roll after the rotations: a new server-0 that boots with the parameter's (new) token, which the cluster holds.
    expect(w.replaced).toEqual(['server-0']);
    expect(w.joins).toEqual([{ server: 'server-0', token: secretOf(w.parameters[Object.keys(w.parameters)[0]].value), refused: false }]);
    expect(w.joins[0].token).not.toBe(OLD);
    expect(report.evidence.rotate).toEqual(
      expect.arrayContaining([
        'rancher-ha-aws rotate token: exit 0',
        'rancher-ha-aws rotate encryption-key: exit 0',
        'rancher-ha-aws roll --server server-0: exit 0',
        'server-0 replaced after the rotations: it joined with the new token from the token parameter, Ready and an etcd voter',
      ]),
    );
    expect(existsSync(join(runDir(c), 'join-token-before-rotation'))).toBe(false);
    expect(readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')).not.toContain(OLD);
    expectTornDown(c);
  });
});
