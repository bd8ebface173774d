import { kubeClient } from '../../../../cli/shared/kube/client';
import { readCustomObject } from '../../../../cli/shared/kube/custom-objects';
import { KubeRefused } from '../../../../cli/shared/kube/errors';
import { FakeCluster } from '../../../helpers/fake-cluster/fake-cluster';

/** A custom object through the client: the upgrade controller's server Plan, as cli/shared/upgrade-state.ts reads it. */
let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 1, dualStack: false });
});
afterAll(async () => {
  await cluster?.stop();
});

const plan = { group: 'upgrade.cattle.io', version: 'v1', plural: 'plans', namespace: 'system-upgrade', name: 'server-plan' } as const;

describe('readCustomObject', () => {
  it('reads the Plan whole, its status as the controller wrote it; undefined once it is gone', async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    expect(await readCustomObject(client, plan)).toBeUndefined();
    await cluster.put({
      apiVersion: 'upgrade.cattle.io/v1',
      kind: 'Plan',
      metadata: { name: 'server-plan', namespace: 'system-upgrade' },
      spec: { version: 'v1.35.7+rke2r1' },
      status: { latestHash: 'h1', applying: ['ip-10-0-0-10'] },
    });
    expect(await readCustomObject(client, plan)).toMatchObject({ kind: 'Plan', status: { latestHash: 'h1', applying: ['ip-10-0-0-10'] } });
    await cluster.remove('plans', 'server-plan', { group: 'upgrade.cattle.io', version: 'v1', namespace: 'system-upgrade' });
    expect(await readCustomObject(client, plan)).toBeUndefined();
  });

  it('a kind the API server does not serve (its CRD not installed) is undefined too: the same 404', async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    expect(await readCustomObject(client, { ...plan, group: 'example.invalid' })).toBeUndefined();
  });

  it("any other refusal is the API server's, in its words", async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    await cluster.fault({
      verb: 'get',
      resource: 'plans',
      action: 'status',
      code: 503,
      reason: 'ServiceUnavailable',
      message: 'etcd is down',
      times: 1,
    });
    await expect(readCustomObject(client, plan)).rejects.toBeInstanceOf(KubeRefused);
  });
});
