import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYNTH_STUB, useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { BUCKET, checkEveryDrill, COPY, OLDER, STANDBY_NEWEST } from '../../helpers/drill-world';
import {
  aliasOf,
  FAILED_OVER_ALARM,
  failover,
  failoverK8s,
  failoverWorld,
  k8sFailoverWorld,
  prepare,
  RECORDED,
  STANDBY_LB,
  STANDBY_STATE_BUCKET,
} from '../../helpers/failover-world';
import { codesOf, said } from '../../helpers/plain-output';
import {
  applyCallsOf,
  awsCallsByRegion,
  bothRanchersAct,
  callsSoFar,
  CONTROL_PLANES_LOST,
  loseRegion,
  primaryReturns,
  refusedCalls,
  replicatedKeys,
  standbyHeld,
  STATE_BACKEND,
} from '../../helpers/region-loss-world';

// The failover in the outage it exists for (issue 91 item 7; helpers/region-loss-world.ts): production's region
// eu-west-1 lost (no endpoint of it answers: S3 with Terraform's state backend, KMS, EC2, ELBv2, SSM, STS; curl to the
// primary times out), and for a us-east-1 primary the global control planes with it (IAM, Route 53's API, S3's bucket
// configuration). A case the product does not pass yet is `test.failing`, its assertion the behaviour issue 91's
// "What must hold" asks for, with the item that fixes it; the plain cases hold what passes. The failovers run as
// users run them (the bundled CLI, AWS through the fake AWS endpoint). rke-ha's cases run RKE2, and K3s once (the
// failover's calls are the same; its standby's module adds the datastore), k8s-ha's the person's standby cluster.

useFakeAwsEndpoint();
checkEveryDrill();

/** The report the failover wrote last. */
const reportOf = (dir: string): any => {
  const folder = join(dir, 'failover.out');
  const file = readdirSync(folder)
    .filter((f) => f.startsWith('report-'))
    .sort()
    .reverse()[0];
  return JSON.parse(readFileSync(join(folder, file), 'utf8'));
};

/** One failover of rke-ha in a eu-west-1 loss, production's state a local file, then the primary's return. */
const lost: {
  code?: number;
  codes?: string[];
  calls?: string[];
  refused?: string[];
  apply?: string[];
  bothAct?: boolean;
  standbyBackend?: Record<string, any>;
  fence?: any;
  held?: Set<string>;
  moved?: { alarm?: string; answer?: string };
} = {};

beforeAll(() => {
  // Deployed, then prepared (the pilot light, made while every region answers), then the region lost.
  const c = failoverWorld();
  const prepared = prepare(c);
  if (prepared.code !== 0) throw new Error(`the prepare failed: ${prepared.out}${prepared.err}`);
  lost.held = standbyHeld(c);
  const since = callsSoFar(c);
  c.update(loseRegion());
  const run = failover(c, '--yes');
  Object.assign(lost, {
    code: run.code,
    codes: codesOf(run.out),
    calls: awsCallsByRegion(c, since),
    refused: refusedCalls(c),
    apply: applyCallsOf(join(c.dir, 'failover.out', 'cdktf.out', 'stacks', 'rke-ha'), lost.held),
    // The backend the failover asked the standby's synth for (the world's synth keeps the settings it was given) and
    // the one of the module it applied.
    standbyBackend: {
      asked: JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8')).backend,
      applied: JSON.parse(readFileSync(join(c.dir, 'failover.out', 'cdktf.out', 'stacks', 'rke-ha', 'cdk.tf.json'), 'utf8')).terraform.backend,
    },
    moved: { alarm: c.world().aws.alarms[FAILED_OVER_ALARM]?.state, answer: aliasOf(c) },
  });
  lost.fence = c.world().aws.parameters?.['/rancher/rke-ha/failover-fence'];
  // The world event: the region answers again; production's servers, which nothing stopped, boot as they were.
  primaryReturns(c);
  lost.bothAct = bothRanchersAct(c, STANDBY_LB);
});

