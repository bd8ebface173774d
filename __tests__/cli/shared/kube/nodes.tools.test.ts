import { kubeClient } from '../../../../cli/shared/kube/client';
import { KubeUnanswered } from '../../../../cli/shared/kube/errors';
import { deleteNode, listNodes, nodesIfAnswered, setUnschedulable } from '../../../../cli/shared/kube/nodes';
import { FakeCluster } from '../../../helpers/fake-cluster/fake-cluster';

/** The Nodes through the client, read as the roll reads them (nodeStatus), from the objects the kubelet and RKE2 write. */
let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 3, dualStack: true });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('listNodes', () => {
  it("reads each Node's InternalIPs of both families, Ready, EtcdIsVoter, cordon, deletion, labels", async () => {
    const [a, b, c] = cluster.servers;
    await cluster.node(b, { ready: false, voter: false, unschedulable: true, labels: { tier: 'x' } });
    const deleting = await cluster.node(c);
    await cluster.put({ ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: '2026-11-27T10:00:00Z', annotations: { note: 'y' } } });
    const nodes = await listNodes(kubeClient({ kubeconfig: cluster.kubeconfig() }));
    expect(nodes).toEqual([
      expect.objectContaining({ name: a.name, internalIps: a.internalIps, ready: true, etcdVoter: true, unschedulable: false, deleting: false }),
      expect.objectContaining({ name: b.name, ready: false, etcdVoter: false, unschedulable: true, labels: expect.objectContaining({ tier: 'x' }) }),
      expect.objectContaining({ name: c.name, ready: true, deleting: true, annotations: { note: 'y' } }),
    ]);
    expect(nodes[0].internalIps).toHaveLength(2);
  });

  it('a Node without the EtcdIsVoter condition (K3s on an external datastore) reads as undefined, not as a learner', async () => {
    const [a] = cluster.servers;
    const node = await cluster.node(a);
    const status = node.status as { conditions: { type: string }[] };
    await cluster.put({ ...node, status: { ...status, conditions: status.conditions.filter((c) => c.type !== 'EtcdIsVoter') } });
    const [read] = await listNodes(kubeClient({ kubeconfig: cluster.kubeconfig() }));
    expect(read).toMatchObject({ name: a.name, ready: true, etcdVoter: undefined });
  });

  it('cordons and uncordons by a patch of spec.unschedulable alone, leaving the status the kubelet wrote', async () => {
    const [a] = cluster.servers;
    await cluster.node(a);
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    expect(await setUnschedulable(client, a.name, true)).toBe(true);
    const cordoned = (await cluster.get('nodes', a.name)) as unknown as { spec: { unschedulable?: boolean }; status: { addresses: unknown[] } };
    expect(cordoned.spec.unschedulable).toBe(true);
    expect(cordoned.status.addresses.length).toBeGreaterThan(0);
    expect((await listNodes(client)).find((n) => n.name === a.name)?.unschedulable).toBe(true);
    expect(await setUnschedulable(client, a.name, false)).toBe(true);
    expect(((await cluster.get('nodes', a.name)) as unknown as { spec: object }).spec).not.toHaveProperty('unschedulable');
    expect(await setUnschedulable(client, 'ip-10-9-9-9', true)).toBe(false);
  });

  it("a cordon whose answer never comes ends at the client's request timeout, reported as possibly applied", async () => {
    const [a] = cluster.servers;
    await cluster.node(a);
    const client = kubeClient({ kubeconfig: cluster.kubeconfig(), requestTimeoutMs: 1_000 });
    await cluster.fault({ verb: 'patch', resource: 'nodes', action: 'commit-then-hang', times: 1 });
    const error = await Promise.race([
      setUnschedulable(client, a.name, true).then(
        () => 'answered',
        (e: unknown) => e,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 6 s'), 6_000).unref()),
    ]);
    expect(error).toBeInstanceOf(KubeUnanswered);
    expect(error).toMatchObject({ mayHaveApplied: true });
  });

  it('deletes a Node; false when it is gone already', async () => {
    const [, , c] = cluster.servers;
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    expect(await deleteNode(client, c.name)).toBe(true);
    expect(await cluster.get('nodes', c.name)).toBeUndefined();
    expect(await deleteNode(client, c.name)).toBe(false);
  });
});

describe('nodesIfAnswered', () => {
  it('the Nodes when the API answers; undefined when it refuses the list or drops the request, as a kubectl get nodes that failed', async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig(), requestTimeoutMs: 2_000 });
    expect((await nodesIfAnswered(client))?.map((n) => n.name)).toEqual((await listNodes(client)).map((n) => n.name));
    await cluster.fault({
      verb: 'list',
      resource: 'nodes',
      action: 'status',
      code: 503,
      reason: 'ServiceUnavailable',
      message: 'etcd is down',
      times: 1,
    });
    expect(await nodesIfAnswered(client)).toBeUndefined();
    await cluster.fault({ verb: 'list', resource: 'nodes', action: 'drop', times: 1 });
    expect(await nodesIfAnswered(client)).toBeUndefined();
    expect(await nodesIfAnswered(client)).toBeDefined();
  });
});
