import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
//
// docker's migrate phase (world.acceptance.migrate.rancher): the docker Rancher installs the Rancher Backups app
// through its app install action and takes a Backup through its proxy to the local cluster (as the rancher-backup
// operator does: the file written only with the Secrets the Backup names, the writer's key the migration module
// made); the file is <world>/migrate-backup.json, holding the clusters Rancher had. While no Rancher stands ('down')
// every request answers 503; the Rancher restored from the file ('restored') knows those clusters only, under the
// same ids (a Restore brings the clusters.management.cattle.io objects back with their names), and its agent's
// tunnel is a new one (the Rancher it dialled is gone).

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
const generation = (w: any) =>
  JSON.stringify([(w.cluster?.servers ?? []).map((s: any) => s.instance), w.state?.serial ?? 0, w.acceptance?.migrate?.rancher ?? '']);
/** The name the operator gives the migration's one-time Backup file (BACKUP_FILE of lib/config/backup-file.ts). */
export const MIGRATION_FILE = 'rancher-aws-migration-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T13-00-00Z.tar.gz.enc';

export async function acceptanceRancher(): Promise<Rancher> {
  const requests: string[] = [];
  const clusters = new Map<string, { name: string; token?: string; tokenLooks: number; session?: string; lost: number }>();
  // Filled in once the server listens; the handlers read it only when asked, after that.
  const self: { url: string; requests: string[]; server?: Server; dir?: string } = { url: '', requests };
  // The docker Rancher's local cluster as the migration reaches it: the operator's charts, its Secrets, the Backup.
  const local: { operator?: string; operatorLooks: number; secrets: Record<string, Record<string, string>>; backup?: any; backupLooks: number } = {
    operatorLooks: 0,
    secrets: {},
    backupLooks: 0,
  };
  const restoredClusters = (w: any): string[] | undefined => {
    if (w?.acceptance?.migrate?.rancher !== 'restored' || !self.dir) return undefined;
    const file = join(self.dir, 'migrate-backup.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).clusters : [];
  };
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
  /** The migration's calls to the docker Rancher; undefined when the request is none of them. */
  const migration = (method: string, url: string, body: string, w: any): [number, unknown] | undefined => {
    const api = '/k8s/clusters/local/apis/resources.cattle.io/v1';
    if (method === 'POST' && url === '/v1/catalog.cattle.io.clusterrepos/rancher-charts?action=install') {
      const install = JSON.parse(body);
      const names = (install.charts ?? []).map((c: any) => c.chartName);
      if (names.join(',') !== 'rancher-backup-crd,rancher-backup' || install.namespace !== 'cattle-resources-system')
        return [422, { message: 'the CRD chart first, then the operator, in cattle-resources-system' }];
      local.operator = install.charts[1].version;
      return [201, { type: 'chartActionOutput', operationName: 'helm-operation-abcde' }];
    }
    if (url === `${api}/resourcesets/rancher-resource-set-full`) {
      // The chart's install takes a while: the first look finds no resource set yet.
      if (local.operator) local.operatorLooks += 1;
      return local.operator && local.operatorLooks > 1 ? [200, { metadata: { name: 'rancher-resource-set-full' } }] : [404, { reason: 'NotFound' }];
    }
    if (method === 'POST' && url === '/k8s/clusters/local/api/v1/namespaces/cattle-resources-system/secrets') {
      const secret = JSON.parse(body);
      local.secrets[secret.metadata.name] = secret.stringData;
      return [201, secret];
    }
    if (method === 'POST' && url === `${api}/backups`) {
      if (!local.operator) return [404, { message: 'the server could not find the requested resource' }];
      local.backup = JSON.parse(body);
      return [201, local.backup];
    }
    if (url === `${api}/backups/rancher-aws-migration` && local.backup) {
      // As the operator: one look before it ran; then written with the Secrets the Backup names, or an error.
      local.backupLooks += 1;
      if (local.backupLooks < 2) return [200, local.backup];
      const spec = local.backup.spec;
      const s3 = spec.storageLocation?.s3 ?? {};
      const support = w?.acceptance?.migrate?.support?.outputs ?? {};
      const credentials = local.secrets[s3.credentialSecretName];
      const encryption = local.secrets[spec.encryptionConfigSecretName]?.['encryption-provider-config.yaml'];
      const error =
        spec.resourceSetName !== 'rancher-resource-set-full'
          ? 'not the full resource set'
          : s3.bucketName !== support.bucket || s3.folder !== 'rancher'
            ? `no such bucket ${s3.bucketName}`
            : credentials?.accessKey !== support.access_key_id
              ? 'AccessDenied: the key is not the writer of the bucket'
              : encryption === undefined
                ? `the Secret ${spec.encryptionConfigSecretName} has no encryption-provider-config.yaml`
                : undefined;
      if (error) return [200, { ...local.backup, status: { conditions: [{ type: 'Ready', status: 'False', message: error }] } }];
      // What the file holds: the clusters (by id) and the Secrets of cattle-resources-system, which the full resource set takes.
      const record = {
        bucket: s3.bucketName,
        key: `rancher/${MIGRATION_FILE}`,
        encryptionConfig: encryption,
        clusters: [...clusters.keys()],
        secrets: Object.keys(local.secrets),
      };
      const file = join(self.dir!, 'migrate-backup.json');
      writeFileSync(`${file}.new`, JSON.stringify(record));
      renameSync(`${file}.new`, file);
      return [200, { ...local.backup, status: { filename: MIGRATION_FILE, conditions: [{ type: 'Ready', status: 'True', message: 'Completed' }] } }];
    }
    return undefined;
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
      if (w?.acceptance?.migrate?.rancher === 'down') return res.writeHead(503).end();
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
      const restored = restoredClusters(w);
      if (cluster && restored && !restored.includes(cluster[1])) return json(404, { message: `cluster ${cluster[1]} not found` });
      if (cluster && clusters.has(cluster[1])) return json(200, downstreamCluster(cluster[1]));
      const migrated = migration(req.method ?? '', url, body, w);
      if (migrated) return json(migrated[0], migrated[1]);
      return res.writeHead(404).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  self.server = server;
  return self as Rancher;
}
