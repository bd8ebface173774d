import { codesOf, said } from '../../helpers/plain-output';
import { checkEveryCluster, cluster, withToken } from '../../helpers/roll-world';
import { rotateTokenIn } from '../../helpers/rotate-in-process';
import { expectRotated, parameterOf, rotateToken, secretOf } from '../../helpers/rotate-world';

// `rotate <stack> token` stopped at its steps (kill -9, a restart that does not come back), then run again, against
// the fake cluster with its token modelled (helpers/rotate-world.ts). After every test the fake's invariant (never two
// servers down at once) is checked. The cases killed with kill -9 half-way run the bundled CLI as a process, the
// rerun too, as a person runs it: the fake kills the process that called it (fake-roll.js killAt), which jest's own
// cannot be. The restart that does not come back runs the rotation as a function in jest's process
// (helpers/rotate-in-process.ts: the same world, the same stubs behind the real SDK clients).
checkEveryCluster();

describe('rotate token: killed (kill -9) at any step, then run again: finishes by looking at the world', () => {
  // The first two on K3s's two servers (the steps are the same, and half the calls), the restart on RKE2's three.
  it.each([
    ['put-parameter', 'k3s'],
    ['rotate server-0', 'k3s'],
    ['restart server-1', 'three'],
  ] as const)('killed after %s (%s)', (step, variant) => {
    const servers = variant === 'k3s' ? ['server-0', 'server-1'] : ['server-0', 'server-1', 'server-2'];
    const c = cluster(variant, (world) => {
      withToken(world);
      world.cluster.killAt = step;
    });
    const first = rotateToken(c);
    expect(first.code).not.toBe(0);
    expect(c.world().killed).toEqual([step]);
    const again = rotateToken(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(codesOf(again.out)[0]).toBe('ROTATE_RESUMING');
    const world = c.world();
    expectRotated(world);
    // Never a second token, never a second rotation, no server restarted twice.
    expect(world.parameterWrites).toHaveLength(1);
    expect(world.cluster.rotations).toEqual(['server-0']);
    expect(world.cluster.tokenRestarts.map((r: any) => r.server)).toEqual(servers);
    expect(world.cluster.tokenRestarts.every((r: any) => r.whole)).toBe(true);
  });
});

describe('rotate token with a standby: killed between the two writes', () => {
  it("killed right after production's parameter took the new token: the rerun writes the copy in the standby region before `token rotate`, production's parameter once", () => {
    const c = cluster('standby', (world) => {
      withToken(world);
      world.cluster.killAt = 'put-parameter';
    });
    expect(rotateToken(c).code).not.toBe(0);
    const stopped = c.world();
    // The copy still holds the old token, and no server was asked to rotate.
    expect(stopped.parameters['/rancher/rke-ha/standby-token'].version).toBe(1);
    expect(stopped.cluster.rotations).toBeUndefined();
    const again = rotateToken(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(codesOf(again.out)).toEqual(expect.arrayContaining(['ROTATE_TOKEN_ALREADY_WRITTEN', 'ROTATE_STANDBY_TOKEN_WRITTEN']));
    const world = c.world();
    expectRotated(world);
    const token = parameterOf(world).value;
    expect(world.parameterWrites).toEqual([
      { name: '/rancher/rke-ha/token', secret: secretOf(token) },
      { name: '/rancher/rke-ha/standby-token', region: 'us-west-2', secret: secretOf(token) },
    ]);
    const calls = c.calls();
    const copied = calls.findIndex((call) => call.startsWith('aws ssm put-parameter') && call.includes('us-west-2'));
    expect(copied).toBeGreaterThan(-1);
    expect(copied).toBeLessThan(calls.findIndex((call) => /rotate-token\.sh rotate rke2/.test(call)));
  });
});

describe('rotate token: the transition across a kill', () => {
  it('killed after a restart with every server on the previous cert-renewal.sh: the timers stay disabled while it is stopped, and the run again enables exactly those at its end, disabling nothing twice', () => {
    const c = cluster('three', (world) => {
      withToken(world);
      for (const s of world.cluster.servers) s.renewalScript = 'ab'.repeat(32);
      world.cluster.killAt = 'restart server-1';
    });
    expect(rotateToken(c).code).not.toBe(0);
    // Stopped with a server out of its hands: every timer still off (a reboot would not start one: disabled).
    expect(c.world().cluster.servers.map((s: any) => [s.timerStopped, s.timerDisabled, s.timerMark])).toEqual([
      [true, true, true],
      [true, true, true],
      [true, true, true],
    ]);
    expect(rotateToken(c)).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectRotated(world);
    expect(world.cluster.servers.map((s: any) => [s.timerStops, s.timerStarts, s.timerStopped, s.timerDisabled, s.timerMark])).toEqual([
      [1, 1, false, false, false],
      [1, 1, false, false, false],
      [1, 1, false, false, false],
    ]);
  });
});

describe('rotate token: one server out at a time, whoever has it out', () => {
  it('a restart that does not come back: no second server is restarted, the server stays marked out (a renewal timer waits on it); repaired, a rerun finishes', async () => {
    const c = cluster('three', (world) => {
      withToken(world);
      world.cluster.neverBack = 'server-1';
      world.cluster.renewal = { server: 'server-2' };
    });
    const first = await rotateTokenIn(c, { waitMinutes: 1 });
    expect(first.code).toBe(1);
    expect(codesOf(first.out).at(-1)).toBe('ROTATE_SERVER_NOT_BACK');
    expect(said(first.out, 'ROTATE_SERVER_NOT_BACK')).toMatch(/^server-1 .* after 1 minutes; /);
    let world = c.world();
    expect(world.cluster.tokenRestarts.map((r: any) => r.server)).toEqual(['server-0', 'server-1']);
    expect(world.restartLease.annotations['rancher-ha-aws/out']).toBe('10.0.1.10');
    // The renewal timer of server-2 looked while server-1 was out and was refused by the Lease.
    expect(world.cluster.renewal.restarts).toBeUndefined();
    expect(world.cluster.renewal.deferredTo).toEqual([world.restartLease.holderIdentity]);
    // A person repairs server-1 (journalctl, systemctl restart rke2-server): it starts with its token file's token.
    c.update((w) => {
      const s = w.cluster.servers[1];
      delete s.startFailed;
      s.ready = true;
      s.token.server = s.token.config;
      delete w.cluster.renewal;
    });
    const again = await rotateTokenIn(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    world = c.world();
    expectRotated(world);
    expect(world.cluster.tokenRestarts.map((r: any) => r.server)).toEqual(['server-0', 'server-1', 'server-2']);
  });
});
