// The drill's side of the fake world (required by fake-cloud.js when world.drill is set). world.drill holds:
//   productionDir    production's module folder (its terraform calls keep world.state; any other folder is the
//                    throwaway's, whose state fake-cloud.js keeps in world.drill.state)
//   applyState, applyAws   what a complete apply of the throwaway creates (its state; its AWS objects, merged in)
//   encryptionConfig the value TF_VAR_rancher_backup_restore_encryption_config must have in the throwaway's
//                    apply and destroy (Terraform asks for a variable without a default in both)
//   backupFile       the archive `s3api get-object` hands out for any key of production's backup bucket
//   backupBucket     production's backup bucket: any call that would change it is a violation
//   standby          --standby: { bucket, region }, the standby's copy of the backups (read only, as production's
//                    buckets) and its region, where every aws call of the drill must go (production's is not read)
//   restored         what the restored Rancher's API answers: counts per kind, and serverUrl
//   ping             'pong', or 'down' (curl cannot connect)
//   login            'refused': Rancher answers 401 to every login (else the drill's user logs in with its password)
//   user             kept by the stub: the drill's user as the drill created it ({ password } once its password
//                    Secret is made, { partial: true } before or without it), absent once deleted; binding: its
//                    GlobalRoleBinding made; userEvents: 'created' (the password made) and 'deleted' (the User), in order
//   applyFails       the apply creates half of the throwaway and fails (the restore did not complete)
//   signalAt         { phase, signal }: at the first call of that phase, the stub sends `signal` to its caller
//                    (the drill) and goes on as the real tool would: the apply waits for the drill's SIGINT and
//                    stops with half of the throwaway created (or, after a SIGKILL, runs to its end)
// With --etcd (world.drill.etcd set):
//   etcd.bucket      production's snapshot bucket: read only (listed, read, copied from)
//   etcd.token       production's cluster token: the value the throwaway's parameter must hold (world.aws.parameters)
//   etcd.denied      reading the snapshot fails as KMS refuses it to an identity that does not deploy production
//                    (helpers/drill-world.ts marks the snapshots unreadable for the fake AWS)
//   etcd.restore     'ok' or 'fails' (the script on the first server exits 1); etcd.restored: what it prints
//   etcd.stopped     instances stopped
// A failover (world.failover set: helpers/failover-world.ts): { primary: 'pong' | 'down' | 'other', primaryByName,
//                    primaryCa, servedCa, nameDown }: what curl meets at the hostname, which leads where Route 53's A
//                    record points, and at production's load balancer (failoverCurl); primaryByName: the primary at
//                    the hostname only, when it differs; nameDown: the standby does not answer by the name yet. standbyRancher: the
//                    replicas of Rancher's Deployment on a k8s-ha standby's cluster (3, the chart's default, until
//                    scaled; 'gone': no such Deployment), reached with the world's standby kubeconfig (standbyKubectl);
//                    unset again when an apply installs the Rancher release, kept when the state held it (create);
//                    while 0 or 'gone' the standby answers no /ping (failoverCurl).
//                    clusters: Rancher's management Clusters there once restored (`local` alone when unset);
//                    clustersRefused: 'Forbidden' or 'NotServed', their list refused (standbyClusters).
// Rancher's API (curl with --write-out): /v1-public/login for the drill's user, /v3/<kind> in pages of 3 with its
// token, /v3/settings/server-url. A password or token on a command line is a violation.
// Phases and their calls: synth (fake-synth.js), apply (terraform apply), ping (curl), login (the drill user's Rancher login),
// compare (its backup's S3 GetObject: the fake AWS endpoint's signalOnCall, helpers/drill-world.ts), teardown (terraform apply -destroy), restore (the restore's ssm send-command).
'use strict';
// The caller the call's signal hooks signal: the process that started it, or, for a call the fake AWS endpoint runs
// for an SDK request (fake-aws-endpoint/world-stubs.ts), the CLI run that sent it (FAKE_CALLER_PID).
const callerPid = () => Number(process.env.FAKE_CALLER_PID || process.ppid);
const { copyFileSync, existsSync, mkdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const regionLoss = require('./region-loss.js');
const { targetClosure, targetsOf } = require('./terraform-target.js');

const VARIABLE = 'rancher_backup_restore_encryption_config';

/** The phase's signal, once: taken out of the world when it fires. */
function signalFor(ctx, phase) {
  const at = ctx.world.drill.signalAt;
  if (!at || at.phase !== phase) return undefined;
  delete ctx.world.drill.signalAt;
  return at.signal;
}
const signalCaller = (signal) => () => process.kill(callerPid(), signal);

/**
 * Variables without a default must be given, in an apply as in a destroy (and -input=false asks nobody). An apply
 * restores with the restore's variable, so it must be production's configuration; a destroy only checks the
 * variable's validation (the module's: it names an EncryptionConfiguration) and reads the value nowhere (terraform
 * v1.11, tried: a destroy without the variable fails, with any value its validation passes it destroys).
 */
function requireVariables(ctx, destroy = false) {
  const config = JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8'));
  for (const [name, body] of Object.entries(config.variable ?? {})) {
    if (body.default !== undefined) continue;
    const value = process.env[`TF_VAR_${name}`];
    if (value === undefined) ctx.finish(1, '', `Error: No value for required variable\n\nThe root module input variable "${name}" is not set.\n`);
    if (name === VARIABLE && destroy && !value.includes('EncryptionConfiguration'))
      ctx.finish(1, '', `Error: Invalid value for variable\n\nExpected the YAML of an EncryptionConfiguration.\n`);
    if (name === VARIABLE && !destroy && value !== ctx.world.drill.encryptionConfig)
      ctx.finish(1, '', `Error: Invalid value for variable ${name}: not the configuration of production's backups\n`);
  }
}

/**
 * The throwaway's resources up to `fraction` of a complete apply: in its state, and their objects in AWS. With
 * `targeted` (the addresses a `-target` apply plans, terraform-target.js), what the state held and those alone.
 */
function create(ctx, fraction, targeted) {
  const { world } = ctx;
  const full = world.drill.applyState;
  const count = Math.ceil(full.resources.length * fraction);
  const held = new Set((world.state?.resources ?? []).map((r) => `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`));
  world.state = targeted
    ? {
        ...full,
        resources: full.resources.filter((r) => {
          const address = `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`;
          return held.has(address) || targeted.has(address);
        }),
        outputs: world.state?.outputs ?? {},
      }
    : { ...full, resources: full.resources.slice(0, count), outputs: fraction === 1 ? full.outputs : {} };
  // A failover's standby (world.failover): Rancher's Deployment is the chart's, made with its replicas (3, the
  // chart's default: standbyRancher unset) when this apply installs the Rancher release. A release the state held
  // already is unchanged (the same module applied again: a standby a failback kept), so Terraform plans no change of
  // it, Helm does not run and the Deployment stays as the cluster holds it: a quiesce's 0 replicas stay (Helm 3 would
  // patch them back on an upgrade, its three-way merge reading the live object, helm.sh FAQ "Improved Upgrade
  // Strategy"; the helm provider's plan compares the release Helm stored, never the live Deployment).
  const rancherRelease = (r) => r.mode === 'managed' && r.type === 'helm_release' && String(r.name).startsWith('rancher_release');
  if (world.failover && !held.has(`helm_release.${full.resources.find(rancherRelease)?.name}`) && world.state.resources.some(rancherRelease))
    delete world.failover.standbyRancher;
  const ids = new Set(
    world.state.resources.flatMap((r) => ['arn', 'bucket', 'key_id', 'identifier', 'name', 'id'].map((k) => r.instances[0].attributes[k])),
  );
  for (const [kind, objects] of Object.entries(world.drill.applyAws)) {
    if (Array.isArray(objects)) continue;
    for (const [id, object] of Object.entries(objects)) if (ids.has(id)) world.aws[kind][id] = object;
  }
}

/**
 * A failover's standby (world.failover): rancher-backup's operator on the standby's cluster, as the apply's restore Job
 * meets it (fake-failback.js restoreOf: the Restore the module renders). world.failover.restores: that cluster's
 * Restore objects by name ({ file, completed, prune }). The operator runs a Restore once (rancher/backup-restore-operator
 * v10.0.8 and v11, OnRestoreChange returns for an object with a restore completion time), and the Job
 * (lib/rancher/backup-objects.sh) fails at once on a completed Restore of its name that names another file: a standby
 * a failback kept holds the first failover's. A targeted apply (the pilot light) runs no Job.
 * world.failover.secretsPruned: the module's Secrets of the operator's namespace that a Restore with prune on deleted
 * (the chart's full resource set takes every Secret of the cattle- namespaces Helm does not own, rancher-backup chart
 * files/default/sensitive-resourceset-contents/rancher.yaml; production's file holds none of the standby's suffixed
 * ones). Terraform makes one again only when its plan sees it gone: a refresh (an apply without -refresh=false), or a
 * -replace of it (the kubernetes provider's delete of a Secret already gone succeeds); the state alone does not.
 */
function standbyRestore(ctx, targets) {
  const f = ctx.world.failover;
  if (!f || targets.length > 0) return;
  const { args } = ctx;
  if (f.secretsPruned) {
    const replaced = new Set(args.filter((a) => a.startsWith('-replace=')).map((a) => a.slice('-replace='.length)));
    f.secretsPruned = args.includes('-refresh=false') ? f.secretsPruned.filter((address) => !replaced.has(address)) : [];
    if (f.secretsPruned.length === 0) delete f.secretsPruned;
  }
  const restore = require(join(__dirname, 'fake-failback.js')).restoreOf();
  if (!restore) return;
  f.restores ??= {};
  const earlier = f.restores[restore.name];
  if (earlier?.completed && earlier.file !== restore.file)
    ctx.finish(
      1,
      '',
      `Error: job failed: restores.resources.cattle.io/${restore.name}: restored ${earlier.file} under this name, and not ${restore.file}: the operator runs a Restore once (give the restore a Restore object of its own)\n`,
    );
  if (earlier?.completed) return;
  f.restores[restore.name] = { file: restore.file, completed: true, prune: restore.prune };
  if (restore.prune) f.secretsPruned = backupSecrets();
}

/** The module's Secrets of the operator's namespace (lib/rancher/backup-objects.ts SECRET_BASES, with the suffix). */
function backupSecrets() {
  const config = JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8'));
  return Object.entries(config.resource?.kubernetes_secret_v1 ?? {})
    .filter(([, body]) => /^rancher-aws-(backup|restore)-[a-z0-9]+-\$\{random_id\./.test(String(body.metadata?.name)))
    .map(([name]) => `kubernetes_secret_v1.${name}`);
}

function terraform(ctx) {
  const { world, args } = ctx;
  // A failback (helpers/failback-world.ts): its module acts on production's state, and imports records back into it.
  // The acceptance run's failback folder (acceptance.out/<run id>/failback/...) by its pattern: its run id is the run's.
  const failbackDir =
    process.cwd() === world.failback?.dir || /acceptance\.out\/[a-z0-9]+\/failback\/cdktf\.out\/stacks\/rke-ha$/.test(process.cwd());
  if (world.failback && (failbackDir || (process.cwd() === world.drill.productionDir && args[0] === 'import')))
    return require(join(__dirname, 'fake-failback.js')).terraform(ctx);
  if (process.cwd() === world.drill.productionDir) {
    // Production is only ever read.
    if (!(args[0] === 'state' && args[1] === 'pull') && args[0] !== 'output')
      ctx.finish(1, '', `fake drill: production's folder must not see: ${ctx.line}\n`);
    // Its state in an S3 backend of a lost region (world.aws.regionLoss): not there to read (region-loss.js).
    const loss = world.aws?.regionLoss;
    const lost = loss && regionLoss.stateUnreachable(loss, JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8')));
    if (lost) ctx.finish(1, '', lost);
    return false;
  }
  const [command] = args;
  if (command === 'init') {
    mkdirSync(join(process.cwd(), '.terraform'), { recursive: true });
    ctx.finish(0, 'Terraform has been successfully initialized!\n');
  }
  if (!existsSync(join(process.cwd(), '.terraform'))) ctx.finish(1, '', 'Error: Backend initialization required, please run "terraform init"\n');
  if (command === 'apply' && args.includes('-destroy')) {
    requireVariables(ctx, true);
    // The teardown goes on: a signal reaches the drill once the destroy is done (a SIGKILL ends it, not the destroy).
    const signal = signalFor(ctx, 'teardown');
    if (signal) signalCaller(signal)();
    // The cluster goes with the throwaway, and whatever the drill made in it (its user, left by a killed drill).
    delete world.drill.user;
    delete world.drill.binding;
    // rke-ha's standby: its cluster goes, and its Restore objects with it (k8s-ha's is the person's: they stay).
    if (world.failover && world.drill.synthStack !== 'k8s-ha') delete world.failover.restores;
    ctx.destroy(args);
  }
  if (command === 'apply') {
    requireVariables(ctx);
    // A region lost (world.aws.regionLoss): what the module reads or creates through a lost endpoint fails, each as
    // Terraform reports it (region-loss.js); the apply stops with nothing created (Terraform would have made what
    // needs none of them first: not modelled).
    const loss = world.aws?.regionLoss;
    const denied = !loss
      ? []
      : regionLoss.deniedResources(
          loss,
          JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8')),
          new Set((world.state?.resources ?? []).map((r) => `${r.type}.${r.name}`)),
          { args, env: process.env },
        );
    if (denied.length > 0) ctx.finish(1, '', `${denied.map((d) => d.message).join('\n\n')}\n`);
    standbyRestore(ctx, targetsOf(args));
    if (world.drill.applyFails) {
      create(ctx, 0.5);
      ctx.finish(1, '', 'Error: job rancher-aws-migration-restore failed: the Restore did not complete\n');
    }
    // A targeted apply (the standby's pilot light): the targets and what they depend on, as Terraform plans them.
    const targets = targetsOf(args);
    if (targets.length > 0) {
      create(ctx, 1, targetClosure(JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8')), targets));
      ctx.finish(0, 'Warning: Resource targeting is in effect\n\nApply complete!\n');
    }
    const signal = signalFor(ctx, 'apply');
    if (!signal) {
      create(ctx, 1);
      ctx.finish(0, 'Apply complete!\n');
    }
    // As terraform does on SIGINT: the operations in flight end, the state is saved, exit 1.
    ctx.interruptCaller(
      signal,
      (interrupted) => {
        create(ctx, 0.5);
        if (!interrupted) ctx.finish(1, '', 'fake drill: the drill never sent SIGINT to the apply\n');
        ctx.finish(1, '', 'Interrupt received.\nPlease wait for Terraform to exit or data loss may occur.\nGracefully shutting down...\n');
      },
      () => {
        create(ctx, 1);
        ctx.finish(0, 'Apply complete!\n');
      },
    );
    return true;
  }
  return false;
}

const DRILL_USER = 'rancher-ha-aws-drill';
const PASSWORDS = 'cattle-local-user-passwords';
const notFound = (ctx, what) => ctx.finish(1, '', `Error from server (NotFound): ${what} not found\n`);

/**
 * The standby's cluster after a failover (rke-ha's, through its state's kubeconfig output; k8s-ha's, the person's,
 * through the kubeconfig its settings name), in the standby region: Rancher's Deployment read and scaled, as the
 * failback stops it (rancher-deployment.js), and rancher-backup's operator (standbyBackups).
 */
function standbyKubectl(ctx) {
  const { world, args } = ctx;
  const f = world.failover;
  if (!f) ctx.finish(1, '', 'fake drill: a standby cluster without a failover\n');
  const rest = args.slice(args.indexOf('--request-timeout=30s') + 1).join(' ');
  // world.drill.signalAt { phase: 'quiesce-scale', signal }: the scale to 0 done, the failback is sent `signal`.
  const scaleSignal = rest === '-n cattle-system scale deployment rancher --replicas=0' ? signalFor(ctx, 'quiesce-scale') : undefined;
  if (scaleSignal) {
    f.standbyRancher = 0;
    ctx.finish(0, 'deployment.apps/rancher scaled\n', '', signalCaller(scaleSignal));
  }
  // world.drill.signalAt { phase: 'failover-scale', signal }: the failover's scale of a kept standby's Rancher back up done, the failover is sent `signal`.
  const startSignal = /^-n cattle-system scale deployment rancher --replicas=[1-9]\d*$/.test(rest) ? signalFor(ctx, 'failover-scale') : undefined;
  if (startSignal) {
    f.standbyRancher = Number(rest.split('=').pop());
    ctx.finish(0, 'deployment.apps/rancher scaled\n', '', signalCaller(startSignal));
  }
  require('./rancher-deployment.js').rancherDeployment(ctx, rest, f, 'standbyRancher');
  standbyBackups(ctx, rest);
  standbyClusters(ctx, rest);
  ctx.finish(1, '', `fake drill: unexpected kubectl on the standby's cluster: ${rest}\n`);
}

/**
 * Rancher's management Clusters (clusters.management.cattle.io/v3, cluster-scoped) on the standby's cluster, as the
 * restore brought them back: world.failover.clusters, the objects (unset: `local` alone, which every Rancher has), listed
 * as the API server answers a list, kind ClusterList with the items. world.failover.clustersRefused: the list refused
 * by the API server's authorizer (403 Forbidden, its message as the RBAC authorizer words it); 'NotServed': no Rancher
 * CRDs on the cluster (kubectl's "doesn't have a resource type", the API server's 404).
 */
function standbyClusters(ctx, rest) {
  const f = ctx.world.failover;
  if (rest !== 'get clusters.management.cattle.io -o json') return;
  if (f.clustersRefused === 'NotServed') ctx.finish(1, '', 'error: the server doesn\'t have a resource type "clusters.management.cattle.io"\n');
  if (f.clustersRefused)
    ctx.finish(
      1,
      '',
      `Error from server (Forbidden): clusters.management.cattle.io is forbidden: User "system:serviceaccount:default:limited" cannot list resource "clusters" in API group "management.cattle.io" at the cluster scope\n`,
    );
  const items = f.clusters ?? [{ apiVersion: 'management.cattle.io/v3', kind: 'Cluster', metadata: { name: 'local' }, status: { driver: 'rke2' } }];
  ctx.finish(0, JSON.stringify({ apiVersion: 'management.cattle.io/v3', kind: 'ClusterList', metadata: { resourceVersion: '1' }, items }));
}

/**
 * rancher-backup's operator on the standby's cluster (rancher/backup-restore-operator, pkg/controllers/backup/
 * controller.go), its Backups (resources.cattle.io/v1, cluster-scoped) as the API server keeps them
 * (world.failover.backups by name): the scheduled one (`rancher-aws-scheduled`, the chart's values of
 * lib/rancher/backup-objects.ts: an encryption config, so `.tar.gz.enc` files); a create of a name that exists is
 * AlreadyExists; the operator acts on a created Backup once, at the first look after its create (never before: the
 * file does not exist until the Backup does): it uploads the file to the standby's bucket (its state's
 * rancher_backup_bucket) under `rancher/<name>-<kube-system uid>-<time>.tar.gz.enc` and names it in
 * `status.filename`; with world.failover.backupFails (the operator's error, e.g. AccessDenied on the bucket) it sets
 * the Reconciling condition True with reason Error and that message instead, on every retry. The file holds what the
 * standby held when the operator ran: `rancherReplicas`, Rancher's replicas then, is kept on the object, so a restore
 * of a file taken while Rancher ran (and wrote after it) is told from one taken once it stopped (fake-failback.js
 * `writesLost`).
 */
function standbyBackups(ctx, rest) {
  const { world } = ctx;
  const f = world.failover;
  f.backups ??= {};
  const notFound = (name) => ctx.finish(1, '', `Error from server (NotFound): backups.resources.cattle.io "${name}" not found\n`);
  if (rest === 'get backups.resources.cattle.io rancher-aws-scheduled -o json')
    ctx.finish(
      0,
      JSON.stringify({
        apiVersion: 'resources.cattle.io/v1',
        kind: 'Backup',
        metadata: { name: 'rancher-aws-scheduled' },
        spec: {
          resourceSetName: 'rancher-resource-set-full',
          schedule: '0 */6 * * *',
          retentionCount: 28,
          encryptionConfigSecretName: 'backup-encryption',
          storageLocation: { s3: { bucketName: world.drill.state?.outputs?.rancher_backup_bucket?.value, folder: 'rancher' } },
        },
      }),
    );
  if (rest === 'create -f - -o json') {
    const backup = JSON.parse(readFileSync(0, 'utf8'));
    if (backup.kind !== 'Backup') ctx.finish(1, '', `fake drill: unexpected create on the standby's cluster: ${backup.kind}\n`);
    if (backup.spec?.schedule !== undefined) ctx.finish(1, '', 'fake drill: a one-time Backup has no schedule\n');
    const name = backup.metadata.name;
    if (f.backups[name])
      ctx.finish(1, '', `Error from server (AlreadyExists): error when creating "STDIN": backups.resources.cattle.io "${name}" already exists\n`);
    f.backups[name] = { spec: backup.spec };
    // world.drill.signalAt { phase: 'quiesce-backup', signal }: the Backup created, the failback is sent `signal`.
    const signal = signalFor(ctx, 'quiesce-backup');
    ctx.finish(
      0,
      JSON.stringify({ ...backup, metadata: { ...backup.metadata, uid: `uid-${name}`, resourceVersion: '1' } }),
      '',
      signal ? signalCaller(signal) : undefined,
    );
  }
  const read = /^get backups\.resources\.cattle\.io (\S+) -o json$/.exec(rest)?.[1];
  if (read) {
    const backup = f.backups[read];
    if (!backup) notFound(read);
    if (!backup.status) {
      if (f.backupFails)
        backup.status = {
          conditions: [
            { type: 'Reconciling', status: 'True', reason: 'Error', message: f.backupFails },
            { type: 'Ready', status: 'Unknown', message: 'Retrying' },
          ],
        };
      else {
        const now = new Date();
        const file = `${read}-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-${now
          .toISOString()
          .replace(/:/g, '-')
          .replace(/\.\d+Z$/, 'Z')}.tar.gz.enc`;
        const bucket = world.drill.state.outputs.rancher_backup_bucket.value;
        world.aws.buckets[bucket].objects.push({
          key: `rancher/${file}`,
          version: `b${Object.keys(f.backups).length}`,
          lastModified: now.toISOString(),
          size: 1400,
          ...(world.drill.backupFile ? { body: world.drill.backupFile } : {}),
          rancherReplicas: f.standbyRancher ?? 3,
        });
        backup.status = { filename: file, conditions: [{ type: 'Ready', status: 'True', message: 'Completed' }] };
      }
    }
    ctx.finish(
      0,
      JSON.stringify({ apiVersion: 'resources.cattle.io/v1', kind: 'Backup', metadata: { name: read }, spec: backup.spec, status: backup.status }),
    );
  }
}

/**
 * The drill's calls on its throwaway. They come as requests of the world's Kubernetes API (stub-server.js KUBE_ROUTES),
 * each run as the kubectl call it stands for, through the throwaway's kubeconfig (the world's drill cluster); a
 * kubectl process must hold the throwaway's kubeconfig file.
 */
function kubectl(ctx) {
  const { world, args } = ctx;
  const kubeconfig = args[args.indexOf('--kubeconfig') + 1];
  if (kubeconfig === "(the fake world's standby kubeconfig)") return standbyKubectl(ctx);
  const expected = world.drill.state?.outputs?.kubeconfig?.value;
  const throughApi = kubeconfig === "(the fake world's drill kubeconfig)";
  if (!expected || !(throughApi || (existsSync(kubeconfig) && readFileSync(kubeconfig, 'utf8') === expected)))
    ctx.finish(1, '', "fake drill: kubectl without the throwaway's kubeconfig\n");
  const rest = args.slice(args.indexOf('--request-timeout=30s') + 1).join(' ');
  if (rest === '-n cattle-system get secret tls-rancher -o json') {
    const crt = Buffer.from('-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n').toString('base64');
    ctx.finish(
      0,
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls-rancher', namespace: 'cattle-system' }, data: { 'tls.crt': crt } }),
    );
  }
  if (rest === 'auth can-i * * --all-namespaces') ctx.finish(0, 'yes\n');
  // The drill's user: a User, its admin binding and its password Secret, each created (never applied) from stdin, in
  // that order (Rancher's local user as documented: the User first, its password Secret named after it).
  if (rest === 'create -f - -o json') {
    const item = JSON.parse(readFileSync(0, 'utf8'));
    const key = `${item.kind}/${item.metadata?.namespace ?? ''}/${item.metadata?.name}`;
    const created = () => ctx.finish(0, `${JSON.stringify({ ...item, metadata: { ...item.metadata, uid: `uid-${item.metadata.name}` } })}\n`);
    if (key === `User//${DRILL_USER}`) {
      if (item.username !== DRILL_USER) violation(ctx, "the drill's user and its username do not match");
      if (world.drill.user) ctx.finish(1, '', `Error from server (AlreadyExists): users.management.cattle.io "${DRILL_USER}" already exists\n`);
      world.drill.user = { partial: true };
      created();
    }
    if (key === `GlobalRoleBinding//${DRILL_USER}-admin`) {
      if (item.userName !== DRILL_USER || item.globalRoleName !== 'admin') violation(ctx, "the drill's binding is not its user's admin binding");
      if (!world.drill.user) violation(ctx, "the drill's binding before its user");
      if (world.drill.binding)
        ctx.finish(1, '', `Error from server (AlreadyExists): globalrolebindings.management.cattle.io "${DRILL_USER}-admin" already exists\n`);
      world.drill.binding = true;
      created();
    }
    if (key === `Secret/${PASSWORDS}/${DRILL_USER}`) {
      const password = item.stringData?.password;
      if (typeof password !== 'string' || password.length < 12) violation(ctx, "the drill's user has no password Rancher accepts");
      if (ctx.line.includes(password)) violation(ctx, "the drill's password on a command line");
      if (!world.drill.user || !world.drill.binding) violation(ctx, "the drill's password before its user and binding");
      if (world.drill.user?.password) ctx.finish(1, '', `Error from server (AlreadyExists): secrets "${DRILL_USER}" already exists\n`);
      // rancher-webhook not serving yet (its pods starting after the restore): the password Secret is refused with the
      // apiserver's Status for a Fail webhook it cannot call (rancher/webhook release/v0.10: the Secret mutator takes
      // every create in cattle-local-user-passwords; the message as rancher/webhook#910 shows it).
      if ((world.drill.webhookRefusals ?? 0) > 0) {
        world.drill.webhookRefusals -= 1;
        ctx.finish(
          1,
          '',
          'Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "rancher.cattle.io.secrets": failed to call webhook: Post "https://rancher-webhook.cattle-system.svc:443/v1/webhook/mutation/secrets?timeout=15s": no endpoints available for service "rancher-webhook"\n',
        );
      }
      world.drill.user = { password };
      world.drill.userEvents = [...(world.drill.userEvents ?? []), 'created'];
      created();
    }
    violation(ctx, `the drill's user is not as Rancher documents it: ${key}`);
    ctx.finish(1, '', `fake drill: an object the drill does not make: ${key}\n`);
  }
  // Deleted (without --ignore-not-found: a NotFound is the client's to read), as the teardown's destroy also takes them.
  if (rest === `delete users.management.cattle.io/${DRILL_USER} --wait=false`) {
    if (!world.drill.user) notFound(ctx, `users.management.cattle.io "${DRILL_USER}"`);
    world.drill.userEvents = [...(world.drill.userEvents ?? []), 'deleted'];
    delete world.drill.user;
    ctx.finish(0);
  }
  if (rest === `delete globalrolebindings.management.cattle.io/${DRILL_USER}-admin --wait=false`) {
    if (!world.drill.binding) notFound(ctx, `globalrolebindings.management.cattle.io "${DRILL_USER}-admin"`);
    delete world.drill.binding;
    ctx.finish(0);
  }
  if (rest === `-n ${PASSWORDS} delete secret ${DRILL_USER}`) {
    // The password goes with the Secret; a User without it cannot log in.
    if (!world.drill.user?.password) notFound(ctx, `secrets "${DRILL_USER}"`);
    world.drill.user = { partial: true };
    ctx.finish(0);
  }
  return false;
}

const violation = (ctx, text) => require('node:fs').appendFileSync(join(ctx.dir, 'violations'), `${ctx.line}: ${text}\n`);

function aws(ctx) {
  const { world, args, option } = ctx;
  const [service, operation] = args;
  const bucket = option('--bucket');
  const etcd = world.drill.etcd;
  const standby = world.drill.standby;
  if (standby && option('--region') !== standby.region) violation(ctx, `a standby drill's call outside the standby region ${standby.region}`);
  for (const production of [world.drill.backupBucket, etcd?.bucket, standby?.bucket])
    if (production && bucket === production && !(service === 's3api' && ['list-objects-v2', 'get-object'].includes(operation))) {
      violation(ctx, `production's bucket ${production} is not read-only here`);
      ctx.finish(1, '', 'fake drill: AccessDenied\n');
    }
  if (etcd && service === 'ssm') etcdAws(ctx);
  if (service === 's3api' && operation === 'list-objects-v2') {
    const b = world.aws.buckets[bucket];
    if (!b?.exists) ctx.awsError('NoSuchBucket', 'The specified bucket does not exist');
    const prefix = option('--prefix') ?? '';
    const contents = b.objects.filter((o) => o.key.startsWith(prefix)).map((o) => ({ Key: o.key, LastModified: o.lastModified, Size: o.size }));
    ctx.finish(0, `${JSON.stringify({ Contents: contents })}\n`);
  }
  if (service === 's3api' && operation === 'get-object') {
    const b = world.aws.buckets[bucket];
    const key = option('--key');
    if (!b?.objects.some((o) => o.key === key)) ctx.awsError('NoSuchKey', 'The specified key does not exist.');
    const target = args[args.indexOf(key) + 1];
    copyFileSync(world.drill.backupFile, target);
    const signal = signalFor(ctx, 'compare');
    ctx.finish(0, `${JSON.stringify({ ContentLength: 1 })}\n`, '', signal && signalCaller(signal));
  }
  return false;
}

/**
 * The --etcd SSM Run Command calls on the throwaway's servers. The drill reads and copies production's snapshot and
 * writes and deletes the token's parameter through the SDK: the fake AWS answers those from the world's AWS objects
 * (world.aws.buckets, world.aws.parameters: helpers/fake-cloud-aws.ts), and helpers/drill-world.ts checks them.
 */
function etcdAws(ctx) {
  const { world, args, option } = ctx;
  const etcd = world.drill.etcd;
  if (ctx.line.includes(etcd.token)) violation(ctx, "production's token on a command line");
  const key = `${args[0]} ${args[1]}`;
  const parameters = world.aws.parameters ?? {};
  etcd.commands = etcd.commands ?? {};
  if (key === 'ssm send-command') {
    const instance = option('--instance-ids');
    const [command] = JSON.parse(option('--parameters')).commands;
    const id = `command-${Object.keys(etcd.commands).length + 1}`;
    if (command.startsWith('systemctl disable --now rke2-server')) {
      etcd.stopped = [...(etcd.stopped ?? []), instance];
      etcd.commands[id] = { Status: 'Success', StandardOutputContent: '' };
      ctx.finish(0, `${JSON.stringify({ Command: { CommandId: id } })}\n`);
    }
    // The restore: what the script needs is there (the snapshot in the throwaway's bucket, the parameter, the others stopped).
    const throwaway = world.drill.state;
    const instances = throwaway.resources.filter((r) => r.type === 'aws_instance').map((r) => r.instances[0].attributes.id);
    const missing = [
      Object.keys(parameters).length === 1 ? undefined : 'the token parameter',
      instances.slice(1).every((i) => (etcd.stopped ?? []).includes(i)) ? undefined : 'the other servers stopped',
      instance === instances[0] ? undefined : 'the first server',
    ].filter(Boolean);
    if (missing.length > 0) violation(ctx, `the restore was sent without ${missing.join(', ')}`);
    // The parameter as the restore script reads it: production's token, a SecureString under a key, tagged as the
    // throwaway's resources are.
    for (const [name, p] of Object.entries(parameters)) {
      if (p.value !== etcd.token) violation(ctx, `the parameter ${name} does not hold production's token`);
      if (!p.keyId) violation(ctx, `the parameter ${name} is not under a key`);
      const tags = Object.fromEntries(p.tags.map((t) => [t.Key, t.Value]));
      for (const [k, v] of Object.entries(etcd.parameterTags ?? {}))
        if (tags[k] !== v) violation(ctx, `the parameter is not tagged ${k}=${v} as the throwaway's resources are`);
    }
    const ok = etcd.restore === 'ok' && missing.length === 0;
    const r = etcd.restored;
    const lines = [
      `drill-result nodes ${r.nodes}`,
      ...Object.entries(r.counts).map(([kind, n]) => `drill-result count ${kind} ${n}`),
      `drill-result server-url ${r.serverUrl}`,
      `drill-result cacerts ${Buffer.from(r.cacerts).toString('base64')}`,
    ];
    etcd.commands[id] = ok
      ? { Status: 'Success', StandardOutputContent: `${lines.join('\n')}\n` }
      : {
          Status: 'Failed',
          StandardOutputContent: '',
          StandardErrorContent: 'rancher-aws-drill-restore.sh: the cluster reset from etcd-snapshot failed',
        };
    const signal = signalFor(ctx, 'restore');
    // A signal comes while the restore runs: the first look finds it in progress.
    if (signal) etcd.commands[id].pending = 1;
    ctx.finish(0, `${JSON.stringify({ Command: { CommandId: id } })}\n`, '', signal && signalCaller(signal));
  }
  if (key === 'ssm get-command-invocation') {
    const found = etcd.commands[option('--command-id')];
    if (!found) ctx.awsError('InvocationDoesNotExist', 'no such command');
    if (found.pending > 0) {
      found.pending -= 1;
      ctx.finish(0, `${JSON.stringify({ Status: 'InProgress' })}\n`);
    }
    ctx.finish(0, `${JSON.stringify(found)}\n`);
  }
  return false;
}

function curl(ctx) {
  const { world, args } = ctx;
  if (world.failover) return failoverCurl(ctx);
  if (world.drill.etcd) {
    const to = args[args.indexOf('--connect-to') + 1] ?? '';
    if (!to.startsWith('rancher.example.com:443:') || !args[args.length - 1].startsWith('https://rancher.example.com/'))
      violation(ctx, "the ping of a restored snapshot not at production's hostname through the throwaway");
  }
  const ca = args[args.indexOf('--cacert') + 1];
  if (!ca || !existsSync(ca)) ctx.finish(77, '', 'curl: (77) error setting certificate file\n');
  if (args.includes('--write-out')) rancherApi(ctx);
  const signal = signalFor(ctx, 'ping');
  const after = signal && signalCaller(signal);
  if (world.drill.ping !== 'pong') ctx.finish(7, '', `curl: (7) Failed to connect to ${args[args.length - 1]}: Connection refused\n`, after);
  ctx.finish(0, 'pong', '', after);
}

/**
 * A failover's curl (world.failover: { primary: 'pong' | 'down' | 'other', primaryByName, primaryCa, servedCa }). The
 * hostname leads where Route 53's A record answers (world.aws.route53, failover routing followed), or with --connect-to to the address named
 * (production's load balancer: its state's aws_lb dns_name or its output naming it): production answers /ping with pong
 * when `primary` is 'pong' (`primaryByName` instead at the hostname, when set); 'down' refuses the connection (curl exit 7,
 * as curl's man page "EXIT CODES" has it); 'other' answers with what is not Rancher (a default backend's 404). With
 * --write-out '\n%{http_code}' the status follows the body on a line of its own, as curl writes it. The standby's (its
 * state's aws_lb dns_name, once applied) answers /ping and
 * /v3/settings/cacerts ({ value: servedCa }). Verification as curl does it: without --insecure the served chain must
 * verify against --cacert (a certificate signed by servedCa verifies against servedCa alone; production's against
 * its own CA), or against the system roots when servedCa is empty (a public certificate).
 */
function failoverCurl(ctx) {
  const { world, args } = ctx;
  const f = world.failover;
  const url = new URL(args[args.length - 1]);
  const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  // The standby's address: rke-ha's NLB, or k8s-ha's ingress target (its output).
  const outputs = world.drill.state?.outputs ?? {};
  const lb =
    (world.drill.state?.resources ?? []).find((r) => r.type === 'aws_lb')?.instances[0].attributes.dns_name ??
    outputs.ingress_target?.value ??
    outputs.dns_target?.value;
  const connect = option('--connect-to');
  let target;
  if (connect) {
    const [host, port, to] = connect.split(':');
    if (host !== url.hostname || port !== '443') violation(ctx, `--connect-to ${connect} is not for ${url.hostname}:443`);
    const productionLb =
      (world.state?.resources ?? []).find((r) => r.type === 'aws_lb')?.instances[0].attributes.dns_name ??
      world.state?.outputs?.load_balancer_dns_name?.value ??
      world.state?.outputs?.dns_target?.value;
    target = lb && to === lb ? 'standby' : to === productionLb ? 'primary' : 'nowhere';
  } else {
    const r53 = world.aws.route53 ?? {};
    // The name's A record (an alias, or an address) or CNAME, as a resolver gets it: failover routing followed
    // (route53-answer.js: the SECONDARY while the PRIMARY's health check, on its alarm, is unhealthy).
    const answered = (type) => require('./route53-answer.js').answer(r53.zones, r53.healthChecks, world.aws.alarms, url.hostname, type);
    const set = answered('A') ?? answered('CNAME');
    const to = set?.AliasTarget?.DNSName ?? set?.ResourceRecords?.[0]?.Value;
    target = to && lb && to.replace(/\.$/, '') === lb ? 'standby' : 'primary';
  }
  const refused = () => ctx.finish(7, '', `curl: (7) Failed to connect to ${url.hostname} port 443: Connection refused\n`);
  const status = (code) => (option('--write-out') === '\n%{http_code}' ? `\n${code}` : '');
  if (target === 'nowhere') refused();
  // The primary's region lost (world.aws.regionLoss): its load balancer does not answer at all; curl gives up at its
  // --max-time (exit 28, curl(1) EXIT CODES: "Operation timeout").
  if (target === 'primary' && world.aws?.regionLoss)
    ctx.finish(28, '', `curl: (28) Connection timed out after ${Number(option('--max-time') ?? 300) * 1000} milliseconds\n`);
  const primary = target === 'primary' && !connect && f.primaryByName !== undefined ? f.primaryByName : f.primary;
  if (target === 'primary' && primary === 'other') ctx.finish(0, `404 page not found${status(404)}`);
  if (target === 'primary' && primary !== 'pong') refused();
  // nameDown: the name's answers not there yet (resolvers still holding the old record's answer past its TTL).
  if (target === 'standby' && !connect && f.nameDown) refused();
  // The standby's Rancher at 0 replicas (standbyRancher, a failback's quiesce) or gone: Traefik, the ingress
  // controller of the standby's module (its Ingress's class), builds no router for an Ingress whose Service has no
  // endpoints (providers.kubernetesIngress.allowEmptyServices, false by default; traefik/traefik issue 9242): the
  // hostname gets Traefik's own default certificate, which no CA verifies, and 404 to every path (curl without --fail
  // exits 0 with the page).
  if (target === 'standby' && (f.standbyRancher === 0 || f.standbyRancher === 'gone')) {
    if (!args.includes('--insecure')) ctx.finish(60, '', 'curl: (60) SSL certificate problem: self-signed certificate\n');
    ctx.finish(0, `404 page not found${status(404)}`);
  }
  const issuer = target === 'primary' ? (f.primaryCa ?? '') : f.servedCa;
  const cacert = option('--cacert');
  if (!args.includes('--insecure')) {
    const trusted = cacert ? (existsSync(cacert) ? readFileSync(cacert, 'utf8').trim() : undefined) : '';
    if (trusted === undefined) ctx.finish(77, '', 'curl: (77) error setting certificate file\n');
    if (trusted !== (issuer ?? '').trim()) ctx.finish(60, '', 'curl: (60) SSL certificate problem: unable to get local issuer certificate\n');
  }
  if (url.pathname === '/v3/settings/cacerts')
    ctx.finish(0, JSON.stringify({ type: 'setting', id: 'cacerts', value: target === 'standby' ? f.servedCa : (f.primaryCa ?? '') }));
  if (url.pathname === '/ping') ctx.finish(0, `pong${status(200)}`);
  ctx.finish(0, `404 page not found${status(404)}`);
}

const TOKEN = 'token-drill1:the-secret-part';
const PAGE = 3;

/** The restored Rancher's API, as curl prints it with --write-out '\n%{http_code}'. */
function rancherApi(ctx) {
  const { world, args } = ctx;
  const url = new URL(args[args.length - 1]);
  const answer = (status, body) => ctx.finish(0, `${JSON.stringify(body)}\n${status}`);
  const input = readFileSync(0, 'utf8');
  if (world.drill.user && ctx.line.includes(world.drill.user.password)) violation(ctx, "the drill's password on a command line");
  if (ctx.line.includes(TOKEN)) violation(ctx, "the drill's token on a command line");
  if (url.pathname === '/v1-public/login') {
    const body = JSON.parse(input);
    const ok =
      world.drill.login !== 'refused' && world.drill.user && body.username === 'rancher-ha-aws-drill' && body.password === world.drill.user.password;
    if (body.type !== 'localProvider') violation(ctx, 'the v1 login without its provider type');
    if (!ok) answer(401, { type: 'error', status: 401, message: 'authentication failed' });
    // The login phase's signal comes during the login (its other calls, requests of the Kubernetes API, are not
    // among the calls that send it: stub-server.js DRILL_SIGNAL_CALLS), before its answer: the drill has it before the
    // phase ends, as when it came earlier.
    const signal = signalFor(ctx, 'login');
    if (signal) signalCaller(signal)();
    answer(201, { token: TOKEN });
  }
  if (input.trim() !== `header = "Authorization: Bearer ${TOKEN}"`) answer(401, { type: 'error', status: 401 });
  const restored = world.drill.restored;
  if (url.pathname === '/v3/settings/server-url') answer(200, { id: 'server-url', value: restored.serverUrl });
  const kind = /^\/v3\/(clusters|users|projects|settings)$/.exec(url.pathname)?.[1];
  if (!kind) answer(404, { type: 'error', status: 404 });
  const ids = Array.from({ length: restored[`${kind}.management.cattle.io`] ?? 0 }, (_, i) => `${kind}-${i}`);
  if (kind === 'users' && world.drill.user) ids.push('rancher-ha-aws-drill');
  const from = Number(url.searchParams.get('marker') ?? 0);
  const next = from + PAGE < ids.length ? `${url.origin}/v3/${kind}?marker=${from + PAGE}` : undefined;
  answer(200, {
    type: 'collection',
    data: ids.slice(from, from + PAGE).map((id) => ({ id })),
    pagination: { limit: PAGE, ...(next ? { next } : {}) },
  });
}

module.exports = { terraform, kubectl, aws, curl };
