#!/usr/bin/env node
// A fake Kubernetes API server for the tools tier, driven by the real kubectl (Debian's kubernetes-client). Started
// by fake-cluster.ts as a process of its own (the tests' scripts block the test's event loop while they run):
//   node api-server.js STATE_DIR
// STATE_DIR holds pki/ (ca.crt, server.crt, server.key: fake-cluster.ts makes them with openssl) and config.json
// ({ token, supervisorToken }). It prints one line, {"control": PORT}, and then serves:
// - per "server" (a loopback address, 127.x.y.z): the API on ADDRESS:6443 and RKE2's supervisor on ADDRESS:9345
//   (/ping, /db/info), both HTTPS with the test CA's certificate; a server that is down refuses connections;
// - on 127.0.0.1:PORT, plain HTTP, the test's control API (servers up and down, objects written as a controller
//   would, faults, admission hooks, the request log, etcd's endpoints for /db/info).
//
// What it follows upstream (Kubernetes 1.35 apiserver unless said otherwise), and nothing more:
// - discovery (/api, /apis, /api/v1, /apis/GROUP/VERSION) so kubectl maps kinds, plurals and short names; /version;
//   /readyz, /livez, /healthz answer "ok";
// - /openapi/v2 answers an empty protobuf document (a valid, empty openapi_v2.Document): kubectl 1.20 validates
//   create/replace/apply against it and skips validation for a kind the document lacks
//   (kubectl's pkg/util/openapi/validation: a resource not in the schema is not validated);
// - objects carry apiVersion, kind and metadata (uid, resourceVersion, creationTimestamp, generation); lists carry
//   kind <Kind>List and items; label selectors (=, ==, !=, exists, !exists) as apimachinery's labels package parses
//   them; the items of a built-in type's list have no apiVersion/kind (the apiserver's typed encoding), a CRD's have;
// - optimistic concurrency: every write bumps one cluster-wide resourceVersion (etcd's revision); a PUT whose
//   metadata.resourceVersion differs from the stored one is 409 Conflict; a PUT without one is refused for
//   resources whose strategy disallows unconditional updates (Leases: 422 Invalid), a POST of an existing name is
//   409 AlreadyExists, a GET of a missing one 404 NotFound: each in the Status shape apimachinery's
//   pkg/api/errors builds (reason, message, details, code), which kubectl prints as "Error from server (REASON): ...";
// - PATCH as a JSON merge patch (RFC 7386) for merge and strategic merge patches alike (strategic merge's list
//   merging by key is not modelled: the scripts patch maps only); a patch of another Content-Type (a JSON patch,
//   RFC 6902, which the apiserver reads as a list of operations) is not modelled and refused with 415, so a client
//   that sends one fails here instead of passing on a merge it did not ask for;
// - admission: hooks the test configures refuse a verb on a resource as the apiserver reports a webhook
//   (k8s.io/apiserver pkg/admission/plugin/webhook/errors: a denial is "admission webhook NAME denied the request:
//   MESSAGE", at least 400; a webhook that cannot be called under failurePolicy Fail is 500 InternalError "failed
//   calling webhook NAME: failed to call webhook: Post ...: no endpoints available for service ...", as
//   rancher-webhook's configurations do when its pods cannot run, rancher/webhook#365);
// - faults: a write that commits and then the connection drops or the answer never comes (a timeout after the
//   commit), a transient 5xx, a dropped request, a request never answered, another actor's write right after a read, a listener down;
// - authentication by client certificate as well as by the bearer token: the API asks for a client certificate at
//   the TLS handshake without requiring one (kube-apiserver's secure serving sets Go's RequestClientCert when a
//   client CA is configured), and its x509 authenticator verifies the chain against the client CA (pki/ca.crt: the
//   test CA stands for it) and the dates at that handshake (k8s.io/apiserver pkg/server/secure_serving.go and
//   pkg/authentication/request/x509); one that verifies is the user CN in the groups O. One that does not is an
//   error of the x509 authenticator: the authenticators' union goes on to the bearer token, and without one the
//   request is 401 Unauthorized, not anonymous (pkg/kubeapiserver/authenticator/config.go: the union fails on the
//   error before the anonymous authenticator). Only system:masters is authorized here (its cluster-admin binding).
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const https = require('node:https');
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { execFile } = require('node:child_process');
const R = require('./resources');

