import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ClientsOfRegion } from '../shared/aws/clients';
import { IoHost } from '../shared/io/io-host';
import { STANDBY_STATE_KEY, STANDBY_STATE_PARAMETER, STANDBY_TARGET_PARAMETER } from '../../lib/standby/standby-facts-keys';
import { arnRegion } from '../shared/aws';
import { RESTORE_VARIABLE } from '../shared/failover-record';
import { ChoiceNeeded, type Deployment, inState, managed, readDeploymentRecords } from '../shared/module-folder';
import { withEnvironment } from '../shared/scoped-environment';
import { StateFile, stateFilePath } from '../shared/state-file';
import { type Store, storesOf } from '../shared/stores';
import { ModuleState, type StateResource, stringAttribute, Terraform } from '../shared/terraform';

/** A teardown tells through an I/O host: the command line's, or the drill's or acceptance run's, whose status line then holds its steps. */
export type TeardownOptions = TeardownSettings & { readonly io: IoHost };

/** A teardown's settings, with the host it tells through. */
type TeardownRun = TeardownSettings & { readonly io: IoHost };

export interface TeardownSettings {
  /** The synthesized module folder. */
  readonly dir: string;
  /** What the user called it (the stack name or the folder), for messages. */
  readonly label: string;
  /** The deployment the person expects the module to hold (`--deployment`): the teardown stops when it holds another. */
  readonly deployment?: string;
  /** Keep the snapshot bucket, Rancher's backup bucket, their guards, the KMS key that encrypts them and the flow-log store, guarded. @default false */
  readonly keepSnapshots?: boolean;
  /** Print the plan and stop. @default false */
  readonly dryRun?: boolean;
  /** Skip the typed confirmation (pipelines). @default false */
  readonly yes?: boolean;
  /** Asks the user to type the deployment name; undefined when nobody can answer (no terminal). */
  readonly ask?: (question: string) => Promise<string | undefined> | string | undefined;
  /** Where the join token is saved with --keep-snapshots (a restore needs it). @default ./<name>-join-token */
  readonly tokenFile?: string;
  /** Budget of the terraform destroy. @default 3600000 (60 minutes) */
  readonly destroyTimeoutMs?: number;
  /**
   * The AWS clients of each region the teardown acts in. @default made here once a region, through the SDK's default
   * credential chain (AWS_PROFILE, SSO, environment, instance role), and closed when the teardown ends
   */
  readonly aws?: ClientsOfRegion;
  /**
   * Aborted on a signal (the command line's): the destroy in flight is sent SIGINT, so terraform ends the operations
   * in flight and saves its state, and the teardown stops before its next step; a rerun continues. @default none
   */
  readonly stop?: AbortSignal;
}

/** What the teardown keeps between runs (`<module>/.rancher-ha-aws/teardown.json`). */
export interface TeardownRecord {
  readonly name: string;
  readonly region: string;
  readonly keepSnapshots: boolean;
  readonly stores: readonly Store[];
  /** Stores deleted so far (by id). */
  readonly deleted: readonly string[];
  readonly finalDbSnapshots: readonly string[];
  readonly dataVolumes: readonly string[];
  readonly tokenFile?: string;
  /** Where the encryption configuration of Rancher's backups was saved with --keep-snapshots. */
  readonly backupEncryptionFile?: string;
  /** The deployment as the first run read it (a teardown.json of an older version has none). */
  readonly deployment?: Deployment;
  /** The parameters operations commands wrote beside the deployment, which the destroy does not know (recorded before it). */
  readonly parameters?: readonly OperationsParameter[];
  /** Those deleted so far, or found gone (also in parametersGone), by name. */
  readonly parametersDeleted?: readonly string[];
  readonly parametersGone?: readonly string[];
  /** The standby states production's state named (recorded before the destroy takes their pointers): read at each run. */
  readonly standbyStates?: readonly StandbyStateRef[];
  readonly done: boolean;
}

/**
 * Where the Terraform state of a standby deployment is: the bucket production's apply made in the standby region
 * (lib/standby/standby-state.ts, a store of production's), named by `<path>/standby-state` there, and the key the
 * standby's S3 backend uses in it (STANDBY_STATE_KEY). `failover --prepare` keeps the pilot light's state there, and a
 * failover its standby's.
 */
export interface StandbyStateRef {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  /** The stack whose standby it is: its module is `failover.out/cdktf.out/stacks/<stack>` where the prepare ran. */
  readonly stack: string;
}

/**
 * What a standby's state held when this run read it: how many managed resource instances, whether servers among them
 * (a standby that runs: a failover's, kept by a failback) and an RDS datastore (K3s' pilot light); or why it could
 * not be read (then nothing tells that it describes nothing: its bucket stays too).
 */
export type StandbyFinding = { readonly resources: number; readonly servers: boolean; readonly datastore: boolean } | { readonly unread: string };

/** A standby state this run keeps its bucket for: one that still describes resources, or that could not be read. */
export interface StandingStandby {
  readonly ref: StandbyStateRef;
  readonly finding: StandbyFinding;
}

/**
 * An SSM parameter an operations command wrote beside the deployment, not Terraform: `failover --prepare`'s
 * `<path>/standby-target` in the standby region (the standby's load balancer, which production's plan reads for the
 * hostname's SECONDARY records). Named after production's own `<path>/standby-state` there, which its state holds.
 */
export interface OperationsParameter {
  readonly name: string;
  readonly region: string;
}

/** Terraform providers whose resources live in the cluster, which goes away with the servers. */
const IN_CLUSTER = /^(helm|kubernetes|rancher2)_/;

/** Everything the teardown will do, worked out from the state before anything changes. */
export interface TeardownPlan {
  readonly forgetInCluster: readonly string[];
  /** Store resources (buckets with their guards, log groups, keys) taken out of the state before the destroy. */
  readonly forgetStores: readonly string[];
  readonly stores: readonly Store[];
  /** Each with its region where the state says it (its ARN's): a standby's module holds resources of several regions. */
  readonly loadBalancers: readonly { address: string; arn: string; region?: string }[];
  readonly databases: readonly { address: string; identifier: string; finalSnapshot?: string; region?: string }[];
  readonly dataVolumes: readonly string[];
  /** Managed resources terraform destroys. */
  readonly destroyCount: number;
  /** Parameters operations commands wrote beside the deployment: deleted after the destroy, whatever is kept. */
  readonly parameters: readonly OperationsParameter[];
  /** The standby states the state names (StandbyStateRef): read before the plan is told, their bucket kept while one describes resources. */
  readonly standbyStates: readonly StandbyStateRef[];
}

