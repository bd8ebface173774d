// The failback's side of the fake world (fake-drill.js hands it the calls when world.failback is set:
// helpers/failback-world.ts). world.failback holds:
//   dir              the failback's module folder: its terraform calls act on production's state (world.state), as
//                    its backend names production's state file
//   encryptionConfig what TF_VAR_rancher_backup_restore_encryption_config must be in its plan and apply (the standby's)
//   plan             kept by the stub: the changes of the last saved plan
//   restored         set by an apply whose Restore the operator ran: { name, file, prune } (the object the module's
//                    restore Job applies, read from its helm_release); unset when the operator ran none
//   restores         production's cluster's Restore objects by name ({ file, completed }): the operator runs each
//                    once (rancher/backup-restore-operator v10.0.8 and v11, pkg/controllers/restore/controller.go:
//                    OnRestoreChange returns at once when the object's status has a restore completion time), so an
//                    apply of a name that completed restores nothing; its Job (lib/rancher/backup-objects.sh) counts a
//                    Restore done only when that object completed the file it names, and fails otherwise
//   writesLost       set by a restore: whether the standby's Rancher ran when its file was taken (the object's
//                    rancherReplicas, fake-drill.js standbyBackups; a file that says nothing of it: lost)
//   secretsPruned    set by a restore with prune on: the operator deleted what of the resource set the backup lacks,
//                    production's own suffixed Secrets in cattle-resources-system among them (the chart's
//                    rancher-resource-set-full takes every Secret of the cattle- namespaces); cleared by a later apply
//                    that restores nothing, as Terraform creates the Secrets its state holds and the cluster lost
//   recordsDeleted, recordCreated   set by an apply that deleted a record of the state, or created one
// Terraform as it treats this module (hashicorp/terraform v1.11.4, checked with terraform_data and a `removed` block:
// `terraform show -json` says "forget" for it): a managed resource of the state that the configuration has is kept
// (no-op; the fake does not evaluate arguments), one a `removed` block names with destroy = false is forgotten (the
// remote object stays), any other is deleted, and a resource only the configuration has is created. A deleted
// aws_route53_record deletes its record in Route 53 (world.aws.route53); a created one is an UPSERT to the
// configuration's alias (allow_overwrite aside): the live record moved before any check.
// In production's folder, `terraform import <address> <zone>_<name>_<type>[_<set identifier>]` (terraform-provider-aws,
// aws_route53_record import id) puts the record as Route 53 holds it into production's state. world.drill.signalAt { phase: 'adopt',
// signal }: the first import, once done, sends `signal` to the failback (a kill after the records moved back).
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const VARIABLE = 'rancher_backup_restore_encryption_config';
const key = (r) => `${r.type}.${r.name}`;

/** The changes Terraform would plan for this folder's configuration against production's state. */
function changesOf(world) {
  const config = JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8'));
  const configured = new Set(Object.entries(config.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)));
  const forgotten = new Set((config.removed ?? []).filter((r) => r.lifecycle?.destroy === false).map((r) => r.from));
  const managed = world.state.resources.filter((r) => r.mode === 'managed');
  const changes = managed.map((r) => ({
    address: key(r),
    type: r.type,
    change: { actions: [configured.has(key(r)) ? 'no-op' : forgotten.has(key(r)) ? 'forget' : 'delete'] },
  }));
  const inState = new Set(managed.map(key));
  for (const address of configured) {
    if (inState.has(address)) continue;
    const type = address.slice(0, address.indexOf('.'));
    changes.push({ address, type, change: { actions: ['create'] } });
  }
  return changes;
}

function recordOf(world, attributes) {
  const zone = world.aws.route53.zones[attributes.zone_id];
  return (
    zone &&
    zone.records.findIndex(
      (r) =>
        r.Name === `${String(attributes.name).replace(/\.$/, '')}.` &&
        r.Type === attributes.type &&
        (r.SetIdentifier ?? '') === (attributes.set_identifier ?? ''),
    )
  );
}

/**
 * The Restore the module's restore Job applies (its helm_release's values carry the object as the Job's OBJECT): its
 * name, file and prune, read from the rendered text (the file name and the object's name are literals there).
 */
