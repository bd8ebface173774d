'use strict';
// The caller the call's signal hooks signal: the process that started it, or, for a call the fake AWS endpoint runs
// for an SDK request (fake-aws-endpoint/world-stubs.ts), the CLI run that sent it (FAKE_CALLER_PID).
const callerPid = () => Number(process.env.FAKE_CALLER_PID || process.ppid);
// The cluster side of the fake world (fake-cloud.js): servers with a Node
// (Ready, cordoned, being deleted) and an etcd membership, as kubectl, SSM and a
// `terraform apply -replace` see and change them. A replaced server joins after
// `cluster.joinAfter` looks at the Nodes, as a learner first (not yet a voter),
// and only if its old Node (so its etcd member) was removed first: RKE2 refuses
// a second member with the same node name.

function server(world, predicate) {
  return world.cluster.servers.find(predicate);
}

/**
 * The certificate-renewal timer of `cluster.renewal.server` (lib/kubernetes/cert-renewal.sh), due now: it runs at
 * every look, and restarts its server (down for one look) when the restart Lease is free or stale and every Node
 * it sees is Ready and a voter, as the script checks. It cannot see a server the roll took out (no Node, no
 * member): only the Lease stops it then.
 */
/** A Lease not renewed within its duration (its holder stopped). */
function leaseStale(lease) {
  return Date.parse(lease.renewTime) + lease.leaseDurationSeconds * 1000 <= Date.now();
}

function renewalTimer(world) {
  const renewal = world.cluster.renewal;
  if (!renewal) return;
  const s = server(world, (x) => x.name === renewal.server);
  if (!s.nodePresent || s.deleting) return;
  if (renewal.restarting) {
    s.ready = true;
    delete renewal.restarting;
    return;
  }
  const lease = world.restartLease;
  if (lease?.holderIdentity && (lease.annotations?.['rancher-ha-aws/out'] || !leaseStale(lease))) {
    renewal.deferredTo = [...new Set([...(renewal.deferredTo ?? []), lease.holderIdentity])];
    return;
  }
  // The guard counts the servers the deployment expects (its server-count parameter), not the Nodes that exist.
  const expected = world.cluster.servers.length;
  const whole = world.cluster.servers.filter((x) => x.nodePresent && !x.deleting && x.ready && x.member && !x.learner);
  if (whole.length !== expected) return;
  // Only while another server is out: that is the moment the roll must hold the Lease (a restart of a whole cluster is allowed).
  if (!world.cluster.servers.some((x) => !x.nodePresent || x.deleting || x.tokenRestart !== undefined || x.encRestart !== undefined)) return;
  s.ready = false;
  renewal.restarting = true;
  renewal.restarts = (renewal.restarts ?? 0) + 1;
}

/**
 * The upgrade controller running the server Plan, with the Plan's prepare step as readiness-gates.sh `prepare`
 * judges it, where `cluster.upgrade.controller` is set (concurrency 1): while a server's Node carries an older hash
 * than the Plan's latest, the first such server's prepare step runs at every look. It passes when the servers'
 * restart Lease is free or stale, or names this server as the one a roll has out (annotation rancher-ha-aws/out =
 * one of its InternalIPs, either family), and every other server is present, Ready, a voter and not cordoned; the server then restarts (down
 * for `controller.restartLooks` looks) and comes back with the new hash. What it refused, and whom it upgraded,
 * is kept in the controller's record.
 */
function upgradeController(world) {
  const upgrade = world.cluster.upgrade;
  const controller = upgrade?.controller;
  if (!controller || !upgrade.plan) return;
  const plan = upgrade.plan;
  const running = world.cluster.servers.find((s) => s.upgrading !== undefined);
  if (running) {
    if (--running.upgrading > 0) return;
    delete running.upgrading;
    running.ready = true;
    running.planHash = plan.latestHash;
    plan.applying = [];
    return;
  }
  const next = world.cluster.servers.find((s) => s.nodePresent && !s.deleting && s.planHash !== undefined && s.planHash !== plan.latestHash);
  if (!next) return;
  plan.applying = [next.node];
  const lease = world.restartLease;
  const out = lease?.annotations?.['rancher-ha-aws/out'];
  // "This very server": the out address among the Node's InternalIPs, of either family (readiness-gates.sh).
  const itself = out && nodeAddresses(world, next).some((a) => a.type === 'InternalIP' && a.address === out);
  const held = Boolean(lease?.holderIdentity) && (out ? !itself : !leaseStale(lease));
  const others = world.cluster.servers.filter((s) => s !== next);
  const whole = others.every((s) => s.nodePresent && !s.deleting && s.ready && s.member && !s.learner && !s.cordoned);
  if (held || !whole) {
    controller.refused = [
      ...(controller.refused ?? []),
      `${next.name}: ${held ? `restart Lease held by ${lease.holderIdentity}` : 'another server is not whole'}`,
    ];
    return;
  }
  next.ready = false;
  next.upgrading = controller.restartLooks ?? 1;
  controller.upgraded = [...(controller.upgraded ?? []), next.name];
}

/** The secret part of a cluster token (after its last ':'), as RKE2 and K3s compare tokens. */
const secretOf = (token) =>
  String(token ?? '')
    .split(':')
    .pop();

/**
 * A server restarted by the token rotation (rotate-token.sh `restart`) comes back after `cluster.restartLooks` looks,
 * as RKE2 and K3s start: with the token of its token file, which must open the bootstrap data the datastore keeps
 * under the cluster's token (k3s pkg/cluster/storage.go: a token whose key is not there is refused, "bootstrap data
 * already found and encrypted with different token"); such a server never becomes Ready.
 */
function tokenRestarts(world) {
  for (const s of world.cluster.servers) {
    if (s.tokenRestart === undefined || --s.tokenRestart > 0) continue;
    delete s.tokenRestart;
    // `cluster.neverBack`: this server's restart hangs (a person repairs it: the test clears startFailed).
    if (world.cluster.neverBack === s.name) {
      delete world.cluster.neverBack;
      s.startFailed = 'hung';
      continue;
    }
    if (secretOf(s.token.config) !== secretOf(world.cluster.token)) {
      s.startFailed = 'bootstrap data already found and encrypted with different token';
      continue;
    }
    s.token.server = s.token.config;
    s.ready = true;
  }
}

