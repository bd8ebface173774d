import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TRANSITION_PLAN } from '../../../cli/shared/renewal-transition';
import { holderOf } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';
import { checkEveryCluster, cluster, roll, tokenWith, withToken, withUpgradeController } from '../../helpers/roll-world';
import { rotateTokenIn } from '../../helpers/rotate-in-process';
import { expectRotated, OLD, parameterOf, savedTokenFile, secretOf } from '../../helpers/rotate-world';

// `rotate <stack> token` against the fake cluster of helpers/roll-world.ts with its token modelled (fake-roll.js
// tokenScript: the parameter in SSM, each server's token file and data-directory token, the datastore's bootstrap
// data, restarts that come back only with a token the datastore holds). After every test the fake's invariant (never
// two servers down at once) is checked. The rotation runs as a function in jest's process (helpers/rotate-in-process.ts:
// the same world, the same stubs behind the real SDK clients). One case runs the bundled CLI as users run it: the
// K3s rotation with --json (the report alone on standard output is main.ts's doing), on a PATH holding only the
// terraform stub and node (the rotation needs neither the AWS CLI nor kubectl); a roll follows it, as a process too.
checkEveryCluster();

describe('rotate token: the way through', () => {
  it('RKE2, three servers: the new token in the parameter first, rotated once, every token file before any restart, restarts one at a time each marked out', async () => {
    const c = cluster('three', withToken);
    const result = await rotateTokenIn(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectRotated(world);
    const token = parameterOf(world).value;
    // Written once, through standard input (never an argument), with Terraform's key, tier and description.
    expect(world.parameterWrites).toEqual([{ name: '/rancher/rke-ha/token', secret: secretOf(token) }]);
    expect(c.calls().some((call) => call.includes(secretOf(token)) || call.includes(OLD))).toBe(false);
    const calls = c.calls();
    const at = (re: RegExp) => calls.findIndex((call) => re.test(call));
    const all = (re: RegExp) => calls.flatMap((call, i) => (re.test(call) ? [i] : []));
    const scriptOf = (i: number) => /rotate-token\.sh (\w+) rke2/.exec(calls[i])?.[1];
    const sends = all(/^aws ssm send-command .*rotate-token\.sh/).map((i) => ({ i, action: scriptOf(i), comment: calls[i] }));
    const put = at(/^aws ssm put-parameter/);
    const rotations = sends.filter((s) => s.action === 'rotate');
    const configs = sends.filter((s) => s.action === 'config');
    const restarts = sends.filter((s) => s.action === 'restart');
    expect(put).toBeGreaterThan(-1);
    expect(rotations).toHaveLength(1);
    expect(rotations[0].comment).toContain('rotate on server-0');
    expect(put).toBeLessThan(rotations[0].i);
    expect(configs.map((s) => /on (server-\d)/.exec(s.comment)![1])).toEqual(['server-0', 'server-1', 'server-2']);
    expect(Math.max(...configs.map((s) => s.i))).toBeLessThan(restarts[0].i);
    expect(world.cluster.rotations).toEqual(['server-0']);
    // One at a time: each restart with the whole cluster up, the Lease naming that very server out.
    expect(world.cluster.tokenRestarts).toEqual([
      { server: 'server-0', out: '10.0.0.10', whole: true },
      { server: 'server-1', out: '10.0.1.10', whole: true },
      { server: 'server-2', out: '10.0.2.10', whole: true },
    ]);
    // What it told, step by step: the Lease (step 1 of 7), the token written, the rotation, the token files, then each
    // server (restart n of 3) through its two steps, the end, and the snapshot after it.
    const restart = ['ROTATE_SERVER_STARTED', 'ROTATE_NO_TIMER_DISABLED', 'ROTATE_STEP_STARTED', 'ROTATE_SERVER_RESTART_ASKED'];
    expect(codesOf(result.out)).toEqual([
      'ROTATE_PLAN',
      ...['ROTATE_STEP_STARTED', 'ROTATE_LEASE_TAKEN', 'ROTATE_TOKEN_WRITTEN', 'ROTATE_NO_TIMER_DISABLED'],
      ...['ROTATE_STEP_STARTED', 'ROTATE_TOKEN_ROTATED'],
      ...['ROTATE_STEP_STARTED', 'ROTATE_TOKEN_FILE_WRITTEN', 'ROTATE_TOKEN_FILE_WRITTEN', 'ROTATE_TOKEN_FILE_WRITTEN', 'ROTATE_TOKEN_FILES_WRITTEN'],
      ...[0, 1, 2].flatMap(() => [...restart, 'ROTATE_STEP_STARTED', 'ROTATE_SERVER_BACK', 'ROTATE_SERVER_RESTARTED']),
      'ROTATE_FINISHED',
      ...['ROTATE_STEP_STARTED', 'ROTATE_SNAPSHOT_SAVED', 'ROTATE_OLDER_SNAPSHOTS'],
    ]);
    expect(said(result.out, 'ROTATE_STEP_STARTED').match(/^Step \d of 7/gm)).toEqual(['Step 1 of 7', 'Step 4 of 7', 'Step 5 of 7', 'Step 7 of 7']);
    expect(
      said(result.out, 'ROTATE_SERVER_STARTED')
        .split('\n')
        .map((m) => /^Restart (\d of 3): (server-\d)/.exec(m)?.slice(1).join(' ')),
    ).toEqual(['1 of 3 server-0', '2 of 3 server-1', '3 of 3 server-2']);
    // The replaced token, for a restore of an older snapshot: a file of its own, readable by its owner only.
    const saved = savedTokenFile(result.out);
    expect(readFileSync(saved, 'utf8')).toBe(`${tokenWith(OLD)}\n`);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'rotate.json'))).toBe(false);
  });

  it('K3s on its datastore: the same order, health without etcd; a server that joins afterwards (a roll) uses the new token; --json: the report alone on standard output, progress on standard error; no AWS CLI or kubectl needed', () => {
    const c = cluster('k3s', withToken);
    // Neither the AWS CLI nor kubectl on PATH: only the terraform stub, and node.
    const result = c.run(['rotate', '--dir', 'module', 'token', '--json'], { tools: ['terraform'] });
    expect(result.code).toBe(0);
    expect(c.calls().filter((call) => call.includes('rotate-token.sh restart k3s'))).toHaveLength(2);
    // The Nodes, the upgrade's records and Plan and the Lease through the Kubernetes client: no kubectl process.
    expect(c.calls().filter((call) => call.startsWith('kubectl '))).toEqual([]);
    expect(c.calls().some((call) => call.startsWith('kube-api GET /api/v1/nodes '))).toBe(true);
    // The report: every message with its code (those standard error showed), every timed step with its outcome and
    // time: the plan's steps (n of 6 on K3s: no snapshot), each server restarted (n of 2) with its two steps.
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ command: 'rotate', rotation: 'token', exitCode: 0 });
    expect(report.messages.map((m: { code: string }) => m.code)).toEqual(codesOf(result.err));
    expect(report.messages.at(-1)).toMatchObject({ level: 'result', code: 'ROTATE_FINISHED' });
    const at = (p?: { n: number; m: number }) => (p ? ` ${p.n}/${p.m}` : '');
    expect(
      report.spans.map((s: { label: string; position?: { n: number; m: number }; outcome: string }) => `${s.label}${at(s.position)} ${s.outcome}`),
    ).toEqual([
      'lease 1/6 done',
      'token rotate 4/6 done',
      'token files 5/6 done',
      ...[1, 2].flatMap((n) => [`server-${n - 1} ${n}/2 done`, 'restart 1/2 done', 'back 2/2 done']),
    ]);
    expect(report.spans.every((s: { durationMs: number }) => Number.isInteger(s.durationMs) && s.durationMs >= 0)).toBe(true);
    const world = c.world();
    expectRotated(world);
    // The replacement boots with the parameter's token (rke2/k3s-bootstrap.sh fetch_to token), which the cluster holds.
    expect(roll(c, '--server', 'server-1')).toMatchObject({ code: 0, err: '' });
    expect(c.world().joins).toEqual([{ server: 'server-1', token: secretOf(parameterOf(world).value), refused: false }]);
  });

  it("servers still on the previous cert-renewal.sh: their timers disabled (the roll's transition) before the first server is marked out, enabled again at the end", async () => {
    const c = cluster('three', (world) => {
      withToken(world);
      // The sha256 of a cert-renewal.sh other than this version's. The fake checks at every call that no server is
      // marked out while an old timer runs: before issue 62 the rotation restarted servers beside them.
      for (const s of world.cluster.servers) s.renewalScript = 'ab'.repeat(32);
    });
    const result = await rotateTokenIn(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectRotated(world);
    expect(said(result.out, 'ROTATE_TIMERS_DISABLED')).toMatch(/^server-0, server-1, server-2 run another cert-renewal\.sh /);
    expect(
      said(result.out, 'ROTATE_TIMER_ENABLED')
        .split('\n')
        .map((m) => m.trim().split(':')[0]),
    ).toEqual(['server-0', 'server-1', 'server-2']);
    const calls = c.calls();
    const disables = calls.flatMap((call, i) =>
      call.startsWith('aws ssm send-command') && call.includes('before a server is marked out') ? [i] : [],
    );
    expect(Math.max(...disables.slice(0, 3))).toBeLessThan(calls.findIndex((call) => call.includes('rotate-token.sh restart')));
    // And again before each restart: each server's timer looked at since the restart before (a timer enabled again
    // meanwhile is disabled before the next server goes out).
    const restarts = calls.flatMap((call, i) => (call.includes('rotate-token.sh restart') ? [i] : []));
    expect(restarts).toHaveLength(3);
    restarts.forEach((at, n) => expect(disables.filter((i) => i < at && i > (restarts[n - 1] ?? -1)).length).toBeGreaterThanOrEqual(3));
    expect(world.cluster.servers.map((s: any) => [s.timerStops, s.timerStarts, s.timerStopped, s.timerDisabled])).toEqual([
      [1, 1, false, false],
      [1, 1, false, false],
      [1, 1, false, false],
    ]);
  });

  it('a server its renewal timer cordoned (about to restart it): the rotation, its mark written, sees it and restarts nothing, the mark cleared', async () => {
    const c = cluster('three', (world) => {
      withToken(world);
      world.cluster.servers[2].cordoned = true;
    });
    const result = await rotateTokenIn(c);
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROTATE_SERVERS_CORDONED')).toMatch(/^server-2 is cordoned .*: server-0 was not restarted\./);
    expect(c.calls().some((call) => call.includes('rotate-token.sh restart'))).toBe(false);
    expect(c.world().restartLease?.annotations?.['rancher-ha-aws/out']).toBeUndefined();
  });

  it('--dry-run prints the steps and changes nothing (only the state read)', async () => {
    const c = cluster('three', withToken);
    const result = await rotateTokenIn(c, { dryRun: true });
    expect(result.code).toBe(0);
    expect(codesOf(result.out)).toEqual(['ROTATE_PLAN', 'ROTATE_DRY_RUN']);
    expect(said(result.out, 'ROTATE_PLAN')).toMatch(/^ {2}3\. .* the parameter \/rancher\/rke-ha\/token first/m);
    expect(said(result.out, 'ROTATE_PLAN')).toContain(`\n  ${TRANSITION_PLAN}\n`);
    expect(c.calls()).toEqual(['terraform state pull']);
  });
});

