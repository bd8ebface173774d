import { holderOf } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';
import { checkEveryCluster, cluster, withToken } from '../../helpers/roll-world';
import { rotateTokenIn } from '../../helpers/rotate-in-process';
import { expectRotated, parameterOf, savedTokenFile } from '../../helpers/rotate-world';

// `rotate <stack> token` against the fake cluster of helpers/roll-world.ts: the etcd snapshot it takes after the
// last restart (cli/rotate/rotate-snapshot.ts). The fake records each saved snapshot with the token the datastore's
// bootstrap data was under then (fake-roll.js, k3s pkg/cluster/storage.go). The rotation runs as a function in jest's
// process (helpers/rotate-in-process.ts: the same world, the same stubs behind the real SDK clients).
checkEveryCluster();

const snapshotSends = (calls: string[]) => calls.flatMap((call, i) => (/^aws ssm send-command .*etcd-snapshot save --name /.test(call) ? [i] : []));
const restartSends = (calls: string[]) => calls.flatMap((call, i) => (/^aws ssm send-command .*rotate-token\.sh restart /.test(call) ? [i] : []));

describe('rotate token: the snapshot after the rotation', () => {
  it('RKE2: one on-demand snapshot after the last restart, under the new token; the output says which snapshots need the saved old token', async () => {
    const c = cluster('three', withToken);
    const result = await rotateTokenIn(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectRotated(world);
    const calls = c.calls();
    const snapshots = snapshotSends(calls);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toBeGreaterThan(Math.max(...restartSends(calls)));
    // Named for the deployment and the rotation, saved while every server was up, restorable with the new token.
    expect(world.cluster.savedSnapshots).toEqual([
      { name: expect.stringMatching(/^rancher-token-rotated-\d{8}T\d{6}$/), on: 'server-0', token: parameterOf(world).value, allReady: true },
    ]);
    const tokenFile = savedTokenFile(result.out);
    // The step after the end (7 of 7), then which snapshots need the saved old token and how to restore one of them.
    expect(codesOf(result.out).slice(-4)).toEqual(['ROTATE_FINISHED', 'ROTATE_STEP_STARTED', 'ROTATE_SNAPSHOT_SAVED', 'ROTATE_OLDER_SNAPSHOTS']);
    expect(said(result.out, 'ROTATE_SNAPSHOT_SAVED')).toMatch(
      new RegExp(`^etcd snapshot ${world.cluster.savedSnapshots[0].name}-<node>-<time> .* by server-0,`),
    );
    expect(said(result.out, 'ROTATE_OLDER_SNAPSHOTS')).toMatch(new RegExp(`^Every etcd snapshot taken before \\S+ .* saved in ${tokenFile}: `));
    expect(said(result.out, 'ROTATE_OLDER_SNAPSHOTS')).toContain(
      ' /etc/rancher/rke2/token on the server before `rancher-aws-restore --snapshot <name>`',
    );
  });

  it('the snapshot failing: the rotation has succeeded (exit 0, Lease free, record gone), a warning with the command to take it by hand', async () => {
    const c = cluster('three', (world) => {
      withToken(world);
      world.cluster.snapshotFails = true;
    });
    const result = await rotateTokenIn(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectRotated(world);
    expect(holderOf(world.restartLease)).toBeUndefined();
    expect(world.cluster.savedSnapshots).toBeUndefined();
    expect(snapshotSends(c.calls())).toHaveLength(1);
    expect(codesOf(result.out).slice(-4)).toEqual(['ROTATE_FINISHED', 'ROTATE_STEP_STARTED', 'ROTATE_SNAPSHOT_FAILED', 'ROTATE_OLDER_SNAPSHOTS']);
    // What failed (SSM's status and the server's own error), and the command to take it by hand.
    const warning = said(result.out, 'ROTATE_SNAPSHOT_FAILED');
    expect(warning).toContain(' on server-0 (SSM Failed');
    expect(warning).toContain('failed to save snapshot to S3: AccessDenied');
    expect(warning).toMatch(/sudo rke2 etcd-snapshot save --name rancher-token-rotated-\d{8}T\d{6}/);
  });

  it('K3s on its datastore takes no etcd snapshot (none to take); the dry run of RKE2 names the step', async () => {
    const k3s = cluster('k3s', withToken);
    expect(await rotateTokenIn(k3s)).toMatchObject({ code: 0, err: '' });
    expect(snapshotSends(k3s.calls())).toEqual([]);
    const rke2 = cluster('three', withToken);
    const dry = await rotateTokenIn(rke2, { dryRun: true });
    expect(said(dry.out, 'ROTATE_PLAN')).toMatch(/^ {2}7\. .*\(rke2 etcd-snapshot save on one server\)/m);
    expect(rke2.calls()).toEqual(['terraform state pull']);
  });
});
