import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RANCHER_BACKUP_CHART } from '../../lib/config/versions';
import { SECRET_BASES, SECRET_SUFFIX_BYTES } from '../../lib/rancher/backup-objects';
import { RUN_TAG } from './acceptance-settings';
import type { Aws } from '../shared/aws';
import { DOLLARS_PER_HOUR } from '../shared/hourly-cost';
import { Interrupted, waitUntil, yieldFor } from '../shared/poll';
import type { IoHost } from '../shared/io/io-host';
import { runAsync } from '../shared/process';
import { type RancherAnswer, rancherGet, rancherSend } from '../shared/rancher-api';
import { type ModuleState, Terraform, terraformBinary } from '../shared/terraform';
import type { TeardownEntry } from '../shared/command-entries';
import {
  type CaReader,
  initAndApply,
  type ModuleJson,
  readModuleJson,
  StepFailed,
  type Stoppable,
  synthesize,
  waitForPing,
} from '../shared/throwaway';
import { readableError } from '../shared/tool-output';
import { step } from './acceptance-progress';
import { initShown, terraformOutput } from './terraform-output';

// The acceptance run's migration phase (docker runs, `--only downstream,migrate --hosted-zone <zone>`): the docker
// deployment, with the downstream cluster the downstream phase imported into it, is taken to rke-ha as
// docs/docker-to-rke-ha.md, "From docker to rke-ha", tells users to: the "Rancher Backups" app installed in the docker
// Rancher's local cluster, a Backup of rancher-resource-set-full encrypted to a bucket, the old deployment retired,
// and a new rke-ha deployment (distribution k3s) restoring that file on its first apply at the same hostname. The
// downstream cluster must then be Active on the new Rancher under the same cluster id.
//
// What the two deployments share comes from a small Terraform module of the run's own (<run folder>/migrate/support,
// local state, tagged with the run id), applied before the docker deployment and destroyed after everything else:
// - one throwaway CA (tls provider), given to both deployments as `rancher.tls.issuer: ca`
//   (tls_ca_certificate_pem and tls_ca_private_key_pem): the agent's manifest carries a checksum of the CA Rancher
//   served when it was made, and refuses a Rancher serving another (`cacerts checksum ... does not match`);
// - the bucket the backup goes to and the one IAM user that writes it from the docker Rancher (the docker host's
//   local cluster has no other way to AWS credentials);
// - the EncryptionConfiguration of the backup (random_bytes, as the stacks make their own): the operator stores none.
// Its state holds the CA key and the encryption key, as the stacks' states hold theirs; a `--teardown-run` after a
// kill reads them from there (both deployments' destroys need the CA variables), so it is destroyed last.

/** The module shared by both deployments, and the rke-ha target's own synth, under the run's folder. */
export const migrateDirs = (runDir: string) => ({
  support: join(runDir, 'migrate', 'support'),
  outdir: join(runDir, 'migrate', 'cdktf.out'),
  target: join(runDir, 'migrate', 'cdktf.out', 'stacks', 'rke-ha'),
  settings: join(runDir, 'migrate', 'settings.json'),
});

/** The one-time Backup the docker Rancher takes (its file name starts with it). */
export const MIGRATION_BACKUP = 'rancher-aws-migration';
/** Where the operator goes in the docker Rancher's local cluster (the chart's own namespace). */
const OPERATOR_NAMESPACE = 'cattle-resources-system';
/**
 * The Secrets the Backup names there: the writer's key, and the EncryptionConfiguration (the operator's key name).
 * rancher-resource-set-full takes every Secret of the cattle- namespaces that Helm does not own (rancher-backup
 * v10.0.8, charts/rancher-backup/files/default/sensitive-resourceset-contents/rancher.yaml), so both travel in the
 * backup to the rke-ha deployment. Named as a deployment of this project names its own (`<base>-<six hex digits>`),
 * the restore's Job there deletes them as it deletes an old deployment's (docs/backups.md, "What a migration brings
 * along"): the writer's key does not live on in the new Rancher and its backups.
 */
export function migrationSecrets(runId: string): { readonly credentials: string; readonly encryption: string } {
  const suffix = createHash('sha256')
    .update(`migrate:${runId}`)
    .digest('hex')
    .slice(0, SECRET_SUFFIX_BYTES * 2);
  return { credentials: `${SECRET_BASES.credentials}-${suffix}`, encryption: `${SECRET_BASES.encryption}-${suffix}` };
}
const ENCRYPTION_KEY = 'encryption-provider-config.yaml';
/** The local cluster's Kubernetes API through Rancher's proxy, with admin's token (the docker host has no other). */
const LOCAL = '/k8s/clusters/local';

