import { CA_RECORD_FOLDER, RECORD_FOLDER } from '../../../lib/rancher/restore-preflight';
import { dependencyClosure, resources, type TerraformJson } from '../../helpers/synth';
import { mergeSettings, RESTORE_FILE, synthSettings, variantSettings, K8S_HA_STACK, RKE_HA_STACK, type Tls } from '../../helpers/variants';

// The migration's preflight as synthesized (docs/backups.md, "Preflight"): data sources the plan reads, whose
// postconditions fail it before anything is created, and the record and grants of the source side they rely on.
// restore-preflight.tools.test.ts evaluates the conditions with terraform on facts.

const MIGRATION = 'rke-ha migration: restore an encrypted backup of another deployment, schedule and retention';
const OLD_BUCKET = 'rancher-old-rke-ha-backups-20261101000000000000000001';

/** The data sources of `type` under the preflight construct. */
function preflightData(json: TerraformJson, type: string): [string, any][] {
  return Object.entries(json.data?.[type] ?? {}).filter(([name]) => name.startsWith('rancher-backups_restore-preflight_'));
}
function one(json: TerraformJson, type: string, part: string): [string, any] {
  const found = preflightData(json, type).filter(([name]) => name.startsWith(`rancher-backups_restore-preflight_${part}_`));
  if (found.length !== 1) throw new Error(`expected one data.${type} ${part}, found ${found.length}`);
  return found[0];
}
const messages = (source: any): string[] => source.lifecycle.postcondition.map((p: any) => p.error_message);
const migration = (over: Record<string, any> = {}) => mergeSettings(variantSettings(MIGRATION), over);

