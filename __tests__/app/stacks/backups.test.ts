import { RANCHER_BACKUP_CHART } from '../../../lib/config/versions';
import { SECRET_NAME_PATTERN } from '../../../lib/rancher/backup-objects';
import { backupObjectProblems, chartValueProblems } from '../../helpers/rancher-backup-schemas';
import { dependencyClosure, resources, type TerraformJson } from '../../helpers/synth';
import {
  AIR_GAP,
  mergeSettings,
  RESTORE_FILE,
  STACK_VARIANTS,
  synthSettings,
  variantSettings,
  K8S_HA_STACK,
  RKE_HA_STACK,
} from '../../helpers/variants';
import { backupResource, jobEnv as env, jobObject, renderBackupJob as render, requiredBackupResource as required } from '../../helpers/backup-jobs';

/**
 * Decodes `${yamlencode({...})}`: an HCL object of quoted keys, literal values and bare references is JSON once
 * `=` is `:`, each bare reference is written back as the `${...}` string it stands for, and an interpolation
 * inside a string as `ref`.
 */
function decodeValues(expression: string): Record<string, any> {
  const match = /^\$\{yamlencode\((.*)\)\}$/s.exec(expression);
  if (!match) throw new Error(`not a yamlencode expression: ${expression}`);
  const json = match[1]
    // Interpolations inside strings (a proxy bypass list joined from data sources) stand for their value.
    .replace(/\$\{[^{}]*\}/g, 'ref')
    .replace(/("(?:[^"\\]|\\.)*") = /g, '$1: ')
    .replace(/(: )([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.]+)(?=[,}])/g, '$1"$${$2}"');
  return JSON.parse(json) as Record<string, any>;
}
const rancherRelease = (json: TerraformJson) => Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;

const variants = STACK_VARIANTS.filter((v) => v.stack === RKE_HA_STACK || v.stack === K8S_HA_STACK);

