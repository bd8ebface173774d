import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Id } from '@cdktn/provider-random/lib/id';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { parse } from 'yaml';
import { SHELL_IMAGE } from '../../../lib/kubernetes/readiness-gates';
import { BackupObjectJobs, DISARM_NAME, HELD_NAMESPACES } from '../../../lib/rancher/backup-object-jobs';
import { backupObject, FIRST_BACKUP, MIGRATION_RESTORE, restoreObject } from '../../../lib/rancher/backup-objects';
import { renderGateChart } from '../../helpers/gates';
import { only, resources, synthConstruct, type TerraformJson } from '../../helpers/synth';

const SCRIPT = readFileSync(join(__dirname, '../../../lib/rancher/backup-objects.sh'), 'utf8');
const JOB_FAILURE = readFileSync(join(__dirname, '../../../lib/kubernetes/job-failure.sh'), 'utf8');
const DISARM = readFileSync(join(__dirname, '../../../lib/rancher/restore-disarm.sh'), 'utf8');

/** A BackupObjectJobs with one Backup whose bucket and secret names are references, as in the stacks. */
function synth(options: { minutes?: number; registry?: string; tokensBefore?: number } = {}): TerraformJson {
  return synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new HelmProvider(stack, 'helm', {});
    new RandomProvider(stack, 'random');
    // Unrelated references made first shift cdktf's token numbers: they must not change a name.
    for (let i = 0; i < (options.tokensBefore ?? 0); i++) void new Id(stack, `other-${i}`, { byteLength: 2 }).hex;
    const bucket = new Id(stack, 'bucket', { byteLength: 4 }).hex;
    const suffix = new Id(stack, 'suffix', { byteLength: 3 }).hex;
    const jobs = new BackupObjectJobs(stack, 'jobs', { namespace: 'cattle-resources-system', registry: options.registry, dependsOn: [] });
    const location = {
      bucket,
      region: 'eu-west-1',
      dnsSuffix: 'amazonaws.com',
      secrets: { credentials: `c-${suffix}`, encryption: `e-${suffix}`, restoreEncryption: `r-${suffix}` },
    };
    jobs.apply('first-backup', { object: backupObject({ name: FIRST_BACKUP, location }), minutes: options.minutes ?? 15 });
  }).json;
}

const json = synth({ registry: 'registry.internal:5000' });
const [, release] = only(json, 'helm_release');
const localName = /^\$\{local\.([^}]+)\}$/.exec(release.name)?.[1];
/** The references' values at apply time. */
const VALUES: Record<string, string> = { 'random_id.bucket.hex': 'rancher-backups-0a1b', 'random_id.suffix.hex': 'c0ffee' };
const job = parse(
  renderGateChart(release.values[0], (expression) => (expression === `local.${localName}` ? 'NAME' : (VALUES[expression] ?? `\${${expression}}`))),
);
const container = job.spec.template.spec.containers[0];
const env: Record<string, string> = Object.fromEntries(
  container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]),
);