/** Time passes with every look at the Nodes: joining servers progress. */
function tick(world) {
  renewalTimer(world);
  upgradeController(world);
  tokenRestarts(world);
  encryptionProgress(world);
  for (const s of world.cluster.servers) {
    if (s.rebooting !== undefined && --s.rebooting <= 0) {
      delete s.rebooting;
      s.ready = true;
    }
    // A finalizer that holds the Node for `cluster.stuckFinalizer` more looks (its member not yet removed).
    if (s.deleting && world.cluster.stuckFinalizer > 0) {
      world.cluster.stuckFinalizer--;
      continue;
    }
    if (s.deleting) {
      // The finalizer: the member is removed, then the Node goes.
      s.member = false;
      s.nodePresent = false;
      s.deleting = false;
    }
    if (s.joining === undefined) continue;
    s.joining--;
    if (s.joining > 0) continue;
    delete s.joining;
    if (world.cluster.neverReady === s.name || s.staleMember || s.joinRefused) continue;
    s.nodePresent = true;
    // The upgrade controller runs the current Plan on a new Node (or, with `stuckOnJoin`, is still at it).
    const plan = world.cluster.upgrade?.plan;
    if (plan?.stuckOnJoin) plan.applying = [s.node];
    // With the controller modelled, the new Node is behind the Plan until its own Job runs (upgradeController).
    else if (world.cluster.upgrade?.controller) s.planHash = 'none';
    else if (plan) s.planHash = plan.latestHash;
    s.ready = true;
    s.cordoned = false;
    if (s.learner) {
      delete s.learner;
      s.member = true;
    } else {
      s.learner = true;
      s.joining = 1;
    }
  }
}

const memberName = (s, generation = s.generation ?? 0) => `${s.node}-${(0xabc00000 + generation).toString(16)}`;

/** The etcd member list as etcd's JSON gateway answers it: the members, a leftover of a replaced instance, `cluster.extraMembers`. */
function memberList(world) {
  const members = [];
  for (const s of world.cluster.servers) {
    const peerURLs = [`https://${s.ip}:2380`];
    if (s.staleMember) members.push({ name: memberName(s, (s.generation ?? 1) - 1), peerURLs });
    if (s.member || s.learner) members.push({ name: memberName(s), peerURLs, ...(s.learner ? { isLearner: true } : {}) });
  }
  return { header: { cluster_id: '1' }, members: [...members, ...(world.cluster.extraMembers ?? [])] };
}

/**
 * A Node's addresses as the kubelet reports them: its InternalIP, and on a dual-stack cluster (`cluster.dualStack`)
 * one per family, in the order of the server's families (RKE2 and K3s with no node-ip take the host's addresses,
 * the primary family first: IPv4, the first of the product's cluster-cidr; `cluster.ipv6First` reverses it, which
 * nothing may rely on), then its Hostname.
 */
function nodeAddresses(world, s) {
  const internal = [s.ip];
  if (world.cluster.dualStack && world.cluster.ipv6First) internal.unshift(s.ipv6);
  else if (world.cluster.dualStack) internal.push(s.ipv6);
  return [...internal.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: s.node }];
}

function nodeJson(world, s) {
  const conditions = [{ type: 'Ready', status: s.ready ? 'True' : 'Unknown' }];
  if (!world.cluster.k3s)
    conditions.push({
      type: 'EtcdIsVoter',
      status: s.member && !s.learner ? 'True' : 'False',
      reason: s.learner ? 'MemberIsLearner' : s.member ? 'MemberNotLearner' : 'NotAMember',
    });
  // RKE2 annotates a server's Node with its etcd member name (<node>-<8 hex>, new for every new instance).
  const annotations = !world.cluster.k3s && s.member ? { 'etcd.rke2.cattle.io/node-name': memberName(s) } : {};
  const upgrade = world.cluster.upgrade;
  const labels =
    upgrade?.plan && (s.planHash ?? upgrade.plan.latestHash) ? { 'plan.upgrade.cattle.io/server-plan': s.planHash ?? upgrade.plan.latestHash } : {};
  return {
    metadata: { name: s.node, labels, annotations, ...(s.deleting ? { deletionTimestamp: '2026-11-23T06:00:00Z' } : {}) },
    spec: s.cordoned ? { unschedulable: true } : {},
    // The version its kubelet reports, where the world says one (`cluster.kubelet`: the acceptance run's reads it).
    status: {
      addresses: nodeAddresses(world, s),
      conditions,
      ...(world.cluster.kubelet ? { nodeInfo: { kubeletVersion: world.cluster.kubelet } } : {}),
    },
  };
}