describe('npm run failover -- rke-ha with eu-west-1 lost', () => {
  test("production's state a local file: it passes, its SDK calls in us-west-2 alone", () => {
    expect({ code: lost.code, result: lost.codes!.at(-1) }).toEqual({ code: 0, result: 'FAILOVER_RESULT' });
    // Every AWS call the failover made itself, by the endpoint's region (issue 91's closing note wants this list): the
    // name moved by the failover routing's metric (CloudWatch there), no Route 53 call.
    expect(lost.calls).toEqual([
      'us-west-2 CloudWatch DescribeAlarms',
      'us-west-2 CloudWatch PutMetricData',
      'us-west-2 S3 GetObject',
      'us-west-2 S3 ListObjectsV2',
      'us-west-2 SSM GetParameter',
      'us-west-2 SSM PutParameter',
      // Who fails over, so the standby's plan reads the deployer its pilot light read, not IAM (prepared-deployer.ts).
      'us-west-2 STS GetCallerIdentity',
    ]);
    expect(lost.refused).toEqual([]);
    // What the standby's apply calls to create what the pilot light left (its module's resources, by region and
    // service): in us-west-2 alone, none through a control plane (the keys came with the policies and buckets naming them).
    expect(lost.apply).toEqual([
      'us-west-2 CloudWatch',
      'us-west-2 EC2',
      'us-west-2 ElasticLoadBalancingV2',
      'us-west-2 S3',
      'us-west-2 SNS',
      'us-west-2 SQS',
      'us-west-2 SSM',
    ]);
  });

  // issue 91 item 1, the DNS half: failed while the failover moved the name with ChangeResourceRecordSets.
  test("it makes no call to a global control plane: no Route 53 change, the name moved by its failover routing's metric in us-west-2", () => {
    expect(lost.calls!.filter((c) => c.includes('Route53'))).toEqual([]);
    // The name leads to the standby through Route 53's answer alone: the PRIMARY's health check follows the alarm.
    expect(lost.moved).toEqual({ alarm: 'ALARM', answer: `${STANDBY_LB}.` });
  });

  // issue 91 item 1: failed until the pilot light was made at deploy time (failover --prepare, pilot-light.ts).
  test('its apply creates nothing through IAM, S3 bucket configuration or Route 53: the pilot light made them before the outage', () => {
    expect(lost.apply!.filter((c) => c.includes('control plane'))).toEqual([]);
    expect(lost.codes).not.toContain('FAILOVER_NOT_PREPARED');
  });

  // issue 91 item 3: failed until the failover left its fence in us-west-2 (cli/shared/fence.ts), which production's
  // returning servers honour (lib/kubernetes/failover-fence.sh: Rancher kept at 0 replicas).
  test("the primary's servers come back after the failover: production's Rancher does not act beside the standby", () => {
    expect(lost.fence).toMatchObject({ region: 'us-west-2', type: 'String' });
    expect(JSON.parse(lost.fence.value)).toMatchObject({ standby: { name: 'rancher-sb', region: 'us-west-2' }, backup: { bucket: COPY } });
    // Tagged as production's resources are: a sweep by its deployment tag finds a fence no failback lowered.
    expect(lost.fence.tags).toContainEqual({ Key: 'rancher-aws:deployment', Value: 'rancher-rke-ha' });
    expect(lost.bothAct).toBe(false);
  });

  // issue 91 item 6: failed until production's apply kept a bucket for the standby's state in us-west-2 (lib/standby/standby-state.ts).
  test("after the failover the standby's state is in a backend in us-west-2, not a local folder on the machine that ran it", () => {
    expect(lost.standbyBackend).toEqual({
      asked: { type: 's3', bucket: STANDBY_STATE_BUCKET, key: 'rancher/<stack>.tfstate', region: 'us-west-2' },
      applied: { s3: { bucket: STANDBY_STATE_BUCKET, key: 'rancher/rke-ha.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true } },
    });
  });

  // issue 91 item 1: failed (production's state pulled from its backend in the lost region) until the failover read
  // production's facts in the standby region instead (cli/shared/standby-facts.ts).
  test("production's state in an S3 backend in eu-west-1: the failover reads nothing from it, and passes", () => {
    const c = failoverWorld(loseRegion(), { productionBackend: STATE_BACKEND });
    // Run where production's module is not (no --dir, no cdktf.out/stacks/rke-ha): the failover does not need it.
    const run = c.run(['failover', 'rke-ha', '--yes'], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB }, tools: ['terraform', 'curl'] });
    expect(awsCallsByRegion(c).filter((call) => call.startsWith('eu-west-1'))).toEqual([]);
    expect(run.code).toBe(0);
  });

  // issue 91 item 1: failed until the pilot light (made before the outage) and the name's failover routing (moved by a
  // metric of the standby region) were both there: no IAM, S3 bucket configuration or Route 53 change at failover.
  test('a us-east-1 primary (the global control planes lost with it): the standby comes up and the name moves', () => {
    const c = failoverWorld();
    expect(prepare(c).code).toBe(0);
    c.update(loseRegion(CONTROL_PLANES_LOST));
    const run = failover(c, '--yes');
    expect({ code: run.code, failed: codesOf(run.out).filter((code) => code.endsWith('_FAILED')) }).toEqual({ code: 0, failed: [] });
  });

  // issue 91 item 2: failed (STANDBY_BACKUP_STALE) until the backup's age became the RPO, reported and warned.
  test('the outage outlasts the schedule (the newest copy 6 h 20 min old): the failover restores it and reports that RPO', () => {
    const c = failoverWorld(
      loseRegion(undefined, (w) => {
        for (const o of w.aws.buckets[COPY].objects) o.lastModified = new Date(Date.parse(o.lastModified) - 260 * 60_000).toISOString();
      }),
    );
    const run = failover(c, '--yes');
    expect({ code: run.code, refused: codesOf(run.out).filter((code) => code.endsWith('_STALE')) }).toEqual({ code: 0, refused: [] });
    expect(reportOf(c.dir).rpoMinutes).toBeGreaterThanOrEqual(380);
    expect(codesOf(run.out)).toContain('FAILOVER_BACKUP_OLD');
  });

  // issue 91 item 4: failed (FAILOVER_CA_NOT_RECORDED: the CA record never replicated) until the failover read the
  // records from production's facts, which production's apply writes into the copy whatever the rule's age.
  test('a standby added to a running deployment: the records written before its replication rule reach the copy, and the failover passes', () => {
    const ca = `rancher-aws/record-ca/ca=${RECORDED}`;
    const record = 'rancher-aws/record/rancher=2.15.2/hostname=rancher.example.com/encryption=0a1b';
    // Production's first apply wrote the records and its first backup; standby.region came later, with its rule; the
    // backups since were copied (S3 replication as fake-s3.ts models it: only what is written after the rule).
    const copied = replicatedKeys([ca, record, `rancher/${OLDER}`], [`rancher/${STANDBY_NEWEST}`, 'rancher/notes.txt']);
    expect(copied).toEqual([`rancher/${STANDBY_NEWEST}`, 'rancher/notes.txt']);
    const c = failoverWorld(
      loseRegion(undefined, (w) => {
        w.aws.buckets[BUCKET].objects.push(
          { key: ca, version: 'v4', lastModified: '2026-11-01T00:00:00.000Z', size: 60 },
          { key: record, version: 'v5', lastModified: '2026-11-01T00:00:00.000Z', size: 60 },
        );
        w.aws.buckets[COPY].objects = w.aws.buckets[COPY].objects.filter((o: any) => copied.includes(o.key));
      }),
    );
    const run = failover(c, '--yes');
    expect({ code: run.code, refused: codesOf(run.out).filter((code) => code.includes('NOT_RECORDED')) }).toEqual({ code: 0, refused: [] });
  });
});

