import { kubeClient } from '../../../../cli/shared/kube/client';
import { listWebhookConfigurations } from '../../../../cli/shared/kube/webhooks';
import { FakeCluster } from '../../../helpers/fake-cluster/fake-cluster';

/** The admission webhook configurations through the client: both kinds, their webhooks and failure policies. */
let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 1, dualStack: false });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('listWebhookConfigurations', () => {
  it('lists validating and mutating configurations; a webhook without failurePolicy reads as Fail, the API default', async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    expect(await listWebhookConfigurations(client)).toEqual([]);
    const webhook = (name: string, failurePolicy?: string) => ({
      name,
      ...(failurePolicy ? { failurePolicy } : {}),
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      clientConfig: { service: { name: 'rancher-webhook', namespace: 'cattle-system', path: '/v1/webhook/validation' } },
    });
    await cluster.put({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'rancher.cattle.io' },
      webhooks: [webhook('rancher.cattle.io.secrets', 'Fail'), webhook('rancher.cattle.io.namespaces', 'Ignore')],
    });
    await cluster.put({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'rancher.cattle.io' },
      webhooks: [webhook('rancher.cattle.io.secrets')],
    });
    expect(await listWebhookConfigurations(client)).toEqual([
      {
        kind: 'validating',
        name: 'rancher.cattle.io',
        webhooks: [
          { name: 'rancher.cattle.io.secrets', failurePolicy: 'Fail' },
          { name: 'rancher.cattle.io.namespaces', failurePolicy: 'Ignore' },
        ],
      },
      { kind: 'mutating', name: 'rancher.cattle.io', webhooks: [{ name: 'rancher.cattle.io.secrets', failurePolicy: 'Fail' }] },
    ]);
  });
});
