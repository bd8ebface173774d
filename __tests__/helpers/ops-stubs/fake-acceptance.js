// The acceptance run's side of the fake world (required by fake-cloud.js when world.acceptance is set). Its module
// folder (acceptance.out/<run id>/cdktf.out/stacks/rke-ha) keeps world.state; the drill's throwaway
// (acceptance.out/<run id>/drill/...) is fake-drill.js's, the roll's cluster fake-roll.js's (world.roll). What the
// run is doing is read from its record (acceptance.out/<run id>/run.json: `phase`). world.acceptance holds:
//   applyState, applyAws  what a complete apply creates (its state with `zzzzzz` for the run id; its AWS objects)
//   applyParameters       the SSM parameters it writes, as fake-roll.js keeps them (the token, for the rotate phase)
//   applyFails            the deploy's apply creates half and fails
//   failAt                a phase: every call made in it fails
//   signalAt              { phase, signal }: the first call in that phase sends `signal` to the run (the deploy's
//                         apply then waits for the run's SIGINT, as terraform does, and stops with half created)
//   planChanges           what the second plan shows (resource_changes); [] or absent: exit 0
//   planOutputChanges     its output_changes ({ name: { actions } }): an output that changes alone makes exit 2
//   existing              ARNs tagged with the deployment tag of the run's name (a name that is taken)
//   leftovers             ARNs still tagged with the run id after everything
//   events                CloudTrail events of the run's principal ({ EventSource, EventName })
//   iam                   IAM the Tagging API does not list, left in the account: { kind: role|user|instance-profile|
//                         policy, name, tagged } (`zzzzzz` in a name is the run's id; tagged: false, not the run's tag)
//   kubelet               what every Node reports (the roll's cluster: its `cluster.kubelet`; k8s-ha: the user's)
//   backups               the clusters (deployment, standby, user) holding the run's one-time Backup
//   cluster               k8s-ha: the user's cluster, { kubeconfig, context, namespaces (the user's own), rancherMade
//                         (Rancher ran there: its run-time namespaces stay) }; every request of its API must come
//                         on that file's context, every terraform call carry them as TF_VAR_kubeconfig_path/_context
//   stopped               docker: the host was stopped (ec2 stop-instances)
//   stoppedInstances      the instances stopped and not started again (ec2 stop-instances, start-instances)
// world.failover (rke-ha with a standby, helpers/acceptance-standby-world.ts): what curl meets in the failover phase
//   (failoverRoute: the name as Route 53 answers it, route53-answer.js); primaryAnswers: the primary's /ping answers
//   with its instances stopped; routing: the names production's failover records use (routeHostname, at each
//   complete apply of production: PRIMARY records, and SECONDARY ones once the standby-target parameter is there)
//   clusterDown           k8s-ha: the user's cluster does not answer (every request of its API goes unanswered)
//   downstream            the run's downstream module (acceptance.out/<run id>/downstream), as its terraform calls
//                         leave it: { state (resources, outputs), destroyed (how many destroys), commands (SSM),
//                         agent (what the applied manifest told the agent: its CA checksum and server; lastAgent
//                         once destroyed) }
//   downstreamKillAt      'apply': the downstream apply sends SIGKILL to the run, then runs to its end
//   ssmRegisterAfter      how many send-commands to the downstream instance SSM refuses first (not registered yet)
//   cloudwatch, serverMetrics, metricDelay, serverOs: the metrics phase's (fake-acceptance-metrics.js)
//   rancherCa             the CA Rancher serves (/cacerts, /v3/settings/cacerts) from the phase rancherCaFrom.phase on
//                         (acceptance-rancher.ts); the agent's log says the checksum mismatch when it is not its own
//   migrate               docker's migrate phase: { support (its module's state: resources, outputs; destroyed),
//                         targetState, targetAws (what the rke-ha target's apply creates, `zzzzzz` for the run id),
//                         state (the target's, kept by fake-cloud.js), rancher ('docker' until the docker deployment's
//                         destroy, 'down' until the target's apply, then 'restored'), restoredFrom (the file the
//                         target's Restore read), restoredSecrets (those of the backup's cattle-resources-system
//                         Secrets its restore Job left) }. The backup the docker Rancher's operator wrote is
//                         <world>/migrate-backup.json (acceptance-rancher.ts writes it: bucket, key, the
//                         EncryptionConfiguration and the writer's key it was made with, the clusters it holds)
//   migrateKillAt         'support' or 'target': that apply sends SIGKILL to the run, then runs to its end
// Every curl to http://127.0.0.1 goes to the real curl (the test's local Rancher); any other to fake-drill.js. A
// SIGKILL of the run leaves the call that sent it to finish as the real tool would (an apply runs to its end).
'use strict';
// The caller the call's signal hooks signal: the process that started it, or, for a call the fake AWS endpoint runs
// for an SDK request (fake-aws-endpoint/world-stubs.ts), the CLI run that sent it (FAKE_CALLER_PID).
const callerPid = () => Number(process.env.FAKE_CALLER_PID || process.ppid);
const { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const { current, RUN_ID_PLACEHOLDER } = require('./fake-acceptance-phase.js');
const { routeStateRecords } = require('./failover-routing.js');
const MODULE = /acceptance\.out\/([a-z0-9]+)\/cdktf\.out\/stacks\/[a-z0-9-]+$/;
const DOWNSTREAM = /acceptance\.out\/([a-z0-9]+)\/downstream$/;
const MIGRATE_SUPPORT = /acceptance\.out\/([a-z0-9]+)\/migrate\/support$/;
const MIGRATE_TARGET = /acceptance\.out\/([a-z0-9]+)\/migrate\/cdktf\.out\/stacks\/rke-ha$/;
/** The run's migration module's secrets as its outputs give them (the CA is the one the test's Rancher serves). */
const MIGRATE_ENCRYPTION = '{"apiVersion":"apiserver.config.k8s.io/v1","kind":"EncryptionConfiguration","resources":[]}';
const MIGRATE_ACCESS_KEY = 'AKIAMIGRATEWRITER001';
/** The Secrets the target's restore Job deletes (SECRET_NAME_PATTERN of lib/rancher/backup-objects.ts: the test holds them equal). */
const RESTORED_SECRET_PATTERN = '^(rancher-aws-backup-s3|rancher-aws-backup-encryption|rancher-aws-restore-encryption)-[0-9a-f]{6}$';
/** The backup the docker Rancher's operator wrote (acceptance-rancher.ts), or undefined. */
const migrateBackup = (ctx) => {
  const file = join(ctx.dir, 'migrate-backup.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};
/** The downstream instance's id (one per world). */
const DOWNSTREAM_INSTANCE = 'i-0d0wnstream0000001';
/** The CA the agent trusts (sha256 of Rancher's /v3/settings/cacerts value when the manifest was made), as run.sh checks it. */
const { createHash } = require('node:crypto');
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
/** The CA the test's Rancher serves in the phase in flight (acceptance-rancher.ts reads it the same way). */
function rancherCaNow(ctx) {
  const a = ctx.world.acceptance;
  const { ACCEPTANCE_PHASE_ORDER } = module.exports;
  const phase = current(ctx.dir)?.phase;
  const from = a.rancherCaFrom;
  if (from && ACCEPTANCE_PHASE_ORDER.indexOf(phase) >= ACCEPTANCE_PHASE_ORDER.indexOf(from.phase)) return from.ca;
  return DEFAULT_CA;
}
const DEFAULT_CA = '-----BEGIN CERTIFICATE-----\nrancher-own-ca\n-----END CERTIFICATE-----\n';

/** The downstream module's terraform: init, apply (its resources, ARNs and instance), destroy, output. */
function downstreamTerraform(ctx) {
  const { world, args } = ctx;
  const a = world.acceptance;
  const [command] = args;
  if (phaseHooks(ctx)) ctx.finish(1, '', `Error: injected failure in the ${current(ctx.dir).phase} phase\n`);
  if (command === 'init') {
    mkdirSync(join(process.cwd(), '.terraform'), { recursive: true });
    ctx.finish(0, 'Terraform has been successfully initialized!\n');
  }
  if (!existsSync(join(process.cwd(), '.terraform'))) ctx.finish(1, '', 'Error: Backend initialization required, please run "terraform init"\n');
  const config = JSON.parse(readFileSync(join(process.cwd(), 'main.tf.json'), 'utf8'));
  if (command === 'apply' && args.includes('-destroy')) {
    const n = a.downstream?.state?.resources.length ?? 0;
    a.downstream = {
      ...a.downstream,
      state: { resources: [], outputs: {} },
      destroyed: (a.downstream?.destroyed ?? 0) + 1,
      agent: undefined,
      lastAgent: a.downstream?.agent,
    };
    ctx.finish(0, `Destroy complete! Resources: ${n} destroyed.\n`);
  }
  if (command === 'apply') {
    const runId = DOWNSTREAM.exec(process.cwd())[1];
    const tags = config.provider.aws[0].default_tags[0].tags;
    if (tags['rancher-ha-aws:acceptance-run'] !== runId) ctx.finish(1, '', `fake acceptance: the downstream module does not tag the run ${runId}\n`);
    // The EC2 resources the Tagging API lists (their ARN's resource type and id); IAM is listed by fake IAM below.
    const ec2 = {
      aws_vpc: ['vpc', 'vpc-0d0wn'],
      aws_subnet: ['subnet', 'subnet-0d0wn'],
      aws_security_group: ['security-group', 'sg-0d0wn'],
      aws_internet_gateway: ['internet-gateway', 'igw-0d0wn'],
      aws_route_table: ['route-table', 'rtb-0d0wn'],
      aws_instance: ['instance', DOWNSTREAM_INSTANCE],
    };
    const arnOf = (type) => (ec2[type] ? `arn:aws:ec2:${config.provider.aws[0].region}:123456789012:${ec2[type][0]}/${ec2[type][1]}` : undefined);
    const resources = Object.entries(config.resource).flatMap(([type, bodies]) =>
      Object.entries(bodies).map(([name, body]) => ({
        mode: 'managed',
        type,
        name,
        instances: [{ attributes: { id: ec2[type]?.[1] ?? `${type}-0d0wn`, name: body.name, ...(arnOf(type) ? { arn: arnOf(type) } : {}) } }],
      })),
    );
    a.downstream = {
      ...a.downstream,
      state: { resources, outputs: { instance_id: { value: DOWNSTREAM_INSTANCE } } },
      applies: (a.downstream?.applies ?? 0) + 1,
    };
    if (a.downstreamKillAt === 'apply') {
      delete a.downstreamKillAt;
      ctx.save();
      process.kill(callerPid(), 'SIGKILL');
    }
    ctx.finish(0, `Apply complete! Resources: ${resources.length} added, 0 changed, 0 destroyed.\n`);
  }
  if (command === 'output') {
    const name = args.filter((x) => !x.startsWith('-'))[1];
    const output = a.downstream?.state?.outputs?.[name];
    if (!output) ctx.finish(1, '', `Error: Output "${name}" not found\n`);
    ctx.finish(0, JSON.stringify(output.value));
  }
  ctx.finish(1, '', `fake acceptance: terraform ${args.join(' ')} in the downstream module\n`);
}

/** The migration's own module: init, apply (CA, bucket, writer), destroy, output. */
function migrateSupportTerraform(ctx) {
  const { world, args } = ctx;
  const a = world.acceptance;
  const [command] = args;
  if (command === 'init') {
    mkdirSync(join(process.cwd(), '.terraform'), { recursive: true });
    ctx.finish(0, 'Terraform has been successfully initialized!\n');
  }
  if (!existsSync(join(process.cwd(), '.terraform'))) ctx.finish(1, '', 'Error: Backend initialization required, please run "terraform init"\n');
  const m = (a.migrate ??= { rancher: 'docker' });
  if (command === 'apply' && args.includes('-destroy')) {
    const n = m.support?.resources.length ?? 0;
    // force_destroy: the bucket goes with what the operator wrote into it.
    rmSync(join(ctx.dir, 'migrate-backup.json'), { force: true });
    m.support = { resources: [], outputs: {}, destroyed: (m.support?.destroyed ?? 0) + 1 };
    ctx.finish(0, `Destroy complete! Resources: ${n} destroyed.\n`);
  }
  if (command === 'apply') {
    const config = JSON.parse(readFileSync(join(process.cwd(), 'main.tf.json'), 'utf8'));
    const runId = MIGRATE_SUPPORT.exec(process.cwd())[1];
    if (config.provider.aws[0].default_tags[0].tags['rancher-ha-aws:acceptance-run'] !== runId)
      ctx.finish(1, '', `fake acceptance: the migration module does not tag the run ${runId}\n`);
    const bucket = config.resource.aws_s3_bucket.backup.bucket;
    const user = config.resource.aws_iam_user.writer;
    m.support = {
      resources: [
        { type: 'aws_s3_bucket', name: 'backup', arn: `arn:aws:s3:::${bucket}` },
        { type: 'aws_iam_user', name: 'writer', user: user.name, path: user.path },
        { type: 'aws_iam_access_key', name: 'writer' },
        { type: 'tls_private_key', name: 'ca' },
        { type: 'tls_self_signed_cert', name: 'ca' },
        { type: 'random_bytes', name: 'encryption' },
      ],
      outputs: {
        ca_certificate_pem: DEFAULT_CA,
        ca_private_key_pem: '-----BEGIN PRIVATE KEY-----\nthe-run-ca-key\n-----END PRIVATE KEY-----\n',
        encryption_config: MIGRATE_ENCRYPTION,
        bucket,
        access_key_id: MIGRATE_ACCESS_KEY,
        secret_access_key: 'the-writer-secret-key',
      },
      applies: (m.support?.applies ?? 0) + 1,
    };
    if (a.migrateKillAt === 'support') {
      delete a.migrateKillAt;
      ctx.save();
      process.kill(callerPid(), 'SIGKILL');
    }
    ctx.finish(0, `Apply complete! Resources: ${m.support.resources.length} added, 0 changed, 0 destroyed.\n`);
  }
  if (command === 'state' && args[1] === 'pull') {
    // As Terraform's state file: each output's value (a sensitive one too) under `value`.
    const outputs = Object.fromEntries(Object.entries(m.support?.outputs ?? {}).map(([name, value]) => [name, { value, type: 'string' }]));
    const resources = (m.support?.resources ?? []).map(({ type, name }) => ({ mode: 'managed', type, name, instances: [{ attributes: {} }] }));
    ctx.finish(0, JSON.stringify({ version: 4, resources, outputs }));
  }
  ctx.finish(1, '', `fake acceptance: terraform ${args.join(' ')} in the migration module\n`);
}

/** Terraform asks for a variable without a default in an apply as in a destroy (-input=false: it fails instead). */
function requireVariables(ctx) {
  const config = JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8'));
  for (const [name, body] of Object.entries(config.variable ?? {}))
    if (body.default === undefined && process.env[`TF_VAR_${name}`] === undefined)
      ctx.finish(1, '', `Error: No value for required variable\n\nThe root module input variable "${name}" is not set.\n`);
}

/**
 * The rke-ha deployment the docker one moves to: its first apply restores the backup (the file its settings name
 * must be the one the docker Rancher's operator wrote, read with the EncryptionConfiguration it was written with)
 * before Rancher is installed; both of its terraform variables of the run's CA must be the migration module's.
 * Everything else (output, state, the teardown's destroy) is fake-cloud.js's, on the target's own state.
 */
function migrateTargetTerraform(ctx, runId) {
  const { world, args } = ctx;
  const a = world.acceptance;
  const m = a.migrate;
  const [command] = args;
  if (command === 'init') {
    mkdirSync(join(process.cwd(), '.terraform'), { recursive: true });
    ctx.finish(0, 'Terraform has been successfully initialized!\n');
  }
  if (!existsSync(join(process.cwd(), '.terraform'))) ctx.finish(1, '', 'Error: Backend initialization required, please run "terraform init"\n');
  if (command === 'apply' || command === 'plan') requireVariables(ctx);
  if (command === 'apply' && !args.includes('-destroy')) {
    if (process.env.TF_VAR_tls_ca_certificate_pem !== m.support?.outputs?.ca_certificate_pem)
      ctx.finish(1, '', 'fake acceptance: the rke-ha deployment is not given the run CA (tls_ca_certificate_pem)\n');
    const settings = JSON.parse(readFileSync(join(process.cwd(), '..', '..', '..', 'settings.json'), 'utf8'));
    const restore = settings.backups?.restoreFrom;
    const backup = migrateBackup(ctx);
    if (!restore || !backup || restore.bucket !== backup.bucket || `rancher/${restore.file}` !== backup.key)
      ctx.finish(1, '', `Error: backups.restoreFrom.file: ${restore?.file} is not in s3://${restore?.bucket}/rancher/\n`);
    // The preflight (docs/backups.md): a bucket with no record of this project's is refused unless said so.
    if (restore.unrecordedSource !== true) ctx.finish(1, '', `Error: backups.restoreFrom.bucket: ${restore.bucket} holds no record\n`);
    if (process.env.TF_VAR_rancher_backup_restore_encryption_config !== backup.encryptionConfig)
      ctx.finish(1, '', 'Error: the Restore rancher-aws-migration failed: error decrypting the backup (another EncryptionConfiguration)\n');
    const full = withRunId(a.migrate.targetState, runId);
    world.state = full;
    const objects = withRunId(a.migrate.targetAws, runId);
    for (const [kind, byId] of Object.entries(objects)) if (!Array.isArray(byId)) Object.assign(world.aws[kind], byId);
    m.rancher = 'restored';
    m.restoredFrom = restore.file;
    // The restore's Job deletes the restored Secrets named like another deployment's (SECRET_NAME_PATTERN); the others stay.
    m.backedUpSecrets = backup.secrets ?? [];
    m.restoredSecrets = (backup.secrets ?? []).filter((name) => !new RegExp(RESTORED_SECRET_PATTERN).test(name));
    if (a.migrateKillAt === 'target') {
      delete a.migrateKillAt;
      ctx.save();
      process.kill(callerPid(), 'SIGKILL');
    }
    ctx.finish(0, `Apply complete! Resources: ${full.resources.length} added, 0 changed, 0 destroyed.\n`);
  }
  return 'generic';
}

/** SSM to the downstream instance: K3s's node list, the agent manifest applied (fetched from the test's Rancher), its log. */
function downstreamSsm(ctx, operation) {
  const { world, option } = ctx;
  const a = world.acceptance;
  const d = a.downstream ?? {};
  if (operation === 'get-command-invocation') {
    const got = d.invocations?.[option('--command-id')];
    if (!got) return false;
    ctx.finish(0, JSON.stringify({ Status: 'Success', StandardOutputContent: got, StandardErrorContent: '' }));
  }
  if (option('--instance-ids') !== DOWNSTREAM_INSTANCE) return false;
  if (!d.state?.resources.some((r) => r.type === 'aws_instance')) ctx.awsError('InvalidInstanceId', 'Instances not in a valid state for account');
  d.sends = (d.sends ?? 0) + 1;
  if (d.sends <= (a.ssmRegisterAfter ?? 0)) {
    a.downstream = d;
    ctx.save();
    ctx.awsError('InvalidInstanceId', 'Instances [[i-0d0wnstream0000001]] not in a valid state for account 123456789012');
  }
  const commands = JSON.parse(option('--parameters')).commands.join('\n');
  d.commands = [...(d.commands ?? []), commands.replace(/echo '[A-Za-z0-9+/=]+'/, "echo '<ca>'")];
  let out = '';
  if (commands.includes('get nodes')) out = 'ip-10-250-0-10   Ready   control-plane,master   2m   v1.35.7+k3s1\n';
  else if (commands.includes('/v3/import/')) {
    // As the instance does: the manifest fetched from Rancher with the CA the run sent (never --insecure).
    if (/--insecure|-k /.test(commands)) ctx.finish(0, JSON.stringify({ Command: { CommandId: 'refused' } }));
    const url = /'(http[^']+\/v3\/import\/[^']+)'/.exec(commands)[1];
    const fetched = spawnSync('/usr/bin/curl', ['--fail', '--silent', '--show-error', url], { encoding: 'utf8' });
    if (fetched.status !== 0) ctx.finish(0, JSON.stringify({ Command: { CommandId: 'refused' } }));
    const env = (key) => new RegExp(`name: ${key}\\s+value: "([^"]*)"`).exec(fetched.stdout)?.[1];
    d.agent = { checksum: env('CATTLE_CA_CHECKSUM'), server: env('CATTLE_SERVER') };
    out = 'namespace/cattle-system created\ndeployment.apps/cattle-cluster-agent created\n';
  } else if (commands.includes('logs deployment/cattle-cluster-agent')) {
    const served = sha256(rancherCaNow(ctx));
    out =
      d.agent && d.agent.checksum !== served
        ? `ERROR: Configured cacerts checksum (${served}) does not match given --ca-checksum (${d.agent.checksum})\n`
        : `level=info msg="Connecting to wss://${(d.agent?.server ?? '').replace(/^https?:\/\//, '')}/v3/connect"\n`;
  }
  const id = `cmd-downstream-${d.sends}`;
  d.invocations = { ...d.invocations, [id]: out };
  a.downstream = d;
  ctx.finish(0, JSON.stringify({ Command: { CommandId: id } }));
}

/** Whether a folder is an acceptance run's module folder (its run id), else undefined. */
const runOf = (folder) => MODULE.exec(folder)?.[1];

/** Fails or signals as the world says for the phase in flight; true when the call must fail. */
function phaseHooks(ctx, options = {}) {
  const a = ctx.world.acceptance;
  const phase = current(ctx.dir)?.phase;
  if (!phase) return false;
  if (a.signalAt && a.signalAt.phase === phase && !options.holdSignal) {
    const signal = a.signalAt.signal;
    delete a.signalAt;
    ctx.save();
    process.kill(callerPid(), signal);
  }
  return a.failAt === phase;
}

const withRunId = (value, runId) => JSON.parse(JSON.stringify(value).replaceAll(RUN_ID_PLACEHOLDER, runId));

/** The run's state after `fraction` of the apply, and its AWS objects. */
function create(ctx, runId, fraction) {
  const { world } = ctx;
  const full = withRunId(world.acceptance.applyState, runId);
  const count = Math.ceil(full.resources.length * fraction);
  world.state = { ...full, resources: full.resources.slice(0, count), outputs: fraction === 1 ? full.outputs : {} };
  // The SSM parameters the apply writes (fake-roll.js reads and writes world.parameters: the token rotation's).
  if (fraction === 1 && world.acceptance.applyParameters) world.parameters = withRunId(world.acceptance.applyParameters, runId);
  const aws = withRunId(world.acceptance.applyAws, runId);
  for (const [kind, objects] of Object.entries(aws)) {
    if (Array.isArray(objects)) continue;
    for (const [id, object] of Object.entries(objects))
      if (fraction === 1 || world.state.resources.some((r) => JSON.stringify(r).includes(id))) world.aws[kind][id] = object;
  }
}

/**
 * Production's records of the hostname as its module makes them with standby.region (lib/standby/standby-dns.ts), at
 * each complete apply of the standby world's production (world.failover.routing: its names, `zzzzzz` for the run id):
 * each A and AAAA record PRIMARY on the health check of the failed-over alarm in the standby region (its alias's
 * evaluate_target_health false), and a SECONDARY of the same name and type aliased to the load balancer the standby
 * region's `/<name>/rke-ha/standby-target` names when the apply's plan finds it there (the prepare writes it); none
 * without it (the module's count is 0). In production's state, in Route 53 and in production's standby facts (their
 * dns.records, which the apply writes from the state), as helpers/failover-world.ts routeFailover builds them for
 * the failover's own world. The alarm, once there, keeps its state (an apply changes no metric's data).
 */
function routeHostname(ctx, runId) {
  const { world } = ctx;
  const routing = withRunId(world.failover.routing, runId);
  const got = world.aws.parameters?.[routing.targetParameter];
  const target = got && (got.region ?? routing.region) === routing.region ? JSON.parse(got.value) : undefined;
  const module = JSON.parse(readFileSync(join(process.cwd(), 'cdk.tf.json'), 'utf8'));
  const primaries = routeStateRecords(world.state, {
    primary: (a) => ['A', 'AAAA'].includes(a.type),
    healthCheck: routing.healthCheck,
    target,
    module,
  });
  const hosts = new Set(primaries.map((r) => `${String(r.instances[0].attributes.name).replace(/\.$/, '')}.`));
  const zone = world.aws.route53.zones[routing.zoneId];
  zone.records = zone.records
    .filter((r) => !(hosts.has(r.Name) && r.Failover === 'SECONDARY'))
    .flatMap((r) =>
      hosts.has(r.Name) && r.AliasTarget
        ? [
            {
              ...r,
              AliasTarget: { ...r.AliasTarget, EvaluateTargetHealth: false },
              Failover: 'PRIMARY',
              SetIdentifier: 'primary',
              HealthCheckId: routing.healthCheck,
            },
            ...(target
              ? [
                  {
                    Name: r.Name,
                    Type: r.Type,
                    AliasTarget: { HostedZoneId: target.zoneId, DNSName: `${target.dnsName}.`, EvaluateTargetHealth: false },
                    Failover: 'SECONDARY',
                    SetIdentifier: 'standby',
                  },
                ]
              : []),
          ]
        : [r],
    );
  world.aws.route53.healthChecks = {
    [routing.healthCheck]: { alarmName: routing.alarm, alarmRegion: routing.region, insufficientDataHealthStatus: 'LastKnownStatus' },
  };
  world.aws.alarms ??= {};
  world.aws.alarms[routing.alarm] ??= {
    region: routing.region,
    namespace: routing.namespace,
    metricName: routing.metricName,
    threshold: 1,
    state: 'INSUFFICIENT_DATA',
  };
  // The facts production's apply writes in the standby region: its records of the hostname, PRIMARY ones first.
  const named = world.state.resources.filter(
    (r) => r.type === 'aws_route53_record' && hosts.has(`${String(r.instances[0].attributes.name).replace(/\.$/, '')}.`),
  );
  const secondary = (r) => (String(r.name).startsWith('standby_dns_secondary-') ? 1 : 0);
  for (const bucket of Object.values(world.aws.buckets))
    for (const o of bucket.objects ?? [])
      if (o.key === 'rancher-aws/standby/facts.json' && o.text) {
        const document = JSON.parse(o.text);
        document.dns.records = named.sort((x, y) => secondary(x) - secondary(y)).map((r) => r.instances[0].attributes);
        o.text = JSON.stringify(document);
        o.size = o.text.length;
      }
}

/** The events of `terraform apply -json`: a start and a complete per resource, a second apart, in state order. */
function applyEvents(state) {
  const lines = [];
  let t = Date.parse('2026-11-25T10:00:00Z');
  for (const r of state.resources) {
    const addr = `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`;
    const hook = { resource: { addr, resource_type: r.type, resource_name: r.name }, action: r.mode === 'data' ? 'read' : 'create' };
    lines.push(
      JSON.stringify({ '@level': 'info', '@message': `${addr}: Creating...`, '@timestamp': new Date(t).toISOString(), type: 'apply_start', hook }),
    );
    t += 1000;
    lines.push(
      JSON.stringify({
        '@level': 'info',
        '@message': `${addr}: Creation complete`,
        '@timestamp': new Date(t).toISOString(),
        type: 'apply_complete',
        hook,
      }),
    );
  }
  const n = state.resources.filter((r) => r.mode === 'managed').length;
  lines.push(
    JSON.stringify({ '@message': `Apply complete! Resources: ${n} added, 0 changed, 0 destroyed.`, type: 'change_summary', changes: { add: n } }),
  );
  return `${lines.join('\n')}\n`;
}

/** The version the run's settings ask for (its settings.json, three folders above the module); k8s-ha and docker: none. */
const settingsVersion = () => JSON.parse(readFileSync(join(process.cwd(), '..', '..', '..', 'settings.json'), 'utf8')).versions?.rke2;

/** The user's cluster's namespaces (k8s-ha): its own, those the run's state holds, and what Rancher made while it ran. */
function namespaces(world) {
  const c = world.acceptance.cluster;
  const inState = world.state.resources
    .filter((r) => r.mode === 'managed')
    .flatMap((r) => {
      const x = r.instances[0].attributes;
      if (r.type === 'kubernetes_namespace_v1') return [x.metadata?.[0]?.name];
      return r.type === 'helm_release' && x.create_namespace === true ? [x.namespace] : [];
    })
    .filter(Boolean);
  return [...new Set([...c.namespaces, ...inState, ...(c.rancherMade ? ['cattle-global-data', 'fleet-local'] : [])])];
}

function terraform(ctx) {
  const { world, args } = ctx;
  if (DOWNSTREAM.test(process.cwd())) return downstreamTerraform(ctx);
  if (MIGRATE_SUPPORT.test(process.cwd())) return migrateSupportTerraform(ctx);
  if (MIGRATE_TARGET.test(process.cwd())) return migrateTargetTerraform(ctx, MIGRATE_TARGET.exec(process.cwd())[1]);
  const runId = runOf(process.cwd());
  if (!runId) return false;
  const a = world.acceptance;
  const [command] = args;
  const c = a.cluster;
  if (c && (process.env.TF_VAR_kubeconfig_path !== c.kubeconfig || (process.env.TF_VAR_kubeconfig_context ?? undefined) !== c.context))
    ctx.finish(1, '', `fake acceptance: terraform without the user's cluster (TF_VAR_kubeconfig_path ${process.env.TF_VAR_kubeconfig_path})\n`);
  const fail = phaseHooks(ctx, { holdSignal: command === 'apply' && args.includes('-json') });
  if (fail) ctx.finish(1, '', `Error: injected failure in the ${current(ctx.dir).phase} phase\n`);
  // docker with the migration: its module asks for the run's CA in an apply as in the teardown's destroy.
  if (a.migrate && command === 'apply') requireVariables(ctx);
  if (command === 'init') {
    mkdirSync(join(process.cwd(), '.terraform'), { recursive: true });
    ctx.finish(0, 'Terraform has been successfully initialized!\n');
  }
  if (!existsSync(join(process.cwd(), '.terraform'))) ctx.finish(1, '', 'Error: Backend initialization required, please run "terraform init"\n');
  // The failover phase's failback adopts the hostname's records back into production's state (fake-failback.js).
  if (command === 'import' && world.failback) require(join(__dirname, 'fake-failback.js')).importRecord(ctx);
  if (command === 'version')
    ctx.finish(0, JSON.stringify({ terraform_version: '1.11.4', provider_selections: { 'registry.terraform.io/hashicorp/aws': '6.25.0' } }));
  if (command === 'apply' && args.includes('-json')) {
    if (a.applyFails) {
      create(ctx, runId, 0.5);
      ctx.finish(
        1,
        `${JSON.stringify({ type: 'diagnostic', diagnostic: { severity: 'error', summary: 'creating EC2 Instance: InsufficientInstanceCapacity' } })}\n`,
      );
    }
    const signal = a.signalAt?.phase === 'deploy' ? a.signalAt.signal : undefined;
    const applied = () => {
      create(ctx, runId, 1);
      if (world.failover?.routing) routeHostname(ctx, runId);
      a.kubelet = settingsVersion() ?? a.kubelet;
      if (c) c.rancherMade = true;
      ctx.finish(0, applyEvents(world.state));
    };
    if (!signal) applied();
    delete a.signalAt;
    // As terraform does on SIGINT: the operations in flight end, the state is saved, exit 1. After a SIGKILL of the
    // run nothing forwards a signal: the apply, in a process group of its own, runs to its end.
    create(ctx, runId, 0.5);
    ctx.interruptCaller(
      signal,
      (interrupted) =>
        ctx.finish(
          1,
          '',
          interrupted ? 'Interrupt received.\nGracefully shutting down...\n' : 'fake acceptance: the run never sent SIGINT to the apply\n',
        ),
      applied,
    );
    return true;
  }
  // The docker deployment retired by the migration: its Rancher answers no more.
  if (args.includes('-destroy') && a.migrate) a.migrate.rancher = 'down';
  if (command === 'apply' && args.includes('-auto-approve') && !args.includes('-destroy')) {
    // The upgrade: the stack's gate upgrades every server in place. With a standby, its plan reads the standby-target.
    a.kubelet = settingsVersion() ?? a.kubelet;
    world.state.serial += 1;
    if (world.failover?.routing) routeHostname(ctx, runId);
    ctx.finish(0, 'Apply complete! Resources: 3 added, 2 changed, 3 destroyed.\n');
  }
  if (command === 'plan' && args.includes('-detailed-exitcode')) {
    const out = args.find((x) => x.startsWith('-out='))?.slice(5);
    // As Terraform's -detailed-exitcode: 2 when a resource or a root output changes (an output's change alone is
    // enough: the plan is not empty), 0 when every change is a no-op.
    const resources = a.planChanges ?? [];
    const outputs = a.planOutputChanges ?? {};
    writeFileSync(out, JSON.stringify({ resource_changes: resources, output_changes: outputs }));
    const changed = [...resources.map((r) => r.change), ...Object.values(outputs)].some((c) => c.actions.some((x) => x !== 'no-op'));
    ctx.finish(changed ? 2 : 0, 'Plan done.\n');
  }
  if (command === 'show' && args[args.length - 1].endsWith('second.tfplan')) ctx.finish(0, readFileSync(args[args.length - 1], 'utf8'));
  return 'generic';
}

/**
 * The availability probes of the upgrade, roll and rotate phases (cli/acceptance/acceptance-probes.ts), answered from
 * the servers' states: the API's /readyz and Rancher's /ping through the load balancer answer while a majority of the
 * servers serve. etcd commits nothing without a majority of its members (raft), so the API server's etcd readiness
 * check fails (kube-apiserver /readyz, its `etcd` check) and Rancher, which keeps everything in the API, stops
 * answering; a server being restarted or replaced (not Ready here) serves nothing, and the load balancer's health
 * checks take it out. acceptance.outage = { phase, servers, probes }: from the first probe of that phase, those servers
 * serve nothing (their services restarted at once, outside the roll: their Nodes stay Ready) for `probes` probes of
 * the API; with `every: n`, at only one probe in n of those (the first, then every n-th: a load balancer target flapping).
 */
function clusterAnswers(ctx, { counted }) {
  const a = ctx.world.acceptance;
  const servers = ctx.world.cluster?.servers ?? [];
  const o = a.outage;
  let out = [];
  if (o && current(ctx.dir)?.phase === o.phase && o.left !== 0) {
    o.left ??= o.probes;
    if ((o.probes - o.left) % (o.every ?? 1) === 0) out = o.servers;
    if (counted) o.left -= 1;
  }
  return servers.filter((s) => s.ready && !out.includes(s.name)).length * 2 > servers.length;
}

/** The clusters the acceptance run reaches, by the kubeconfig of its request (stub-server.js names each world cluster's). */
const USER_CLUSTER = "(the fake world's user kubeconfig)";
const STANDBY_CLUSTER = "(the fake world's standby kubeconfig)";

/**
 * The acceptance run's requests of the Kubernetes API (cli/acceptance/ through the client; stub-server.js KUBE_ROUTES
 * runs each as the kubectl call it stands for): the deployment's cluster (rke-ha), the standby's (the failover
 * phase's Backup) or the user's (k8s-ha: its kubeconfig's context, whose token names `user`; the request of any
 * other is refused). A Backup exists once created in that cluster (`backups`), until deleted.
 */
function kubectl(ctx) {
  const { world, args } = ctx;
  const kubeconfig = args[args.indexOf('--kubeconfig') + 1] ?? '';
  // The drill's throwaway: its kubeconfig file, or its requests of the world's Kubernetes API (stub-server.js).
  if (kubeconfig.includes('/drill/') || kubeconfig === "(the fake world's drill kubeconfig)") return false;
  const a = world.acceptance;
  const c = a.cluster;
  if (c && kubeconfig !== USER_CLUSTER) ctx.finish(1, '', `fake acceptance: kubectl without the user's kubeconfig and context: ${args.join(' ')}\n`);
  const where = kubeconfig === STANDBY_CLUSTER ? 'standby' : c ? 'user' : 'deployment';
  // A request has no process of its own to hold a signal for: the hook sends it to the run (stub-server.js kubeCaller).
  if (phaseHooks(ctx) || (c && a.clusterDown)) ctx.finish(1, '', 'Unable to connect to the server: injected failure\n');
  const rest = args.slice(args.indexOf('--request-timeout=30s') + 1).join(' ');
  if (rest === 'get --raw /readyz') {
    if (clusterAnswers(ctx, { counted: true })) ctx.finish(0, 'ok');
    ctx.finish(
      1,
      '',
      'Error from server (InternalServerError): an error on the server ("[-]etcd failed: reason withheld\\nreadyz check failed") has prevented the request from succeeding\n',
    );
  }
  const namespace = /^get namespace (\S+) -o json$/.exec(rest)?.[1];
  if (c && namespace) {
    if (namespaces(world).includes(namespace)) ctx.finish(0, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
    ctx.finish(1, '', `Error from server (NotFound): namespaces "${namespace}" not found\n`);
  }
  if (c && rest === 'get namespaces -o json')
    ctx.finish(
      0,
      JSON.stringify({ apiVersion: 'v1', kind: 'NamespaceList', metadata: {}, items: namespaces(world).map((name) => ({ metadata: { name } })) }),
    );
  if (rest === '-n cattle-system get secret tls-rancher -o json')
    ctx.finish(
      0,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'tls-rancher', namespace: 'cattle-system' },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n').toString('base64') },
      }),
    );
  // The user's Nodes (k8s-ha) as its API lists them; the deployment's are the roll's cluster (fake-roll.js), their
  // kubelets at the world's version.
  if (c && rest === 'get nodes -o json')
    ctx.finish(
      0,
      JSON.stringify({
        items: world.cluster.servers.map((s) => ({ metadata: { name: s.node }, status: { nodeInfo: { kubeletVersion: a.kubelet } } })),
      }),
    );
  if (rest === 'get nodes -o json' && a.kubelet !== undefined) world.cluster.kubelet = a.kubelet;
  if (rest === 'get backups.resources.cattle.io rancher-aws-scheduled -o json')
    ctx.finish(
      0,
      JSON.stringify({
        apiVersion: 'resources.cattle.io/v1',
        kind: 'Backup',
        metadata: { name: 'rancher-aws-scheduled' },
        spec: { resourceSetName: 'rancher-resource-set-full', schedule: '0 */6 * * *', retentionCount: 28, storageLocation: {} },
      }),
    );
  a.backups ??= {};
  // A create of the run's Backup; any other (a roll's Lease) is the roll's cluster's. The request's body is a file the
  // stub server keeps for the call, read again by the stub that takes it.
  const created = rest === 'create -f - -o json' ? JSON.parse(readFileSync(0, 'utf8')) : undefined;
  if (created?.kind === 'Backup') {
    const backup = created;
    if (backup.spec.schedule !== undefined) ctx.finish(1, '', 'fake acceptance: a one-time Backup has no schedule\n');
    if (backup.status !== undefined) ctx.finish(1, '', 'fake acceptance: a created Backup keeps no status (its status subresource)\n');
    if (a.backups[where])
      ctx.finish(
        1,
        '',
        `Error from server (AlreadyExists): error when creating "STDIN": backups.resources.cattle.io "${backup.metadata.name}" already exists\n`,
      );
    a.backups[where] = true;
    const file = `${backup.metadata.name}-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T12-00-00Z.tar.gz.enc`;
    a.backupFile = file;
    a.backupFiles = { ...a.backupFiles, [where]: file };
    // The failback's one-time Backup (its quiesce) is the standby's (its state's kubeconfig output): the operator
    // there writes to the standby's own bucket (its state's output).
    const bucket = (where === 'standby' ? world.drill.state : world.state).outputs.rancher_backup_bucket.value;
    // Its body is the world's archive (world.drill.backupFile), which the drill downloads through S3 GetObject.
    world.aws.buckets[bucket].objects.push({
      key: `rancher/${file}`,
      version: 'vb',
      // S3 stamps an object's LastModified at its upload (Amazon S3 API Reference, Object: LastModified): the
      // failback holds the standby's newest backup to the schedule's age.
      lastModified: new Date().toISOString(),
      size: 1200,
      ...(world.drill?.backupFile ? { body: world.drill.backupFile } : {}),
    });
    ctx.finish(0, JSON.stringify({ ...backup, metadata: { ...backup.metadata, uid: `uid-${where}`, resourceVersion: '1' } }));
  }
  // The one-time Backup of that cluster (the run's; the failback's in the standby) as the API gives it (the operator's
  // status: its file once uploaded), once created there.
  const oneTime = /^get backups\.resources\.cattle\.io (\S+) -o json$/.exec(rest)?.[1];
  if (oneTime) {
    if (!a.backups[where]) ctx.finish(1, '', `Error from server (NotFound): backups.resources.cattle.io "${oneTime}" not found\n`);
    const file = a.backupFiles?.[where] ?? a.backupFile;
    ctx.finish(0, JSON.stringify({ kind: 'Backup', metadata: { name: oneTime }, status: file ? { filename: file } : {} }));
  }
  if (rest === 'delete backups.resources.cattle.io/rancher-aws-acceptance --wait=false') {
    if (!a.backups[where]) ctx.finish(1, '', 'Error from server (NotFound): backups.resources.cattle.io "rancher-aws-acceptance" not found\n');
    delete a.backups[where];
    a.backupDeleted = true;
    ctx.finish(0, 'backup.resources.cattle.io "rancher-aws-acceptance" deleted\n');
  }
  // Rancher's Deployment of that cluster: the standby's is the failback's to stop (its quiesce), apart from the deployment's.
  require('./rancher-deployment.js').rancherDeployment(ctx, rest, a, where === 'standby' ? 'standbyRancherReplicas' : 'rancherReplicas');
  return require(join(__dirname, 'fake-roll.js')).kubectl(world, args, ctx.finish, ctx.save, { lock: ctx.lock, reload: ctx.reload });
}

function aws(ctx) {
  const { world, args, option } = ctx;
  const a = world.acceptance;
  if (phaseHooks(ctx)) ctx.awsError('ServiceUnavailable', 'injected failure');
  const [service, operation] = args;
  // The metrics phase's (fake-acceptance-metrics.js): GetMetricData, SSM to a server that starts its services.
  if (service === 'ssm' || service === 'cloudwatch') require('./fake-acceptance-metrics.js').aws(ctx, service, operation);
  // Calls to the downstream instance are answered here (the process exits); the roll's go on to fake-roll.js.
  if (service === 'ssm' && downstreamSsm(ctx, operation) === false) return false;
  if (!option('--region')) ctx.finish(252, '', 'You must specify a region.\n');
  // An assumed role's session unless the world says another caller (a.caller: an IAM user's ARN, as STS
  // GetCallerIdentity names a user: arn:aws:iam::<account>:user/<name>).
  if (service === 'sts' && operation === 'get-caller-identity')
    ctx.finish(
      0,
      JSON.stringify({ Account: '123456789012', Arn: a.caller ?? 'arn:aws:sts::123456789012:assumed-role/deployer/alice', UserId: 'AROA:alice' }),
    );
  const backup = migrateBackup(ctx);
  if (service === 's3api' && operation === 'list-objects-v2' && option('--bucket') === a.migrate?.support?.outputs?.bucket) {
    const prefix = option('--prefix') ?? '';
    const contents = backup && backup.key.startsWith(prefix) ? [{ Key: backup.key, Size: 4100 }] : [];
    ctx.finish(0, JSON.stringify(contents.length ? { Contents: contents } : {}));
  }
  // The final snapshots a destroyed RDS datastore left (fake-cloud.js's world.aws.finalDbSnapshots), as RDS shows them.
  if (a.migrate && service === 'rds' && operation === 'describe-db-snapshots') {
    const id = option('--db-snapshot-identifier');
    if (!world.aws.finalDbSnapshots.includes(id)) ctx.awsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
    ctx.finish(0, JSON.stringify({ DBSnapshots: [{ DBSnapshotIdentifier: id, Status: 'available' }] }));
  }
  if (a.migrate && service === 'rds' && operation === 'delete-db-snapshot') {
    const id = option('--db-snapshot-identifier');
    if (!world.aws.finalDbSnapshots.includes(id)) ctx.awsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
    world.aws.finalDbSnapshots = world.aws.finalDbSnapshots.filter((x) => x !== id);
    ctx.finish(0, JSON.stringify({ DBSnapshot: { DBSnapshotIdentifier: id, Status: 'deleted' } }));
  }
  if (service === 'resourcegroupstaggingapi' && operation === 'get-resources') {
    const filter = option('--tag-filters');
    if (filter.startsWith('Key=rancher-aws:deployment,'))
      ctx.finish(0, JSON.stringify({ ResourceTagMappingList: (a.existing ?? []).map((ResourceARN) => ({ ResourceARN })) }));
    // What still exists of the run: its state's resources with an ARN, its keys (scheduled ones too), the leftovers.
    const arns = [
      ...world.state.resources
        .filter((r) => r.mode === 'managed' && /^arn:aws:/.test(r.instances[0].attributes.arn ?? ''))
        .map((r) => r.instances[0].attributes.arn),
      ...Object.keys(world.aws.keys)
        .filter((k) => k.includes('key-') && world.aws.keys[k].state === 'PendingDeletion')
        .map((k) => `arn:aws:kms:eu-west-1:123456789012:key/${k}`),
      ...(a.downstream?.state?.resources ?? []).map((r) => r.instances[0].attributes.arn).filter(Boolean),
      // The migration's module (its bucket) and its rke-ha target (its state's resources with an ARN).
      ...(a.migrate?.support?.resources ?? []).map((r) => r.arn).filter(Boolean),
      ...(a.migrate?.state?.resources ?? [])
        .filter((r) => r.mode === 'managed' && /^arn:aws:/.test(r.instances[0].attributes.arn ?? ''))
        .map((r) => r.instances[0].attributes.arn),
      ...(a.leftovers ?? []),
      // SSM parameters carrying the tag asked for (the Tagging API lists Parameter Store parameters: "Services that
      // support the Resource Groups Tagging API"), in their own region (ARN arn:aws:ssm:<region>:<account>:parameter/<name>).
      ...Object.entries(world.aws.parameters ?? {})
        .filter(([, p]) => (p.tags ?? []).some((t) => `Key=${t.Key},Values=${t.Value}` === filter))
        .map(([name, p]) => `arn:aws:ssm:${p.region ?? 'eu-west-1'}:123456789012:parameter${name}`),
      // A final DB snapshot carries the deployment's tags (copy_tags_to_snapshot): the run's too.
      ...(world.aws.finalDbSnapshots ?? []).map((id) => `arn:aws:rds:eu-west-1:123456789012:snapshot:${id}`),
    ];
    // The Tagging API answers for the region it is asked in: an ARN naming another region is not listed (S3's
    // bucket ARNs name none, and are listed in any).
    const here = [...new Set(arns)].filter((arn) => ['', option('--region')].includes(arn.split(':')[3]));
    ctx.finish(0, JSON.stringify({ ResourceTagMappingList: here.map((ResourceARN) => ({ ResourceARN })) }));
  }
  if (service === 'kms' && operation === 'describe-key') {
    const id = option('--key-id').split('/').pop();
    if (!world.aws.keys[id]) ctx.awsError('NotFoundException', 'Key not found');
    ctx.finish(0, JSON.stringify({ KeyMetadata: { KeyState: world.aws.keys[id].state } }));
  }
  // EC2 as the failover phase meets it: every instance stopped stays so until started (world.acceptance.stoppedInstances;
  // docker's host is also a.stopped), each answer's state the transition's first (EC2 API Reference, StopInstances:
  // `stopping`; StartInstances: `pending`), DescribeInstances the end state.
  if (service === 'ec2' && operation === 'stop-instances') {
    a.stopped = option('--instance-ids');
    a.stoppedInstances = [...new Set([...(a.stoppedInstances ?? []), a.stopped])];
    ctx.finish(0, JSON.stringify({ StoppingInstances: [{ InstanceId: a.stopped, CurrentState: { Name: 'stopping' } }] }));
  }
  if (service === 'ec2' && operation === 'start-instances') {
    const id = option('--instance-ids');
    a.stoppedInstances = (a.stoppedInstances ?? []).filter((i) => i !== id);
    if (a.stopped === id) delete a.stopped;
    ctx.finish(0, JSON.stringify({ StartingInstances: [{ InstanceId: id, CurrentState: { Name: 'pending' } }] }));
  }
  if (service === 'ec2' && operation === 'describe-instances')
    ctx.finish(
      0,
      JSON.stringify({
        Reservations: [{ Instances: [{ State: { Name: (a.stoppedInstances ?? []).includes(option('--instance-ids')) ? 'stopped' : 'running' } }] }],
      }),
    );
  if (service === 'iam') {
    // IAM is global: what the world leaves there, named and tagged with the run in flight.
    const runId = current(ctx.dir)?.runId ?? RUN_ID_PLACEHOLDER;
    const name = current(ctx.dir)?.name ?? `acc-${runId}`;
    // The downstream module's role and instance profile while its state holds them.
    const downstreamIam = (a.downstream?.state?.resources ?? [])
      .filter((r) => ['aws_iam_role', 'aws_iam_instance_profile'].includes(r.type))
      .map((r) => ({ kind: r.type === 'aws_iam_role' ? 'role' : 'instance-profile', name: r.instances[0].attributes.name ?? `${name}-downstream` }));
    // The migration's writer while its module's state holds it.
    const migrateIam = (a.migrate?.support?.resources ?? []).filter((r) => r.type === 'aws_iam_user').map((r) => ({ kind: 'user', name: r.user }));
    const left = [...withRunId(a.iam ?? [], runId), ...downstreamIam, ...migrateIam];
    const arn = (e) => `arn:aws:iam::123456789012:${e.kind}/${e.kind === 'user' ? 'rancher-ha-aws/' : ''}${e.name}`;
    const tags = (kind, name) => {
      const e = left.find((x) => x.kind === kind && (x.name === name || arn(x) === name));
      if (!e) ctx.awsError('NoSuchEntity', `The ${kind} ${name} cannot be found.`);
      ctx.finish(0, JSON.stringify({ Tags: e.tagged === false ? [] : [{ Key: 'rancher-ha-aws:acceptance-run', Value: runId }] }));
    };
    const of = (kind) => left.filter((e) => e.kind === kind);
    if (operation === 'list-roles') ctx.finish(0, JSON.stringify({ Roles: of('role').map((e) => ({ RoleName: e.name, Arn: arn(e) })) }));
    if (operation === 'list-users') ctx.finish(0, JSON.stringify({ Users: of('user').map((e) => ({ UserName: e.name, Arn: arn(e) })) }));
    if (operation === 'list-instance-profiles')
      ctx.finish(0, JSON.stringify({ InstanceProfiles: of('instance-profile').map((e) => ({ InstanceProfileName: e.name, Arn: arn(e) })) }));
    if (operation === 'list-policies') ctx.finish(0, JSON.stringify({ Policies: of('policy').map((e) => ({ PolicyName: e.name, Arn: arn(e) })) }));
    if (operation === 'list-role-tags') tags('role', option('--role-name'));
    if (operation === 'list-user-tags') tags('user', option('--user-name'));
    if (operation === 'list-instance-profile-tags') tags('instance-profile', option('--instance-profile-name'));
    if (operation === 'list-policy-tags') tags('policy', option('--policy-arn'));
  }
  if (service === 'cloudtrail' && operation === 'lookup-events') {
    if (a.cloudTrail === 'denied') ctx.awsError('AccessDeniedException', 'not authorized to perform: cloudtrail:LookupEvents');
    // Event history is regional (CloudTrail User Guide): the run's region holds its regional events, us-east-1 the
    // global services' (IAM, STS's global endpoint, Route53).
    ctx.finish(0, JSON.stringify({ Events: option('--region') === 'us-east-1' ? (a.globalEvents ?? []) : (a.events ?? []) }));
  }
  return false;
}

function curl(ctx) {
  const { args } = ctx;
  const url = args[args.length - 1];
  if (!url.startsWith('http://127.0.0.1')) return false;
  const fail = phaseHooks(ctx);
  if (fail) ctx.finish(7, '', `curl: (7) Failed to connect to ${url}: injected failure\n`);
  // The availability probe's /ping (acceptance-probes.ts: --cacert, through the load balancer) while servers restart.
  if (url.endsWith('/ping') && ['upgrade', 'roll', 'rotate'].includes(current(ctx.dir)?.phase) && !clusterAnswers(ctx, { counted: false }))
    ctx.finish(28, '', `curl: (28) Operation timed out after 4001 milliseconds with 0 bytes received\n`);
  const real = spawnSync('/usr/bin/curl', failoverRoute(ctx, url), { input: readFileSync(0), encoding: 'utf8' });
  ctx.finish(real.status ?? 1, real.stdout, real.stderr);
}

/**
 * The failover phase's world (world.failover): the local Rancher is the primary while the hostname's A record
 * (world.aws.route53) aliases production's load balancer, and answers only while none of its instances is stopped (a
 * lost region: curl's connection refused, exit 7); it is the standby once the record aliases the standby's, which
 * answers once its state holds its load balancer (world.drill.state). `--connect-to <host>:443:<lb>:443` (a check at a
 * load balancer, cli/shared/served-ca.ts) names the deployment itself; real curl cannot reach an ELB name, and the
 * option is taken out: the local Rancher answers for either, as fake-drill.js failoverCurl's NLBs do.
 * world.failover.primaryAnswers: the primary answers with its instances stopped. The args to run.
 */
function failoverRoute(ctx, url) {
  const { world, args } = ctx;
  if (!world.failover) return args;
  const at = args.indexOf('--connect-to');
  const host = new URL(url).host;
  const standbyLb = (world.drill.state?.resources ?? []).find((r) => r.type === 'aws_lb')?.instances[0].attributes.dns_name;
  // Where the name leads as Route 53 answers it (failover routing: the PRIMARY or SECONDARY by its health check).
  const r53 = world.aws.route53 ?? {};
  const aliased = require('./route53-answer.js')
    .answer(r53.zones, r53.healthChecks, world.aws.alarms, host, 'A')
    ?.AliasTarget?.DNSName?.replace(/\.$/, '');
  const lb = at >= 0 ? args[at + 1].split(':').slice(-2)[0] : aliased;
  const answers =
    lb !== undefined && lb === standbyLb ? true : world.failover.primaryAnswers === true || (world.acceptance.stoppedInstances ?? []).length === 0;
  if (!answers) ctx.finish(7, '', `curl: (7) Failed to connect to ${host} port 443 after 3 ms: Couldn't connect to server\n`);
  return at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
}

/** The phases in their order (cli/acceptance/acceptance-report.ts ACCEPTANCE_PHASES: acceptance-downstream.tools holds them equal). */
const ACCEPTANCE_PHASE_ORDER = [
  'deploy',
  'ping',
  'login',
  'second-plan',
  'downstream',
  'upgrade',
  'roll',
  'rotate',
  'backup',
  'metrics',
  'drill',
  'failover',
  'migrate',
  'break',
  'teardown',
  'sweep',
];

module.exports = {
  terraform,
  kubectl,
  aws,
  curl,
  ACCEPTANCE_PHASE_ORDER,
  DEFAULT_CA,
  DOWNSTREAM_INSTANCE,
  MIGRATE_ACCESS_KEY,
  MIGRATE_ENCRYPTION,
  RESTORED_SECRET_PATTERN,
  sha256,
};