/** A resource's region as its state says it: its ARN's, else its `region` attribute (provider 6's per-resource region). */
function resourceRegion(r: StateResource): string | undefined {
  const arn = stringAttribute(r.attributes.arn);
  return (arn && arnRegion(arn)) ?? stringAttribute(r.attributes.region);
}

/** Works out the plan from the state: which resources are forgotten, which guards are lifted, which stores stay. */
export function planTeardown(state: ModuleState, deployment: Deployment): TeardownPlan {
  const live = state.resources.filter((r) => r.mode === 'managed');
  // Every in-cluster resource of the module, the deployment's or not: the destroy is of the whole module, and the
  // cluster goes with the servers.
  const forgetInCluster = live.filter((r) => IN_CLUSTER.test(r.type)).map((r) => r.address);
  const { stores, resources: storeResources } = storesOf(state, deployment);
  const regionOf = (r: StateResource) => {
    const region = resourceRegion(r);
    return region ? { region } : {};
  };
  const loadBalancers = inState(state, deployment.loadBalancers).map((r) => ({
    address: r.address,
    arn: String(r.attributes.arn ?? r.attributes.id),
    ...regionOf(r),
  }));
  const databases = inState(state, deployment.databases).map((r) => ({
    address: r.address,
    identifier: String(r.attributes.identifier ?? r.attributes.id),
    finalSnapshot: r.attributes.skip_final_snapshot ? undefined : stringAttribute(r.attributes.final_snapshot_identifier),
    ...regionOf(r),
  }));
  const dataVolumes = inState(state, deployment.dataVolumes).map((r) => String(r.attributes.id));
  const forgotten = new Set([...forgetInCluster, ...storeResources.map((r) => r.address)]);
  return {
    forgetInCluster,
    forgetStores: storeResources.map((r) => r.address),
    stores,
    loadBalancers,
    databases,
    dataVolumes,
    destroyCount: live.filter((r) => !forgotten.has(r.address)).length,
    parameters: operationsParameters(state),
    standbyStates: standbyStatesOf(state),
  };
}

/** The standby states production's state names: each `<path>/standby-state` parameter's value (a bucket), in its region. */
export function standbyStatesOf(state: ModuleState): StandbyStateRef[] {
  return managed(state, 'aws_ssm_parameter').flatMap((r) => {
    const name = stringAttribute(r.attributes.name);
    const bucket = stringAttribute(r.attributes.value);
    const region = resourceRegion(r);
    if (!name?.endsWith(STANDBY_STATE_PARAMETER) || !bucket || !region) return [];
    const stack = name.slice(0, -STANDBY_STATE_PARAMETER.length).split('/').at(-1) ?? '';
    return [{ bucket, region, key: STANDBY_STATE_KEY.replace('<stack>', stack), stack }];
  });
}

/** The standby states a run reads: those an earlier run recorded and the state's, whose bucket is not deleted yet. */
function standbyStatesOfRun(plan: TeardownPlan, record: TeardownRecord | undefined): StandbyStateRef[] {
  const known = new Map((record?.standbyStates ?? []).map((s) => [s.bucket, s]));
  for (const s of plan.standbyStates) known.set(s.bucket, s);
  return [...known.values()].filter((s) => !record?.deleted.includes(s.bucket));
}

/** Whether a finding keeps the bucket: resources there, or a state that could not be read. */
export const stands = (finding: StandbyFinding): boolean => 'unread' in finding || finding.resources > 0;

/**
 * The command that removes what a standby's state describes, run where `failover --prepare` (or the failover) ran:
 * the teardown of the standby's module. A standby that runs keeps its backups (`--keep-snapshots`, as the failback
 * tears it down); a pilot light's stores hold nothing yet and go with it.
 */
export function standbyTeardownCommand(s: StandingStandby): string {
  const running = !('unread' in s.finding) && s.finding.servers;
  return `npm run teardown -- --dir failover.out/cdktf.out/stacks/${s.ref.stack}${running ? ' --keep-snapshots' : ''}`;
}

/** How the removal is asked for: a state that could not be read may hold nothing. */
const removeWords = (s: StandingStandby): string => ('unread' in s.finding ? 'If it holds any, remove them' : 'Remove them');

/** What a standing standby's state holds, in words. */
function describeStanding(s: StandingStandby): string {
  const where = `s3://${s.ref.bucket}/${s.ref.key} (${s.ref.region})`;
  if ('unread' in s.finding) return `the standby's state ${where} could not be read (${s.finding.unread}): nothing shows it describes nothing`;
  const what = s.finding.servers
    ? "a standby deployment that runs (a failover's, kept by a failback)"
    : `the pilot light of failover --prepare${s.finding.datastore ? ", K3s' deletion-protected RDS datastore among them" : ''}`;
  return `the standby's state ${where} still holds ${s.finding.resources} resources, ${what}`;
}

/**
 * The parameters operations commands write beside a deployment with a standby (OperationsParameter): beside each
 * `<path>/standby-state` production's state holds, in its region (its ARN's, else its `region`), `<path>/standby-target`.
 */
export function operationsParameters(state: ModuleState): OperationsParameter[] {
  return managed(state, 'aws_ssm_parameter').flatMap((r) => {
    const name = stringAttribute(r.attributes.name);
    const region = resourceRegion(r);
    if (!name?.endsWith(STANDBY_STATE_PARAMETER) || !region) return [];
    return [{ name: `${name.slice(0, -STANDBY_STATE_PARAMETER.length)}${STANDBY_TARGET_PARAMETER}`, region }];
  });
}

/** The parameters a record names that are not deleted yet. */
function parametersLeft(record: Pick<TeardownRecord, 'parameters' | 'parametersDeleted'>): OperationsParameter[] {
  return (record.parameters ?? []).filter((p) => !(record.parametersDeleted ?? []).includes(p.name));
}