function kubectl(world, rawArgs, finish, save, { lock, reload }) {
  const cluster = world.cluster;
  const args = rawArgs.filter((a, i) => !a.startsWith('--kubeconfig') && rawArgs[i - 1] !== '--kubeconfig' && !a.startsWith('--request-timeout'));
  if (!rawArgs.includes('--kubeconfig')) finish(1, '', 'fake kubectl: no --kubeconfig\n');
  if (!cluster.apiUp) finish(1, '', 'The connection to the server rancher.example.com:6443 was refused\n');
  const ns = args[0] === '-n' ? args.splice(0, 2)[1] : undefined;
  const [verb, kind, name] = args;
  if (cluster.signalsAtNextCalls?.length > 0) {
    const signal = cluster.signalsAtNextCalls.shift();
    save();
    process.kill(callerPid(), signal);
  }
  if (verb === 'get' && kind === 'nodes') {
    tick(world);
    finish(0, JSON.stringify({ items: cluster.servers.filter((s) => s.nodePresent).map((s) => nodeJson(world, s)) }));
  }
  const byNode = server(world, (s) => s.node === kind && s.nodePresent);
  if (verb === 'cordon' || verb === 'uncordon') {
    if (!byNode) finish(1, '', `Error from server (NotFound): nodes "${kind}" not found\n`);
    byNode.cordoned = verb === 'cordon';
    finish(0, `node/${kind} ${verb}ed\n`);
  }
  if (verb === 'drain') {
    if (!byNode) finish(1, '', `Error from server (NotFound): nodes "${kind}" not found\n`);
    if (cluster.drainFails)
      finish(1, '', `error: unable to drain node "${kind}" due to error: global timeout reached: 10m0s, continuing command...\n`);
    byNode.drained = true;
    // AWS reboots a server while the drain runs (a maintenance event): it is NotReady for `looks` looks at the Nodes,
    // and systemd starts at boot every timer still enabled (a stopped one too), not a disabled one.
    if (cluster.rebootDuringDrain) {
      const rebooted = server(world, (x) => x.name === cluster.rebootDuringDrain.server);
      Object.assign(rebooted, { ready: false, rebooting: cluster.rebootDuringDrain.looks });
      if (!rebooted.timerDisabled) rebooted.timerStopped = false;
      world.reboots = [...(world.reboots ?? []), rebooted.name];
      delete cluster.rebootDuringDrain;
    }
    // A terminal's Ctrl-C while the drain runs: SIGINT to the roll's whole process group (the test starts the roll as
    // a group leader), as a terminal sends it to its foreground group. A drain in that group dies of it.
    if (cluster.ctrlCDuringDrain) {
      delete cluster.ctrlCDuringDrain;
      save(true);
      process.kill(-callerPid(), 'SIGINT');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      // The world again, under the lock: calls of the roll meanwhile (a Lease renewal) are not written over.
      lock();
      reload();
      finish(0, `node/${kind} drained\n`);
    }
    // A Ctrl-C (SIGINT to the roll) or a pipeline's SIGTERM while the drain runs.
    if (cluster.signalDuringDrain) {
      // One signal, or several (a person pressing Ctrl-C again): the first here, each next one at the next kubectl
      // call, once the caller has handled the one before (two sent at once would reach it as one: a pending signal
      // is not queued twice).
      const [signal, ...later] = [].concat(cluster.signalDuringDrain);
      delete cluster.signalDuringDrain;
      if (later.length > 0) cluster.signalsAtNextCalls = later;
      finish(0, `node/${kind} drained\n`, '', () => process.kill(callerPid(), signal));
    }
    finish(0, `node/${kind} drained\n`);
  }
  if (verb === 'delete' && kind === 'node') {
    const s = server(world, (x) => x.node === name && x.nodePresent);
    if (!s) finish(1, '', `Error from server (NotFound): nodes "${name}" not found\n`);
    s.deleting = true;
    // Someone changes the settings (and synthesizes) while the roll has this server out.
    if (cluster.pendingChangesOnRemove) {
      world.pendingChanges = cluster.pendingChangesOnRemove;
      delete cluster.pendingChangesOnRemove;
    }
    finish(0, `node "${name}" deleted\n`);
  }
  if (verb === 'delete' && kind === 'secret') {
    cluster.deletedSecrets = [...(cluster.deletedSecrets ?? []), name];
    finish(0);
  }
  // The record a restore leaves (rke2-restore.sh record_restore): `world.restoreRecord`, its data (restoredLeaseVersion:
  // the Lease's resourceVersion after the restore; an earlier version's record: restoredAt only). A key it lacks
  // prints nothing, as kubectl's jsonpath does for a missing key.
  if (verb === 'get' && kind === 'configmap' && ns === 'kube-system' && name === 'rancher-aws-restore') {
    if (!world.restoreRecord) finish(1, '', `Error from server (NotFound): configmaps "${name}" not found\n`);
    // The whole ConfigMap, as `-o json` prints it (the client layer reads it so, cli/shared/kube/config-maps.ts).
    if (args.includes('json'))
      finish(0, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: world.restoreRecord }));
    const key = /^jsonpath=\{\.data\.(\w+)\}$/.exec(args.find((a) => a.startsWith('jsonpath=')) ?? '')?.[1];
    if (!key) finish(1, '', `fake kubectl: unexpected call: ${rawArgs.join(' ')}\n`);
    finish(0, world.restoreRecord[key] ?? '');
  }
  // The upgrade's records and Plan (lib/kubernetes/private/kubernetes-upgrade.ts, upgrade-plan.ts), where the world has them.
  if (verb === 'get' && kind === 'configmap' && ns === 'rancher-aws-gates') {
    const value = { 'rancher-aws-kubernetes-target': cluster.upgrade?.target, 'rancher-aws-kubernetes-version': cluster.upgrade?.running }[name];
    if (value === undefined) finish(1, '', `Error from server (NotFound): configmaps "${name}" not found\n`);
    finish(0, JSON.stringify({ metadata: { name, namespace: ns }, data: { kubernetes: value } }));
  }
  if (verb === 'get' && kind === 'plans.upgrade.cattle.io' && ns === 'system-upgrade') {
    if (!cluster.upgrade) finish(1, '', 'error: the server doesn\'t have a resource type "plans"\n');
    if (!cluster.upgrade.plan) finish(1, '', `Error from server (NotFound): plans.upgrade.cattle.io "${name}" not found\n`);
    const { latestHash, applying } = cluster.upgrade.plan;
    finish(0, JSON.stringify({ metadata: { name, namespace: ns }, status: { latestHash, applying } }));
  }
  // Leases in kube-system: the roll lock (world.lease) and the servers' restart lock (world.restartLease).
  const leaseKey = (leaseName) =>
    leaseName === 'rancher-ha-aws-roll' ? 'lease' : leaseName === 'rancher-aws-server-restart' ? 'restartLease' : undefined;
  /** A Lease of the world as the API serves it (`get -o json`, and a write's answer with `-o json`). */
  const leaseObject = (leaseName, key) => {
    // releaseAfterLooks is the fake's own, not a field of the Lease.
    const { annotations, resourceVersion, releaseAfterLooks: _looks, ...spec } = world[key];
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: leaseName, namespace: 'kube-system', annotations, resourceVersion },
      spec,
    };
  };
  /** A write's answer: the Lease written with `-o json`, else kubectl's line. */
  const written = (leaseName, key, done) =>
    args.includes('json') ? JSON.stringify(leaseObject(leaseName, key)) : `lease.coordination.k8s.io/${leaseName} ${done}\n`;
  if (verb === 'create' && kind === '-f') {
    const lease = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const key = leaseKey(lease.metadata.name);
    if (!key || lease.metadata.namespace !== 'kube-system')
      finish(1, '', `fake kubectl: unexpected object ${lease.metadata.namespace}/${lease.metadata.name}\n`);
    if (world[key]) finish(1, '', `Error from server (AlreadyExists): leases.coordination.k8s.io "${lease.metadata.name}" already exists\n`);
    world.leaseWrites = (world.leaseWrites ?? 0) + 1;
    world[key] = { ...lease.spec, annotations: lease.metadata.annotations ?? {}, resourceVersion: String(world.leaseWrites) };
    finish(0, written(lease.metadata.name, key, 'created'));
  }
  // A replace is conditional on the resourceVersion it carries, as the API server makes it (409 Conflict).
  if (verb === 'replace' && kind === '-f') {
    const lease = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const key = leaseKey(lease.metadata.name);
    if (!key) finish(1, '', `fake kubectl: unexpected object ${lease.metadata.namespace}/${lease.metadata.name}\n`);
    if (!world[key]) finish(1, '', `Error from server (NotFound): leases.coordination.k8s.io "${lease.metadata.name}" not found\n`);
    if (lease.metadata.resourceVersion === undefined) finish(1, '', 'fake kubectl: an unconditional replace of a Lease (no resourceVersion)\n');
    world.leaseCalls = [...(world.leaseCalls ?? []), `replace ${lease.metadata.name} ${lease.spec.holderIdentity || '(none)'}`];
    if (lease.metadata.resourceVersion !== world[key].resourceVersion)
      finish(
        1,
        '',
        `Error from server (Conflict): Operation cannot be fulfilled on leases.coordination.k8s.io "${lease.metadata.name}": the object has been modified; please apply your changes to the latest version and try again\n`,
      );
    world.leaseWrites = (world.leaseWrites ?? 0) + 1;
    world[key] = { ...lease.spec, annotations: lease.metadata.annotations ?? {}, resourceVersion: String(world.leaseWrites) };
    finish(0, written(lease.metadata.name, key, 'replaced'));
  }
  if (kind === 'lease' && ns === 'kube-system' && leaseKey(name)) {
    const key = leaseKey(name);
    if (verb === 'get') {
      // A renewal that holds the restart Lease gives it back after `releaseAfterLooks` looks at it.
      if (key === 'restartLease' && world.restartLease?.releaseAfterLooks !== undefined && --world.restartLease.releaseAfterLooks < 0)
        delete world.restartLease;
      if (!world[key]) finish(1, '', `Error from server (NotFound): leases.coordination.k8s.io "${name}" not found\n`);
      // A Lease a test wrote directly gets a version at its first read.
      if (world[key].resourceVersion === undefined) world[key].resourceVersion = `t${(world.leaseWrites = (world.leaseWrites ?? 0) + 1)}`;
      finish(0, JSON.stringify(leaseObject(name, key)));
    }
    if (verb === 'patch') {
      if (!world[key]) finish(1, '', 'NotFound\n');
      const patch = JSON.parse(args[args.indexOf('-p') + 1]);
      const annotations = Object.fromEntries(
        Object.entries({ ...world[key].annotations, ...patch.metadata?.annotations }).filter(([, v]) => v !== null),
      );
      world[key] = { ...world[key], ...patch.spec, annotations };
      finish(0);
    }
    if (verb === 'delete') {
      delete world[key];
      finish(0);
    }
  }
  finish(1, '', `fake kubectl: unexpected call: ${rawArgs.join(' ')}\n`);
}

