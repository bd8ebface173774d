import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { acceptInProcess, acceptRkeHa } from '../../helpers/acceptance-in-process';
import { checkEveryRun, expectStoppedAt, expectTornDown, PLACEHOLDER, REGION, skipping, SYNTH, world } from '../../helpers/acceptance-world';
import type { FakeCloud } from '../../helpers/fake-cloud';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { codesOf, messagesOf, said } from '../../helpers/plain-output';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// A failure in each phase of an acceptance run (helpers/acceptance-world.ts): the phases before it passed, those after
// it skipped, the deployment torn down; a teardown that fails and what the sweep then lists; the leftovers the sweep
// finds by the run's tag (in both regions it asks) and the IAM it lists by name.

checkEveryRun();

describe('npm run acceptance: a phase that fails, and what the sweep finds', () => {
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
    const result = await acceptRkeHa(c, ...skipping(phase));
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expectStoppedAt(report, phase, ['failed']);
    expect(report.passed).toBe(false);
    if (phase === 'second-plan') expect(report.secondPlanChanges).toEqual(['update aws_instance.server-0']);
    // Said under the phase's own failure code, its span stopped; the run's result FAILED, exit 1 in its data.
    expect(
      messagesOf(result.out)
        .filter((m) => m.code === 'ACCEPTANCE_PHASE_FAILED')
        .map((m) => m.text.split(':')[0]),
    ).toEqual([phase]);
    expect(said(result.out, 'ACCEPTANCE_RESULT')).toMatch(/^Result: FAILED\./);
    expectTornDown(c);
  });

  it('a second plan whose only changes are no-ops and an output: exit 2 fails the phase, which names the output, not "0 changes"', async () => {
    const { c } = await world((w) => {
      w.acceptance.planChanges = [{ address: 'aws_instance.server-0', mode: 'managed', change: { actions: ['no-op'] } }];
      w.acceptance.planOutputChanges = { rancher_url: { actions: ['update'] }, kubeconfig: { actions: ['no-op'] } };
    });
    const result = await acceptRkeHa(c, '--only', 'second-plan');
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
    const result = await acceptRkeHa(c, '--only', 'ping');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ teardown: 'failed', sweep: 'failed' });
    expect(report.leftovers.filter((l: any) => l.state === 'left').length).toBeGreaterThan(10);
    // A new run never touches it, and says how to finish it.
    const again = await acceptRkeHa(c);
    expect(again.code).toBe(2);
    expect(codesOf(again.out)).toEqual(['ACCEPTANCE_EARLIER_RUN_LEFT']);
    expect(said(again.out, 'ACCEPTANCE_EARLIER_RUN_LEFT')).toContain(`--teardown-run ${report.runId}`);
    c.update((w) => delete w.acceptance.failAt);
    const down = await acceptInProcess(c, '--teardown-run', report.runId);
    expect(down.code).toBe(0);
    expectTornDown(c);
    // Run twice: the run is torn down, its report stands, nothing is called.
    const written = readFileSync(join(runDir(c), 'report.json'), 'utf8');
    const calls = c.calls().length;
    const twice = await acceptInProcess(c, '--teardown-run', report.runId);
    expect(twice.code).toBe(0);
    expect(codesOf(twice.out)).toEqual(['ACCEPTANCE_TORN_DOWN_ALREADY']);
    expect(said(twice.out, 'ACCEPTANCE_TORN_DOWN_ALREADY')).toContain(report.runId);
    expect(readFileSync(join(runDir(c), 'report.json'), 'utf8')).toBe(written);
    expect(c.calls()).toHaveLength(calls);
  });

  // A child that ends before taking its input made Node's write to it fail with EPIPE, which ended the CLI before its
  // teardown (3 runs of 10 on the old code); every run must now fail its deploy and still tear down and sweep. Three
  // runs, not ten: the race is caught every time by process.tools.test.ts; this shows the whole run's path, in the
  // bundled CLI's process (the failure ended that process).
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

  it('docker failing in its login phase: the later phases not reached, torn down, the report says what passed', async () => {
    const { c } = await world((w) => (w.acceptance.failAt = 'login'), 'docker');
    const result = await acceptInProcess(c, 'docker', '--region', REGION, '--yes', '--wait-minutes', '1');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', ping: 'passed', login: 'failed', teardown: 'passed', sweep: 'passed' });
    expect(report.passed).toBe(false);
    expectTornDown(c);
  });

  it('the sweep finds a leftover tagged with the run id: listed with how to remove it, the run fails', async () => {
    const { c } = await world((w) => (w.acceptance.leftovers = ['arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc']));
    const result = await acceptRkeHa(c, '--only', 'ping');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', ping: 'passed', login: 'skipped', teardown: 'passed', sweep: 'failed' });
    expect(report.leftovers).toContainEqual({
      arn: 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc',
      state: 'left',
      remove: expect.stringContaining('aws ec2 delete-volume'),
    });
    expect(said(result.out, 'ACCEPTANCE_LEFT')).toContain('arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc: aws ec2 delete-volume');
    expect(
      messagesOf(result.out)
        .filter((m) => m.code === 'ACCEPTANCE_PHASE_FAILED')
        .map((m) => m.text.split(':')[0]),
    ).toEqual(['sweep']);
  });

  it("a leftover in us-east-1 (a region the module's providers create in, as alarms on do): the sweep asks there too", async () => {
    const { c } = await world((w) => (w.acceptance.leftovers = ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:acc-health-check']));
    // The module with a second AWS provider in us-east-1 (the Route53 health checks' alarms), tagged as the first.
    const file = join(c.dir, 'acceptance.rke-ha.cdk.tf.json');
    const module = JSON.parse(readFileSync(file, 'utf8'));
    module.provider.aws.push({ ...module.provider.aws[0], alias: 'us_east_1', region: 'us-east-1' });
    writeFileSync(file, JSON.stringify(module));
    const result = await acceptRkeHa(c, '--only', 'ping');
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
    const result = await acceptRkeHa(c, '--only', 'ping');
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
    expect(said(result.out, 'ACCEPTANCE_LEFT')).toContain(`arn:aws:iam::123456789012:role/acc-${report.runId}-rke-ha-left`);
    // IAM's tags asked of the role named alike (the region the call is signed for: IAM's own, us-east-1, when the SDK
    // resolves IAM's endpoint; the run's region when a custom endpoint takes its place, as for the bundled CLI).
    expect(c.calls()).toContainEqual(
      expect.stringMatching(new RegExp(`^aws iam list-role-tags --role-name acc-${report.runId}-rke-ha-someone-elses --region `)),
    );
    expect(c.calls().some((call) => call.includes('rancher-rke-ha-production'))).toBe(false);
  });
});