/** The parameters this run deletes: those an interrupted run recorded and did not delete, and the plan's. */
function parametersOfRun(plan: TeardownPlan, record: TeardownRecord | undefined): OperationsParameter[] {
  const known = new Map((record ? parametersLeft(record) : []).map((p) => [p.name, p]));
  for (const p of plan.parameters) known.set(p.name, p);
  return [...known.values()];
}

const describeParameter = (p: OperationsParameter) => `SSM parameter ${p.name} (${p.region}), written by failover --prepare`;

/** The override file that lets the destroy delete the load balancers and the datastore once AWS deletion protection is off. */
export function preventDestroyOverride(plan: TeardownPlan): Record<string, unknown> | undefined {
  const lifted = [...plan.loadBalancers.map((b) => b.address), ...plan.databases.map((d) => d.address)];
  if (lifted.length === 0) return undefined;
  const resource: Record<string, Record<string, unknown>> = {};
  for (const address of lifted) {
    const [type, name] = address.split('.');
    resource[type] = { ...resource[type], [name]: { lifecycle: { prevent_destroy: false } } };
  }
  return { resource };
}

/**
 * The stores this run keeps or deletes: those an interrupted run of the same deployment recorded and has not deleted
 * yet (the state may have forgotten them), and those of the state.
 */
export function storesOfRun(plan: TeardownPlan, record: TeardownRecord | undefined): Store[] {
  const known = new Map((record?.stores ?? []).filter((s) => !record?.deleted.includes(s.id)).map((s) => [s.id, s]));
  for (const s of plan.stores) known.set(s.id, s);
  return [...known.values()];
}

/** The steps in words, numbered as they are taken, as --dry-run prints them and the run follows them. */
export function describeTeardown(
  plan: TeardownPlan,
  keep: boolean,
  record: TeardownRecord | undefined,
  standing: readonly StandingStandby[] = [],
): string[] {
  const held = new Set(standing.map((s) => s.ref.bucket));
  const all = storesOfRun(plan, record);
  const stores = keep ? all : all.filter((s) => !held.has(s.id));
  const steps = [
    plan.forgetInCluster.length
      ? `Forget ${plan.forgetInCluster.length} in-cluster resources (terraform state rm; the cluster goes with the servers): ${plan.forgetInCluster.join(', ')}`
      : 'No in-cluster resources left in the state.',
    plan.forgetStores.length
      ? `Take the data stores out of the state (terraform state rm, nothing changes in AWS): ${plan.forgetStores.join(', ')}`
      : 'No data store left in the state.',
    ...plan.loadBalancers.map((b) => `Lift AWS deletion protection of the load balancer ${b.arn} (aws elbv2 modify-load-balancer-attributes).`),
    ...plan.databases.map(
      (d) =>
        `Lift RDS deletion protection of ${d.identifier} (aws rds modify-db-instance); the destroy deletes it after a final snapshot ${d.finalSnapshot ?? '(none: skip_final_snapshot)'}.`,
    ),
    `terraform apply -destroy -refresh=false: destroys the ${plan.destroyCount} remaining resources without reading the cluster, Rancher or any data source.`,
    ...parametersOfRun(plan, record).map(
      (p) =>
        `Delete the ${describeParameter(p)}: the standby's load balancer, which only this deployment's plan reads (with --keep-snapshots too; a new deployment's prepare writes it again).`,
    ),
    stores.length === 0
      ? 'No snapshot bucket, flow-log store or KMS key to keep or delete.'
      : keep
        ? `Keep, with every guard: ${stores.map(describeStore).join('; ')}.`
        : `Delete on purpose, after everything else: ${stores.map(describeStore).join('; ')} (each bucket's versions, then the bucket; the KMS key is scheduled for deletion in 30 days, and only once no bucket encrypted with it is left).`,
    ...standing.map(
      (s) =>
        `${keep ? 'Kept as the other stores' : `Keep the S3 bucket ${s.ref.bucket}, guarded, not deleted`}: ${describeStanding(s)}. ${removeWords(s)} first with \`${standbyTeardownCommand(s)}\` where the prepare ran${keep ? '' : ', then run this teardown again: it deletes the bucket'}.`,
    ),
  ];
  return steps.map((step, i) => `${i + 1}. ${step}`);
}

const describeStore = (s: Store) => `${s.kind === 'bucket' ? 'S3 bucket' : s.kind === 'log-group' ? 'log group' : 'KMS key'} ${s.id}`;

/**
 * Tears a deployment down from any state; see docs/teardown.md "Tear down". Returns the exit code. In steps: the state
 * read and the deployment chosen (readTarget), the plan stated and confirmed (confirmTeardown), what --keep-snapshots
 * saves written (writeSaves), the run recorded (recordRun), the guards lifted and the module destroyed
 * (destroyModule), then the stores deleted and the record finished (finishTeardown).
 */
export async function teardown(given: TeardownOptions): Promise<number> {
  const options: TeardownRun = given;
  // Made once, per region, when the teardown first reaches AWS (a standby's state read for the plan, or the steps),
  // and closed when it ends: a dry run or a refusal of a deployment without a standby never loads the SDK.
  let made: { readonly of: ClientsOfRegion; destroy(): void } | undefined;
  const awsOf = async (): Promise<ClientsOfRegion> => options.aws ?? (made ??= (await awsSide()).clientsByRegion()).of;
  try {
    const target = await readTarget(options, awsOf);
    if (typeof target === 'number') return target;
    const saves = await confirmTeardown(options, target);
    if (typeof saves === 'number') return saves;
    const saved = writeSaves(saves, options.io);
    if (typeof saved === 'number') return saved;
    const record = recordRun(target, saved);
    const aws = await awsOf();
    const step = stepRunner(options, target, stepsOf(target, record));
    const destroyed = await destroyModule(options, target, aws, step);
    if (destroyed !== 0) return destroyed;
    return await finishTeardown(options, target, record, aws, step);
  } finally {
    made?.destroy();
  }
}

/** A step of the run, as its status line names it. */
type StepName = 'forget' | 'guards' | 'destroy' | 'parameters' | 'stores';