/** Every `${type.name...}` reference of a configuration block, as Terraform's plan JSON lists them. */
function referencesOf(body) {
  const found = new Set();
  JSON.stringify(body).replace(/\$\{(?:[^}]*?[^a-z0-9_.])?((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)(\.[a-z_]+)?/g, (_, ref, attr) => {
    found.add(ref);
    if (attr) found.add(`${ref}${attr}`);
    return '';
  });
  return [...found];
}

/**
 * `terraform plan -replace=X -out=FILE`: the plan of the fake world written
 * to FILE as `terraform show -json` prints it. It replaces X, updates what
 * refers to X (a server's target group attachments and user-data record), and
 * carries every change pending in `world.pendingChanges` ({ address, actions,
 * upgrade? }: settings changed and not applied yet, such as a new Kubernetes
 * version).
 */
function plan(world, flags, finish, configuration) {
  const replace = flags.filter((f) => f.startsWith('-replace=')).map((f) => f.slice('-replace='.length));
  const out = flags.find((f) => f.startsWith('-out='))?.slice('-out='.length);
  if (!out || replace.length === 0 || !flags.includes('-input=false')) finish(1, '', `fake terraform: unexpected plan ${flags.join(' ')}\n`);
  const config = configuration();
  const resources = Object.entries(config.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      expressions: { all: { references: referencesOf(body) } },
    })),
  );
  const changes = [];
  for (const address of replace) {
    if (!world.state.resources.some((r) => `${r.type}.${r.name}` === address))
      finish(1, '', `Error: Invalid -replace address: ${address} is not in the state\n`);
    changes.push({ address, mode: 'managed', change: { actions: ['delete', 'create'] } });
    for (const r of resources)
      if (r.expressions.all.references.some((ref) => ref === address || ref.startsWith(`${address}.`)))
        changes.push({ address: r.address, mode: 'managed', change: { actions: ['update'] } });
  }
  for (const pending of world.pendingChanges ?? [])
    changes.push({ address: pending.address, mode: 'managed', change: { actions: pending.actions }, upgrade: pending.upgrade });
  changes.push({ address: 'data.http.api-readiness_readyz', mode: 'data', change: { actions: ['read'] } });
  require('node:fs').writeFileSync(
    require('node:path').resolve(process.cwd(), out),
    JSON.stringify({
      format_version: '1.2',
      resource_changes: changes,
      configuration: { root_module: { resources } },
      replace,
      serial: world.state.serial,
    }),
  );
  finish(0, `Plan: ${changes.length} to change.\n\nSaved the plan to: ${out}\n`);
}

function show(world, flags, finish) {
  const file = flags.filter((f) => !f.startsWith('-'))[0];
  if (!flags.includes('-json') || !file) finish(1, '', `fake terraform: unexpected show ${flags.join(' ')}\n`);
  finish(0, require('node:fs').readFileSync(require('node:path').resolve(process.cwd(), file), 'utf8'));
}

