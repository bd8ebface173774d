import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operationTags } from '../shared/settings-file';
import { readBackupFile } from '../shared/backup-archive';
import { compareRestored, restoreEtcd, type EtcdRestored, type EtcdSnapshot } from './drill-etcd';
import { API_COLLECTIONS, DRILL_USER, drillLogin, rancherIds, rancherServerUrl, removeDrillUser } from './drill-login';
import type { ProductionDeployment } from '../shared/production';
import type { DrillPhase, DrillReport } from './drill-report';
import type { DrillPlan, DrillRecord, DrillRunOptions } from './drill';
import { kubeApiFor } from '../shared/kube-api-for';
import type { KubeApi } from '../shared/kube/kube-api';
import { Interrupted, waitUntil, yieldFor } from '../shared/poll';
import { runAsync } from '../shared/process';
import { Terraform } from '../shared/terraform';
import { readableError } from '../shared/tool-output';
import {
  initAndApply,
  localModuleProblems,
  type PhaseRun,
  rancherCa,
  readModuleJson,
  StepFailed,
  synthesize,
  waitForPing,
} from '../shared/throwaway';

// The drill's phases (docs/drill.md, "What it does"), one function each: synth and apply of the throwaway, then either
// the Rancher backup's (ping, login, compare) or, with --etcd, the snapshot's (restore, ping, compare). Each takes
// the started drill (DrillRun) and adds what it saw to the report; drill.ts decides, states and closes the drill.

/** The kinds counted in the backup and in the restored cluster. */
const COUNTED = ['clusters.management.cattle.io', 'users.management.cattle.io', 'projects.management.cattle.io', 'settings.management.cattle.io'];

class DrillFailed extends StepFailed {}

/** How a drill's phases ended: all passed, one failed, or a signal stopped them. */
export type DrillOutcome = 'passed' | 'failed' | 'interrupted';

/** A started drill, as every phase takes it. */
export interface DrillRun {
  readonly options: DrillRunOptions;
  readonly plan: DrillPlan;
  readonly report: DrillReport;
  /** The record as last written. */
  readonly current: DrillRecord;
  /** The throwaway's settings (their tags go on what the restore creates). */
  readonly throwaway: Record<string, unknown>;
  readonly update: (change: Partial<DrillRecord>) => void;
  /** One phase run, timed and recorded in the report (phaseRunner). */
  readonly phase: PhaseRun<DrillPhase>;
}

/** The throwaway synthesized and applied, then the backup's or the snapshot's phases, until one fails or a signal comes. */
export async function runDrillPhases(drilled: DrillRun): Promise<DrillOutcome> {
  const { options, plan, report } = drilled;
  try {
    await drilled.phase('synth', () => synthThrowaway(drilled));
    const terraform = new Terraform(plan.moduleDir);
    await drilled.phase('apply', () => applyThrowaway(drilled));
    const url = String((await terraform.outputJson('rancher_url')) ?? '');
    report.throwaway = { ...report.throwaway, url };
    if (plan.snapshot) await proveSnapshot(drilled, plan.snapshot, terraform, url);
    else await proveBackup(drilled, terraform, url);
    return 'passed';
  } catch (error) {
    if (error instanceof Interrupted || options.interrupted()) return 'interrupted';
    if (error instanceof StepFailed) return 'failed';
    const last = report.phases[report.phases.length - 1];
    if (!last || last.status === 'passed') report.phases.push({ phase: drilled.current.phase, status: 'failed', detail: (error as Error).message });
    return 'failed';
  }
}

/** The throwaway's module, refused unless it is safe to apply beside production. */
async function synthThrowaway({ options, plan }: DrillRun): Promise<void> {
  await synthesize({ ...options, settingsFile: plan.settingsFile, outdir: plan.outdir, what: 'the throwaway' });
  const problems = throwawayProblems(plan.moduleDir, plan.production, options.root, plan.snapshot !== undefined);
  if (problems.length > 0) throw new DrillFailed(`the synthesized throwaway is not safe to apply: ${problems.join('; ')}`);
}

/** The throwaway's apply: the Rancher backup's restore runs in it. */
async function applyThrowaway({ options, plan, update }: DrillRun): Promise<void> {
  update({ applied: true });
  await initAndApply(plan.moduleDir, {
    ...options,
    apply: ['apply', '-auto-approve', '-input=false'],
    applyTimeoutMs: options.applyTimeoutMs ?? 10_800_000,
    failed: 'the restore did not complete',
    output: options.io.lines('DRILL_TERRAFORM_OUTPUT'),
  });
}

