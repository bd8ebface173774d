import { migrateSupportModule, migrateTargetSettings, migrationSecrets } from '../../../cli/acceptance/acceptance-migrate';
import { notProven } from '../../../cli/acceptance/acceptance-report';
import { acceptanceSettings, RUN_TAG } from '../../../cli/acceptance/acceptance-settings';
import { SECRET_NAME_PATTERN } from '../../../lib/rancher/backup-objects';

// The migrate phase's own module and settings, as data (the run's tools cases: acceptance-migrate.tools).

const run = { name: 'acc-abc123', runId: 'abc123', region: 'eu-west-1' };

describe("the acceptance run's migration module and settings", () => {
  it('the module tags every AWS resource with the run, names them under its prefix and scopes the writer to the bucket', () => {
    const m = migrateSupportModule(run) as any;
    expect(m.provider.aws).toEqual([{ region: 'eu-west-1', default_tags: [{ tags: expect.objectContaining({ [RUN_TAG]: 'abc123' }) }] }]);
    expect(m.terraform.backend).toEqual({ local: { path: 'terraform.migrate.tfstate' } });
    // The sweep finds the user by its path, its name's prefix and its tag.
    expect(m.resource.aws_iam_user.writer).toEqual({ name: 'acc-abc123-migrate', path: '/rancher-ha-aws/' });
    expect(m.resource.aws_s3_bucket.backup).toEqual({ bucket: 'acc-abc123-migrate', force_destroy: true });
    const policy = JSON.parse(m.resource.aws_iam_user_policy.writer.policy);
    expect(policy.Statement.map((s: any) => s.Resource)).toEqual(['arn:aws:s3:::acc-abc123-migrate', 'arn:aws:s3:::acc-abc123-migrate/rancher/*']);
    expect(policy.Statement.flatMap((s: any) => s.Action).every((a: string) => /^s3:(ListBucket|GetObject|PutObject|DeleteObject)$/.test(a))).toBe(
      true,
    );
    // Every secret is an output Terraform marks sensitive; none is a literal of the module.
    for (const name of ['ca_private_key_pem', 'encryption_config', 'secret_access_key']) expect(m.output[name].sensitive).toBe(true);
    expect(m.output.encryption_config.value).toContain('random_bytes.encryption.base64');
    expect(JSON.stringify(m)).not.toMatch(/PRIVATE KEY|AKIA/);
  });

  it("the backup's Secrets are named as a deployment's, so the target's restore Job deletes them; one pair per run", () => {
    const names = migrationSecrets('abc123');
    expect(Object.values(names).every((n) => new RegExp(SECRET_NAME_PATTERN).test(n))).toBe(true);
    expect(migrationSecrets('abc123')).toEqual(names);
    expect(migrationSecrets('xyz789').credentials).not.toBe(names.credentials);
  });

  it("the rke-ha target: the docker run's name, hostname and zone, K3s, no bootstrap, the run's CA, the restore of the file", () => {
    const docker = acceptanceSettings({}, { ...run, stack: 'docker', hostedZone: 'acme-test.net.' });
    expect(docker).toMatchObject({ hostname: 'acc-abc123.acme-test.net', hostedZone: 'acme-test.net', docker: { tls: { issuer: 'ca' } } });
    expect(docker.dns).toBeUndefined();
    const file = 'rancher-aws-migration-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T13-00-00Z.tar.gz.enc';
    const target = migrateTargetSettings(docker, { file, bucket: 'acc-abc123-migrate' });
    expect(target).toMatchObject({
      name: 'acc-abc123',
      region: 'eu-west-1',
      hostname: 'acc-abc123.acme-test.net',
      hostedZone: 'acme-test.net',
      tags: { [RUN_TAG]: 'abc123' },
      rkeHa: { distribution: 'k3s', loadBalancer: { deletionProtection: false } },
      rancher: { bootstrap: { enabled: false }, tls: { issuer: 'ca' } },
      backups: { enabled: true, restoreFrom: { file, bucket: 'acc-abc123-migrate', unrecordedSource: true } },
    });
    expect(target.docker).toBeUndefined();
    // Without a zone, docker keeps its sslip.io name and Rancher's own CA.
    const plain = acceptanceSettings({}, { ...run, stack: 'docker' });
    expect(plain).toMatchObject({ dns: { mode: 'wildcard' } });
    expect((plain.docker as any).tls).toBeUndefined();
  });

  it('the report of a migrating docker run does not claim an sslip.io name, and says what of the DNS change it cannot show', () => {
    const plain = notProven('docker');
    const migrating = notProven('docker', true);
    expect(plain[0]).toContain('sslip.io');
    expect(migrating[0]).toContain("run's throwaway CA");
    expect(migrating.join(' ')).not.toContain('sslip.io');
    expect(migrating).toContainEqual(expect.stringContaining("The migration's DNS change"));
    expect(migrating).toHaveLength(plain.length + 1);
  });
});