describe.each(variants.map((v) => [v.name, v] as const))('Rancher backups: %s', (_, variant) => {
  const { json } = synthSettings(variant.stack, variant.settings);
  const backups = { enabled: true, ...(variant.settings.backups ?? {}) };
  // rke-ha: the servers hand the operator a role's credentials (backups.credentials: servers); k8s-ha: a writer's key.
  const keyless = variant.stack === RKE_HA_STACK && (variant.settings.backups?.credentials ?? 'servers') === 'servers';
  const [bucketName, bucket] = required(json, 'aws_s3_bucket', 'bucket');
  const bucketRef = `\${aws_s3_bucket.${bucketName}.id}`;

  it("keeps a bucket of its own with the etcd snapshot bucket's guards, whether backups are on or off", () => {
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket.force_destroy).toBe(false);
    expect(required(json, 'aws_s3_bucket_versioning', 'bucket')[1].versioning_configuration.status).toBe('Enabled');
    expect(required(json, 'aws_s3_bucket_public_access_block', 'bucket')[1]).toEqual(
      expect.objectContaining({ block_public_acls: true, restrict_public_buckets: true }),
    );
    expect(
      required(json, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket')[1].rule[0].apply_server_side_encryption_by_default.sse_algorithm,
    ).toBe('AES256');
    const lifecycle = required(json, 'aws_s3_bucket_lifecycle_configuration', 'bucket')[1];
    expect(lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    expect(json.output!.rancher_backup_bucket.value).toBe(bucketRef);
  });

  if (!backups.enabled) {
    it('installs nothing else with backups off: no operator, writer, key or Job', () => {
      expect(Object.values(resources(json, 'helm_release')).map((r) => r.chart)).not.toContain('rancher-backup');
      for (const type of ['aws_iam_user', 'aws_iam_access_key', 'random_bytes', 'kubernetes_job_v1', 'kubernetes_secret_v1'])
        expect(backupResource(json, type, '')).toBeUndefined();
      expect(backupResource(json, 'helm_release', 'jobs_')).toBeUndefined();
      expect(json.output).not.toHaveProperty('rancher_backup_encryption_config');
    });
    return;
  }

  const [crdName, crds] = required(json, 'helm_release', 'crd-release');
  const [operatorName, operator] = required(json, 'helm_release', 'release');
  const [firstName, firstRelease] = required(json, 'helm_release', 'jobs_first-backup');
  const [, scheduledRelease] = required(json, 'helm_release', 'jobs_scheduled-backup');
  const [first, scheduled] = [render(firstRelease), render(scheduledRelease)];
  const restore = backupResource(json, 'helm_release', 'jobs_migration-restore');
  const restoreJob = restore && render(restore[1]);

  it('installs both pinned charts, CRDs first, from the repository the air gap settings name', () => {
    const repository = variant.settings.airGap?.rancherBackupChartRepository ?? 'https://charts.rancher.io';
    expect(crds).toEqual(
      expect.objectContaining({ chart: 'rancher-backup-crd', version: RANCHER_BACKUP_CHART.version, repository, wait: true, atomic: true }),
    );
    expect(operator).toEqual(
      expect.objectContaining({ chart: 'rancher-backup', version: RANCHER_BACKUP_CHART.version, repository, wait: true, atomic: true }),
    );
    expect(operator.depends_on).toContain(`helm_release.${crdName}`);
    expect(operator.namespace).toBe(crds.namespace);
  });

  it('gives the operator chart values the chart takes: the bucket as its default location, the mirror registry, the proxy', () => {
    const values = decodeValues(operator.values[0]);
    expect(chartValueProblems(values)).toEqual([]);
    expect(values.s3).toEqual(expect.objectContaining({ enabled: true, bucketName: bucketRef, folder: 'rancher' }));
    // Without a credential Secret the operator asks its S3 client's credential chain: the servers' endpoint.
    if (keyless) expect(values.s3).not.toHaveProperty('credentialSecretName');
    else expect(values.s3).toEqual(expect.objectContaining({ credentialSecretNamespace: 'cattle-resources-system' }));
    // No client settings there: the chart writes them as a string its operator cannot decode (it would not start).
    expect(values.s3).not.toHaveProperty('clientConfig');
    expect(values.global?.cattle?.systemDefaultRegistry).toBe(variant.settings.airGap?.systemDefaultRegistry);
    expect(values.proxy).toBe(variant.settings.proxy?.http ? (variant.settings.proxy.https ?? variant.settings.proxy.http) : undefined);
  });

  it('takes the first backup once Rancher answered /ping, and waits for it; then the recurring one', () => {
    const before = dependencyClosure(json, `helm_release.${firstName}`);
    expect(before).toContain(`helm_release.${operatorName}`);
    expect(before).toContain(`helm_release.${crdName}`);
    expect(before).toContain(`helm_release.${rancherRelease(json)[0]}`);
    expect([...before].some((a) => a.startsWith('data.http.rancher-readiness_ping'))).toBe(true);
    // Helm's wait (it reads through a transient API error), the Job uninstalled when it fails (the next apply runs it again).
    for (const release of [firstRelease, scheduledRelease])
      expect(release).toMatchObject({ wait: true, wait_for_jobs: true, atomic: true, replace: true });
    // Bounded, in order: the script's budget, then the Job's deadline, then Helm's wait, then the provider's.
    for (const [job, release] of [
      [first, firstRelease],
      [scheduled, scheduledRelease],
    ]) {
      const budget = Number(env(job).DEADLINE_SECONDS);
      expect(budget).toBe(900);
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(budget);
      expect(release.timeout).toBeGreaterThan(job.spec.activeDeadlineSeconds);
      expect(Number(/^(\d+)m$/.exec(release.timeouts.create)![1]) * 60).toBeGreaterThan(release.timeout);
      expect(job.spec.backoffLimit).toBe(0);
    }
    expect(scheduledRelease.depends_on).toContain(`helm_release.${firstName}`);
    expect(jobObject(first)).toEqual(expect.objectContaining({ kind: 'Backup', metadata: { name: 'rancher-aws-first' } }));
    expect(jobObject(scheduled).spec).toEqual(
      expect.objectContaining({ schedule: backups.schedule ?? '0 */6 * * *', retentionCount: backups.retentionCount ?? 28 }),
    );
  });

  it('applies Backup objects that fit the CRD of the pinned chart, into the bucket, encrypted', () => {
    for (const job of [first, scheduled]) {
      const object = jobObject(job);
      expect(backupObjectProblems(object)).toEqual([]);
      expect(env(job).OBJECT).toContain(`"bucketName":"${bucketRef}"`);
      expect(object.spec.encryptionConfigSecretName).toMatch(/^rancher-aws-backup-encryption-ref$/);
      expect(job.spec.template.spec.containers[0].image).toBe(
        `${variant.settings.airGap?.systemDefaultRegistry ? `${variant.settings.airGap.systemDefaultRegistry}/` : ''}rancher/shell:v0.7.1`,
      );
    }
  });

  it("reaches S3 at the bucket's regional name, which a proxy allow-list and the S3 gateway endpoint know: dual-stack off", () => {
    const region = variant.settings.region ?? 'us-east-1';
    const objects = [first, scheduled, ...(restoreJob ? [restoreJob] : [])].map(jobObject);
    expect(objects.map((o) => o.kind)).toEqual(['Backup', 'Backup', ...(restoreJob ? ['Restore'] : [])]);
    for (const object of objects)
      expect(object.spec.storageLocation.s3).toEqual(
        expect.objectContaining({ endpoint: `s3.${region}.amazonaws.com`, region, clientConfig: { aws: { dualStack: false } } }),
      );
  });

  it('lets the writer list the bucket and write only under its folder; it deletes no version and changes no bucket setting', () => {
    const [, principal] = keyless
      ? Object.entries(resources(json, 'aws_iam_role')).find(([name]) => name.startsWith('backup-role'))!
      : required(json, 'aws_iam_user', 'writer');
    expect(principal.name).toMatch(/-rancher-backup$/);
    // The path the deployer policy grants user and role management under (docs/deployer-policy.json).
    expect(principal.path).toBe('/rancher-ha-aws/');
    const policy = JSON.stringify(
      Object.entries(json.data!.aws_iam_policy_document).find(([name]) =>
        name.startsWith(keyless ? 'rancher-backups_role-policy' : 'rancher-backups_writer'),
      )![1].statement,
    );
    const statements = JSON.parse(policy) as { actions: string[]; resources: string[] }[];
    const actions = statements.flatMap((s) => s.actions);
    expect(
      actions.filter(
        (a) => !['s3:ListBucket', 's3:GetBucketLocation', 's3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'].includes(a),
      ),
    ).toEqual([]);
    for (const s of statements) {
      if (s.actions.some((a) => a.endsWith('Object') || a === 's3:AbortMultipartUpload'))
        for (const r of s.resources) expect(r).toMatch(/\/rancher\/\*$/);
    }
    // The bucket policy denies plain HTTP only: the writer (over TLS) is admitted by its own policy.
    const bucketPolicy = Object.entries(json.data!.aws_iam_policy_document).find(([name]) => name.startsWith('rancher-backups_bucket'))![1];
    expect(bucketPolicy.statement.map((s: any) => [s.effect, s.condition?.[0]?.variable])).toEqual([['Deny', 'aws:SecureTransport']]);
  });

  if (keyless) {
    it('has no IAM user and no access key: a role only the node role may assume, for an hour, and the node role may assume only it', () => {
      for (const type of ['aws_iam_user', 'aws_iam_access_key', 'aws_iam_user_policy']) expect(Object.keys(resources(json, type))).toEqual([]);
      expect(backupResource(json, 'kubernetes_secret_v1', 'credentials')).toBeUndefined();
      const [roleName, role] = Object.entries(resources(json, 'aws_iam_role')).find(([name]) => name.startsWith('backup-role'))!;
      expect(role.max_session_duration).toBe(3600);
      const nodeRole = Object.keys(resources(json, 'aws_iam_role')).find((name) => name.startsWith('node-role'))!;
      const documents = json.data!.aws_iam_policy_document;
      const trust = documents[/^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(role.assume_role_policy)![1]];
      expect(trust.statement).toEqual([
        { actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: [`\${aws_iam_role.${nodeRole}.arn}`] }] },
      ]);
      const [, assume] = Object.entries(resources(json, 'aws_iam_role_policy')).find(([name]) => name.startsWith('backup-role_node-assume'))!;
      expect(assume.role).toBe(`\${aws_iam_role.${nodeRole}.id}`);
      expect(documents[/policy_document\.([^.]+)\.json/.exec(assume.policy)![1]].statement).toEqual([
        { sid: 'BackupCredentials', actions: ['sts:AssumeRole'], resources: [`\${aws_iam_role.${roleName}.arn}`] },
      ]);
    });

    it("points the operator's S3 client at its node's credentials endpoint, with its service account token, before any Backup or Restore", () => {
      const [envName, envResource] = required(json, 'kubernetes_env', 'operator-credentials');
      expect(envResource).toEqual(
        expect.objectContaining({
          api_version: 'apps/v1',
          kind: 'Deployment',
          container: 'rancher-backup',
          field_manager: 'rancher-ha-aws',
          force: true,
        }),
      );
      expect(envResource.metadata).toEqual(expect.objectContaining({ name: 'rancher-backup' }));
      const byName = Object.fromEntries(envResource.env.map((e: any) => [e.name, e]));
      expect(byName.RANCHER_AWS_NODE_IP.value_from.field_ref.field_path).toBe('status.hostIP');
      expect(byName.AWS_CONTAINER_CREDENTIALS_FULL_URI.value).toBe('http://$(RANCHER_AWS_NODE_IP):9811/rancher-backup');
      expect(byName.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.value).toBe('/var/run/secrets/kubernetes.io/serviceaccount/token');
      const [firstName] = required(json, 'helm_release', 'jobs_first-backup');
      expect(dependencyClosure(json, `helm_release.${firstName}`)).toContain(`kubernetes_env.${envName}`);
      // The servers' user data names the role: their refresh timer assumes it.
      const userData = Object.entries(json.locals ?? {}).filter(([name]) => /^server-\d+_user-data/.test(name));
      expect(userData.length).toBeGreaterThan(0);
      for (const [, text] of userData) expect(text).toMatch(/BACKUP_ROLE_ARN=\\?"\$\{aws_iam_role\.backup-role_[A-F0-9]+\.arn\}/);
    });
  }

  it('keeps the encryption key out of the synthesized files: generated, in a Secret and a sensitive output by reference', () => {
    const [keyName] = required(json, 'random_bytes', 'encryption-key');
    const [, secret] = required(json, 'kubernetes_secret_v1', 'encryption');
    expect(secret.data['encryption-provider-config.yaml']).toContain(`random_bytes.${keyName}.base64`);
    expect(json.output!.rancher_backup_encryption_config).toEqual(expect.objectContaining({ sensitive: true }));
    expect(json.output!.rancher_backup_encryption_config.value).toContain(`random_bytes.${keyName}.base64`);
    if (!keyless) {
      const [, credentials] = required(json, 'kubernetes_secret_v1', 'credentials');
      expect(credentials.data.secretKey).toMatch(/^\$\{aws_iam_access_key\.rancher-backups_writer_key_[A-F0-9]+\.secret\}$/);
    }
  });

  it('runs the Backups as an identity that may not touch Secrets', () => {
    for (const job of [first, scheduled]) {
      expect(job.spec.template.spec.serviceAccountName).toBe('rancher-aws-backup-objects');
      expect(env(job)).not.toHaveProperty('STALE_SECRETS');
    }
    const secretRules = Object.entries(resources(json, 'kubernetes_role_v1'))
      .filter(([name]) => name.startsWith('rancher-backups_'))
      .flatMap(([, role]) => role.rule)
      .filter((rule: any) => rule.resources.includes('secrets'));
    expect(secretRules).toHaveLength(backups.restoreFrom ? 1 : 0);
  });

  if (!backups.restoreFrom) {
    it('restores nothing and declares no restore variable without restoreFrom', () => {
      expect(restore).toBeUndefined();
      expect(Object.keys(json.variable ?? {})).not.toContain('rancher_backup_restore_encryption_config');
    });
    return;
  }
  it('restores restoreFrom before Rancher is installed (prune off), from the bucket it names', () => {
    const [restoreName, release] = restore!;
    const object = jobObject(render(release));
    expect(backupObjectProblems(object)).toEqual([]);
    expect(object.spec).toEqual(expect.objectContaining({ backupFilename: backups.restoreFrom!.file, prune: false }));
    expect(object.spec.storageLocation.s3.bucketName).toBe(backups.restoreFrom!.bucket ?? 'ref');
    expect(rancherRelease(json)[1].depends_on).toContain(`helm_release.${restoreName}`);
    expect(dependencyClosure(json, `helm_release.${restoreName}`)).toContain(`helm_release.${operatorName}`);
    expect(dependencyClosure(json, `helm_release.${restoreName}`)).not.toContain(`helm_release.${rancherRelease(json)[0]}`);
    // Then deletes the old deployment's Secrets the restore brought along, as an identity of its own.
    const job = render(release);
    expect(env(job)).toEqual(
      expect.objectContaining({
        STALE_SECRETS: SECRET_NAME_PATTERN,
        SECRETS_NAMESPACE: 'cattle-resources-system',
        KEEP_SECRETS: ['rancher-aws-backup-s3', 'rancher-aws-backup-encryption', 'rancher-aws-restore-encryption']
          .map((base) => `${base}-\${random_id.${required(json, 'random_id', 'secret-suffix')[0]}.hex}`)
          .join(' '),
      }),
    );
    expect(job.spec.template.spec.serviceAccountName).toBe('rancher-aws-backup-cleanup');
    const [, role] = required(json, 'kubernetes_role_v1', 'jobs_cleanup-role');
    expect(role.rule).toEqual([{ api_groups: [''], resources: ['secrets'], verbs: ['list', 'delete'] }]);
    expect(release.depends_on).toContain(
      `kubernetes_role_binding_v1.${required(json, 'kubernetes_role_binding_v1', 'jobs_cleanup-role-binding')[0]}`,
    );
    const encrypted = backups.restoreFrom!.file.endsWith('.enc');
    expect(Boolean(json.variable?.rancher_backup_restore_encryption_config)).toBe(encrypted);
    if (encrypted) {
      const variable = json.variable!.rancher_backup_restore_encryption_config;
      expect(variable).toEqual(expect.objectContaining({ sensitive: true, nullable: false }));
      expect(variable.validation[0].condition).toBe('${can(regex("EncryptionConfiguration", var.rancher_backup_restore_encryption_config))}');
    }
  });
});