/** `terraform apply FILE`: exactly the saved plan; a pending upgrade in it makes the controller restart the servers. */
function apply(world, flags, finish) {
  const file = flags.filter((f) => !f.startsWith('-'))[0];
  if (!file || flags.some((f) => f.startsWith('-replace=') || f === '-auto-approve'))
    finish(1, '', `fake terraform: unexpected apply ${flags.join(' ')} (only a saved plan is applied)\n`);
  const saved = JSON.parse(require('node:fs').readFileSync(require('node:path').resolve(process.cwd(), file), 'utf8'));
  if (saved.serial !== world.state.serial) finish(1, '', 'Error: Saved plan is stale\n');
  if (world.cluster.applyFails) {
    world.cluster.applyFails--;
    finish(1, '', 'Error: creating EC2 Instance: InsufficientInstanceCapacity\n');
  }
  for (const address of saved.replace) {
    const resource = world.state.resources.find((r) => `${r.type}.${r.name}` === address);
    if (/ami_recorded-image/.test(address)) {
      world.recordedImageReplaced = (world.recordedImageReplaced ?? 0) + 1;
      continue;
    }
    const attributes = resource.instances[0].attributes;
    const s = server(world, (x) => x.instance === attributes.id);
    // The old instance is terminated: its Node stops answering; a member not removed first stays behind, dead.
    s.ready = false;
    s.staleMember = s.member;
    s.generation = (s.generation ?? 0) + 1;
    attributes.id = `${s.name}-i-${s.generation}`;
    s.instance = attributes.id;
    s.joining = world.cluster.joinAfter ?? 2;
    // `cluster.loaderRefuses`: the new instance's boot loader refuses its document (lib/nodes/boot-loader.sh exits 78,
    // which its unit does not restart): nothing is applied, the server never joins; its SSM agent runs all the same.
    s.loaderRefused = world.cluster.loaderRefuses === s.name ? world.cluster.loaderRefusal : undefined;
    if (s.loaderRefused !== undefined) delete s.joining;
    // The new instance boots this version's user data: its cert-renewal.sh, its timer enabled. It reads the token
    // parameter at boot (rke2-bootstrap.sh fetch_to token): a token the cluster does not hold never joins.
    if (world.cluster.token !== undefined) {
      const token = Object.values(world.parameters ?? {}).find((p) => p.name.endsWith('/token'))?.value;
      s.token = { config: token, server: token, startedAfterConfig: true };
      s.joinRefused = secretOf(token) !== secretOf(world.cluster.token);
      world.joins = [...(world.joins ?? []), { server: s.name, token: secretOf(token), refused: s.joinRefused }];
    }
    // A joining RKE2 server takes the encryption configuration of the datastore's bootstrap data (encryptionProgress).
    if (world.cluster.encryption) s.enc = { ...world.cluster.encryption.saved };
    delete s.renewalScript;
    Object.assign(s, { timerStopped: false, timerDisabled: false, timerMark: false });
    world.replaced = [...(world.replaced ?? []), s.name];
  }

  // The target record written, the Plan changed: the controller restarts the first server it picks at once.
  if (saved.resource_changes.some((c) => c.upgrade)) {
    const next = world.cluster.servers.find((x) => x.ready && x.member);
    if (next) next.ready = false;
    world.upgradeApplied = true;
  }
  world.pendingChanges = (world.pendingChanges ?? []).filter((p) => !saved.resource_changes.some((c) => c.address === p.address));
  world.state.serial = (world.state.serial ?? 1) + 1;
  if (world.killAfterApply) {
    delete world.killAfterApply;
    finish(0, '', '', () => process.kill(callerPid(), 'SIGKILL'));
  }
  finish(0, `Apply complete! Resources: ${saved.replace.length} added, 0 changed, ${saved.replace.length} destroyed.\n`);
}

