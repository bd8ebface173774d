import { kubeClient, type KubeClient } from '../../../../cli/shared/kube/client';
import { KubeUnanswered } from '../../../../cli/shared/kube/errors';
import { createLease, deleteLease, readLease, replaceLease, type LeaseWrite } from '../../../../cli/shared/kube/leases';
import { FakeCluster } from '../../../helpers/fake-cluster/fake-cluster';

/**
 * The restart Lease through @kubernetes/client-node against the fake API server (api-server.js): a create is atomic,
 * every later write names the version it read, and a write whose answer never came is reported as possibly applied.
 */
let cluster: FakeCluster;
let client: KubeClient;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 1, dualStack: false });
  client = kubeClient({ kubeconfig: cluster.kubeconfig(), requestTimeoutMs: 2_000 });
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  await cluster.clearFaults();
  await cluster.remove('leases', 'rancher-aws-server-restart', { group: 'coordination.k8s.io', namespace: 'kube-system' });
});

const NAME = 'rancher-aws-server-restart';
const take = (holder: string, renewTime = new Date()): LeaseWrite => ({
  namespace: 'kube-system',
  name: NAME,
  holder,
  durationSeconds: 3600,
  acquireTime: renewTime,
  renewTime,
  annotations: { 'rancher-ha-aws/out': '10.0.1.11' },
});

describe('the restart Lease through the client', () => {
  it('is taken by one create, renewed at the version read, and a second create is told it exists', async () => {
    expect(await readLease(client, 'kube-system', NAME)).toBeUndefined();
    const taken = await createLease(client, take('host/1/t0', new Date('2026-11-27T10:00:00.123Z')));
    expect(taken.created).toBe(true);
    expect(await createLease(client, take('host/2/t0'))).toEqual({ created: false });
    const read = await readLease(client, 'kube-system', NAME);
    expect(read).toMatchObject({ holder: 'host/1/t0', durationSeconds: 3600, annotations: { 'rancher-ha-aws/out': '10.0.1.11' } });
    // Written as the API's MicroTime: six fractional digits, as cert-renewal.sh and kubectl write them.
    expect((await cluster.lease())?.spec).toMatchObject({ renewTime: '2026-11-27T10:00:00.123000Z' });
    const renewed = await replaceLease(client, take('host/1/t0', new Date('2026-11-27T10:01:00Z')), read!.resourceVersion);
    expect(renewed).toMatchObject({ written: true, lease: { holder: 'host/1/t0' } });
    expect((await readLease(client, 'kube-system', NAME))?.renewTime?.toISOString()).toBe('2026-11-27T10:01:00.000Z');
  });

  it('a replace at a stale version is refused with Conflict and the caller told so; the Lease is left as the other wrote it', async () => {
    await createLease(client, take('host/1/t0'));
    const stale = (await readLease(client, 'kube-system', NAME))!.resourceVersion;
    await replaceLease(client, take('host/2/t1'), stale);
    const refused = await replaceLease(client, take('host/1/t0'), stale);
    expect(refused).toMatchObject({ written: false, reason: 'Conflict', message: expect.stringContaining('the object has been modified') });
    expect((await readLease(client, 'kube-system', NAME))?.holder).toBe('host/2/t1');
    await deleteLease(client, 'kube-system', NAME);
    expect(await replaceLease(client, take('host/1/t0'), stale)).toMatchObject({ written: false, reason: 'NotFound' });
    expect(await deleteLease(client, 'kube-system', NAME)).toBe(false);
  });

  it('a write whose answer never comes is reported as unanswered and possibly applied, within the timeout; it was', async () => {
    await createLease(client, take('host/1/t0'));
    const version = (await readLease(client, 'kube-system', NAME))!.resourceVersion;
    await cluster.fault({ verb: 'update', resource: 'leases', action: 'commit-then-hang', times: 1 });
    const started = Date.now();
    // Raced against a limit of its own: without the client's timeout the call would wait for ever.
    const error = await Promise.race([
      replaceLease(client, take('host/3/t2'), version).then(
        () => 'answered',
        (e: unknown) => e,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 8 s'), 8_000).unref()),
    ]);
    expect(error).toBeInstanceOf(KubeUnanswered);
    expect(error).toMatchObject({ mayHaveApplied: true, message: expect.stringContaining('The write may have been applied') });
    expect(Date.now() - started).toBeLessThan(10_000);
    // What the message tells the caller to do: read again. The server did apply it.
    expect((await readLease(client, 'kube-system', NAME))?.holder).toBe('host/3/t2');
  });
});