describe('npm run failover -- rke-ha (K3s) with eu-west-1 lost', () => {
  test("production's state a local file: it passes, with the same calls as RKE2's; its datastore prepared, the standby's apply adds no RDS call", () => {
    const c = failoverWorld(undefined, { k3s: true });
    const prepared = prepare(c);
    expect({ code: prepared.code, said: said(prepared.out, 'FAILOVER_PREPARED') }).toEqual({
      code: 0,
      said: expect.stringContaining("the load balancer, K3s' datastore;"),
    });
    const held = standbyHeld(c);
    // K3s' datastore made by the prepare (pilot-light.ts), with its subnet group: the failover finds it.
    expect([...held].filter((a) => a.startsWith('aws_db_'))).toEqual([
      expect.stringMatching(/^aws_db_instance\./),
      expect.stringMatching(/^aws_db_subnet_group\./),
    ]);
    const since = callsSoFar(c);
    c.update(loseRegion());
    const run = failover(c, '--yes');
    expect({ code: run.code, result: codesOf(run.out).at(-1) }).toEqual({ code: 0, result: 'FAILOVER_RESULT' });
    expect(awsCallsByRegion(c, since)).toEqual(lost.calls);
    const apply = applyCallsOf(join(c.dir, 'failover.out', 'cdktf.out', 'stacks', 'rke-ha'), held);
    // issue 91 "Numbers": was ['us-west-2 RDS'] (the failover made the datastore, 10 minutes of its RTO) until the
    // prepare made it ahead.
    expect(apply.filter((call) => !lost.apply!.includes(call))).toEqual([]);
  });
});