/** The budgets of the phase's waits, in minutes (each a bounded poll). */
export const MIGRATE_MINUTES = { operator: 10, backup: 15, snapshot: 30 } as const;

/** What the migrate phase creates, its time and cost, for the dry run. */
export const MIGRATE_PLAN = {
  resources:
    "before the deploy, a module of the run's own with a throwaway CA (both deployments serve a certificate of it), an S3 bucket and an IAM user with one access key that writes the backup to it; in the docker Rancher the rancher-backup charts, two Secrets and one Backup; then the docker deployment torn down and an rke-ha deployment (distribution k3s: two servers, an RDS datastore, a network load balancer, its own buckets, KMS keys and IAM) restored from the backup at the same Route53 name",
  time: '60-90 minutes (the backup 5-15, the docker teardown 5-10, the rke-ha apply with its restore 30-45, the downstream cluster back 5-45)',
  /** The rke-ha target counted for an hour and a half on top of the docker run's hours. */
  dollars: DOLLARS_PER_HOUR * 1.5,
} as const;

/** What the run keeps of the migration in its record: enough for `--teardown-run` after a kill at any point. */
export interface MigrateRecord {
  /** The shared module's folder (written before its apply). */
  readonly support: string;
  /** The rke-ha target's module folder, once it was synthesized (recorded before its apply). */
  readonly target?: string;
  /** The docker deployment was torn down by the phase (its teardown then finds nothing). */
  readonly dockerRetired?: boolean;
  /** The backup file, once the operator named it. */
  readonly file?: string;
  /** The final snapshots the target's datastore leaves when destroyed (recorded before its teardown). */
  readonly finalSnapshots?: readonly string[];
}

/** The shared module's outputs. */
export interface MigrateSupport {
  readonly caCertificate: string;
  readonly caPrivateKey: string;
  readonly encryptionConfig: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The run's shared module (Terraform JSON): named under the run's prefix, everything AWS tagged with the run id. */
export function migrateSupportModule(o: { readonly name: string; readonly runId: string; readonly region: string }): object {
  const id = `${o.name}-migrate`;
  const bucket = '${aws_s3_bucket.backup.id}';
  return {
    terraform: {
      required_providers: {
        aws: { source: 'hashicorp/aws', version: '6.25.0' },
        tls: { source: 'hashicorp/tls', version: '4.1.0' },
        random: { source: 'hashicorp/random', version: '3.7.2' },
      },
      backend: { local: { path: 'terraform.migrate.tfstate' } },
    },
    provider: {
      aws: [{ region: o.region, default_tags: [{ tags: { [RUN_TAG]: o.runId, 'rancher-ha-aws:migrate': id } }] }],
      tls: [{}],
      random: [{}],
    },
    resource: {
      tls_private_key: { ca: { algorithm: 'ECDSA', ecdsa_curve: 'P256' } },
      tls_self_signed_cert: {
        ca: {
          private_key_pem: '${tls_private_key.ca.private_key_pem}',
          is_ca_certificate: true,
          // Two days: the run's budget and a --teardown-run the day after.
          validity_period_hours: 48,
          allowed_uses: ['cert_signing', 'crl_signing', 'digital_signature'],
          subject: [{ common_name: `${id} throwaway CA`, organization: 'rancher-ha-aws acceptance run' }],
        },
      },
      // A secretbox key as the stacks make theirs (lib/rancher/rancher-backups.ts): 32 random bytes.
      random_bytes: { encryption: { length: 32 } },
      aws_s3_bucket: { backup: { bucket: id, force_destroy: true } },
      aws_s3_bucket_public_access_block: {
        backup: { bucket, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
      },
      aws_s3_bucket_server_side_encryption_configuration: {
        backup: { bucket, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] },
      },
      // The user sweeps find: under the project's path, named after the run, tagged (iam:TagUser on create).
      aws_iam_user: { writer: { name: id, path: '/rancher-ha-aws/' } },
      aws_iam_user_policy: {
        writer: {
          name: 'write-migration-backup',
          user: '${aws_iam_user.writer.name}',
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:aws:s3:::${id}` },
              { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${id}/rancher/*` },
            ],
          }),
        },
      },
      aws_iam_access_key: { writer: { user: '${aws_iam_user.writer.name}' } },
    },
    output: {
      ca_certificate_pem: { value: '${tls_self_signed_cert.ca.cert_pem}' },
      ca_private_key_pem: { value: '${tls_private_key.ca.private_key_pem}', sensitive: true },
      encryption_config: {
        value: `\${jsonencode({apiVersion = "apiserver.config.k8s.io/v1", kind = "EncryptionConfiguration", resources = [{resources = ["*.*"], providers = [{secretbox = {keys = [{name = "rancher-aws-migration", secret = random_bytes.encryption.base64}]}}]}]})}`,
        sensitive: true,
      },
      bucket: { value: bucket },
      access_key_id: { value: '${aws_iam_access_key.writer.id}' },
      secret_access_key: { value: '${aws_iam_access_key.writer.secret}', sensitive: true },
    },
  };
}

