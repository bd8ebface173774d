#!/usr/bin/env node
// The fake cloud's stub server (helpers/fake-cloud.ts starts one per test process). A `terraform`, `aws`, `kubectl`
// or `curl` call of the CLI under test is a bash script (stub.sh) that hands its arguments to this server, which runs
// fake-cloud.js on them here, in a process that is already up, instead of in a node process of its own: the
// operations tests make thousands of such calls, and starting node for each was most of their cost (about 50 ms of
// CPU a call, against about 2 ms for bash and a local connection).
//
// fake-cloud.js is compiled once and evaluated afresh for every call, with its own `process`
// (argv, cwd, the world's folder, exit) and an fs whose file descriptors 0, 1 and 2 are files stub.sh reads and
// writes (`<world>/.stub.<pid>.in|out|err`; the CLI's pipes are sockets, which /proc/<pid>/fd cannot open). It takes the world's lock as it does in a process of its
// own, so the calls the server runs and the ones a node process runs beside it are ordered as before.
//
// Some calls need a process of their own: they send their caller a signal it may forward to them (a drain while the
// world holds the signal it sends; a call of the drill or the acceptance run that may send the one their world
// holds: see delegated), or wait for other calls while they run (an apply that outlasts a Lease). The server answers
// `delegate` to those without running anything, and stub.sh then runs the node stub as before. A SIGKILL of the
// caller, which nothing forwards, is sent from here (callerKill). A call that reaches any other process.kill, or
// process.on, anyway is a mistake in that list: it is recorded as a violation of the world (every test asserts there
// is none) and fails.
//
// Protocol, one call per connection: the request is NUL-terminated fields (the path of the call's files, ending in
// the caller's pid; its working directory; the world's folder; the tool; the argument count; the arguments; the
// caller's pid; the count of its TF_VAR_ variables; those, NAME=value); the answer is one line, an exit
// code or `delegate`; the call's files are deleted when stub.sh hangs up. It writes its port to the file named by
// its argument, and ends when its standard input closes (its test process ended).
'use strict';
const fs = require('node:fs');
const { existsSync } = fs;
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const { join } = require('node:path');
const vm = require('node:vm');

const STUBS = __dirname;
const { current } = require('./fake-acceptance-phase.js');

// The drill's phases and the calls that send its signal (fake-drill.js: signalFor, and its header's "Phases and
// their calls"); its synth is fake-synth.js, a process of its own, never a call of the server's.
const DRILL_SIGNAL_CALLS = {
  apply: (tool, args) => tool === 'terraform' && args[0] === 'apply',
  teardown: (tool, args) => tool === 'terraform' && args[0] === 'apply',
  ping: (tool) => tool === 'curl',
  // Rancher's login of the drill's user (the phase's requests of the world's Kubernetes API do not send it).
  login: (tool, args) => tool === 'curl' && String(args[args.length - 1]).endsWith('/v1-public/login'),
  compare: (tool, args) => tool === 'aws' && args[0] === 's3api' && args[1] === 'get-object',
  restore: (tool, args) => tool === 'aws' && args[0] === 'ssm' && args[1] === 'send-command',
  synth: () => false,
};

/** Whether a call must run in a node process of its own (see above); decided before anything runs. */
function delegated(tool, args, dir) {
  try {
    const world = worldEntry(join(dir, 'world.json'));
    // The drill's and the acceptance run's worlds (fake-drill.js, fake-acceptance.js): a call there signals its
    // caller only while the world holds a signal to send (`signalAt` { phase, signal }, taken out when it fires), and
    // lets the lock go to wait only in an apply that sends it. The signal is sent by the drill's calls of its phase
    // (DRILL_SIGNAL_CALLS), by any call of the acceptance run made in its phase (as the run's record says,
    // fake-acceptance-phase.js; the deploy's apply sends the deploy's whatever the record says): those are delegated.
    // A SIGKILL is sent from here (callerKill), by any call but an apply (which waits for the caller's SIGINT in a
    // process of its own: fake-cloud.js interruptCaller).
    world.signalAt ??= /"signalAt":/.test(world.text) ? JSON.parse(world.text) : false;
    const apply = tool === 'terraform' && args[0] === 'apply';
    const sentHere = (at) => at.signal === 'SIGKILL' && !apply;
    if (world.signalAt) {
      const drill = world.signalAt.drill?.signalAt;
      // A phase not listed: every call.
      if (drill?.phase !== undefined && !sentHere(drill) && (DRILL_SIGNAL_CALLS[drill.phase]?.(tool, args) ?? true)) return true;
      const acceptance = world.signalAt.acceptance?.signalAt;
      if (acceptance?.phase !== undefined && !sentHere(acceptance)) {
        if (acceptance.phase === 'deploy' && apply) return true;
        if (current(dir)?.phase === acceptance.phase) return true;
      }
    }
    // A drain signals its caller only while the world holds that signal to send (each taken out when it fires): the
    // roll's `signalDuringDrain` and `ctrlCDuringDrain` (fake-roll.js kubectl drain). An apply waits for other calls
    // while it runs only with the world's `apply-outlasts-lease` file (fake-cloud.js). Any other apply or drain is a
    // call like the rest, run here. A SIGKILL of the caller is sent from here (callerKill below): the roll's `killAt`
    // and `killAfterApply` (fake-roll.js), the acceptance run's `downstreamKillAt` and `migrateKillAt`
    // (fake-acceptance.js).
    if (apply) return existsSync(join(dir, 'apply-outlasts-lease'));
    if (tool === 'kubectl' && args.includes('drain')) return (world.drainSignals ??= /"(signalDuringDrain|ctrlCDuringDrain)":/.test(world.text));
    return false;
  } catch {
    return true;
  }
}

