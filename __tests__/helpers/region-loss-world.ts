import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeCloud } from './fake-cloud';
import type { RegionLoss } from './fake-aws/fake-aws';
import { FakeS3 } from './fake-aws/fake-s3';
import { fenceParameterName } from '../../cli/shared/fence';
import { FENCE_GUARD_NAME } from '../../lib/standby/fence-guard';
import { RANCHER_CA, STANDBY_REGION } from './drill-world';

/**
 * The region-loss world (DESIGN §23, issue 91 item 7): the failover's, failback's and drill's worlds
 * (failover-world.ts, failback-world.ts, drill-world.ts) with production's region lost as an outage loses it, not
 * with its instances stopped and the rest answering. The switch is `world.aws.regionLoss` (`loseRegion`); what it
 * denies is one rule (ops-stubs/region-loss.js, fake-aws/README.md "A region lost"):
 * - every AWS call whose endpoint is in the lost region gets no answer (the fake AWS and its endpoint drop it; the
 *   SDK retries a connection error, then reports it): S3, KMS, EC2, ELBv2, SSM, STS's regional endpoint...;
 * - `terraform state pull` of production's module whose backend is S3 in that region fails as Terraform's S3 backend
 *   fails (the world's `productionBackend`: STATE_BACKEND, the backend docs/deploy.md recommends);
 * - the standby's `terraform apply` fails on every resource or data source it would reach through the lost region;
 * - curl to the primary times out (exit 28), not a polite refusal;
 * - with `controlPlanes` (CONTROL_PLANES_LOST: what a us-east-1 primary loses besides its own region, in this world
 *   whose production is synthesized in eu-west-1) us-east-1 is lost too, and with it IAM's and Route 53's APIs and
 *   S3's bucket configuration, from every region.
 * `primaryReturns` is the world event of the primary's servers answering again after a failover.
 */

