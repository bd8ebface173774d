import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsOf, FakeCloud, stateOf } from '../../helpers/fake-cloud';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';

// The real roll command (the bundled CLI) against stubbed terraform, kubectl and
// aws simulating a cluster of N servers (fake-roll.js): Nodes with their Ready and
// EtcdIsVoter conditions, etcd membership (a Node's deletion removes its member;
// a replacement joins as a learner, then votes), SSM commands, the Lease API.
// The stub checks after EVERY call that no two servers are down at once (not
// Ready, or not a voting member); every test asserts the stub saw no violation.

const synths = new Map<string, TerraformJson>();
function synth(key: string, settings: Record<string, unknown>): TerraformJson {
  if (!synths.has(key)) synths.set(key, synthSettings('rke-ha', settings as never).json);
  return synths.get(key)!;
}

const VARIANTS = {
  three: { settings: {}, k3s: false },
  one: { settings: { rkeHa: { nodeCount: 1 } }, k3s: false },
  k3s: { settings: { rkeHa: { distribution: 'k3s' } }, k3s: true },
  'k3s-one': { settings: { rkeHa: { distribution: 'k3s', nodeCount: 1 } }, k3s: true },
} as const;

function cluster(variant: keyof typeof VARIANTS, change?: (world: any) => void): FakeCloud {
  const json = synth(variant, VARIANTS[variant].settings);
  const state = stateOf(json);
  const servers = state.resources.filter((r: any) => r.type === 'aws_instance' && /^server-\d+_instance/.test(r.name));
  servers.forEach((r: any, i: number) => Object.assign(r.instances[0].attributes, { private_ip: `10.0.${i}.10` }));
  state.outputs.kubeconfig = { value: 'apiVersion: v1\nkind: Config\n', sensitive: true };
  state.outputs.servers_pending_replacement = { value: Object.fromEntries(servers.map((r: any) => [r.name.replace(/_instance.*$/, ''), ['user_data']])) };
  const world = {
    roll: true,
    state,
    aws: awsOf(state),
    cluster: {
      apiUp: true,
      k3s: VARIANTS[variant].k3s,
      joinAfter: 2,
      servers: servers.map((r: any, i: number) => ({
        name: r.name.replace(/_instance.*$/, ''),
        instance: r.instances[0].attributes.id,
        ip: `10.0.${i}.10`,
        node: `ip-10-0-${i}-10`,
        ready: true,
        member: true,
        nodePresent: true,
      })),
    },
  };
  change?.(world);
  return track(new FakeCloud(json, world));
}

// The invariant, asserted after EVERY test on every fake cluster it made: never two servers down at once.
const clouds: FakeCloud[] = [];
const track = (c: FakeCloud) => (clouds.push(c), c);
afterEach(() => {
  for (const c of clouds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
  }
});

const roll = (c: FakeCloud, ...extra: string[]) => c.run(['roll', '--dir', 'module', ...extra]);
const mutating = (calls: string[]) => calls.filter((call) => /apply|cordon|drain|delete node|send-command|create-db-snapshot/.test(call));

