import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_FILE } from '../lib/config/backup-file';
import { Aws } from './aws';
import { readBackupFile } from './backup-archive';
import { productionDeployment, type ProductionDeployment } from './drill-production';
import { DRILL_PHASES, NOT_PROVEN, describeReport, type DrillPhase, type DrillReport } from './drill-report';
import { defaultThrowawayName, readProductionSettings, throwawaySettings } from './drill-settings';
import { Kubectl } from './kubectl';
import { Interrupted, yieldFor } from './poll';
import { run } from './process';
import { StateFile } from './state-file';
import { planTeardown, teardown } from './teardown';
import { readDeploymentRecord } from './module-folder';
import { Terraform } from './terraform';
import { readableError } from './tool-output';
import { initAndApply, leftInState, localModuleProblems, phaseRunner, readModuleJson, StepFailed, synthesize, waitForPing } from './throwaway';

export interface DrillOptions {
  /** The stack of production (only rke-ha builds a throwaway deployment). */
  readonly stack: string;
  /** Production's synthesized module folder: read (`terraform state pull`, `terraform output`), never changed. */
  readonly productionDir: string;
  /** The settings file production was synthesized from (RANCHER_CONFIG or rancher.yaml). */
  readonly settingsPath: string;
  /** The drill's own folder: its record, the throwaway's settings, module and state, the reports. */
  readonly root: string;
  /** The node script that synthesizes the app (scripts/synth.js of the checkout). */
  readonly synthScript: string;
  /** The throwaway's `name` setting. @default production's first 10 characters + `-drill` */
  readonly name?: string;
  /** Leave the throwaway deployment up for a person to look at. @default false */
  readonly keep?: boolean;
  /** Only tear down what an earlier drill left. @default false */
  readonly teardownOnly?: boolean;
  /** Restore the newest etcd snapshot instead (blocked: see ETCD_BLOCKED). @default false */
  readonly etcd?: boolean;
  /** Print what it would do and stop. @default false */
  readonly dryRun?: boolean;
  /** Budget for Rancher to answer `/ping` once the apply is done. @default 10 */
  readonly pingMinutes?: number;
  /** Budget of the apply (the restore runs in it). @default 180 minutes */
  readonly applyTimeoutMs?: number;
  /** Asked between steps: a signal came. */
  readonly interrupted: () => boolean;
  /** Aborted on the first signal: the synth or apply in flight is stopped (terraform with SIGINT, so it saves its state). */
  readonly stop?: AbortSignal;
  readonly log: (line: string) => void;
}

/** What the drill keeps between runs (`<drill folder>/drill.json`): enough for a rerun to find a throwaway left behind. */
export interface DrillRecord {
  readonly stack: string;
  readonly name: string;
  readonly productionDir: string;
  readonly productionName: string;
  readonly moduleDir: string;
  readonly startedAt: string;
  readonly phase: DrillPhase;
  /** Whether terraform ran in the throwaway's folder (before: nothing of it exists in AWS). */
  readonly applied: boolean;
  /** Production's buckets: the teardown refuses a throwaway whose state holds one. */
  readonly productionBuckets: readonly string[];
  readonly keep: boolean;
  readonly done: boolean;
  readonly report?: string;
}

/** Why `--etcd` does nothing, in words (issue 34.2 asks for it where the project has a way). */
export const ETCD_BLOCKED =
  "--etcd: blocked. The stacks have no setting that restores an etcd snapshot into a new deployment: a snapshot restores only onto the servers of the deployment that took it (rancher-aws-restore on a stranded server, docs/day-2.md), it needs that cluster's token, and the snapshot bucket is encrypted with a KMS key whose policy names only that deployment's servers. Nothing was changed; run the drill without --etcd to restore Rancher's backup.";

/** The Terraform variable a restore of an encrypted backup reads (rancher-backups.ts names it at the stack level). */
const RESTORE_VARIABLE = 'rancher_backup_restore_encryption_config';
/** Where the operator writes in its bucket (BACKUP_FOLDER of backup-writer.ts). */
const BACKUP_PREFIX = 'rancher/';

/** The kinds counted in the backup and in the restored cluster. */
const COUNTED = ['clusters.management.cattle.io', 'users.management.cattle.io', 'projects.management.cattle.io', 'settings.management.cattle.io'];

class DrillFailed extends StepFailed {}

