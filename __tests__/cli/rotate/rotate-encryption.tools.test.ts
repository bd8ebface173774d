import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { holderOf } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';
import { checkEveryCluster, cluster, FIRST_KEY, roll, withEncryption, withUpgradeController } from '../../helpers/roll-world';
import { rotateKeyIn } from '../../helpers/rotate-in-process';
import { expectKeyRotated, rotateKey } from '../../helpers/rotate-world';

// `rotate <stack> encryption-key` against the fake cluster of helpers/roll-world.ts with RKE2's secrets-encryption
// modelled (fake-roll.js encryptionScript: each server's stage and key as its annotation, `secrets-encrypt status` as
// upstream prints it, rotate-keys refused unless every hash matches, the re-encryption taking several looks, the
// datastore's configuration saved only at reencrypt_finished, restarts that take it). After every test the fake's
// invariant (never two servers down at once) is checked. The rotation runs as a function in jest's process
// (helpers/rotate-in-process.ts: the same world, the same stubs behind the real SDK clients), but in the cases killed
// with kill -9 half-way and run again: those run the bundled CLI as a process, which the fake kills as a person would
// (a process of jest's own cannot be), and its rerun as a process too, as a person reruns it. The roll that follows a
// rotation is a process (the roll's tests).
checkEveryCluster();

const rotatedFile = (c: { moduleDir: string }) => join(c.moduleDir, '.rancher-ha-aws', 'rotate.json');
const scriptCalls = (calls: string[], action: string) =>
  calls.filter((call) => call.startsWith('aws ssm send-command') && call.includes(`rotate-encryption.sh ${action}`));

