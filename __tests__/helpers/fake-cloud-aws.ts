import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, MetadataBearer, Pluggable } from '@smithy/types';
import { sdkCall } from '../../cli/shared/aws/calls';
import type { AwsClients, ClientsOfRegion } from '../../cli/shared/aws/clients';
import { FakeAws } from './fake-aws/fake-aws';
import type { FakeCloud } from './fake-cloud';
import { REGION } from './world-file';

const DAY = 24 * 60 * 60 * 1000;

/**
 * The in-memory fake AWS (fake-aws/, its spec in fake-aws/README.md) as the AWS of a fake cloud's world, for a
 * command driven in jest's process while Terraform stays the stub process (ops-stubs/fake-cloud.js).
 *
 * Why the two never disagree: the world file is the one truth. The stub terraform reads and writes its `aws` part
 * (a destroy refuses a protected load balancer or database and a non-empty bucket, and removes what it deletes), and
 * around every SDK call this plugin loads the fake from that part and writes the fake's state back before the call
 * returns. The command runs one step at a time (it waits for each terraform process it starts), so no stub runs
 * while an SDK call does: each side always acts on what the other left. What the fake models beyond the world's
 * fields (an RDS change applied but not reported yet) is kept in the world too, where the stub does not read it.
 *
 * Every SDK call is appended to the world's call log (`aws-sdk <region> <Client> <Command> <input>`), in order with
 * the stubs' calls, and after each the guard invariant the stub checks after each of its calls (checkInvariants in
 * ops-stubs/fake-cloud.js: no snapshot data without its guards or under a key that is not Enabled) is checked here.
 */
export function awsOfWorld(cloud: FakeCloud): { readonly fake: FakeAws; readonly of: ClientsOfRegion } {
  const fake = new FakeAws();
  const made = new Map<string, AwsClients>();
  const of = (region: string) => {
    let clients = made.get(region);
    if (clients === undefined) made.set(region, (clients = fake.clients({ region, plugins: [worldPlugin(cloud, fake, region)] })));
    return clients;
  };
  return { fake, of };
}