describe('restore preflight, on the migration stack', () => {
  const { json } = synthSettings(RKE_HA_STACK, migration());
  const [doneName, done] = one(json, 'aws_ssm_parameters_by_path', 'done');
  const [backupsName, backups] = one(json, 'aws_s3_objects', 'backups');
  const [listingName, listing] = one(json, 'aws_s3_objects', 'listing');
  const [recordName, record] = one(json, 'aws_s3_objects', 'record');
  const [caRecordName, caRecord] = one(json, 'aws_s3_objects', 'ca-record');

  it('reads the source bucket during the plan: literal arguments, no depends_on (a data source with one is read at apply)', () => {
    for (const source of [backups, listing, record, done]) expect(source.depends_on).toBeUndefined();
    // The check lists the file's own key (any number of backups); the message reads the folder's first 10,000 keys.
    expect(backups).toMatchObject({ bucket: OLD_BUCKET, prefix: `rancher/${RESTORE_FILE}` });
    expect(backups.max_keys).toBeUndefined();
    expect(listing).toMatchObject({ bucket: OLD_BUCKET, prefix: 'rancher/', max_keys: 10000 });
    expect(backups.lifecycle.postcondition[0].error_message).toContain(`data.aws_s3_objects.${listingName}[0].keys`);
    expect(record).toMatchObject({ bucket: OLD_BUCKET, prefix: RECORD_FOLDER });
    expect(done).toMatchObject({ path: '/rancher/rke-ha/restore', with_decryption: false });
  });

  it('checks each problem with a postcondition of its own, naming the setting to change', () => {
    expect(backups.lifecycle.postcondition).toHaveLength(1);
    expect(backups.lifecycle.postcondition[0].condition).toBe(`\${contains(self.keys, "rancher/${RESTORE_FILE}")}`);
    expect(messages(backups)[0]).toMatch(/^backups\.restoreFrom\.file: .* is not in s3:\/\/rancher-old-rke-ha-backups-\d+\/rancher\/ \(/);
    const starts = messages(record).map((m) => m.split(':')[0]);
    expect(starts).toEqual([
      'backups.restoreFrom.bucket',
      'versions.rancher',
      'hostname',
      'rancher_backup_restore_encryption_config',
      'backups.restoreFrom.file',
    ]);
    // Only the record's presence is checked on its own; the others hold when it is missing (one message, not five).
    for (const p of record.lifecycle.postcondition.slice(1)) expect(p.condition).toMatch(/^\$\{length\(self\.keys\) != 1 \|\| /);
    expect(record.lifecycle.postcondition[2].condition).toContain('== var.rancher_hostname}');
    expect(record.lifecycle.postcondition[3].condition).toContain('var.rancher_backup_restore_encryption_config');
    expect(record.lifecycle.postcondition[4].condition).toContain('timecmp("2026-11-23T06:00:00Z", ');
  });

  it('stops checking once the restore completed: the marker, written after the restore, takes every listing to count 0', () => {
    const count = `\${length(data.aws_ssm_parameters_by_path.${doneName}.names) == 0 ? 1 : 0}`;
    expect(backups.count).toBe(count);
    expect(listing.count).toBe(count);
    expect(record.count).toBe(count);
    const [markerName, marker] = Object.entries(resources(json, 'aws_ssm_parameter')).find(([n]) =>
      n.startsWith('rancher-backups_restore-preflight_marker'),
    )!;
    expect(marker).toMatchObject({ name: '/rancher/rke-ha/restore/done', type: 'String', value: RESTORE_FILE });
    const restore = Object.keys(resources(json, 'helm_release')).find((n) => n.startsWith('rancher-backups_jobs_migration-restore'))!;
    expect(marker.depends_on).toEqual([`helm_release.${restore}`]);
    // Rancher waits for the marker too, so a finished apply always leaves it.
    const rancher = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'rancher')![0];
    expect(dependencyClosure(json, `helm_release.${rancher}`)).toContain(`aws_ssm_parameter.${markerName}`);
  });

  it('the restore waits on the checks (read at apply only where the plan could not: a bucket this apply creates)', () => {
    const restore = Object.entries(resources(json, 'helm_release')).find(([n]) => n.startsWith('rancher-backups_jobs_migration-restore'))![1];
    expect(restore.depends_on).toEqual(
      expect.arrayContaining([`data.aws_s3_objects.${backupsName}`, `data.aws_s3_objects.${recordName}`, `data.aws_s3_objects.${caRecordName}`]),
    );
  });

  it("lists the source's CA record during the plan (same hostname): at most one, of the kind of CA this deployment's agents get", () => {
    expect(caRecord).toMatchObject({ bucket: OLD_BUCKET, prefix: CA_RECORD_FOLDER, count: backups.count });
    expect(caRecord.depends_on).toBeUndefined();
    expect(messages(caRecord).map((m) => m.split(':')[0])).toEqual(['backups.restoreFrom.bucket', 'rancher.tls']);
    // None is a bucket written before the CA was recorded: only a listing with one key is compared.
    expect(caRecord.lifecycle.postcondition[1].condition).toMatch(/^\$\{length\(self\.keys\) != 1 \|\| /);
    expect(caRecord.lifecycle.postcondition[1].condition).toContain('"rancher-ca-")');
  });

  it('holds no secret: the encryption configuration is compared as a digest of the variable, by reference', () => {
    const text = JSON.stringify(json.data);
    expect(text).not.toMatch(/secretbox|"secret"/);
    expect(record.lifecycle.postcondition[3].condition).toContain('sha256(jsonencode(yamldecode(var.rancher_backup_restore_encryption_config)))');
  });
});

describe('restore preflight, what each setting leaves out', () => {
  const recordChecks = (json: TerraformJson) => messages(one(json, 'aws_s3_objects', 'record')[1]).map((m) => m.split(':')[0]);

  const caChecks = (json: TerraformJson) => preflightData(json, 'aws_s3_objects').filter(([n]) => n.includes('_ca-record_'));

  it('newHostname: no hostname comparison, and no CA comparison (the agents are registered again)', () => {
    const { json } = synthSettings(RKE_HA_STACK, migration({ backups: { restoreFrom: { newHostname: true } } }));
    expect(recordChecks(json)).not.toContain('hostname');
    expect(recordChecks(json)).toContain('versions.rancher');
    expect(caChecks(json)).toEqual([]);
  });

  it("a private CA: the checksum of tls_ca_certificate_pem as the agents hash it, compared with the record's", () => {
    const { json } = synthSettings(RKE_HA_STACK, migration({ rancher: { tls: { issuer: 'ca' } } }));
    const [[, ca]] = caChecks(json);
    expect(messages(ca).map((m) => m.split(':')[0])).toEqual(['backups.restoreFrom.bucket', 'rancher.tls', 'tls_ca_certificate_pem']);
    expect(ca.lifecycle.postcondition[2].condition).toContain(
      '"private-ca-${nonsensitive(sha256(format("%s\\n", trimspace(var.tls_ca_certificate_pem))))}"',
    );
  });

  it('a wildcard name (new with every deployment, unknown to the plan): no hostname comparison', () => {
    const { json } = synthSettings(
      RKE_HA_STACK,
      mergeSettings(variantSettings('rke-ha no domain (dns wildcard, sslip.io)'), {
        rancher: { bootstrap: { enabled: false } },
        backups: { restoreFrom: { file: RESTORE_FILE, bucket: OLD_BUCKET } },
      }),
    );
    expect(recordChecks(json)).toEqual([
      'backups.restoreFrom.bucket',
      'versions.rancher',
      'rancher_backup_restore_encryption_config',
      'backups.restoreFrom.file',
    ]);
    expect(caChecks(json)).toEqual([]);
  });

  it('k8s-ha: the same CA check', () => {
    const { json } = synthSettings(K8S_HA_STACK, variantSettings('k8s-ha restore of an unencrypted backup in its own bucket'));
    expect(caChecks(json).map(([, ca]) => messages(ca).map((m) => m.split(':')[0]))).toEqual([['backups.restoreFrom.bucket', 'rancher.tls']]);
  });

  it('unrecordedSource: only the file is checked, no record is read', () => {
    const { json } = synthSettings(RKE_HA_STACK, migration({ backups: { restoreFrom: { unrecordedSource: true } } }));
    expect(preflightData(json, 'aws_s3_objects').map(([n]) => n.split('_')[2])).toEqual(['backups', 'listing']);
  });

  it('an unencrypted file in the own bucket (k8s-ha): no encryption comparison, the bucket by reference', () => {
    const { json } = synthSettings(K8S_HA_STACK, variantSettings('k8s-ha restore of an unencrypted backup in its own bucket'));
    expect(recordChecks(json)).toEqual(['backups.restoreFrom.bucket', 'versions.rancher', 'hostname', 'backups.restoreFrom.file']);
    expect(one(json, 'aws_s3_objects', 'backups')[1].bucket).toMatch(/^\$\{aws_s3_bucket\.rancher-backups_bucket_/);
  });

  it('no restoreFrom: no preflight at all', () => {
    const { json } = synthSettings(RKE_HA_STACK, {});
    expect(preflightData(json, 'aws_s3_objects')).toEqual([]);
    expect(preflightData(json, 'aws_ssm_parameters_by_path')).toEqual([]);
  });
});

describe('the record a deployment keeps beside its backups', () => {
  const { json } = synthSettings(RKE_HA_STACK, {});
  const [, object] = Object.entries(resources(json, 'aws_s3_object')).find(([n]) => n.startsWith('rancher-backups_record_object'))!;
  const [sinceName, since] = Object.entries(resources(json, 'terraform_data')).find(([n]) => n.startsWith('rancher-backups_record_since'))!;

  it('is one object outside the operator folder, its key carrying the fields the preflight reads', () => {
    expect(object.bucket).toMatch(/^\$\{aws_s3_bucket\.rancher-backups_bucket_[A-Z0-9]+\.id\}$/);
    expect(object.key).toMatch(
      new RegExp(
        `^${RECORD_FOLDER}rancher=2\\.\\d+\\.\\d+/hostname=\\$\\{var\\.rancher_hostname\\}/encryption=\\$\\{sha256\\(jsonencode\\(yamldecode\\(.*\\)\\)\\)\\}/since=\\$\\{terraform_data\\.${sinceName}\\.output\\}$`,
      ),
    );
    expect(object.key.startsWith('rancher/')).toBe(false);
  });

  it("has a time that moves only when a field changes, taken after Rancher's release answered", () => {
    expect(since).toMatchObject({ input: '${timestamp()}', lifecycle: { ignore_changes: ['input'] } });
    expect(since.triggers_replace).toHaveLength(3);
    const ping = Object.keys(json.data?.http ?? {}).find((n) => n.startsWith('rancher-readiness_ping'))!;
    expect(since.depends_on).toEqual([`data.http.${ping}`]);
  });

  it('records the CA agents trust in an object of its own, so the upgrade that adds it replaces neither the record nor its time', () => {
    const [, caObject] = Object.entries(resources(json, 'aws_s3_object')).find(([n]) => n.startsWith('rancher-backups_record_ca-object'))!;
    const [caName, ca] = Object.entries(resources(json, 'terraform_data')).find(([n]) => n.startsWith('rancher-backups_record_ca_'))!;
    expect(caObject).toMatchObject({
      bucket: object.bucket,
      key: `${CA_RECORD_FOLDER}ca=\${terraform_data.${caName}.input}`,
      content_type: 'application/json',
    });
    // Rancher's own CA as the readiness probe reads it, by the checksum agents hold; kept as first read (the read is
    // deferred to apply whenever the Rancher release changes), replaced only for another kind of CA.
    expect(ca.input).toMatch(
      /^rancher-ca-\$\{nonsensitive\(sha256\(format\("%s\\n", trimspace\(data\.kubernetes_secret_v1\.rancher-readiness_rancher-ca_[A-Z0-9]+\.data\["tls\.crt"\]\)\)\)\)\}$/,
    );
    expect(ca).toMatchObject({ triggers_replace: 'rancher', lifecycle: { ignore_changes: ['input'] } });
    // The time moves with the CA once it differs from the one first recorded (kept by ca-baseline), through the
    // encryption's trigger: equal to the record's digest while the CA is that one.
    const [baselineName, baseline] = Object.entries(resources(json, 'terraform_data')).find(([n]) =>
      n.startsWith('rancher-backups_record_ca-baseline_'),
    )!;
    expect(baseline).toMatchObject({ input: 'rancher-ca', lifecycle: { ignore_changes: ['input'] } });
    expect(since.triggers_replace[2]).toBe(
      `\${format("%s%s", ${/\/encryption=\$\{(.*)\}\/since=/.exec(object.key)![1]}, (terraform_data.${baselineName}.input == "rancher-ca") ? "" : format(" ca=%s", "rancher-ca"))}`,
    );
    // The record's key and its time's triggers are what they were before the CA was recorded.
    expect(object.key).not.toContain('ca=');
    expect(since.triggers_replace).toHaveLength(3);
    expect(since.lifecycle.replace_triggered_by).toBeUndefined();
    expect(JSON.stringify(ca) + JSON.stringify(caObject)).not.toMatch(/BEGIN CERTIFICATE/);
  });

  it.each<[Tls, string, RegExp]>([
    [{ issuer: 'ca' }, 'private', /^private-ca-\$\{nonsensitive\(sha256\(format\("%s\\n", trimspace\(var\.tls_ca_certificate_pem\)\)\)\)\}$/],
    [{ issuer: 'blank', privateCA: true }, 'private', /^private-ca-\$\{.*var\.tls_ca_certificate_pem.*\}$/],
    [{ issuer: 'acme', acme: { email: 'ops@example.com' } }, 'public', /^public$/],
    [{ issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } }, 'staging', /^letsencrypt-staging$/],
  ])('rancher.tls %j: the CA recorded as %s', (tls, kind, input) => {
    const other = synthSettings(RKE_HA_STACK, { rancher: { tls } }).json;
    const [, ca] = Object.entries(resources(other, 'terraform_data')).find(([n]) => n.startsWith('rancher-backups_record_ca_'))!;
    expect(ca.input).toMatch(input);
    expect(ca.triggers_replace).toBe(kind);
    expect(ca.lifecycle).toBeUndefined();
  });

  it('k8s-ha records the CA too', () => {
    const k8s = synthSettings(K8S_HA_STACK, {}).json;
    expect(Object.keys(resources(k8s, 'aws_s3_object')).filter((n) => n.startsWith('rancher-backups_record_ca-object'))).toHaveLength(1);
  });

  it('comes before the first backup, so every backup of the deployment is newer than its record', () => {
    const first = Object.keys(resources(json, 'helm_release')).find((n) => n.startsWith('rancher-backups_jobs_first-backup'))!;
    const records = Object.keys(resources(json, 'aws_s3_object')).filter((n) => n.startsWith('rancher-backups_record_'));
    expect(records).toHaveLength(2);
    for (const r of records) expect(dependencyClosure(json, `helm_release.${first}`)).toContain(`aws_s3_object.${r}`);
  });

  it('no record with backups off (no encryption configuration to record)', () => {
    const off = synthSettings(RKE_HA_STACK, { backups: { enabled: false } }).json;
    // The servers' boot documents are objects too, of a bucket of their own.
    expect(Object.keys(resources(off, 'aws_s3_object')).filter((name) => !/^server-\d_boot-document_/.test(name))).toEqual([]);
  });
});

describe('backups.readerAccounts: another account may read the backups and the record, nothing else', () => {
  const policyOf = (json: TerraformJson) =>
    Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([n]) => n.startsWith('rancher-backups_bucket_tls-only'))![1];

  it('grants list and read to each account, by the account (its IAM decides who)', () => {
    const { json } = synthSettings(RKE_HA_STACK, { backups: { readerAccounts: ['111122223333', '444455556666'] } });
    const statements = policyOf(json).statement;
    expect(statements.map((s: any) => s.sid)).toEqual(['DenyInsecureTransport', 'ReaderAccountsList', 'ReaderAccountsRead']);
    const partition = Object.keys(json.data!.aws_partition)[0];
    const root = (id: string) => `arn:\${data.aws_partition.${partition}.partition}:iam::${id}:root`;
    const principals = [{ type: 'AWS', identifiers: [root('111122223333'), root('444455556666')] }];
    expect(statements[1]).toMatchObject({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], principals });
    expect(statements[2]).toMatchObject({ actions: ['s3:GetObject'], principals });
    expect(statements[2].resources.map((r: string) => r.replace(/^\$\{aws_s3_bucket\.[^}]+\}/, 'B'))).toEqual(['B/rancher/*', `B/${RECORD_FOLDER}*`]);
    expect(JSON.stringify(statements)).not.toMatch(/Put|Delete|Version|"s3:\*"[^}]*Allow/);
  });

  it('grants nothing by default: a migration from another account fails its plan at the listing (AccessDenied)', () => {
    const { json } = synthSettings(RKE_HA_STACK, {});
    expect(policyOf(json).statement.map((s: any) => s.sid)).toEqual(['DenyInsecureTransport']);
  });

  it('also with backups off: the bucket stays readable for a migration', () => {
    const { json } = synthSettings(K8S_HA_STACK, { backups: { enabled: false, readerAccounts: ['111122223333'] } });
    expect(policyOf(json).statement.map((s: any) => s.sid)).toContain('ReaderAccountsRead');
  });
});