describe('npm run failover -- k8s-ha with eu-west-1 lost', () => {
  const TARGET = 'k8s-sb-ingress-0a1b.elb.us-west-2.amazonaws.com';

  /** One failover of k8s-ha in a eu-west-1 loss, the name moved by the failover routing's metric, then the primary's return. */
  const routed: { code?: number | null; result?: string; calls?: string[]; fence?: any; bothAct?: boolean } = {};
  beforeAll(() => {
    const c = k8sFailoverWorld(TARGET, loseRegion(), { failoverRouting: true });
    const run = failoverK8s(c, '--yes');
    Object.assign(routed, { code: run.code, result: codesOf(run.out).at(-1), calls: awsCallsByRegion(c) });
    routed.fence = c.world().aws.parameters?.['/rancher/k8s-ha/failover-fence'];
    // The world event: the region answers again; production's cluster runs what production's apply left in it.
    primaryReturns(c, { name: 'rancher', stack: 'k8s-ha' });
    routed.bothAct = bothRanchersAct(c, TARGET);
  });

  test("production's state a local file: it passes, its SDK calls in us-west-2 alone (the name moved by the failover routing's metric)", () => {
    expect({ code: routed.code, result: routed.result }).toEqual({ code: 0, result: 'FAILOVER_RESULT' });
    // rke-ha's calls, listed in its first case: k8s-ha's failover reads and writes the same, in the same region, but
    // for STS (k8s-ha's standby has no boot parameters' key naming who applies it).
    expect(routed.calls).toEqual(lost.calls!.filter((call) => !call.includes(' STS ')));
  });

  // issue 91 item 3: failed (production's cluster is the person's, and nothing of production's read the fence there)
  // until production's apply left its guard in the cluster (lib/standby/fence-guard.ts, a CronJob reading the fence).
  test("the primary's cluster comes back after the failover: production's Rancher does not act beside the standby", () => {
    expect(routed.fence).toMatchObject({ region: 'us-west-2' });
    expect(routed.bothAct).toBe(false);
  });

  // issue 91 item 1: failed (production's state pulled from its backend in the lost region) until the failover read
  // production's facts in the standby region instead (cli/shared/standby-facts.ts).
  test("production's state in an S3 backend in eu-west-1: the failover reads nothing from it, and passes", () => {
    const c = k8sFailoverWorld(TARGET, loseRegion(), { productionBackend: STATE_BACKEND });
    const run = failoverK8s(c, '--yes');
    expect(awsCallsByRegion(c).filter((call) => call.startsWith('eu-west-1'))).toEqual([]);
    expect(run.code).toBe(0);
  });
});
