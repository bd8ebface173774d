import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCloud, SYNTH_STUB } from '../../helpers/fake-cloud';
import { compiledMain } from '../../helpers/app-process';
import { statuses } from '../../helpers/acceptance-run';
import {
  BUCKET,
  checkEveryDrill,
  drill,
  drillHere,
  ETCD_BUCKET,
  expectedEtcdSettings,
  expectedSettings,
  expectTornDown,
  IN_BACKUP,
  NEWEST,
  NEWEST_SNAPSHOT,
  PRODUCTION_URL,
  record,
  reportOf,
  RESTORED,
  THROWAWAY,
  throwawayJson,
  TOKEN,
  world,
} from '../../helpers/drill-world';
import { codesOf, said } from '../../helpers/plain-output';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';

/** The drill's messages in order, without terraform's lines it passes on and the teardown command's own messages. */
const flow = (out: string) => codesOf(out).filter((code) => code !== 'DRILL_TERRAFORM_OUTPUT' && !code.startsWith('TEARDOWN_'));
/** Each phase started then passed, in order. */
const passedPhases = (phases: readonly string[]) => phases.flatMap(() => ['DRILL_PHASE_STARTED', 'DRILL_PHASE_PASSED']);

// The bundled CLI's AWS calls (S3, SSM, the teardown's) reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// `npm run drill`, driven as a function in this process (drillHere, helpers/drill-world.ts): terraform, kubectl and
// curl stubbed (ops-stubs/fake-cloud.js with fake-drill.js) and the app's synth stubbed (fake-synth.js, writing a real
// synth of the settings the drill wrote); AWS the in-memory fake behind the SDK clients, loaded from the world and
// written back around each call (helpers/fake-cloud-aws.ts), SSM Run Command answered by the stubs. Production is a
// real synth of rke-ha with its state and AWS objects; its backup bucket holds two backups and a stray file, the
// newest backup is a tar.gz laid out as the operator lays it out. After every test: production's module folder and
// state byte-identical, its buckets as they were, and no call that would have changed them.
// The bundled CLI runs as a process, as users run it, where the process is what is tested: the app's own synth run
// for real, the dry run with no tool on PATH, the refusals of its arguments (--name, a stack it builds nothing for),
// and the signals and kill -9 during the restore (its signal handlers, its record read by a rerun).
// The failures, signals and kills are in drill-failures.tools.test.ts (helpers/drill-world.ts holds the world).

checkEveryDrill();

