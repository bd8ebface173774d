import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAKE_BACKUP_ENCRYPTION_CONFIG, FakeCloud, SYNTH_STUB } from '../../helpers/fake-cloud';
import { statuses } from '../../helpers/acceptance-run';
import { BUCKET, checkEveryDrill, drill, drillHere, expectTornDown, record, reportOf, THROWAWAY, world } from '../../helpers/drill-world';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// `npm run drill` (helpers/drill-world.ts) when a step fails, a signal stops it or kill -9 ends it, and a throwaway
// its teardown must not touch: every drill ends torn down, production only read. A step that fails and a throwaway the
// teardown refuses are the drill driven as a function in this process (drillHere). The bundled CLI runs as a process,
// as users run it, where the process is what is tested: a signal (its handlers, the SIGINT passed on to terraform,
// exit 130), kill -9 half-way and the rerun that finds what it left, and a terraform that exits before reading its
// input (the EPIPE that once ended the CLI before its teardown).

checkEveryDrill();

describe('npm run drill: a step that fails, a signal, a kill', () => {
  it('a failing restore (the apply fails): the report says where, what exists is torn down', async () => {
    const c = world((w) => (w.drill.applyFails = true));
    const result = await drillHere(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toEqual({ synth: 'passed', apply: 'failed', ping: 'skipped', login: 'skipped', compare: 'skipped', teardown: 'passed' });
    expect(report.phases[1].detail).toContain('the restore did not complete');
    expect(report.passed).toBe(false);
    expect(report.recoveryMinutes).toBeUndefined();
    expect(said(result.out, 'DRILL_PHASE_FAILED')).toBe(`apply: ${report.phases[1].detail}`);
    expect(said(result.out, 'DRILL_RESULT')).toContain('FAILED');
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

  it('a failing /ping: looks the budget allows (6 in a minute), then the teardown', async () => {
    const c = world((w) => (w.drill.ping = 'down'));
    const result = await drillHere(c, { pingMinutes: 1 });
    expect(result.code).toBe(1);
    expect(statuses(reportOf(c))).toMatchObject({ apply: 'passed', ping: 'failed', login: 'skipped', teardown: 'passed' });
    expect(reportOf(c).phases[2].detail).toContain('Rancher did not answer pong on https://3-250-1-2.sslip.io/ping within 1 minutes');
    expect(c.calls().filter((call) => call.startsWith('curl '))).toHaveLength(6);
    expectTornDown(c);
  });

  it("rancher-webhook not serving yet refuses the drill's password twice: what was made is deleted, the create looked at again, the drill passes", async () => {
    const c = world((w) => (w.drill.webhookRefusals = 2));
    const result = await drillHere(c);
    expect(result.code).toBe(0);
    expect(statuses(reportOf(c))).toMatchObject({ login: 'passed', compare: 'passed', teardown: 'passed' });
    expect(c.calls().filter((call) => call.startsWith('kube-api POST /apis/management.cattle.io/v3/users as create -f - -o json'))).toHaveLength(3);
    expect(c.world().drill.userEvents).toEqual(['deleted', 'deleted', 'created', 'deleted']);
    expectTornDown(c);
  });

  it("a login Rancher refuses: the looks the budget allows (12 in 2 minutes), the drill's user deleted, no comparison, the teardown", async () => {
    const c = world((w) => (w.drill.login = 'refused'));
    const result = await drillHere(c);
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
  ])('%s: the comparison fails, naming it', async (_name, change, what) => {
    const c = world(change);
    const result = await drillHere(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ compare: 'failed', teardown: 'passed' });
    expect(report.comparisons.filter((x: any) => !x.passed).map((x: any) => x.what)).toEqual([what]);
    expect(said(result.out, 'DRILL_REPORT')).toContain(`FAILED  ${what}`);
    expectTornDown(c);
  });

  // SIGINT (Ctrl-C) takes the same path as SIGTERM: once, where a command is in flight.
  it.each([
    ['synth', 'SIGTERM', { synth: 'interrupted', apply: 'skipped', teardown: 'passed' }],
    ['apply', 'SIGTERM', { synth: 'passed', apply: 'interrupted', ping: 'skipped', teardown: 'passed' }],
    ['apply', 'SIGINT', { synth: 'passed', apply: 'interrupted', ping: 'skipped', teardown: 'passed' }],
    ['ping', 'SIGTERM', { apply: 'passed', ping: 'interrupted', login: 'skipped', teardown: 'passed' }],
    ['login', 'SIGTERM', { ping: 'passed', login: 'passed', teardown: 'passed' }],
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
    // The phase the signal stopped says so. The login's signal comes with its last call (Rancher's login: its other
    // calls are requests of the Kubernetes API, with no process to send it), so the drill sees it before the compare
    // or at the compare's first step: either way no comparison is made.
    if (phase === 'login') {
      const compare = statuses(reportOf(c)).compare;
      expect(['skipped', 'interrupted']).toContain(compare);
      expect(said(result.out, 'DRILL_PHASE_INTERRUPTED')).toBe(compare === 'skipped' ? '' : 'compare: interrupted by a signal');
      expect(reportOf(c).comparisons).toEqual([]);
    } else expect(said(result.out, 'DRILL_PHASE_INTERRUPTED')).toBe(`${phase}: interrupted by a signal`);
    if (phase === 'synth') expect(codesOf(result.out)).toContain('DRILL_NOTHING_CREATED');
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
      expect(codesOf(rerun.out)[0]).toBe('DRILL_EARLIER_THROWAWAY_LEFT');
      expect(said(rerun.out, 'DRILL_EARLIER_THROWAWAY_LEFT')).toContain(THROWAWAY);
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

  it("a throwaway whose state holds production's bucket is not torn down (its teardown would delete the bucket)", async () => {
    const c = world((w) => {
      const bucket = w.drill.applyState.resources.find((r: any) => r.type === 'aws_s3_bucket' && r.name.startsWith('rancher-backups_'));
      Object.assign(bucket.instances[0].attributes, { id: BUCKET, bucket: BUCKET });
    });
    const result = await drillHere(c);
    expect(result.code).toBe(1);
    expect(said(result.out, 'DRILL_PRODUCTION_STORE_IN_THROWAWAY')).toContain(BUCKET);
    expect(said(result.out, 'DRILL_PHASE_FAILED')).toMatch(/^teardown: /);
    expect(statuses(reportOf(c)).teardown).toBe('failed');
    expect(c.calls().some((call) => call.startsWith('terraform apply -destroy') || call.startsWith('terraform state rm'))).toBe(false);
  });

  it('a throwaway still in its state is torn down first, though its record says it is gone; without a record the drill stops', async () => {
    const c = world();
    expect((await drillHere(c, { keep: true })).code).toBe(0);
    const kept = record(c);
    writeFileSync(join(c.dir, 'drill.out', 'drill.json'), JSON.stringify({ ...kept, done: true, keep: false }));
    const again = await drillHere(c);
    expect(again.code).toBe(0);
    expect(codesOf(again.out)[0]).toBe('DRILL_EARLIER_THROWAWAY_LEFT');
    expectTornDown(c);
    // Nothing names it: the drill does not guess, and says how to tear it down.
    expect((await drillHere(c, { keep: true })).code).toBe(0);
    rmSync(join(c.dir, 'drill.out', 'drill.json'));
    const lost = await drillHere(c);
    expect(lost.code).toBe(2);
    expect(codesOf(lost.out)).toEqual(['DRILL_PLAN', 'DRILL_EARLIER_RESOURCES_LEFT']);
    expect(said(lost.out, 'DRILL_EARLIER_RESOURCES_LEFT')).toContain(`npm run teardown -- --dir ${kept.moduleDir}`);
    expect(codesOf((await drillHere(c, { teardownOnly: true })).out)).toEqual(['DRILL_NOTHING_LEFT']);
    // The test's own clean-up of what it left.
    const env = { TF_VAR_rancher_backup_restore_encryption_config: FAKE_BACKUP_ENCRYPTION_CONFIG };
    expect(c.run(['teardown', '--dir', kept.moduleDir, '--yes'], { env }).code).toBe(0);
    expect(c.world().drill.state.resources).toEqual([]);
  });
});
