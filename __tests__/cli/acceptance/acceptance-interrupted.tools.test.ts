import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { accept, checkEveryRun, expectStoppedAt, expectTornDown, K8S_HA, REGION, skipping, SYNTH, world } from '../../helpers/acceptance-world';
import type { FakeCloud } from '../../helpers/fake-cloud';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// An acceptance run stopped (helpers/acceptance-world.ts): SIGTERM in each phase tears down and says what passed;
// kill -9, which runs no handler, leaves a record a rerun refuses and `--teardown-run <id>` finishes.

checkEveryRun();

describe('npm run acceptance: stopped by a signal, killed, torn down after', () => {
  it.each(['deploy', 'ping', 'login', 'second-plan', 'upgrade', 'roll', 'backup', 'metrics', 'drill', 'break'])(
    'SIGTERM during the %s phase: stops there, tears down, exit 130, the report says what passed',
    async (phase) => {
      const { c } = await world((w) => (w.acceptance.signalAt = { phase, signal: 'SIGTERM' }));
      const result = await accept(c, ...skipping(phase));
      expect(result.code).toBe(130);
      expect(result.err).toContain('SIGTERM: stopping the acceptance run');
      expect(said(result.out, 'ACCEPTANCE_RESULT')).toMatch(/^Result: FAILED\./);
      const report = reportOf(c);
      // A short phase may finish before the signal is seen; then it is the next one that does not start.
      expectStoppedAt(report, phase, ['interrupted', 'passed']);
      expect(report.passed).toBe(false);
      expectTornDown(c);
    },
  );

  it('killed (kill -9) with its report cut short: --teardown-run tears it down all the same, the report started again from the record', async () => {
    const { c } = await world((w) => (w.acceptance.signalAt = { phase: 'second-plan', signal: 'SIGKILL' }));
    const first = await accept(c, '--skip', 'roll,drill');
    expect(first.code).toBeNull();
    const record = JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8'));
    const file = join(runDir(c), 'report.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
    expect(down.code).toBe(0);
    expect(codesOf(down.out)).toContain('ACCEPTANCE_REPORT_RESTARTED');
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
      expect(codesOf(rerun.out)).toEqual(['ACCEPTANCE_EARLIER_RUN_LEFT']);
      expect(said(rerun.out, 'ACCEPTANCE_EARLIER_RUN_LEFT')).toContain(`--teardown-run ${record.runId}`);
      expect(c.calls()).toHaveLength(before);
      const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
      if (down.code !== 0) console.log(down.out.slice(-4000));
      expect(down.code).toBe(0);
      expect(said(down.out, 'ACCEPTANCE_TORN_DOWN')).toContain(record.runId);
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

  /** A k8s-ha run killed (kill -9) in its backup phase, and the record it left. */
  async function k8sHaKilledDuringBackup(): Promise<{ c: FakeCloud; record: any }> {
    const { c } = await world((w) => (w.acceptance.signalAt = { phase: 'backup', signal: 'SIGKILL' }), 'k8s-ha');
    const first = await c.runAsync(['acceptance', 'k8s-ha', '--region', REGION, '--yes', '--wait-minutes', '1', ...K8S_HA], {
      env: { RANCHER_HA_AWS_SYNTH: SYNTH },
    });
    expect(first.code).toBeNull();
    return { c, record: JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8')) };
  }

  it('k8s-ha killed during its backup, the cluster gone since: --teardown-run says the Backup was not deleted and still destroys what needs no cluster', async () => {
    const { c, record } = await k8sHaKilledDuringBackup();
    c.update((w) => (w.acceptance.clusterDown = true));
    const down = await c.runAsync(['acceptance', '--teardown-run', record.runId]);
    expect(down.code).toBe(1);
    expect(said(down.out, 'ACCEPTANCE_BACKUP_NOT_DELETED')).toContain('rancher-aws-acceptance');
    expect(codesOf(down.out)).toContain('ACCEPTANCE_TEARDOWN_UNFINISHED');
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
    // The record kept the cluster access: the destroy and every request of the Kubernetes API used the user's file
    // and context (the fake refuses others). Killed before its create, the Backup was none: its DELETE's 404 is fine.
    expect(c.calls()).toContain('terraform apply -destroy -refresh=false -auto-approve -input=false');
    expect(c.calls().filter((call) => call.startsWith('kubectl'))).toEqual([]);
    expect(c.calls()).toContain(
      'kube-api DELETE /apis/resources.cattle.io/v1/backups/rancher-aws-acceptance as delete backups.resources.cattle.io/rancher-aws-acceptance --wait=false',
    );
    expectTornDown(c);
  });
});
