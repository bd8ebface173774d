import { holderOf } from '../../helpers/fake-cloud';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkEveryCluster, cluster, mutating, withoutLeaseCalls, withUpgradeController } from '../../helpers/roll-world';
import { roll } from '../../helpers/roll-in-process';
import { codesOf, said } from '../../helpers/plain-output';

// The roll command, driven as a function in this process (helpers/roll-in-process.ts), against the fake cluster of
// helpers/roll-world.ts: terraform and kubectl are the world's stubs, SSM and RDS reach the same stubs through the
// SDK clients, the Leases the stub server's Kubernetes API. After every test the fake's invariant (never two servers
// down at once) is checked. One case runs the bundled CLI as a process, as users run it (end to end): a roll with a
// PATH holding only the terraform and kubectl stubs and node, since main.ts, not the roll, decides which tools must
// be there (it once refused to start without aws). The process cases of signals, kills, refusals of the command line
// and what a terminal shows are in roll-failures, roll-coordination and roll-progress.
checkEveryCluster();

describe('roll: the way through, and what it refuses', () => {
  it('happy path, RKE2 with three servers: one at a time, snapshot first, member removed before the replace', async () => {
    const count = 3;
    const c = cluster('three');
    const result = await roll(c);
    expect(result).toSucceed();
    const world = c.world();
    const names = Array.from({ length: count }, (_, i) => `server-${i}`);
    expect(world.replaced).toEqual(names); // server-0 rolls like the others
    const calls = withoutLeaseCalls(c.calls());
    for (const name of names) {
      const index = names.indexOf(name);
      const node = `ip-10-0-${index}-10`;
      const address = world.state.resources.find((r: any) => r.type === 'aws_instance' && r.name.startsWith(`${name}_`));
      const replaceAt = calls.findIndex(
        (call, i) =>
          call.startsWith('terraform apply -input=false ') &&
          calls[i - 2] ===
            `terraform plan -replace=aws_instance.${address.name} -out=${join(c.moduleDir, '.rancher-ha-aws', 'roll.tfplan')} -input=false`,
      );
      const deleteAt = calls.findIndex((call) => call.endsWith(`delete node ${node} --wait=false`));
      const drainAt = calls.findIndex((call) => call.includes(`drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=600s`));
      expect(drainAt).toBeGreaterThan(-1);
      expect(deleteAt).toBeGreaterThan(drainAt);
      expect(replaceAt).toBeGreaterThan(deleteAt);
      if (count > 1) {
        // The snapshot is taken on ANOTHER server, and finished, before the drain.
        const sendAt = calls.findIndex(
          (call, i) => i < drainAt && call.startsWith('aws ssm send-command') && call.includes(`snapshot before ${name}`),
        );
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
    expect(holderOf(world.lease)).toBeUndefined();
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.json'))).toBe(false);
    expect(existsSync(join(c.moduleDir, '.rancher-ha-aws', 'roll.tfplan'))).toBe(false);
    // What a log shows (plain lines, as in CI or a pipe): each server n of 3 through its five steps, each started and
    // ended in order, then the end. The renewal-timer transition's look (ROLL_NO_TIMER_DISABLED: every server runs this
    // version's script) falls in each drain, Terraform's own lines (ROLL_TERRAFORM_OUTPUT) in each plan and apply.
    const steps = ['ROLL_SERVER_SNAPSHOT_TAKEN', 'ROLL_SERVER_DRAINED', 'ROLL_SERVER_REMOVED', 'ROLL_SERVER_REPLACED', 'ROLL_SERVER_REJOINED'];
    const eachServer = [
      'ROLL_SERVER_STARTED',
      ...steps.flatMap((code, i) => [
        'ROLL_STEP_STARTED',
        ...(i === 0 ? ['ROLL_ETCD_SNAPSHOT_SAVED'] : []),
        ...(i === 1 ? ['ROLL_NO_TIMER_DISABLED'] : []),
        code,
      ]),
      'ROLL_SERVER_ROLLED',
    ];
    const codes = codesOf(result.out).filter((code) => code !== 'ROLL_TERRAFORM_OUTPUT');
    expect(codes).toEqual(['ROLL_PLAN', ...names.flatMap(() => eachServer), 'ROLL_FINISHED']);
    expect(said(result.out, 'ROLL_SERVER_STARTED').split('\n')).toEqual(
      names.map((name, i) => expect.stringMatching(new RegExp(`^${name}, server ${i + 1} of 3 `))),
    );
    expect(said(result.out, 'ROLL_SERVER_DRAINED').split('\n')).toEqual(
      names.map((name) => expect.stringMatching(new RegExp(`^${name}: .* \\(\\d+s\\)$`))),
    );
    // Only saved plans were applied, each right after its own plan and `show -json`.
    const applies = calls.flatMap((call, i) => (call.startsWith('terraform apply') ? [i] : []));
    expect(applies).toHaveLength(count);
    for (const i of applies)
      expect([calls[i], calls[i - 1]]).toEqual([
        expect.stringMatching(/^terraform apply -input=false \/.*roll\.tfplan$/),
        expect.stringMatching(/^terraform show -json .*roll\.tfplan$/),
      ]);
    expect(c.violations()).toBe('');
  });
  it.each([
    ['IPv4 first, as RKE2 lists them with IPv4 first in cluster-cidr', false],
    ['IPv6 first: nothing may rely on the order', true],
  ])(
    "dual stack (%s): every Node lists both InternalIPs; the roll finds each server by its instance's address, each new server's own upgrade Job passes its prepare step beside the roll's Lease naming it out, and every server is replaced",
    async (_order, ipv6First) => {
      const c = cluster('dual-stack', (world) => {
        world.cluster.ipv6First = ipv6First;
        withUpgradeController(world);
      });
      const result = await roll(c);
      expect(result).toSucceed();
      const world = c.world();
      expect(world.cluster.dualStack).toBe(true);
      expect(world.replaced).toEqual(['server-0', 'server-1', 'server-2']);
      // The roll's Lease named each new server out by its IPv4 address; its Node lists that among two: its Job ran.
      expect(world.cluster.upgrade.controller.upgraded).toEqual(['server-0', 'server-1', 'server-2']);
      expect(world.cluster.upgrade.controller.refused ?? []).toEqual([]);
      expect(world.cluster.deletedSecrets).toEqual([
        'ip-10-0-0-10.node-password.rke2',
        'ip-10-0-1-10.node-password.rke2',
        'ip-10-0-2-10.node-password.rke2',
      ]);
      for (const s of world.cluster.servers) expect(s).toMatchObject({ ready: true, member: true, nodePresent: true, planHash: 'h1' });
      expect(holderOf(world.restartLease)).toBeUndefined();
    },
  );
  it('RKE2 with one server: refused (its only etcd member cannot go), touching nothing', async () => {
    const c = cluster('one');
    const result = await roll(c);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['ROLL_SINGLE_SERVER']);
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it.each([
    ['k3s', ['server-0', 'server-1']],
    ['k3s-one', ['server-0']],
  ] as const)('K3s on its datastore (%s): an RDS snapshot first, no etcd checks, one server at a time', async (variant, names) => {
    const c = cluster(variant);
    const result = await roll(c);
    expect(result).toSucceed();
    const calls = c.calls();
    expect(calls.filter((call) => call.startsWith('aws rds create-db-snapshot'))).toHaveLength(names.length);
    expect(calls.some((call) => call.startsWith('aws ssm send-command') && call.includes('etcd'))).toBe(false);
    expect(c.world().replaced).toEqual(names);
    expect(c.world().cluster.deletedSecrets).toEqual(names.map((_, i) => `ip-10-0-${i}-10.node-password.k3s`));
    for (const s of c.world().cluster.servers) expect(s).toMatchObject({ ready: true, nodePresent: true });
    expect(c.violations()).toBe('');
  });
  it('rolls only what servers_pending_replacement lists, or --server, or nothing', async () => {
    const c = cluster('three', (world) => {
      world.state.outputs.servers_pending_replacement.value = { 'server-0': [], 'server-1': ['instance_type'], 'server-2': [] };
    });
    const first = await roll(c);
    expect({ ...first, out: first.code === 0 ? '' : first.out }).toMatchObject({ code: 0, err: '', out: '' });
    expect(c.world().replaced).toEqual(['server-1']);
    expect(await roll(c, '--server', 'server-2')).toSucceed();
    expect(c.world().replaced).toEqual(['server-1', 'server-2']);
    c.update((world) => {
      world.state.outputs.servers_pending_replacement.value = { 'server-0': [], 'server-1': [], 'server-2': [] };
    });
    const nothing = await roll(c);
    expect(nothing).toSucceed();
    expect(codesOf(nothing.out)).toEqual(['ROLL_PLAN', 'ROLL_NOTHING_TO_ROLL']);
    expect(said((await roll(c, '--server', 'server-9')).out, 'ROLL_SERVERS_REFUSED')).toMatch(/^--server server-9: .*server-0, server-1, server-2/);
    expect(c.violations()).toBe('');
  });
  it('--dry-run prints every step and changes nothing', async () => {
    const c = cluster('three');
    const result = await roll(c, '--dry-run');
    expect(result).toSucceed();
    expect(codesOf(result.out)).toEqual(['ROLL_PLAN', 'ROLL_DRY_RUN']);
    expect(said(result.out, 'ROLL_PLAN')).toMatch(/server-0 \(aws_instance\.server-0_instance_[0-9A-F]+\):\n {4}on-demand etcd snapshot/);
    expect(said(result.out, 'ROLL_PLAN')).toContain('terraform plan -replace=aws_instance.server-2_instance_');
    expect(c.calls()).toEqual(['terraform state pull']);
  });
  it('refuses to start on an unhealthy cluster or one short of a member, touching nothing', async () => {
    const notReady = cluster('three', (world) => {
      world.cluster.servers[2].ready = false;
    });
    const result = await roll(notReady);
    expect(result.code).toBe(1);
    expect(said(result.out, 'ROLL_CLUSTER_UNHEALTHY')).toContain(': server-2 (ip-10-0-2-10: not Ready)');
    expect(mutating(notReady.calls())).toEqual([]);
    expect(holderOf(notReady.world().lease)).toBeUndefined();
    const learner = cluster('three', (world) => {
      world.cluster.servers[1].learner = true;
    });
    const second = await roll(learner);
    expect(second.code).toBe(1);
    expect(said(second.out, 'ROLL_CLUSTER_UNHEALTHY')).toContain(': server-1 (ip-10-0-1-10: Ready, not an etcd voter)');
    expect(mutating(learner.calls())).toEqual([]);
    const apiDown = cluster('three', (world) => {
      world.cluster.apiUp = false;
    });
    expect(codesOf((await roll(apiDown)).out)).toEqual(['ROLL_PLAN', 'ROLL_API_DOWN']);
    expect(mutating(apiDown.calls())).toEqual([]);
  });
  it('--new-image with the recorded image (as the stack synthesizes it): its own apply first, then every server', async () => {
    let record = '';
    const c = cluster('three', (world) => {
      record = world.state.resources.find((r: any) => r.type === 'terraform_data' && /^ami_recorded-image_/.test(r.name))?.name;
      world.state.outputs.servers_pending_replacement.value = { 'server-0': [], 'server-1': [], 'server-2': [] };
    });
    expect(record).toMatch(/^ami_recorded-image_[0-9A-F]+$/);
    const result = await roll(c, '--new-image');
    expect(result).toSucceed();
    const calls = withoutLeaseCalls(c.calls());
    const imageAt = calls.findIndex(
      (call, i) =>
        call.startsWith('terraform apply -input=false ') && calls[i - 2].startsWith(`terraform plan -replace=terraform_data.${record} -out=`),
    );
    expect(imageAt).toBeGreaterThan(-1);
    expect(calls.findIndex((call) => call.startsWith('aws ssm send-command'))).toBeGreaterThan(imageAt);
    expect(c.world().replaced).toEqual(['server-0', 'server-1', 'server-2']);
    expect(c.violations()).toBe('');
  });
  it('a pending change beyond the server (an upgrade not applied yet): refused with exit 2 before anything is touched, naming it', async () => {
    const target = 'kubernetes_config_map_v1.kubernetes-upgrade_target_config-map_1A2B3C4D';
    const c = cluster('three', (world) => {
      world.pendingChanges = [{ address: target, actions: ['update'], upgrade: true }];
    });
    const result = await roll(c);
    expect(result.code).toBe(2);
    expect(said(result.out, 'ROLL_PLAN_CHANGES_MORE')).toMatch(/^The plan for the replacement of server-0 .*\n {2}- \S+ \(update\)\n/);
    expect(said(result.out, 'ROLL_PLAN_CHANGES_MORE')).toContain(`  - ${target} (update)`);
    const calls = c.calls();
    // Planned with -out and inspected, never applied; the server was not touched and the lock was given back.
    expect(
      calls.some((call) => /^terraform plan -replace=aws_instance\.server-0_instance_[0-9A-F]+ -out=.*roll\.tfplan -input=false$/.test(call)),
    ).toBe(true);
    expect(calls.some((call) => call.startsWith('terraform show -json '))).toBe(true);
    expect(calls.filter((call) => call.startsWith('terraform apply'))).toEqual([]);
    expect(mutating(calls)).toEqual([]);
    expect(c.world().upgradeApplied).toBeUndefined();
    expect(holderOf(c.world().lease)).toBeUndefined();
    // The same for the apply that records the newest image.
    const image = await roll(c, '--new-image');
    expect(image.code).toBe(2);
    expect(said(image.out, 'ROLL_PLAN_CHANGES_MORE')).toMatch(/^The plan for the apply that records the newest image /);
    expect(said(image.out, 'ROLL_PLAN_CHANGES_MORE')).toContain(`  - ${target} (update)`);
    expect(c.world().recordedImageReplaced).toBeUndefined();
    // Once it is applied (here: gone from the plan), the roll goes ahead and applies only its saved plans.
    c.update((world) => {
      world.pendingChanges = [];
    });
    expect(await roll(c, '--server', 'server-1')).toSucceed();
    expect(c.world().replaced).toEqual(['server-1']);
  });
  it('a change that appears while the server is out: its replace is refused (exit 2), nothing applied, the server out and the lock kept', async () => {
    const target = 'kubernetes_config_map_v1.kubernetes-upgrade_target_config-map_1A2B3C4D';
    const c = cluster('three', (world) => {
      world.cluster.pendingChangesOnRemove = [{ address: target, actions: ['update'], upgrade: true }];
    });
    const first = await roll(c, '--server', 'server-1');
    expect(first.code).toBe(2);
    expect(said(first.out, 'ROLL_PLAN_CHANGES_MORE')).toMatch(/^The plan for the replacement of server-1 /);
    expect(said(first.out, 'ROLL_PLAN_CHANGES_MORE')).toContain(`  - ${target} (update)`);
    expect(c.calls().filter((call) => call.startsWith('terraform apply'))).toEqual([]);
    expect(c.world().upgradeApplied).toBeUndefined();
    expect(holderOf(c.world().lease)).toBeDefined();
    expect(c.world().cluster.servers[1]).toMatchObject({ member: false, nodePresent: false });
    // Undone in the settings: the rerun finishes this server.
    c.update((world) => {
      world.pendingChanges = [];
    });
    expect(await roll(c)).toSucceed();
    expect(c.world().replaced).toEqual(['server-1']);
    expect(holderOf(c.world().lease)).toBeUndefined();
  });

  it('end to end, the bundled CLI as users run it, with no aws on PATH: it starts only terraform and kubectl, its SSM and the Leases through the SDK and the Kubernetes client', () => {
    const c = cluster('three');
    const result = c.run(['roll', '--dir', 'module', '--server', 'server-1'], { tools: ['terraform', 'kubectl'] });
    expect(result).toSucceed();
    expect(codesOf(result.out)).toEqual(expect.arrayContaining(['ROLL_PLAN', 'ROLL_ETCD_SNAPSHOT_SAVED', 'ROLL_SERVER_ROLLED', 'ROLL_FINISHED']));
    const world = c.world();
    expect(world.replaced).toEqual(['server-1']);
    expect(world.cluster.snapshots).toHaveLength(1);
    // SSM's calls reached the stubs through the fake AWS endpoint (logged in the AWS CLI's words), the Leases through the API.
    const calls = c.calls();
    expect(calls.some((call) => call.startsWith('aws ssm send-command') && call.includes('snapshot before server-1'))).toBe(true);
    expect(calls.some((call) => call.startsWith('kube-api PUT /apis/coordination.k8s.io/'))).toBe(true);
    // kubectl drain is its one kubectl process; the cordon before it and the Node's deletion went through the client.
    const kubectl = calls.filter((call) => call.startsWith('kubectl '));
    expect(kubectl).toHaveLength(1);
    expect(kubectl[0]).toMatch(/ drain ip-10-0-1-10 /);
    expect(calls.filter((call) => /^kube-api (PATCH|DELETE) \/api\/v1\/nodes\//.test(call))).toEqual([
      'kube-api PATCH /api/v1/nodes/ip-10-0-1-10 as cordon ip-10-0-1-10',
      'kube-api DELETE /api/v1/nodes/ip-10-0-1-10 as delete node ip-10-0-1-10 --wait=false',
    ]);
    expect(holderOf(world.lease)).toBeUndefined();
  });
});