/** Production's region (eu-west-1) lost. */
export const REGION_LOST: RegionLoss = { region: 'eu-west-1' };
/** Production's region lost, and us-east-1 with the global control planes: a us-east-1 primary's loss. */
export const CONTROL_PLANES_LOST: RegionLoss = { region: 'eu-west-1', controlPlanes: true };
/** Production's state in an S3 backend in its own region, as a user following docs/deploy.md keeps it. */
export const STATE_BACKEND = {
  s3: { bucket: 'rancher-terraform-state', key: 'rancher/rke-ha.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
};

/** Sets the world's region loss (a `change` of the world builders). */
export const loseRegion =
  (loss: RegionLoss = REGION_LOST, then?: (w: any) => void) =>
  (w: any): void => {
    w.aws.regionLoss = loss;
    then?.(w);
  };

/**
 * The world event: the primary's region answers again after a failover, and production's servers, which nothing
 * stopped, boot as they were: its Rancher answers /ping at its load balancer with production's CA, and (unless
 * something fenced it) runs its controllers on the downstream clusters beside the standby's. What the world counts
 * as fenced: production's Rancher scaled to 0 or its servers stopped before the loss took them (world.failover.fenced,
 * which a stub of the failover's fencing will set), or the fence the failover left in the standby region (the world's
 * SSM there holds what it wrote: cli/shared/fence.ts), which production's returning servers read as their guard
 * does (fenceSeen): while it is there they keep Rancher at 0 replicas, so its /ping does not answer.
 */
export function primaryReturns(c: FakeCloud, production: { name: string; stack: string } = { name: 'rancher', stack: 'rke-ha' }): void {
  c.update((w) => {
    delete w.aws.regionLoss;
    w.failover.primaryCa = RANCHER_CA;
    if (guarded(w, production.stack) && fenceSeen(w, fenceParameterName(production.name, production.stack), STANDBY_REGION) === 'set')
      w.failover.fenced = true;
    w.failover.primary = w.failover.fenced ? 'down' : 'pong';
    w.failover.primaryReturned = true;
  });
}

/**
 * Whether production has a guard that reads the fence: rke-ha's servers run failover-fence.sh whatever the settings;
 * k8s-ha's cluster is the person's, where only the CronJob production's apply made (lib/standby/fence-guard.ts, in
 * production's state) honours it, every minute (a period before it acts, as the servers' timer has).
 */
function guarded(w: any, stack: string): boolean {
  if (stack !== 'k8s-ha') return true;
  return (w.state?.resources ?? []).some(
    (r: any) => r.type === 'kubernetes_cron_job_v1' && r.instances.some((i: any) => i.attributes.metadata?.[0]?.name === FENCE_GUARD_NAME),
  );
}

/**
 * What production's servers' guard (lib/kubernetes/failover-fence.sh) reads of the fence in the standby region, in
 * the world: `set` (the parameter is there: Rancher kept at 0), `absent` (SSM answers ParameterNotFound: Rancher as
 * the chart runs it), `unknown` (the standby region does not answer: Rancher left as it is).
 */
export function fenceSeen(w: any, parameter: string, region: string): 'set' | 'absent' | 'unknown' {
  if (w.aws.regionLoss?.region === region) return 'unknown';
  const p = w.aws.parameters?.[parameter];
  return p !== undefined && p.region === region ? 'set' : 'absent';
}

/** Whether the primary's Rancher acts (answers and runs its controllers) while the hostname leads to the standby. */
export function bothRanchersAct(c: FakeCloud, standbyLb: string): boolean {
  const w = c.world();
  const leadsToStandby = Object.values<any>(w.aws.route53.zones)
    .flatMap((z) => z.records)
    .some((r) => r.AliasTarget?.DNSName === `${standbyLb}.` || r.ResourceRecords?.[0]?.Value === standbyLb);
  return leadsToStandby && w.failover.primary === 'pong' && !w.failover.fenced;
}

/** The calls the lost region left unanswered (each attempt), as `<endpoint region> <Client> <Command>`. */
export function refusedCalls(c: FakeCloud): string[] {
  const file = join(c.dir, 'refused.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .map((r) => `${r.region} ${r.call}`);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { endpointRegion, moduleCalls } = require('./ops-stubs/region-loss.js') as {
  endpointRegion(service: string, region: string): string;
  moduleCalls(config: unknown, created?: ReadonlySet<string>): string[];
};

/**
 * Every AWS call of the world's log from its `since`th (the CLI's SDK calls, answered or refused), once each, as `<endpoint region>
 * <Client> <Command>`: the region is the endpoint's (IAM's and Route 53's APIs are us-east-1's, whatever region the
 * client names), and Terraform's state reads of production are S3 GetObject calls in its backend's region.
 */
export function awsCallsByRegion(c: FakeCloud, since = 0): string[] {
  const lines = readFileSync(join(c.dir, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(since)
    .map((l) => JSON.parse(l));
  const calls = new Set<string>();
  const backend = JSON.parse(readFileSync(join(c.moduleDir, 'cdk.tf.json'), 'utf8')).terraform?.backend?.s3;
  for (const l of lines) {
    if (l.tool === 'aws-sdk') {
      const [region, call] = l.args as [string, string];
      calls.add(`${endpointRegion(call.split(' ')[0], region)} ${call}`);
    }
    if (l.tool === 'terraform' && l.cwd === c.moduleDir && backend) calls.add(`${backend.region} S3 GetObject (terraform ${l.args.join(' ')})`);
  }
  return [...calls].sort();
}

/** How many calls the world's log holds now: `awsCallsByRegion(c, since)` leaves them out (a prepare's, before the loss). */
export const callsSoFar = (c: FakeCloud): number => readFileSync(join(c.dir, 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).length;

/**
 * What the standby's apply (its module, `dir`'s cdk.tf.json) calls to create it, by region and service (region-loss.js
 * moduleCalls): what `held` names (the addresses its state held before, a prepared pilot light's) it does not create.
 */
export const applyCallsOf = (moduleDir: string, held: ReadonlySet<string> = new Set()): string[] =>
  moduleCalls(JSON.parse(readFileSync(join(moduleDir, 'cdk.tf.json'), 'utf8')), held);

/** The managed resources the standby's state holds now (`type.name`): after a prepare, its pilot light. */
export const standbyHeld = (c: FakeCloud): Set<string> =>
  new Set((c.world().drill.state?.resources ?? []).filter((r: any) => r.mode === 'managed').map((r: any) => `${r.type}.${r.name}`));

/**
 * The keys S3 replication puts in a copy (fake-aws/fake-s3.ts, its replication as S3 does it): `before` written to
 * the source, then the replication rule made, then `after` written. Only what came after the rule is copied.
 */
export function replicatedKeys(before: readonly string[], after: readonly string[]): string[] {
  const s3 = new FakeS3(() => 1000);
  s3.createBucket('source');
  s3.createBucket('copy');
  for (const key of before) s3.put('source', key);
  s3.setReplication('source', { destination: 'copy', deleteMarkers: true });
  for (const key of after) s3.put('source', key);
  return s3.buckets.get('copy')!.versions.map((v) => v.key);
}