describe('rotate encryption-key: the way through', () => {
  it('RKE2, three servers: rotate-keys once on server-0, no restart until it reports reencrypt_finished, then the two others restarted one at a time, each marked out', async () => {
    const c = cluster('three', (world) => {
      withEncryption(world);
      world.cluster.encryption.reencryptLooksEach = 4;
    });
    const result = await rotateKeyIn(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectKeyRotated(world, FIRST_KEY);
    expect(world.cluster.encryption.rotations).toEqual(['server-0']);
    expect(scriptCalls(c.calls(), 'rotate')).toHaveLength(1);
    expect(scriptCalls(c.calls(), 'rotate')[0]).toContain(`rotate ${FIRST_KEY}`);
    // The rotating server is not restarted (its configuration is already the new one); the others each once, with
    // the cluster whole, the Lease naming that server out, never while the re-encryption ran.
    expect(world.cluster.encryption.restarts).toEqual([
      { server: 'server-1', out: '10.0.1.10', whole: true, during: 'none' },
      { server: 'server-2', out: '10.0.2.10', whole: true, during: 'none' },
    ]);
    // What it told: the Lease (step 1 of 5), rotate-keys (3 of 5), the re-encryption (4 of 5) ended before the first of
    // the two restarts (restart n of 2), each through its two steps, then the end.
    const restart = ['ROTATE_SERVER_STARTED', 'ROTATE_NO_TIMER_DISABLED', 'ROTATE_STEP_STARTED', 'ROTATE_SERVER_RESTART_ASKED'];
    expect(codesOf(result.out)).toEqual([
      'ROTATE_PLAN',
      ...['ROTATE_STEP_STARTED', 'ROTATE_LEASE_TAKEN', 'ROTATE_NO_TIMER_DISABLED'],
      ...['ROTATE_STEP_STARTED', 'ROTATE_KEYS_ROTATED', 'ROTATE_STEP_STARTED', 'ROTATE_REENCRYPTED'],
      ...[1, 2].flatMap(() => [...restart, 'ROTATE_STEP_STARTED', 'ROTATE_SERVER_BACK', 'ROTATE_SERVER_RESTARTED']),
      'ROTATE_FINISHED',
    ]);
    expect(said(result.out, 'ROTATE_STEP_STARTED').match(/^Step \d of 5/gm)).toEqual(['Step 1 of 5', 'Step 3 of 5', 'Step 4 of 5']);
    expect(
      said(result.out, 'ROTATE_SERVER_STARTED')
        .split('\n')
        .map((m) => /^Restart (\d of 2): (server-\d)/.exec(m)?.slice(1).join(' ')),
    ).toEqual(['1 of 2 server-1', '2 of 2 server-2']);
    expect(existsSync(rotatedFile(c))).toBe(false);
  });

  it("servers still on the previous cert-renewal.sh: their timers disabled (the roll's transition) before the first restart, enabled again at the end", async () => {
    const c = cluster('three', (world) => {
      withEncryption(world);
      for (const s of world.cluster.servers) s.renewalScript = 'ab'.repeat(32);
    });
    expect(await rotateKeyIn(c)).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectKeyRotated(world, FIRST_KEY);
    expect(world.cluster.servers.map((s: any) => [s.timerStops, s.timerStarts, s.timerDisabled])).toEqual([
      [1, 1, false],
      [1, 1, false],
      [1, 1, false],
    ]);
  });

  it('--dry-run prints the steps and changes nothing (only the state read)', async () => {
    const c = cluster('three', withEncryption);
    const result = await rotateKeyIn(c, { dryRun: true });
    expect(result.code).toBe(0);
    expect(codesOf(result.out)).toEqual(['ROTATE_PLAN', 'ROTATE_DRY_RUN']);
    expect(said(result.out, 'ROTATE_PLAN')).toMatch(/^ {2}3\. `rke2 secrets-encrypt rotate-keys` once, on server-0/m);
    expect(c.calls()).toEqual(['terraform state pull']);
  });
});

describe('rotate encryption-key: refusals', () => {
  it('K3s: refused with the reason (its servers here do not set secrets-encryption), nothing asked of the cluster', async () => {
    const c = cluster('k3s');
    const result = await rotateKeyIn(c);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['ROTATE_K3S_NO_KEY']);
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it("the servers' hashes not matching (a rotation left half done: server-2 never restarted): refused (exit 2) with the next step, nothing rotated or restarted", async () => {
    const c = cluster('three', (world) => {
      withEncryption(world);
      const newer = { stage: 'reencrypt_finished', active: 'aescbckey-2026-06-01T00:00:00Z' };
      world.cluster.encryption.saved = newer;
      world.cluster.servers[0].enc = { ...newer };
      world.cluster.servers[1].enc = { ...newer };
    });
    const result = await rotateKeyIn(c);
    expect(result.code).toBe(2);
    expect(codesOf(result.out).at(-1)).toBe('ROTATE_HALF_DONE');
    // The servers' own words (`secrets-encrypt status`) and each server's key and stage, for the person to act on.
    expect(said(result.out, 'ROTATE_HALF_DONE')).toContain('hash does not match between ip-10-0-0-10 and ip-10-0-2-10');
    expect(said(result.out, 'ROTATE_HALF_DONE')).toContain('server-2 aescbckey-2026-01-01T00:00:00Z (start)');
    const world = c.world();
    expect(world.cluster.encryption.rotations).toBeUndefined();
    expect(world.cluster.encryption.restarts).toBeUndefined();
    expect(scriptCalls(c.calls(), 'rotate')).toHaveLength(0);
    expect(existsSync(rotatedFile(c))).toBe(false);
  });

  it('a token rotation left unfinished in the folder: refused (exit 2), naming it', async () => {
    const c = cluster('three', withEncryption);
    mkdirSync(join(c.moduleDir, '.rancher-ha-aws'));
    writeFileSync(rotatedFile(c), JSON.stringify({ holder: 'x/1/2026', started: '2026-11-25T10:00:00Z', rotation: 'token' }));
    const result = await rotateKeyIn(c);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['ROTATE_OTHER_ROTATION_UNFINISHED']);
    expect(said(result.out, 'ROTATE_OTHER_ROTATION_UNFINISHED')).toMatch(/ token started 2026-11-25T10:00:00Z .*`rotate token`/);
    expect(c.calls()).toEqual(['terraform state pull']);
  });
});

describe('rotate encryption-key: killed (kill -9), then run again: finishes by looking at the servers, never rotates twice', () => {
  it.each([
    ['rotate-keys server-0', 6],
    ['restart server-1', 2],
  ] as const)('killed after %s', (step, looks) => {
    const c = cluster('three', (world) => {
      withEncryption(world);
      world.cluster.encryption.reencryptLooksEach = looks;
      world.cluster.killAt = step;
    });
    const first = rotateKey(c);
    expect(first.code).not.toBe(0);
    expect(c.world().killed).toEqual([step]);
    const again = rotateKey(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(codesOf(again.out)[0]).toBe('ROTATE_RESUMING');
    const world = c.world();
    expectKeyRotated(world, FIRST_KEY);
    expect(world.cluster.encryption.rotations).toEqual(['server-0']);
    expect(world.cluster.encryption.restarts.map((r: any) => r.server)).toEqual(['server-1', 'server-2']);
    expect(world.cluster.encryption.restarts.every((r: any) => r.whole && r.during === 'none')).toBe(true);
  });
});

describe('rotate encryption-key: one server out at a time, whoever has it out', () => {
  it('a restart that does not come back: no second server is restarted, the server stays marked out; repaired, a rerun finishes; a server that joins afterwards (a roll) takes the new key', async () => {
    const c = cluster('three', (world) => {
      withEncryption(world);
      world.cluster.neverBack = 'server-1';
      world.cluster.renewal = { server: 'server-2' };
    });
    const first = await rotateKeyIn(c, { waitMinutes: 1 });
    expect(first.code).toBe(1);
    expect(codesOf(first.out).at(-1)).toBe('ROTATE_SERVER_NOT_BACK');
    expect(said(first.out, 'ROTATE_SERVER_NOT_BACK')).toMatch(/^server-1 .* after 1 minutes; /);
    let world = c.world();
    expect(world.cluster.encryption.restarts.map((r: any) => r.server)).toEqual(['server-1']);
    expect(world.restartLease.annotations['rancher-ha-aws/out']).toBe('10.0.1.10');
    // The renewal timer of server-2 looked while server-1 was out and was refused by the Lease.
    expect(world.cluster.renewal.restarts).toBeUndefined();
    expect(world.cluster.renewal.deferredTo).toEqual([world.restartLease.holderIdentity]);
    // A person repairs server-1 (journalctl, systemctl restart rke2-server): it starts with the datastore's configuration.
    c.update((w) => {
      const s = w.cluster.servers[1];
      delete s.startFailed;
      s.ready = true;
      s.enc = { ...w.cluster.encryption.saved };
      delete w.cluster.renewal;
    });
    const again = await rotateKeyIn(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    world = c.world();
    expectKeyRotated(world, FIRST_KEY);
    expect(world.cluster.encryption.rotations).toEqual(['server-0']);
    expect(world.cluster.encryption.restarts.map((r: any) => r.server)).toEqual(['server-1', 'server-2']);
    expect(roll(c, '--server', 'server-2')).toMatchObject({ code: 0, err: '' });
    expectKeyRotated(c.world(), FIRST_KEY);
  });

  it('an upgrade applied while server-0 re-encrypts: the first restart is not made (its mark cleared, exit 2); once the upgrade is done, a rerun finishes without rotating again', async () => {
    const c = cluster('three', (world) => {
      withEncryption(world);
      withUpgradeController(world);
      world.cluster.upgrade.bumpOnRotateKeys = 'h2';
    });
    const first = await rotateKeyIn(c);
    expect(first.code).toBe(2);
    expect(codesOf(first.out).at(-1)).toBe('ROTATE_UPGRADE_IN_FLIGHT');
    expect(said(first.out, 'ROTATE_UPGRADE_IN_FLIGHT')).toContain(' server-1 was not restarted');
    let world = c.world();
    expect(world.cluster.encryption.restarts).toBeUndefined();
    expect(holderOf(world.restartLease)).toBeUndefined();
    // The controller upgrades every server once the Lease is free (fake-roll.js upgradeController), then the rerun goes on.
    c.update((w) => {
      for (const s of w.cluster.servers) s.planHash = 'h2';
      w.cluster.upgrade.plan.applying = [];
    });
    const again = await rotateKeyIn(c);
    expect(again).toMatchObject({ code: 0, err: '' });
    world = c.world();
    expectKeyRotated(world, FIRST_KEY);
    expect(world.cluster.encryption.rotations).toEqual(['server-0']);
  });
});