describe('BackupObjectJobs: each Backup or Restore a Job of the gate chart, in a Helm release Terraform waits for', () => {
  it("is a release of the gate chart with Helm's wait on the Job, atomic, never a kubernetes_job_v1", () => {
    expect(resources(json, 'kubernetes_job_v1')).toEqual({});
    expect(release).toMatchObject({ wait: true, wait_for_jobs: true, atomic: true, replace: true, namespace: 'cattle-resources-system' });
    expect(release.chart).toMatch(/^\$\{path\.module\}\/assets\/rancher-aws-gate-chart\/[0-9A-F]{8}$/);
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'NAME', namespace: 'cattle-resources-system', labels: { 'app.kubernetes.io/name': 'rancher-aws-backup-objects' } },
    });
  });

  it("keeps the script's semantics: the object applied as written (references resolved), waited for until Completed, at its budget", () => {
    expect(container.command).toEqual(['bash', '-c', `${JOB_FAILURE}\n${SCRIPT}`]);
    expect(env).toEqual({
      HOME: '/tmp',
      DEADLINE_SECONDS: '900',
      RESOURCE: 'backups.resources.cattle.io',
      NAME: FIRST_BACKUP,
      OBJECT: expect.any(String),
    });
    const object = JSON.parse(env.OBJECT);
    expect(object.spec.storageLocation.s3).toMatchObject({ bucketName: 'rancher-backups-0a1b', credentialSecretName: 'c-c0ffee' });
    expect(object.spec.encryptionConfigSecretName).toBe('e-c0ffee');
    // One pod; bounded in order: the script, the Job a minute later, Helm five minutes later, the provider five after that.
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(960);
    expect(release.timeout).toBe(20 * 60);
    expect(release.timeouts).toEqual({ create: '25m', update: '25m' });
  });

  it('runs rancher/shell from the air-gap registry, unprivileged, read-only, with a small writable /tmp', () => {
    expect(container.image).toBe(`registry.internal:5000/${SHELL_IMAGE.repository}:${SHELL_IMAGE.tag}`);
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }]);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBe('rancher-aws-backup-objects');
  });

  it('may only read, create and change Backups and Restores, and starts once its service account and binding exist', () => {
    const [, role] = only(json, 'kubernetes_cluster_role_v1');
    expect(role.rule).toEqual([{ api_groups: ['resources.cattle.io'], resources: ['backups', 'restores'], verbs: ['get', 'create', 'patch'] }]);
    const [saName] = only(json, 'kubernetes_service_account_v1');
    const [bindingName] = only(json, 'kubernetes_cluster_role_binding_v1');
    const [reporterName, reporter] = only(json, 'kubernetes_role_v1');
    const [reporterBindingName] = only(json, 'kubernetes_role_binding_v1');
    // Besides: Events in its own namespace, for a failed Job's last line (job-failure.sh).
    expect(reporter.rule).toEqual([{ api_groups: [''], resources: ['events'], verbs: ['create'] }]);
    expect(reporter.metadata.namespace).toBe(release.namespace);
    expect(reporterName).toMatch(/^jobs_role_/);
    expect(release.depends_on).toEqual([
      `kubernetes_service_account_v1.${saName}`,
      `kubernetes_cluster_role_binding_v1.${bindingName}`,
      `kubernetes_role_binding_v1.${reporterBindingName}`,
    ]);
  });

  it("is named by a hash Terraform computes over the Job with its references blanked and each reference's value", () => {
    expect(localName).toBeDefined();
    const expression = /^rancher-aws-first-backup-\$\{(substr\(sha256\(jsonencode\(\["([0-9a-f]{64})", (.*)\]\)\), 0, 10\))\}$/.exec(
      json.locals![localName!],
    );
    expect(expression).not.toBeNull();
    const [, , skeleton, references] = expression!;
    // The references in the order the Job text carries them: the encryption secret's suffix, the bucket, the credentials' suffix.
    expect(references.split(', ')).toEqual(['random_id.suffix.hex', 'random_id.bucket.hex', 'random_id.suffix.hex']);
    // The blanked part: the hash of the Job's text (and the chart's hash) with `${}` for each reference.
    expect(skeleton).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same name for the same Job and values, whatever cdktf numbered its tokens; a new budget or image is a new name', () => {
    const expressionOf = (j: TerraformJson) => Object.entries(j.locals ?? {}).find(([name]) => name.startsWith('jobs_first-backup-name'))![1];
    expect(expressionOf(synth({ registry: 'registry.internal:5000', tokensBefore: 3 }))).toBe(json.locals![localName!]);
    expect(expressionOf(synth({ registry: 'registry.internal:5000', minutes: 16 }))).not.toBe(json.locals![localName!]);
    expect(expressionOf(synth())).not.toBe(json.locals![localName!]);
  });

  it('escapes the script once for Terraform, references staying references', () => {
    // Every `${` in the values is either escaped (`$${`) or one of the references.
    const unescaped = [...release.values[0].matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1]);
    expect([...new Set(unescaped)].sort()).toEqual([`local.${localName}`, 'random_id.bucket.hex', 'random_id.suffix.hex']);
  });
});

