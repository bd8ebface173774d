import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCEPTANCE_PHASES, NO_STANDBY, OPTIONAL_PHASES, TIMELINE } from '../../../cli/acceptance/acceptance-report';
import { RUN_TAG, UPGRADE } from '../../../cli/acceptance/acceptance-settings';
import { PASSWORD, TOKEN } from '../../helpers/acceptance-rancher';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { accept, checkEveryRun, expectTornDown, REGION, world, ZONE } from '../../helpers/acceptance-world';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The acceptance run as a whole (helpers/acceptance-world.ts): the passing run through every phase, the README's run, the
// dry run, the budget asked on a terminal, and what it refuses before any call. What each phase does when it fails,
// when the run is stopped, on the other stacks, and the probes beside the roll are in the files beside this one
// (acceptance-failures, acceptance-interrupted, acceptance-stacks, acceptance-probes), so jest runs them side by side.

checkEveryRun();

describe('npm run acceptance', () => {
  it('passes: every phase, a report with versions, the timeline, an empty second plan, the AWS actions; nothing left; --json gives the run with its phases as spans', async () => {
    const { c, r } = await world();
    // With --json: the run alone on standard output, its progress (plain lines: not a terminal) on standard error.
    const result = await accept(c, '--json');
    if (result.code !== 0) console.log(result.err.slice(-6000));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out);
    expect(json).toMatchObject({ command: 'acceptance', exitCode: 0 });
    expect(json.messages.map((m: any) => m.code)).toEqual(codesOf(result.err));
    // Each phase a span, phase n of 13 (the optional rotate, docker's migrate and the failover, without a standby in
    // the settings, not taken), each done in turn; the roll's and the drill's spans nest inside theirs.
    const notTaken = (p: string) => OPTIONAL_PHASES.includes(p as never) || p === 'migrate' || p === 'failover';
    const taken = ACCEPTANCE_PHASES.filter((p) => !notTaken(p));
    expect(json.spans.filter((s: any) => s.position?.m === taken.length).map((s: any) => `${s.label} ${s.position.n} ${s.outcome}`)).toEqual(
      taken.map((p, i) => `${p} ${i + 1} done`),
    );
    const codes = codesOf(result.err);
    expect(codes.filter((code) => code.startsWith('ACCEPTANCE_PHASE_'))).toEqual(
      taken.flatMap(() => ['ACCEPTANCE_PHASE_STARTED', 'ACCEPTANCE_PHASE_PASSED']),
    );
    // The long waits inside a phase are steps of it: the deploy's synth and apply, each look at the downstream cluster
    // after a phase, each part of the teardown.
    const steps = json.spans.filter((s: any) => s.position === undefined).map((s: any) => s.label);
    expect(steps.slice(0, 2)).toEqual(['synth', 'apply']);
    expect(steps.filter((label: string) => label === 'downstream cluster')).toHaveLength(6);
    expect(steps.slice(-2)).toEqual(['downstream instance', 'deployment']);
    expect(json.spans.every((s: any) => s.outcome === 'done')).toBe(true);
    // The roll, the drill and the teardown told through the same host: their codes, in the run's one output.
    for (const code of ['ROLL_PLAN', 'DRILL_RESULT', 'TEARDOWN_REPORT', 'ACCEPTANCE_TERRAFORM_OUTPUT'])
      expect({ code, told: codes.includes(code) }).toEqual({ code, told: true });
    expect(json.messages.find((m: any) => m.code === 'ACCEPTANCE_RESULT').data).toEqual({
      passed: true,
      report: join(runDir(c), 'report.md'),
      json: join(runDir(c), 'report.json'),
      exitCode: 0,
    });
    const report = reportOf(c);
    // Every phase but the optional ones (not named with --with), the migration, which starts from docker
    // (acceptance-migrate.tools), and the failover: settings without standby.region have no standby to fail over to.
    expect(statuses(report)).toEqual(Object.fromEntries(ACCEPTANCE_PHASES.map((p) => [p, notTaken(p) ? 'skipped' : 'passed'])));
    expect(report.phases.find((p: any) => p.phase === 'failover').detail).toBe(NO_STANDBY);
    expect(report.failover).toBeUndefined();
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
      'kube-api PATCH /apis/apps/v1/namespaces/cattle-system/deployments/rancher/scale as -n cattle-system scale deployment rancher --replicas=0',
    );
    // kubectl only for the roll's drains: the run's own calls to the cluster are requests of its API.
    expect(
      new Set(
        c
          .calls()
          .filter((call) => call.startsWith('kubectl'))
          .map((call) => call.split(' ')[4]),
      ),
    ).toEqual(new Set(['drain']));
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
    expect(said(result.err, 'ACCEPTANCE_RESULT')).toMatch(/^Result: PASSED\./);
    expectTornDown(c);
  });

  it('--dry-run as the README gives it (no tool, no credentials on PATH, no --skip): the phases, the upgrade from the previous default, what it creates, how long, what it costs; no call, nothing written', async () => {
    const { c } = await world();
    const result = c.run(['acceptance', 'rke-ha', '--region', REGION, '--dry-run'], { tools: [] });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(codesOf(result.out)).toEqual(['ACCEPTANCE_PLAN', 'ACCEPTANCE_DRY_RUN']);
    const plan = said(result.out, 'ACCEPTANCE_PLAN');
    for (const phase of ACCEPTANCE_PHASES) expect(plan).toContain(`${phase}: `);
    expect(plan).not.toContain('(skipped) upgrade: ');
    expect(plan).toContain(`(does not apply) failover: ${NO_STANDBY}`);
    expect(plan).toContain('What it creates: a VPC with its subnets and NAT gateway, a network load balancer, three RKE2 servers');
    expect(plan).toContain('How long: 3-6 hours');
    expect(plan).toMatch(/Budget: 390 minutes, at most about \$5\.36/);
    expect(c.calls()).toEqual([]);
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
  });

  it('--dry-run --skip upgrade: the upgrade shown as skipped, exit 0', async () => {
    const { c } = await world();
    const result = c.run(['acceptance', 'rke-ha', '--region', REGION, '--dry-run', '--skip', 'upgrade'], { tools: [] });
    expect(result.code).toBe(0);
    expect(said(result.out, 'ACCEPTANCE_PLAN')).toContain('(skipped) upgrade: ');
    expect(c.calls()).toEqual([]);
  });

  it.each([
    ['no region', ['acceptance', 'rke-ha', '--yes'], 'ACCEPTANCE_NO_REGION', ''],
    ['an unknown stack', ['acceptance', 'eks', '--region', REGION, '--yes'], 'ACCEPTANCE_STACK_UNKNOWN', 'eks'],
    ['k8s-ha without a cluster', ['acceptance', 'k8s-ha', '--region', REGION, '--yes', '--hosted-zone', ZONE], 'ACCEPTANCE_NO_KUBECONFIG', ''],
    [
      'k8s-ha without a zone',
      ['acceptance', 'k8s-ha', '--region', REGION, '--yes', '--kubeconfig', 'user-kubeconfig.yaml'],
      'ACCEPTANCE_NO_HOSTED_ZONE',
      '',
    ],
    [
      'a cluster for another stack',
      ['acceptance', 'docker', '--region', REGION, '--yes', '--kubeconfig', 'x'],
      'ACCEPTANCE_CLUSTER_OPTIONS_NOT_USED',
      'docker',
    ],
    [
      'a phase docker has not',
      ['acceptance', 'docker', '--region', REGION, '--yes', '--only', 'roll'],
      'ACCEPTANCE_PHASE_NOT_APPLICABLE',
      '--only roll',
    ],
    ['an unknown phase', ['acceptance', 'rke-ha', '--region', REGION, '--yes', '--only', 'ping,dance'], 'ACCEPTANCE_PHASE_UNKNOWN', 'dance'],
    [
      'the failover without a standby in the settings',
      ['acceptance', 'rke-ha', '--region', REGION, '--yes', '--only', 'failover'],
      'ACCEPTANCE_PHASE_NOT_APPLICABLE',
      NO_STANDBY,
    ],
    [
      'a zone for rke-ha without a standby',
      ['acceptance', 'rke-ha', '--region', REGION, '--yes', '--hosted-zone', ZONE],
      'ACCEPTANCE_HOSTED_ZONE_NOT_USED',
      '',
    ],
  ])('refuses %s before any call', async (_name, args, code, fact) => {
    const { c } = await world();
    const result = await c.runAsync(args);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual([code]);
    expect(said(result.out, code)).toContain(fact);
    expect(c.calls()).toEqual([]);
  });

  it("the README's run (no settings file, no --skip upgrade) starts from the previous default and upgrades it; --skip upgrade deploys the target", async () => {
    const { c } = await world();
    const run = await accept(c, '--skip', 'downstream,roll,drill');
    expect(codesOf(run.out)).not.toContain('ACCEPTANCE_UPGRADE_SUM_MISSING');
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
    expect(codesOf(taken.out)).toEqual(['ACCEPTANCE_NAME_TAKEN']);
    expect(said(taken.out, 'ACCEPTANCE_NAME_TAKEN')).toMatch(/^rancher /);
    writeFileSync(join(c.dir, 'prod.yaml'), 'name: rancher\nbackend:\n  type: s3\n  bucket: tf-state\n');
    const backend = await accept(c, '--settings', 'prod.yaml');
    expect(backend.code).toBe(2);
    expect(codesOf(backend.out)).toEqual(['ACCEPTANCE_SETTINGS_REFUSED']);
    expect(said(backend.out, 'ACCEPTANCE_SETTINGS_REFUSED')).toContain('prod.yaml');
    expect(c.calls().every((call) => /^aws (sts|resourcegroupstaggingapi) /.test(call))).toBe(true);
    expect(existsSync(join(c.dir, 'acceptance.out'))).toBe(false);
  });

  it('settings with a standby: the failover phase needs a zone of yours for the record it moves; refused without one, nothing called', async () => {
    const { c } = await world();
    writeFileSync(join(c.dir, 'standby.yaml'), 'standby:\n  region: us-west-2\n');
    const result = await c.runAsync(['acceptance', 'rke-ha', '--region', REGION, '--yes', '--settings', 'standby.yaml']);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['ACCEPTANCE_FAILOVER_NO_HOSTED_ZONE']);
    expect(said(result.out, 'ACCEPTANCE_FAILOVER_NO_HOSTED_ZONE')).toContain('--hosted-zone <zone>');
    expect(c.calls()).toEqual([]);
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
    expect(codesOf(piped.out)).toEqual(['ACCEPTANCE_PLAN', 'ACCEPTANCE_NO_TERMINAL']);
  });
});