// The worlds as this server last read or wrote them, by path: a world.json is about 400 KB, and every call read it
// twice (above, then in fake-cloud.js) though the server itself had written it at the end of the call before. An
// entry is the file's text and identity (inode, modification time in ns, size): the text is reused only while the
// file on disk is that same file; any other writer (the test between runs, a delegated node stub, whose write is a
// new file renamed over the old; the test's FakeCloud.write, renamed likewise) changes the identity, and the file is
// read again. A file's times come from the kernel's coarse clock (a tick of 1-10 ms): a writer that rewrote the file
// in place, within the tick of the server's write and at the same size, would go unseen, so every writer of a world
// (the stubs, the fake synths, the tests through FakeCloud.write) writes a new file and renames it over.
// An entry also keeps the world's top-level keys each as its own JSON text (worldByKey, below), taken from the text
// the first time a call asks for them and from a call's write after that.
const worlds = new Map();
const identity = (stats) => `${stats.ino}:${stats.mtimeNs}:${stats.size}`;
/** The entry of a world.json: the cached one while the file is unchanged, else the file read (and stat-ed on one descriptor). */
function worldEntry(file) {
  const cached = worlds.get(file);
  if (cached && cached.id === identity(fs.statSync(file, { bigint: true }))) return cached;
  const fd = fs.openSync(file, 'r');
  try {
    const entry = { id: identity(fs.fstatSync(fd, { bigint: true })), text: fs.readFileSync(fd, 'utf8') };
    worlds.set(file, entry);
    return entry;
  } finally {
    fs.closeSync(fd);
  }
}
const isWorld = (file) => typeof file === 'string' && file.endsWith('/world.json');

/**
 * A JSON text and, once asked for, its keys in order, each as such a node of its own: an object's keys are parsed from
 * its text once, then kept with it (the world's entry is the top node).
 */
function keysOf(node) {
  if (!node.keys) {
    const parsed = JSON.parse(node.text);
    node.keys = new Map(Object.keys(parsed).map((key) => [key, { text: JSON.stringify(parsed[key]) }]));
  }
  return node.keys;
}

/**
 * An object of a world, parsed by key as a call reads it (a proxy over the call's own copy of each key read). A key's
 * value is parsed afresh from its text at its first read, so the call changes its own copy, never the server's; a
 * top-level value over NESTED_OVER characters that is an object (a state, the drill's and the acceptance run's records
 * with their complete apply's state) is such an object again, one level down. `result()` gives the object's node as
 * it is now: the same node when no key read changed (by its JSON), else a new one whose text is what JSON.stringify
 * gives for the whole (keys in the order a parsed object keeps them: read ones written anew, the others as they were).
 * From then on that node is the one compared with.
 */
const NESTED_OVER = 8192;
function lazyObject(node, depth) {
  let before = keysOf(node);
  let current = node;
  let order = [...before.keys()];
  const target = {};
  const read = new Set();
  const inner = new Map();
  const value = (key) => {
    if (!read.has(key) && before.has(key)) {
      const { text } = before.get(key);
      if (depth === 0 && text.length > NESTED_OVER && text.startsWith('{')) {
        inner.set(key, lazyObject(before.get(key), depth + 1));
        target[key] = inner.get(key).proxy;
      } else target[key] = JSON.parse(text);
    }
    read.add(key);
    return target[key];
  };
  const proxy = new Proxy(target, {
    get: (t, key) => (typeof key === 'string' && order.includes(key) ? value(key) : Reflect.get(t, key)),
    set: (t, key, v) => {
      if (typeof key === 'string' && !order.includes(key)) order.push(key);
      read.add(key);
      t[key] = v;
      return true;
    },
    deleteProperty: (t, key) => {
      if (order.includes(key)) order.splice(order.indexOf(key), 1);
      read.add(key);
      return delete t[key];
    },
    has: (t, key) => order.includes(key) || Reflect.has(t, key),
    ownKeys: () => [...order],
    getOwnPropertyDescriptor: (t, key) =>
      order.includes(key) ? { value: value(key), writable: true, enumerable: true, configurable: true } : undefined,
  });
  return {
    proxy,
    result() {
      const now = new Map();
      for (const key of order) {
        let child = before.get(key);
        if (read.has(key)) {
          const nested = inner.get(key);
          if (nested && target[key] === nested.proxy) child = nested.result();
          else {
            const text = JSON.stringify(target[key]);
            child = text === undefined ? undefined : text === child?.text ? child : { text };
          }
        }
        if (child !== undefined) now.set(key, child);
      }
      const keys = [...now.keys()];
      const same = keys.length === before.size && [...before].every(([key, child], i) => keys[i] === key && now.get(key) === child);
      if (!same) {
        current = { text: `{${[...now].map(([key, child]) => `${JSON.stringify(key)}:${child.text}`).join(',')}}`, keys: now };
        before = now;
        order = keys;
      }
      return current;
    },
  };
}