/** Restores production's newest Rancher backup into a throwaway deployment, checks it, reports, tears it down. */
export async function drill(options: DrillOptions): Promise<number> {
  const { log } = options;
  const record = new StateFile<DrillRecord>(join(options.root, 'drill.json'));
  if (options.etcd) {
    log(ETCD_BLOCKED);
    return 2;
  }
  const previous = record.read();
  // Left behind: not finished, or said finished while its state still holds resources (a record written by hand).
  if (previous && (!previous.done || leftInState(previous.moduleDir, previous.stack) > 0)) {
    if (previous.keep && !options.teardownOnly) {
      log(
        `The throwaway deployment ${previous.name} of the drill started ${previous.startedAt} was kept (--keep) and is still up (${previous.moduleDir}). Tear it down first: npm run drill -- ${previous.stack} --teardown`,
      );
      return 2;
    }
    log(
      `An earlier drill left its throwaway deployment ${previous.name} (${previous.moduleDir}; started ${previous.startedAt}, stopped in its ${previous.phase} phase)${options.dryRun ? '; a run without --dry-run tears it down first.' : ': tearing it down first.'}`,
    );
    if (options.dryRun) return 0;
    const code = await tearDownThrowaway(previous, log);
    if (code !== 0) return code;
    forgetThrowawayFiles(options.root);
    record.write({ ...previous, done: true });
    if (options.teardownOnly) return 0;
  } else if (options.teardownOnly) {
    log(`No throwaway deployment of a drill is left (${record.path}${previous ? ': the last one was torn down' : ' does not exist'}).`);
    return 0;
  }
  if (options.stack !== 'rke-ha') {
    log(
      options.stack === 'docker'
        ? 'The docker stack has no Rancher backups to restore: its data volume has EBS snapshots instead (docs/docker.md).'
        : 'A drill builds a throwaway rke-ha deployment; a k8s-ha deployment runs on a cluster of yours, and the drill has no second cluster to restore into. Restore its backup into an rke-ha deployment by hand (docs/backups.md, "Migrate to a new deployment").',
    );
    return 2;
  }

  const production = productionDeployment(options.productionDir);
  const settings = readProductionSettings(options.settingsPath);
  const problem = settingsMismatch(settings, production, options.settingsPath);
  if (problem) {
    log(problem);
    return 2;
  }
  if (!production.backupBucket) {
    log(`${production.name} has no backup bucket (no rancher_backup_bucket output): apply it with this version first. Nothing was changed.`);
    return 2;
  }
  const aws = new Aws(production.region);
  const backup = newestBackup(aws, production.backupBucket);
  if (!backup) {
    log(
      `No backup in s3://${production.backupBucket}/${BACKUP_PREFIX}: nothing to restore (backups.enabled, and the first backup of the apply?). Nothing was changed.`,
    );
    return 1;
  }
  const file = backup.key.slice(BACKUP_PREFIX.length);
  if (file.endsWith('.enc') && !production.backupEncryptionConfig) {
    log(`${file} is encrypted, and production's state has no rancher_backup_encryption_config output to decrypt it with. Nothing was changed.`);
    return 2;
  }
  const name = options.name ?? defaultThrowawayName(production.name);
  if (name === production.name) {
    log(`--name ${name} is production's own name: the throwaway needs another. Nothing was changed.`);
    return 2;
  }
  const outdir = join(options.root, 'cdktf.out');
  const moduleDir = join(outdir, 'stacks', options.stack);
  const settingsFile = join(options.root, 'settings.json');
  log(`Drill of ${production.name} (${options.stack}, ${production.region}, module ${production.dir}):`);
  log(`  backup: s3://${production.backupBucket}/${backup.key} (${backup.lastModified}, ${backup.bytes} bytes), the newest there; read only`);
  log(`  throwaway deployment: ${name}, its own network, a wildcard DNS name (no Route53 record), state and module in ${moduleDir}`);
  log(`  then: /ping, the counts of clusters, users, projects and settings against the backup, server-url, a report in ${options.root}`);
  log(
    options.keep
      ? '  --keep: the throwaway stays up afterwards'
      : '  then the teardown of the throwaway (also when a step fails or the drill is interrupted)',
  );
  if (options.dryRun) {
    log('Dry run: nothing was changed.');
    return 0;
  }

  // The folder of the last throwaway, torn down: its empty state and its teardown record would be taken for the new
  // one's (the teardown resumes from its record), so it goes; one whose state still holds resources stays.
  const left = leftInState(moduleDir, options.stack);
  if (left > 0) {
    log(
      `${moduleDir} still holds ${left} resources of an earlier throwaway, and ${record.path} does not name it: tear it down with \`npm run teardown -- --dir ${moduleDir} --yes\` (TF_VAR_${RESTORE_VARIABLE} set to production's rancher_backup_encryption_config). Nothing was changed.`,
    );
    return 2;
  }
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(options.root, { recursive: true });
  writeFileSync(
    settingsFile,
    `${JSON.stringify(throwawaySettings(settings, { name, file, bucket: production.backupBucket, productionName: production.name }), null, 2)}\n`,
  );
  let current: DrillRecord = {
    stack: options.stack,
    name,
    productionDir: production.dir,
    productionName: production.name,
    moduleDir,
    startedAt: new Date().toISOString(),
    phase: 'synth',
    applied: false,
    productionBuckets: [production.backupBucket, production.etcdSnapshotBucket].filter((b): b is string => b !== undefined),
    keep: options.keep ?? false,
    done: false,
  };
  record.write(current);
  const report: DrillReport = {
    version: 1,
    stack: options.stack,
    production: { name: production.name, region: production.region, module: production.dir, url: production.url },
    backup: { bucket: production.backupBucket, key: backup.key, lastModified: backup.lastModified, bytes: backup.bytes },
    throwaway: { name, module: moduleDir, kept: options.keep ?? false },
    startedAt: current.startedAt,
    phases: [],
    comparisons: [],
    notProven: NOT_PROVEN,
  };
  const update = (change: Partial<DrillRecord>) => {
    current = { ...current, ...change };
    record.write(current);
  };
  const phase = phaseRunner<DrillPhase>({ interrupted: options.interrupted, results: report.phases, enter: (name) => update({ phase: name }), log });

  // The restore of an encrypted backup and the teardown's destroy both need production's configuration in the
  // variable (Terraform asks for a variable without a default in a destroy too): in this process's environment, so
  // the teardown's terraform inherits it as the apply's does.
  if (file.endsWith('.enc')) process.env[`TF_VAR_${RESTORE_VARIABLE}`] = production.backupEncryptionConfig;
  let outcome: 'passed' | 'failed' | 'interrupted' = 'passed';
  try {
    await phase('synth', async () => {
      await synthesize({ ...options, settingsFile, outdir, what: 'the throwaway' });
      const problems = throwawayProblems(moduleDir, production, options.root);
      if (problems.length > 0) throw new DrillFailed(`the synthesized throwaway is not safe to apply: ${problems.join('; ')}`);
    });
    const terraform = new Terraform(moduleDir);
    await phase('apply', async () => {
      update({ applied: true });
      await initAndApply(moduleDir, {
        ...options,
        apply: ['apply', '-auto-approve', '-input=false'],
        applyTimeoutMs: options.applyTimeoutMs ?? 10_800_000,
        failed: 'the restore did not complete',
      });
    });
    const url = String(terraform.outputJson('rancher_url') ?? '');
    report.throwaway = { ...report.throwaway, url };
    const kubeconfig = join(options.root, 'kubeconfig.yaml');
    const kubectl = new Kubectl(kubeconfig);
    await phase('ping', async () => {
      const config = terraform.outputJson('kubeconfig');
      if (typeof config !== 'string' || !url) throw new DrillFailed('the throwaway has no rancher_url or kubeconfig output');
      writeFileSync(kubeconfig, config, { mode: 0o600 });
      await waitForPing(kubectl, url, join(options.root, 'rancher-ca.pem'), options.pingMinutes ?? 10, options.interrupted);
    });
    await phase('login', () => {
      // The throwaway's own cluster-admin certificate (generated by its apply); Rancher's admin is production's.
      const can = kubectl.tryCall(['auth', 'can-i', '*', '*', '--all-namespaces']);
      if (!can.ok || can.stdout.trim() !== 'yes')
        throw new DrillFailed(`the throwaway's kubeconfig is not cluster-admin: ${readableError(can.stderr, 300)}`);
      const rancher = kubectl.tryCall(['-n', 'cattle-system', 'get', 'deployment', 'rancher', '-o', 'jsonpath={.status.availableReplicas}']);
      if (!rancher.ok || !(Number(rancher.stdout) >= 1)) throw new DrillFailed('no Rancher pod is available in cattle-system');
    });
    await phase('compare', async () => {
      const download = join(options.root, 'backup.tar.gz');
      try {
        aws.call(['s3api', 'get-object', '--bucket', production.backupBucket!, '--key', backup.key, download]);
        await yieldFor(0);
        if (options.interrupted()) throw new Interrupted();
        const contents = await readBackupFile(download);
        for (const kind of COUNTED) {
          const listed = kubectl.tryCall(['get', kind, '--all-namespaces', '-o', 'name']);
          const restored = listed.ok ? listed.stdout.split('\n').filter((l) => l.trim() !== '').length : undefined;
          const inBackup = contents.objects.get(kind) ?? 0;
          report.comparisons.push({ what: kind, backup: inBackup, restored, passed: restored !== undefined && restored >= inBackup });
        }
        const setting = kubectl.tryCall(['get', 'settings.management.cattle.io', 'server-url', '-o', 'jsonpath={.value}']);
        const serverUrl = setting.ok ? setting.stdout.trim() : undefined;
        report.comparisons.push({
          what: 'setting server-url',
          backup: production.url,
          restored: serverUrl,
          passed: serverUrl !== undefined && serverUrl === production.url,
          note: contents.files.has('settings.management.cattle.io#v3/server-url.json')
            ? "in the backup; compared with production's URL"
            : 'not in the backup',
        });
      } finally {
        rmSync(download, { force: true });
      }
      const failed = report.comparisons.filter((c) => !c.passed).map((c) => c.what);
      if (failed.length > 0) throw new DrillFailed(`the restored deployment differs from the backup: ${failed.join(', ')}`);
    });
  } catch (error) {
    if (error instanceof Interrupted || options.interrupted()) outcome = 'interrupted';
    else if (error instanceof StepFailed) outcome = 'failed';
    else {
      outcome = 'failed';
      const last = report.phases[report.phases.length - 1];
      if (!last || last.status === 'passed') report.phases.push({ phase: current.phase, status: 'failed', detail: (error as Error).message });
    }
  }

  let tornDown = true;
  if (options.keep) {
    report.phases.push({ phase: 'teardown', status: 'skipped', detail: '--keep' });
    log(`Kept: the throwaway deployment ${name} (${moduleDir}${report.throwaway.url ? `, ${report.throwaway.url}` : ''}).`);
    log(`Tear it down with: npm run drill -- ${options.stack} --teardown`);
  } else {
    const started = Date.now();
    const code = await tearDownThrowaway(current, log);
    tornDown = code === 0;
    report.phases.push({
      phase: 'teardown',
      status: tornDown ? 'passed' : 'failed',
      seconds: Math.round((Date.now() - started) / 1000),
      detail: tornDown ? undefined : `run npm run drill -- ${options.stack} --teardown to finish it`,
    });
  }
  if (!options.keep && tornDown) forgetThrowawayFiles(options.root);
  for (const p of DRILL_PHASES)
    if (!report.phases.some((r) => r.phase === p)) report.phases.splice(DRILL_PHASES.indexOf(p), 0, { phase: p, status: 'skipped' });
  const seconds = (p: DrillPhase) => report.phases.find((r) => r.phase === p && r.status === 'passed')?.seconds;
  const upTo = (['synth', 'apply', 'ping'] as const).map(seconds);
  if (upTo.every((s) => s !== undefined)) report.recoveryMinutes = Math.ceil(upTo.reduce((a, b) => a + b, 0) / 60);
  report.finishedAt = new Date().toISOString();
  report.passed = outcome === 'passed' && tornDown;
  const reportFile = join(options.root, `report-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  update({ phase: 'teardown', done: !options.keep && tornDown, report: reportFile });
  for (const line of describeReport(report, reportFile)) log(line);
  if (outcome === 'interrupted') return 130;
  return report.passed ? 0 : 1;
}

/** The throwaway's kubeconfig and CA: of no use once it is gone. */
function forgetThrowawayFiles(root: string): void {
  for (const file of ['kubeconfig.yaml', 'rancher-ca.pem']) rmSync(join(root, file), { force: true });
}

/** The newest file the operator wrote in production's bucket, by LastModified. */
function newestBackup(aws: Aws, bucket: string): { key: string; lastModified: string; bytes: number } | undefined {
  const listed = aws.call<{ Contents?: { Key: string; LastModified: string; Size: number }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    bucket,
    '--prefix',
    BACKUP_PREFIX,
  ]);
  const files = (listed?.Contents ?? []).filter((o) => BACKUP_FILE.test(o.Key.slice(BACKUP_PREFIX.length)));
  const newest = files.sort((a, b) => Date.parse(b.LastModified) - Date.parse(a.LastModified))[0];
  return newest && { key: newest.Key, lastModified: newest.LastModified, bytes: newest.Size };
}

/** The settings file is production's: same name and region as its state records (otherwise the throwaway would not be its copy). */
function settingsMismatch(settings: Record<string, unknown>, production: ProductionDeployment, path: string): string | undefined {
  const name = typeof settings.name === 'string' ? settings.name : 'rancher';
  const region = typeof settings.region === 'string' ? settings.region : 'us-east-1';
  if (name === production.name && region === production.region) return undefined;
  return `The settings file ${path} (name ${name}, region ${region}) is not the one ${production.dir} was applied from (name ${production.name}, region ${production.region}): set RANCHER_CONFIG to production's settings file. Nothing was changed.`;
}

/**
 * What would make the synthesized throwaway unsafe to apply: a Route53 record (production's name), a state that is
 * not a local file in the drill's folder, or any resource that manages one of production's buckets (a bucket, its
 * policy, its lifecycle...) rather than naming it in a policy's statements.
 */
export function throwawayProblems(moduleDir: string, production: ProductionDeployment, root: string): string[] {
  const json = readModuleJson(moduleDir);
  if (!json) return [`no ${join(moduleDir, 'cdk.tf.json')}`];
  const problems = localModuleProblems(json, moduleDir, root);
  const buckets = [production.backupBucket, production.etcdSnapshotBucket].filter((b): b is string => b !== undefined);
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    if (!type.startsWith('aws_s3_')) continue;
    for (const [id, body] of Object.entries(byName))
      if (buckets.includes(String(body.bucket))) problems.push(`${type}.${id} manages production's bucket ${body.bucket}`);
  }
  return problems;
}