function aws(world, args, option, finish, awsError) {
  const [service, operation] = args;
  const cluster = world.cluster;
  // One command to several instances (`--instance-ids a b c`): one invocation each, read together with
  // list-command-invocations --details (the token rotation's status of every server).
  const ids = [];
  for (let i = args.indexOf('--instance-ids') + 1; i > 0 && i < args.length && !args[i].startsWith('--'); i++) ids.push(args[i]);
  if (service === 'ssm' && operation === 'send-command' && ids.length > 1) {
    const commands = JSON.parse(option('--parameters')).commands;
    const id = `cmd-${(cluster.commands ?? []).length + 1}`;
    cluster.commands = [...(cluster.commands ?? []), { id, instances: ids, commands, looks: 0, status: 'Success' }];
    finish(0, JSON.stringify({ Command: { CommandId: id } }));
  }
  if (service === 'ssm' && operation === 'list-command-invocations') {
    const command = (cluster.commands ?? []).find((c) => c.id === option('--command-id'));
    if (!command || !args.includes('--details')) finish(1, '', `fake aws: unexpected call: ${args.join(' ')}\n`);
    const status = /rancher-aws-rotate-token\.sh status (rke2|k3s)$/.test(command.commands[0]);
    const encryption = /rancher-aws-rotate-encryption\.sh status$/.test(command.commands[0]);
    if (!status && !encryption) finish(1, '', 'fake aws: list-command-invocations of a command other than a rotation status\n');
    const invocations = (command.instances ?? [command.instance]).map((instance) => {
      const s = server(world, (x) => x.instance === instance);
      const output = encryption ? encryptionStatusLine(world, s) : tokenStatusLine(world, s);
      return { InstanceId: instance, Status: 'Success', CommandPlugins: [{ Status: 'Success', Output: output }] };
    });
    finish(0, JSON.stringify({ CommandInvocations: invocations }));
  }
  if (service === 'ssm' && operation === 'send-command') {
    const target = server(world, (s) => s.instance === option('--instance-ids'));
    // The SSM agent is a service of its own: a server whose rke2-server restarts (or failed to start) still answers.
    if (
      !target ||
      (!target.ready &&
        target.tokenRestart === undefined &&
        target.encRestart === undefined &&
        target.startFailed === undefined &&
        target.loaderRefused === undefined)
    )
      awsError('InvalidInstanceId', 'Instances not in a valid state for account');
    const commands = JSON.parse(option('--parameters')).commands;
    const id = `cmd-${(cluster.commands ?? []).length + 1}`;
    cluster.commands = [
      ...(cluster.commands ?? []),
      {
        id,
        instance: target.instance,
        commands,
        looks: 0,
        status: cluster.snapshotFails && commands[0].includes('etcd-snapshot') ? 'Failed' : 'Success',
      },
    ];
    finish(0, JSON.stringify({ Command: { CommandId: id } }));
  }
  if (service === 'ssm' && operation === 'get-command-invocation') {
    const command = (cluster.commands ?? []).find((c) => c.id === option('--command-id'));
    if (!command) awsError('InvocationDoesNotExist', 'no such command');
    command.looks++;
    // Someone applies a Kubernetes version change while the snapshot runs: the Plan gets a new hash. Time passes
    // for the controller at every poll (it does not wait for the roll to look at the Nodes).
    if (cluster.upgrade?.bumpDuringSnapshot && command.commands[0].includes('etcd-snapshot save')) {
      cluster.upgrade.plan.latestHash = cluster.upgrade.bumpDuringSnapshot;
      delete cluster.upgrade.bumpDuringSnapshot;
    }
    // A person runs `systemctl enable --now` of that server's renewal timer while the next server's snapshot runs,
    // once a server was replaced (no server is marked out then; the server's mark file stays).
    if (cluster.timerEnabledBeforeNextServer && world.replaced?.length && command.commands[0].includes('etcd-snapshot save')) {
      Object.assign(
        server(world, (x) => x.name === cluster.timerEnabledBeforeNextServer),
        { timerStopped: false, timerDisabled: false },
      );
      delete cluster.timerEnabledBeforeNextServer;
    }
    // AWS reboots a server while the snapshot runs (after the roll's health check, before its transition looks): it
    // is NotReady for `looks` looks at the Nodes, SSM does not reach it meanwhile, and systemd starts at boot every
    // timer still enabled (systemctl(1)).
    if (cluster.rebootDuringSnapshot && command.commands[0].includes('etcd-snapshot save')) {
      const rebooted = server(world, (x) => x.name === cluster.rebootDuringSnapshot.server);
      Object.assign(rebooted, { ready: false, rebooting: cluster.rebootDuringSnapshot.looks });
      if (!rebooted.timerDisabled) rebooted.timerStopped = false;
      world.reboots = [...(world.reboots ?? []), rebooted.name];
      delete cluster.rebootDuringSnapshot;
    }
    upgradeController(world);
    // The token rotation's script (rotate-token.sh) answers at the first look: its steps are the waits it is tested for.
    const rotate = /rancher-aws-rotate-token\.sh (status|rotate|config|restart) (rke2|k3s)$/.exec(command.commands[0]);
    if (rotate)
      tokenScript(
        world,
        server(world, (x) => x.instance === command.instance),
        rotate[1],
        finish,
      );
    const encryption = /rancher-aws-rotate-encryption\.sh (status|rotate|restart)( \S+)?$/.exec(command.commands[0]);
    if (encryption)
      encryptionScript(
        world,
        server(world, (x) => x.instance === command.instance),
        encryption[1],
        encryption[2]?.trim(),
        finish,
      );
    if (command.looks < 2) finish(0, JSON.stringify({ Status: 'InProgress' }));
    // The transition's command (cli/shared/renewal-transition.ts): a server whose `renewalScript` (the sha256 of the
    // cert-renewal.sh its user data installed; unset: this version's) differs from the one the command names has its
    // timer turned off; `renewalRunning` looks of its service still active first (a run under way). A timer is
    // `timerStopped` (not active) and `timerDisabled` (not enabled: systemd does not start it at boot); `timerMark`
    // is the server's record (DISABLED_MARK) that an operation disabled it. The command before issue 62 only
    // stopped the timer (`systemctl stop`), leaving it enabled.
    const stop = /"\$\(sha256sum \S+ \| cut -d' ' -f1\)" = "([0-9a-f]{64})"/.exec(command.commands[0]);
    if (stop) {
      const s = server(world, (x) => x.instance === command.instance);
      const disables = command.commands[0].includes('systemctl disable --now rancher-aws-cert-renewal.timer');
      let verdict = 'current';
      if (s.renewalScript !== undefined && s.renewalScript !== stop[1]) {
        // Counted when it turns something off (a look again at a timer already stopped and disabled changes nothing).
        if (!(s.timerStopped && s.timerDisabled)) s.timerStops = (s.timerStops ?? 0) + 1;
        if (!disables) verdict = 'stopped';
        else if (s.timerMark || !s.timerDisabled) {
          Object.assign(s, { timerMark: true, timerDisabled: true });
          verdict = 'disabled';
        } else verdict = 'off';
        s.timerStopped = true;
        if (s.renewalRunning > 0) verdict = 'still-running';
      }
      finish(0, JSON.stringify({ Status: verdict === 'still-running' ? 'Failed' : 'Success', StandardOutputContent: `renewal-timer=${verdict}\n` }));
    }
    // Turned on again: enabled where the mark says an operation disabled it, started where it is still enabled.
    if (
      /^(systemctl start rancher-aws-cert-renewal\.timer|if \[ -e \S+ \]; then systemctl enable --now rancher-aws-cert-renewal\.timer)/.test(
        command.commands[0],
      )
    ) {
      const s = server(world, (x) => x.instance === command.instance);
      const enables = command.commands[0].startsWith('if ');
      if (enables && s.timerMark) Object.assign(s, { timerMark: false, timerDisabled: false });
      if (!s.timerDisabled) {
        s.timerStopped = false;
        s.timerStarts = (s.timerStarts ?? 0) + 1;
      }
      finish(0, JSON.stringify({ Status: 'Success', StandardOutputContent: `renewal-timer=${s.timerDisabled ? 'off' : 'enabled'}\n` }));
    }
    // The roll's look at a new server's boot loader (cli/roll/boot-loader-state.ts): `systemctl show` prints each
    // property asked as NAME=VALUE (systemctl(1)); a unit whose main process exited with a status its
    // RestartPreventExitStatus names is not restarted and stays failed (systemd.service(5)), the loader's reason the
    // last line it wrote to the unit's journal. A loader still retrying is active, its status 0.
    if (command.commands[0].startsWith('systemctl show rancher-aws-boot-loader.service')) {
      const s = server(world, (x) => x.instance === command.instance);
      const output =
        s.loaderRefused === undefined
          ? 'ActiveState=active\nExecMainStatus=0\n'
          : `ActiveState=failed\nExecMainStatus=78\nrancher-aws-boot-loader: refusing the boot document: ${s.loaderRefused}; nothing was applied\n`;
      finish(0, JSON.stringify({ Status: 'Success', StandardOutputContent: output, StandardErrorContent: '' }));
    }
    if (command.commands[0].includes('https://127.0.0.1:2379/v3/cluster/member/list')) {
      finish(0, JSON.stringify({ Status: 'Success', StandardOutputContent: JSON.stringify(memberList(world)), StandardErrorContent: '' }));
    }
    if (command.status === 'Success') cluster.snapshots = [...(cluster.snapshots ?? []), command.commands[0]];
    // A snapshot holds the datastore's bootstrap data under the token of its moment (k3s pkg/cluster/storage.go): a
    // restore of it needs that token (k3s pkg/cli/token/token.go, Rotate's warning). Each saved one with its token
    // and whether every server was up then.
    const saved = /etcd-snapshot save --name (\S+)/.exec(command.commands[0]);
    if (saved && command.status === 'Success' && !command.recorded) {
      command.recorded = true;
      cluster.savedSnapshots = [
        ...(cluster.savedSnapshots ?? []),
        {
          name: saved[1],
          on: server(world, (x) => x.instance === command.instance).name,
          token: cluster.token,
          allReady: cluster.servers.every((x) => x.ready),
        },
      ];
    }
    finish(
      0,
      JSON.stringify({
        Status: command.status,
        StandardErrorContent:
          command.status === 'Success' ? '' : 'level=fatal msg="etcd-snapshot error: failed to save snapshot to S3: AccessDenied"',
      }),
    );
  }
  // The deployment's parameters (world.parameters: name -> { name, value, version, keyId, region? }), as SSM keeps
  // them: each in its own region (a parameter exists only in the Region it was created in, SSM User Guide, "AWS Systems
  // Manager Parameter Store"), so a call to another region does not find it. Without `region`, any (the older worlds).
  const regional = (p) => (p && (!p.region || p.region === option('--region')) ? p : undefined);
  if (service === 'ssm' && operation === 'get-parameter') {
    const p = regional(world.parameters?.[option('--name')]);
    if (!p) awsError('ParameterNotFound', `Parameter ${option('--name')} not found.`);
    if (!args.includes('--with-decryption')) finish(0, JSON.stringify({ Parameter: { Name: p.name, Value: '(encrypted)', Version: p.version } }));
    finish(0, JSON.stringify({ Parameter: { Name: p.name, Type: 'SecureString', Value: p.value, Version: p.version } }));
  }
  if (service === 'ssm' && operation === 'put-parameter') {
    if (option('--cli-input-json') !== 'file:///dev/stdin') finish(1, '', 'fake aws: a parameter value passed as an argument\n');
    const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const p = regional(world.parameters?.[input.Name]);
    if (!p) finish(1, '', `fake aws: unexpected put-parameter ${input.Name} in ${option('--region')}\n`);
    if (!input.Overwrite) awsError('ParameterAlreadyExists', 'The parameter already exists.');
    // Overwritten without its key, SSM would encrypt with the account's aws/ssm key: the deployment's key is named.
    if (input.KeyId !== p.keyId || input.Tier !== p.tier || input.Description !== p.description)
      finish(1, '', `fake aws: put-parameter ${input.Name} with another key, tier or description than Terraform's\n`);
    p.value = input.Value;
    p.version++;
    world.parameterWrites = [
      ...(world.parameterWrites ?? []),
      { name: p.name, ...(p.region ? { region: p.region } : {}), secret: secretOf(p.value) },
    ];
    killIfAsked(world, 'put-parameter', finish, JSON.stringify({ Version: p.version, Tier: p.tier }));
    finish(0, JSON.stringify({ Version: p.version, Tier: p.tier }));
  }
  if (service === 'rds' && operation === 'create-db-snapshot') {
    world.dbSnapshots = { ...(world.dbSnapshots ?? {}), [option('--db-snapshot-identifier')]: { looks: 0 } };
    finish(0, JSON.stringify({ DBSnapshot: { Status: 'creating' } }));
  }
  if (service === 'rds' && operation === 'describe-db-snapshots') {
    const snapshot = world.dbSnapshots?.[option('--db-snapshot-identifier')];
    if (!snapshot) awsError('DBSnapshotNotFound', 'no such snapshot');
    snapshot.looks++;
    finish(0, JSON.stringify({ DBSnapshots: [{ Status: cluster.snapshotFails ? 'failed' : snapshot.looks < 2 ? 'creating' : 'available' }] }));
  }
  finish(1, '', `fake aws: unexpected call: ${args.join(' ')}\n`);
}