/**
 * The world of one call, parsed by key as the call reads it (fake-cloud.js takes it from process.stubServerWorld): a
 * roll's kubectl call reads the cluster and the Leases, a few KB, not the state, which is most of a world's 130-350 KB,
 * and a drill's call reads the drill's record, not the complete apply's state it holds; parsing and writing out the
 * whole of it was most of a call's cost here. `changed()` is the world's text when the call changed it since it was
 * read or last written, else undefined; `written` hands the server the keys of that text, so that the next call
 * starts from them without parsing the file.
 */
function worldByKey(file, written) {
  let entry;
  let world;
  const open = () => {
    entry = worldEntry(file);
    world = lazyObject(entry, 0);
  };
  open();
  // fake-cloud.js keeps one world object for the whole call (reload refills it): the proxy of the object read last.
  const handle = new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(world.proxy, key),
      set: (_, key, v) => Reflect.set(world.proxy, key, v),
      deleteProperty: (_, key) => Reflect.deleteProperty(world.proxy, key),
      has: (_, key) => Reflect.has(world.proxy, key),
      ownKeys: () => Reflect.ownKeys(world.proxy),
      getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(world.proxy, key),
    },
  );
  return {
    world: handle,
    /** The world's text as the call found it. */
    text: () => entry.text,
    /** The world's text when the call changed it since it was read or last written, else undefined. */
    changed() {
      const before = entry;
      const node = world.result();
      if (node === before) return undefined;
      written.set(node.text, node.keys);
      entry = node;
      return node.text;
    },
    /** Reads the world again (the call let the lock go and took it again). */
    reload: open,
  };
}