/**
 * Tears a throwaway deployment down with the teardown command's steps (no confirmation, its own buckets deleted),
 * after checking that its state holds none of production's stores. Returns the exit code.
 */
async function tearDownThrowaway(drilled: DrillRecord, log: (line: string) => void): Promise<number> {
  if (!drilled.applied || !existsSync(join(drilled.moduleDir, 'cdk.tf.json'))) {
    log(`Nothing of ${drilled.name} was created (the drill stopped before its apply).`);
    return 0;
  }
  if (!process.env[`TF_VAR_${RESTORE_VARIABLE}`]) {
    try {
      const production = productionDeployment(drilled.productionDir);
      if (production.backupEncryptionConfig) process.env[`TF_VAR_${RESTORE_VARIABLE}`] = production.backupEncryptionConfig;
    } catch (error) {
      log(`Production's state could not be read (${(error as Error).message}); the destroy may ask for ${RESTORE_VARIABLE}.`);
    }
  }
  // A folder whose `terraform init` never finished cannot even be read: init it first (the state is a local file there).
  if (!existsSync(join(drilled.moduleDir, '.terraform'))) {
    const init = run('terraform', ['init', '-input=false'], { cwd: drilled.moduleDir, timeoutMs: 900_000, inherit: true });
    if (init.code !== 0) {
      log(
        `terraform init failed in ${drilled.moduleDir} (exit ${init.code}): the throwaway ${drilled.name} was not torn down. Fix it, then run the drill with --teardown.`,
      );
      return 1;
    }
  }
  const state = new Terraform(drilled.moduleDir).pull();
  const productionStores = new Set(drilled.productionBuckets);
  const shared = planTeardown(state, readDeploymentRecord(state)).stores.filter((s) => productionStores.has(s.id));
  if (shared.length > 0) {
    log(
      `The throwaway's state holds production's ${shared.map((s) => s.id).join(', ')}: it is not torn down (its teardown would delete them). Look at ${drilled.moduleDir} by hand.`,
    );
    return 1;
  }
  return teardown({ dir: drilled.moduleDir, label: `the drill's throwaway ${drilled.name}`, keepSnapshots: false, yes: true, log });
}
