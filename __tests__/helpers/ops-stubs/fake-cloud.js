#!/usr/bin/env node
// One stub for `terraform`, `aws` and `kubectl` (installed under those three
// names, first on PATH), acting on a fake world kept in $FAKE_WORLD/world.json:
// Terraform's state and configuration (the real cdk.tf.json of the module
// folder, with Terraform's override files merged), the AWS objects the
// operations touch, and a cluster of servers (Nodes, etcd members). Every call
// is appended to $FAKE_WORLD/calls.jsonl; after every call the world's
// invariants are checked and any violation is appended to
// $FAKE_WORLD/violations (the tests assert that file stays empty):
//   - never two servers down at once (not Ready, or not an etcd member);
//   - never a server marked out on the restart Lease while a server's timer runs the previous cert-renewal.sh;
//   - never snapshot data without its guards (a bucket holding objects whose
//     guard resources were deleted, or whose KMS key is scheduled for deletion).
// world.failures: { "<call prefix>": n } makes the next n matching calls fail (with world.failureMessages[prefix]).
'use strict';
// The caller the call's signal hooks signal: the process that started it, or, for a call the fake AWS endpoint runs
// for an SDK request (fake-aws-endpoint/world-stubs.ts), the CLI run that sent it (FAKE_CALLER_PID).
const callerPid = () => Number(process.env.FAKE_CALLER_PID || process.ppid);
const { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync, writeSync } = require('node:fs');
const { basename, join } = require('node:path');

const dir = process.env.FAKE_WORLD;
const tool = basename(process.argv[1]);
const args = process.argv.slice(2);
const worldFile = join(dir, 'world.json');

// One call at a time acts on the world, as one API server orders its writes: the operations run some calls beside
// others (the roll renews its Leases on a timer while a drain or an apply runs), and two stubs reading and writing
// world.json at once would lose one's changes. The lock is a directory that appears whole, holding its owner (a
// directory of this call's own, renamed into place: a rename onto an existing directory fails, so one call wins, and
// no reader ever sees the lock without its owner). Only its owner lets it go; a lock whose owner process has died (a
// stub killed by SIGKILL) is taken over. A live owner is never robbed, however long it holds the lock: taking a lock
// by its age, as this stub once did, let a call's write be lost on a loaded machine (two calls acting at once).
const lockDir = join(dir, 'world.lock');
// This call's mark: its process (the stub server runs a call with its caller's pid, a process alive while the call runs).
const owner = `${process.pid} ${Math.random().toString(36).slice(2)}`;