const compiled = new Map();
/** A stub file as a function of its module scope, compiled once. */
function compile(file) {
  if (!compiled.has(file)) {
    const source = fs.readFileSync(file, 'utf8').replace(/^#!.*/, '');
    compiled.set(file, vm.compileFunction(source, ['require', 'process', '__dirname', '__filename', 'module', 'exports'], { filename: file }));
  }
  return compiled.get(file);
}

class Exit {
  constructor(code) {
    this.code = code;
  }
}

/**
 * The call's environment as its stubs see it: the TF_VAR_ variables stub.sh sends (the only ones a stub reads) and the
 * world's folder. The read of any other name is refused, as a mistake of a stub: stub.sh would have to send it.
 */
function callerEnvironment(tool, args, env, dir) {
  const sent = { ...env, FAKE_WORLD: dir };
  return new Proxy(sent, {
    get(target, name) {
      // FAKE_CALLER_PID is never sent: a call here has its caller as its ppid (the fake AWS endpoint's too).
      if (typeof name === 'string' && name !== 'FAKE_WORLD' && name !== 'FAKE_CALLER_PID' && !name.startsWith('TF_VAR_'))
        throw new Error(`stub-server: ${tool} ${args.join(' ')} read the variable ${name}: stub.sh sends only TF_VAR_ variables`);
      return target[name];
    },
  });
}

/**
 * process.kill of a call run here: a SIGKILL of its caller only, sent from here as the call's own process would send
 * it (the caller dies at once, and the call goes on to its end: the bash stub, orphaned, reads an answer nobody takes).
 * Any other signal reaches a caller that may forward it to the call (a SIGINT to its children), which a process of
 * its own would receive mid-call and this server cannot: those calls are delegated, and a kill here is a mistake.
 * A request of the Kubernetes API (`request`) has no process of its own to forward a signal to: any signal of its
 * caller is sent from here. No caller known (a pid not above 0: -1 would be every process) is always a mistake.
 */
function callerKill(ppid, refuse, request = false) {
  return (pid, signal) => {
    if (!(ppid > 0) || pid !== ppid || (signal !== 'SIGKILL' && !request)) return refuse(`process.kill(${pid}, ${signal})`)();
    process.kill(pid, signal);
    return true;
  };
}

/**
 * Runs fake-cloud.js for one call: its exit code, its output written to `<files>.out` and `<files>.err`. `logged`, when
 * given, is what the world's call log says of it instead of its tool and arguments (a request of the Kubernetes API
 * below, run as the kubectl call it stands for).
 */
function run({ files, pid, cwd, dir, tool, args, ppid, env, logged, request = false }) {
  // A measurement's tally (FAKE_CLOUD_CALL_TALLY, a file): the tool of each call, kube-api for a request of the API.
  if (process.env.FAKE_CLOUD_CALL_TALLY) fs.appendFileSync(process.env.FAKE_CLOUD_CALL_TALLY, `${logged?.tool ?? tool}\n`);
  const exitHandlers = [];
  const output = { 1: [], 2: [] };
  const refuse = (what) => () => {
    throw new Error(`stub-server: ${tool} ${args.join(' ')} reached ${what}: add it to the delegated calls (stub-server.js)`);
  };
  let exited;
  const shimProcess = {
    argv: [process.execPath, join(STUBS, tool), ...args],
    env: callerEnvironment(tool, args, env, dir),
    pid: Number(pid),
    ppid,
    execPath: process.execPath,
    platform: process.platform,
    cwd: () => cwd,
    exit: (code = 0) => {
      if (exited === undefined) exited = code;
      throw new Exit(code);
    },
    on: (event, handler) => {
      if (event !== 'exit') refuse(`process.on('${event}')`)();
      exitHandlers.push(handler);
    },
    kill: callerKill(ppid, refuse, request),
    stubServerWorld: (file) => worldByKey(file, keysOfText),
    stubServerLogged: logged,
  };
  // The caller's standard input is what stub.sh saved of it (a call that reads it: see stub.sh); its output is collected.
  // A world this call writes (fake-cloud.js's save: world.json.<pid>, renamed over world.json) is the next call's cache.
  const written = new Map();
  // The keys of a world text fake-cloud.js built (worldByKey), by that text: the cache's after the rename.
  const keysOfText = new Map();
  const shimFs = {
    ...fs,
    readFileSync: (file, ...rest) => {
      if (file === 0) return existsSync(`${files}.in`) ? fs.readFileSync(`${files}.in`, ...rest) : '';
      if (isWorld(file) && rest.length === 1 && rest[0] === 'utf8') return worldEntry(file).text;
      return fs.readFileSync(file, ...rest);
    },
    writeFileSync: (file, data, ...rest) => {
      fs.writeFileSync(file, data, ...rest);
      if (typeof file === 'string' && typeof data === 'string' && /\/world\.json\.\d+$/.test(file)) written.set(file, data);
    },
    renameSync: (from, to) => {
      const text = written.get(from);
      // Its identity before the rename, which keeps it (the world's lock is held: no other writer runs meanwhile).
      const id = text !== undefined && isWorld(to) ? identity(fs.statSync(from, { bigint: true })) : undefined;
      fs.renameSync(from, to);
      written.delete(from);
      if (id !== undefined) worlds.set(to, { id, text, keys: keysOfText.get(text) });
    },
    writeSync: (fd, data, offset = 0, ...rest) => {
      if (fd !== 1 && fd !== 2) return fs.writeSync(fd, data, offset, ...rest);
      const bytes = Buffer.from(data).subarray(offset);
      output[fd].push(bytes);
      return bytes.length;
    },
  };
  const modules = new Map();
  const shimRequire = (name) => {
    if (name === 'fs' || name === 'node:fs') return shimFs;
    if (!name.startsWith('/')) return require(name);
    if (!modules.has(name)) {
      const module = { exports: {} };
      modules.set(name, module);
      compile(name)(shimRequire, shimProcess, STUBS, name, module, module.exports);
    }
    return modules.get(name).exports;
  };
  const main = join(STUBS, 'fake-cloud.js');
  let code;
  try {
    compile(main)(shimRequire, shimProcess, STUBS, main, { exports: {} }, {});
    code = exited ?? 0;
  } catch (error) {
    if (error instanceof Exit) code = exited;
    else {
      // As node does with an uncaught error: its stack on the standard error, exit 1.
      code = 1;
      const text = `${error.stack ?? error}\n`;
      if (text.startsWith('Error: stub-server:')) fs.appendFileSync(join(dir, 'violations'), text);
      output[2].push(Buffer.from(text));
    }
  } finally {
    for (const handler of exitHandlers) handler(code);
  }
  fs.writeFileSync(`${files}.out`, Buffer.concat(output[1]));
  fs.writeFileSync(`${files}.err`, Buffer.concat(output[2]));
  return code;
}

/** Splits a request into its fields once all of them have arrived; undefined until then. */
function parse(buffer) {
  const fields = buffer.toString('utf8').split('\0');
  if (fields.length < 6) return undefined;
  const count = Number(fields[4]);
  // The arguments, the caller's pid, the count of environment entries, the entries, and the empty field after the last NUL.
  if (fields.length < 5 + count + 3) return undefined;
  const environment = Number(fields[5 + count + 1]);
  if (fields.length < 5 + count + 2 + environment + 1) return undefined;
  const [files, cwd, dir, tool] = fields;
  const env = Object.fromEntries(
    fields
      .slice(5 + count + 2, 5 + count + 2 + environment)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  return { files, pid: files.replace(/^.*\./, ''), cwd, dir, tool, args: fields.slice(5, 5 + count), ppid: Number(fields[5 + count]), env };
}

// The fake world's Kubernetes API, for the CLI's client (@kubernetes/client-node, cli/shared/kube/): the kubeconfig of a
// fake world's state names it (helpers/fake-cloud.ts worldKubeconfig), over HTTP, with a bearer token that names the
// world's folder (hex, as the fake AWS endpoint's access key does). Each request is run as the kubectl call it stands
// for, through the same stub (fake-cloud.js, then fake-roll.js) under the same world lock, with the same invariant
// checks after it: the client and the kubectl stub see one world, the same resourceVersion conflicts and the same
// refusals. What the stub answers becomes what kube-apiserver answers: its output the object (the stub is asked for
// `-o json`), its `Error from server (Reason): message` line apimachinery's Status with that reason and its HTTP code
// (k8s.io/apimachinery pkg/api/errors), an API the call could not reach a connection closed without an answer,
// and anything else (a call the stub does not model) a 501 naming it, never a kind answer. The call log names the
// request and the call it ran as (`kube-api PUT /apis/... as replace -f - -o json`).
// A route is a request's pattern and the kubectl call it stands for (its arguments from the path's parts and the
// request: { body, contentType }); a route may answer itself instead (a refusal the API server makes before any
// object is read), and may say what the API server answers on success (from the call's arguments and the path's
// parts) where the kubectl call prints no object.
// The kubectl calls are those the roll, the rotations, the drill and the acceptance run made before they went through
// the client, so the stub's model of each (fake-roll.js, fake-drill.js and fake-acceptance.js kubectl) and the world's
// hooks keyed on them hold for both.
// A route's fourth element, where given, says that a non-zero exit is an answer all the same (`auth can-i`'s `no`);
// its answer may then be the whole answer (`{ answer }`: a status, a text and its Content-Type).
const KUBE_ROUTES = [
  // Leases (coordination.k8s.io/v1): the restart protocol's (cli/shared/lease.ts).
  [/^GET \/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases\/([^/]+)$/, (ns, name) => ['-n', ns, 'get', 'lease', name, '-o', 'json']],
  [/^POST \/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases$/, () => ['create', '-f', '-', '-o', 'json']],
  [/^PUT \/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases\/([^/]+)$/, () => ['replace', '-f', '-', '-o', 'json']],
  // A ConfigMap (the restore record beside the restart Lease; the upgrade's records, cli/shared/upgrade-state.ts).
  [/^GET \/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/, (ns, name) => ['-n', ns, 'get', 'configmap', name, '-o', 'json']],
  // The Nodes (cli/shared/kube/nodes.ts): listed; cordoned or uncordoned; their deletion asked.
  [/^GET \/api\/v1\/nodes$/, () => ['get', 'nodes', '-o', 'json']],
  [
    /^PATCH \/api\/v1\/nodes\/([^/]+)$/,
    cordonOf,
    // kubectl prints `node/NAME cordoned`; the API server answers the Node patched (here its name and the field).
    ([verb], name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: verb === 'cordon' ? { unschedulable: true } : {} }),
  ],
  [
    /^DELETE \/api\/v1\/nodes\/([^/]+)$/,
    (name) => ['delete', 'node', name, '--wait=false'],
    // kubectl prints `node "NAME" deleted`; the API server's answer is a Status of Success (the client reads none of it).
    (_, name) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'nodes' } }),
  ],
  // A Secret deleted (a replaced server's node password).
  [
    /^DELETE \/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/,
    (ns, name) => ['-n', ns, 'delete', 'secret', name],
    (_, _ns, name) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'secrets' } }),
  ],
  // The upgrade controller's server Plan (a custom object, upgrade.cattle.io/v1 plans).
  [
    /^GET \/apis\/upgrade\.cattle\.io\/v1\/namespaces\/([^/]+)\/plans\/([^/]+)$/,
    (ns, name) => ['-n', ns, 'get', 'plans.upgrade.cattle.io', name, '-o', 'json'],
  ],
  // The drill's calls on its throwaway (cli/drill/drill-login.ts, cli/shared/throwaway.ts rancherCa): Rancher's CA
  // Secret read; whether the kubeconfig is cluster-admin; the drill's user made (a User, its GlobalRoleBinding, its
  // password Secret, each created as `kubectl create -f -` of that one object) and deleted.
  [/^GET \/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/, (ns, name) => ['-n', ns, 'get', 'secret', name, '-o', 'json']],
  [/^POST \/apis\/authorization\.k8s\.io\/v1\/selfsubjectaccessreviews$/, canIOf, accessReviewOf, (code, out) => code === 1 && out.trim() === 'no'],
  [/^POST \/api\/v1\/namespaces\/([^/]+)\/secrets$/, (ns, request) => createOf(request, ns)],
  [/^POST \/apis\/management\.cattle\.io\/v3\/(users|globalrolebindings)$/, (_plural, request) => createOf(request)],
  [
    /^DELETE \/apis\/management\.cattle\.io\/v3\/(users|globalrolebindings)\/([^/]+)$/,
    (plural, name) => ['delete', `${plural}.management.cattle.io/${name}`, '--wait=false'],
    (_, plural, name) => ({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: 'management.cattle.io', kind: plural },
    }),
  ],
  // The acceptance run's (cli/acceptance/): the API server's /readyz (its availability probe), the Namespaces (the
  // k8s-ha run's checks and sweep), the Nodes' kubelet versions (the list above), the one-time Backup
  // (resources.cattle.io/v1, cluster-scoped: read, created, deleted at the teardown) and Rancher's Deployment scaled
  // to zero (the break phase).
  [
    /^GET \/readyz$/,
    () => ['get', '--raw', '/readyz'],
    readyzOf,
    (code, _out, err) => code === 0 || /^Error from server \(InternalServerError\)/.test(err),
  ],
  [/^GET \/api\/v1\/namespaces$/, () => ['get', 'namespaces', '-o', 'json']],
  [/^GET \/api\/v1\/namespaces\/([^/]+)$/, (name) => ['get', 'namespace', name, '-o', 'json']],
  [/^GET \/apis\/resources\.cattle\.io\/v1\/backups\/([^/]+)$/, (name) => ['get', 'backups.resources.cattle.io', name, '-o', 'json']],
  [/^POST \/apis\/resources\.cattle\.io\/v1\/backups$/, (request) => backupCreateOf(request)],
  [
    /^DELETE \/apis\/resources\.cattle\.io\/v1\/backups\/([^/]+)$/,
    (name) => ['delete', `backups.resources.cattle.io/${name}`, '--wait=false'],
    (_, name) => ({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: 'resources.cattle.io', kind: 'backups' },
    }),
  ],
  // The failover's list of Rancher's management Clusters on the standby's cluster (cli/failover/after-move.ts).
  [/^GET \/apis\/management\.cattle\.io\/v3\/clusters$/, () => ['get', 'clusters.management.cattle.io', '-o', 'json']],
  [/^GET \/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/, (ns, name) => ['-n', ns, 'get', 'deployment', name, '-o', 'json']],
  [
    /^PATCH \/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/,
    scaleOf,
    // kubectl prints `deployment.apps/NAME scaled`; the API server answers the Scale as stored.
    (args, ns, name) => ({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name, namespace: ns },
      spec: { replicas: Number(args[args.length - 1].slice('--replicas='.length)) },
    }),
  ],
];

