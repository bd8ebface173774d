import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endReadsInFlightOn } from '../../../../cli/shared/in-flight';
import { kubeClient } from '../../../../cli/shared/kube/client';
import { apiReady } from '../../../../cli/shared/kube/health';
import { KubeRefused, KubeUnanswered, KubeUnreachable } from '../../../../cli/shared/kube/errors';
import { listNodes } from '../../../../cli/shared/kube/nodes';
import { FakeCluster } from '../../../helpers/fake-cluster/fake-cluster';
import { runBounded } from '../../../helpers/subprocess';

/**
 * The client factory against the fake API server (api-server.js): the kubeconfig's credentials as kubectl reads them
 * (a bearer token, a client certificate), its contexts, and what a call reports when the server errs, drops the
 * connection or is down: never a silent retry, always within the request timeout.
 */
let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await FakeCluster.start({ servers: 2, dualStack: false });
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  await cluster.clearFaults();
  await cluster.clearRequests();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

/** A kubeconfig with a client certificate `subject` signed by the cluster's CA (the x509 authenticator's client CA). */
function certificateKubeconfig(subject: string, name: string): string {
  const key = join(cluster.dir, `${name}.key`);
  const cert = join(cluster.dir, `${name}.crt`);
  const signed = runBounded('openssl', [
    ...['req', '-x509', '-config', '/dev/null', '-CA', cluster.ca.cert, '-CAkey', cluster.ca.key, '-newkey', 'ec', '-pkeyopt', 'group:P-256'],
    ...['-noenc', '-keyout', key, '-subj', subject, '-days', '1', '-addext', 'extendedKeyUsage=clientAuth', '-out', cert],
  ]);
  expect(signed.status).toBe(0);
  const path = join(cluster.dir, `kubeconfig-${name}`);
  const [server] = cluster.servers;
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters:\n- name: fake\n  cluster:\n    server: https://${server.address}:6443\n    certificate-authority: ${cluster.ca.cert}`,
      `users:\n- name: ${name}\n  user:\n    client-certificate: ${cert}\n    client-key: ${key}`,
      `contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: ${name}`,
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return path;
}