// A long `terraform apply` (the replace of a server takes up to 45 minutes): with the file `apply-outlasts-lease`
// (a number K), the apply does not finish before the roll has written K more Lease renewals, which it can only do
// while the apply runs if it renews on a timer during its steps. Bounded by the work seen, not by a time: past
// 60 s without them the apply goes on and the missing renewals are a violation.
if (tool === 'terraform' && args[0] === 'apply' && existsSync(join(dir, 'apply-outlasts-lease'))) {
  const wanted = Number(readFileSync(join(dir, 'apply-outlasts-lease'), 'utf8'));
  const writes = () => {
    try {
      return JSON.parse(readFileSync(worldFile, 'utf8')).leaseWrites ?? 0;
    } catch {
      return undefined; // read while another call wrote it
    }
  };
  // The count and the mark in one step under the world's lock, as every call logs itself and writes the world under
  // it: a renewal is then either before both or after both (without the lock, one logged before the mark but counted
  // after it left the test one renewal short on a busy machine).
  lock();
  const start = writes() ?? 0;
  appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ tool, args: ['(apply running)'], cwd: process.cwd() })}\n`);
  unlock();
  const deadline = Date.now() + 60_000;
  while (!((writes() ?? start) >= start + wanted) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  if ((writes() ?? start) < start + wanted) appendFileSync(join(dir, 'violations'), `no ${wanted} Lease renewals while the apply ran\n`);
}
/** The owner written in the lock, or undefined when there is no lock. */
function lockOwner() {
  try {
    return readFileSync(join(lockDir, 'owner'), 'utf8');
  } catch {
    return undefined;
  }
}
/** Whether a process runs (a zombie, killed and not yet reaped, does not). */
function alive(pid) {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
/**
 * Removes a lock directory, if there is one: its one file (the owner) and itself. rmSync's recursive walk (lstat,
 * readdir, then each entry) was a tenth of a call's cost in the stub server, which takes and lets go the lock per call.
 */
function removeLock(path) {
  for (const remove of [() => unlinkSync(join(path, 'owner')), () => rmdirSync(path)]) {
    try {
      remove();
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
}
/** Takes the world's lock (again, after a call that let it go while it waited: fake-drill.js). */
function lock() {
  const mine = `${lockDir}.${process.pid}`;
  removeLock(mine);
  mkdirSync(mine);
  writeFileSync(join(mine, 'owner'), owner);
  // Bounded by looks (each 2 ms or more): a live call that keeps the lock this long is a mistake of a stub, said as one.
  for (let looks = 0; ; looks++) {
    try {
      renameSync(mine, lockDir);
      return;
    } catch (error) {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    }
    const held = lockOwner();
    if (held !== undefined && !alive(held.split(' ')[0])) {
      // Its owner died holding it: moved aside whole (one taker wins the rename), then looked at again, since a live
      // call may have taken the lock between the look above and the move; that one is put back.
      const aside = `${lockDir}.dead.${process.pid}`;
      try {
        renameSync(lockDir, aside);
        if (readFileSync(join(aside, 'owner'), 'utf8') !== held) renameSync(aside, lockDir);
      } catch {
        // Another call moved it first.
      }
      removeLock(aside);
      continue;
    }
    if (looks === 60_000) {
      removeLock(mine);
      const text = `${tool} ${args.join(' ')}: the world's lock stayed with a live call (${held}) for 60,000 looks`;
      appendFileSync(join(dir, 'violations'), `${text}\n`);
      throw new Error(text);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
}
/** Lets the world's lock go, if this call holds it (never another call's lock: that would let two calls act at once). */
function unlock() {
  if (lockOwner() !== owner) return;
  // Moved aside whole first, then removed: removing it in place empties it before its rmdir, and a contender's
  // rename onto the empty directory succeeds in between (POSIX rename replaces an empty directory), so the rmdir
  // failed with ENOTEMPTY and the new owner's lock was left half removed.
  const freed = `${lockDir}.free.${process.pid}`;
  renameSync(lockDir, freed);
  removeLock(freed);
}
lock();
process.on('exit', unlock);
// In the stub server, the world parsed by top-level key as the call reads it (stub-server.js worldByKey): a call
// that reads the cluster does not parse the state, and what it changed is told from the keys it read.
const byKey = process.stubServerWorld?.(worldFile);
// The world's text as read, to tell a call that changed nothing (most calls only read: a get, a state pull, a show),
// which then writes nothing.
let worldText = byKey ? undefined : readFileSync(worldFile, 'utf8');
const world = byKey ? byKey.world : JSON.parse(worldText);
// The drill (fake-drill.js): the throwaway deployment's module folder has a state of its own (world.drill.state);
// production's folder keeps world.state.
// An acceptance run's own module folder (fake-acceptance.js) keeps world.state too; the drill it runs has its throwaway.
const acceptanceFolder = world.acceptance !== undefined && /acceptance\.out\/[a-z0-9]+\/cdktf\.out\/stacks\/[a-z0-9-]+$/.test(process.cwd());
// The acceptance run's downstream module (fake-acceptance.js) keeps world.acceptance.downstream: not the drill's.
const downstreamFolder = world.acceptance !== undefined && /acceptance\.out\/[a-z0-9]+\/downstream$/.test(process.cwd());
// docker's migrate phase: the rke-ha deployment it moves to keeps world.acceptance.migrate.state (fake-acceptance.js).
const migrateFolder = world.acceptance !== undefined && /acceptance\.out\/[a-z0-9]+\/migrate\/cdktf\.out\/stacks\/rke-ha$/.test(process.cwd());
// A failback's module (fake-failback.js) acts on production's state: not a throwaway.
// The acceptance run's failback (acceptance.out/<run id>/failback/...) is found by its folder's pattern: its run id is the run's.
const failbackFolder =
  world.failback !== undefined &&
  (process.cwd() === world.failback.dir || /acceptance\.out\/[a-z0-9]+\/failback\/cdktf\.out\/stacks\/rke-ha$/.test(process.cwd()));
const throwawayFolder =
  tool === 'terraform' &&
  world.drill !== undefined &&
  process.cwd() !== world.drill.productionDir &&
  !failbackFolder &&
  !acceptanceFolder &&
  !downstreamFolder &&
  !migrateFolder;