/**
 * The API server's /readyz as `kubectl get --raw /readyz` stands for it: 200 `ok`, or 500 with the checks' lines
 * (kubectl's `an error on the server ("...")`), each as text/plain, not a Status (k8s.io/apiserver
 * pkg/server/healthz/healthz.go: handleRootHealth writes `ok`, or the failed checks and `readyz check failed` through
 * http.Error, which sets `text/plain; charset=utf-8`).
 */
function readyzOf(args, out, { code, err }) {
  const type = 'text/plain; charset=utf-8';
  if (code === 0) return { answer: { status: 200, text: out, type } };
  const lines = (/an error on the server \("(.*)"\) has prevented/s.exec(err)?.[1] ?? 'readyz check failed').replaceAll('\\n', '\n');
  return { answer: { status: 500, text: `${lines}\n`, type } };
}

/**
 * A Backup created (rancher-backup's CRD, resources.cattle.io/v1, cluster-scoped) as `kubectl create -f - -o json` of
 * its body, after what the API server does first: a body of another type than JSON 415 (decoded); one with no name
 * 422 Invalid (apimachinery pkg/api/validation ValidateObjectMeta: `name or generateName is required`; the
 * acceptance run never asks a generated one); its `status` dropped, the CRD serving the status subresource
 * (apiextensions-apiserver pkg/registry/customresource/strategy.go PrepareForCreate: with the subresource enabled, a
 * create keeps no status; rancher/backup-restore-operator's CRD enables it), so the stub stores it without one.
 */