/** The steps this run takes, in order, each with what the status line says it does: step n of m among them. */
function stepsOf(t: Target, record: TeardownRecord): { readonly name: StepName; readonly doing: string }[] {
  const { plan } = t;
  const forgotten = plan.forgetInCluster.length + plan.forgetStores.length;
  const guards = plan.loadBalancers.length + plan.databases.length;
  const held = new Set(t.standing.map((s) => s.ref.bucket));
  const stores = record.stores.filter((s) => !record.deleted.includes(s.id) && !held.has(s.id)).length;
  const parameters = parametersLeft(record).length;
  const steps: { name: StepName; doing: string; runs: boolean }[] = [
    { name: 'forget', doing: `terraform state rm of ${forgotten} resources (nothing changes in AWS)`, runs: forgotten > 0 },
    { name: 'guards', doing: `AWS deletion protection lifted (${guards} load balancers and databases)`, runs: guards > 0 },
    { name: 'destroy', doing: `terraform apply -destroy of ${plan.destroyCount} resources`, runs: t.leftInState && plan.destroyCount > 0 },
    { name: 'parameters', doing: `${parameters} SSM parameters of failover --prepare deleted`, runs: parameters > 0 },
    { name: 'stores', doing: `${stores} stores deleted on purpose, one after the other`, runs: !t.keep && stores > 0 },
  ];
  return steps.filter((s) => s.runs).map(({ name, doing }) => ({ name, doing }));
}

/** Runs one of the steps as a timed span (step n of m); the exit code when the run stops before it (a signal). */
type StepRun = <T>(name: StepName, step: () => Promise<T> | T) => Promise<T | { readonly stopped: number }>;

/**
 * The runner of the steps: each begun as `TEARDOWN_STEP_STARTED` (step n of m among the steps this run takes), ended
 * by `TEARDOWN_STEP_DONE` with its time, or stopped when it fails (throws, or returns a non-zero exit code, said by its
 * own message); a signal stops the run before the next step (`TEARDOWN_INTERRUPTED`, exit 130). A step that throws
 * (a Terraform or AWS call that failed) stops the run with `TEARDOWN_FAILED`, exit 1: the record says where a rerun
 * continues. A step not in the list (nothing to do) runs without a span.
 */
function stepRunner(options: TeardownRun, t: Target, steps: readonly { name: StepName; doing: string }[]): StepRun {
  const { io } = options;
  return async (name, step) => {
    if (options.stop?.aborted) return { stopped: interrupted(io, t, `before the step ${name}`) };
    const at = steps.findIndex((s) => s.name === name);
    const span =
      at < 0
        ? undefined
        : io.begin({
            code: 'TEARDOWN_STEP_STARTED',
            label: name,
            position: { n: at + 1, m: steps.length },
            text: `${name}: ${steps[at].doing}`,
            doing: steps[at].doing,
            data: { step: name },
          });
    try {
      const value = await step();
      const failed = typeof value === 'number' && value !== 0;
      if (span?.open && !failed) span.end('TEARDOWN_STEP_DONE', `${name}: done`, { step: name });
      return value;
    } catch (error) {
      span?.stop();
      io.error(
        'TEARDOWN_FAILED',
        `${(error as Error).message}\nThe teardown stopped in its step ${name}: fix what it says and run it again; it continues from where it stopped (${t.file.path}).`,
        { step: name, exitCode: 1 },
      );
      return { stopped: 1 };
    } finally {
      span?.stop();
    }
  };
}

/** A signal stopped the run: said, with how to continue; exit 130. */
function interrupted(io: IoHost, t: Target, where: string): number {
  io.warn('TEARDOWN_INTERRUPTED', `Interrupted ${where}: run the teardown again to continue from where it stopped (${t.file.path}).`, {
    exitCode: 130,
  });
  return 130;
}

/**
 * The teardown's AWS side, loaded once it reaches AWS: the SDK is most of the CLI's code, and a dry run, a refusal or
 * another command never needs it (scripts/build.js bundles this module as a file of its own beside main.js).
 */
const awsSide = () => import('./teardown-aws');

/** What the teardown acts on, read from the state and the earlier run's record before anything changes. */
interface Target {
  readonly terraform: Terraform;
  readonly file: StateFile<TeardownRecord>;
  /** The record of an unfinished earlier run. */
  readonly previous: TeardownRecord | undefined;
  readonly state: ModuleState;
  /** Whether the state still holds managed resources (else only stores an earlier run did not delete are left). */
  readonly leftInState: boolean;
  readonly deployment: Deployment;
  readonly plan: TeardownPlan;
  readonly keep: boolean;
  /** The name to type, and what it is. */
  readonly name: string;
  readonly what: string;
  readonly region: string;
  /** The standby states this run reads (StandbyStateRef), and those that keep their bucket (StandingStandby). */
  readonly standbyStates: readonly StandbyStateRef[];
  readonly standing: readonly StandingStandby[];
}

