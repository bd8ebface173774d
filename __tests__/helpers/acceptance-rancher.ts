import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

// The Rancher an acceptance run reaches in the tools tests: a local HTTP server the real curl reaches (/ping,
// /cacerts, the login API, /v3/users?me=true) and, for the downstream cluster, Rancher's v3 import flow and the
// cluster's conditions as Rancher sets them from its agent's tunnel (docs/design-notes.md, "Downstream cluster in the
// acceptance run", gives the upstream files). The agent is modelled from the fake world (fake-acceptance.js): it
// holds a tunnel once its manifest was applied on a running instance; a replacement of Rancher's servers (a server's
// instance changed, or the deployment's state moved: the upgrade) drops it; it dials again every few seconds and
// gets back only while Rancher answers (world.acceptance.agentCannotReach unset) with the CA whose checksum its
// manifest carried. Until then Connected is False and Ready False with reason Disconnected.

/** The admin password the test's deployments output, and the token the login answers with. */
export const PASSWORD = 'the-admin-password-from-the-output';
export const TOKEN = 'token-abcde:the-secret-part';

/** The local Rancher: what it was asked, and the fake world it reads (set once the world exists). */
export interface Rancher {
  readonly url: string;
  readonly requests: string[];
  readonly server: Server;
  /** The fake cloud's folder (its world.json and the run's record under acceptance.out). */
  dir?: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { ACCEPTANCE_PHASE_ORDER, DEFAULT_CA } = require('./ops-stubs/fake-acceptance.js') as {
  ACCEPTANCE_PHASE_ORDER: string[];
  DEFAULT_CA: string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { current } = require('./ops-stubs/fake-acceptance-phase.js') as { current(dir: string): { phase: string } | undefined };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The world as the stubs left it (read again when a stub was writing it at that moment). */
function readWorld(dir: string): any {
  for (let attempt = 0; ; attempt++)
    try {
      return JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8'));
    } catch (error) {
      if (attempt > 50) throw error;
    }
}

/** The CA Rancher serves now: its own, or world.acceptance.rancherCaFrom's from that phase of the run on. */
function caNow(dir: string | undefined, w: any): string {
  const from = w?.acceptance?.rancherCaFrom;
  const phase = dir ? current(dir)?.phase : undefined;
  if (from && phase && ACCEPTANCE_PHASE_ORDER.indexOf(phase) >= ACCEPTANCE_PHASE_ORDER.indexOf(from.phase)) return from.ca;
  return DEFAULT_CA;
}

/** What makes the agent's tunnel: Rancher's servers as they are (a replaced one drops it) and the state's serial. */
const generation = (w: any) => JSON.stringify([(w.cluster?.servers ?? []).map((s: any) => s.instance), w.state?.serial ?? 0]);

export async function acceptanceRancher(): Promise<Rancher> {
  const requests: string[] = [];
  const clusters = new Map<string, { name: string; token?: string; tokenLooks: number; session?: string; lost: number }>();
  // Filled in once the server listens; the handlers read it only when asked, after that.
  const self: { url: string; requests: string[]; server?: Server; dir?: string } = { url: '', requests };
  const downstreamCluster = (id: string) => {
    const c = clusters.get(id)!;
    const w = self.dir ? readWorld(self.dir) : {};
    const a = w.acceptance ?? {};
    const agent = a.downstream?.agent;
    const running = (a.downstream?.state?.resources ?? []).some((r: any) => r.type === 'aws_instance');
    const now = generation(w);
    if (agent && running && c.session !== now) {
      // The tunnel is down (never made, or dropped by a replacement): the agent dials again, and gets back once
      // Rancher answers with the CA it trusts; one look of Rancher's connectivity check sees it down first.
      c.lost += 1;
      if (c.lost > (a.agentLooks ?? 1) && !a.agentCannotReach && agent.checksum === sha256(caNow(self.dir, w))) {
        c.session = now;
        c.lost = 0;
      }
    }
    const connected = agent && running && c.session === now;
    const wasConnected = c.session !== undefined;
    return {
      id,
      type: 'cluster',
      name: c.name,
      state: connected ? 'active' : wasConnected ? 'unavailable' : 'pending',
      conditions: connected
        ? [
            { type: 'Connected', status: 'True' },
            { type: 'Ready', status: 'True' },
          ]
        : [
            { type: 'Connected', status: 'False' },
            ...(wasConnected ? [{ type: 'Ready', status: 'False', reason: 'Disconnected', message: 'Cluster agent is not connected' }] : []),
          ],
    };
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
      const w = self.dir ? readWorld(self.dir) : undefined;
      const url = req.url ?? '';
      if (url === '/ping') return res.end('pong');
      if (url === '/cacerts') return res.end(caNow(self.dir, w));
      if (url === '/v3/settings/cacerts') return json(200, { id: 'cacerts', value: caNow(self.dir, w) });
      if (req.method === 'POST' && url === '/v1-public/login') {
        const login = JSON.parse(body);
        const ok = login.type === 'localProvider' && login.username === 'admin' && login.password === PASSWORD;
        return json(ok ? 201 : 401, ok ? { token: TOKEN } : {});
      }
      const imported = /^\/v3\/import\/([a-z0-9]+)_(c-[a-z0-9]+)\.yaml$/.exec(url);
      if (imported) {
        // The manifest as Rancher renders it: the agent's server and the checksum of the CA Rancher serves now.
        const c = clusters.get(imported[2]);
        if (!c || c.token !== imported[1]) return res.writeHead(404).end();
        return res.end(
          [
            'apiVersion: apps/v1',
            'kind: Deployment',
            'metadata: {name: cattle-cluster-agent, namespace: cattle-system}',
            'spec:',
            '  template:',
            '    spec:',
            '      containers:',
            '      - name: cluster-register',
            '        env:',
            '        - name: CATTLE_SERVER',
            `          value: "${self.url}"`,
            '        - name: CATTLE_CA_CHECKSUM',
            `          value: "${sha256(caNow(self.dir, w))}"`,
            '',
          ].join('\n'),
        );
      }
      if (!authorized) return res.writeHead(url.startsWith('/v3/') ? 401 : 404).end();
      if (url === '/v3/users?me=true') return json(200, { data: [{ username: 'admin' }] });
      if (req.method === 'POST' && url === '/v3/clusters') {
        const { type, name } = JSON.parse(body);
        if (type !== 'cluster' || !name) return json(422, { message: 'type cluster and a name' });
        const id = `c-${randomBytes(3).toString('hex').slice(0, 5)}`;
        clusters.set(id, { name, tokenLooks: 0, lost: 0 });
        return json(201, { id, type: 'cluster', name, state: 'pending' });
      }
      if (req.method === 'POST' && url === '/v3/clusterregistrationtokens') {
        const { type, clusterId } = JSON.parse(body);
        const c = clusters.get(clusterId);
        if (type !== 'clusterRegistrationToken' || !c) return json(422, { message: 'no such cluster' });
        c.token = randomBytes(8).toString('hex');
        return json(201, { id: `${clusterId}:default-token`, clusterId });
      }
      const tokens = /^\/v3\/clusterregistrationtokens\?clusterId=(c-[a-z0-9]+)$/.exec(url);
      if (tokens) {
        const c = clusters.get(tokens[1]);
        // Rancher's controller fills the manifest's URL in after the token is made: the first look has none.
        if (c) c.tokenLooks += 1;
        const manifestUrl = c?.token && c.tokenLooks > 1 ? `${self.url}/v3/import/${c.token}_${tokens[1]}.yaml` : '';
        return json(200, { data: c?.token ? [{ id: `${tokens[1]}:default-token`, clusterId: tokens[1], manifestUrl }] : [] });
      }
      const cluster = /^\/v3\/clusters\/(c-[a-z0-9]+)$/.exec(url);
      if (cluster && clusters.has(cluster[1])) return json(200, downstreamCluster(cluster[1]));
      return res.writeHead(404).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  self.server = server;
  return self as Rancher;
}