/** The variables useMigrateSecrets sets, which the run puts back as they were when it ends (acceptance.ts). */
export const MIGRATE_SECRET_VARIABLES = [
  'TF_VAR_tls_ca_certificate_pem',
  'TF_VAR_tls_ca_private_key_pem',
  'TF_VAR_rancher_backup_restore_encryption_config',
] as const;

/** The environment every terraform of both deployments needs: the shared CA, and the backup's EncryptionConfiguration. */
export function useMigrateSecrets(support: MigrateSupport): void {
  const [certificate, key, encryption] = MIGRATE_SECRET_VARIABLES;
  process.env[certificate] = support.caCertificate;
  process.env[key] = support.caPrivateKey;
  process.env[encryption] = support.encryptionConfig;
}

/**
 * The shared module's outputs, from its state (one `state pull`, whose outputs hold the sensitive values too); undefined
 * when it holds none (never applied, or destroyed) or cannot be read.
 */
export async function readMigrateSupport(dir: string): Promise<MigrateSupport | undefined> {
  if (!existsSync(join(dir, 'main.tf.json')) || !existsSync(join(dir, '.terraform'))) return undefined;
  let outputs: ModuleState['outputs'];
  try {
    outputs = (await new Terraform(dir).pull()).outputs;
  } catch {
    return undefined;
  }
  const value = (name: string): string | undefined => {
    const v = outputs[name]?.value;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const names = ['ca_certificate_pem', 'ca_private_key_pem', 'encryption_config', 'bucket', 'access_key_id', 'secret_access_key'];
  const [caCertificate, caPrivateKey, encryptionConfig, bucket, accessKeyId, secretAccessKey] = names.map(value);
  if (!caCertificate || !caPrivateKey || !encryptionConfig || !bucket || !accessKeyId || !secretAccessKey) return undefined;
  return { caCertificate, caPrivateKey, encryptionConfig, bucket, accessKeyId, secretAccessKey };
}

/**
 * The shared module applied (the caller records its folder first: a kill during the apply leaves what
 * `--teardown-run` must find), its secrets put in this process's environment for both deployments' terraform.
 */
export async function prepareMigration(
  dir: string,
  o: Parameters<typeof migrateSupportModule>[0],
  stoppable: Stoppable & { readonly output: (line: string) => void },
): Promise<MigrateSupport> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(migrateSupportModule(o), null, 2)}\n`);
  for (const args of [
    ['init', '-input=false'],
    ['apply', '-auto-approve', '-input=false'],
  ]) {
    const result = await runAsync(terraformBinary(), args, {
      cwd: dir,
      timeoutMs: 1_800_000,
      onLine: stoppable.output,
      stop: stoppable.stop,
      stopSignal: 'SIGINT',
    });
    if (stoppable.interrupted()) throw new Interrupted();
    if (result.code !== 0)
      throw new StepFailed(`terraform ${args[0]} of the migration's CA, bucket and writer failed (exit ${result.code}) in ${dir}`);
  }
  const support = await readMigrateSupport(dir);
  if (!support) throw new StepFailed(`the migration's module in ${dir} has not every output it should (CA, key, bucket, writer)`);
  useMigrateSecrets(support);
  return support;
}