function backupCreateOf(request) {
  const { refused, object } = decoded(request);
  if (refused) return refused;
  if (!object?.metadata?.name)
    return status(422, 'Invalid', 'Backup.resources.cattle.io "" is invalid: metadata.name: Required value: name or generateName is required');
  if (object.status !== undefined) {
    const { status: _dropped, ...kept } = object;
    request.body = JSON.stringify(kept);
  }
  return ['create', '-f', '-', '-o', 'json'];
}

/**
 * The merge patch `kubectl scale deployment NAME --replicas=N` sends to the scale subresource, `spec.replicas` alone
 * (kubernetes/kubectl v0.35.7 pkg/scale/scale.go ScaleSimple, no precondition), as that call; 415 for a patch type the
 * API server does not take there, 400 for a body that is not JSON, 422 for replicas that are not a whole number of 0
 * or more (kubernetes pkg/apis/autoscaling/validation ValidateScale: `must be greater than or equal to 0`). Any other
 * patch of the scale is none the fake world models: 501.
 */
function scaleOf(ns, name, { body, contentType }) {
  const type = (contentType ?? '').split(';')[0].trim();
  if (!['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'].includes(type))
    return status(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type || 'none'})`,
    );
  let patch;
  try {
    patch = JSON.parse(body);
  } catch {
    return status(400, 'BadRequest', 'the body of the request was in an unknown format');
  }
  const keys = (o) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : []);
  if (type === 'application/json-patch+json' || keys(patch).join() !== 'spec' || keys(patch.spec).join() !== 'replicas')
    return { status: 501, text: `fake Kubernetes API: a patch of ${ns}/${name}'s scale the fake world does not model: ${body}` };
  const { replicas } = patch.spec;
  if (!Number.isInteger(replicas) || replicas < 0)
    return status(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    );
  return ['-n', ns, 'scale', 'deployment', name, `--replicas=${replicas}`];
}

/**
 * The body of a POST or PUT as the API server reads it: by its Content-Type, JSON here (k8s.io/apiserver
 * pkg/endpoints/handlers/rest.go negotiates the decoder from it: one it has none for is 415), and a body that does not
 * decode is 400. A refusal's Status, or the object.
 */