describe('roll', () => {
  it('happy path, RKE2 with three servers: one at a time, snapshot first, member removed before the replace', () => {
    const count = 3;
    const c = cluster('three');
    const result = roll(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    const names = Array.from({ length: count }, (_, i) => `server-${i}`);
    expect(world.replaced).toEqual(names); // server-0 rolls like the others
    const calls = c.calls();
    for (const name of names) {
      const index = names.indexOf(name);
      const node = `ip-10-0-${index}-10`;
      const address = world.state.resources.find((r: any) => r.type === 'aws_instance' && r.name.startsWith(`${name}_`));
      const replaceAt = calls.findIndex((call, i) => call.startsWith("terraform apply -input=false ") && calls[i - 2] === `terraform plan -replace=aws_instance.${address.name} -out=${join(c.moduleDir, ".rancher-ha-aws", "roll.tfplan")} -input=false`);
      const deleteAt = calls.findIndex((call) => call.endsWith(`delete node ${node} --wait=false`));
      const drainAt = calls.findIndex((call) => call.includes(`drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=600s`));
      expect(drainAt).toBeGreaterThan(-1);
      expect(deleteAt).toBeGreaterThan(drainAt);
      expect(replaceAt).toBeGreaterThan(deleteAt);
      if (count > 1) {
        // The snapshot is taken on ANOTHER server, and finished, before the drain.
        const sendAt = calls.findIndex((call, i) => i < drainAt && call.startsWith('aws ssm send-command') && call.includes(`snapshot before ${name}`));
        expect(sendAt).toBeGreaterThan(-1);
        expect(calls[sendAt]).not.toContain(`--instance-ids ${world.cluster.servers[index].instance}`);
        expect(calls.slice(sendAt, drainAt).some((call) => call.startsWith('aws ssm get-command-invocation'))).toBe(true);
        // Before it, the etcd member list was compared with the Nodes.
        const membersAt = calls.findIndex((call) => call.startsWith('aws ssm send-command') && call.includes(`etcd members before ${name}`));
        expect(membersAt).toBeGreaterThan(-1);
        expect(membersAt).toBeLessThan(sendAt);
      }
      // The next server is touched only after this one is back.
      if (index + 1 < count) {
        const nextDrain = calls.findIndex((call) => call.includes(`drain ip-10-0-${index + 1}-10`));
        expect(nextDrain).toBeGreaterThan(replaceAt);
      }
    }
    if (count > 1) expect(world.cluster.snapshots).toHaveLength(count);
    for (const s of world.cluster.servers) expect(s).toMatchObject({ ready: true, member: true, nodePresent: true });
    expect(world.cluster.deletedSecrets).toEqual(names.map((_, i) => `ip-10-0-${i}-10.node-password.rke2`));
    expect(world.lease).toBeUndefined();
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.json'))).toBe(false);
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.tfplan'))).toBe(false);
    // Only saved plans were applied, each right after its own plan and `show -json`.
    const applies = calls.flatMap((call, i) => (call.startsWith('terraform apply') ? [i] : []));
    expect(applies).toHaveLength(count);
    for (const i of applies) expect([calls[i], calls[i - 1]]).toEqual([expect.stringMatching(/^terraform apply -input=false \/.*roll\.tfplan$/), expect.stringMatching(/^terraform show -json .*roll\.tfplan$/)]);
    expect(c.violations()).toBe('');
  });

  it('RKE2 with one server: refused (its only etcd member cannot go), touching nothing', () => {
    const c = cluster('one');
    const result = roll(c);
    expect(result.code).toBe(2);
    expect(result.out).toContain('its only etcd member cannot be taken out');
    expect(result.out).toContain('Grow to three servers first');
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it.each([
    ['k3s', ['server-0', 'server-1']],
    ['k3s-one', ['server-0']],
  ] as const)('K3s on its datastore (%s): an RDS snapshot first, no etcd checks, one server at a time', (variant, names) => {
    const c = cluster(variant);
    const result = roll(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const calls = c.calls();
    expect(calls.filter((call) => call.startsWith('aws rds create-db-snapshot'))).toHaveLength(names.length);
    expect(calls.some((call) => call.startsWith('aws ssm send-command'))).toBe(false);
    expect(c.world().replaced).toEqual(names);
    expect(c.world().cluster.deletedSecrets).toEqual(names.map((_, i) => `ip-10-0-${i}-10.node-password.k3s`));
    for (const s of c.world().cluster.servers) expect(s).toMatchObject({ ready: true, nodePresent: true });
    expect(c.violations()).toBe('');
  });

  it('rolls only what servers_pending_replacement lists, or --server, or nothing', () => {
    const c = cluster('three', (world) => {
      world.state.outputs.servers_pending_replacement.value = { 'server-0': [], 'server-1': ['instance_type'], 'server-2': [] };
    });
    expect(roll(c)).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-1']);
    expect(roll(c, '--server', 'server-2')).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-1', 'server-2']);
    c.update((world) => {
      world.state.outputs.servers_pending_replacement.value = { 'server-0': [], 'server-1': [], 'server-2': [] };
    });
    const nothing = roll(c);
    expect(nothing).toMatchObject({ code: 0, err: '' });
    expect(nothing.out).toContain('Nothing to roll');
    expect(roll(c, '--server', 'server-9').out).toContain('--server server-9: no such server');
    expect(c.violations()).toBe('');
  });

  it('--dry-run prints every step and changes nothing', () => {
    const c = cluster('three');
    const result = roll(c, '--dry-run');
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/server-0 \(aws_instance\.server-0_instance_[0-9A-F]+\):\n {4}on-demand etcd snapshot/);
    expect(result.out).toContain('terraform plan -replace=aws_instance.server-2_instance_');
    expect(result.out).toContain('Dry run: nothing was changed.');
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it('refuses to start on an unhealthy cluster or one short of a member, touching nothing', () => {
    const notReady = cluster('three', (world) => {
      world.cluster.servers[2].ready = false;
    });
    const result = roll(notReady);
    expect(result.code).toBe(1);
    expect(result.out).toContain('not healthy and at full membership: server-2 (ip-10-0-2-10: not Ready');
    expect(mutating(notReady.calls())).toEqual([]);
    expect(notReady.world().lease).toBeUndefined();
    const learner = cluster('three', (world) => {
      world.cluster.servers[1].learner = true;
    });
    const second = roll(learner);
    expect(second.code).toBe(1);
    expect(second.out).toContain('server-1 (ip-10-0-1-10: Ready, not an etcd voter)');
    expect(mutating(learner.calls())).toEqual([]);
    const apiDown = cluster('three', (world) => {
      world.cluster.apiUp = false;
    });
    expect(roll(apiDown).out).toContain('The Kubernetes API does not answer');
    expect(mutating(apiDown.calls())).toEqual([]);
  });

  it('the snapshot fails: stops before touching the server, cluster whole, lock given back', () => {
    const c = cluster('three', (world) => {
      world.cluster.snapshotFails = true;
    });
    const result = roll(c);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/The etcd snapshot on server-1 failed \(SSM Failed: .*AccessDenied.*\); server-0 was not touched/);
    expect(c.calls().some((call) => /cordon|drain|delete node|apply/.test(call))).toBe(false);
    expect(c.world().lease).toBeUndefined();
    expect(c.violations()).toBe('');
  });

  it('the drain times out: uncordoned, nothing removed, says what to look at', () => {
    const c = cluster('three', (world) => {
      world.cluster.drainFails = true;
    });
    const result = roll(c);
    expect(result.code).toBe(1);
    expect(result.out).toContain('did not finish within 600 s');
    expect(result.out).toContain('PodDisruptionBudget');
    const world = c.world();
    expect(world.cluster.servers[0]).toMatchObject({ cordoned: false, member: true, ready: true });
    expect(c.calls().some((call) => /delete node|apply/.test(call))).toBe(false);
    expect(world.lease).toBeUndefined();
    expect(c.violations()).toBe('');
  });

  it('the new server never becomes Ready: stops at quorum, the next server untouched; a rerun waits for it', () => {
    const c = cluster('three', (world) => {
      world.cluster.neverReady = 'server-0';
    });
    const result = roll(c, '--wait-minutes', '2');
    expect(result.code).toBe(1);
    expect(result.out).toContain('The new server-0 did not become healthy within 2 minutes: it has not registered a Node');
    expect(c.calls().some((call) => call.includes('drain ip-10-0-1-10'))).toBe(false);
    expect(c.world().lease).toBeDefined(); // held: a server is out
    expect(c.world().replaced).toEqual(['server-0']);
    // A second roll from another machine is refused while this one is unfinished.
    c.update((world) => {
      world.lease.holderIdentity = 'ci-runner-7/1/2026-11-23T06:00:00.000Z';
    });
    // (the state file here still names the first holder: the rerun resumes, and finds the lease is not its own)
    const other = roll(c);
    expect(other.code).toBe(3);
    expect(other.out).toContain('Another roll holds the lock');
    expect(c.violations()).toBe('');
  });

  it('killed (kill -9) during the apply, then resumed: continues with the waiting, never replaces twice', () => {
    const c = cluster('three', (world) => {
      world.killAfterApply = true;
      world.state.outputs.servers_pending_replacement.value = { 'server-0': ['ami'], 'server-1': ['ami'], 'server-2': [] };
    });
    const first = roll(c);
    expect(first.code).toBeNull(); // SIGKILL
    expect(c.world().replaced).toEqual(['server-0']);
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.json'))).toBe(true);
    // The replaced server is still joining: down, and the roll must wait for it before touching server-1.
    const second = roll(c);
    expect(second).toMatchObject({ code: 0, err: '' });
    expect(second.out).toContain('Resuming the roll started');
    expect(second.out).toContain('server-0 was already replaced');
    expect(c.world().replaced).toEqual(['server-0', 'server-1']);
    expect(c.violations()).toBe('');
  });

  it.each(['SIGINT', 'SIGTERM'])('%s during the drain: the step finishes, the roll stops with the cluster whole, and a rerun starts that server over', (signal) => {
    const c = cluster('three', (world) => {
      world.cluster.signalDuringDrain = signal;
    });
    const first = roll(c, '--server', 'server-1');
    expect(first.code).toBe(130);
    expect(first.out).toContain("Interrupted before server-1's step remove");
    const world = c.world();
    expect(world.cluster.servers[1]).toMatchObject({ cordoned: false, member: true, ready: true });
    expect(world.lease).toBeUndefined();
    expect(c.calls().some((call) => /delete node|apply/.test(call))).toBe(false);
    const second = roll(c);
    expect(second).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-1']);
    expect(c.violations()).toBe('');
  });

  it("Ctrl-C in a terminal during the drain (SIGINT to the roll's process group): the drain is not killed, the roll stops after it with 130", () => {
    const c = cluster('three', (world) => {
      world.cluster.ctrlCDuringDrain = true;
    });
    const first = c.run(['roll', '--dir', 'module', '--server', 'server-1'], { ownGroup: true });
    expect(first.code).toBe(130);
    expect(first.out).toContain("Interrupted before server-1's step remove");
    expect(first.out).not.toContain('did not finish');
    const world = c.world();
    expect(world.cluster.servers[1]).toMatchObject({ cordoned: false, member: true, ready: true });
    expect(world.lease).toBeUndefined();
    expect(roll(c)).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-1']);
  });

  it('a second roll while one runs is refused, touching nothing', () => {
    const c = cluster('three', (world) => {
      world.lease = { holderIdentity: 'ci-runner-7/4242/2026-11-23T06:00:00.000Z', leaseDurationSeconds: 3600, renewTime: new Date().toISOString() };
    });
    const result = roll(c);
    expect(result.code).toBe(3);
    expect(result.out).toContain('Another roll holds the lock (Lease kube-system/rancher-ha-aws-roll: ci-runner-7/4242');
    expect(mutating(c.calls())).toEqual([]);
    expect(c.world().lease.holderIdentity).toMatch(/^ci-runner-7/);
    // A lock not renewed for longer than its duration is stale (its machine died): taken over.
    c.update((world) => {
      world.lease.renewTime = '2026-01-01T00:00:00.000000Z';
    });
    expect(roll(c, '--server', 'server-2')).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-2']);
    expect(c.violations()).toBe('');
  });

  it('the apply fails: stops with the server out and the others at quorum; a rerun finishes', () => {
    const c = cluster('three', (world) => {
      world.cluster.applyFails = 1;
    });
    const first = roll(c, '--server', 'server-1');
    expect(first.code).toBe(1);
    expect(first.out).toContain('The other servers are at quorum; server-1 is out of the cluster');
    expect(c.world().lease).toBeDefined();
    const second = roll(c);
    expect(second).toMatchObject({ code: 0, err: '' });
    expect(second.out).toContain('Resuming the roll');
    expect(c.world().replaced).toEqual(['server-1']);
    expect(c.world().lease).toBeUndefined();
    expect(c.violations()).toBe('');
  });

  it('--new-image: refused clearly while the deployment has no recorded image (one made before it existed)', () => {
    const c = cluster('three', (world) => {
      world.state.resources = world.state.resources.filter((r: any) => !/^ami_recorded-image_/.test(r.name));
    });
    const result = roll(c, '--new-image');
    expect(result.code).toBe(2);
    expect(result.out).toContain('--new-image needs the recorded server image');
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it('--new-image with the recorded image (as the stack synthesizes it): its own apply first, then every server', () => {
    let record = '';
    const c = cluster('three', (world) => {
      record = world.state.resources.find((r: any) => r.type === 'terraform_data' && /^ami_recorded-image_/.test(r.name))?.name;
      world.state.outputs.servers_pending_replacement.value = { 'server-0': [], 'server-1': [], 'server-2': [] };
    });
    expect(record).toMatch(/^ami_recorded-image_[0-9A-F]+$/);
    const result = roll(c, '--new-image');
    expect(result).toMatchObject({ code: 0, err: '' });
    const calls = c.calls();
    const imageAt = calls.findIndex((call, i) => call.startsWith('terraform apply -input=false ') && calls[i - 2].startsWith(`terraform plan -replace=terraform_data.${record} -out=`));
    expect(imageAt).toBeGreaterThan(-1);
    expect(calls.findIndex((call) => call.startsWith('aws ssm send-command'))).toBeGreaterThan(imageAt);
    expect(c.world().replaced).toEqual(['server-0', 'server-1', 'server-2']);
    expect(c.violations()).toBe('');
  });

  it('a pending change beyond the server (an upgrade not applied yet): refused with exit 2 before anything is touched, naming it', () => {
    const target = 'kubernetes_config_map_v1.kubernetes-upgrade_target_config-map_1A2B3C4D';
    const c = cluster('three', (world) => {
      world.pendingChanges = [{ address: target, actions: ['update'], upgrade: true }];
    });
    const result = roll(c);
    expect(result.code).toBe(2);
    expect(result.out).toContain(`The plan for the replacement of server-0 changes more than that:\n  - ${target} (update)`);
    expect(result.out).toContain('apply them first');
    const calls = c.calls();
    // Planned with -out and inspected, never applied; the server was not touched and the lock was given back.
    expect(calls.some((call) => /^terraform plan -replace=aws_instance\.server-0_instance_[0-9A-F]+ -out=.*roll\.tfplan -input=false$/.test(call))).toBe(true);
    expect(calls.some((call) => call.startsWith('terraform show -json '))).toBe(true);
    expect(calls.filter((call) => call.startsWith('terraform apply'))).toEqual([]);
    expect(mutating(calls)).toEqual([]);
    expect(c.world().upgradeApplied).toBeUndefined();
    expect(c.world().lease).toBeUndefined();
    // The same for the apply that records the newest image.
    const image = roll(c, '--new-image');
    expect(image.code).toBe(2);
    expect(image.out).toContain(`The plan for the apply that records the newest image changes more than that:\n  - ${target} (update)`);
    expect(c.world().recordedImageReplaced).toBeUndefined();
    // Once it is applied (here: gone from the plan), the roll goes ahead and applies only its saved plans.
    c.update((world) => {
      world.pendingChanges = [];
    });
    expect(roll(c, '--server', 'server-1')).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-1']);
  });

  it('a change that appears while the server is out: its replace is refused (exit 2), nothing applied, the server out and the lock kept', () => {
    const target = 'kubernetes_config_map_v1.kubernetes-upgrade_target_config-map_1A2B3C4D';
    const c = cluster('three', (world) => {
      world.cluster.pendingChangesOnRemove = [{ address: target, actions: ['update'], upgrade: true }];
    });
    const first = roll(c, '--server', 'server-1');
    expect(first.code).toBe(2);
    expect(first.out).toContain(`The plan for the replacement of server-1 changes more than that:\n  - ${target} (update)`);
    expect(first.out).toContain('Do not apply those changes while a server is out');
    expect(c.calls().filter((call) => call.startsWith('terraform apply'))).toEqual([]);
    expect(c.world().upgradeApplied).toBeUndefined();
    expect(c.world().lease).toBeDefined();
    expect(c.world().cluster.servers[1]).toMatchObject({ member: false, nodePresent: false });
    // Undone in the settings: the rerun finishes this server.
    c.update((world) => {
      world.pendingChanges = [];
    });
    expect(roll(c)).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-1']);
    expect(c.world().lease).toBeUndefined();
  });

  it.each([
    ['the target record differs from the running one', (u: any) => Object.assign(u, { target: 'v1.36.1+rke2r1', running: 'v1.35.7+rke2r1' }), 'the last apply set the Kubernetes target to v1.36.1+rke2r1, but the running record says v1.35.7+rke2r1'],
    ['the Plan is applying', (u: any) => Object.assign(u.plan, { applying: ['ip-10-0-2-10'] }), 'the upgrade Plan system-upgrade/server-plan is applying on ip-10-0-2-10'],
    ['a server Node lacks the latest hash label', (_u: any, world: any) => Object.assign(world.cluster.servers[1], { planHash: 'h-old' }), 'has yet to run on ip-10-0-1-10'],
  ])('an in-place upgrade pending or running (%s): refused with exit 2, touching nothing', (_, change, message) => {
    const c = cluster('three', (world) => {
      world.cluster.upgrade = { target: 'v1.35.7+rke2r1', running: 'v1.35.7+rke2r1', plan: { latestHash: 'h-new', applying: [] } };
      change(world.cluster.upgrade, world);
    });
    const result = roll(c);
    expect(result.code).toBe(2);
    expect(result.out).toContain('An in-place Kubernetes upgrade is pending or running');
    expect(result.out).toContain(message);
    expect(mutating(c.calls())).toEqual([]);
    expect(c.calls().some((call) => call.startsWith('terraform plan'))).toBe(false);
    expect(c.world().lease).toBeUndefined();
  });

  it('the upgrade Plan runs on the new server and does not finish: the roll waits, then stops before the next server', () => {
    const c = cluster('three', (world) => {
      world.cluster.upgrade = { target: 'v1.35.7+rke2r1', running: 'v1.35.7+rke2r1', plan: { latestHash: 'h-new', applying: [], stuckOnJoin: true } };
    });
    const result = roll(c, '--wait-minutes', '1');
    expect(result.code).toBe(1);
    expect(result.out).toContain('The new server-0 is healthy, but the upgrade Plan system-upgrade/server-plan is applying on ip-10-0-0-10 after 1 minutes');
    expect(c.world().replaced).toEqual(['server-0']);
    expect(c.calls().some((call) => call.includes('drain ip-10-0-1-10'))).toBe(false);
    // Finished by the controller: the rerun refuses nothing more and goes on.
    c.update((world) => {
      world.cluster.upgrade.plan = { latestHash: 'h-new', applying: [] };
    });
    expect(roll(c)).toMatchObject({ code: 0, err: '' });
    expect(c.world().replaced).toEqual(['server-0', 'server-1', 'server-2']);
  });

  it('a cluster without the upgrade objects (K3s, or a deployment older than them) is not refused for their absence', () => {
    const c = cluster('k3s', (world) => {
      world.cluster.upgrade = undefined;
    });
    expect(roll(c, '--server', 'server-1')).toMatchObject({ code: 0, err: '' });
    expect(c.calls().some((call) => call.includes('get plans.upgrade.cattle.io server-plan'))).toBe(true);
  });

  it("holds the servers' restart Lease while a server is out: a certificate renewal due meanwhile restarts nothing", () => {
    const c = cluster('three', (world) => {
      world.cluster.renewal = { server: 'server-2' };
    });
    expect(roll(c, '--server', 'server-0')).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    // The renewal timer ran while server-0 was out and found the Lease held by the roll (as cert-renewal.sh reads it).
    expect(world.cluster.renewal.restarts).toBeUndefined();
    expect(world.cluster.renewal.deferredTo).toEqual([expect.stringMatching(/^[^/\s]+\/\d+\/\d{4}-\d\d-\d\dT/)]);
    expect(world.restartLease).toBeUndefined(); // given back once server-0 is back
    const create = c.calls().find((call) => call.endsWith('create -f -'));
    expect(create).toBeDefined();
    expect(c.violations()).toBe('');
  });

  it("waits while a certificate renewal holds the restart Lease, and goes on once it is given back", () => {
    const now = new Date().toISOString().replace('Z', '000Z');
    const c = cluster('three', (world) => {
      world.restartLease = { holderIdentity: 'ip-10-0-2-10', leaseDurationSeconds: 1800, acquireTime: now, renewTime: now, releaseAfterLooks: 3 };
    });
    const result = roll(c, '--server', 'server-0');
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain("ip-10-0-2-10 holds the servers' restart Lease (kube-system/rancher-aws-server-restart): a certificate renewal restart; waiting for it.");
    const calls = c.calls();
    const looks = calls.flatMap((call, i) => (call.includes('get lease rancher-aws-server-restart') ? [i] : []));
    expect(looks.length).toBeGreaterThanOrEqual(4);
    // Looked four times (three held, then free), and only then cordoned.
    expect(calls.findIndex((call) => call.endsWith('cordon ip-10-0-0-10'))).toBeGreaterThan(looks[3]);
    expect(c.world().replaced).toEqual(['server-0']);
  });

  it('a renewal that never gives the restart Lease back: the roll stops before draining, the cluster whole', () => {
    const now = new Date().toISOString().replace('Z', '000Z');
    const c = cluster('three', (world) => {
      world.restartLease = { holderIdentity: 'ip-10-0-2-10', leaseDurationSeconds: 1800, acquireTime: now, renewTime: now };
    });
    const result = roll(c, '--server', 'server-0');
    expect(result.code).toBe(1);
    expect(result.out).toContain("ip-10-0-2-10 still holds the servers' restart Lease (kube-system/rancher-aws-server-restart");
    expect(c.calls().some((call) => /cordon|drain|delete node|terraform apply/.test(call))).toBe(false);
    expect(c.world().restartLease.holderIdentity).toBe('ip-10-0-2-10');
    expect(c.world().lease).toBeUndefined();
  });

  it('the Node deletion outlasts its budget (a stuck finalizer): the lock stays, the server counts as out, a rerun waits on and finishes', () => {
    const c = cluster('three', (world) => {
      world.cluster.stuckFinalizer = 35; // more looks than the 5-minute budget has (30)
    });
    const first = roll(c, '--server', 'server-0');
    expect(first.code).toBe(1);
    expect(first.out).toContain("server-0's Node (ip-10-0-0-10) was deleted but is still there after 5 minutes");
    expect(first.out).toContain('server-0 counts as out: the lock stays');
    const world = c.world();
    expect(world.lease).toBeDefined();
    expect(world.restartLease).toBeDefined();
    expect(world.cluster.servers[0]).toMatchObject({ deleting: true, nodePresent: true });
    const record = JSON.parse(readFileSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.json'), 'utf8'));
    expect(record).toMatchObject({ removing: 'server-0', done: { 'server-0': 'drain' } });
    expect(c.calls().some((call) => /uncordon|terraform apply/.test(call))).toBe(false);
    // The rerun accepts server-0 as the one in flight and keeps waiting for the removal, then replaces it.
    const second = roll(c);
    expect(second).toMatchObject({ code: 0, err: '' });
    expect(second.out).toContain('Resuming the roll');
    expect(c.world().replaced).toEqual(['server-0']);
    expect(c.world().lease).toBeUndefined();
  });

  it('an etcd member no server Node stands for (a lost server never removed): refused with exit 2, naming it, touching nothing', () => {
    const c = cluster('three', (world) => {
      world.cluster.extraMembers = [{ ID: '99', name: 'ip-10-0-3-10-0badc0de', peerURLs: ['https://10.0.3.10:2380'] }];
    });
    const result = roll(c);
    expect(result.code).toBe(2);
    expect(result.out).toContain('etcd has members no server Node stands for: ip-10-0-3-10-0badc0de https://10.0.3.10:2380. server-0 was not touched');
    expect(c.calls().some((call) => /cordon|drain|delete node|terraform apply|etcd-snapshot/.test(call))).toBe(false);
    expect(c.world().lease).toBeUndefined();
    // The Nodes and the members agree once it is gone.
    c.update((world) => {
      world.cluster.extraMembers = [];
    });
    expect(roll(c, '--server', 'server-2')).toMatchObject({ code: 0, err: '' });
  });

  it('refuses clearly: no kubectl, no state, terraform not initialized, flags that exclude each other', () => {
    const c = cluster('three');
    const result = c.run(['roll', '--dir', 'module'], { tools: ['terraform', 'aws'] });
    expect(result.code).toBe(1);
    expect(result.err).toContain("'kubectl' was not found on PATH");
    expect(c.calls()).toEqual([]);
    expect(roll(c, '--all', '--server', 'server-1').err).toContain('--all, --server and --new-image exclude each other.');
    c.update((world) => {
      world.failures = { 'terraform state pull': 1 };
      world.failureMessages = { 'terraform state pull': 'Error: Backend initialization required, please run "terraform init"\n' };
      world.state = { version: 4, resources: [], outputs: {} };
    });
    const uninitialized = roll(c);
    expect(uninitialized.code).toBe(1);
    expect(uninitialized.err).toMatch(/terraform state pull failed in .*module: Error: Backend initialization required.* Run `terraform init` in .*module first\./);
    const empty = roll(c);
    expect(empty.code).toBe(2);
    expect(empty.out).toContain('No Terraform state in');
  });
});