function restoreOf() {
  const config = JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8'));
  const release = Object.entries(config.resource?.helm_release ?? {}).find(([name]) => name.includes('migration-restore'))?.[1];
  if (!release) return undefined;
  const text = String(release.values?.[0] ?? '').replace(/\\+/g, '');
  const name = /"kind":"Restore","metadata":\{"name":"([a-z0-9-]+)"/.exec(text)?.[1];
  // A file name as the operator writes them (the Job's script also holds the field's name, in a pattern).
  const file = /"backupFilename":"([a-z0-9][-.a-z0-9]*-\d{4}-\d{2}-\d{2}T[-0-9Z]+\.tar\.gz(?:\.enc)?)"/.exec(text)?.[1];
  const prune = /"prune":(true|false)/.exec(text)?.[1] === 'true';
  return name && file ? { name, file, prune } : undefined;
}

/** The rancher-backup operator and the restore Job on production's cluster, as the apply runs the Job (header). */
function operator(ctx) {
  const f = ctx.world.failback;
  const restore = restoreOf();
  if (!restore) return;
  f.restores ??= {};
  const earlier = f.restores[restore.name];
  if (earlier?.completed) {
    if (earlier.file === restore.file) return;
    ctx.finish(
      1,
      '',
      `Error: job failed: restores.resources.cattle.io/${restore.name}: restored ${earlier.file} under this name, and not ${restore.file}: the operator runs a Restore once\n`,
    );
  }
  f.restores[restore.name] = { file: restore.file, completed: true };
  f.restored = restore;
  // What the file holds (fake-drill.js standbyBackups): taken while the standby's Rancher ran, it lacks what Rancher
  // wrote after it, and those writes are lost to the restore.
  const taken = Object.values(ctx.world.aws.buckets)
    .flatMap((b) => b.objects ?? [])
    .find((o) => o.key === `rancher/${restore.file}` && o.rancherReplicas !== undefined);
  f.writesLost = taken ? taken.rancherReplicas !== 0 && taken.rancherReplicas !== 'gone' : true;
  if (restore.prune) f.secretsPruned = true;
  return true;
}

function apply(ctx) {
  const { world } = ctx;
  if (!operator(ctx)) delete world.failback.secretsPruned;
  for (const c of world.failback.plan) {
    const [action] = c.change.actions;
    const at = world.state.resources.findIndex((r) => key(r) === c.address);
    if (action === 'forget') world.state.resources.splice(at, 1);
    if (action === 'delete') {
      const [r] = world.state.resources.splice(at, 1);
      if (r.type === 'aws_route53_record') {
        const found = recordOf(world, r.instances[0].attributes);
        if (found >= 0) world.aws.route53.zones[r.instances[0].attributes.zone_id].records.splice(found, 1);
        world.failback.recordsDeleted = [...(world.failback.recordsDeleted ?? []), c.address];
      }
    }
    if (action === 'create') {
      world.state.resources.push({
        mode: 'managed',
        type: c.type,
        name: c.address.slice(c.type.length + 1),
        provider: 'aws',
        instances: [{ attributes: { id: c.address } }],
      });
      if (c.type === 'aws_route53_record') world.failback.recordCreated = c.address;
    }
  }
  delete world.failback.plan;
}

/**
 * The restore as the plan reads it: the rancher-backup operator's storage location is a bucket of the deployment's
 * own region (lib/rancher/backup-objects.ts: the endpoint is s3.<region>.<suffix>), so a bucket elsewhere answers
 * S3's PermanentRedirect; and the construct's preflight refuses a file its bucket does not list
 * (lib/rancher/restore-preflight.ts). The settings the failback's synth was given: $FAKE_WORLD/drill-settings-seen.json.
 */
function restorable(ctx) {
  const { world } = ctx;
  const restore = JSON.parse(readFileSync(join(process.env.FAKE_WORLD, 'drill-settings-seen.json'), 'utf8')).backups?.restoreFrom;
  if (!restore) return;
  const own = world.state.outputs.rancher_backup_bucket?.value;
  if (restore.bucket !== undefined && restore.bucket !== own)
    ctx.finish(
      1,
      '',
      `Error: PermanentRedirect: the bucket ${restore.bucket} must be addressed using the specified endpoint (it is not in ${own}'s region)\n`,
    );
  if (!(world.aws.buckets[own]?.objects ?? []).some((o) => o.key === `rancher/${restore.file}`))
    ctx.finish(1, '', `Error: Resource precondition failed: backups.restoreFrom.file: ${restore.file} is not in ${own}/rancher/\n`);
  // The record beside the backups (lib/rancher/restore-preflight.ts): the restore bucket is production's, whose record
  // names production's encryption; an encrypted file restored with another configuration is refused, unless the
  // source is unrecorded (then only the file is checked).
  const own_config = world.state.outputs.rancher_backup_encryption_config?.value;
  if (restore.file.endsWith('.enc') && !restore.unrecordedSource && process.env[`TF_VAR_${VARIABLE}`] !== own_config)
    ctx.finish(
      1,
      '',
      `Error: Resource postcondition failed: ${VARIABLE}: not the EncryptionConfiguration the deployment of s3://${own}/ encrypts its backups with.\n`,
    );
}

/**
 * `terraform import <address> <zone>_<name>_<type>` in production's folder: the record as Route 53 holds it put into
 * production's state (the acceptance run's production folder hands it here too: fake-acceptance.js).
 */
function importRecord(ctx) {
  const { world, args } = ctx;
  const f = world.failback;
  const [address, id] = args.filter((a) => !a.startsWith('-')).slice(1);
  // A failover record's id ends with its set identifier (`<zone>_<name>_<type>_<set identifier>`).
  const [zoneId, name, type, ...set] = id.split('_');
  const setIdentifier = set.length ? set.join('_') : undefined;
  const record = world.aws.route53.zones[zoneId]?.records.find((r) => r.Name === `${name}.` && r.Type === type && r.SetIdentifier === setIdentifier);
  if (!record) ctx.finish(1, '', `Error: Cannot import non-existent remote object\n`);
  // An instance's address names a counted one by its index (k8s-ha's `aws_route53_record.<name>[0]`).
  const [, rtype, rname, index] = /^([^.]+)\.([^[]+)(?:\[(\d+)\])?$/.exec(address);
  if (world.state.resources.some((r) => key(r) === `${rtype}.${rname}`)) ctx.finish(1, '', `Error: Resource already managed by Terraform\n`);
  world.state.resources.push({
    mode: 'managed',
    type: rtype,
    name: rname,
    provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [
      {
        ...(index === undefined ? {} : { index_key: Number(index) }),
        attributes: {
          id,
          name,
          type,
          zone_id: zoneId,
          ...(record.AliasTarget
            ? { alias: [{ name: record.AliasTarget.DNSName, zone_id: record.AliasTarget.HostedZoneId, evaluate_target_health: true }] }
            : { alias: [], records: record.ResourceRecords.map((r) => r.Value), ttl: record.TTL }),
          ...(record.Failover
            ? {
                failover_routing_policy: [{ type: record.Failover }],
                set_identifier: record.SetIdentifier,
                health_check_id: record.HealthCheckId ?? '',
              }
            : {}),
        },
      },
    ],
  });
  f.imported = [...(f.imported ?? []), address];
  const at = world.drill.signalAt;
  if (at?.phase === 'adopt') delete world.drill.signalAt;
  const caller = Number(process.env.FAKE_CALLER_PID || process.ppid);
  ctx.finish(0, 'Import successful!\n', '', at?.phase === 'adopt' ? () => process.kill(caller, at.signal) : undefined);
}

function terraform(ctx) {
  const { world, args } = ctx;
  const f = world.failback;
  const [command] = args;
  if (process.cwd() === world.drill.productionDir) {
    if (command !== 'import') return false;
    importRecord(ctx);
  }
  if (command === 'init') ctx.finish(0, 'Terraform has been successfully initialized!\n');
  const needsVariable = () => {
    if (process.env[`TF_VAR_${VARIABLE}`] !== f.encryptionConfig)
      ctx.finish(1, '', `Error: Invalid value for variable ${VARIABLE}: not the configuration of the standby's backups\n`);
  };
  if (command === 'plan') {
    needsVariable();
    restorable(ctx);
    f.plan = changesOf(world);
    ctx.finish(0, 'Saved the plan to: failback.tfplan\n');
  }
  if (command === 'show') {
    if (!f.plan) ctx.finish(1, '', 'Error: Failed to read the given file as a state or plan file\n');
    ctx.finish(
      0,
      `${JSON.stringify({ format_version: '1.2', resource_changes: f.plan.map(({ address, type, change }) => ({ address, type, change })) })}\n`,
    );
  }
  if (command === 'apply') {
    needsVariable();
    if (!f.plan) ctx.finish(1, '', 'Error: Saved plan is stale\n');
    const at = world.drill.signalAt;
    if (!at || at.phase !== 'apply') {
      apply(ctx);
      ctx.finish(0, 'Apply complete!\n');
    }
    delete world.drill.signalAt;
    // As terraform does on SIGINT: the operations in flight end, the state is saved (here: nothing applied yet), exit 1.
    ctx.interruptCaller(at.signal, (interrupted) => {
      delete world.failback.plan;
      ctx.finish(
        1,
        '',
        interrupted ? 'Interrupt received.\nGracefully shutting down...\n' : 'fake failback: the failback never sent SIGINT to the apply\n',
      );
    });
    return true;
  }
  ctx.finish(1, '', `fake failback: unexpected call in the failback's folder: ${ctx.line}\n`);
  return true;
}

module.exports = { terraform, importRecord, restoreOf };