/** The state read, the deployment chosen and the plan worked out; the exit code when the teardown ends here. */
async function readTarget(options: TeardownRun, awsOf: () => Promise<ClientsOfRegion>): Promise<Target | number> {
  const { io } = options;
  const terraform = new Terraform(options.dir);
  const file = new StateFile<TeardownRecord>(stateFilePath(options.dir, 'teardown'));
  let previous = file.read();
  if (previous?.done) {
    // A finished teardown's record (as versions before its retirement left it) belongs to that deployment alone.
    io.info('TEARDOWN_EARLIER_RECORD_RETIRED', `An earlier teardown of ${previous.name} finished; its record is kept as ${retire(file, previous)}.`);
    previous = undefined;
  }
  const state = await terraform.pull();
  const leftInState = state.resources.some((r) => r.mode === 'managed');
  const pendingStores = previous && !previous.keepSnapshots ? previous.stores.filter((s) => !previous.deleted.includes(s.id)) : [];
  if (!leftInState && pendingStores.length === 0 && (previous ? parametersLeft(previous) : []).length === 0) {
    if (!previous) {
      io.result('TEARDOWN_NOTHING_LEFT', `Nothing left to tear down in ${options.label} (the state holds no resource).`, { exitCode: 0 });
      return 0;
    }
    // An earlier run did all there was (its destroy ended, its stores deleted or kept) but stopped before it recorded
    // that (a kill during the destroy): finished now, reported so, and its record retired as a finished run's is.
    const finished: TeardownRecord = { ...previous, done: true };
    file.write(finished);
    io.info(
      'TEARDOWN_NOTHING_LEFT',
      `Nothing left to tear down in ${options.label} (the state holds no resource, and the stores the earlier run of ${previous.name} named are ${previous.keepSnapshots ? 'kept' : 'deleted'}): that teardown is finished.`,
    );
    await report(finished, io, options.aws, retire(file, finished));
    return 0;
  }
  let deployment: Deployment;
  try {
    deployment = chooseDeployment(state, previous, options.deployment, file.path);
  } catch (error) {
    if (!(error instanceof ChoiceNeeded)) throw error;
    io.error(error instanceof Refused ? error.code : 'TEARDOWN_DEPLOYMENT_UNCLEAR', error.message, { exitCode: 2 });
    return 2;
  }
  const plan = planTeardown(state, deployment);
  if (deployment.kind === 'k8s-ha' && plan.forgetInCluster.length > 0) {
    io.error(
      'TEARDOWN_EXISTING_CLUSTER',
      `${options.label} has in-cluster resources but no servers of its own: it is a deployment on an existing cluster (k8s-ha), whose cluster stays.\n` +
        'Its Helm releases must be uninstalled through the API: use `terraform destroy` there with the cluster reachable.',
      { exitCode: 2 },
    );
    return 2;
  }
  // Once chosen, keeping is sticky: a rerun without --keep-snapshots never deletes what an earlier run promised to keep.
  const keep = (options.keepSnapshots ?? false) || (previous?.keepSnapshots ?? false);
  if (keep && !options.keepSnapshots)
    io.info('TEARDOWN_KEEP_FROM_EARLIER_RUN', 'An earlier run of this teardown chose --keep-snapshots: the snapshot data stays.');
  const { name, what } = confirmationName(deployment, previous, options.dir);
  const region = previous?.region ?? deployment.region;
  if (!region) throw new Error('The region of the deployment is not in the state (no deployment record, no ARN); nothing was changed.');
  const standbyStates = standbyStatesOfRun(plan, previous);
  const standing = await readStandbys(io, standbyStates, awsOf, keep);
  return { terraform, file, previous, state, leftInState, deployment, plan, keep, name, what, region, standbyStates, standing };
}

/**
 * Each standby state read (S3 GetObject in its region: nothing is changed): one that still describes resources (the
 * pilot light `failover --prepare` made, a standby a failback kept) or that cannot be read keeps its bucket, which
 * would otherwise be deleted as one of production's stores while what it tracks stands, untracked, in the standby
 * region. Said before the plan (`TEARDOWN_STANDBY_STANDS`), with the command that removes them.
 */
async function readStandbys(
  io: IoHost,
  refs: readonly StandbyStateRef[],
  awsOf: () => Promise<ClientsOfRegion>,
  keep: boolean,
): Promise<StandingStandby[]> {
  if (refs.length === 0) return [];
  const [side, aws] = [await awsSide(), await awsOf()];
  const standing: StandingStandby[] = [];
  for (const ref of refs) {
    const s = { ref, finding: await side.readStandbyState(aws(ref.region), ref.bucket, ref.key) };
    if (!stands(s.finding)) continue;
    standing.push(s);
    const command = standbyTeardownCommand(s);
    io.warn(
      'TEARDOWN_STANDBY_STANDS',
      `${capitalize(describeStanding(s))}. Its bucket ${ref.bucket} is ${keep ? 'kept (--keep-snapshots)' : 'kept with its guards, not deleted'}, so that they stay tracked. ` +
        `${removeWords(s)} with \`${command}\` where \`failover --prepare\` ran${keep ? ', then delete the bucket by hand' : ', then run this teardown again: it deletes the bucket'}.`,
      {
        bucket: ref.bucket,
        region: ref.region,
        key: ref.key,
        ...('unread' in s.finding ? { unread: s.finding.unread } : { resources: s.finding.resources }),
        command,
      },
    );
  }
  return standing;
}

/**
 * The plan stated, refused where a save would conflict, stopped for a dry run, and confirmed (the typed name, unless
 * --yes): what --keep-snapshots saves, or the exit code when the teardown ends here.
 */
async function confirmTeardown(options: TeardownRun, t: Target): Promise<OutputSave[] | number> {
  const { io } = options;
  const { name, keep, previous } = t;
  // Compared before anything changes: the state holds the only copy of what is saved, and the destroy takes it along.
  const saves = keep ? planSaves(t.state, name, previous, options.tokenFile) : [];
  const steps = describeTeardown(t.plan, keep, previous, t.standing);
  io.info(
    'TEARDOWN_PLAN',
    [`Teardown of ${name} (${options.label}, ${t.region}, module ${options.dir}):`, ...[...describeSaves(saves), ...steps].map((l) => `  ${l}`)].join(
      '\n',
    ),
    { name, region: t.region, module: options.dir, keepSnapshots: keep, steps: steps.length },
  );
  const conflicts = saves.filter((s) => s.found === 'different' || s.found === 'unreadable');
  if (conflicts.length > 0) {
    io.notify(
      options.dryRun ? 'warn' : 'error',
      'TEARDOWN_SAVE_CONFLICT',
      `${options.dryRun ? 'Dry run: the teardown would stop here' : 'Stopped'}: the kept snapshots and backups are of no use without what the state holds, and the destroy takes the state along. Nothing was changed.`,
      { files: conflicts.map((c) => c.path), exitCode: options.dryRun ? 0 : 1 },
    );
    return options.dryRun ? 0 : 1;
  }
  if (options.dryRun) {
    io.result('TEARDOWN_DRY_RUN', 'Dry run: nothing was changed.', { exitCode: 0 });
    return 0;
  }
  if (!options.yes) {
    const answer = await options.ask?.(`Type the ${t.what} (${name}) to tear it down: `);
    if (answer === undefined) {
      io.error('TEARDOWN_NO_TERMINAL', 'No terminal to confirm on: pass --yes to tear down without the typed confirmation. Nothing was changed.', {
        exitCode: 2,
      });
      return 2;
    }
    // Ctrl-C or Ctrl-D at the question end it with nothing typed.
    if (answer.trim() === '') {
      io.error('TEARDOWN_NO_NAME_TYPED', 'No name typed: nothing was changed.', { exitCode: 1 });
      return 1;
    }
    if (answer.trim() !== name) {
      io.error('TEARDOWN_WRONG_NAME', `'${answer.trim()}' is not '${name}': nothing was changed.`, { typed: answer.trim(), name, exitCode: 1 });
      return 1;
    }
  }
  return saves;
}

