import { kubeClient, type KubeClient } from '../../../../cli/shared/kube/client';
import { KubeRefused } from '../../../../cli/shared/kube/errors';
import { createJob, jobState } from '../../../../cli/shared/kube/jobs';
import { FakeCluster, type KubeObject } from '../../../helpers/fake-cluster/fake-cluster';

/**
 * Jobs through the client: created, then read by the conditions the Job controller sets (the fake has no controller:
 * the test writes the status as it would).
 */
let cluster: FakeCluster;
let client: KubeClient;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 1, dualStack: false });
  client = kubeClient({ kubeconfig: cluster.kubeconfig() });
});
afterAll(async () => {
  await cluster?.stop();
});

const JOB = {
  metadata: { name: 'etcd-check' },
  spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'check', image: 'busybox', command: ['true'] }] } } },
};

describe('Jobs', () => {
  it('is created, running until the controller marks it Complete or Failed (with its reason)', async () => {
    expect(await createJob(client, 'kube-system', JOB)).toBe('etcd-check');
    expect(await jobState(client, 'kube-system', 'etcd-check')).toEqual({ state: 'running', active: 0, succeeded: 0, failed: 0 });
    const stored = (await cluster.get('jobs', 'etcd-check', { group: 'batch', namespace: 'kube-system' })) as KubeObject;
    const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', reason, message });
    await cluster.put({
      ...stored,
      status: { active: 1, failed: 1, conditions: [condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] },
    });
    expect(await jobState(client, 'kube-system', 'etcd-check')).toEqual({
      state: 'failed',
      active: 1,
      succeeded: 0,
      failed: 1,
      why: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
    });
    await cluster.put({
      ...stored,
      status: { succeeded: 1, conditions: [condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')] },
    });
    expect(await jobState(client, 'kube-system', 'etcd-check')).toMatchObject({ state: 'succeeded', succeeded: 1 });
    expect(await jobState(client, 'kube-system', 'no-such-job')).toBeUndefined();
  });

  it("a create an admission webhook denies is refused in the apiserver's words", async () => {
    await cluster.hook({ name: 'rancher.cattle.io.jobs', operations: ['CREATE'], resource: 'jobs', mode: 'deny', message: 'no jobs here' });
    try {
      const refused = await createJob(client, 'kube-system', { ...JOB, metadata: { name: 'denied' } }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(KubeRefused);
      expect((refused as KubeRefused).status).toEqual({
        code: 400,
        reason: 'BadRequest',
        message: 'admission webhook "rancher.cattle.io.jobs" denied the request: no jobs here',
      });
    } finally {
      await cluster.clearHooks();
    }
    expect(await jobState(client, 'kube-system', 'denied')).toBeUndefined();
  });
});