describe("BackupObjectJobs with disarm (a drill's Restore)", () => {
  const drill = synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new HelmProvider(stack, 'helm', {});
    const jobs = new BackupObjectJobs(stack, 'jobs', { namespace: 'cattle-resources-system', dependsOn: [] });
    const rancherNamespace = new Id(stack, 'rancher-namespace', { byteLength: 2 });
    new RandomProvider(stack, 'random');
    const location = {
      bucket: 'b',
      region: 'eu-west-1',
      dnsSuffix: 'amazonaws.com',
      secrets: { credentials: 'c', encryption: 'e', restoreEncryption: 'r' },
    };
    jobs.apply('migration-restore', {
      object: restoreObject({ file: 'f.tar.gz', location }),
      minutes: 15,
      removeSecrets: { pattern: '^x$', keep: [] },
      disarm: true,
      dependsOn: [rancherNamespace],
    });
  }).json;
  const [, drillRelease] = only(drill, 'helm_release');
  const drillJob = parse(renderGateChart(drillRelease.values[0], (expression) => `\${${expression}}`));
  const drillContainer = drillJob.spec.template.spec.containers[0];
  const drillEnv = Object.fromEntries(drillContainer.env.filter((e: { value?: string }) => e.value !== undefined).map((e: any) => [e.name, e.value]));

  it("runs the disarm's functions before the object's script, told the hold's name, the held namespaces and where to probe", () => {
    expect(drillContainer.command).toEqual(['bash', '-c', `${JOB_FAILURE}\n${DISARM}\n${SCRIPT}`]);
    expect(drillEnv).toMatchObject({
      NAME: MIGRATION_RESTORE,
      DISARM: 'true',
      HOLD_POLICY: DISARM_NAME,
      HOLD_NAMESPACES: HELD_NAMESPACES,
      PROBE_NAMESPACE: 'cattle-system',
      STALE_SECRETS: '^x$',
    });
    expect(drillJob.spec.template.spec.serviceAccountName).toBe(DISARM_NAME);
  });

  it('may list and delete Secrets, create and delete the hold, and create pods in cattle-system only (the dry run), nothing more', () => {
    const roles = resources(drill, 'kubernetes_cluster_role_v1');
    const [, disarmRole] = Object.entries(roles).find(([name]) => name.startsWith('jobs_disarm-cluster-role'))!;
    expect(disarmRole.rule).toEqual([
      { api_groups: [''], resources: ['secrets'], verbs: ['list', 'delete'] },
      {
        api_groups: ['admissionregistration.k8s.io'],
        resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'],
        verbs: ['create', 'delete'],
      },
    ]);
    const [probeName, probe] = Object.entries(resources(drill, 'kubernetes_role_v1')).find(([name]) => name.startsWith('jobs_disarm-probe-role'))!;
    expect(probe.metadata.namespace).toBe('cattle-system');
    expect(probe.rule).toEqual([{ api_groups: [''], resources: ['pods'], verbs: ['create'] }]);
    // The Role waits for Rancher's namespace; the Job for every grant of its identity.
    expect(probe.depends_on).toContain(`random_id.${only(drill, 'random_id')[0]}`);
    const bindings = [
      ...Object.keys(resources(drill, 'kubernetes_cluster_role_binding_v1')).map((n) => `kubernetes_cluster_role_binding_v1.${n}`),
      ...Object.keys(resources(drill, 'kubernetes_role_binding_v1')).map((n) => `kubernetes_role_binding_v1.${n}`),
    ].filter((n) => n.includes('disarm'));
    expect(bindings).toHaveLength(4);
    for (const binding of bindings) expect(drillRelease.depends_on).toContain(binding);
    expect(probeName).toMatch(/^jobs_disarm-probe-role/);
    // The cleanup identity (Secrets of the operator's namespace only) is not made: the disarm's covers it.
    expect(Object.keys(resources(drill, 'kubernetes_role_v1')).some((n) => n.startsWith('jobs_cleanup'))).toBe(false);
  });
});
