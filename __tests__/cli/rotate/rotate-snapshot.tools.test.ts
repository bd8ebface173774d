import { holderOf } from '../../helpers/fake-cloud';
import { checkEveryCluster, cluster, withToken } from '../../helpers/roll-world';
import { expectRotated, parameterOf, rotateToken } from '../../helpers/rotate-world';

// The real `rotate <stack> token` (the bundled CLI) against the fake cluster of helpers/roll-world.ts: the etcd
// snapshot it takes after the last restart (cli/rotate/rotate-snapshot.ts). The fake records each saved snapshot with
// the token the datastore's bootstrap data was under then (fake-roll.js, k3s pkg/cluster/storage.go).
checkEveryCluster();

const snapshotSends = (calls: string[]) => calls.flatMap((call, i) => (/^aws ssm send-command .*etcd-snapshot save --name /.test(call) ? [i] : []));
const restartSends = (calls: string[]) => calls.flatMap((call, i) => (/^aws ssm send-command .*rotate-token\.sh restart /.test(call) ? [i] : []));

describe('rotate token: the snapshot after the rotation', () => {
  it('RKE2: one on-demand snapshot after the last restart, under the new token; the output says which snapshots need the saved old token', () => {
    const c = cluster('three', withToken);
    const result = rotateToken(c);
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
    const tokenFile = /the previous one is in (\S+)\./.exec(result.out)![1];
    expect(result.out).toContain(`etcd snapshot ${world.cluster.savedSnapshots[0].name}-<node>-<time> saved to the bucket by server-0`);
    expect(result.out).toMatch(
      new RegExp(`Every etcd snapshot taken before \\S+ \\(.*\\) holds the cluster's bootstrap data under the old token, saved in ${tokenFile}`),
    );
    expect(result.out).toContain('write that token into /etc/rancher/rke2/token on the server before `rancher-aws-restore --snapshot <name>`');
    expect(result.out).not.toContain('WARNING');
  });

  it('the snapshot failing: the rotation has succeeded (exit 0, Lease free, record gone), a warning with the command to take it by hand', () => {
    const c = cluster('three', (world) => {
      withToken(world);
      world.cluster.snapshotFails = true;
    });
    const result = rotateToken(c);
    expect(result).toMatchObject({ code: 0, err: '' });
    const world = c.world();
    expectRotated(world);
    expect(holderOf(world.restartLease)).toBeUndefined();
    expect(world.cluster.savedSnapshots).toBeUndefined();
    expect(snapshotSends(c.calls())).toHaveLength(1);
    expect(result.out).toContain('WARNING: the rotation has succeeded, but the etcd snapshot after it failed on server-0 (SSM Failed');
    expect(result.out).toContain('failed to save snapshot to S3: AccessDenied');
    expect(result.out).toMatch(/sudo rke2 etcd-snapshot save --name rancher-token-rotated-\d{8}T\d{6}/);
    expect(result.out).toContain('Do not run the rotation again for it: that rotates the token again.');
    expect(result.out).toContain('Every etcd snapshot taken before');
  });

  it('K3s on its datastore takes no etcd snapshot (none to take); the dry run of RKE2 names the step', () => {
    const k3s = cluster('k3s', withToken);
    expect(rotateToken(k3s)).toMatchObject({ code: 0, err: '' });
    expect(snapshotSends(k3s.calls())).toEqual([]);
    const rke2 = cluster('three', withToken);
    const dry = rotateToken(rke2, '--dry-run');
    expect(dry.out).toContain('7. an etcd snapshot after the last restart (rke2 etcd-snapshot save on one server)');
    expect(rke2.calls()).toEqual(['terraform state pull']);
  });
});
