import { holderOf } from '../../helpers/fake-cloud';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { stateFilePath } from '../../../cli/shared/state-file';
import { checkEveryCluster, cluster, mutating, roll as rollAsProcess } from '../../helpers/roll-world';
import { roll } from '../../helpers/roll-in-process';
import { codesOf, said } from '../../helpers/plain-output';

// The roll command against the fake cluster of helpers/roll-world.ts; after every test the fake's invariant (never two
// servers down at once) is checked. Driven as a function in this process (helpers/roll-in-process.ts) but for the
// cases about the process itself, which run the bundled CLI as users run it (rollAsProcess): a roll killed with
// SIGKILL during its apply and resumed (twice: the plain resume, and a second run refused while the first holder's
// process lives), SIGINT and SIGTERM during a drain (the signal handlers are main.ts's), and Ctrl-C to the roll's
// process group (the drain in a group of its own is not killed). Their stubs signal the process that called them,
// which in this process would be jest's.
checkEveryCluster();

describe('roll: failures on the way, interruptions, resume', () => {
  it('the snapshot fails: stops before touching the server, cluster whole, lock given back', async () => {
    const c = cluster('three', (world) => {
      world.cluster.snapshotFails = true;
    });
    const result = await roll(c);
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_ETCD_SNAPSHOT_FAILED')).toMatch(/ on server-1 .*\(SSM Failed: .*AccessDenied.*\); server-0 was not touched/);
    expect(c.calls().some((call) => /cordon|drain|delete node|apply/.test(call))).toBe(false);
    expect(holderOf(c.world().lease)).toBeUndefined();
    expect(c.violations()).toBe('');
  });
  it('the drain times out: uncordoned, nothing removed, says what to look at', async () => {
    const c = cluster('three', (world) => {
      world.cluster.drainFails = true;
    });
    const result = await roll(c);
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_DRAIN_FAILED')).toMatch(/^Draining ip-10-0-0-10 \(server-0\) .*600 s.*PodDisruptionBudget/s);
    const world = c.world();
    expect(world.cluster.servers[0]).toMatchObject({ cordoned: false, member: true, ready: true });
    expect(c.calls().some((call) => /delete node|apply/.test(call))).toBe(false);
    expect(holderOf(world.lease)).toBeUndefined();
    expect(c.violations()).toBe('');
  });
  it('the new server never becomes Ready: stops at quorum, the next server untouched; a rerun waits for it', async () => {
    const c = cluster('three', (world) => {
      world.cluster.neverReady = 'server-0';
    });
    const result = await roll(c, '--wait-minutes', '2');
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_REJOIN_TIMEOUT')).toMatch(/server-0 .* 2 minutes: it has not registered a Node/);
    expect(c.calls().some((call) => call.includes('drain ip-10-0-1-10'))).toBe(false);
    expect(holderOf(c.world().lease)).toBeDefined(); // held: a server is out
    expect(c.world().replaced).toEqual(['server-0']);
    // A second roll from another machine is refused while this one is unfinished.
    c.update((world) => {
      world.lease.holderIdentity = 'ci-runner-7/1/2026-11-23T06:00:00.000Z';
    });
    // (the state file here still names the first holder: the rerun resumes, and finds the lease is not its own)
    const other = await roll(c);
    expect(other.code).toBe(3);
    expect(codesOf(other.out)).toContain('ROLL_LOCK_HELD');
    expect(c.violations()).toBe('');
  });
  it("the new server's boot loader gives up (a refused document): named with its reason at its first look, not after the wait; a rerun replaces that server again", async () => {
    const c = cluster('three', (world) => {
      world.cluster.loaderRefuses = 'server-0';
      world.cluster.loaderRefusal = 'it has bootcmd, and this loader applies only write_files and runcmd';
    });
    const result = await roll(c);
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_BOOT_LOADER_GAVE_UP')).toMatch(
      /^The new server-0 \(server-0-i-1\) will never join: its boot loader gave up \(rancher-aws-boot-loader: refusing the boot document: it has bootcmd/,
    );
    // One look at the loader (the sixth look at the Nodes), where the wait had 150 looks left.
    expect(c.calls().filter((call) => call.includes('systemctl show rancher-aws-boot-loader.service')).length).toBe(1);
    expect(c.calls().some((call) => call.includes('drain ip-10-0-1-10'))).toBe(false);
    expect(holderOf(c.world().lease)).toBeDefined(); // held: server-0 is out
    // Once fixed, the rerun replaces server-0 again before the next server.
    c.update((world) => {
      delete world.cluster.loaderRefuses;
    });
    const rerun = await roll(c);
    expect(rerun.code).toBe(0);
    expect(c.world().replaced).toEqual(['server-0', 'server-0', 'server-1', 'server-2']);
    expect(c.violations()).toBe('');
  });
  it('a second server goes NotReady during the drain (an AWS reboot): its Node is not deleted; the roll stops with it drained and marked out, and a rerun once the other is back removes it and finishes', async () => {
    const c = cluster('three', (world) => {
      world.cluster.rebootDuringDrain = { server: 'server-1', looks: 1000 };
    });
    // Before issue 62 the roll deleted server-0's Node here: two etcd members out (the fake's invariant).
    const first = await roll(c, '--server', 'server-0');
    expect(first.code).toBe(1);
    expect(said(first.out, 'ROLL_OTHER_SERVER_DOWN')).toMatch(
      /^After the drain, server-1 \(ip-10-0-1-10: not Ready\): removing server-0 .* server-0 was not removed/,
    );
    const world = c.world();
    expect(c.calls().some((call) => /delete node|terraform apply|uncordon/.test(call))).toBe(false);
    expect(world.cluster.servers[0]).toMatchObject({ cordoned: true, member: true, ready: true, nodePresent: true });
    expect(holderOf(world.lease)).toBeDefined();
    expect(world.restartLease.annotations['rancher-ha-aws/out']).toBe('10.0.0.10');
    expect(JSON.parse(readFileSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.json'), 'utf8'))).toMatchObject({ done: { 'server-0': 'drain' } });
    c.update((w) => {
      delete w.cluster.servers[1].rebooting;
      w.cluster.servers[1].ready = true;
    });
    const second = await roll(c);
    expect(second).toSucceed();
    expect(c.world().replaced).toEqual(['server-0']);
    // It continued with the removal: no second snapshot or drain.
    expect(said(second.out, 'ROLL_PLAN')).toMatch(/server-0 \(\S+\): from step remove/);
    expect(codesOf(second.out).filter((code) => code.startsWith('ROLL_SERVER_'))).toEqual([
      'ROLL_SERVER_STARTED',
      'ROLL_SERVER_REMOVED',
      'ROLL_SERVER_REPLACED',
      'ROLL_SERVER_REJOINED',
      'ROLL_SERVER_ROLLED',
    ]);
  });
  it('a replace that outlasts the Lease: both Leases are renewed while the apply runs, not only between steps', async () => {
    const c = cluster('three');
    // The fake apply finishes only once the roll has written three more Lease renewals (fake-cloud.js).
    writeFileSync(join(c.dir, 'apply-outlasts-lease'), '3');
    const result = await roll(c, '--server', 'server-1');
    expect(result).toSucceed();
    expect(c.violations()).toBe('');
    const calls = c.calls();
    const during = calls.slice(
      calls.indexOf('terraform (apply running)'),
      calls.findIndex((call) => call.startsWith('terraform apply -input=false ')),
    );
    const renewals = during.filter((call) => call.startsWith('kube-api PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/'));
    expect(renewals.length).toBeGreaterThanOrEqual(3);
    expect(c.world().replaced).toEqual(['server-1']);
  });
  it('killed (kill -9) during the apply, then resumed: continues with the waiting, never replaces twice', () => {
    const c = cluster('three', (world) => {
      world.killAfterApply = true;
      world.state.outputs.servers_pending_replacement.value = { 'server-0': ['ami'], 'server-1': ['ami'], 'server-2': [] };
    });
    const first = rollAsProcess(c);
    // SIGKILL, after the apply replaced server-0 (when not, the roll's output and its last calls show what it did).
    const replaced = c.world().replaced;
    const fine = first.code === null && JSON.stringify(replaced) === '["server-0"]';
    expect({ code: first.code, replaced, out: fine ? '' : first.out, calls: fine ? [] : c.calls().slice(-12) }).toEqual({
      code: null,
      replaced: ['server-0'],
      out: '',
      calls: [],
    });
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.json'))).toBe(true);
    // The replaced server is still joining: down, and the roll must wait for it before touching server-1.
    const second = rollAsProcess(c);
    expect({ ...second, out: second.code === 0 ? '' : second.out }).toSucceed();
    expect(codesOf(second.out)).toContain('ROLL_RESUMING');
    expect(said(second.out, 'ROLL_ALREADY_REPLACED')).toMatch(/^server-0 /);
    expect(c.world().replaced).toEqual(['server-0', 'server-1']);
    expect(c.violations()).toBe('');
  });

  it('one holder per living process: a second run from the folder while the first lives is refused (exit 3, nothing touched); once it is gone, a run resumes as a new holder that succeeds it', () => {
    const c = cluster('three', (world) => {
      world.killAfterApply = true;
      world.state.outputs.servers_pending_replacement.value = { 'server-0': ['ami'], 'server-1': ['ami'], 'server-2': [] };
    });
    expect(rollAsProcess(c).code).toBe(null);
    // The state file and both Leases name a roll process that is alive on this machine (a stand-in process, not this
    // one's child: a child killed stays a zombie, and alive to kill(pid, 0), until this process reaps it).
    const livePid = Number(spawnSync('bash', ['-c', 'sleep 600 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).stdout.trim());
    const gone = () => {
      try {
        process.kill(livePid, 0);
        return false;
      } catch {
        return true;
      }
    };
    try {
      const statePath = join(c.moduleDir, '.rancher-ha-aws', 'roll.json');
      const record = JSON.parse(readFileSync(statePath, 'utf8'));
      const first = `${hostname()}/${livePid}/${record.started}`;
      writeFileSync(statePath, JSON.stringify({ ...record, holder: first }));
      c.update((world) => {
        world.lease.holderIdentity = first;
        world.restartLease.holderIdentity = first;
      });
      const callsBefore = c.calls().length;
      const second = rollAsProcess(c);
      expect(second.code).toBe(3);
      expect(said(second.out, 'ROLL_ANOTHER_RUNS')).toContain(`(${first}`);
      expect(mutating(c.calls().slice(callsBefore))).toEqual([]);
      expect(c.world().lease.holderIdentity).toBe(first);
      process.kill(livePid, 'SIGKILL');
      for (let i = 0; i < 50 && !gone(); i++) spawnSync('sleep', ['0.1']);
      expect(gone()).toBe(true);
      const third = rollAsProcess(c);
      expect({ ...third, out: third.code === 0 ? '' : third.out }).toSucceed();
      expect(codesOf(third.out)).toContain('ROLL_RESUMING');
      // Both Leases were taken by the new process from the dead one, conditionally, and given back at the end.
      const takes = c.world().leaseCalls.filter((call: string) => call.startsWith('replace') && !call.endsWith(first) && !call.endsWith('(none)'));
      expect(takes.length).toBeGreaterThan(0);
      expect(c.world().replaced).toEqual(['server-0', 'server-1']);
      expect(c.violations()).toBe('');
    } finally {
      if (!gone()) process.kill(livePid, 'SIGKILL');
    }
  });

  it.each(['SIGINT', 'SIGTERM'])(
    '%s during the drain: the step finishes, the roll stops with the cluster whole, and a rerun starts that server over',
    (signal) => {
      const c = cluster('three', (world) => {
        world.cluster.signalDuringDrain = signal;
      });
      const first = rollAsProcess(c, '--server', 'server-1');
      expect(first.code).toBe(130);
      expect(said(first.out, 'ROLL_INTERRUPTED')).toContain("server-1's step remove");
      const world = c.world();
      expect(world.cluster.servers[1]).toMatchObject({ cordoned: false, member: true, ready: true });
      expect(holderOf(world.lease)).toBeUndefined();
      expect(c.calls().some((call) => /delete node|apply/.test(call))).toBe(false);
      const second = rollAsProcess(c);
      expect(second).toSucceed();
      expect(c.world().replaced).toEqual(['server-1']);
      expect(c.violations()).toBe('');
    },
  );
  // The second signal leaves at once (process.exit): the cluster-admin kubeconfig the roll wrote was left on disk.
  it('SIGINT twice during the drain: the roll leaves at once, and the cluster-admin kubeconfig it wrote goes with it', () => {
    const c = cluster('three', (world) => {
      world.cluster.signalDuringDrain = ['SIGINT', 'SIGINT'];
    });
    const folder = dirname(stateFilePath(join(c.dir, 'module'), 'roll'));
    const first = rollAsProcess(c, '--server', 'server-1');
    expect(first.code).toBe(130);
    expect(readdirSync(folder).filter((f) => f.startsWith('kubeconfig-'))).toEqual([]);
    expect(rollAsProcess(c)).toSucceed();
    expect(c.violations()).toBe('');
  });
  it("Ctrl-C in a terminal during the drain (SIGINT to the roll's process group): the drain is not killed, the roll stops after it with 130", () => {
    const c = cluster('three', (world) => {
      world.cluster.ctrlCDuringDrain = true;
    });
    const first = c.run(['roll', '--dir', 'module', '--server', 'server-1'], { ownGroup: true });
    expect(first.code).toBe(130);
    expect(said(first.out, 'ROLL_INTERRUPTED')).toContain("server-1's step remove");
    expect(codesOf(first.out)).not.toContain('ROLL_DRAIN_FAILED');
    const world = c.world();
    expect(world.cluster.servers[1]).toMatchObject({ cordoned: false, member: true, ready: true });
    expect(holderOf(world.lease)).toBeUndefined();
    expect(rollAsProcess(c)).toSucceed();
    expect(c.world().replaced).toEqual(['server-1']);
  });
  it('a second roll while one runs is refused, touching nothing', async () => {
    const c = cluster('three', (world) => {
      world.lease = { holderIdentity: 'ci-runner-7/4242/2026-11-23T06:00:00.000Z', leaseDurationSeconds: 3600, renewTime: new Date().toISOString() };
    });
    const result = await roll(c);
    expect(result.code).toBe(3);
    expect(said(result.out, 'ROLL_LOCK_HELD')).toContain('(Lease kube-system/rancher-ha-aws-roll: ci-runner-7/4242');
    expect(mutating(c.calls())).toEqual([]);
    expect(c.world().lease.holderIdentity).toMatch(/^ci-runner-7/);
    // A lock not renewed for longer than its duration is stale (its machine died): taken over.
    c.update((world) => {
      world.lease.renewTime = '2026-01-01T00:00:00.000000Z';
    });
    expect(await roll(c, '--server', 'server-2')).toSucceed();
    expect(c.world().replaced).toEqual(['server-2']);
    expect(c.violations()).toBe('');
  });
  it('the apply fails: stops with the server out and the others at quorum; a rerun finishes', async () => {
    const c = cluster('three', (world) => {
      world.cluster.applyFails = 1;
    });
    const first = await roll(c, '--server', 'server-1');
    expect(first.code).toBe(1);
    expect(said(first.out, 'ROLL_REPLACE_FAILED')).toContain('server-1 is out of the cluster');
    expect(holderOf(c.world().lease)).toBeDefined();
    const second = await roll(c);
    expect(second).toSucceed();
    expect(codesOf(second.out)).toContain('ROLL_RESUMING');
    expect(c.world().replaced).toEqual(['server-1']);
    expect(holderOf(c.world().lease)).toBeUndefined();
    expect(c.violations()).toBe('');
  });
  it('--new-image: refused clearly while the deployment has no recorded image (one made before it existed)', async () => {
    const c = cluster('three', (world) => {
      world.state.resources = world.state.resources.filter((r: any) => !/^ami_recorded-image_/.test(r.name));
    });
    const result = await roll(c, '--new-image');
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['ROLL_NEW_IMAGE_UNRECORDED']);
    expect(c.calls()).toEqual(['terraform state pull']);
  });
});