/** The state of the folder this call runs in, in place in world.state while it runs. */
function useFolderState() {
  if (tool === 'terraform' && migrateFolder) {
    world.productionState = world.state;
    world.state = world.acceptance.migrate?.state ?? { version: 4, serial: 0, lineage: 'migrate', outputs: {}, resources: [] };
    return;
  }
  if (!throwawayFolder) return;
  world.productionState = world.state;
  world.state = world.drill.state ?? { version: 4, serial: 0, lineage: 'drill', outputs: {}, resources: [] };
}
useFolderState();
/** Reads the world again (after the lock was let go and taken again). */
function reload() {
  if (byKey) {
    byKey.reload();
    worldText = undefined;
    useFolderState();
    return;
  }
  worldText = readFileSync(worldFile, 'utf8');
  const fresh = JSON.parse(worldText);
  for (const key of Object.keys(world)) delete world[key];
  Object.assign(world, fresh);
  useFolderState();
}
// A request of the fake world's Kubernetes API (stub-server.js) is logged as itself, with the call it runs as.
appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ ...(process.stubServerLogged ?? { tool, args }), cwd: process.cwd() })}\n`);
// A measurement's tally (FAKE_CLOUD_CALL_TALLY, a file: one line per call, its tool), for a call run as its own node
// stub; the stub server tallies the calls it runs (stub-server.js run), where the caller's environment is not read.
if (!process.stubServerWorld && process.env.FAKE_CLOUD_CALL_TALLY) appendFileSync(process.env.FAKE_CLOUD_CALL_TALLY, `${tool}\n`);

/** Writes the world; with `unlock`, lets the next call act (a stub about to be killed by the signal it sends). */
function save(release = false) {
  let written = world;
  if (tool === 'terraform' && migrateFolder) {
    const { productionState, ...rest } = world;
    written = { ...rest, state: productionState, acceptance: { ...world.acceptance, migrate: { ...world.acceptance.migrate, state: world.state } } };
    writeFileSync(join(process.cwd(), 'terraform.rke-ha.tfstate'), JSON.stringify(world.state));
  } else if (throwawayFolder) {
    const { productionState, ...rest } = world;
    written = { ...rest, state: productionState, drill: { ...world.drill, state: world.state } };
    // The throwaway's backend is a local file beside its module: the drill reads it there.
    writeFileSync(join(process.cwd(), 'terraform.rke-ha.tfstate'), JSON.stringify(world.state));
  }
  // Written beside, then renamed over: a reader (the test, after the caller was killed; a stub whose lock lapsed)
  // sees the old world or the new one, never half of one. Without indentation: every call writes it whole, and the
  // indented world was 40% larger (no reader looks at its layout; stub-server.js's looks match either). A world this
  // call did not change is not written: the write of a world's hundreds of KB was most of a call's cost in the stub
  // server, and a file left alone keeps its identity, so the server's cached text stays good.
  // In the stub server, a world that is this call's own (not another folder's state put back) is compared by the keys
  // the call read (byKey.changed: the text when it changed, else undefined).
  let text;
  if (byKey && written === world) text = byKey.changed();
  else {
    const whole = JSON.stringify(written);
    if (whole !== (worldText ?? byKey.text())) text = whole;
  }
  if (text !== undefined) {
    writeFileSync(`${worldFile}.${process.pid}`, text);
    renameSync(`${worldFile}.${process.pid}`, worldFile);
    worldText = text;
  }
  if (release) unlock();
}
/** Ends the call: invariants checked, the world saved, the answer written; `after` runs last (a kill of the caller). */
function finish(code, stdout = '', stderr = '', after = undefined) {
  checkInvariants();
  save();
  // Written whole before the exit: process.stdout.write to a pipe may still be queued when process.exit runs,
  // and a `terraform show -json` of a large state (hundreds of KB) then arrives cut.
  writeAll(1, stdout);
  writeAll(2, stderr);
  unlock();
  if (after) after();
  process.exit(code);
}
/** writeSync until every byte is out (a pipe the reader has not drained answers EAGAIN). */
function writeAll(fd, text) {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length;) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}
const json = (value) => `${JSON.stringify(value, null, 1)}\n`;
const line = `${tool} ${args.join(' ')}`;

// Injected failures, by call prefix.
for (const [prefix, count] of Object.entries(world.failures ?? {})) {
  if (count > 0 && line.startsWith(prefix)) {
    world.failures[prefix] = count - 1;
    finish(1, '', world.failureMessages?.[prefix] ?? `injected failure of '${prefix}'\n`);
  }
}

/** Appends a violation, with the number of the call that saw it (its line in calls.jsonl, appended under the lock). */
function violation(text) {
  const call = readFileSync(join(dir, 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  appendFileSync(join(dir, 'violations'), `${call} ${line}: ${text}\n`);
}

function checkInvariants() {
  const cluster = world.cluster;
  // A deployment whose every server was destroyed (a teardown) has no quorum left to keep.
  if (cluster && cluster.servers && !cluster.servers.every((s) => s.gone)) {
    const down = cluster.servers.filter((s) => !s.ready || !s.member || s.learner);
    if (down.length > 1) violation(`two servers down at once: ${down.map((s) => s.name).join(', ')}`);
    // The transition roll (cli/shared/renewal-transition.ts): a server out while a server's timer runs the previous
    // cert-renewal.sh, whose rule takes a stale Lease by age whatever it marks (issue 32's race, live again).
    const out = world.restartLease?.holderIdentity && world.restartLease.annotations?.['rancher-ha-aws/out'];
    const old = cluster.servers.filter((s) => s.renewalScript !== undefined && !s.timerStopped && s.nodePresent);
    if (out && old.length > 0) violation(`${out} marked out while ${old.map((s) => s.name).join(', ')} run the previous renewal timer`);
  }
  for (const [name, bucket] of Object.entries(world.aws?.buckets ?? {})) {
    if (!bucket.exists || bucket.objects.length === 0) continue;
    if (!bucket.guarded) violation(`bucket ${name} holds ${bucket.objects.length} objects without its guards`);
    const key = bucket.key && world.aws.keys[bucket.key];
    if (key && key.state !== 'Enabled') violation(`bucket ${name} holds objects under KMS key ${bucket.key}, which is ${key.state}`);
  }
}

// ---------------------------------------------------------------- terraform
const BUCKET_GUARDS = ['aws_s3_bucket_public_access_block', 'aws_s3_bucket_policy', 'aws_s3_bucket_server_side_encryption_configuration'];

function address(r, instance) {
  const key = instance.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`;
  return `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}${key}`;
}