describe('the client from the deployment kubeconfig', () => {
  it("authenticates with the kubeconfig's bearer token", async () => {
    const nodes = await listNodes(kubeClient({ kubeconfig: cluster.kubeconfig() }));
    expect(nodes.map((n) => n.name)).toEqual(cluster.servers.map((s) => s.name));
    expect(new Set((await cluster.requests()).map((r) => r.user))).toEqual(new Set(['admin']));
  });

  it("authenticates with the kubeconfig's client certificate: the user its CN; one the server does not authorize is refused in its words", async () => {
    const client = kubeClient({ kubeconfig: certificateKubeconfig('/O=system:masters/CN=system:admin', 'masters') });
    expect((await listNodes(client)).length).toBe(2);
    expect(new Set((await cluster.requests()).map((r) => r.user))).toEqual(new Set(['system:admin']));
    const jane = kubeClient({ kubeconfig: certificateKubeconfig('/O=developers/CN=jane', 'jane') });
    const refused = await failure(listNodes(jane));
    expect(refused).toBeInstanceOf(KubeRefused);
    expect(refused?.message).toBe(`Listing the Nodes: the API server refused it (403 Forbidden): User "jane" cannot get path "/api/v1/nodes"`);
  });

  it('takes the context named, and refuses one the kubeconfig lacks, naming the ones it has', async () => {
    const path = cluster.kubeconfig();
    const [, second] = cluster.servers;
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace('contexts:\n', `contexts:\n- name: second\n  context:\n    cluster: second\n    user: admin\n`)
        .replace(
          'clusters:\n',
          `clusters:\n- name: second\n  cluster:\n    server: https://${second.address}:6443\n    certificate-authority: ${cluster.ca.cert}\n`,
        ),
    );
    await listNodes(kubeClient({ kubeconfig: path, context: 'second' }));
    expect(new Set((await cluster.requests()).map((r) => r.address))).toEqual(new Set([second.address]));
    expect(() => kubeClient({ kubeconfig: path, context: 'third' })).toThrow(
      `The kubeconfig ${path} has no context third: give one of second, fake.`,
    );
    expect(() => kubeClient({ kubeconfig: join(cluster.dir, 'none') })).toThrow(/does not exist: write it with `terraform output -raw kubeconfig/);
    expect(() => kubeClient({ kubeconfig: path, requestTimeoutMs: 0 })).toThrow('requestTimeoutMs is 0: give a number of milliseconds above 0');
  });

  it("keeps one connection for a client's requests, its health check's among them, as client-go does; another client opens its own", async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    expect(await apiReady(client, 5_000)).toBe(true);
    for (let i = 0; i < 4; i++) expect((await listNodes(client)).length).toBe(2);
    const first = await cluster.requests();
    expect(first.map((r) => r.path)).toEqual(['/readyz', ...Array(4).fill('/api/v1/nodes')]);
    // Two at most: Health reads the status of /readyz and leaves its body, so the next request may find that
    // connection still busy and open a second; then both are reused. A new connection a request would be five.
    expect(new Set(first.map((r) => r.connection)).size).toBeLessThanOrEqual(2);
    await listNodes(kubeClient({ kubeconfig: cluster.kubeconfig() }));
    const [other] = (await cluster.requests()).slice(first.length);
    expect(other.connection).not.toBe(first[0].connection);
  });

  it('a transient 5xx is reported with its code and the server words, not retried; the next call is answered', async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    await cluster.fault({
      verb: 'list',
      resource: 'nodes',
      action: 'status',
      code: 503,
      reason: 'ServiceUnavailable',
      message: 'etcdserver: leader changed',
      times: 1,
    });
    const refused = await failure(listNodes(client));
    expect(refused).toBeInstanceOf(KubeRefused);
    expect(refused).toMatchObject({ status: { code: 503, reason: 'ServiceUnavailable', message: 'etcdserver: leader changed' } });
    expect((await cluster.requests()).filter((r) => r.path === '/api/v1/nodes')).toHaveLength(1);
    expect((await listNodes(client)).length).toBe(2);
  });

  it('a dropped connection is reported as unanswered; a read is not said to have been applied', async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig() });
    await cluster.fault({ verb: 'list', resource: 'nodes', action: 'drop', times: 1 });
    const dropped = await failure(listNodes(client));
    expect(dropped).toBeInstanceOf(KubeUnanswered);
    expect(dropped).toMatchObject({ mayHaveApplied: false });
    expect(dropped?.message).not.toContain('may have been applied');
  });

  it("a read in flight ends with the command's stop (Ctrl-C) instead of its timeout, said as stopped", async () => {
    const client = kubeClient({ kubeconfig: cluster.kubeconfig(), requestTimeoutMs: 600_000 });
    await cluster.fault({ verb: 'list', resource: 'nodes', action: 'hang', times: 1 });
    const stop = new AbortController();
    endReadsInFlightOn(stop.signal);
    try {
      const listing = failure(listNodes(client));
      // Once the server holds the request (its log has it): a bounded number of looks, no pause.
      for (let look = 0; look < 200 && !(await cluster.requests()).some((r) => r.path === '/api/v1/nodes'); look++);
      stop.abort();
      const ended = await listing;
      expect(ended).toBeInstanceOf(KubeUnanswered);
      expect(ended).toMatchObject({ mayHaveApplied: false });
      expect(ended?.message).toContain('the command was stopped by a signal');
    } finally {
      endReadsInFlightOn(undefined);
    }
  });

  it('a server that is down is reported as unreachable (nothing sent), well within the timeout', async () => {
    const [, second] = cluster.servers;
    const client = kubeClient({ kubeconfig: cluster.kubeconfig(second), requestTimeoutMs: 5_000 });
    await cluster.down(second.address);
    try {
      const started = Date.now();
      const down = await failure(listNodes(client));
      expect(down).toBeInstanceOf(KubeUnreachable);
      expect(down?.message).toMatch(
        new RegExp(
          `^Listing the Nodes: the API server https://${second.address.replaceAll('.', '\\.')}:6443 could not be reached \\(ECONNREFUSED: .*\\); nothing was sent\\.`,
        ),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await cluster.up(second.address);
    }
  });
});