const dir = process.argv[2];
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const tls = { key: readFileSync(join(dir, 'pki/server.key')), cert: readFileSync(join(dir, 'pki/server.crt')) };
// The API's listener: a client certificate asked for, verified against the client CA, not required (see above).
const apiTls = { ...tls, ca: readFileSync(join(dir, 'pki/ca.crt')), requestCert: true, rejectUnauthorized: false };

// --- state ---
let revision = 1;
const store = new Map(); // resource key -> object
const servers = new Map(); // address -> { api, supervisor, sockets, up }
let faults = [];
let hooks = [];
let etcd;
const requests = [];

const keyOf = (r, namespace, name) => `${R.qualified(r)}/${namespace ?? ''}/${name}`;

function status(code, reason, message, details) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}
const notFound = (r, name) => status(404, 'NotFound', `${R.qualified(r)} "${name}" not found`, { name, group: r.group || undefined, kind: r.plural });
const alreadyExists = (r, name) =>
  status(409, 'AlreadyExists', `${R.qualified(r)} "${name}" already exists`, { name, group: r.group || undefined, kind: r.plural });
const conflict = (r, name) =>
  status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${R.qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    {
      name,
      group: r.group || undefined,
      kind: r.plural,
    },
  );
const invalid = (r, name, field, message) =>
  status(422, 'Invalid', `${r.kind}${r.group ? `.${r.group}` : ''} "${name}" is invalid: ${field}: ${message}`, {
    name,
    group: r.group || undefined,
    kind: r.kind,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });

function send(res, code, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Stored form: the object as the apiserver answers with it (a copy). */
const copy = (o) => JSON.parse(JSON.stringify(o));

function finish(r, object, namespace, previous) {
  const o = copy(object);
  o.apiVersion = R.groupVersion(r);
  o.kind = r.kind;
  o.metadata = o.metadata ?? {};
  if (r.namespaced) o.metadata.namespace = namespace;
  else delete o.metadata.namespace;
  o.metadata.uid = previous?.metadata.uid ?? randomUUID();
  o.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  o.metadata.generation = (previous?.metadata.generation ?? 0) + (previous && JSON.stringify(previous.spec) === JSON.stringify(o.spec) ? 0 : 1);
  revision += 1;
  o.metadata.resourceVersion = String(revision);
  return o;
}

// --- label selectors (apimachinery pkg/labels: equality-based and existence) ---
function selects(selector, labels = {}) {
  if (!selector) return true;
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      let m;
      if ((m = /^([^!=]+)!=(.*)$/.exec(term))) return labels[m[1]] !== m[2];
      if ((m = /^([^!=]+)==?(.*)$/.exec(term))) return labels[m[1]] === m[2];
      if ((m = /^!(.+)$/.exec(term))) return !(m[1] in labels);
      return term in labels;
    });
}

// --- JSON merge patch (RFC 7386) ---
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    // Strategic merge's directives (kubectl apply of a built-in type) carry no data of their own here.
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// --- faults and admission ---
/** The first configured fault matching this request (its count used up once), or undefined. */
function faultFor(verb, r, name, address) {
  const i = faults.findIndex(
    (f) => f.verb === verb && (!f.resource || f.resource === r.plural) && (!f.name || f.name === name) && (!f.address || f.address === address),
  );
  if (i < 0) return undefined;
  const f = faults[i];
  // `skip`: the first matching requests pass untouched (a read before the one the fault is about).
  if (f.skip > 0) {
    f.skip--;
    return undefined;
  }
  if (f.times !== undefined && --f.times <= 0) faults.splice(i, 1);
  return f;
}