describe('npm run drill', () => {
  it('passes: restores the newest backup into a throwaway, checks it, reports, tears it down; production only read', async () => {
    const c = world();
    const result = await drillHere(c);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    // The settings the app was given: production's, turned into the throwaway's, restoring the newest file.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedSettings);
    const report = reportOf(c);
    expect(statuses(report)).toEqual({ synth: 'passed', apply: 'passed', ping: 'passed', login: 'passed', compare: 'passed', teardown: 'passed' });
    expect(report.backup).toMatchObject({ bucket: BUCKET, key: `rancher/${NEWEST}` });
    // Counted through Rancher's API, logged in as the drill's own user (every page; that user not counted).
    expect(report.comparisons).toEqual([
      ...Object.entries(IN_BACKUP).map(([what, n]) => ({
        what,
        backup: n,
        restored: n,
        passed: true,
        note: `Rancher's API, /v3/${what.split('.')[0]}`,
      })),
      {
        what: 'setting server-url',
        backup: PRODUCTION_URL,
        restored: PRODUCTION_URL,
        passed: true,
        note: "in the backup; compared with production's URL, through Rancher's API",
      },
    ]);
    expect(report.login).toEqual({ user: 'rancher-ha-aws-drill', endpoint: '/v1-public/login', status: 201, removed: true });
    expect(c.world().drill.userEvents).toEqual(['created', 'deleted']);
    expect(c.calls().filter((call) => call.startsWith('curl ') && call.includes('/v3/projects'))).toHaveLength(2);
    // Stated, each phase a timed step, the teardown's own lines passed on, then the report and its result.
    expect(flow(result.out)).toEqual([
      'DRILL_PLAN',
      ...passedPhases(['synth', 'apply', 'ping', 'login', 'compare', 'teardown']),
      'DRILL_REPORT',
      'DRILL_RESULT',
    ]);
    expect(
      said(result.out, 'DRILL_PHASE_PASSED')
        .split('\n')
        .map((line) => line.replace(/ \(\d+s\)$/, '')),
    ).toEqual(['synth', 'apply', 'ping', 'login', 'compare', 'teardown'].map((phase) => `${phase}: passed`));
    // The teardown tells through the drill's host, in its teardown phase: its plan, its steps, its report, and
    // terraform's destroy as lines of the host's (not straight to the terminal, under the status line).
    const codes = codesOf(result.out);
    const inTeardown = codes.slice(codes.lastIndexOf('DRILL_PHASE_STARTED'), codes.lastIndexOf('DRILL_PHASE_PASSED'));
    const own = inTeardown.filter((code) => code.startsWith('TEARDOWN_'));
    expect([own[0], own.at(-1)]).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_REPORT']);
    expect(own).toEqual(expect.arrayContaining(['TEARDOWN_STEP_DONE', 'TEARDOWN_TERRAFORM_OUTPUT']));
    expect(said(result.out, 'DRILL_REPORT')).toContain('https://3-250-1-2.sslip.io as rancher-ha-aws-drill');
    // The password and the token reached no file of the drill's folder.
    for (const file of readdirSync(join(c.dir, 'drill.out')).filter((f) => statSync(join(c.dir, 'drill.out', f)).isFile()))
      expect(readFileSync(join(c.dir, 'drill.out', file), 'utf8')).not.toContain('the-secret-part');
    expect(report.passed).toBe(true);
    expect(typeof report.recoveryMinutes).toBe('number');
    expect(report.notProven.join(' ')).toContain('Downstream clusters');
    expect(said(result.out, 'DRILL_RESULT')).toContain('PASSED');
    expect(said(result.out, 'DRILL_REPORT')).toContain(report.notProven[0]);
    expectTornDown(c);
    // The throwaway's apply and destroy were given production's backup configuration (the stub refuses otherwise).
    expect(c.calls().filter((call) => call.startsWith('terraform apply'))).toEqual([
      'terraform apply -auto-approve -input=false',
      'terraform apply -destroy -refresh=false -auto-approve -input=false',
    ]);
  });

  it("passes with the app's own synth of the settings it writes (no stubbed synth)", () => {
    const c = world();
    const result = c.run(['drill', 'rke-ha', '--dir', 'module'], { env: { RANCHER_HA_AWS_SYNTH: compiledMain() } });
    expect(result.code).toBe(0);
    const written = JSON.parse(readFileSync(join(c.dir, 'drill.out', 'cdktf.out', 'stacks', 'rke-ha', 'cdk.tf.json'), 'utf8'));
    // What the app wrote is the stack the unit tests check (no Route53 record, own VPC and state, read-only grants).
    expect(Object.keys(written.resource).sort()).toEqual(Object.keys(throwawayJson.resource as object).sort());
    expect(written.terraform.backend).toEqual({ local: { path: 'terraform.rke-ha.tfstate' } });
    expect(existsSync(join(c.dir, 'cdktf.out'))).toBe(false);
    expect(reportOf(c).passed).toBe(true);
    expectTornDown(c);
  });

  it('--keep leaves the throwaway up and says how to tear it down; a new drill is refused until --teardown', async () => {
    const c = world();
    const kept = await drillHere(c, { keep: true });
    expect(kept.code).toBe(0);
    expect(flow(kept.out)).toEqual([
      'DRILL_PLAN',
      ...passedPhases(['synth', 'apply', 'ping', 'login', 'compare']),
      'DRILL_KEPT',
      'DRILL_REPORT',
      'DRILL_RESULT',
    ]);
    expect(said(kept.out, 'DRILL_KEPT')).toContain(THROWAWAY);
    expect(said(kept.out, 'DRILL_KEPT')).toContain('npm run drill -- rke-ha --teardown');
    expect(statuses(reportOf(c)).teardown).toBe('skipped');
    expect(c.world().drill.state.resources.length).toBe(c.world().drill.applyState.resources.length);
    expect(existsSync(join(c.dir, 'drill.out', 'kubeconfig.yaml'))).toBe(true);
    // Kept, but without the drill's user.
    expect(c.world().drill.userEvents).toEqual(['created', 'deleted']);
    const again = await drillHere(c);
    expect(again.code).toBe(2);
    expect(codesOf(again.out)).toEqual(['DRILL_KEPT_THROWAWAY_UP']);
    const down = await drillHere(c, { teardownOnly: true });
    expect(down.code).toBe(0);
    expect(flow(down.out)).toEqual(['DRILL_EARLIER_THROWAWAY_LEFT', 'DRILL_EARLIER_TEARDOWN_STARTED', 'DRILL_EARLIER_TORN_DOWN']);
    expectTornDown(c);
    expect(codesOf((await drillHere(c, { teardownOnly: true })).out)).toEqual(['DRILL_NOTHING_LEFT']);
  });

  it('--dry-run with no tool, no credentials and no module: the steps, what it creates, how long, what it costs; no call, nothing written', () => {
    const c = world();
    const result = c.run(['drill', 'rke-ha', '--dir', 'not-synthesized', '--dry-run'], { tools: [] });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    // The plan is one message, the dry run's result another.
    expect(codesOf(result.out)).toEqual(['DRILL_PLAN', 'DRILL_DRY_RUN']);
    const plan = said(result.out, 'DRILL_PLAN');
    expect(plan).toContain('not synthesized here yet');
    for (const phase of ['synth', 'apply', 'ping', 'login', 'compare', 'teardown']) expect(plan).toContain(`  ${phase}: `);
    expect(plan).toContain(`throwaway deployment: ${THROWAWAY}`);
    expect(plan).toMatch(/Cost: about \$\d+\.\d\d-\$\d+\.\d\d/);
    expect(c.calls()).toEqual([]);
    expect(existsSync(join(c.dir, 'drill.out'))).toBe(false);
    // --etcd: its own steps.
    const etcd = c.run(['drill', 'rke-ha', '--dir', 'module', '--dry-run', '--etcd', '--keep'], { tools: [] });
    expect(etcd.code).toBe(0);
    expect(codesOf(etcd.out)).toEqual(['DRILL_PLAN', 'DRILL_DRY_RUN']);
    expect(said(etcd.out, 'DRILL_PLAN')).toContain('  restore: ');
    expect(said(etcd.out, 'DRILL_PLAN')).toContain('(skipped: --keep) teardown: ');
    expect(said(etcd.out, 'DRILL_PLAN')).not.toContain('not synthesized');
    expect(c.calls()).toEqual([]);
  });

  // A dry run that passed on a name the real run refused (d0e353c): both refuse it now, before anything.
  it.each([
    ['rancher', "--name rancher is production's own name: the throwaway needs another. Nothing was changed."],
    ['../../x', '--name ../../x: expected lower-case letters, digits and "-" only'],
    ['Prod-Drill', '--name Prod-Drill: expected lower-case letters, digits and "-" only'],
  ])('refuses --name %s in the dry run as in the real run, before any call', (name, message) => {
    const c = world();
    const dry = c.run(['drill', 'rke-ha', '--dir', 'module', '--name', name, '--dry-run'], { tools: [] });
    expect({ code: dry.code, err: dry.err }).toEqual({ code: 2, err: '' });
    expect(codesOf(dry.out)).toEqual(['DRILL_NAME_REFUSED']);
    expect(said(dry.out, 'DRILL_NAME_REFUSED')).toContain(message);
    expect(c.calls()).toEqual([]);
    const real = drill(c, '--name', name);
    expect(real.code).toBe(2);
    expect(codesOf(real.out)).toEqual(['DRILL_NAME_REFUSED']);
    expect(said(real.out, 'DRILL_NAME_REFUSED')).toContain(message);
    expect(
      c
        .calls()
        .some((call) => call.startsWith('synth') || call.startsWith('terraform init') || call.startsWith('aws ') || call.startsWith('aws-sdk ')),
    ).toBe(false);
    expect(existsSync(join(c.dir, 'drill.out', 'drill.json'))).toBe(false);
  });

  it.each([
    [
      'a settings file of another deployment',
      (c: FakeCloud) => writeFileSync(join(c.dir, 'rancher.yaml'), 'name: other\nregion: eu-west-1\n'),
      2,
      'DRILL_SETTINGS_NOT_PRODUCTIONS',
    ],
    ['no backup in the bucket', undefined, 1, 'DRILL_NO_BACKUP'],
    ['the name of production for the throwaway', undefined, 2, 'DRILL_NAME_REFUSED', { name: 'rancher' }],
  ])('refuses %s before anything is created', async (name, change, code, refusal, extra: { name?: string } = {}) => {
    const c = world((w) => {
      if (name === 'no backup in the bucket') w.aws.buckets[BUCKET].objects = [];
    });
    change?.(c);
    const result = await drillHere(c, extra);
    expect(result.code).toBe(code);
    expect(codesOf(result.out)).toEqual([refusal]);
    expect(c.calls().some((call) => call.startsWith('synth') || call.startsWith('terraform init'))).toBe(false);
  });

  it("refuses docker, which has no Rancher backup, and k8s-ha with --etcd, whose etcd is its cluster's", () => {
    const c = world();
    for (const args of [['docker'], ['k8s-ha', '--etcd']]) {
      const result = c.run(['drill', ...args, '--dir', 'module'], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB } });
      expect(result.code).toBe(2);
      expect(codesOf(result.out)).toEqual(['DRILL_STACK_NOT_RKE_HA']);
      expect(said(result.out, 'DRILL_STACK_NOT_RKE_HA')).toContain(args[0] === 'docker' ? 'docs/docker.md' : 'without --etcd');
    }
  });
});

