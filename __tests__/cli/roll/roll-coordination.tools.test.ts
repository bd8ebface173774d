import { holderOf } from '../../helpers/fake-cloud';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEveryCluster, cluster, mutating, roll as rollAsProcess, withUpgradeController } from '../../helpers/roll-world';
import { roll } from '../../helpers/roll-in-process';
import { codesOf, said } from '../../helpers/plain-output';

// The roll command against the fake cluster of helpers/roll-world.ts; after every test the fake's invariant (never two
// servers down at once) is checked. Driven as a function in this process (helpers/roll-in-process.ts) but for two
// cases that run the bundled CLI as users run it (rollAsProcess): the transition roll killed with SIGKILL during its
// apply and resumed (its stub kills the process that called it, which here would be jest's), and the refusals before
// the roll starts (kubectl missing from PATH and conflicting options: main.ts's; an uninitialized module: its error
// as the one line on standard error).
checkEveryCluster();

describe('roll: what may not run beside it (upgrades, renewals, stale members)', () => {
  it.each([
    [
      'the target record differs from the running one',
      (u: any) => Object.assign(u, { target: 'v1.36.1+rke2r1', running: 'v1.35.7+rke2r1' }),
      'the last apply set the Kubernetes target to v1.36.1+rke2r1, but the running record says v1.35.7+rke2r1',
    ],
    [
      'the Plan is applying',
      (u: any) => Object.assign(u.plan, { applying: ['ip-10-0-2-10'] }),
      'the upgrade Plan system-upgrade/server-plan is applying on ip-10-0-2-10',
    ],
    [
      'a server Node lacks the latest hash label',
      (_u: any, world: any) => Object.assign(world.cluster.servers[1], { planHash: 'h-old' }),
      'has yet to run on ip-10-0-1-10',
    ],
  ])('an in-place upgrade pending or running (%s): refused with exit 2, touching nothing', async (_, change, message) => {
    const c = cluster('three', (world) => {
      world.cluster.upgrade = { target: 'v1.35.7+rke2r1', running: 'v1.35.7+rke2r1', plan: { latestHash: 'h-new', applying: [] } };
      change(world.cluster.upgrade, world);
    });
    const result = await roll(c);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toContain('ROLL_UPGRADE_IN_FLIGHT');
    expect(said(result.out, 'ROLL_UPGRADE_IN_FLIGHT')).toContain(message);
    expect(mutating(c.calls())).toEqual([]);
    expect(c.calls().some((call) => call.startsWith('terraform plan'))).toBe(false);
    expect(holderOf(c.world().lease)).toBeUndefined();
  });
  it('the upgrade Plan runs on the new server and does not finish: the roll waits, then stops before the next server', async () => {
    const c = cluster('three', (world) => {
      world.cluster.upgrade = { target: 'v1.35.7+rke2r1', running: 'v1.35.7+rke2r1', plan: { latestHash: 'h-new', applying: [], stuckOnJoin: true } };
    });
    const result = await roll(c, '--wait-minutes', '1');
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_REJOIN_UPGRADE_PENDING')).toContain('system-upgrade/server-plan is applying on ip-10-0-0-10 after 1 minutes');
    expect(c.world().replaced).toEqual(['server-0']);
    expect(c.calls().some((call) => call.includes('drain ip-10-0-1-10'))).toBe(false);
    // Finished by the controller: the rerun refuses nothing more and goes on.
    c.update((world) => {
      world.cluster.upgrade.plan = { latestHash: 'h-new', applying: [] };
    });
    expect(await roll(c)).toSucceed();
    expect(c.world().replaced).toEqual(['server-0', 'server-1', 'server-2']);
  });
  it('a version bump applied while the roll runs: the roll holds the restart Lease, and once its out mark is written it looks again and stops before the drain (exit 2, nothing touched, the Lease given back); the upgrade then goes on', async () => {
    const c = cluster('three', (world) => {
      // The controller restarts a server for six looks; the bump lands while the snapshot before server-1 runs.
      world.cluster.upgrade = {
        target: 'v1.35.7+rke2r1',
        running: 'v1.35.7+rke2r1',
        plan: { latestHash: 'h1', applying: [] },
        controller: { restartLooks: 6 },
        bumpDuringSnapshot: 'h2',
      };
      for (const s of world.cluster.servers) s.planHash = 'h1';
    });
    const result = await roll(c, '--server', 'server-1');
    const world = c.world();
    // Before the mark, the Job's prepare step found the roll's Lease held: it did not pass.
    expect(world.cluster.upgrade.controller.refused).toEqual(
      expect.arrayContaining([expect.stringMatching(/^server-0: restart Lease held by [^/\s]+\/\d+\//)]),
    );
    // After the mark, the roll saw the upgrade applying (design notes, "Who may restart a server": an upgrade Job
    // whose prepare step passed before the mark would be restarting a server now) and stopped before the drain.
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toContain('ROLL_UPGRADE_IN_FLIGHT');
    expect(said(result.out, 'ROLL_UPGRADE_IN_FLIGHT')).toContain('server-1 was not touched');
    expect(world.replaced ?? []).toEqual([]);
    expect(c.calls().some((call) => call.includes('drain ip-10-0-1-10'))).toBe(false);
    // Given back: the controller goes on with its Plan.
    expect(holderOf(world.restartLease)).toBeUndefined();
    expect(c.violations()).toBe('');
  });
  it("the Plan's Job on the replaced server itself passes its prepare step (the roll names it on its Lease), and the roll waits for it", async () => {
    const c = cluster('three', (world) => {
      withUpgradeController(world);
    });
    expect(await roll(c, '--server', 'server-1')).toSucceed();
    const world = c.world();
    expect(world.cluster.upgrade.controller.upgraded).toEqual(['server-1']);
    expect(world.cluster.servers[1].planHash).toBe('h1');
    expect(holderOf(world.restartLease)).toBeUndefined();
  });
  it('a cluster without the upgrade objects (K3s, or a deployment older than them) is not refused for their absence', async () => {
    const c = cluster('k3s', (world) => {
      world.cluster.upgrade = undefined;
    });
    expect(await roll(c, '--server', 'server-1')).toSucceed();
    expect(c.calls().some((call) => call.includes('get plans.upgrade.cattle.io server-plan'))).toBe(true);
  });
  it("holds the servers' restart Lease while a server is out: a certificate renewal due meanwhile restarts nothing", async () => {
    const c = cluster('three', (world) => {
      world.cluster.renewal = { server: 'server-2' };
    });
    expect(await roll(c, '--server', 'server-0')).toSucceed();
    const world = c.world();
    // The renewal timer ran while server-0 was out and found the Lease held by the roll (as cert-renewal.sh reads it).
    expect(world.cluster.renewal.restarts).toBeUndefined();
    expect(world.cluster.renewal.deferredTo).toEqual([expect.stringMatching(/^[^/\s]+\/\d+\/\d{4}-\d\d-\d\dT/)]);
    expect(holderOf(world.restartLease)).toBeUndefined(); // given back once server-0 is back
    const create = c.calls().find((call) => call.startsWith('kube-api POST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases '));
    expect(create).toBeDefined();
    expect(c.violations()).toBe('');
  });
  // A renewal's Lease as cert-renewal.sh take_lease writes it: its own server named out from the take.
  const RENEWAL_OUT = { 'rancher-ha-aws/out': '10.0.2.10' };
  it('waits while a certificate renewal holds the restart Lease (its own server named out, as the timer writes it), and goes on once it is given back', async () => {
    const now = new Date().toISOString().replace('Z', '000Z');
    const c = cluster('three', (world) => {
      world.restartLease = {
        holderIdentity: 'ip-10-0-2-10',
        leaseDurationSeconds: 1800,
        acquireTime: now,
        renewTime: now,
        annotations: RENEWAL_OUT,
        releaseAfterLooks: 3,
      };
    });
    const result = await roll(c, '--server', 'server-0');
    expect(result).toSucceed();
    expect(said(result.out, 'ROLL_RESTART_LEASE_WAIT')).toMatch(/^ip-10-0-2-10 .*kube-system\/rancher-aws-server-restart.* 10\.0\.2\.10 out/);
    const calls = c.calls();
    const looks = calls.flatMap((call, i) => (call.includes('get lease rancher-aws-server-restart') ? [i] : []));
    expect(looks.length).toBeGreaterThanOrEqual(4);
    // Looked four times (three held, then free), and only then cordoned.
    expect(calls.findIndex((call) => call.endsWith('cordon ip-10-0-0-10'))).toBeGreaterThan(looks[3]);
    expect(c.world().replaced).toEqual(['server-0']);
  });
  it('a renewal that never gives the restart Lease back: the roll waits its budget, then stops before draining, the cluster whole', async () => {
    const now = new Date().toISOString().replace('Z', '000Z');
    const c = cluster('three', (world) => {
      world.restartLease = { holderIdentity: 'ip-10-0-2-10', leaseDurationSeconds: 1800, acquireTime: now, renewTime: now, annotations: RENEWAL_OUT };
    });
    const result = await roll(c, '--server', 'server-0');
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_RESTART_LEASE_TIMEOUT')).toMatch(/^ip-10-0-2-10 .*kube-system\/rancher-aws-server-restart/);
    expect(c.calls().some((call) => /cordon|drain|delete node|terraform apply/.test(call))).toBe(false);
    expect(c.world().restartLease.holderIdentity).toBe('ip-10-0-2-10');
    expect(holderOf(c.world().lease)).toBeUndefined();
  });
  // The sha256 of a cert-renewal.sh other than this version's, as a server rolled onto an earlier version holds it.
  const PREVIOUS_SCRIPT = 'ab'.repeat(32);
  it("the roll that installs a new cert-renewal.sh: every old timer stopped through SSM before the first server is marked out, and said; each replaced server comes back with the new one's", async () => {
    const c = cluster('three', (world) => {
      for (const s of world.cluster.servers) s.renewalScript = PREVIOUS_SCRIPT;
    });
    const result = await roll(c);
    expect(result).toSucceed();
    expect(said(result.out, 'ROLL_TIMERS_DISABLED')).toMatch(/^server-0, server-1, server-2 .*\(sha256 [0-9a-f]{12}…\)/);
    const calls = c.calls();
    const stops = calls.flatMap((call, i) => (call.startsWith('aws ssm send-command') && call.includes('renewal timer of server-') ? [i] : []));
    // All three before the first drain (the fake checks at every call that no server is marked out while an old timer
    // runs), and looked at again before each of the other two drains.
    expect(stops).toHaveLength(9);
    expect(Math.max(...stops.slice(0, 3))).toBeLessThan(calls.findIndex((call) => call.includes('drain ip-10-0-0-10')));
    const world = c.world();
    expect(world.replaced).toEqual(['server-0', 'server-1', 'server-2']);
    for (const s of world.cluster.servers) expect([s.renewalScript, s.timerStopped, s.timerStops]).toEqual([undefined, false, 1]);
    // Replaced, none is started again by the roll: the new user data enables its own.
    expect(calls.some((call) => call.includes('renewal timer of server-0 again'))).toBe(false);
  });
  it('a roll of one server during that transition: the old timers of the servers it does not replace run again at its end', async () => {
    const c = cluster('three', (world) => {
      for (const s of world.cluster.servers) s.renewalScript = PREVIOUS_SCRIPT;
    });
    const result = await roll(c, '--server', 'server-1');
    expect(result).toSucceed();
    expect(said(result.out, 'ROLL_TIMER_ENABLED')).toMatch(/^server-0: /);
    const servers = c.world().cluster.servers;
    expect(servers.map((s: any) => [s.timerStopped, s.timerStarts])).toEqual([
      [false, 1],
      [false, undefined],
      [false, 1],
    ]);
    expect(servers[1].renewalScript).toBeUndefined();
    expect(servers[0].renewalScript).toBe(PREVIOUS_SCRIPT);
  });
  it("servers on this version's cert-renewal.sh: looked at, nothing stopped", async () => {
    const c = cluster('three');
    const result = await roll(c, '--server', 'server-2');
    expect(result).toSucceed();
    expect(codesOf(result.out)).toContain('ROLL_NO_TIMER_DISABLED');
    expect(codesOf(result.out)).not.toContain('ROLL_TIMERS_DISABLED');
    expect(c.world().cluster.servers.map((s: any) => s.timerStops)).toEqual([undefined, undefined, undefined]);
  });
  it('an old renewal run that does not end within the budget: the roll stops before any server is marked out, the timers it stopped run again', async () => {
    const c = cluster('three', (world) => {
      world.cluster.servers[2].renewalScript = PREVIOUS_SCRIPT;
      world.cluster.servers[2].renewalRunning = 1;
    });
    const result = await roll(c, '--server', 'server-0');
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_RENEWAL_TIMER_FAILED')).toMatch(/^Disabling the certificate-renewal timer of server-2 .* within 20 minutes/);
    expect(said(result.out, 'ROLL_TIMER_ENABLED')).toMatch(/^server-2: /);
    const world = c.world();
    expect(world.cluster.servers[2]).toMatchObject({ timerStopped: false, timerStarts: 1 });
    expect(c.calls().some((call) => /drain|delete node|terraform apply/.test(call))).toBe(false);
    expect(holderOf(world.restartLease)).toBeUndefined();
    expect(world.restartLease?.annotations?.['rancher-ha-aws/out']).toBeUndefined();
    // Once that run ended, the rerun looks again and goes on.
    c.update((w) => {
      w.cluster.servers[2].renewalRunning = 0;
    });
    expect(await roll(c, '--server', 'server-0')).toSucceed();
    expect(c.world().cluster.servers[2]).toMatchObject({ timerStops: 2, timerStarts: 2, timerStopped: false });
  });
  it('AWS reboots a server while the transition roll has a server out (during the drain): its old timer, disabled, does not start with it; enabled again at the end', async () => {
    const c = cluster('three', (world) => {
      for (const s of world.cluster.servers) s.renewalScript = PREVIOUS_SCRIPT;
      world.cluster.rebootDuringDrain = { server: 'server-1', looks: 1 };
    });
    // The fake checks at every call that no server is marked out while an old timer runs: a timer only stopped
    // (`systemctl stop`, the transition before issue 62) starts again at the reboot, with server-0 marked out.
    expect(await roll(c, '--server', 'server-0')).toSucceed();
    const world = c.world();
    expect(world.reboots).toEqual(['server-1']);
    expect(world.cluster.servers.map((s: any) => [s.name, s.timerStopped, s.timerDisabled, s.timerMark, s.timerStarts])).toEqual([
      ['server-0', false, false, false, undefined],
      ['server-1', false, false, false, 1],
      ['server-2', false, false, false, 1],
    ]);
  });
  it("a server down at the transition's look (AWS reboots it during the snapshot): its old timer is not passed over; SSM cannot reach it, so the roll stops before any mark, and the rerun disables it", async () => {
    const c = cluster('three', (world) => {
      for (const s of world.cluster.servers) s.renewalScript = PREVIOUS_SCRIPT;
      world.cluster.rebootDuringSnapshot = { server: 'server-2', looks: 3 };
    });
    // Before, the transition passed over a server that was not Ready at its one look: its timer, enabled, came back
    // with it while server-0 was marked out (the fake records that as a violation).
    const stopped = await roll(c, '--server', 'server-0');
    expect(stopped.code).toBe(1);
    expect(said(stopped.out, 'ROLL_RENEWAL_TIMER_FAILED')).toMatch(/^Disabling the certificate-renewal timer of server-2 /);
    expect(c.calls().some((call) => /drain|delete node|terraform apply/.test(call))).toBe(false);
    expect(c.world().reboots).toEqual(['server-2']);
    // Back: the rerun disables all three before server-0's mark, and enables again those it did not replace.
    c.update((w) => {
      for (const s of w.cluster.servers) if (s.rebooting !== undefined) Object.assign(s, { rebooting: undefined, ready: true });
    });
    expect(await roll(c, '--server', 'server-0')).toSucceed();
    expect(c.world().cluster.servers.map((s: any) => [s.name, s.timerStopped, s.timerDisabled])).toEqual([
      ['server-0', false, false],
      ['server-1', false, false],
      ['server-2', false, false],
    ]);
    expect(c.world().cluster.servers[2].timerStops).toBeGreaterThanOrEqual(1);
  });
  it("the transition looks again before each server's mark: an old timer a person enabled again after the first server's replacement is disabled before the second server goes out", async () => {
    const c = cluster('three', (world) => {
      for (const s of world.cluster.servers) s.renewalScript = PREVIOUS_SCRIPT;
      world.cluster.timerEnabledBeforeNextServer = 'server-2';
    });
    // Before, the transition looked once: server-2's timer ran while server-1 was marked out (a violation of the fake).
    expect(await roll(c, '--all')).toSucceed();
    const calls = c.calls();
    const drains = calls.flatMap((call, i) => (call.includes(' drain ') ? [i] : []));
    expect(drains).toHaveLength(3);
    // server-2's timer is looked at before each of the three drains (the first look disables it; the next find it off).
    for (const drain of drains) {
      const before = calls.slice(0, drain);
      const looks = before.filter((call) => call.startsWith('aws ssm send-command') && call.includes('renewal timer of server-2'));
      expect(looks.length).toBe(drains.indexOf(drain) + 1);
    }
  });
  it('a server its renewal timer cordoned (about to restart it): the roll, its mark written, sees it and stops before the drain, the mark cleared', async () => {
    const c = cluster('three', (world) => {
      world.cluster.servers[2].cordoned = true;
    });
    const result = await roll(c, '--server', 'server-0');
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_SERVERS_CORDONED')).toMatch(/^server-2 is cordoned .*; server-0 was not touched/);
    expect(c.calls().some((call) => /drain|delete node|terraform apply/.test(call))).toBe(false);
    expect(holderOf(c.world().restartLease)).toBeUndefined();
  });
  it('killed (kill -9) during the apply of the transition roll, then resumed: the timers it disabled stay off meanwhile, and the resumed run enables those it did not replace', () => {
    const c = cluster('three', (world) => {
      for (const s of world.cluster.servers) s.renewalScript = PREVIOUS_SCRIPT;
      world.killAfterApply = true;
    });
    expect(rollAsProcess(c, '--server', 'server-1').code).not.toBe(0);
    expect(c.world().cluster.servers.map((s: any) => [s.name, s.timerDisabled])).toEqual([
      ['server-0', true],
      ['server-1', false],
      ['server-2', true],
    ]);
    expect(rollAsProcess(c)).toSucceed();
    expect(c.world().cluster.servers.map((s: any) => [s.name, s.timerStops, s.timerStarts, s.timerStopped, s.timerDisabled])).toEqual([
      ['server-0', 1, 1, false, false],
      ['server-1', 1, undefined, false, false],
      ['server-2', 1, 1, false, false],
    ]);
  });
  it('enables again exactly what an operation disabled: a mark left by a run killed before it recorded its list counts, a timer a person disabled stays off', async () => {
    const c = cluster('three', (world) => {
      for (const s of world.cluster.servers) s.renewalScript = PREVIOUS_SCRIPT;
      // server-0: disabled by a person; server-2: disabled by an earlier run of an operation, which was killed.
      Object.assign(world.cluster.servers[0], { timerStopped: true, timerDisabled: true });
      Object.assign(world.cluster.servers[2], { timerStopped: true, timerDisabled: true, timerMark: true });
    });
    const result = await roll(c, '--server', 'server-1');
    expect(result).toSucceed();
    expect(said(result.out, 'ROLL_TIMER_LEFT_DISABLED')).toMatch(/^server-0 /);
    expect(said(result.out, 'ROLL_TIMER_ENABLED')).toMatch(/^server-2: /);
    expect(c.world().cluster.servers.map((s: any) => [s.name, s.timerStopped, s.timerDisabled, s.timerMark ?? false])).toEqual([
      ['server-0', true, true, false],
      ['server-1', false, false, false],
      ['server-2', false, false, false],
    ]);
  });
  it("a restart Lease put back by a restore, marking a server out: without the restore's record (or with an earlier version's, which names no Lease) refused (exit 3) as any Lease with a server out; with it, taken, its mark cleared, and the roll goes on", async () => {
    const renewed = '2026-11-20T08:00:00.000000Z';
    const c = cluster('three', (world) => {
      world.restartLease = {
        resourceVersion: '812',
        holderIdentity: 'ci-runner-7/4242/2026-11-20T07:00:00.000Z',
        leaseDurationSeconds: 3600,
        acquireTime: renewed,
        renewTime: renewed,
        annotations: { 'rancher-ha-aws/out': '10.0.1.10' },
      };
    });
    const refused = await roll(c, '--server', 'server-0');
    expect(refused.code).toBe(3);
    expect(said(refused.out, 'ROLL_RESTART_LEASE_REFUSED')).toContain('with 10.0.1.10 out of the cluster');
    // A record of an earlier version (when the reset began, a server's clock) names no Lease: still refused.
    c.update((world) => {
      world.restoreRecord = { restoredAt: '2026-11-21T09:00:00Z' };
    });
    expect((await roll(c, '--server', 'server-0')).code).toBe(3);
    // rke2-restore.sh records the Lease's resourceVersion after the restore: this Lease, not written since.
    c.update((world) => {
      world.restoreRecord = { restoredLeaseVersion: '812', resetBegan: '2026-11-21T09:00:00Z' };
    });
    expect(await roll(c, '--server', 'server-0')).toSucceed();
    const world = c.world();
    expect(world.replaced).toEqual(['server-0']);
    expect(holderOf(world.restartLease)).toBeUndefined();
    expect(world.restartLease.annotations['rancher-ha-aws/out']).toBeUndefined();
  });
  it("a restart Lease written since the restore is not taken, whatever its renewTime says (a roll whose machine's clock is behind the servers'): a marked one still refuses (exit 3)", async () => {
    // Renewed a day before the reset began by the servers' clock, and written after it: its version moved on.
    const renewed = '2026-11-20T08:00:00.000000Z';
    const c = cluster('three', (world) => {
      world.restoreRecord = { restoredLeaseVersion: '812', resetBegan: '2026-11-21T09:00:00Z' };
      world.restartLease = {
        resourceVersion: '815',
        holderIdentity: 'ci-runner-7/4242/2026-11-22T07:00:00.000Z',
        leaseDurationSeconds: 3600,
        acquireTime: renewed,
        renewTime: renewed,
        annotations: { 'rancher-ha-aws/out': '10.0.1.10' },
      };
    });
    expect((await roll(c, '--server', 'server-0')).code).toBe(3);
    expect(mutating(c.calls())).toEqual([]);
  });
  it('the Node deletion outlasts its budget (a stuck finalizer): the lock stays, the server counts as out, a rerun waits on and finishes', async () => {
    const c = cluster('three', (world) => {
      world.cluster.stuckFinalizer = 35; // more looks than the 5-minute budget has (30)
    });
    const first = await roll(c, '--server', 'server-0');
    expect(first.code).toBe(1);
    expect(said(first.out, 'ROLL_REMOVE_TIMEOUT')).toMatch(/^server-0's Node \(ip-10-0-0-10\) .* after 5 minutes/);
    const world = c.world();
    expect(holderOf(world.lease)).toBeDefined();
    expect(holderOf(world.restartLease)).toBeDefined();
    expect(world.cluster.servers[0]).toMatchObject({ deleting: true, nodePresent: true });
    const record = JSON.parse(readFileSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.json'), 'utf8'));
    expect(record).toMatchObject({ removing: 'server-0', done: { 'server-0': 'drain' } });
    expect(c.calls().some((call) => /uncordon|terraform apply/.test(call))).toBe(false);
    // The rerun accepts server-0 as the one in flight and keeps waiting for the removal, then replaces it.
    const second = await roll(c);
    expect(second).toSucceed();
    expect(codesOf(second.out)).toContain('ROLL_RESUMING');
    expect(c.world().replaced).toEqual(['server-0']);
    expect(holderOf(c.world().lease)).toBeUndefined();
  });
  it('an etcd member no server Node stands for (a lost server never removed): refused with exit 2, naming it, touching nothing', async () => {
    const c = cluster('three', (world) => {
      world.cluster.extraMembers = [{ ID: '99', name: 'ip-10-0-3-10-0badc0de', peerURLs: ['https://10.0.3.10:2380'] }];
    });
    const result = await roll(c);
    expect(result.code).toBe(2);
    expect(said(result.out, 'ROLL_STRAY_ETCD_MEMBERS')).toMatch(/: ip-10-0-3-10-0badc0de https:\/\/10\.0\.3\.10:2380\. server-0 was not touched/);
    expect(c.calls().some((call) => /cordon|drain|delete node|terraform apply|etcd-snapshot/.test(call))).toBe(false);
    expect(holderOf(c.world().lease)).toBeUndefined();
    // The Nodes and the members agree once it is gone.
    c.update((world) => {
      world.cluster.extraMembers = [];
    });
    expect(await roll(c, '--server', 'server-2')).toSucceed();
  });
  it('refuses clearly: no kubectl, no state, terraform not initialized, flags that exclude each other', () => {
    const c = cluster('three');
    const result = c.run(['roll', '--dir', 'module'], { tools: ['terraform', 'aws'] });
    expect(result.code).toBe(1);
    expect(result.err).toContain("'kubectl' was not found on PATH");
    expect(c.calls()).toEqual([]);
    // commander's words for options declared as conflicting (cli/command-line.ts), exit 2 as every command-line mistake.
    const both = rollAsProcess(c, '--all', '--server', 'server-1');
    expect(both.code).toBe(2);
    expect(both.err).toContain("Option '--all' cannot be used with option '--server <name>'.");
    c.update((world) => {
      world.failures = { 'terraform state pull': 1 };
      world.failureMessages = { 'terraform state pull': 'Error: Backend initialization required, please run "terraform init"\n' };
      world.state = { version: 4, resources: [], outputs: {} };
    });
    const uninitialized = rollAsProcess(c);
    expect(uninitialized.code).toBe(1);
    expect(uninitialized.err).toMatch(/module was never initialized: run `terraform -chdir=\S*module init`.*then this command again\./);
    const empty = rollAsProcess(c);
    expect(empty.code).toBe(2);
    expect(codesOf(empty.out)).toEqual(['ROLL_NO_DEPLOYMENT']);
  });
});
