import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCEPTANCE_PHASES, OPTIONAL_PHASES, TIMELINE } from '../../../cli/acceptance/acceptance-report';
import { RUN_TAG, UPGRADE } from '../../../cli/acceptance/acceptance-settings';
import { PASSWORD, TOKEN } from '../../helpers/acceptance-rancher';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { accept, checkEveryRun, expectTornDown, REGION, world, ZONE } from '../../helpers/acceptance-world';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The acceptance run as a whole (helpers/acceptance-world.ts): the passing run through every phase, the README's run, the
// dry run, the budget asked on a terminal, and what it refuses before any call. What each phase does when it fails,
// when the run is stopped, on the other stacks, and the probes beside the roll are in the files beside this one
// (acceptance-failures, acceptance-interrupted, acceptance-stacks, acceptance-probes), so jest runs them side by side.

checkEveryRun();

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
    // The drill, called with `log`, still hands its report a line at a time: its result and each comparison are evidence.
    expect(report.evidence.drill[0]).toMatch(/^rancher-ha-aws drill: exit 0; Result: PASSED\. Report: \S+report-\S+\.json$/);
    const firstWords = (line: string) =>
      line
        .split(/[\s:]+/)
        .slice(0, 2)
        .join(' ');
    const counted = ['clusters', 'users', 'projects', 'settings'].map((kind) => `${kind}.management.cattle.io`);
    expect(report.evidence.drill.slice(1, 12).map(firstWords)).toEqual(
      ['synth', 'apply', 'ping', 'login', 'compare', 'teardown', ...counted, 'setting'].map((what) => `passed ${what}`),
    );
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
    // CreateFleet is not in the deployer policy; s3:PutReplicationConfiguration is (the standby's replication).
    expect(report.awsActions.notGranted).toEqual(['ec2:CreateFleet']);
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
});