describe('npm run drill -- rke-ha --etcd', () => {
  const etcdWorld = (change?: (w: any) => void) => world(change, 'etcd');
  const etcdOf = (c: FakeCloud) => c.world().drill.etcd;

  /** Production's token: in no call's arguments, no file of the drill's folder, not in the throwaway's state. */
  function expectTokenNowhere(c: FakeCloud): void {
    expect(readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')).not.toContain(TOKEN);
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
    for (const file of walk(join(c.dir, 'drill.out'))) expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    expect(JSON.stringify(c.world().drill.state ?? {})).not.toContain(TOKEN);
    // And its parameter is gone.
    expect(c.world().aws.parameters ?? {}).toEqual({});
  }

  it("passes: the newest snapshot restored on the throwaway's first server with production's token, checked, reported, torn down", async () => {
    const c = etcdWorld();
    // The run's report as --json prints it (its host's), the progress as plain lines.
    const result = await drillHere(c, { etcd: true });
    expect(result.code).toBe(0);
    const run: any = result.io.report();
    expect(run.messages.map((m: any) => m.code)).toEqual(codesOf(result.out));
    expect(flow(result.out)).toEqual([
      'DRILL_PLAN',
      ...passedPhases(['synth', 'apply']),
      'DRILL_PHASE_STARTED',
      'DRILL_SNAPSHOT_COPIED',
      'DRILL_RESTORE_SENT',
      'DRILL_PHASE_PASSED',
      ...passedPhases(['ping', 'compare', 'teardown']),
      'DRILL_REPORT',
      'DRILL_RESULT',
    ]);
    // Phase n of m among the snapshot's phases, teardown included.
    const phases = ['synth', 'apply', 'restore', 'ping', 'compare', 'teardown'];
    expect(run.spans.filter((x: any) => phases.includes(x.label)).map((x: any) => `${x.label} ${x.position.n}/${x.position.m} ${x.outcome}`)).toEqual(
      ['synth', 'apply', 'restore', 'ping', 'compare', 'teardown'].map((phase, i) => `${phase} ${i + 1}/6 done`),
    );
    // The teardown's own steps are spans too, within its phase; its destroy's output reached the host, not standard output.
    expect(run.spans.map((x: any) => x.label)).toEqual(expect.arrayContaining(['forget', 'destroy']));
    expect(run.messages.find((m: any) => m.code === 'DRILL_RESULT').data).toMatchObject({ passed: true, exitCode: 0 });
    // The throwaway's settings: no Rancher restore, no backups, another VPC range.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedEtcdSettings);
    const report = reportOf(c);
    expect(report.source).toBe('etcd-snapshot');
    expect(report.backup).toMatchObject({ bucket: ETCD_BUCKET, key: `rke-ha/${NEWEST_SNAPSHOT}` });
    expect(statuses(report)).toEqual({ synth: 'passed', apply: 'passed', restore: 'passed', ping: 'passed', compare: 'passed', teardown: 'passed' });
    expect(report.comparisons.map((x: any) => [x.what, x.backup, x.restored, x.passed])).toEqual([
      ['nodes', 3, 3, true],
      ...Object.entries(RESTORED.counts).map(([kind, n]) => [kind, 'at least 1', n, true]),
      ['setting server-url', PRODUCTION_URL, PRODUCTION_URL, true],
    ]);
    expect(typeof report.recoveryMinutes).toBe('number');
    expect(report.notProven.join(' ')).toContain("production's backup writer");
    expect(said(result.out, 'DRILL_RESULT')).toContain('PASSED');
    // The other two servers stopped, the restore on the first; the ping at production's name through the throwaway.
    const servers = c
      .world()
      .drill.applyState.resources.filter((r: any) => r.type === 'aws_instance')
      .map((r: any) => r.instances[0].attributes.id);
    expect(etcdOf(c).stopped).toEqual(servers.slice(1));
    const ping = c.calls().find((call) => call.startsWith('curl '));
    expect(ping).toContain('--connect-to rancher.example.com:443:3-250-1-2.sslip.io:443');
    expect(ping).toMatch(/--cacert \S+rancher-ca\.pem/);
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it('refuses before anything is created: no snapshot, a snapshot it may not read (KMS), TLS at the load balancer', async () => {
    const none = etcdWorld(
      (w) => (w.aws.buckets[ETCD_BUCKET].objects = w.aws.buckets[ETCD_BUCKET].objects.filter((o: any) => o.key.includes('.metadata'))),
    );
    const empty = await drillHere(none, { etcd: true });
    expect(empty.code).toBe(1);
    expect(codesOf(empty.out)).toEqual(['DRILL_NO_SNAPSHOT']);
    expect(said(empty.out, 'DRILL_NO_SNAPSHOT')).toContain(`s3://${ETCD_BUCKET}/rke-ha/`);

    const denied = etcdWorld((w) => (w.drill.etcd.denied = true));
    const refused = await drillHere(denied, { etcd: true });
    expect(refused.code).toBe(2);
    expect(codesOf(refused.out)).toEqual(['DRILL_SNAPSHOT_UNREADABLE']);
    expect(said(refused.out, 'DRILL_SNAPSHOT_UNREADABLE')).toContain(`s3://${ETCD_BUCKET}/rke-ha/${NEWEST_SNAPSHOT}`);
    // What AWS answered, passed on.
    expect(said(refused.out, 'DRILL_SNAPSHOT_UNREADABLE')).toContain('AccessDenied');

    const external = etcdWorld();
    writeFileSync(join(external.dir, 'rancher.yaml'), 'name: rancher\nregion: eu-west-1\nrancher:\n  tls:\n    mode: external\n');
    const tls = await drillHere(external, { etcd: true });
    expect(tls.code).toBe(2);
    expect(codesOf(tls.out)).toEqual(['DRILL_TLS_AT_LOAD_BALANCER']);

    for (const c of [none, denied, external]) {
      expect(c.calls().some((call) => call.startsWith('synth') || call.startsWith('terraform init') || call.includes('SSM PutParameter'))).toBe(
        false,
      );
      expect(existsSync(join(c.dir, 'drill.out', 'drill.json'))).toBe(false);
    }
  });

  it('a failing restore: the report says where, the token parameter is deleted, the throwaway torn down', async () => {
    const c = etcdWorld((w) => (w.drill.etcd.restore = 'fails'));
    const result = await drillHere(c, { etcd: true });
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toEqual({
      synth: 'passed',
      apply: 'passed',
      restore: 'failed',
      ping: 'skipped',
      compare: 'skipped',
      teardown: 'passed',
    });
    expect(report.phases[2].detail).toContain('the cluster reset from etcd-snapshot failed');
    expect(said(result.out, 'DRILL_PHASE_FAILED')).toBe(`restore: ${report.phases[2].detail}`);
    expect(report.recoveryMinutes).toBeUndefined();
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it("a restored cluster whose Nodes are not production's servers fails the comparison, naming it", async () => {
    const c = etcdWorld((w) => (w.drill.etcd.restored = { ...RESTORED, nodes: 1 }));
    const result = await drillHere(c, { etcd: true });
    expect(result.code).toBe(1);
    expect(statuses(reportOf(c))).toMatchObject({ restore: 'passed', ping: 'passed', compare: 'failed', teardown: 'passed' });
    expect(said(result.out, 'DRILL_PHASE_FAILED')).toMatch(/^compare: .*: nodes$/);
    expect(said(result.out, 'DRILL_REPORT')).toContain('FAILED  nodes: backup 3, restored 1');
    expect(said(result.out, 'DRILL_RESULT')).toContain('FAILED');
    expectTornDown(c);
  });

  it('SIGTERM during the restore: stops there, deletes the token parameter, tears down, exit 130', () => {
    const c = etcdWorld((w) => (w.drill.signalAt = { phase: 'restore', signal: 'SIGTERM' }));
    const result = drill(c, '--etcd');
    expect(result.code).toBe(130);
    expect(statuses(reportOf(c))).toMatchObject({ apply: 'passed', restore: 'interrupted', ping: 'skipped', teardown: 'passed' });
    // The restore said interrupted, then the teardown ran as a phase of its own.
    expect(flow(result.out).slice(-5)).toEqual([
      'DRILL_PHASE_INTERRUPTED',
      'DRILL_PHASE_STARTED',
      'DRILL_PHASE_PASSED',
      'DRILL_REPORT',
      'DRILL_RESULT',
    ]);
    expect(said(result.out, 'DRILL_PHASE_INTERRUPTED')).toBe('restore: interrupted by a signal');
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it('killed (kill -9) during the restore: the token parameter stays named in the record; a rerun deletes it, tears down, drills', () => {
    const c = etcdWorld((w) => (w.drill.signalAt = { phase: 'restore', signal: 'SIGKILL' }));
    expect(drill(c, '--etcd').code).toBeNull();
    const left = record(c);
    expect(left).toMatchObject({ name: THROWAWAY, done: false, phase: 'restore' });
    expect(Object.keys(c.world().aws.parameters)).toEqual([left.tokenParameter]);
    const rerun = drill(c, '--etcd');
    expect(rerun.code).toBe(0);
    expect(flow(rerun.out).slice(0, 4)).toEqual([
      'DRILL_EARLIER_THROWAWAY_LEFT',
      'DRILL_EARLIER_TEARDOWN_STARTED',
      'DRILL_EARLIER_TORN_DOWN',
      'DRILL_PLAN',
    ]);
    expect(said(rerun.out, 'DRILL_EARLIER_THROWAWAY_LEFT')).toContain(THROWAWAY);
    expect(reportOf(c).passed).toBe(true);
    expectTokenNowhere(c);
    expectTornDown(c);
  });

  it('killed during the restore, then --teardown: the parameter and the throwaway go, nothing is drilled', () => {
    const c = etcdWorld((w) => (w.drill.signalAt = { phase: 'restore', signal: 'SIGKILL' }));
    expect(drill(c, '--etcd').code).toBeNull();
    expect(drill(c, '--teardown').code).toBe(0);
    expect(c.calls().filter((call) => call.startsWith('terraform apply -auto-approve'))).toHaveLength(1);
    expectTokenNowhere(c);
    expectTornDown(c);
  });
});
