import { kubeClient, type KubeClient } from '../../../../cli/shared/kube/client';
import { readConfigMap, writeConfigMap } from '../../../../cli/shared/kube/config-maps';
import { KubeRefused } from '../../../../cli/shared/kube/errors';
import { FakeCluster } from '../../../helpers/fake-cluster/fake-cluster';

/** The restore record (ConfigMap kube-system/rancher-aws-restore) through the client: read, created, replaced at its version. */
let cluster: FakeCluster;
let client: KubeClient;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 1, dualStack: false });
  client = kubeClient({ kubeconfig: cluster.kubeconfig() });
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  await cluster.clearHooks();
  await cluster.remove('configmaps', 'rancher-aws-restore', { namespace: 'kube-system' });
});

describe('ConfigMaps', () => {
  it('creates the record once, reads it, replaces it at its version; a stale version is a Conflict, told to the caller', async () => {
    expect(await readConfigMap(client, 'kube-system', 'rancher-aws-restore')).toBeUndefined();
    const created = await writeConfigMap(client, 'kube-system', 'rancher-aws-restore', { restoredLeaseVersion: '41' });
    expect(created.written).toBe(true);
    expect(await writeConfigMap(client, 'kube-system', 'rancher-aws-restore', { restoredLeaseVersion: '42' })).toMatchObject({
      written: false,
      reason: 'AlreadyExists',
    });
    const read = await readConfigMap(client, 'kube-system', 'rancher-aws-restore');
    expect(read?.data).toEqual({ restoredLeaseVersion: '41' });
    const replaced = await writeConfigMap(client, 'kube-system', 'rancher-aws-restore', { restoredLeaseVersion: '43' }, read!.resourceVersion);
    expect(replaced.written).toBe(true);
    expect(await writeConfigMap(client, 'kube-system', 'rancher-aws-restore', { restoredLeaseVersion: '44' }, read!.resourceVersion)).toMatchObject({
      written: false,
      reason: 'Conflict',
    });
    expect((await cluster.get('configmaps', 'rancher-aws-restore', { namespace: 'kube-system' }))?.data).toEqual({ restoredLeaseVersion: '43' });
  });

  it("a write an admission webhook denies is refused with the webhook's message, and nothing is written", async () => {
    await cluster.hook({
      name: 'validate.example.io',
      operations: ['CREATE'],
      resource: 'configmaps',
      namespace: 'kube-system',
      mode: 'deny',
      message: 'kube-system is read-only',
      code: 403,
    });
    const refused = await writeConfigMap(client, 'kube-system', 'rancher-aws-restore', { restoredLeaseVersion: '41' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KubeRefused);
    expect((refused as Error).message).toBe(
      'Writing ConfigMap kube-system/rancher-aws-restore: the API server refused it (403 Forbidden): admission webhook "validate.example.io" denied the request: kube-system is read-only',
    );
    expect(await readConfigMap(client, 'kube-system', 'rancher-aws-restore')).toBeUndefined();
  });
});