/** Where each save was written; the exit code when one could not be. */
type Saved = { tokenFile?: string; backupEncryptionFile?: string };

/** Written (and read back) before the record and before the state forgets anything: a save that fails stops here. */
function writeSaves(saves: readonly OutputSave[], io: IoHost): Saved | number {
  const saved: Saved = {};
  for (const save of saves) {
    const problem = writeSave(save);
    if (problem) {
      io.error(
        'TEARDOWN_SAVE_FAILED',
        `Could not save ${save.what} to ${save.path} (${problem}). Nothing was changed: give a folder that can be written to, then run the teardown again.`,
        { file: save.path, exitCode: 1 },
      );
      return 1;
    }
    // An identical file was said so before the question (describeSaves).
    if (save.found !== 'identical') io.info('TEARDOWN_SAVED', `Saved ${save.what} to ${save.path} (mode 0600): ${save.need}.`, { file: save.path });
    saved[save.field] = save.path;
  }
  return saved;
}

/** Recorded before the state forgets them: a rerun after an interruption still knows the stores. */
function recordRun(t: Target, saved: Saved): TeardownRecord {
  const { previous, plan } = t;
  const record: TeardownRecord = {
    name: t.name,
    region: t.region,
    keepSnapshots: t.keep,
    // Exactly the stores the steps above named; those an earlier run deleted stay listed as deleted.
    stores: [...(previous?.stores ?? []).filter((s) => previous?.deleted.includes(s.id)), ...storesOfRun(plan, previous)],
    deleted: previous?.deleted ?? [],
    finalDbSnapshots: [
      ...new Set([...(previous?.finalDbSnapshots ?? []), ...plan.databases.flatMap((d) => (d.finalSnapshot ? [d.finalSnapshot] : []))]),
    ],
    dataVolumes: [...new Set([...(previous?.dataVolumes ?? []), ...plan.dataVolumes])],
    tokenFile: saved.tokenFile ?? previous?.tokenFile,
    backupEncryptionFile: saved.backupEncryptionFile ?? previous?.backupEncryptionFile,
    deployment: t.deployment,
    parameters: [...(previous?.parameters ?? []).filter((p) => previous?.parametersDeleted?.includes(p.name)), ...parametersOfRun(plan, previous)],
    parametersDeleted: previous?.parametersDeleted ?? [],
    standbyStates: t.standbyStates,
    done: false,
  };
  t.file.write(record);
  return record;
}

/** The stores and in-cluster resources forgotten, the guards lifted, then `terraform destroy`; its exit code. */
async function destroyModule(options: TeardownRun, t: Target, aws: ClientsOfRegion, step: StepRun): Promise<number> {
  const { io } = options;
  const { terraform, plan } = t;
  const stopped = (r: unknown) => (typeof r === 'object' && r !== null && 'stopped' in r ? (r as { stopped: number }).stopped : undefined);
  const forgot = await step('forget', () => terraform.forget([...plan.forgetInCluster, ...plan.forgetStores]));
  if (stopped(forgot) !== undefined) return stopped(forgot)!;
  const lifted = await step('guards', async () => (await awsSide()).liftGuards(aws, plan, t.region));
  if (stopped(lifted) !== undefined) return stopped(lifted)!;

  // (Only forgotten resources left: nothing to destroy; the data sources left in the state do no harm.)
  if (!t.leftInState || plan.destroyCount === 0) return 0;
  const destroyed = await step('destroy', async () => {
    terraform.writeOverride(preventDestroyOverride(plan));
    try {
      // Terraform's own lines through the host: above a terminal's status line, off standard output with --json. With
      // the restore's variable set for it alone, unless the caller gave it (RESTORE_STAND_IN).
      const result = await withEnvironment({ [`TF_VAR_${RESTORE_VARIABLE}`]: process.env[`TF_VAR_${RESTORE_VARIABLE}`] ?? RESTORE_STAND_IN }, () =>
        terraform.destroy(options.destroyTimeoutMs ?? 3_600_000, io.lines('TEARDOWN_TERRAFORM_OUTPUT'), options.stop),
      );
      if (result.code === 0) return 0;
      if (options.stop?.aborted) return interrupted(io, t, 'during the destroy (terraform stopped and saved its state)');
      io.error(
        'TEARDOWN_DESTROY_FAILED',
        `terraform destroy ${result.timedOut ? 'did not finish in time' : `failed (exit ${result.code})`}. The snapshot data was not touched${t.keep ? '' : ' yet'}.\n` +
          `Fix what it says and run the teardown again: it continues from where it stopped (${t.file.path}).`,
        { exitCode: 1, timedOut: result.timedOut },
      );
      return 1;
    } finally {
      // Never left behind: a later apply in this folder must see the deployment's own guards.
      terraform.writeOverride(undefined);
    }
  });
  return typeof destroyed === 'number' ? destroyed : destroyed.stopped;
}

/**
 * What the destroy is given for the restore's variable (RESTORE_VARIABLE) when the caller's environment has none. A
 * module that restores an encrypted backup (a failover's standby, its pilot light made by `failover --prepare`, a
 * drill's throwaway) declares it without a default, and Terraform asks for a variable without a default in a destroy
 * too (hashicorp/terraform v1.11: "No value for required variable", with `-input=false` an error) and checks its
 * validation (the text must name an EncryptionConfiguration); the value itself reaches only the restore's preflight
 * reads and its in-cluster Secret, which a destroy without refresh neither reads nor plans (the Secret is forgotten
 * first). Terraform ignores a `TF_VAR_` of a variable the module does not declare. So the teardown of such a module
 * needs nothing of the deployment the backup came from, which may be gone already.
 */
export const RESTORE_STAND_IN = "kind: EncryptionConfiguration # the teardown's stand-in: a destroy restores nothing\n";

