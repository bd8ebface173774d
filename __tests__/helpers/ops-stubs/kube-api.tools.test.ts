import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeFailure, KubeRefused, KubeUnanswered } from '../../../cli/shared/kube/errors';
import { kubeApi } from '../../../cli/shared/kube/kube-api';
import type { LeaseWrite } from '../../../cli/shared/kube/leases';
import { FakeCloud, worldKubeconfig } from '../fake-cloud';

// The fake cloud's Kubernetes API (stub-server.js KUBE_ROUTES), through the client layer as the commands use it, on
// the kubeconfig a world's state carries: it must answer as the kubectl stub decides on the same world (the same
// Lease, its resourceVersion conflicts, a missing object, the API down), never more kindly, and log each request.

const WORLD = {
  roll: true,
  state: { version: 4, serial: 1, lineage: 'l', outputs: { kubeconfig: { value: '', sensitive: true } }, resources: [] },
  aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
  cluster: { apiUp: true, servers: [{ name: 'server-0', node: 'ip-10-0-0-10', ready: true, member: true, nodePresent: true }] },
  restoreRecord: { restoredLeaseVersion: '7' },
};

const write = (holder: string): LeaseWrite => ({
  namespace: 'kube-system',
  name: 'rancher-ha-aws-roll',
  holder,
  durationSeconds: 3600,
  acquireTime: new Date('2026-11-27T12:00:00.123Z'),
  renewTime: new Date('2026-11-27T12:00:00.123Z'),
  annotations: {},
});