/** The module's configuration as Terraform would read it: cdk.tf.json with the override files merged (lifecycle per argument). */
function configuration() {
  const config = JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8'));
  for (const file of require('node:fs').readdirSync(process.cwd())) {
    if (!/(^|_)override\.tf\.json$/.test(file)) continue;
    const override = JSON.parse(readFileSync(join(process.cwd(), file), 'utf8'));
    for (const [type, byName] of Object.entries(override.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const target = config.resource?.[type]?.[name];
        if (!target) finish(1, '', `Error: Missing resource to override: ${type}.${name} in ${file}\n`);
        target.lifecycle = { ...target.lifecycle, ...body.lifecycle };
      }
    }
  }
  return config;
}

/** What fake-drill.js acts with. */
/**
 * A long call (an apply) that signals its caller and goes on as terraform would: it sends `signal`, lets the world go
 * (the caller's teardown may act on it meanwhile) and waits for the SIGINT the caller forwards, bounded by looks, not
 * a time of day (3,000 looks 20 ms apart); then it takes the world again and `stopped(interrupted)` ends the call.
 * After a SIGKILL the caller is gone and forwards nothing: `killed`, when given, ends the call at once (terraform
 * runs in a process group of its own and finishes its apply).
 */
function interruptCaller(signal, stopped, killed) {
  // Listening before the caller is signalled: its SIGINT may come at once.
  let interrupted = false;
  process.on('SIGINT', () => (interrupted = true));
  save(true);
  process.kill(callerPid(), signal);
  if (signal === 'SIGKILL' && killed) {
    lock();
    reload();
    killed();
  }
  let looks = 0;
  const timer = setInterval(() => {
    if (!interrupted && ++looks < 3000) return;
    clearInterval(timer);
    lock();
    reload();
    stopped(interrupted);
  }, 20);
}

const drillContext = () => ({ world, dir, tool, args, line, finish, save, lock, reload, option, awsError, destroy, interruptCaller });
/**
 * The acceptance run's calls (fake-acceptance.js; 'generic': one of the calls below answers it), then the drill's
 * (fake-drill.js); false when the call is none of theirs.
 */