function decoded({ body, contentType }) {
  const type = (contentType ?? '').split(';')[0].trim();
  if (type !== 'application/json')
    return {
      refused: status(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json (got ${type || 'none'})`,
      ),
    };
  try {
    return { object: JSON.parse(body) };
  } catch {
    return { refused: status(400, 'BadRequest', 'the body of the request was in an unknown format') };
  }
}

/**
 * A create (POST to a collection) as `kubectl create -f - -o json` of its body, which the stub reads on its standard
 * input. An object whose namespace is not the request's is refused before anything is written, 400 BadRequest, as the
 * API server refuses it (k8s.io/apiserver pkg/registry/rest, EnsureObjectNamespaceMatchesRequestNamespace).
 */
function createOf(request, namespace) {
  const { refused, object } = decoded(request);
  if (refused) return refused;
  const given = object?.metadata?.namespace;
  if (namespace !== undefined && given !== undefined && given !== namespace)
    return status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  return ['create', '-f', '-', '-o', 'json'];
}

/**
 * A SelfSubjectAccessReview as the `kubectl auth can-i` that sends it (kubernetes/kubectl v0.35.7
 * pkg/cmd/auth/cani.go: VERB RESOURCE[.GROUP], `--all-namespaces` for no namespace). Its spec must hold exactly one of
 * resourceAttributes and nonResourceAttributes, else 422 Invalid (kubernetes pkg/apis/authorization/validation);
 * a non-resource URL is nothing the drill asks: 501.
 */
function canIOf(request) {
  const { refused, object } = decoded(request);
  if (refused) return refused;
  const spec = object?.spec ?? {};
  if ((spec.resourceAttributes === undefined) === (spec.nonResourceAttributes === undefined))
    return status(
      422,
      'Invalid',
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  if (!spec.resourceAttributes) return { status: 501, text: 'fake Kubernetes API: a non-resource access review the fake world does not model' };
  const { verb = '', resource = '', group, namespace } = spec.resourceAttributes;
  return ['auth', 'can-i', verb, group ? `${resource}.${group}` : resource, ...(namespace ? ['-n', namespace] : ['--all-namespaces'])];
}

/** kubectl prints `yes` (exit 0) or `no` (exit 1); the API server answers the review with its status.allowed. */
function accessReviewOf(args, out) {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: {},
    spec: {},
    status: { allowed: String(out).trim() === 'yes' },
  };
}

/**
 * A PATCH of a Node as the kubectl call it stands for: `kubectl cordon` and `uncordon` send a merge patch of
 * `spec.unschedulable` alone (kubernetes/kubectl v0.35.7 pkg/drain/cordon.go: true, or the field removed with null),
 * which is what the client layer sends (cli/shared/kube/nodes.ts setUnschedulable). The API server reads a PATCH by
 * its Content-Type (k8s.io/apiserver pkg/endpoints/handlers/patch.go): one it does not take is 415; a body that is not
 * JSON is 400. Any other patch of a Node is none the fake world models: 501, naming it.
 */
function cordonOf(name, { body, contentType }) {
  const type = (contentType ?? '').split(';')[0].trim();
  if (!['application/merge-patch+json', 'application/strategic-merge-patch+json'].includes(type))
    return status(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json (got ${type || 'none'})`,
    );
  let patch;
  try {
    patch = JSON.parse(body);
  } catch {
    return status(400, 'BadRequest', 'the body of the request was in an unknown format');
  }
  const keys = (o) => (o && typeof o === 'object' ? Object.keys(o) : []);
  const onlyUnschedulable = keys(patch).join() === 'spec' && keys(patch.spec).join() === 'unschedulable';
  if (onlyUnschedulable && patch.spec.unschedulable === true) return ['cordon', name];
  if (onlyUnschedulable && (patch.spec.unschedulable === null || patch.spec.unschedulable === false)) return ['uncordon', name];
  return { status: 501, text: `fake Kubernetes API: a patch of Node ${name} the fake world does not model: ${body}` };
}

/** An answer of the API server that refuses: apimachinery's Status with its reason and code. */
const status = (code, reason, message) => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
});

// apimachinery's StatusReason and the code kube-apiserver answers it with (pkg/api/errors: NewNotFound 404,
// NewAlreadyExists and NewConflict 409, NewInvalid 422, NewForbidden 403, NewBadRequest 400, ...).
const REASON_CODES = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Forbidden: 403,
  Unauthorized: 401,
  BadRequest: 400,
  MethodNotAllowed: 405,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};
/**
 * The CLI run that sent a request of the world's Kubernetes API: the one run of the world alive (fake-cloud.ts
 * registers each run's pid in `<world>/callers`; the client sends nothing for it), its environment naming the world
 * (a pid reused since is not it), never this server's own test process (an in-process run's). -1 when there is not
 * exactly one.
 */
function kubeCaller(dir) {
  let pids;
  try {
    pids = fs.readdirSync(join(dir, 'callers')).map((file) => Number(fs.readFileSync(join(dir, 'callers', file), 'utf8').trim()));
  } catch {
    return -1;
  }
  const alive = [...new Set(pids)].filter((pid) => {
    if (!(pid > 0) || pid === process.ppid || pid === process.pid) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`FAKE_WORLD=${dir}`);
    } catch {
      return false;
    }
  });
  return alive.length === 1 ? alive[0] : -1;
}