describe("the fake cloud's Kubernetes API", () => {
  let c: FakeCloud;
  let api: ReturnType<typeof kubeApi>;
  beforeEach(() => {
    c = new FakeCloud({} as any, structuredClone(WORLD));
    const kubeconfig = join(c.dir, 'kubeconfig');
    writeFileSync(kubeconfig, c.world().state.outputs.kubeconfig.value, { mode: 0o600 });
    api = kubeApi({ kubeconfig, requestTimeoutMs: 30_000 });
  });
  afterEach(() => {
    expect(c.violations()).toBe('');
    c.remove();
  });

  it('a Lease created, created again (AlreadyExists), read, replaced at its version, then at the old one (Conflict): as the kubectl stub keeps it', async () => {
    expect(await api.leases.read('kube-system', 'rancher-ha-aws-roll')).toBeUndefined();
    const created = await api.leases.create(write('ci/1/a'));
    expect(created).toMatchObject({ created: true, lease: { holder: 'ci/1/a' } });
    expect(await api.leases.create(write('ci/2/b'))).toEqual({ created: false });
    const read = (await api.leases.read('kube-system', 'rancher-ha-aws-roll'))!;
    expect(read).toMatchObject({ holder: 'ci/1/a', durationSeconds: 3600, renewTime: new Date('2026-11-27T12:00:00.123Z') });
    expect(c.world().lease).toMatchObject({
      holderIdentity: 'ci/1/a',
      renewTime: '2026-11-27T12:00:00.123000Z',
      resourceVersion: read.resourceVersion,
    });
    expect(await api.leases.replace(write('ci/2/b'), read.resourceVersion)).toMatchObject({ written: true, lease: { holder: 'ci/2/b' } });
    expect(await api.leases.replace(write('ci/3/c'), read.resourceVersion)).toMatchObject({ written: false, reason: 'Conflict' });
    expect(c.world().lease.holderIdentity).toBe('ci/2/b');
    expect(c.calls()).toEqual([
      'kube-api GET /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/rancher-ha-aws-roll as -n kube-system get lease rancher-ha-aws-roll -o json',
      'kube-api POST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases as create -f - -o json',
      'kube-api POST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases as create -f - -o json',
      'kube-api GET /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/rancher-ha-aws-roll as -n kube-system get lease rancher-ha-aws-roll -o json',
      'kube-api PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/rancher-ha-aws-roll as replace -f - -o json',
      'kube-api PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/rancher-ha-aws-roll as replace -f - -o json',
    ]);
  });

  it('a replace of a Lease that is not there is NotFound; the restore record is read whole', async () => {
    expect(await api.leases.replace(write('ci/1/a'), '3')).toMatchObject({ written: false, reason: 'NotFound' });
    expect(await api.leases.restoreRecord('kube-system', 'rancher-aws-restore')).toEqual({ restoredLeaseVersion: '7' });
  });

  it('the API down: a request gets no answer (the client says so), and nothing is written', async () => {
    c.update((world) => (world.cluster.apiUp = false));
    await expect(api.leases.create(write('ci/1/a'))).rejects.toBeInstanceOf(KubeUnanswered);
    expect(c.world().lease).toBeUndefined();
  });

  it('a request the world does not serve is refused naming it (501), never answered kindly', async () => {
    const refused = await api.client.core.listNamespacedPod({ namespace: 'kube-system' }).then(
      () => undefined,
      (error: unknown) => kubeFailure(error, 'Listing the Pods', api.client.server, false),
    );
    expect(refused).toBeInstanceOf(KubeRefused);
    expect(refused).toMatchObject({
      status: { code: 501, message: expect.stringContaining('does not serve GET /api/v1/namespaces/kube-system/pods') },
    });
  });

  it('the Nodes listed as the stub keeps them; cordoned and uncordoned by merge patch, each logged as the kubectl call it stands for', async () => {
    expect(await api.nodes.list()).toEqual([expect.objectContaining({ name: 'ip-10-0-0-10', ready: true, etcdVoter: true, unschedulable: false })]);
    expect(await api.nodes.setUnschedulable('ip-10-0-0-10', true)).toBe(true);
    expect(c.world().cluster.servers[0].cordoned).toBe(true);
    expect((await api.nodes.list())?.[0].unschedulable).toBe(true);
    expect(await api.nodes.setUnschedulable('ip-10-0-0-10', false)).toBe(true);
    expect(c.world().cluster.servers[0].cordoned).toBe(false);
    expect(await api.nodes.setUnschedulable('ip-10-9-9-9', true)).toBe(false);
    expect(c.calls()).toEqual([
      'kube-api GET /api/v1/nodes as get nodes -o json',
      'kube-api PATCH /api/v1/nodes/ip-10-0-0-10 as cordon ip-10-0-0-10',
      'kube-api GET /api/v1/nodes as get nodes -o json',
      'kube-api PATCH /api/v1/nodes/ip-10-0-0-10 as uncordon ip-10-0-0-10',
      'kube-api PATCH /api/v1/nodes/ip-10-9-9-9 as cordon ip-10-9-9-9',
    ]);
  });

  it('a patch of a Node that is not a merge patch is refused (415) before the world is asked', async () => {
    const refused = await api.client.core.patchNode({ name: 'ip-10-0-0-10', body: [{ op: 'add', path: '/spec/unschedulable', value: true }] }).then(
      () => undefined,
      (error: unknown) => kubeFailure(error, 'Patching the Node', api.client.server, true),
    );
    expect(refused).toMatchObject({ status: { code: 415, reason: 'UnsupportedMediaType' } });
    expect(c.world().cluster.servers[0].cordoned).toBeUndefined();
    expect(c.calls()).toEqual([]);
  });

  it("a Node's deletion and a Secret's: the world's Node being deleted, the Secret recorded; a Node not there is NotFound", async () => {
    expect(await api.nodes.delete('ip-10-0-0-10')).toBe(true);
    expect(c.world().cluster.servers[0].deleting).toBe(true);
    expect(await api.nodes.delete('ip-10-9-9-9')).toBe(false);
    expect(await api.deleteSecret('kube-system', 'ip-10-0-0-10.node-password.rke2')).toBe(true);
    expect(c.world().cluster.deletedSecrets).toEqual(['ip-10-0-0-10.node-password.rke2']);
    expect(c.calls()).toEqual([
      'kube-api DELETE /api/v1/nodes/ip-10-0-0-10 as delete node ip-10-0-0-10 --wait=false',
      'kube-api DELETE /api/v1/nodes/ip-10-9-9-9 as delete node ip-10-9-9-9 --wait=false',
      'kube-api DELETE /api/v1/namespaces/kube-system/secrets/ip-10-0-0-10.node-password.rke2 as -n kube-system delete secret ip-10-0-0-10.node-password.rke2',
    ]);
  });

  it("the upgrade's records and server Plan: none without an upgrade (no CRD: a 404 as the API server's), then as the world holds them", async () => {
    const plan = { group: 'upgrade.cattle.io', version: 'v1', plural: 'plans', namespace: 'system-upgrade', name: 'server-plan' };
    expect(await api.configMapData('rancher-aws-gates', 'rancher-aws-kubernetes-target')).toBeUndefined();
    expect(await api.customObject(plan)).toBeUndefined();
    c.update((world) => (world.cluster.upgrade = { target: 'v1.35.7', running: 'v1.35.6' }));
    expect(await api.customObject(plan)).toBeUndefined();
    c.update((world) => (world.cluster.upgrade.plan = { latestHash: 'h1', applying: ['ip-10-0-0-10'] }));
    expect(await api.configMapData('rancher-aws-gates', 'rancher-aws-kubernetes-target')).toEqual({ kubernetes: 'v1.35.7' });
    expect(await api.customObject(plan)).toMatchObject({ status: { latestHash: 'h1', applying: ['ip-10-0-0-10'] } });
    expect(c.calls()).toContain(
      'kube-api GET /apis/upgrade.cattle.io/v1/namespaces/system-upgrade/plans/server-plan as -n system-upgrade get plans.upgrade.cattle.io server-plan -o json',
    );
  });
});