/** The stores deleted (without --keep-snapshots), the record finished and reported; the exit code. */
async function finishTeardown(options: TeardownRun, t: Target, recorded: TeardownRecord, aws: ClientsOfRegion, step: StepRun): Promise<number> {
  const { io } = options;
  const { keep, file } = t;
  let record = recorded;
  if (parametersLeft(record).length > 0) {
    const after = await step('parameters', async () => (await awsSide()).deleteParameters(aws, record, io, file));
    if ('stopped' in after) return after.stopped;
    record = after;
  }
  if (!keep) {
    const deleted = await step('stores', async () => {
      // A standby's state that still describes resources keeps its bucket (readStandbys): not begun, not deleted.
      const held = new Set(t.standing.map((s) => s.ref.bucket));
      const after = await (await awsSide()).deleteStores(aws, record, io, file, () => options.stop?.aborted === true, held);
      // A signal came: the stores not begun are left, recorded, for a rerun.
      const left = after.stores.some((s) => !after.deleted.includes(s.id));
      return options.stop?.aborted && left ? interrupted(io, t, 'while deleting the stores') : after;
    });
    if (typeof deleted === 'number') return deleted;
    if ('stopped' in deleted) return deleted.stopped;
    record = deleted;
  }
  record = { ...record, done: record.stores.every((s) => keep || record.deleted.includes(s.id)) && parametersLeft(record).length === 0 };
  file.write(record);
  // Retired once finished: a later deployment applied in this folder is torn down from its own state, never this record.
  await report(record, io, aws, record.done ? retire(file, record) : undefined, t.standing);
  return record.done ? 0 : 1;
}

/**
 * Moves a finished teardown's record aside (`teardown-finished-<name>-<time>.json` beside it), where no later run
 * reads it; returns the new path.
 */
function retire(file: StateFile<TeardownRecord>, record: TeardownRecord): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dirname(file.path), `teardown-finished-${record.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${stamp}.json`);
  renameSync(file.path, path);
  return path;
}

/** A deployment in words, as it is told apart from another: name, region, construct path, and the record's creation id. */
function identity(d: { name?: string; region?: string; path?: string; recordId?: string }): string {
  return `${d.name ?? '(no recorded name)'} (region ${d.region ?? 'unknown'}, construct ${d.path || 'at the stack'}${d.recordId ? `, deployment record ${d.recordId}` : ''})`;
}

/**
 * The deployment this run tears down. Without an unfinished teardown, the one the state holds (and `--deployment`
 * names). With one, it goes on only with the deployment that record is of: a rerun after an interruption goes on even
 * when the destroy has taken the state's record already; a record of another deployment (an earlier one in this folder,
 * whose stores are not all deleted) is refused, as is a `--deployment` naming another.
 */
function chooseDeployment(state: ModuleState, previous: TeardownRecord | undefined, wanted: string | undefined, recordPath: string): Deployment {
  const current = () => theDeployment(state, wanted);
  if (previous === undefined) return current();
  const recorded: Deployment = previous.deployment ?? { ...current(), name: previous.name, region: previous.region };
  const left = previous.stores.filter((s) => !previous.deleted.includes(s.id)).map(describeStore);
  const foreign = (why: string) =>
    new Refused(
      'TEARDOWN_UNFINISHED_OTHER_DEPLOYMENT',
      `${recordPath} is an unfinished teardown of ${identity(recorded)}${left.length ? `, with ${left.join(', ')} not deleted yet` : ''}; ${why}. ` +
        `This teardown does not mix the two deployments: finish that one's stores by hand (empty each bucket's versions, then delete it), move ${recordPath} away, then run the teardown again. Nothing was changed.`,
    );
  if (wanted !== undefined && recorded.name !== wanted && recorded.path !== wanted) throw foreign(`--deployment names ${wanted}`);
  // The state's own record, where the destroy has not taken it yet, must be the same deployment's.
  const records = readDeploymentRecords(state).filter((d) => d.source === 'record');
  if (records.length === 0) return recorded;
  const now = current();
  const same =
    now.name === recorded.name &&
    now.region === recorded.region &&
    (recorded.source !== 'record' || now.path === recorded.path) &&
    (now.recordId === undefined || recorded.recordId === undefined || now.recordId === recorded.recordId);
  if (!same) throw foreign(`the module's state now holds ${identity(now)}`);
  return recorded;
}

/** A sensitive output --keep-snapshots saves to a file beside the kept data, and what that file holds now. */
export interface OutputSave {
  readonly field: 'tokenFile' | 'backupEncryptionFile';
  /** In words, for the messages. */
  readonly what: string;
  readonly need: string;
  readonly path: string;
  readonly value: string;
  /** none: no such file yet; identical: it holds this value already; different, unreadable: the teardown stops. */
  readonly found: 'none' | 'identical' | 'different' | 'unreadable';
  /** Why it could not be read (unreadable). */
  readonly reason?: string;
}

/** The outputs --keep-snapshots saves: a restore of what is kept needs each of them. */
const SAVED_OUTPUTS = [
  {
    output: 'join_token',
    field: 'tokenFile',
    what: 'the cluster token',
    need: 'restoring a kept snapshot needs it',
    defaultPath: (name: string, tokenFile?: string) => tokenFile ?? `${name}-join-token`,
  },
  {
    output: 'rancher_backup_encryption_config',
    field: 'backupEncryptionFile',
    what: "the encryption configuration of Rancher's backups",
    need: 'restoring a kept backup needs it',
    defaultPath: (name: string) => `${name}-backup-encryption.yaml`,
  },
] as const;

/**
 * What --keep-snapshots will save, and what is already where it saves it. A file there that holds something else
 * (an earlier deployment's token or key under the same name) is never overwritten and never taken for this one's.
 */
export function planSaves(state: ModuleState, name: string, previous: TeardownRecord | undefined, tokenFile?: string): OutputSave[] {
  return SAVED_OUTPUTS.flatMap((s) => {
    const value = state.outputs[s.output]?.value;
    if (typeof value !== 'string') return [];
    const path = resolve(previous?.[s.field] ?? s.defaultPath(name, tokenFile));
    return [{ field: s.field, what: s.what, need: s.need, path, value, ...compareFile(path, value) }];
  });
}

/** The file holds the value (give or take the line ends a shell redirect adds or leaves out)? */
function compareFile(path: string, value: string): Pick<OutputSave, 'found' | 'reason'> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { found: 'none' } : { found: 'unreadable', reason: code ?? String(error) };
  }
  return { found: content.replace(/\n+$/, '') === value.replace(/\n+$/, '') ? 'identical' : 'different' };
}