/** `--etcd`: the snapshot restored on the throwaway's first server, production's hostname pinged through it, the cluster compared. */
async function proveSnapshot(drilled: DrillRun, snapshot: EtcdSnapshot, terraform: Terraform, url: string): Promise<void> {
  const { options, plan, report, update } = drilled;
  const { production } = plan;
  const restored = await drilled.phase('restore', async () =>
    restoreEtcd({
      aws: plan.aws,
      interrupted: options.interrupted,
      io: options.io,
      stack: options.stack,
      productionBucket: plan.backup.bucket,
      snapshot,
      token: production.joinToken!,
      productionAddresses: production.serverAddresses,
      throwaway: await terraform.pull(),
      willWrite: (parameter) => update({ tokenParameter: parameter }),
      tags: operationTags(drilled.throwaway.tags, `${plan.name}-${options.stack}`),
    }),
  );
  await drilled.phase('ping', () => pingRestored(restored, production, url, options));
  await drilled.phase('compare', () => {
    report.comparisons.push(...compareRestored(restored, production.serverAddresses.length, production.url));
    const failed = report.comparisons.filter((c) => !c.passed).map((c) => c.what);
    if (failed.length > 0) throw new DrillFailed(`the restored cluster differs from production: ${failed.join(', ')}`);
  });
}

/**
 * The restored Rancher backup: /ping, a login as the drill's own user, and the backup's objects counted through
 * Rancher's API. The kubeconfig (the throwaway's own cluster-admin certificate, generated by its apply) is the only
 * way in before Rancher has a user the drill can log in as: it reads Rancher's CA (in waitForPing) and makes and
 * removes the drill's user. Everything compared goes through Rancher's API, logged in as that user.
 */
async function proveBackup(drilled: DrillRun, terraform: Terraform, url: string): Promise<void> {
  const { options, report } = drilled;
  const kubeconfig = join(options.root, 'kubeconfig.yaml');
  const caFile = join(options.root, 'rancher-ca.pem');
  // The Kubernetes client on the throwaway's kubeconfig (loaded apart from main.js, kube-api-for.ts), once written.
  let kube: KubeApi | undefined;
  await drilled.phase('ping', async () => {
    const config = await terraform.outputJson('kubeconfig');
    if (typeof config !== 'string' || !url) throw new DrillFailed('the throwaway has no rancher_url or kubeconfig output');
    writeFileSync(kubeconfig, config, { mode: 0o600 });
    const api = (kube = await kubeApiFor(kubeconfig));
    await waitForPing((file, why) => rancherCa(api, file, why), url, caFile, options.pingMinutes ?? 10, options.interrupted);
  });
  const api = kube!;
  let session: { token: string } | undefined;
  let userMade = false;
  try {
    await drilled.phase('login', async () => {
      // `kubectl auth can-i '*' '*' --all-namespaces`: the same SelfSubjectAccessReview, through the client.
      let admin: { allowed: boolean; reason?: string };
      try {
        admin = await api.selfAccess({ verb: '*', resource: '*' });
      } catch (error) {
        throw new DrillFailed(`the throwaway's kubeconfig is not cluster-admin: ${readableError((error as Error).message, 300)}`);
      }
      if (!admin.allowed) throw new DrillFailed(`the throwaway's kubeconfig is not cluster-admin: ${admin.reason || 'the API server answered no'}`);
      userMade = true;
      const login = await drillLogin(api, url, caFile, options.interrupted);
      session = login;
      report.login = { user: DRILL_USER, endpoint: login.endpoint, status: login.status, removed: false };
    });
    await drilled.phase('compare', () => compareWithBackup(drilled, url, caFile, session!.token));
  } finally {
    if (userMade) {
      const left = await removeDrillUser(api);
      if (report.login) report.login = { ...report.login, removed: left === undefined };
      if (left)
        options.io.warn(
          'DRILL_USER_NOT_REMOVED',
          `The drill's user ${DRILL_USER} may be left in the throwaway (${left}); the teardown removes it with the throwaway.`,
        );
    }
  }
}

/** The backup file's objects of each COUNTED kind against the restored Rancher's, and server-url against production's. */
async function compareWithBackup({ options, plan, report }: DrillRun, url: string, caFile: string, token: string): Promise<void> {
  const { production, backup } = plan;
  const download = join(options.root, 'backup.tar.gz');
  try {
    // The file restored, where it was found: production's bucket, or with --standby its copy (plan.aws in that region).
    const { side, clients } = await plan.aws.sdk();
    await side.downloadObject(clients, backup.bucket, backup.key, download);
    await yieldFor(0);
    if (options.interrupted()) throw new Interrupted();
    const contents = await readBackupFile(download);
    for (const kind of COUNTED) {
      const collection = API_COLLECTIONS[kind];
      const listed = await rancherIds(url, caFile, token, collection);
      // The drill's own user is not the backup's.
      const restored = listed.ids?.filter((id) => !(collection === 'users' && id === DRILL_USER)).length;
      const inBackup = contents.objects.get(kind) ?? 0;
      report.comparisons.push({
        what: kind,
        backup: inBackup,
        restored,
        passed: restored !== undefined && restored >= inBackup,
        note: listed.problem ?? `Rancher's API, /v3/${collection}`,
      });
    }
    const serverUrl = await rancherServerUrl(url, caFile, token);
    report.comparisons.push({
      what: 'setting server-url',
      backup: production.url,
      restored: serverUrl,
      passed: serverUrl !== undefined && serverUrl === production.url,
      note: contents.files.has('settings.management.cattle.io#v3/server-url.json')
        ? "in the backup; compared with production's URL, through Rancher's API"
        : 'not in the backup',
    });
  } finally {
    rmSync(download, { force: true });
  }
  const failed = report.comparisons.filter((c) => !c.passed).map((c) => c.what);
  if (failed.length > 0) throw new DrillFailed(`the restored deployment differs from the backup: ${failed.join(', ')}`);
}