describe('rotate token with a standby (standby.region): the token restoring the etcd snapshot copies kept there too', () => {
  it("writes the new token to its copy in the standby region right after production's parameter, both before `rke2 token rotate`", async () => {
    const c = cluster('standby', withToken);
    const result = await rotateTokenIn(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectRotated(world);
    const token = parameterOf(world).value;
    // Production's first, then the copy in us-west-2 (fake-roll.js keeps each parameter in its region), the same token.
    expect(world.parameterWrites).toEqual([
      { name: '/rancher/rke-ha/token', secret: secretOf(token) },
      { name: '/rancher/rke-ha/standby-token', region: 'us-west-2', secret: secretOf(token) },
    ]);
    expect(world.parameters['/rancher/rke-ha/standby-token'].value).toBe(token);
    const calls = c.calls();
    const puts = calls.flatMap((call, i) => (call.startsWith('aws ssm put-parameter') ? [i] : []));
    expect(puts.map((i) => /--region (\S+)/.exec(calls[i])![1])).toEqual(['us-east-1', 'us-west-2']);
    expect(Math.max(...puts)).toBeLessThan(calls.findIndex((call) => /rotate-token\.sh rotate rke2/.test(call)));
    expect(codesOf(result.out).slice(3, 5)).toEqual(['ROTATE_TOKEN_WRITTEN', 'ROTATE_STANDBY_TOKEN_WRITTEN']);
    expect(said(result.out, 'ROTATE_PLAN')).toMatch(/^ {2}3\. .*; then to its copy \/rancher\/rke-ha\/standby-token in us-west-2, /m);
  });

  it("the standby region not answering: stopped after production's write, before `token rotate` (no server touched); once it answers, a rerun writes the copy and finishes", async () => {
    const c = cluster('standby', (world) => {
      withToken(world);
      // Every endpoint of us-west-2 drops its connections (fake-aws/README.md, "A region lost").
      world.aws.regionLoss = { region: 'us-west-2' };
    });
    const first = await rotateTokenIn(c);
    expect(first.code).toBe(1);
    expect(codesOf(first.out).at(-1)).toBe('ROTATE_STANDBY_TOKEN_UNWRITTEN');
    expect(said(first.out, 'ROTATE_STANDBY_TOKEN_UNWRITTEN')).toMatch(
      /^The new token is in production's parameter, but its copy \/rancher\/rke-ha\/standby-token in us-west-2 could not be written/,
    );
    let world = c.world();
    expect(world.parameterWrites).toEqual([{ name: '/rancher/rke-ha/token', secret: secretOf(parameterOf(world).value) }]);
    expect(c.calls().some((call) => /rotate-token\.sh (rotate|config|restart) /.test(call))).toBe(false);
    expect(holderOf(world.restartLease)).toBeUndefined();
    c.update((w) => delete w.aws.regionLoss);
    const again = await rotateTokenIn(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    world = c.world();
    expectRotated(world);
    const token = parameterOf(world).value;
    expect(world.parameterWrites).toEqual([
      { name: '/rancher/rke-ha/token', secret: secretOf(token) },
      { name: '/rancher/rke-ha/standby-token', region: 'us-west-2', secret: secretOf(token) },
    ]);
  });
});

describe('rotate token: one server out at a time, whoever has it out', () => {
  it('a roll holding the restart Lease with its server out: refused (exit 3), nothing written', async () => {
    const c = cluster('three', (world) => {
      withToken(world);
      world.restartLease = {
        holderIdentity: 'ci-runner/4242/2026-11-25T10:00:00.000Z',
        renewTime: new Date().toISOString(),
        leaseDurationSeconds: 3600,
        annotations: { 'rancher-ha-aws/out': '10.0.2.10' },
      };
    });
    const result = await rotateTokenIn(c);
    expect(result.code).toBe(3);
    expect(codesOf(result.out).slice(-2)).toEqual(['ROTATE_STEP_STARTED', 'ROTATE_RESTART_LEASE_REFUSED']);
    expect(said(result.out, 'ROTATE_RESTART_LEASE_REFUSED')).toMatch(/^ci-runner\/4242\/\S+ holds .* with 10\.0\.2\.10 out of the cluster\./);
    expect(c.world().parameterWrites).toBeUndefined();
    expect(c.calls().some((call) => call.startsWith('aws ssm send-command'))).toBe(false);
  });

  it('an upgrade applied while the token files are written: the first restart is not made (its mark cleared, exit 2); once the upgrade is done, a rerun finishes', async () => {
    const c = cluster('three', (world) => {
      withToken(world);
      withUpgradeController(world);
      world.cluster.upgrade.bumpOnConfig = 'h2';
    });
    const first = await rotateTokenIn(c);
    expect(first.code).toBe(2);
    expect(codesOf(first.out).at(-1)).toBe('ROTATE_UPGRADE_IN_FLIGHT');
    expect(said(first.out, 'ROTATE_UPGRADE_IN_FLIGHT')).toContain(' server-0 was not restarted');
    let world = c.world();
    expect(world.cluster.tokenRestarts).toBeUndefined();
    expect(holderOf(world.restartLease)).toBeUndefined();
    // The controller upgrades every server (fake-roll.js upgradeController, the Lease free), then the rerun goes on.
    c.update((w) => {
      for (const s of w.cluster.servers) s.planHash = 'h2';
    });
    const again = await rotateTokenIn(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    world = c.world();
    expectRotated(world);
    expect(world.parameterWrites).toHaveLength(1);
  });

  it('a server not healthy before the start: refused (exit 2), nothing written', async () => {
    const c = cluster('three', (world) => {
      withToken(world);
      world.cluster.servers[2].ready = false;
      world.cluster.servers[2].startFailed = 'hung';
    });
    const result = await rotateTokenIn(c);
    expect(result.code).toBe(2);
    expect(said(result.out, 'ROTATE_CLUSTER_NOT_READY')).toContain('server-2 (not healthy)');
    expect(c.world().parameterWrites).toBeUndefined();
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'rotate.json'))).toBe(false);
  });
});
