import { writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { setHeaderOptions } from '@kubernetes/client-node';
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

describe("the fake cloud's Kubernetes API: an acceptance run's", () => {
  const BACKUPS = { group: 'resources.cattle.io', version: 'v1', plural: 'backups' };
  const backup = {
    apiVersion: 'resources.cattle.io/v1',
    kind: 'Backup',
    metadata: { name: 'rancher-aws-acceptance' },
    spec: { resourceSetName: 'x' },
  };
  let c: FakeCloud;
  const apiOn = (cluster?: 'user' | 'standby', context?: string) => {
    const kubeconfig = join(c.dir, `kubeconfig-${cluster ?? 'deployment'}`);
    writeFileSync(kubeconfig, worldKubeconfig(c.dir, cluster, context), { mode: 0o600 });
    return kubeApi({ kubeconfig, context, requestTimeoutMs: 30_000 });
  };
  /** A request the client layer does not send as it is (another Content-Type), through its own client. */
  const refusal = (request: Promise<unknown>) =>
    request.then(
      () => undefined,
      (error: unknown) => kubeFailure(error, 'the request', 'the fake API', true),
    );
  beforeEach(() => {
    const world = structuredClone(WORLD) as any;
    world.state.outputs.rancher_backup_bucket = { value: 'acc-backups' };
    world.aws.buckets['acc-backups'] = { exists: true, guarded: true, objects: [] };
    world.cluster.servers.push(
      { name: 'server-1', node: 'ip-10-0-0-11', ready: true, member: true, nodePresent: true },
      { name: 'server-2', node: 'ip-10-0-0-12', ready: true, member: true, nodePresent: true },
    );
    c = new FakeCloud({} as any, { ...world, acceptance: { kubelet: 'v1.35.7+rke2r1' } });
  });
  afterEach(() => {
    expect(c.violations()).toBe('');
    c.remove();
  });

  it('/readyz: 200 while a majority of the servers serve, else 500 with the failed check (text/plain, not a Status)', async () => {
    const api = apiOn();
    expect(await api.ready(4_000)).toBe(true);
    // One server of one, down (no majority serves).
    c.update((world) => {
      world.cluster.servers = world.cluster.servers.slice(0, 1);
      world.cluster.servers[0].ready = false;
    });
    expect(await api.ready(4_000)).toBe(false);
    const { port } = new URL(api.client.server);
    const token = /token: (\S+)/.exec(worldKubeconfig(c.dir))![1];
    const raw = await new Promise<{ status?: number; type?: string; body: string }>((done, fail) =>
      httpsGet(`https://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => done({ status: response.statusCode, type: response.headers['content-type'], body }));
      }).on('error', fail),
    );
    expect(raw).toEqual({ status: 500, type: 'text/plain; charset=utf-8', body: '[-]etcd failed: reason withheld\nreadyz check failed\n' });
    expect(c.calls().slice(0, 1)).toEqual(['kube-api GET /readyz as get --raw /readyz']);
  });

  it('the one-time Backup: none (404), created without the status it was sent (the status subresource), refused again (409), read, deleted, then none to delete (404)', async () => {
    const api = apiOn();
    expect(await api.clusterObjects.read(BACKUPS, 'rancher-aws-scheduled')).toMatchObject({ spec: { schedule: '0 */6 * * *' } });
    expect(await api.clusterObjects.read(BACKUPS, 'rancher-aws-acceptance')).toBeUndefined();
    const created = await api.clusterObjects.create(BACKUPS, { ...backup, status: { filename: 'forged.tar.gz' } } as typeof backup);
    expect(created).toMatchObject({ metadata: { name: 'rancher-aws-acceptance', uid: 'uid-deployment' }, spec: { resourceSetName: 'x' } });
    expect(created).not.toHaveProperty('status');
    await expect(api.clusterObjects.create(BACKUPS, backup)).rejects.toMatchObject({ status: { code: 409, reason: 'AlreadyExists' } });
    expect(await api.clusterObjects.read(BACKUPS, 'rancher-aws-acceptance')).toMatchObject({
      status: { filename: expect.stringMatching(/^rancher-aws-acceptance-.*\.tar\.gz\.enc$/) },
    });
    expect(c.world().aws.buckets['acc-backups'].objects).toHaveLength(1);
    // The standby's cluster holds none of the deployment's.
    expect(await apiOn('standby').clusterObjects.read(BACKUPS, 'rancher-aws-acceptance')).toBeUndefined();
    expect(await api.clusterObjects.delete(BACKUPS, 'rancher-aws-acceptance')).toBe(true);
    expect(await api.clusterObjects.delete(BACKUPS, 'rancher-aws-acceptance')).toBe(false);
    expect(c.calls()).toEqual(
      expect.arrayContaining([
        'kube-api POST /apis/resources.cattle.io/v1/backups as create -f - -o json',
        'kube-api DELETE /apis/resources.cattle.io/v1/backups/rancher-aws-acceptance as delete backups.resources.cattle.io/rancher-aws-acceptance --wait=false',
      ]),
    );
  });

  it('a Backup with no name is 422 Invalid, and one sent as YAML 415, before the world is asked', async () => {
    const api = apiOn();
    await expect(api.clusterObjects.create(BACKUPS, { ...backup, metadata: {} })).rejects.toMatchObject({ status: { code: 422, reason: 'Invalid' } });
    const yaml = await refusal(
      api.client.custom.createClusterCustomObject({ ...BACKUPS, body: backup }, setHeaderOptions('Content-Type', 'application/yaml')),
    );
    expect(yaml).toMatchObject({ status: { code: 415, reason: 'UnsupportedMediaType' } });
    expect(c.calls()).toEqual([]);
  });

  it("Rancher's Deployment scaled by a merge patch of its scale subresource; a negative count 422, a JSON patch not modelled (501), another type 415", async () => {
    const api = apiOn();
    expect(await api.deployments.replicas('cattle-system', 'rancher')).toBe(3);
    await api.deployments.scale('cattle-system', 'rancher', 0);
    expect(c.world().acceptance.rancherReplicas).toBe(0);
    expect(await api.deployments.replicas('cattle-system', 'rancher')).toBe(0);
    await expect(api.deployments.scale('cattle-system', 'rancher', -1)).rejects.toMatchObject({ status: { code: 422, reason: 'Invalid' } });
    const patch = (type: string, body: unknown) =>
      refusal(
        api.client.apps.patchNamespacedDeploymentScale({ namespace: 'cattle-system', name: 'rancher', body }, setHeaderOptions('Content-Type', type)),
      );
    expect(await patch('application/json-patch+json', [{ op: 'replace', path: '/spec/replicas', value: 1 }])).toMatchObject({
      status: { code: 501 },
    });
    expect(await patch('text/plain', { spec: { replicas: 1 } })).toMatchObject({ status: { code: 415, reason: 'UnsupportedMediaType' } });
    expect(c.world().acceptance.rancherReplicas).toBe(0);
    expect(c.calls()).toContain(
      'kube-api PATCH /apis/apps/v1/namespaces/cattle-system/deployments/rancher/scale as -n cattle-system scale deployment rancher --replicas=0',
    );
  });

  it("k8s-ha: the user's cluster on their kubeconfig's context (its Namespaces, its Nodes' kubelets); the same file's current context is refused", async () => {
    c.update((world) => (world.acceptance = { ...world.acceptance, cluster: { context: 'user-admin', namespaces: ['default', 'kube-system'] } }));
    const user = apiOn('user', 'user-admin');
    expect(await user.namespaces.names()).toEqual(['default', 'kube-system']);
    expect(await user.namespaces.exists('kube-system')).toBe(true);
    expect(await user.namespaces.exists('cattle-system')).toBe(false);
    expect(await user.nodes.versions()).toEqual(
      ['ip-10-0-0-10', 'ip-10-0-0-11', 'ip-10-0-0-12'].map((name) => ({ name, version: 'v1.35.7+rke2r1' })),
    );
    const current = kubeApi({ kubeconfig: join(c.dir, 'kubeconfig-user'), requestTimeoutMs: 30_000 });
    await expect(current.namespaces.names()).rejects.toMatchObject({
      status: { code: 501, message: expect.stringContaining("without the user's kubeconfig") },
    });
  });
});
