import { kubeClient, type KubeClient } from '../../../../cli/shared/kube/client';
import { KubeRefused } from '../../../../cli/shared/kube/errors';
import { deleteSecret, readSecretData } from '../../../../cli/shared/kube/secrets';
import { FakeCluster } from '../../../helpers/fake-cluster/fake-cluster';

/** A Secret's data through the client (the throwaway's tls-rancher certificate), and a delete admission refuses. */
let cluster: FakeCluster;
let client: KubeClient;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 1, dualStack: false });
  client = kubeClient({ kubeconfig: cluster.kubeconfig() });
  await cluster.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cattle-system' } });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('Secrets', () => {
  it('reads the data decoded from base64; a missing Secret is undefined', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    await cluster.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tls-rancher', namespace: 'cattle-system' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(pem).toString('base64'), 'tls.key': Buffer.from([0, 255, 1]).toString('base64') },
    });
    const data = await readSecretData(client, 'cattle-system', 'tls-rancher');
    expect(data?.['tls.crt']?.toString('utf8')).toBe(pem);
    expect([...(data?.['tls.key'] ?? [])]).toEqual([0, 255, 1]);
    expect(await readSecretData(client, 'cattle-system', 'tls-other')).toBeUndefined();
  });

  it("a delete rancher-webhook cannot admit (failurePolicy Fail, no endpoints) is refused in the apiserver's words; the Secret stays", async () => {
    await cluster.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ip-10-0-1-11.node-password.rke2', namespace: 'kube-system' },
      data: {},
    });
    await cluster.hook({ name: 'rancher.cattle.io.secrets', operations: ['DELETE'], resource: 'secrets', mode: 'unreachable' });
    try {
      const refused = await deleteSecret(client, 'kube-system', 'ip-10-0-1-11.node-password.rke2').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(KubeRefused);
      expect((refused as Error).message).toContain(
        '(500 InternalError): Internal error occurred: failed calling webhook "rancher.cattle.io.secrets": failed to call webhook: Post "https://rancher-webhook.cattle-system.svc:443/v1/webhook/validation/secrets?timeout=10s": no endpoints available for service "rancher-webhook"',
      );
    } finally {
      await cluster.clearHooks();
    }
    expect(await deleteSecret(client, 'kube-system', 'ip-10-0-1-11.node-password.rke2')).toBe(true);
    expect(await deleteSecret(client, 'kube-system', 'ip-10-0-1-11.node-password.rke2')).toBe(false);
  });
});