describe('Rancher backups over time (before/after synth pairs)', () => {
  const base = variantSettings('rke-ha defaults');
  const before = synthSettings(RKE_HA_STACK, base).json;

  it('a schedule change replaces the release of the recurring Backup (a new name), which reapplies the Backup of the same name, and changes nothing else', () => {
    const after = synthSettings(RKE_HA_STACK, mergeSettings(base, { backups: { schedule: '15 1 * * *', retentionCount: 7 } })).json;
    const changed = (type: string) =>
      Object.keys({ ...resources(before, type), ...resources(after, type) }).filter(
        (name) => JSON.stringify(resources(before, type)[name]) !== JSON.stringify(resources(after, type)[name]),
      );
    const [releaseName, release] = required(after, 'helm_release', 'jobs_scheduled-backup');
    expect(changed('helm_release')).toEqual([releaseName]);
    // Only the values changed in the release itself: its name is a local, whose expression (the Job's hash) changed.
    const attributes = Object.keys(release).filter(
      (k) => JSON.stringify(release[k]) !== JSON.stringify(resources(before, 'helm_release')[releaseName][k]),
    );
    expect(attributes).toEqual(['values']);
    const local = /^\$\{local\.([^}]+)\}$/.exec(release.name)![1];
    const changedLocals = Object.keys({ ...before.locals, ...after.locals }).filter(
      (n) => JSON.stringify(before.locals?.[n]) !== JSON.stringify(after.locals?.[n]),
    );
    expect(changedLocals).toEqual([local]);
    // A new name: the provider marks `name` RequiresReplace, so Terraform replaces the release and a new Job applies the Backup.
    expect(after.locals![local]).not.toBe(before.locals![local]);
    expect(after.locals![local]).toMatch(/^rancher-aws-scheduled-backup-\$\{substr\(sha256\(jsonencode\(\["[0-9a-f]{64}", .*\]\)\), 0, 10\)\}$/);
    // The backup freshness alarm follows the schedule (its window, docs/lifetimes.md "Alarms").
    expect(changed('aws_cloudwatch_metric_alarm')).toEqual([expect.stringMatching(/^alarms_rancher-backups_alarm_/)]);
    const moving = ['helm_release', 'aws_cloudwatch_metric_alarm'];
    for (const type of Object.keys({ ...before.resource, ...after.resource }).filter((t) => !moving.includes(t)))
      expect([type, changed(type)]).toEqual([type, []]);
    const job = render(release);
    expect(jobObject(job)).toEqual(expect.objectContaining({ metadata: { name: 'rancher-aws-scheduled' } }));
    expect(jobObject(job).spec).toEqual(expect.objectContaining({ schedule: '15 1 * * *', retentionCount: 7 }));
  });

  it('turning backups off keeps the bucket and every guard at the same address, unchanged', () => {
    const after = synthSettings(RKE_HA_STACK, mergeSettings(base, { backups: { enabled: false } })).json;
    const bucketParts = (json: TerraformJson) =>
      Object.fromEntries(
        Object.entries(json.resource).flatMap(([type, all]) =>
          Object.entries(all as Record<string, unknown>)
            .filter(([name]) => name.startsWith('rancher-backups_bucket'))
            .map(([name, r]) => [`${type}.${name}`, r]),
        ),
      );
    expect(Object.keys(bucketParts(before)).length).toBeGreaterThanOrEqual(7);
    expect(bucketParts(after)).toEqual(bucketParts(before));
  });

  it('forceDestroyBucket lifts prevent_destroy on purpose', () => {
    const after = synthSettings(RKE_HA_STACK, mergeSettings(base, { backups: { forceDestroyBucket: true } })).json;
    const [, bucket] = required(after, 'aws_s3_bucket', 'bucket');
    expect(bucket.force_destroy).toBe(true);
    expect(bucket.lifecycle).toBeUndefined();
  });

  it("a migration pair: the new deployment reads the old one's bucket and file with a role of its own", () => {
    const old = synthSettings(RKE_HA_STACK, base).json;
    const next = synthSettings(
      RKE_HA_STACK,
      mergeSettings(base, {
        rancher: { bootstrap: { enabled: false } },
        backups: { restoreFrom: { file: RESTORE_FILE, bucket: 'rancher-rke-ha-backups-20261101000000000000000001' } },
      }),
    ).json;
    // The old deployment's files are named after its recurring Backup: what the new one is told to restore.
    expect(RESTORE_FILE.startsWith(`${jobObject(render(required(old, 'helm_release', 'jobs_scheduled-backup')[1])).metadata.name}-`)).toBe(true);
    const policy = Object.entries(next.data!.aws_iam_policy_document).find(([name]) => name.startsWith('rancher-backups_role-policy'))![1];
    expect(policy.statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sid: 'ReadRestoreSource',
          actions: ['s3:GetObject'],
          resources: [
            expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:s3:::rancher-rke-ha-backups-20261101000000000000000001\/rancher\/\*$/),
          ],
        }),
      ]),
    );
  });

  it('the air gap variant takes the charts from the mirror', () => {
    const json = synthSettings(RKE_HA_STACK, { airGap: AIR_GAP }).json;
    expect(required(json, 'helm_release', 'release')[1].repository).toBe(AIR_GAP.rancherBackupChartRepository);
  });
});
