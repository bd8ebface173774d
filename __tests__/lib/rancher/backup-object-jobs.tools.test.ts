import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Id } from '@cdktn/provider-random/lib/id';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { parse } from 'yaml';
import { BackupObjectJobs } from '../../../lib/rancher/backup-object-jobs';
import { restoreObject } from '../../../lib/rancher/backup-objects';
import { renderGateChart } from '../../helpers/gates';
import { only, synthConstruct } from '../../helpers/synth';
import { evaluate } from '../../helpers/terraform';
import { runValidator } from '../../helpers/validators';

// The backup objects' Job as helm renders it from the gate chart (yamllint, a real tool), and its name as
// Terraform computes it (terraform console): the two things the tests without tools take on trust.
describe('a backup-object Job of the gate chart', () => {
  const { json } = synthConstruct((stack) => {
    new KubernetesProvider(stack, 'kubernetes', {});
    new HelmProvider(stack, 'helm', {});
    new RandomProvider(stack, 'random');
    const bucket = new Id(stack, 'bucket', { byteLength: 4 }).hex;
    const suffix = new Id(stack, 'suffix', { byteLength: 3 }).hex;
    const location = {
      bucket,
      region: 'eu-west-1',
      dnsSuffix: 'amazonaws.com',
      secrets: { credentials: `c-${suffix}`, encryption: `e-${suffix}`, restoreEncryption: `r-${suffix}` },
    };
    // A file name from the settings with characters Terraform and YAML read specially: it must arrive as written.
    new BackupObjectJobs(stack, 'jobs', { namespace: 'cattle-resources-system', dependsOn: [] }).apply('migration-restore', {
      object: restoreObject({ file: "it's ${not} %{a} 'template': #.tar.gz.enc", location }),
      minutes: 15,
    });
  });
  const [, release] = only(json, 'helm_release');
  const local = /^\$\{local\.([^}]+)\}$/.exec(release.name)![1];
  const values = (bucket: string, suffix: string): Record<string, string> => ({ 'random_id.bucket.hex': bucket, 'random_id.suffix.hex': suffix });
  /** The name Terraform gives the release and the Job, for the references' values. */
  const nameFor = (bucket: string, suffix: string) => {
    const [, prefix, expression] = /^([a-z-]+)\$\{(.*)\}$/.exec(json.locals![local])!;
    const given = values(bucket, suffix);
    return `${prefix}${evaluate(expression.replace(/random_id\.[a-z]+\.hex/g, (reference) => JSON.stringify(given[reference])))}`;
  };

  it('gets a name from Terraform that is the same for the same values and another for another bucket', () => {
    const name = nameFor('rancher-backups-0a1b', 'c0ffee');
    expect(name).toMatch(/^rancher-aws-migration-restore-[0-9a-f]{10}$/);
    expect(name.length).toBeLessThanOrEqual(53); // Helm's limit for a release name
    // Terraform's jsonencode of plain strings is JSON.stringify's, so the hash is the one computed here.
    const skeleton = /\["([0-9a-f]{64})"/.exec(json.locals![local])![1];
    const expected = createHash('sha256')
      .update(JSON.stringify([skeleton, 'c0ffee', 'rancher-backups-0a1b', 'c0ffee']))
      .digest('hex')
      .slice(0, 10);
    expect(name).toBe(`rancher-aws-migration-restore-${expected}`);
    expect(nameFor('rancher-backups-0a1b', 'c0ffee')).toBe(name);
    expect(nameFor('rancher-backups-9z9z', 'c0ffee')).not.toBe(name);
  });

  const rendered = renderGateChart(release.values[0], (expression) =>
    expression === `local.${local}` ? nameFor('rancher-backups-0a1b', 'c0ffee') : values('rancher-backups-0a1b', 'c0ffee')[expression],
  );

  it('renders YAML that yamllint accepts, with the object as written', () => {
    const result = runValidator('yamllint', ['-c', join(__dirname, '../../../.yamllint.yaml'), '-f', 'parsable'], rendered, 'job.yaml');
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
    const job = parse(rendered);
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const object = JSON.parse(env.OBJECT);
    expect(object.spec.backupFilename).toBe("it's ${not} %{a} 'template': #.tar.gz.enc");
    expect(object.spec.storageLocation.s3.bucketName).toBe('rancher-backups-0a1b');
    expect(object.spec.encryptionConfigSecretName).toBe('r-c0ffee');
    expect(job.metadata.name).toBe(nameFor('rancher-backups-0a1b', 'c0ffee'));
  });
});