/**
 * The rke-ha target's settings, from the docker run's (same name, region, tags, hostname, zone and Rancher version)
 * as docs/docker-to-rke-ha.md, "From docker to rke-ha", says: distribution k3s (the docker install's local cluster is K3s; a
 * K3s target needs no edit of the restored `local` cluster), the first-login bootstrap off (the restore brings the
 * docker Rancher's admin), the shared CA, and `backups.restoreFrom` the file in the run's bucket, which holds no
 * record of this project's (`unrecordedSource`: the version, hostname and key are the run's to match, and do).
 */
export function migrateTargetSettings(
  docker: Record<string, unknown>,
  restore: { readonly file: string; readonly bucket: string },
): Record<string, unknown> {
  const section = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  const { docker: _docker, ...settings } = docker;
  const rancher = section(settings.rancher);
  rancher.bootstrap = { ...section(rancher.bootstrap), enabled: false };
  rancher.tls = { issuer: 'ca' };
  settings.rancher = rancher;
  settings.rkeHa = {
    distribution: 'k3s',
    loadBalancer: { type: 'nlb', deletionProtection: false },
    // Its teardown must not need an override, as the run's other deployments (its final snapshot: below).
    datastore: { deletionProtection: false },
  };
  settings.backups = {
    ...section(settings.backups),
    enabled: true,
    restoreFrom: { file: restore.file, bucket: restore.bucket, unrecordedSource: true },
  };
  return settings;
}

/** What the migration needs of the run. */
export interface MigrateContext extends Stoppable {
  readonly runId: string;
  readonly url: string;
  readonly caFile: string;
  /** admin's token on the docker Rancher (the restore brings it along: it is in Rancher's datastore). */
  readonly token: () => string | Promise<string>;
  readonly aws: Aws;
  readonly region: string;
  readonly io: IoHost;
}