const drill = () => {
  if (world.acceptance !== undefined) {
    const handled = require(join(__dirname, 'fake-acceptance.js'))[tool](drillContext());
    if (handled === 'generic') return false;
    if (handled) return true;
  }
  return world.drill !== undefined && require(join(__dirname, 'fake-drill.js'))[tool](drillContext());
};

function terraform() {
  if (drill()) return;
  const state = world.state;
  const [command, ...rest] = args;
  if (command === 'state' && rest[0] === 'pull') finish(0, json(state));
  if (command === 'state' && rest[0] === 'list') finish(0, state.resources.flatMap((r) => r.instances.map((i) => address(r, i))).join('\n') + '\n');
  if (command === 'state' && rest[0] === 'rm') {
    const targets = rest.slice(1).filter((a) => !a.startsWith('-'));
    for (const target of targets) {
      const before = state.resources.length;
      state.resources = state.resources.filter((r) => address(r, r.instances[0]) !== target);
      if (state.resources.length === before) finish(1, '', `Error: Invalid target address\n\nNo matching objects found for ${target}.\n`);
    }
    finish(0, `Removed ${targets.length} objects.\n`);
  }
  if (command === 'output') {
    const name = rest.filter((a) => !a.startsWith('-'))[0];
    const output =
      state.outputs?.[name] ?? (name === 'servers_pending_replacement' && world.pending !== undefined ? { value: world.pending } : undefined);
    if (!output) finish(1, '', `Error: Output "${name}" not found\n`);
    finish(0, json(output.value));
  }
  if (command === 'apply' && rest.includes('-destroy')) destroy(rest);
  if (command === 'apply') apply(rest);
  if ((command === 'plan' || command === 'show') && world.roll)
    return require(join(__dirname, 'fake-roll.js'))[command](world, rest, finish, configuration);
  finish(1, '', `fake terraform: unexpected call: ${line}\n`);
}

function destroy(flags) {
  const state = world.state;
  const refresh = !flags.includes('-refresh=false');
  const live = state.resources.filter((r) => r.mode === 'managed');
  const inCluster = live.filter((r) => /^(helm|kubernetes|rancher2)_/.test(r.type));
  // The refresh reads every data source and in-cluster resource: an API or Rancher that is down aborts it.
  if (refresh && world.cluster && !world.cluster.apiUp && (inCluster.length > 0 || state.resources.some((r) => r.type === 'http'))) {
    finish(1, '', 'Error: Get "https://rancher.example.com:6443/readyz": dial tcp: connection refused\n');
  }
  const config = configuration();
  const guarded = live.filter((r) => config.resource?.[r.type]?.[r.name]?.lifecycle?.prevent_destroy === true);
  if (guarded.length > 0) {
    finish(
      1,
      '',
      guarded.map((r) => `Error: Instance cannot be destroyed\n\nResource ${r.type}.${r.name} has lifecycle.prevent_destroy set\n`).join('\n'),
    );
  }
  // In dependency order, roughly: the cluster's objects, then the rest, load balancers, databases, buckets' guards, buckets, keys.
  const rank = (r) =>
    /^(helm|kubernetes|rancher2)_/.test(r.type)
      ? 0
      : r.type === 'aws_lb'
        ? 2
        : r.type === 'aws_db_instance'
          ? 3
          : r.type.startsWith('aws_s3_bucket_')
            ? 4
            : r.type === 'aws_s3_bucket'
              ? 5
              : r.type === 'aws_kms_key'
                ? 6
                : 1;
  const order = [...live].sort((a, b) => rank(a) - rank(b));
  let deleted = 0;
  for (const r of order) {
    if (world.interruptDestroyAfter !== undefined && deleted >= world.interruptDestroyAfter) {
      delete world.interruptDestroyAfter;
      finish(130, '', 'Interrupt received. Gracefully shutting down...\n');
    }
    const failure = deleteResource(r);
    if (failure) finish(1, '', `Error: deleting ${r.type}.${r.name}: ${failure}\n`);
    state.resources = state.resources.filter((x) => x !== r);
    deleted++;
  }
  // As Terraform does once every managed object is gone: the data sources and outputs go too.
  state.resources = [];
  state.outputs = {};
  finish(0, `Destroy complete! Resources: ${deleted} destroyed.\n`);
}