/**
 * `/ping` of the restored Rancher (`--etcd`): at production's hostname, which its restored ingress and certificate
 * answer, connecting to the throwaway's load balancer (curl --connect-to: no DNS record changes), trusting the CA the
 * restored Rancher names in its cacerts setting, or the system's for a public one.
 */
async function pingRestored(restored: EtcdRestored, production: ProductionDeployment, throwawayUrl: string, options: DrillRunOptions): Promise<void> {
  if (!production.url || !throwawayUrl) throw new DrillFailed("production's or the throwaway's rancher_url output is missing");
  const { host } = new URL(production.url);
  const ca = join(options.root, 'rancher-ca.pem');
  if (restored.cacerts.trim()) writeFileSync(ca, restored.cacerts);
  const args = [
    '--silent',
    '--show-error',
    '--max-time',
    '20',
    ...(restored.cacerts.trim() ? ['--cacert', ca] : []),
    '--connect-to',
    `${host}:443:${new URL(throwawayUrl).hostname}:443`,
    `${production.url}/ping`,
  ];
  let last = '';
  const answered = await waitUntil((options.pingMinutes ?? 10) * 60_000, options.interrupted, async () => {
    const ping = await runAsync('curl', args, { timeoutMs: 60_000 });
    if (ping.code === 0 && ping.stdout.trim() === 'pong') return true;
    last = ping.code === 0 ? `answered '${ping.stdout.trim().slice(0, 80)}'` : readableError(ping.stderr, 300);
    return undefined;
  });
  if (!answered)
    throw new DrillFailed(
      `the restored Rancher did not answer pong on ${production.url}/ping through ${throwawayUrl} within ${options.pingMinutes ?? 10} minutes (last: ${last})`,
    );
}

/** The ports on which a server takes another as a member of its cluster (supervisor, etcd, kubelet). */
const CLUSTER_PORTS = [9345, 2379, 2380, 2381, 10250];

/**
 * What would make the synthesized throwaway unsafe to apply: a Route53 record (production's name), a state that is
 * not a local file in the drill's folder, or any resource that manages one of production's buckets or its standby's
 * copy (a bucket, its policy, its lifecycle...) rather than naming it in a policy's statements. With `etcd` (the
 * throwaway will hold production's token and CAs, so a server of production's that reached it could take it for a
 * peer): also a rule that opens a cluster port to addresses rather than to the servers' own security group, or a
 * peering or transit gateway attachment of its VPC.
 */
export function throwawayProblems(moduleDir: string, production: ProductionDeployment, root: string, etcd = false): string[] {
  const json = readModuleJson(moduleDir);
  if (!json) return [`no ${join(moduleDir, 'cdk.tf.json')}`];
  const problems = localModuleProblems(json, moduleDir, root);
  const resources = json.resource ?? {};
  const buckets = [production.backupBucket, production.etcdSnapshotBucket, production.backupCopy?.bucket].filter((b): b is string => b !== undefined);
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    if (!type.startsWith('aws_s3_')) continue;
    for (const [id, body] of Object.entries(byName))
      if (buckets.includes(String(body.bucket))) problems.push(`${type}.${id} manages production's bucket ${body.bucket}`);
  }
  if (etcd) {
    for (const type of ['aws_vpc_peering_connection', 'aws_ec2_transit_gateway_vpc_attachment', 'aws_vpc_peering_connection_accepter'])
      if (resources[type]) problems.push(`it has a ${type}`);
    for (const [id, rule] of Object.entries(resources.aws_vpc_security_group_ingress_rule ?? {})) {
      const from = Number(rule.from_port);
      const to = Number(rule.to_port);
      const open = CLUSTER_PORTS.some((port) => from <= port && port <= to);
      if (open && (rule.cidr_ipv4 !== undefined || rule.cidr_ipv6 !== undefined || rule.prefix_list_id !== undefined))
        problems.push(`aws_vpc_security_group_ingress_rule.${id} opens a cluster port to addresses`);
    }
    if (resources.aws_security_group_rule) problems.push('it has aws_security_group_rule resources, which this check does not read');
  }
  return problems;
}