let kubeCalls = 0;
/** One request of the fake world's Kubernetes API: its status and body, or undefined for a connection to drop. */
function kubeAnswer(method, url, authorization, body, contentType) {
  // The world's folder, and which of its clusters the kubeconfig names (a drill's throwaway: `.drill`; none, the deployment's).
  const [, token, cluster] = /^Bearer FAKEWORLD([0-9a-f]+)(?:\.([a-z]+))?$/.exec(authorization ?? '') ?? [];
  if (!token)
    return { status: 401, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', message: 'Unauthorized', code: 401 } };
  const dir = Buffer.from(token, 'hex').toString('utf8');
  const path = new URL(url, 'http://fake').pathname;
  const route = KUBE_ROUTES.map(([pattern, argsOf, answerOf, answered]) => [pattern.exec(`${method} ${path}`), argsOf, answerOf, answered]).find(
    ([match]) => match,
  );
  if (!route) return { status: 501, text: `fake Kubernetes API: the fake world does not serve ${method} ${path}` };
  const parts = route[0].slice(1).map(decodeURIComponent);
  const request = { body, contentType };
  const args = route[1](...parts, request);
  // A refusal of the route's own (a Content-Type the API server does not take), before the world is asked.
  if (!Array.isArray(args)) return args;
  const files = join(dir, `.kube.${process.pid}.${++kubeCalls}`);
  // The body as the route left it (a create's status dropped: backupCreateOf).
  if (method === 'POST' || method === 'PUT') fs.writeFileSync(`${files}.in`, request.body);
  let code;
  let out;
  let err;
  try {
    code = run({
      files,
      pid: String(process.pid),
      cwd: dir,
      dir,
      tool: 'kubectl',
      args: ['--kubeconfig', cluster ? `(the fake world's ${cluster} kubeconfig)` : '(the fake world kubeconfig)', '--request-timeout=30s', ...args],
      // The run that sent it, for a hook that signals it (an acceptance run's signalAt); none known, a hook that
      // would signal is a violation (callerKill).
      ppid: kubeCaller(dir),
      request: true,
      env: {},
      logged: { tool: 'kube-api', args: [method, path, 'as', ...args] },
    });
    out = fs.readFileSync(`${files}.out`, 'utf8');
    err = fs.readFileSync(`${files}.err`, 'utf8');
  } finally {
    for (const file of ['in', 'out', 'err']) fs.rmSync(`${files}.${file}`, { force: true });
  }
  // A call that answers with its exit code (`kubectl auth can-i` exits 1 for `no`) has answered all the same.
  if (code === 0 || route[3]?.(code, out, err)) {
    const answered = route[2]?.(args, ...parts, out, { code, err });
    if (answered?.answer) return answered.answer;
    return answered ? { status: method === 'POST' ? 201 : 200, body: answered } : { status: method === 'POST' ? 201 : 200, text: out };
  }
  // kubectl's lines for an API it could not reach (refused, or any other failure to connect): no answer.
  if (/The connection to the server .* was refused|^Unable to connect to the server/m.test(err)) return undefined;
  // kubectl's line for a resource the API server does not serve (a CRD not installed: it asks discovery first); the
  // API server itself answers a request for it with a 404 Status (k8s.io/apiserver's not-found handler).
  if (/the server doesn't have a resource type/.test(err)) return status(404, 'NotFound', 'the server could not find the requested resource');
  const refused = /^Error from server \((\w+)\): (.*)$/s.exec(err.trim());
  if (refused && REASON_CODES[refused[1]]) {
    // kubectl puts the object's source before a create's refusal (`error when creating "STDIN": `); the server's
    // message is what follows.
    const [, reason] = refused;
    const message = refused[2].replace(/^error when creating "[^"]*": /, '');
    return {
      status: REASON_CODES[reason],
      body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code: REASON_CODES[reason] },
    };
  }
  return { status: 501, text: `fake Kubernetes API: ${method} ${path} as kubectl ${args.join(' ')}: exit ${code}: ${err}` };
}

const kubeTls = process.env.STUB_SERVER_TLS;
const kubeServer = (
  kubeTls
    ? (handler) => https.createServer({ cert: fs.readFileSync(join(kubeTls, 'cert.pem')), key: fs.readFileSync(join(kubeTls, 'key.pem')) }, handler)
    : http.createServer
)((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let answer;
    try {
      answer = kubeAnswer(
        request.method,
        request.url,
        request.headers.authorization,
        Buffer.concat(chunks).toString('utf8'),
        request.headers['content-type'],
      );
    } catch (error) {
      answer = { status: 500, text: `fake Kubernetes API: ${error.stack ?? error}` };
    }
    if (answer === undefined) {
      request.socket.destroy();
      return;
    }
    const text = answer.body ? JSON.stringify(answer.body) : answer.text;
    response.writeHead(answer.status, { 'Content-Type': answer.type ?? (answer.body || answer.status < 300 ? 'application/json' : 'text/plain') });
    response.end(text);
  });
});

const server = net.createServer((socket) => {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    const request = parse(buffer);
    if (!request) return;
    socket.removeAllListeners('data');
    const answer = delegated(request.tool, request.args, request.dir) ? 'delegate' : String(run(request));
    socket.write(`${answer}\n`);
    // stub.sh has copied the output once it hangs up (it exits, or runs the node stub).
    socket.on('close', () => {
      for (const file of ['in', 'out', 'err']) {
        try {
          fs.unlinkSync(`${request.files}.${file}`);
        } catch {
          // Not written (`in`: a call that reads no input).
        }
      }
    });
    socket.end();
  });
  socket.on('error', () => undefined);
});
// The ports, written beside and renamed over: the test process waits for the stub port's file, written last.
kubeServer.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(`${process.argv[2]}.kube`, String(kubeServer.address().port));
  server.listen(0, '127.0.0.1', () => {
    fs.writeFileSync(`${process.argv[2]}.tmp`, String(server.address().port));
    fs.renameSync(`${process.argv[2]}.tmp`, process.argv[2]);
  });
});
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => process.exit(0));
// Its CPU time, for a measurement (no test process waits for the server, so `time` does not count it).
if (process.env.STUB_SERVER_CPU_LOG) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    fs.appendFileSync(process.env.STUB_SERVER_CPU_LOG, `${((user + system) / 1e6).toFixed(2)}\n`);
  });
}