/** Around each call (all its attempts): the fake loaded from the world, the call logged, the world written back, checked. */
function worldPlugin(cloud: FakeCloud, fake: FakeAws, region: string): Pluggable<object, MetadataBearer> {
  return {
    applyToStack: (stack) => {
      stack.add(
        (next: InitializeHandler<any, any>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<any>) => {
          const call = sdkCall(String(context.clientName), String(context.commandName));
          // The input as the SDK's own log filter shows it (a SecureString's Value as ***SensitiveInformation***), then
          // as the fake AWS endpoint logs it (loggedInput): a secret reaches no log, and both logs mark it alike.
          const shown = context.inputFilterSensitiveLog ? context.inputFilterSensitiveLog(args.input) : args.input;
          const line = ['aws-sdk', region, call, loggedInput(call, shown as Record<string, any>)];
          load(fake, cloud.world().aws, region);
          appendFileSync(join(cloud.dir, 'calls.jsonl'), `${JSON.stringify({ tool: line[0], args: line.slice(1) })}\n`);
          try {
            return await next(args);
          } catch (error) {
            // A call a lost region left unanswered (world.aws.regionLoss): listed apart, with the endpoint's region.
            if ((error as { $unreachable?: boolean }).$unreachable)
              for (const refused of fake.refused.splice(0))
                appendFileSync(join(cloud.dir, 'refused.jsonl'), `${JSON.stringify({ client: region, ...refused })}\n`);
            throw error;
          } finally {
            cloud.update((world) => save(fake, world.aws, region));
            const calls = readFileSync(join(cloud.dir, 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).length;
            for (const text of unguardedData(cloud.world().aws))
              appendFileSync(join(cloud.dir, 'violations'), `${calls} ${line.join(' ')}: ${text}\n`);
          }
        },
        { step: 'initialize', name: 'fakeCloudWorld', priority: 'high' },
      );
    },
  };
}

/** The fake set to the world's AWS objects (fake-cloud.ts awsOf: load balancers, databases, buckets, keys, log groups, snapshots). */
export function load(fake: FakeAws, aws: any, region: string): void {
  // A region lost (fake-aws/README.md, "A region lost"): the world's switch, read before every call.
  fake.regionLoss = aws.regionLoss;
  // Who calls (STS GetCallerIdentity, and the principal a key policy is checked against): the world's, if it says.
  if (aws.caller) fake.identity = { ...fake.identity, Arn: aws.caller, Account: String(aws.caller).split(':')[4] };
  // Elastic Load Balancing and RDS are regional: an endpoint answers for the load balancers (their ARN's region) and
  // the DB instances (the world's `region`, else the world's own) of its region only, and a request naming one of
  // another region is answered LoadBalancerNotFound / DBInstanceNotFound (AWS General Reference, "Service endpoints":
  // a regional service's endpoint serves that region's resources).
  fake.elbv2.loadBalancers.clear();
  for (const [arn, lb] of Object.entries<any>(aws.lbs))
    if ((arn.split(':')[3] || REGION) === region) fake.elbv2.loadBalancers.set(arn, { 'deletion_protection.enabled': String(lb.protection) });
  fake.rds.instances.clear();
  for (const [id, db] of Object.entries<any>(aws.dbs))
    if ((db.region ?? REGION) === region)
      fake.rds.instances.set(id, {
        deletionProtection: db.protection,
        pendingLooks: db.pending?.looks ?? 0,
        ...(db.pending ? { pendingValue: db.pending.value } : {}),
      });
  fake.s3.buckets.clear();
  for (const [name, b] of Object.entries<any>(aws.buckets)) {
    if (!b.exists) continue;
    const bucket = fake.s3.createBucket(name);
    // Its replication rule (fake-aws/README.md, "S3 replication"): the world's objects are there already (not copied
    // again); what a call writes from now on is.
    if (b.replication) bucket.replication = b.replication;
    for (const o of b.objects) {
      // An object's body: the world's file for it (`body`, a path: the drill's backup), or its text (`text`: production's
      // standby facts), else `size` bytes of nothing; its date the world's, which the drill picks the newest by.
      const body = o.body ? readFileSync(o.body) : o.text !== undefined ? Buffer.from(o.text) : Buffer.alloc(o.size ?? 0);
      bucket.versions.push({
        key: o.key,
        versionId: o.version,
        deleteMarker: o.deleteMarker === true,
        body,
        modified: new Date(o.lastModified ?? 0),
        ...(o.sse ? { sse: o.sse } : {}),
        ...(o.kmsKey ? { kmsKeyId: o.kmsKey } : {}),
        ...(o.replicationStatus ? { replicationStatus: o.replicationStatus } : {}),
      });
      if (o.locked) bucket.locked.add(o.key);
      // A key the caller's identity may not decrypt (the drill's --etcd: production's snapshot key): GetObject and
      // CopyObject of it are AccessDenied.
      if (o.unreadable) bucket.unreadable.add(o.key);
    }
  }
  fake.kms.keys.clear();
  // A KMS key is regional: asked in another region than its own, KMS does not find it (AWS KMS Developer Guide,
  // "Regions"). A key without `region` is the deployment's (a standby's key names the standby's region).
  for (const [id, k] of Object.entries<any>(aws.keys))
    if ((k.region ?? REGION) === region)
      fake.kms.keys.set(id, {
        state: k.state,
        ...(k.window ? { deletionDate: new Date(fake.kms.now.getTime() + k.window * DAY) } : {}),
        // Who the key's policy lets use it (fake-kms.ts mayDecrypt); unset, not modelled.
        ...(k.users ? { users: k.users } : {}),
      });
  fake.logs.groups.clear();
  for (const [name, g] of Object.entries<any>(aws.logGroups)) if (g.exists) fake.logs.groups.add(name);
  // Route 53's zones and changes: the world's own objects (global, whatever the region), changed in place.
  if (aws.route53) {
    fake.route53.zones = aws.route53.zones;
    fake.route53.changes = aws.route53.changes ??= {};
    if (aws.route53.pendingLooks !== undefined) fake.route53.pendingLooks = aws.route53.pendingLooks;
    fake.route53.healthChecks = aws.route53.healthChecks ?? {};
  }
  // CloudWatch's alarms (failover routing's): the world's own, in place, answered in the call's region.
  fake.cloudwatch.alarms = aws.alarms ??= {};
  fake.cloudwatch.region = region;
  // SSM parameters (the drill's token parameter, the failover's fence): the world's, by name. A parameter is regional
  // (SSM API Reference: a parameter lives in the Region it was written in): one with `region` is found there only.
  fake.ssm.parameters.clear();
  for (const [name, p] of Object.entries<any>(aws.parameters ?? {}))
    if (p.region === undefined || p.region === region) fake.ssm.parameters.set(name, { ...p, tags: [...p.tags] });
  fake.ec2.snapshots.length = 0;
  for (const [volumeId, ids] of Object.entries<string[]>(aws.volumes ?? {}))
    for (const id of ids) fake.ec2.snapshots.push({ id, volumeId, owner: fake.ec2.account });
}

/** The world's AWS objects set to the fake's, in place (what the fake does not model, such as a bucket's guards, stays). */
export function save(fake: FakeAws, aws: any, region?: string): void {
  for (const [arn, lb] of Object.entries<any>(aws.lbs)) {
    const attributes = fake.elbv2.loadBalancers.get(arn);
    if (attributes) lb.protection = attributes['deletion_protection.enabled'] === 'true';
  }
  for (const [id, db] of Object.entries<any>(aws.dbs)) {
    const instance = fake.rds.instances.get(id);
    if (!instance) continue;
    db.protection = instance.deletionProtection;
    if (instance.pendingValue === undefined) delete db.pending;
    else db.pending = { value: instance.pendingValue, looks: instance.pendingLooks };
  }
  for (const [name, b] of Object.entries<any>(aws.buckets)) {
    if (!b.exists) continue;
    const bucket = fake.s3.buckets.get(name);
    if (!bucket) b.exists = false;
    else {
      // An object the world holds keeps what the fake does not model (its date and size, which the drill reads).
      const held = new Map<string, any>(b.objects.map((o: any) => [`${o.key} ${o.version}`, o]));
      // A replica a call's write made: the world's fields of its source version (its date, size, body file), as
      // S3 keeps them (the same version id and modification time).
      const sources = Object.values<any>(aws.buckets).filter((x) => x.replication?.destination === name);
      const sourceOf = (v: { key: string; versionId: string }) =>
        sources.flatMap((x) => x.objects).find((o: any) => o.key === v.key && o.version === v.versionId);
      b.objects = bucket.versions.map((v) => ({
        ...(held.get(`${v.key} ${v.versionId}`) ??
          (v.replicationStatus === 'REPLICA' ? { ...sourceOf(v), lastModified: v.modified.toISOString(), size: v.body.length } : {})),
        key: v.key,
        version: v.versionId,
        ...(bucket.locked.has(v.key) ? { locked: true } : {}),
        ...(v.deleteMarker ? { deleteMarker: true } : {}),
        ...(v.sse ? { sse: v.sse } : {}),
        ...(v.replicationStatus ? { replicationStatus: v.replicationStatus } : {}),
      }));
    }
  }
  for (const [id, k] of Object.entries<any>(aws.keys)) {
    const key = fake.kms.keys.get(id);
    if (!key) continue;
    k.state = key.state;
    if (key.deletionDate) k.window = Math.round((key.deletionDate.getTime() - fake.kms.now.getTime()) / DAY);
  }
  for (const [name, g] of Object.entries<any>(aws.logGroups)) g.exists = fake.logs.groups.has(name);
  aws.alarms = fake.cloudwatch.alarms;
  if (aws.parameters !== undefined || fake.ssm.parameters.size > 0) {
    // Another region's parameters stay as they were; one this call created outside the world's region is that region's.
    const elsewhere = Object.entries<any>(aws.parameters ?? {}).filter(([, p]) => p.region !== undefined && p.region !== region);
    const here = [...fake.ssm.parameters].map(([name, p]: [string, any]) => [
      name,
      p.region === undefined && !(name in (aws.parameters ?? {})) && region !== undefined && region !== REGION ? { ...p, region } : p,
    ]);
    aws.parameters = Object.fromEntries([...elsewhere, ...here]);
  }
}

/**
 * A call's input as the world's call log keeps it: a parameter's value is not there, as CloudTrail's record of
 * PutParameter does not hold it either (the drill's checks look for production's token in the log).
 */
export function loggedInput(call: string, input: Record<string, any>): string {
  return JSON.stringify(call === 'SSM PutParameter' && 'Value' in input ? { ...input, Value: '(not logged)' } : input);
}

/** ops-stubs/fake-cloud.js checkInvariants' bucket part, on the world's AWS objects: snapshot data without its guards. */
export function unguardedData(aws: any): string[] {
  const found: string[] = [];
  for (const [name, bucket] of Object.entries<any>(aws.buckets)) {
    if (!bucket.exists || bucket.objects.length === 0) continue;
    if (!bucket.guarded) found.push(`bucket ${name} holds ${bucket.objects.length} objects without its guards`);
    const key = bucket.key && aws.keys[bucket.key];
    if (key && key.state !== 'Enabled') found.push(`bucket ${name} holds objects under KMS key ${bucket.key}, which is ${key.state}`);
  }
  return found;
}