/** `cluster.killAt` (a step name): the call that completes it ends with a SIGKILL of its caller (kill -9 there). */
function killIfAsked(world, step, finish, stdout) {
  if (world.cluster.killAt !== step) return;
  delete world.cluster.killAt;
  world.killed = [...(world.killed ?? []), step];
  finish(0, stdout, '', () => process.kill(callerPid(), 'SIGKILL'));
}

/** rotate-token.sh `status` on server `s`: which of its copies hold the parameter's token, and cluster_healthy from there. */
function tokenStatusLine(world, s) {
  const wanted = secretOf(Object.values(world.parameters ?? {}).find((p) => p.name.endsWith('/token'))?.value);
  const same = (token) => (secretOf(token) === wanted ? 'yes' : 'no');
  const whole = world.cluster.servers.every((x) => x.ready && x.member && !x.learner && x.nodePresent);
  const t = s.token;
  return `rotate-token config=${same(t.config)} server=${same(t.server)} started-after-config=${t.startedAfterConfig ? 'yes' : 'no'} healthy=${s.ready && whole ? 'yes' : 'no'}\n`;
}

/**
 * rotate-token.sh on a server (`server.token`: { config, server, startedAfterConfig }, the token file the service
 * reads at start, the data directory's server/token, whether the service started after that file was written;
 * `cluster.token`: the token the datastore's bootstrap data is encrypted with), as RKE2/K3s v1.35.7 do it:
 *   rotate: k3s pkg/server/handlers/token.go tokenRotate, behind `token rotate` (pkg/cli/token/token.go): the request
 *   authenticates with the data directory's token; the handler writes the new one there and re-encrypts the bootstrap
 *   data with it (the running servers keep the token they started with until they restart);
 *   restart: the service goes down at once; it comes back (tokenRestarts) only with a token the datastore holds.
 */
function tokenScript(world, s, action, finish) {
  const parameter = Object.values(world.parameters ?? {}).find((p) => p.name.endsWith('/token'));
  const wanted = secretOf(parameter?.value);
  const same = (token) => (secretOf(token) === wanted ? 'yes' : 'no');
  const success = (out) => JSON.stringify({ Status: 'Success', StandardOutputContent: out, StandardErrorContent: '' });
  const whole = world.cluster.servers.every((x) => x.ready && x.member && !x.learner && x.nodePresent);
  if (action === 'status') finish(0, success(tokenStatusLine(world, s)));
  if (action === 'rotate') {
    if (same(s.token.server) === 'yes') finish(0, success('rotate-token rotated=already\n'));
    if (!s.ready || secretOf(s.token.server) !== secretOf(world.cluster.token))
      finish(
        0,
        JSON.stringify({ Status: 'Failed', StandardOutputContent: '', StandardErrorContent: 'level=fatal msg="token rotate: 401 Unauthorized"' }),
      );
    world.cluster.token = parameter.value;
    s.token.server = parameter.value;
    world.cluster.rotations = [...(world.cluster.rotations ?? []), s.name];
    killIfAsked(world, `rotate ${s.name}`, finish, success('rotate-token rotated=now\n'));
    finish(0, success('rotate-token rotated=now\n'));
  }
  if (action === 'config') {
    // Someone applies a Kubernetes version change while the rotation writes the token files: the Plan gets a new hash.
    if (world.cluster.upgrade?.bumpOnConfig) {
      world.cluster.upgrade.plan.latestHash = world.cluster.upgrade.bumpOnConfig;
      delete world.cluster.upgrade.bumpOnConfig;
    }
    s.token.config = parameter.value;
    s.token.startedAfterConfig = false;
    killIfAsked(world, `config ${s.name}`, finish, success('rotate-token config=written\n'));
    finish(0, success('rotate-token config=written\n'));
  }
  if (action === 'restart') {
    const out = world.restartLease?.holderIdentity ? world.restartLease.annotations?.['rancher-ha-aws/out'] : undefined;
    world.cluster.tokenRestarts = [...(world.cluster.tokenRestarts ?? []), { server: s.name, out, whole }];
    s.ready = false;
    s.tokenRestart = world.cluster.restartLooks ?? 2;
    s.token.startedAfterConfig = true;
    killIfAsked(world, `restart ${s.name}`, finish, success('rotate-token restart=asked\n'));
    finish(0, success('rotate-token restart=asked\n'));
  }
}