/** The Status an admission hook refuses this write with, or undefined. */
function admissionRefusal(operation, r, namespace) {
  const hook = hooks.find((h) => h.operations.includes(operation) && h.resource === r.plural && (!h.namespace || h.namespace === namespace));
  if (!hook) return undefined;
  if (hook.mode === 'unreachable') {
    const service = hook.service ?? 'rancher-webhook';
    const ns = hook.serviceNamespace ?? 'cattle-system';
    const message = `failed calling webhook "${hook.name}": failed to call webhook: Post "https://${service}.${ns}.svc:443/v1/webhook/validation/${r.plural}?timeout=10s": no endpoints available for service "${service}"`;
    return status(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
  }
  const code = Math.max(hook.code ?? 400, 400);
  return status(
    code,
    hook.reason ?? (code === 403 ? 'Forbidden' : 'BadRequest'),
    `admission webhook "${hook.name}" denied the request: ${hook.message ?? 'without explanation'}`,
  );
}

// --- the API ---
function parsePath(pathname) {
  const parts = pathname.split('/').filter(Boolean);
  let group, version, rest;
  if (parts[0] === 'api' && parts.length >= 2) [group, version, rest] = ['', parts[1], parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  else return undefined;
  if (rest.length === 0) return undefined;
  let namespace;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const r = R.lookup(group, version, rest[0]);
  return { r, plural: rest[0], namespace, name: rest[1], sub: rest[2], group, version };
}

/** The request's user: its client certificate's (CN, groups O) when one verifies, else the token's; null: 401. */
function authenticate(req) {
  const cert = req.socket.getPeerCertificate();
  if (cert?.subject && req.socket.authorized) return { name: cert.subject.CN, groups: [cert.subject.O ?? []].flat() };
  return req.headers.authorization === `Bearer ${config.token}` ? { name: 'admin', groups: ['system:masters'] } : null;
}

async function handleApi(address, req, res) {
  const url = new URL(req.url, 'https://x');
  const p = url.pathname.replace(/\/$/, '') || '/';
  const user = authenticate(req);
  // The connection it came on (the client's end of it): whether a client opens one a request or keeps one.
  const connection = `${req.socket.remoteAddress} ${req.socket.remotePort}`;
  requests.push({ address, method: req.method, path: p, query: url.search, user: user?.name, connection });
  if (!user) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
  if (!user.groups.includes('system:masters'))
    return send(res, 403, status(403, 'Forbidden', `User "${user.name}" cannot ${req.method.toLowerCase()} path "${p}"`));
  if (['/readyz', '/livez', '/healthz'].includes(p)) return send(res, 200, 'ok');
  if (p === '/version')
    return send(res, 200, {
      major: '1',
      minor: '35',
      gitVersion: 'v1.35.7+rke2r1',
      gitCommit: '',
      gitTreeState: 'clean',
      buildDate: '',
      goVersion: 'go1.24',
      compiler: 'gc',
      platform: 'linux/amd64',
    });
  if (p === '/openapi/v2') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    return res.end();
  }
  if (p === '/api') return send(res, 200, R.coreVersions(`${address}:6443`));
  if (p === '/apis') return send(res, 200, R.groupList());
  const gv = /^\/api\/(v1)$/.exec(p)?.[1] ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(p)?.[1];
  if (gv) {
    const list = R.resourceList(gv);
    return list ? send(res, 200, list) : send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }
  const target = parsePath(p);
  if (!target || !target.r) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  const { r, namespace, name } = target;
  const body = await readBody(req);
  const verb = { GET: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[req.method];
  const fault = verb && faultFor(verb, r, name ?? (verb === 'create' ? safeName(body) : undefined), address);
  if (fault?.action === 'drop') return req.socket.destroy();
  // No answer at all: the request stays open until the client ends it (its timeout, or its caller's abort).
  if (fault?.action === 'hang') return undefined;
  if (fault?.action === 'status')
    return send(res, fault.code ?? 500, status(fault.code ?? 500, fault.reason ?? 'InternalError', fault.message ?? 'etcdserver: request timed out'));
  const dryRun = url.searchParams.get('dryRun') === 'All';
  const answer = (code, object) => {
    // A write that commits and then the client never hears of it: the connection dropped, or no answer at all
    // (the client's own timeout ends it).
    if (fault?.action === 'commit-then-drop') return req.socket.destroy();
    if (fault?.action === 'commit-then-hang') return undefined;
    return send(res, code, object);
  };
  switch (verb) {
    case 'get': {
      const o = store.get(keyOf(r, namespace, name));
      if (!o) return send(res, 404, notFound(r, name));
      send(res, 200, o);
      // Another actor writes right after this read (a racing taker): the reader's next conditional write conflicts.
      if (fault?.action === 'answer-then-write') putObject(fault.write);
      return undefined;
    }
    case 'list': {
      const selector = url.searchParams.get('labelSelector');
      const items = [...store.values()]
        .filter((o) => o.kind === r.kind && o.apiVersion === R.groupVersion(r) && (!namespace || o.metadata.namespace === namespace))
        .filter((o) => selects(selector, o.metadata.labels))
        .sort(
          (a, b) =>
            (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '', 'en') || a.metadata.name.localeCompare(b.metadata.name, 'en'),
        )
        .map((o) => {
          if (!r.builtIn) return o;
          const { apiVersion: _apiVersion, kind: _kind, ...rest } = o;
          return rest;
        });
      return send(res, 200, { kind: `${r.kind}List`, apiVersion: R.groupVersion(r), metadata: { resourceVersion: String(revision) }, items });
    }
    case 'create': {
      let object;
      try {
        object = JSON.parse(body);
      } catch {
        return send(res, 400, status(400, 'BadRequest', 'the body of the request was in an unknown format'));
      }
      object.metadata = object.metadata ?? {};
      if (!object.metadata.name && object.metadata.generateName)
        object.metadata.name = object.metadata.generateName + Math.random().toString(36).slice(2, 7);
      const n = object.metadata.name;
      if (!n) return send(res, 422, invalid(r, '', 'metadata.name', 'Required value: name or generateName is required'));
      const ns = r.namespaced ? (namespace ?? object.metadata.namespace ?? 'default') : undefined;
      const refusal = admissionRefusal('CREATE', r, ns);
      if (refusal) return send(res, refusal.code, refusal);
      if (store.has(keyOf(r, ns, n))) return send(res, 409, alreadyExists(r, n));
      delete object.metadata.resourceVersion;
      const stored = finish(r, object, ns);
      if (!dryRun) store.set(keyOf(r, ns, n), stored);
      return answer(201, stored);
    }
    case 'update':
    case 'patch': {
      const key = keyOf(r, namespace, name);
      const previous = store.get(key);
      let object;
      try {
        object = JSON.parse(body);
      } catch {
        return send(res, 400, status(400, 'BadRequest', 'the body of the request was in an unknown format'));
      }
      if (!previous) return send(res, 404, notFound(r, name));
      if (verb === 'patch') {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
        if (!['application/merge-patch+json', 'application/strategic-merge-patch+json'].includes(type))
          return send(
            res,
            415,
            status(415, 'UnsupportedMediaType', `the fake API server models merge patches only, not ${type || 'no Content-Type'}`),
          );
        const wanted = object.metadata?.resourceVersion;
        object = mergePatch(previous, object);
        if (wanted !== undefined && wanted !== previous.metadata.resourceVersion) return send(res, 409, conflict(r, name));
      } else {
        if (object.metadata?.name !== name)
          return send(res, 400, status(400, 'BadRequest', 'the name of the object does not match the name on the URL'));
        const wanted = object.metadata?.resourceVersion;
        if (!wanted && !r.unconditionalUpdate)
          return send(res, 422, invalid(r, name, 'metadata.resourceVersion', 'Invalid value: 0x0: must be specified for an update'));
        if (wanted && wanted !== previous.metadata.resourceVersion) return send(res, 409, conflict(r, name));
        // A status subresource's PUT changes status only; the main resource's keeps the stored status.
        if (target.sub === 'status') object = { ...previous, status: object.status };
        else if (previous.status !== undefined && ['Node', 'Pod', 'Job', 'Plan'].includes(r.kind)) object.status = previous.status;
      }
      const refusal = admissionRefusal('UPDATE', r, namespace);
      if (refusal) return send(res, refusal.code, refusal);
      const stored = finish(r, object, namespace, previous);
      if (!dryRun) store.set(key, stored);
      return answer(200, stored);
    }
    case 'delete': {
      const key = keyOf(r, namespace, name);
      const previous = store.get(key);
      if (!previous) return send(res, 404, notFound(r, name));
      const refusal = admissionRefusal('DELETE', r, namespace);
      if (refusal) return send(res, refusal.code, refusal);
      if (!dryRun) store.delete(key);
      return answer(200, previous);
    }
    default:
      return send(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
  }
}

function safeName(body) {
  try {
    return JSON.parse(body).metadata?.name;
  } catch {
    return undefined;
  }
}

// --- RKE2's supervisor (9345): /ping, and /db/info from real etcd's member list ---
function handleSupervisor(address, req, res) {
  const p = new URL(req.url, 'https://x').pathname;
  requests.push({ address, method: req.method, path: `supervisor:${p}` });
  if (p === '/ping') return send(res, 200, 'pong');
  if (p !== '/db/info') return send(res, 404, '404 page not found');
  const expected = `Basic ${Buffer.from(`server:${config.supervisorToken}`).toString('base64')}`;
  if (req.headers.authorization !== expected) return send(res, 401, 'Unauthorized');
  if (!etcd) return send(res, 503, 'no etcd configured');
  // RKE2's /db/info answers etcd's MemberListResponse as JSON (k3s pkg/etcd: the member list of the local member);
  // etcdctl asks the members it is given, as that handler asks its own.
  execFile(
    'etcdctl',
    [
      '--endpoints',
      etcd.endpoints.join(','),
      '--cacert',
      etcd.cacert,
      '--cert',
      etcd.cert,
      '--key',
      etcd.key,
      '--command-timeout=3s',
      'member',
      'list',
      '-w',
      'json',
    ],
    { timeout: 10000 },
    (error, stdout) => {
      if (error) return send(res, 500, `etcd: ${error.message}`);
      const list = JSON.parse(stdout);
      // etcdctl prints IDs as numbers; clientURLs as the members advertise them.
      send(res, 200, { header: list.header, members: (list.members ?? []).map((m) => ({ ...m, isLearner: m.isLearner ?? false })) });
    },
  );
}

// --- servers (loopback addresses) ---
function listen(server, address, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function tracked(server, sockets) {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return server;
}

async function up(address) {
  let s = servers.get(address);
  if (s?.up) return;
  if (!s) {
    const sockets = new Set();
    s = {
      sockets,
      api: tracked(
        https.createServer(apiTls, (req, res) => handleApi(address, req, res).catch((e) => send(res, 500, status(500, 'InternalError', e.message)))),
        sockets,
      ),
      supervisor: tracked(
        https.createServer(tls, (req, res) => handleSupervisor(address, req, res)),
        sockets,
      ),
    };
    servers.set(address, s);
  }
  await listen(s.api, address, config.apiPort ?? 6443);
  await listen(s.supervisor, address, config.supervisorPort ?? 9345);
  s.up = true;
}

async function down(address) {
  const s = servers.get(address);
  if (!s?.up) return;
  s.up = false;
  const closed = Promise.all([new Promise((r) => s.api.close(r)), new Promise((r) => s.supervisor.close(r))]);
  for (const socket of s.sockets) socket.destroy();
  await closed;
}

// --- the control API ---
/** Stores an object as a controller or the kubelet writes it: no admission, no version check. */
function putObject(body) {
  const r = objectOf(body);
  const ns = r.namespaced ? (body.metadata.namespace ?? 'default') : undefined;
  const key = keyOf(r, ns, body.metadata.name);
  const stored = finish(r, body, ns, store.get(key));
  store.set(key, stored);
  return stored;
}

function objectOf(body) {
  const r = R.byKind(body.apiVersion, body.kind);
  if (!r) throw new Error(`no resource for ${body.apiVersion} ${body.kind}`);
  return r;
}

async function control(req, res) {
  const url = new URL(req.url, 'http://x');
  const body = req.method === 'GET' ? undefined : JSON.parse((await readBody(req)) || 'null');
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'POST /servers/up':
      await up(body.address);
      return send(res, 200, {});
    case 'POST /servers/down':
      await down(body.address);
      return send(res, 200, {});
    case 'PUT /objects':
      return send(res, 200, putObject(body));
    case 'GET /objects': {
      const r = R.lookup(url.searchParams.get('group') ?? '', url.searchParams.get('version') ?? 'v1', url.searchParams.get('resource'));
      if (!r) return send(res, 400, { error: 'no such resource' });
      const o = store.get(keyOf(r, url.searchParams.get('namespace') ?? undefined, url.searchParams.get('name')));
      return o ? send(res, 200, o) : send(res, 404, {});
    }
    case 'DELETE /objects': {
      const r = R.lookup(url.searchParams.get('group') ?? '', url.searchParams.get('version') ?? 'v1', url.searchParams.get('resource'));
      if (r) store.delete(keyOf(r, url.searchParams.get('namespace') ?? undefined, url.searchParams.get('name')));
      return send(res, 200, {});
    }
    case 'POST /faults':
      faults.push(body);
      return send(res, 200, {});
    case 'DELETE /faults':
      faults = [];
      return send(res, 200, {});
    case 'POST /hooks':
      hooks.push(body);
      return send(res, 200, {});
    case 'DELETE /hooks':
      hooks = [];
      return send(res, 200, {});
    case 'POST /etcd':
      etcd = body;
      return send(res, 200, {});
    case 'GET /requests':
      return send(res, 200, requests);
    case 'DELETE /requests':
      requests.length = 0;
      return send(res, 200, {});
    case 'POST /stop':
      send(res, 200, {});
      return process.exit(0);
    default:
      return send(res, 404, { error: `no control route ${route}` });
  }
}

const controlServer = http.createServer((req, res) => control(req, res).catch((e) => send(res, 500, { error: e.message })));
// The test's process may block for seconds while a script runs (spawnSync), unable to see an idle connection close:
// never closing one keeps its next request from landing on a socket this side already ended.
controlServer.keepAliveTimeout = 0;
controlServer.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ control: controlServer.address().port })}\n`);
});
// The test process gone (a crashed worker), this one goes too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
