import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from '../subprocess';
import { FakeCluster, restartLease } from './fake-cluster';
import { TestCa } from './pki';

/**
 * The fake API server as Debian's real kubectl (1.20) sees it: each behaviour the scripts' tests rely on, shown
 * through kubectl's own decoding and messages. A stand-in is a claim about upstream (DESIGN §14): these are its
 * claims, each with its source in api-server.js.
 */
let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 2, dualStack: true });
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  await cluster.clearFaults();
  await cluster.clearHooks();
  await cluster.remove('leases', 'rancher-aws-server-restart', { group: 'coordination.k8s.io', namespace: 'kube-system' });
});

function kubectl(args: readonly string[], input?: string) {
  const r = runBounded(`${cluster.bin}/kubectl`, ['--request-timeout=15s', ...args], {
    input,
    env: { HOME: cluster.dir, KUBECONFIG: cluster.kubeconfig(), PATH: process.env.PATH },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

const LEASE = (holder: string, version?: string) =>
  [
    'apiVersion: coordination.k8s.io/v1',
    'kind: Lease',
    'metadata:',
    '  name: rancher-aws-server-restart',
    '  namespace: kube-system',
    ...(version ? [`  resourceVersion: "${version}"`] : []),
    'spec:',
    `  holderIdentity: "${holder}"`,
    '  leaseDurationSeconds: 1800',
    '',
  ].join('\n');

describe('the fake API server through the real kubectl', () => {
  it('discovery maps short names, CRDs and label selectors; lists carry their items', () => {
    const [a, b] = cluster.servers;
    expect(kubectl(['get', 'no', '-l', 'node-role.kubernetes.io/control-plane=true', '-o', 'name']).stdout).toBe(`node/${a.name}\nnode/${b.name}\n`);
    expect(kubectl(['get', 'nodes', '-l', `kubernetes.io/hostname!=${a.name}`, '-o', 'name']).stdout).toBe(`node/${b.name}\n`);
    const plans = kubectl(['get', 'plans.upgrade.cattle.io', '-n', 'system-upgrade', '-o', 'json']);
    expect(JSON.parse(plans.stdout)).toMatchObject({ kind: 'List', items: [] });
    const missing = kubectl(['get', 'plans.upgrade.cattle.io', '-n', 'system-upgrade', 'server-plan', '-o', 'jsonpath={.status.applying}']);
    expect(missing.stderr).toBe('Error from server (NotFound): plans.upgrade.cattle.io "server-plan" not found');
  });

  it('Leases: a create is atomic (AlreadyExists), a replace at a stale resourceVersion is a Conflict, a missing one NotFound', async () => {
    expect(kubectl(['-n', 'kube-system', 'get', 'lease', 'rancher-aws-server-restart']).stderr).toBe(
      'Error from server (NotFound): leases.coordination.k8s.io "rancher-aws-server-restart" not found',
    );
    expect(kubectl(['create', '-f', '-'], LEASE('a')).stdout).toBe('lease.coordination.k8s.io/rancher-aws-server-restart created\n');
    expect(kubectl(['create', '-f', '-'], LEASE('b')).stderr).toBe(
      'Error from server (AlreadyExists): error when creating "STDIN": leases.coordination.k8s.io "rancher-aws-server-restart" already exists',
    );
    const version = kubectl(['-n', 'kube-system', 'get', 'lease', 'rancher-aws-server-restart', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;
    expect(kubectl(['replace', '-f', '-'], LEASE('b', version)).status).toBe(0);
    const stale = kubectl(['replace', '-f', '-'], LEASE('c', version));
    expect(stale.status).toBe(1);
    expect(stale.stderr).toBe(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on leases.coordination.k8s.io "rancher-aws-server-restart": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(((await cluster.lease()) as any).spec.holderIdentity).toBe('b');
  });

  it("kubectl's replace without a resourceVersion reads the current one first (a read, then a write at that version): the server never sees it unconditional", async () => {
    await cluster.put(restartLease('a', 0, 1800));
    await cluster.clearRequests();
    expect(kubectl(['replace', '-f', '-'], LEASE('b')).status).toBe(0);
    const leaseCalls = (await cluster.requests()).filter((r) => r.path.endsWith('/leases/rancher-aws-server-restart')).map((r) => r.method);
    expect(leaseCalls).toEqual(['GET', 'PUT']);
  });

  it('an admission webhook that denies, and one that cannot be called (failurePolicy Fail, no pod): the Status kubectl prints', async () => {
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: kube-system\nstringData:\n  a: b\n';
    await cluster.hook({
      name: 'rancher.cattle.io.secrets',
      operations: ['CREATE'],
      resource: 'secrets',
      mode: 'deny',
      message: 'not allowed here',
    });
    expect(kubectl(['create', '-f', '-'], secret).stderr).toBe(
      'Error from server (BadRequest): error when creating "STDIN": admission webhook "rancher.cattle.io.secrets" denied the request: not allowed here',
    );
    await cluster.clearHooks();
    await cluster.hook({ name: 'rancher.cattle.io.secrets', operations: ['CREATE'], resource: 'secrets', mode: 'unreachable' });
    expect(kubectl(['create', '-f', '-'], secret).stderr).toBe(
      'Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "rancher.cattle.io.secrets": failed to call webhook: Post "https://rancher-webhook.cattle-system.svc:443/v1/webhook/validation/secrets?timeout=10s": no endpoints available for service "rancher-webhook"',
    );
    expect(await cluster.get('secrets', 's', { namespace: 'kube-system' })).toBeUndefined();
  });

  it('a write that commits and whose answer is lost: kubectl reports a failure, the object is stored', async () => {
    await cluster.fault({ verb: 'create', resource: 'leases', action: 'commit-then-drop', times: 1 });
    const r = kubectl(['create', '-f', '-'], LEASE('dropped'));
    expect(r.status).not.toBe(0);
    expect(((await cluster.lease()) as any).spec.holderIdentity).toBe('dropped');
  });

  it('a server that is down refuses connections; its peer still answers, and it answers again once up', async () => {
    const [a, b] = cluster.servers;
    await cluster.down(a.address);
    const refused = kubectl(['get', 'nodes', '-o', 'name']);
    expect(refused.stderr).toBe(`The connection to the server ${a.address}:6443 was refused - did you specify the right host or port?`);
    expect(kubectl(['--server', `https://${b.address}:6443`, 'get', 'nodes', '-o', 'name']).status).toBe(0);
    await cluster.up(a.address);
    expect(kubectl(['get', 'nodes', '-o', 'name']).status).toBe(0);
  });

  it('patches (kubectl cordon) merge into the stored object', async () => {
    const [a] = cluster.servers;
    expect(kubectl(['cordon', a.name]).stdout).toBe(`node/${a.name} cordoned\n`);
    expect(((await cluster.get('nodes', a.name)) as any).spec.unschedulable).toBe(true);
    expect(kubectl(['uncordon', a.name]).status).toBe(0);
  });

  it('a JSON patch (RFC 6902), which it does not model, is refused with 415 rather than merged', async () => {
    const [a] = cluster.servers;
    const r = kubectl(['patch', 'node', a.name, '--type', 'json', '-p', '[{"op":"add","path":"/spec/unschedulable","value":true}]']);
    expect(r.stderr).toBe('Error from server (UnsupportedMediaType): the fake API server models merge patches only, not application/json-patch+json');
    expect(((await cluster.get('nodes', a.name)) as any).spec.unschedulable).toBeUndefined();
  });
});

describe('the fake API server: client certificates, as the x509 authenticator takes them', () => {
  /** kubectl with no kubeconfig: the server, its CA, and a client certificate `subject` signed by `ca`. */
  const asClient = (ca: TestCa, subject: string, name: string) => {
    const key = join(ca.dir, `${name}.key`);
    const cert = join(ca.dir, `${name}.crt`);
    const signed = runBounded('openssl', [
      ...['req', '-x509', '-config', '/dev/null', '-CA', ca.cert, '-CAkey', ca.key, '-newkey', 'ec', '-pkeyopt', 'group:P-256'],
      ...['-noenc', '-keyout', key, '-subj', subject, '-days', '1', '-addext', 'extendedKeyUsage=clientAuth', '-out', cert],
    ]);
    expect(signed.status).toBe(0);
    const [server] = cluster.servers;
    const flags = ['--kubeconfig', '/dev/null', '--server', `https://${server.address}:6443`, '--certificate-authority', cluster.ca.cert];
    return (args: readonly string[]) => {
      const r = runBounded(
        `${cluster.bin}/kubectl`,
        ['--request-timeout=15s', ...flags, '--client-certificate', cert, '--client-key', key, ...args],
        {
          env: { HOME: cluster.dir, PATH: process.env.PATH },
        },
      );
      return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
    };
  };
  let other: string;
  beforeAll(() => {
    other = mkdtempSync(join(tmpdir(), 'other-ca-'));
  });
  afterAll(() => rmSync(other, { recursive: true, force: true }));

  it("signed by the client CA: the user its CN, in the groups its O; system:masters may read, another group is 403 (no RBAC here but the masters' binding)", async () => {
    await cluster.clearRequests();
    const admin = asClient(cluster.ca, '/O=system:masters/CN=system:admin', 'masters');
    expect(admin(['get', '--raw', '/readyz'])).toEqual({ status: 0, stdout: 'ok', stderr: '' });
    expect(admin(['get', 'nodes', '-o', 'name']).stdout).toContain(`node/${cluster.servers[0].name}`);
    expect(new Set((await cluster.requests()).map((q) => q.user))).toEqual(new Set(['system:admin']));
    const someone = asClient(cluster.ca, '/O=developers/CN=jane', 'jane')(['get', 'nodes']);
    expect(someone.status).not.toBe(0);
    expect(someone.stderr).toMatch(/Forbidden/);
  });

  it('signed by another CA: 401 Unauthorized, not anonymous (the handshake itself lets it through, as kube-apiserver does)', async () => {
    await cluster.clearRequests();
    const stranger = asClient(new TestCa(other), '/O=system:masters/CN=system:admin', 'stranger')(['get', '--raw', '/readyz']);
    expect(stranger.status).not.toBe(0);
    expect(stranger.stderr).toMatch(/Unauthorized/);
    // The request reached the API (RequestClientCert: the handshake does not refuse it) and was not authenticated.
    expect((await cluster.requests()).filter((q) => q.path === '/readyz').map((q) => q.user ?? 'nobody')).toEqual(['nobody']);
  });
});