/** The AWS side of deleting one resource; a message when AWS refuses. */
function deleteResource(r) {
  const a = r.instances[0].attributes;
  const aws = world.aws;
  if (/^(helm|kubernetes|rancher2)_/.test(r.type) && world.cluster && !world.cluster.apiUp) return 'connection refused (the API is down)';
  if (r.type === 'aws_lb' && aws.lbs[a.arn]) {
    if (aws.lbs[a.arn].protection) return 'OperationNotPermitted: Load balancer cannot be deleted because deletion protection is enabled';
    delete aws.lbs[a.arn];
  }
  if (r.type === 'aws_db_instance' && aws.dbs[a.identifier]) {
    if (aws.dbs[a.identifier].protection) return 'InvalidParameterCombination: Cannot delete protected DB Instance';
    aws.finalDbSnapshots.push(a.final_snapshot_identifier);
    delete aws.dbs[a.identifier];
  }
  if (BUCKET_GUARDS.includes(r.type) && aws.buckets[a.bucket]) aws.buckets[a.bucket].guarded = false;
  if (r.type === 'aws_s3_bucket' && aws.buckets[a.bucket]?.exists) {
    if (aws.buckets[a.bucket].objects.length > 0 && !a.force_destroy) return 'BucketNotEmpty: The bucket you tried to delete is not empty';
    aws.buckets[a.bucket].exists = false;
  }
  if (r.type === 'aws_kms_key' && aws.keys[a.key_id]) aws.keys[a.key_id].state = 'PendingDeletion';
  if (r.type === 'aws_cloudwatch_log_group' && aws.logGroups[a.name]) aws.logGroups[a.name].exists = false;
  // A parameter of the module's (production's copy of the cluster token in the standby region, `standby-token`) is
  // deleted in its provider's region, its ARN's (terraform-provider-aws' aws_ssm_parameter deletes with SSM
  // DeleteParameter, whatever wrote its value since: `rotate token` overwrites it); the world's parameters without a
  // region are the world's region's (world-file.ts REGION), and one the world does not hold is nothing to delete.
  const parameter = r.type === 'aws_ssm_parameter' && aws.parameters?.[a.name];
  if (parameter && (parameter.region ?? 'eu-west-1') === String(a.arn ?? '').split(':')[3]) delete aws.parameters[a.name];
  if (r.type === 'aws_ebs_volume' && aws.volumes?.[a.id]) aws.volumes[a.id].push(`snap-final-${a.id}`);
  if (r.type === 'aws_instance' && world.cluster?.servers) {
    const server = world.cluster.servers.find((s) => s.instance === a.id);
    if (server) Object.assign(server, { ready: false, member: false, gone: true });
  }
  return undefined;
}

function apply(flags) {
  if (world.roll) return require(join(__dirname, 'fake-roll.js')).apply(world, flags, finish);
  finish(1, '', `fake terraform: unexpected apply: ${line}\n`);
}

// ---------------------------------------------------------------- aws
function option(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
function awsError(code, text) {
  finish(254, '', `\nAn error occurred (${code}) when calling the operation: ${text}\n`);
}

// Every command calls AWS through the SDK. The teardown's calls (load balancers, RDS, buckets, log groups, KMS keys,
// EBS snapshots) reach the fake AWS (helpers/fake-cloud-aws.ts), which reads and writes this world's AWS objects; the
// calls the roll's, the drill's and the acceptance run's stubs model (SSM Run Command, the roll's snapshot, the token
// parameter, the acceptance run's own) come here from the fake AWS endpoint, in the AWS CLI's words
// (fake-aws-endpoint/world-stubs.ts).
function aws() {
  if (drill()) return;
  if (!option('--region')) finish(252, '', 'You must specify a region.\n');
  if (world.roll) return require(join(__dirname, 'fake-roll.js')).aws(world, args, option, finish, awsError);
  return finish(1, '', `fake aws: unexpected call: ${line}\n`);
}

function kubectl() {
  if (drill()) return;
  if (world.roll) return require(join(__dirname, 'fake-roll.js')).kubectl(world, args, finish, save, { lock, reload });
  finish(1, '', `fake kubectl: unexpected call: ${line}\n`);
}

function curl() {
  if (drill()) return;
  finish(1, '', `fake curl: unexpected call: ${line}\n`);
}

({ terraform, aws, kubectl, curl })[tool]();