function describeSaves(saves: readonly OutputSave[]): string[] {
  return saves.map((s) => {
    switch (s.found) {
      case 'none':
        return `First, save ${s.what} to ${s.path} (mode 0600): ${s.need}.`;
      case 'identical':
        return `${capitalize(s.what)} is already saved in ${s.path}, identical: left as it is.`;
      case 'different':
        return `${s.path} exists and holds something else than ${s.what} of this deployment (an earlier deployment's?): it is not overwritten, and the teardown does not start while it is there. Move it away${s.field === 'tokenFile' ? ' (or name another file with --token-file)' : ''}, then run the teardown again.`;
      case 'unreadable':
        return `${s.path} cannot be read (${s.reason}), so it cannot be compared with ${s.what} of this deployment: the teardown does not start while it is there. Move it away${s.field === 'tokenFile' ? ' (or name another file with --token-file)' : ''}, then run the teardown again.`;
    }
  });
}

/** Writes a save that is not there yet (mode 0600, never over a file) and reads it back; a problem in words, or undefined. */
function writeSave(save: OutputSave): string | undefined {
  if (save.found === 'identical') return undefined;
  try {
    writeFileSync(save.path, `${save.value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Not ours to remove when it appeared since the comparison; half of ours is no use to anyone.
    if (code !== 'EEXIST') rmSync(save.path, { force: true });
    return code === 'EEXIST' ? 'a file appeared there since it was compared' : (code ?? String(error));
  }
  chmodSync(save.path, 0o600);
  return compareFile(save.path, save.value).found === 'identical' ? undefined : 'it did not read back as written';
}

const capitalize = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;

/**
 * The name a person types to confirm: the deployment's own (its record's, or as the deployment guard recorded it in a
 * module applied before the records), or where neither says, the module folder's name (never a path to type).
 */
function confirmationName(deployment: Deployment, previous: TeardownRecord | undefined, dir: string): { name: string; what: string } {
  const name = previous?.name ?? deployment.name;
  return name !== undefined ? { name, what: 'deployment name' } : { name: basename(dir), what: "module folder's name" };
}

/**
 * The module's one deployment. The destroy takes the whole module, so a module holding two is refused: tearing one
 * down would take the other along. `--deployment` names the one the person expects, and stops on any other.
 */
function theDeployment(state: ModuleState, wanted: string | undefined): Deployment {
  const all = readDeploymentRecords(state);
  if (all.length > 1)
    throw new Refused(
      'TEARDOWN_SEVERAL_DEPLOYMENTS',
      `This module holds ${all.length} deployments (${[...all]
        .sort((a, b) => String(a.name).localeCompare(String(b.name), 'en'))
        .map((d) => `${d.name ?? '(no recorded name)'}: ${d.kind}`)
        .join(
          ', ',
        )}), and a teardown destroys the whole module: it would take all of them. Give each deployment a stack of its own (docs/library.md), or destroy this module with \`terraform destroy\` while its clusters answer. Nothing was changed.`,
    );
  const [deployment] = all;
  if (wanted !== undefined && deployment.name !== wanted && deployment.path !== wanted)
    throw new Refused(
      'TEARDOWN_OTHER_DEPLOYMENT_NAMED',
      `--deployment ${wanted}: this module holds ${deployment.name ?? 'a deployment without a recorded name'} (${deployment.kind}), not ${wanted}. Nothing was changed.`,
    );
  return deployment;
}

/** The report at the end, one message (`TEARDOWN_REPORT`): finished or not, what was kept and where, what was deleted. */
async function report(
  record: TeardownRecord,
  io: IoHost,
  aws?: ClientsOfRegion,
  retired?: string,
  standing: readonly StandingStandby[] = [],
): Promise<void> {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const kept = record.stores.filter((s) => !record.deleted.includes(s.id));
  const deleted = record.stores.filter((s) => record.deleted.includes(s.id));
  log(record.done ? `Teardown of ${record.name} finished.` : `Teardown of ${record.name} is not finished.`);
  for (const s of kept) log(`  Kept: ${describeStore(s)}${s.arn ? ` (${s.arn})` : ''}, region ${s.region ?? record.region}, with its guards.`);
  for (const s of deleted)
    log(`  Deleted: ${describeStore(s)}${s.kind === 'kms-key' ? ' (scheduled: 30 days; aws kms cancel-key-deletion gets it back)' : ''}.`);
  for (const p of record.parameters ?? [])
    if (record.parametersDeleted?.includes(p.name))
      log(`  ${record.parametersGone?.includes(p.name) ? 'Gone already' : 'Deleted'}: the ${describeParameter(p)} (the standby's load balancer).`);
  for (const snapshot of record.finalDbSnapshots) log(`  Kept: the datastore's final RDS snapshot ${snapshot}, region ${record.region}.`);
  for (const volume of record.dataVolumes) {
    const ids = (aws ? await (await awsSide()).snapshotsOfVolume(aws(record.region), volume) : []).join(', ');
    log(`  Kept: the EBS snapshots of the Rancher data volume ${volume} (final and scheduled)${ids ? `: ${ids}` : ''}, region ${record.region}.`);
  }
  for (const [what, path] of [
    ['the cluster token', record.tokenFile],
    ["the encryption configuration of Rancher's backups", record.backupEncryptionFile],
  ] as const) {
    if (path) log(existsSync(path) ? `  Kept: ${what} in ${path}.` : `  Not kept: ${what} was saved to ${path}, which is no longer there.`);
  }
  for (const s of standing)
    log(
      `  Standing: ${describeStanding(s)}; its bucket ${s.ref.bucket} is kept. ${removeWords(s)} with \`${standbyTeardownCommand(s)}\`${record.keepSnapshots ? '' : ', then run this teardown again'}.`,
    );
  if (kept.some((s) => s.kind === 'bucket'))
    log('  A kept bucket is deleted by hand later: empty its versions, then `aws s3 rb`; then schedule its key for deletion.');
  if (retired) log(`  This teardown's record is kept as ${retired}.`);
  io.result('TEARDOWN_REPORT', lines.join('\n'), {
    name: record.name,
    done: record.done,
    kept: kept.map((s) => s.id),
    deleted: deleted.map((s) => s.id),
    ...(standing.length > 0 ? { standing: standing.map((s) => s.ref.bucket) } : {}),
    exitCode: record.done ? 0 : 1,
  });
}

/** A refusal before anything changes, with the code of its message. */
class Refused extends ChoiceNeeded {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