/** A call through Rancher's API that must answer 2xx, else the step fails with what it answered. */
async function must(
  request: Promise<RancherAnswer>,
  what: string,
  ok: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<RancherAnswer> {
  const answer = await request;
  if (!ok(answer.status)) throw new StepFailed(`${what} answered ${answer.status}: ${readableError(answer.body, 300)}`);
  return answer;
}

/**
 * docs/docker-to-rke-ha.md step 2 on the docker Rancher, through its API with admin's token: the "Rancher Backups" app
 * installed in the `local` cluster (both charts, at the version the stacks pin), a Secret with the writer's key
 * and one with the EncryptionConfiguration, and a one-time Backup of rancher-resource-set-full, encrypted, to the
 * run's bucket; waited for until the operator names its file, which must then be in the bucket. The file's name.
 */
export async function backupOnDocker(c: MigrateContext, support: MigrateSupport, evidence: (line: string) => void): Promise<string> {
  const token = await c.token();
  const names = migrationSecrets(c.runId);
  const send = (method: 'POST' | 'PUT', path: string, body: unknown) => rancherSend(c.url, c.caFile, token, method, path, JSON.stringify(body));
  const get = (path: string) => rancherGet(c.url, c.caFile, token, path);
  // As the UI's app install does: one install action of the chart repository with both charts, the CRDs first
  // (the body is ChartInstallAction of rancher/rancher pkg/api/steve/catalog/types/rest.go, read at a recent commit).
  // Through the API rather than a helm binary: whether the rancher/rancher image carries one is not known here.
  await must(
    send('POST', '/v1/catalog.cattle.io.clusterrepos/rancher-charts?action=install', {
      charts: ['rancher-backup-crd', 'rancher-backup'].map((chartName) => ({
        chartName,
        version: RANCHER_BACKUP_CHART.version,
        releaseName: chartName,
        annotations: {},
        values: {},
      })),
      namespace: OPERATOR_NAMESPACE,
      wait: true,
      timeout: '600s',
    }),
    "the install of the Rancher Backups app (rancher-charts' install action)",
  );
  evidence(
    `Rancher Backups ${RANCHER_BACKUP_CHART.version} (rancher-backup-crd, rancher-backup) installed in the local cluster through Rancher's app install`,
  );
  // The chart makes the full resource set; the Backup is refused until it exists.
  let last = '';
  const installed = await waitUntil(MIGRATE_MINUTES.operator * 60_000, c.interrupted, async () => {
    const found = await get(`${LOCAL}/apis/resources.cattle.io/v1/resourcesets/rancher-resource-set-full`);
    last = `${found.status}`;
    return found.status === 200 ? true : undefined;
  });
  if (c.interrupted()) throw new Interrupted();
  if (!installed)
    throw new StepFailed(`the operator's rancher-resource-set-full did not appear within ${MIGRATE_MINUTES.operator} minutes (last answer ${last})`);
  const secret = (name: string, data: Record<string, string>) =>
    must(
      send('POST', `${LOCAL}/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: OPERATOR_NAMESPACE },
        type: 'Opaque',
        stringData: data,
      }),
      `the Secret ${OPERATOR_NAMESPACE}/${name}`,
      // Made already by an earlier try of the phase: the same content.
      (s) => (s >= 200 && s < 300) || s === 409,
    );
  await secret(names.credentials, { accessKey: support.accessKeyId, secretKey: support.secretAccessKey });
  await secret(names.encryption, { [ENCRYPTION_KEY]: support.encryptionConfig });
  await must(
    send('POST', `${LOCAL}/apis/resources.cattle.io/v1/backups`, {
      apiVersion: 'resources.cattle.io/v1',
      kind: 'Backup',
      metadata: { name: MIGRATION_BACKUP },
      spec: {
        // The basic set leaves out the Secrets Rancher needs (docs/docker-to-rke-ha.md).
        resourceSetName: 'rancher-resource-set-full',
        encryptionConfigSecretName: names.encryption,
        storageLocation: {
          s3: {
            bucketName: support.bucket,
            folder: 'rancher',
            region: c.region,
            endpoint: `s3.${c.region}.amazonaws.com`,
            credentialSecretName: names.credentials,
            credentialSecretNamespace: OPERATOR_NAMESPACE,
            clientConfig: { aws: { dualStack: false } },
          },
        },
      },
    }),
    `the Backup ${MIGRATION_BACKUP}`,
  );
  let status = '';
  const file = await waitUntil(MIGRATE_MINUTES.backup * 60_000, c.interrupted, async () => {
    const found = await get(`${LOCAL}/apis/resources.cattle.io/v1/backups/${MIGRATION_BACKUP}`);
    try {
      const body = JSON.parse(found.body) as { status?: { filename?: string; conditions?: { type?: string; message?: string }[] } };
      const ready = body.status?.conditions?.find((x) => x.type === 'Ready')?.message;
      status = `${found.status}${ready ? `, Ready: ${ready}` : ''}`;
      return body.status?.filename && ready === 'Completed' ? body.status.filename : undefined;
    } catch {
      status = `${found.status}`;
      return undefined;
    }
  });
  if (c.interrupted()) throw new Interrupted();
  if (!file) throw new StepFailed(`the Backup ${MIGRATION_BACKUP} wrote no file within ${MIGRATE_MINUTES.backup} minutes (last: ${status})`);
  await yieldFor(0);
  const { side, clients } = await c.aws.sdk();
  const listed = await side.listObjects(clients, support.bucket, `rancher/${file}`);
  const object = listed.find((x) => x.key === `rancher/${file}`);
  if (!object) throw new StepFailed(`the operator names ${file}, which is not in s3://${support.bucket}/rancher/`);
  evidence(`Backup ${MIGRATION_BACKUP} of rancher-resource-set-full, encrypted: s3://${support.bucket}/rancher/${file}, ${object.size} bytes`);
  return file;
}

/**
 * The shared module destroyed (last: both deployments' destroys need its CA in their variables). 0 when nothing was
 * left.
 */
export async function tearDownMigrateSupport(dir: string, io: IoHost): Promise<number> {
  if (!existsSync(join(dir, 'main.tf.json'))) return 0;
  if (!existsSync(join(dir, '.terraform'))) {
    const init = initShown(dir, io);
    if (init.code !== 0) {
      io.error(
        'ACCEPTANCE_TERRAFORM_INIT_FAILED',
        `terraform init failed in ${dir} (exit ${init.code}): the migration's CA, bucket and writer were not torn down`,
        { dir, exitCode: init.code },
      );
      return 1;
    }
  }
  const destroyed = await runAsync(terraformBinary(), ['apply', '-destroy', '-refresh=false', '-auto-approve', '-input=false'], {
    cwd: dir,
    timeoutMs: 1_800_000,
    onLine: terraformOutput(io),
  });
  if (destroyed.code !== 0) {
    io.error('ACCEPTANCE_DESTROY_FAILED', `terraform destroy of the migration's CA, bucket and writer failed (exit ${destroyed.code}) in ${dir}`, {
      dir,
      exitCode: destroyed.code,
    });
    return 1;
  }
  return 0;
}

/** What the phase needs beyond the Rancher calls: the run's folders, its record and its checks. */
export interface MigratePhase extends MigrateContext {
  readonly runDir: string;
  readonly name: string;
  /** The teardown command, which retires the docker deployment. */
  readonly teardown: TeardownEntry;
  /** The docker deployment's module folder and settings file. */
  readonly dockerDir: string;
  readonly dockerSettings: Record<string, unknown>;
  readonly synthScript: string;
  readonly pingMinutes: number;
  readonly support: MigrateSupport;
  readonly record: () => MigrateRecord;
  readonly update: (change: Partial<MigrateRecord>) => void;
  readonly evidence: (line: string) => void;
  /** The acceptance run's own checks of a module before its apply (the run's tag, prefix, its own record). */
  readonly moduleProblems: (json: ModuleJson, moduleDir: string) => string[];
  /** The Rancher version a synthesized module installs (the docker image's tag, the rancher chart's version). */
  readonly rancherVersion: (json: ModuleJson, moduleDir: string, stack: 'docker' | 'rke-ha') => string | undefined;
}

/**
 * The phase: the backup on the docker Rancher, the rke-ha target synthesized and checked (the same Rancher version),
 * the docker deployment retired (docs/docker-to-rke-ha.md step 3: the same hostname, the old one first), the target
 * applied with the restore, and Rancher's answer at the same URL with the shared CA. The caller then requires the downstream cluster back under its id.
 */
export async function migrateDocker(p: MigratePhase): Promise<void> {
  const dirs = migrateDirs(p.runDir);
  const file = p.record().file ?? (await backupOnDocker(p, p.support, p.evidence));
  p.update({ file });
  // The target synthesized and checked while the docker deployment still stands: nothing is retired for a module
  // that would not be applied.
  mkdirSync(join(p.runDir, 'migrate'), { recursive: true });
  writeFileSync(dirs.settings, `${JSON.stringify(migrateTargetSettings(p.dockerSettings, { file, bucket: p.support.bucket }), null, 2)}\n`);
  await synthesize({
    ...p,
    synthScript: p.synthScript,
    settingsFile: dirs.settings,
    outdir: dirs.outdir,
    what: 'the rke-ha deployment the docker one moves to',
  });
  const json = readModuleJson(dirs.target);
  const docker = readModuleJson(p.dockerDir);
  const problems = json ? p.moduleProblems(json, dirs.target) : [`no ${dirs.target}/cdk.tf.json`];
  // docs/docker-to-rke-ha.md step 1: source and target run the same Rancher (a migration restores into the same version only).
  const from = docker ? p.rancherVersion(docker, p.dockerDir, 'docker') : undefined;
  const to = json ? p.rancherVersion(json, dirs.target, 'rke-ha') : undefined;
  if (!from || !to || from.replace(/^v/, '') !== to.replace(/^v/, ''))
    problems.push(
      `it installs Rancher ${to ?? '(unknown)'} and the backup comes from Rancher ${from ?? '(unknown)'}: a migration restores into the same version`,
    );
  if (problems.length > 0) throw new StepFailed(`the synthesized rke-ha deployment is not safe to apply: ${problems.join('; ')}`);
  p.evidence(`Rancher ${to} on both deployments (the docker image's tag ${from}, the rke-ha chart's version)`);
  if (!p.record().dockerRetired) {
    const code = await p.teardown({
      dir: p.dockerDir,
      label: `the docker deployment ${p.name} (migrated)`,
      keepSnapshots: false,
      yes: true,
      io: p.io,
    });
    if (p.interrupted()) throw new Interrupted();
    if (code !== 0) throw new StepFailed(`the teardown of the docker deployment ended with exit ${code}: the rke-ha deployment was not started`);
    p.update({ dockerRetired: true });
    p.evidence(`the docker deployment torn down (rancher-ha-aws teardown --yes): exit 0; ${p.url} answers no more until the rke-ha deployment does`);
  }
  // Recorded before the apply: a kill during it leaves a deployment --teardown-run must find.
  p.update({ target: dirs.target });
  await step(p.io, 'apply', `terraform apply of the rke-ha deployment restoring ${file}`, () =>
    initAndApply(dirs.target, {
      ...p,
      apply: ['apply', '-auto-approve', '-input=false'],
      applyTimeoutMs: 10_800_000,
      failed: `the rke-ha deployment restoring ${file} did not complete`,
      output: terraformOutput(p.io),
    }),
  );
  p.evidence(
    `rke-ha (distribution k3s) applied with backups.restoreFrom ${file} of s3://${p.support.bucket}: the restore ran before Rancher was installed`,
  );
  const url = String((await new Terraform(dirs.target).outputJson('rancher_url')) ?? '');
  if (url !== p.url) throw new StepFailed(`the rke-ha deployment answers at ${url || '(no rancher_url)'}, not at the docker deployment's ${p.url}`);
  // The run's CA is what both deployments serve: trusted as it is, not read from the new Rancher.
  const trust: CaReader = (caFile) => {
    writeFileSync(caFile, p.support.caCertificate);
    return true;
  };
  await waitForPing(trust, url, p.caFile, p.pingMinutes, p.interrupted);
  p.evidence(`${url}/ping answered pong from the rke-ha deployment, verified with the run's CA (the docker deployment's)`);
}

/**
 * The rke-ha target torn down from its state (before the docker deployment and the shared module), then the final
 * snapshot its RDS datastore leaves (the stack never skips it, and copies the deployment's tags to it: the run's tag
 * would make the sweep find it). The snapshots are recorded before the teardown (`update`): a kill during it leaves
 * them named for `--teardown-run`. 0 when nothing was left.
 */
export async function tearDownMigrateTarget(
  record: MigrateRecord,
  name: string,
  aws: Aws,
  update: (change: Partial<MigrateRecord>) => void,
  teardown: TeardownEntry,
  io: IoHost,
): Promise<number> {
  let snapshots = record.finalSnapshots ?? [];
  if (record.target && existsSync(join(record.target, 'cdk.tf.json'))) {
    if (!existsSync(join(record.target, '.terraform'))) {
      const init = initShown(record.target, io);
      if (init.code !== 0) {
        io.error(
          'ACCEPTANCE_TERRAFORM_INIT_FAILED',
          `terraform init failed in ${record.target} (exit ${init.code}): the rke-ha deployment of the migration was not torn down`,
          { dir: record.target, exitCode: init.code },
        );
        return 1;
      }
    }
    const state = await new Terraform(record.target).pull();
    const fromState = state.resources
      .filter((r) => r.mode === 'managed' && r.type === 'aws_db_instance')
      .map((r) => r.attributes as { skip_final_snapshot?: boolean; final_snapshot_identifier?: string })
      .filter((a) => !a.skip_final_snapshot && a.final_snapshot_identifier)
      .map((a) => a.final_snapshot_identifier!);
    snapshots = [...new Set([...snapshots, ...fromState])];
    update({ finalSnapshots: snapshots });
    const code = await teardown({
      dir: record.target,
      label: `the rke-ha deployment ${name} (the migration's)`,
      keepSnapshots: false,
      yes: true,
      io,
    });
    if (code !== 0) return code;
  }
  for (const id of snapshots) if (!(await deleteSnapshot(aws, id, io))) return 1;
  return 0;
}

/** A final DB snapshot deleted once RDS has finished it (30 minutes at most); true when it is gone. */
async function deleteSnapshot(aws: Aws, id: string, io: IoHost): Promise<boolean> {
  const { side, clients } = await aws.sdk();
  let status = '';
  const ready = await waitUntil(
    MIGRATE_MINUTES.snapshot * 60_000,
    () => false,
    async () => {
      // No such snapshot (DBSnapshotNotFound): gone already.
      status = (await side.dbSnapshotStatus(clients, id)) ?? 'gone';
      return status === 'available' || status === 'gone' ? status : undefined;
    },
  );
  if (!ready) {
    io.error(
      'ACCEPTANCE_SNAPSHOT_NOT_DELETED',
      `The final snapshot ${id} of the migration's datastore was still ${status} after ${MIGRATE_MINUTES.snapshot} minutes: delete it with aws rds delete-db-snapshot --db-snapshot-identifier ${id}`,
    );
    return false;
  }
  // Gone between the look and the delete (DBSnapshotNotFound): as good as deleted.
  if (ready === 'available') await side.deleteDbSnapshot(clients, id);
  io.info('ACCEPTANCE_SNAPSHOT_DELETED', `The final snapshot ${id} of the migration's datastore: deleted.`, { snapshot: id });
  return true;
}