describe("the fake cloud's Kubernetes API: a drill's throwaway", () => {
  const USERS = { group: 'management.cattle.io', version: 'v3', plural: 'users' };
  const BINDINGS = { group: 'management.cattle.io', version: 'v3', plural: 'globalrolebindings' };
  const user = { apiVersion: 'management.cattle.io/v3', kind: 'User', metadata: { name: 'rancher-ha-aws-drill' }, username: 'rancher-ha-aws-drill' };
  const binding = {
    apiVersion: 'management.cattle.io/v3',
    kind: 'GlobalRoleBinding',
    metadata: { name: 'rancher-ha-aws-drill-admin' },
    globalRoleName: 'admin',
    userName: 'rancher-ha-aws-drill',
  };
  const password = { metadata: { name: 'rancher-ha-aws-drill', namespace: 'cattle-local-user-passwords' }, stringData: { password: 'a'.repeat(32) } };
  let c: FakeCloud;
  let api: ReturnType<typeof kubeApi>;
  beforeEach(() => {
    c = new FakeCloud({} as any, structuredClone({ ...WORLD, roll: false }));
    c.update((world) => (world.drill = { state: { outputs: { kubeconfig: { value: worldKubeconfig(c.dir, 'drill') } } } }));
    const kubeconfig = join(c.dir, 'kubeconfig');
    writeFileSync(kubeconfig, worldKubeconfig(c.dir, 'drill'), { mode: 0o600 });
    api = kubeApi({ kubeconfig, requestTimeoutMs: 30_000 });
  });
  afterEach(() => {
    expect(c.violations()).toBe('');
    c.remove();
  });

  it("Rancher's CA Secret, the cluster-admin check and the drill's user made and deleted, each as the kubectl call it stands for", async () => {
    expect((await api.secretData('cattle-system', 'tls-rancher'))?.['tls.crt'].toString()).toContain('BEGIN CERTIFICATE');
    expect(await api.selfAccess({ verb: '*', resource: '*' })).toEqual({ allowed: true });
    await api.clusterObjects.create(USERS, user);
    await api.clusterObjects.create(BINDINGS, binding);
    await api.createSecret('cattle-local-user-passwords', password);
    expect(c.world().drill).toMatchObject({ user: { password: 'a'.repeat(32) }, binding: true, userEvents: ['created'] });
    await expect(api.clusterObjects.create(USERS, user)).rejects.toMatchObject({ status: { code: 409, reason: 'AlreadyExists' } });
    expect(await api.clusterObjects.delete(USERS, 'rancher-ha-aws-drill')).toBe(true);
    expect(await api.clusterObjects.delete(BINDINGS, 'rancher-ha-aws-drill-admin')).toBe(true);
    // Gone already (the password went with its User here): NotFound, which the client reads as none.
    expect(await api.deleteSecret('cattle-local-user-passwords', 'rancher-ha-aws-drill')).toBe(false);
    expect(await api.clusterObjects.delete(USERS, 'rancher-ha-aws-drill')).toBe(false);
    expect(c.calls()).toEqual([
      'kube-api GET /api/v1/namespaces/cattle-system/secrets/tls-rancher as -n cattle-system get secret tls-rancher -o json',
      'kube-api POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews as auth can-i * * --all-namespaces',
      'kube-api POST /apis/management.cattle.io/v3/users as create -f - -o json',
      'kube-api POST /apis/management.cattle.io/v3/globalrolebindings as create -f - -o json',
      'kube-api POST /api/v1/namespaces/cattle-local-user-passwords/secrets as create -f - -o json',
      'kube-api POST /apis/management.cattle.io/v3/users as create -f - -o json',
      'kube-api DELETE /apis/management.cattle.io/v3/users/rancher-ha-aws-drill as delete users.management.cattle.io/rancher-ha-aws-drill --wait=false',
      'kube-api DELETE /apis/management.cattle.io/v3/globalrolebindings/rancher-ha-aws-drill-admin as delete globalrolebindings.management.cattle.io/rancher-ha-aws-drill-admin --wait=false',
      'kube-api DELETE /api/v1/namespaces/cattle-local-user-passwords/secrets/rancher-ha-aws-drill as -n cattle-local-user-passwords delete secret rancher-ha-aws-drill',
      'kube-api DELETE /apis/management.cattle.io/v3/users/rancher-ha-aws-drill as delete users.management.cattle.io/rancher-ha-aws-drill --wait=false',
    ]);
  });

  it("rancher-webhook not serving: the password's create refused as the API server's InternalError in its own words; an object of another namespace than the path's is 400, before the world is asked", async () => {
    c.update((world) => (world.drill.webhookRefusals = 1));
    await api.clusterObjects.create(USERS, user);
    await api.clusterObjects.create(BINDINGS, binding);
    const refused = await api.createSecret('cattle-local-user-passwords', password).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(KubeRefused);
    expect((refused as KubeRefused).status).toMatchObject({ code: 500, reason: 'InternalError' });
    expect((refused as KubeRefused).status.message).toMatch(/^Internal error occurred: failed calling webhook "rancher.cattle.io.secrets"/);
    const before = c.calls().length;
    await expect(api.createSecret('kube-system', password)).rejects.toMatchObject({ status: { code: 400, reason: 'BadRequest' } });
    expect(c.calls()).toHaveLength(before);
  });

  it("the deployment's kubeconfig is not the throwaway's: the drill's calls through it are refused", async () => {
    const kubeconfig = join(c.dir, 'production-kubeconfig');
    writeFileSync(kubeconfig, worldKubeconfig(c.dir), { mode: 0o600 });
    const production = kubeApi({ kubeconfig, requestTimeoutMs: 30_000 });
    await expect(production.selfAccess({ verb: '*', resource: '*' })).rejects.toMatchObject({ status: { code: 501 } });
  });
});