/*
 * The secrets-encryption of an RKE2 cluster (`cluster.encryption`, per server `s.enc`), as RKE2 v1.35.7+rke2r1 runs
 * it through the k3s code it vendors (k3s pkg/server/handlers/secrets-encrypt.go and pkg/secretsencrypt/config.go):
 *   - each server's Node carries the annotation rke2.io/encryption-config-hash "<stage>-<sha256 of its encryption
 *     configuration file>", written by that server; here { stage, active } (the active key's name stands for the hash:
 *     the file changes exactly when its keys do);
 *   - `secrets-encrypt status` prints, from the server asked, "Encryption Status: Enabled", "Current Rotation Stage:
 *     <its own stage>", "Server Encryption Hashes: All hashes match" or "hash does not match between <first Node> and
 *     <Node>" (verifyEncryptionHashAnnotation compares every control-plane Node's annotation with the first's), and its
 *     own file's active key; it fails while the server's supervisor is down;
 *   - `rotate-keys` (encryptionRotateKeys) is refused unless every annotation matches and the server's own stage is
 *     start or reencrypt_finished; it then sets reencrypt_active, adds and puts first a new key, rewrites every Secret
 *     (`cluster.encryption.reencryptLooks` looks here), drops the old key, sets reencrypt_finished and saves the
 *     configuration into the datastore's bootstrap data (cluster.Save) - only then;
 *   - a restarted server takes the bootstrap data's configuration and annotation at its start (the other servers show
 *     stage start, hashes not matching, until they restart: rke2 tests/e2e/secretsencryption at v1.35.7+rke2r1). A
 *     server restarted before reencrypt_finished gets the old configuration back: it cannot read the Secrets the
 *     rewrite already put under the new key, and stays stale. Every restart is recorded with the stage of the
 *     server re-encrypting then (`during`).
 */
function encryptionStatusLine(world, s) {
  const enc = world.cluster.encryption;
  if (!enc) return 'rotate-encryption enabled=none stage=none active=none healthy=no hashes=none\n';
  if (!s.ready || s.encRestart !== undefined) return 'rotate-encryption enabled=unknown stage=unknown active=unknown healthy=no hashes=unknown\n';
  const whole = world.cluster.servers.every((x) => x.ready && x.member && !x.learner && x.nodePresent);
  const annotated = world.cluster.servers.filter((x) => x.enc);
  const first = annotated[0];
  const other = annotated.find((x) => `${x.enc.stage}-${x.enc.active}` !== `${first.enc.stage}-${first.enc.active}`);
  const hashes = other ? `hash does not match between ${first.node} and ${other.node}` : 'All hashes match';
  return `rotate-encryption enabled=yes stage=${s.enc.stage} active=${s.enc.active} healthy=${whole ? 'yes' : 'no'} hashes=${hashes}\n`;
}

/** The re-encryption goes on at every look; restarted servers come back with the datastore's configuration. */
function encryptionProgress(world) {
  const enc = world.cluster.encryption;
  if (!enc) return;
  for (const s of world.cluster.servers) {
    if (s.enc?.stage === 'reencrypt_active' && --enc.reencryptLooks <= 0) {
      s.enc.stage = 'reencrypt_finished';
      enc.saved = { ...s.enc };
    }
    if (s.encRestart === undefined || --s.encRestart > 0) continue;
    delete s.encRestart;
    if (world.cluster.neverBack === s.name) {
      delete world.cluster.neverBack;
      s.startFailed = 'hung';
      continue;
    }
    s.enc = { ...enc.saved };
    s.ready = true;
  }
}

function encryptionScript(world, s, action, key, finish) {
  const enc = world.cluster.encryption;
  const success = (out) => JSON.stringify({ Status: 'Success', StandardOutputContent: out, StandardErrorContent: '' });
  const failed = (code, out, err) => JSON.stringify({ Status: 'Failed', ResponseCode: code, StandardOutputContent: out, StandardErrorContent: err });
  const line = encryptionStatusLine(world, s);
  if (action === 'status') finish(0, success(line));
  if (action === 'rotate') {
    if (!/enabled=yes/.test(line)) finish(0, failed(3, `rotate-encryption refused=enabled ${/enabled=(\S+)/.exec(line)[1]}\n`, ''));
    if (s.enc.active !== key) finish(0, success('rotate-encryption rotated=already\n'));
    if (!['start', 'reencrypt_finished'].includes(s.enc.stage)) finish(0, failed(3, `rotate-encryption refused=stage ${s.enc.stage}\n`, ''));
    const hashes = /hashes=(.*)$/m.exec(line)[1];
    if (hashes !== 'All hashes match') finish(0, failed(3, `rotate-encryption refused=hashes ${hashes}\n`, ''));
    enc.rotations = [...(enc.rotations ?? []), s.name];
    enc.keys = (enc.keys ?? 1) + 1;
    s.enc = { stage: 'reencrypt_active', active: `aescbckey-2026-11-25T20:${String(enc.keys).padStart(2, '0')}:00Z` };
    enc.reencryptLooks = enc.reencryptLooksEach ?? 2;
    // Someone applies a Kubernetes version change while the re-encryption runs: the Plan gets a new hash.
    if (world.cluster.upgrade?.bumpOnRotateKeys) {
      world.cluster.upgrade.plan.latestHash = world.cluster.upgrade.bumpOnRotateKeys;
      delete world.cluster.upgrade.bumpOnRotateKeys;
    }
    killIfAsked(world, `rotate-keys ${s.name}`, finish, success('rotate-encryption rotated=now\n'));
    finish(0, success('rotate-encryption rotated=now\n'));
  }
  if (action === 'restart') {
    const out = world.restartLease?.holderIdentity ? world.restartLease.annotations?.['rancher-ha-aws/out'] : undefined;
    const whole = world.cluster.servers.every((x) => x.ready && x.member && !x.learner && x.nodePresent);
    const during = world.cluster.servers.find((x) => x.enc?.stage === 'reencrypt_active') ? 'reencrypt_active' : 'none';
    enc.restarts = [...(enc.restarts ?? []), { server: s.name, out, whole, during }];
    s.ready = false;
    s.encRestart = world.cluster.restartLooks ?? 2;
    killIfAsked(world, `restart ${s.name}`, finish, success('rotate-encryption restart=asked\n'));
    finish(0, success('rotate-encryption restart=asked\n'));
  }
}

module.exports = { kubectl, apply, plan, show, aws };
