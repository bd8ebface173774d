import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { encryptionConfiguration } from '../../../lib/rancher/backup-objects';
import { resources, type TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, evaluateJsonValues, terraformIn, terraformOk } from '../../helpers/terraform';
import { mergeSettings, RESTORE_FILE, synthSettings, variantSettings } from '../../helpers/variants';

// The migration's preflight as terraform evaluates it (docs/backups.md, "Preflight"): the record key a source
// deployment writes (its expression from a real synth, its references given as values), read back by the target's
// postconditions (from a real synth too) with the listings' keys given as facts, the way the plan would read them
// from S3. One terraform console run for the conditions of every case, one for the messages of those that fail.
// The record's time: a terraform apply of its terraform_data (built-in provider, no download).

const MIGRATION = 'rke-ha migration: restore an encrypted backup of another deployment, schedule and retention';
const HOSTNAME = 'rancher.example.com';
const KEY = Buffer.alloc(32, 7).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 9).toString('base64');
/** Before the file's time (2026-11-23T06:00:00Z). */
const SINCE = '2026-11-20T00:00:00Z';
const OTHER_BACKUP = 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-24T06-00-00Z.tar.gz.enc';
const NEWEST_BACKUP = 'rancher-aws-first-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T00-00-00Z.tar.gz.enc';

/** The bucket a target restores from (the data sources' literal). */
const OLD_BUCKET_OF = (json: TerraformJson): string =>
  byPrefix(json.data?.aws_s3_objects ?? {}, 'rancher-backups_restore-preflight_record_')[1].bucket as string;

const byPrefix = (byName: Record<string, any>, prefix: string): [string, any] => {
  const found = Object.entries(byName).find(([name]) => name.startsWith(prefix));
  if (!found) throw new Error(`nothing named ${prefix}*`);
  return found;
};

/** The record key the source deployment writes, for these values of its references (terraform evaluates it). */
function sourceRecordKey(source: TerraformJson, values: { hostname: string; key: string; since: string }): string {
  const [, object] = byPrefix(resources(source, 'aws_s3_object'), 'rancher-backups_record_object');
  const template = (object.key as string)
    .replace(/random_bytes\.[A-Za-z0-9_-]+\.base64/g, JSON.stringify(values.key))
    .replace(/terraform_data\.[A-Za-z0-9_-]+\.output/g, JSON.stringify(values.since));
  return evaluateJsonValues({ key: template }, { rancher_hostname: values.hostname }).key as string;
}

interface Facts {
  /** The keys under the source bucket's backup folder (each listing reads them as the provider does: listed()). */
  readonly backups: readonly string[];
  /** The keys under the source bucket's record folder. */
  readonly records: readonly string[];
  readonly hostname: string;
  /** The YAML given in rancher_backup_restore_encryption_config. */
  readonly encryptionConfig: string;
  /** The PEM given in tls_ca_certificate_pem (a target with a private CA). */
  readonly caCertificate?: string;
}

/**
 * The keys an `aws_s3_objects` data source reads from a bucket holding `bucket`, as the AWS provider (6.x,
 * `internal/service/s3/objects_data_source.go`) lists them: ListObjectsV2 pages followed by their continuation tokens,
 * the keys under `prefix` in name order (S3 lists in UTF-8 binary order; these keys are ASCII), the first `max_keys`
 * (default 1000) of them and no more.
 */
function listed(bucket: readonly string[], source: { prefix?: string; max_keys?: number }): string[] {
  return bucket
    .filter((key) => key.startsWith(source.prefix ?? ''))
    .sort()
    .slice(0, source.max_keys ?? 1000);
}

/** The target's postconditions that fail on each set of facts, as their messages (two terraform runs for all). */
function failures(target: TerraformJson, cases: readonly Facts[]): string[][] {
  const sources = Object.fromEntries(
    Object.entries(target.data?.aws_s3_objects ?? {}).filter(([name]) => name.startsWith('rancher-backups_restore-preflight_')),
  );
  const checks = Object.entries(sources)
    .filter(([, source]) => source.lifecycle?.postcondition)
    .flatMap(([name, source]) => (source.lifecycle.postcondition as any[]).map((p) => ({ name, ...p })));
  const keysOf = (facts: Facts, name: string) => JSON.stringify(listed([...facts.backups, ...facts.records], sources[name]));
  const substitute = (text: string, facts: Facts, name: string) =>
    text
      .replace(/\bdata\.aws_s3_objects\.([A-Za-z0-9_-]+)\[0\]\.keys\b/g, (_m, other: string) => keysOf(facts, other))
      .replace(/\bself\b/g, `({ keys = ${keysOf(facts, name)} })`)
      .replace(/\bvar\.rancher_hostname\b/g, JSON.stringify(facts.hostname))
      .replace(/\bvar\.rancher_backup_restore_encryption_config\b/g, JSON.stringify(facts.encryptionConfig))
      .replace(/\bvar\.tls_ca_certificate_pem\b/g, JSON.stringify(facts.caCertificate ?? ''));
  const conditions: Record<string, string> = {};
  cases.forEach((facts, i) => checks.forEach((c, j) => (conditions[`${i}/${j}`] = substitute(c.condition, facts, c.name))));
  const held = evaluateJsonValues(conditions);
  const failed = Object.keys(held).filter((k) => held[k] !== true);
  const messages = evaluateJsonValues(
    Object.fromEntries(
      failed.map((k) => {
        const [i, j] = k.split('/').map(Number);
        return [k, substitute(checks[j].error_message, cases[i], checks[j].name)];
      }),
    ),
  );
  return cases.map((_, i) => failed.filter((k) => k.startsWith(`${i}/`)).map((k) => messages[k] as string));
}

/** `count` backups of the first Backup, a second apart, all before RESTORE_FILE's in name order. */
const manyBackups = (count: number) =>
  Array.from({ length: count }, (_, i) => {
    const t = new Date(Date.UTC(2020, 0, 1) + i * 1000)
      .toISOString()
      .replace(/\.000Z$/, 'Z')
      .replace(/:/g, '-');
    return `rancher/rancher-aws-first-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-${t}.tar.gz.enc`;
  });

describeWithTerraform('restore preflight, evaluated by terraform on the facts a plan would read', () => {
  const source = synthSettings(RKE_HA_STACK, { hostname: HOSTNAME }).json;
  const target = synthSettings(RKE_HA_STACK, mergeSettings(variantSettings(MIGRATION), { hostname: HOSTNAME })).json;
  const yamlOf = (key: string) => stringify(encryptionConfiguration(key), { indent: 4 });
  let record = '';
  let good: Facts;
  let results: string[][] = [];
  const cases: [string, (f: Facts) => Facts, RegExp[]][] = [
    ['all in order: nothing fails', (f) => f, []],
    [
      'the file is missing: names the newest backup there, by the time in its name',
      (f) => ({ ...f, backups: ['rancher/' + OTHER_BACKUP, 'rancher/' + NEWEST_BACKUP, 'rancher/notes.txt'] }),
      [
        new RegExp(
          `^backups\\.restoreFrom\\.file: ${RESTORE_FILE.replace(/\./g, '\\.')} is not in s3://rancher-old-rke-ha-backups-\\d+/rancher/ \\(the newest there is ${NEWEST_BACKUP.replace(/\./g, '\\.')}\\)\\. `,
        ),
      ],
    ],
    ['an empty bucket', (f) => ({ ...f, backups: [] }), [/is not in s3:\/\/.*\(it holds no backup\)/]],
    [
      '12,000 backups, the file last in name order: found (the check lists its own key)',
      (f) => ({ ...f, backups: [...manyBackups(12000), ...f.backups] }),
      [],
    ],
    [
      '12,000 backups and not the file: the message says where its listing stopped',
      (f) => ({ ...f, backups: manyBackups(12000) }),
      [
        /is not in s3:\/\/.*\(the newest there is rancher-aws-first-[0-9a-f-]+-2020-01-01T02-46-39Z\.tar\.gz\.enc, of the first 10000 keys there in name order: the listing stops at them\)\. /,
      ],
    ],
    [
      'no record (a deployment of an older version, or not of this project)',
      (f) => ({ ...f, records: [] }),
      [/^backups\.restoreFrom\.bucket: s3:\/\/rancher-old-rke-ha-backups-\d+\/ holds no record .*unrecordedSource: true/],
    ],
    ['two records', (f) => ({ ...f, records: [f.records[0], f.records[0] + 'x'] }), [/holds 2 records of the deployment/]],
    [
      'another Rancher version',
      (f) => ({ ...f, records: [f.records[0].replace(/rancher=[^/]+/, 'rancher=2.13.9')] }),
      [/^versions\.rancher: the backup comes from Rancher 2\.13\.9 and this deployment installs 2\.\d+\.\d+; .*same version only/],
    ],
    [
      'another hostname',
      (f) => ({ ...f, hostname: 'rancher.new.example.com' }),
      [/^hostname: the backup's deployment answers at rancher\.example\.com and this one at rancher\.new\.example\.com\. .*newHostname: true/],
    ],
    [
      'another encryption configuration',
      (f) => ({ ...f, encryptionConfig: yamlOf(OTHER_KEY) }),
      [/^rancher_backup_restore_encryption_config: not the EncryptionConfiguration the deployment of s3:\/\/.* encrypts its backups with/],
    ],
    [
      'an encryption configuration that is no YAML',
      (f) => ({ ...f, encryptionConfig: 'EncryptionConfiguration: [' }),
      [/not the EncryptionConfiguration/],
    ],
    [
      'the same configuration as `terraform output -raw` then `$(cat ...)` gives it: the trailing newline gone',
      (f) => ({ ...f, encryptionConfig: f.encryptionConfig.trimEnd() }),
      [],
    ],
    [
      'a file older than the record (written before the last upgrade)',
      (f) => ({ ...f, records: [f.records[0].replace(/since=.*$/, 'since=2026-11-23T06:00:01Z')] }),
      [
        /^backups\.restoreFrom\.file: rancher-aws-scheduled-.* was written at 2026-11-23T06:00:00Z, before 2026-11-23T06:00:01Z, .*Take a fresh backup/,
      ],
    ],
    [
      'a file written the second the record was: in order',
      (f) => ({ ...f, records: [f.records[0].replace(/since=.*$/, 'since=2026-11-23T06:00:00Z')] }),
      [],
    ],
    [
      'two problems at once: each its own message',
      (f) => ({ ...f, hostname: 'other.example.com', encryptionConfig: yamlOf(OTHER_KEY) }),
      [/^hostname: /, /^rancher_backup_restore_encryption_config: /],
    ],
  ];

  beforeAll(() => {
    record = sourceRecordKey(source, { hostname: HOSTNAME, key: KEY, since: SINCE });
    good = { backups: ['rancher/' + OTHER_BACKUP, 'rancher/' + RESTORE_FILE], records: [record], hostname: HOSTNAME, encryptionConfig: yamlOf(KEY) };
    results = failures(
      target,
      cases.map(([, change]) => change(good)),
    );
  });

  it("the source's record key carries its fields, the encryption as a digest (no key material)", () => {
    expect(record).toMatch(
      /^rancher-aws\/record\/rancher=2\.\d+\.\d+\/hostname=rancher\.example\.com\/encryption=[0-9a-f]{64}\/since=2026-11-20T00:00:00Z$/,
    );
    expect(record).not.toContain(KEY);
  });

  it.each(cases.map(([name, , expected], i) => [name, expected, i] as const))('%s', (_name, expected, i) => {
    expect(results[i]).toHaveLength(expected.length);
    expected.forEach((pattern, j) => expect(results[i][j]).toMatch(pattern));
  });

  it('an unrecorded source is checked for its file only', () => {
    const unrecorded = synthSettings(
      RKE_HA_STACK,
      mergeSettings(variantSettings(MIGRATION), { backups: { restoreFrom: { unrecordedSource: true } } }),
    ).json;
    const [ok, missing] = failures(unrecorded, [
      { ...good, records: [] },
      { ...good, records: [], backups: [] },
    ]);
    expect(ok).toEqual([]);
    expect(missing).toEqual([expect.stringMatching(/^backups\.restoreFrom\.file: .*it holds no backup/)]);
  });
});

/**
 * The key of the CA record a source deployment writes, for `pem` as its CA certificate (Rancher's tls-rancher as the
 * readiness probe reads it, or tls_ca_certificate_pem): the synthesized `ca` input evaluated by terraform.
 */
function sourceCaKey(source: TerraformJson, pem: string): string {
  const [, ca] = byPrefix(resources(source, 'terraform_data'), 'rancher-backups_record_ca_');
  const [, object] = byPrefix(resources(source, 'aws_s3_object'), 'rancher-backups_record_ca-object_');
  const input = (ca.input as string)
    .replace(/data\.kubernetes_secret_v1\.[A-Za-z0-9_-]+\.data\["tls\.crt"\]/g, JSON.stringify(pem))
    .replace(/\bvar\.tls_ca_certificate_pem\b/g, JSON.stringify(pem));
  const value = evaluateJsonValues({ input }).input as string;
  const key = (object.key as string).replace(/^(.*)\$\{terraform_data\.[A-Za-z0-9_-]+\.input\}$/, (_m, folder: string) => folder + value);
  expect(key).not.toContain('${');
  return key;
}

/**
 * The checksum a cluster agent's start computes of what Rancher publishes (rancher v2.15.0 package/run.sh: sha256sum
 * of `jq -r .value` of /v3/settings/cacerts, jq printing the value and a newline), for a CA certificate given as `pem`:
 * Rancher publishes it trimmed of surrounding white space (pkg/tls/tls.go, SetupListener: strings.TrimSpace).
 */
const agentChecksum = (pem: string) =>
  createHash('sha256')
    .update(pem.trim() + '\n')
    .digest('hex');

/** Two CA certificates as PEM text (only their bytes matter here: the checks compare checksums, not certificates). */
const CA_PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhkeW5hbWljbGlzdGVuZXItY2FAMTcwMDAw\n-----END CERTIFICATE-----\n';
const OTHER_CA_PEM = CA_PEM.replace('MIIBdzCC', 'MIIBeDCC');

describeWithTerraform("the CA agents trust: recorded beside the backups, compared by a restore's plan under the same hostname", () => {
  const source = (tls: Record<string, unknown>) => synthSettings(RKE_HA_STACK, { hostname: HOSTNAME, rancher: { tls } }).json;
  const target = (tls: Record<string, unknown>, over: Record<string, unknown> = {}) =>
    synthSettings(RKE_HA_STACK, mergeSettings(variantSettings(MIGRATION), { hostname: HOSTNAME, rancher: { tls }, ...over })).json;
  let keys: { rancher: string; rancherWritten: string; privateCa: string; privateOther: string; publicCa: string; staging: string };
  let base: Facts;

  beforeAll(() => {
    const record = sourceRecordKey(source({}), { hostname: HOSTNAME, key: KEY, since: SINCE });
    base = {
      backups: ['rancher/' + RESTORE_FILE],
      records: [record],
      hostname: HOSTNAME,
      encryptionConfig: stringify(encryptionConfiguration(KEY), { indent: 4 }),
    };
    keys = {
      rancher: sourceCaKey(source({}), CA_PEM),
      // The same CA without its final newline: the checksum is of the trimmed text and one newline.
      rancherWritten: sourceCaKey(source({}), CA_PEM.trimEnd()),
      privateCa: sourceCaKey(source({ issuer: 'ca' }), `  ${CA_PEM}\n\n`),
      privateOther: sourceCaKey(source({ issuer: 'blank', privateCA: true }), OTHER_CA_PEM),
      publicCa: sourceCaKey(source({ issuer: 'acme', acme: { email: 'ops@example.com' } }), ''),
      staging: sourceCaKey(source({ issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } }), ''),
    };
  });

  it("the source's CA record names the CA by the checksum its agents hold, however the PEM's white space falls", () => {
    expect(keys.rancher).toBe(`rancher-aws/record-ca/ca=rancher-ca-${agentChecksum(CA_PEM)}`);
    // dynamiclistener writes tls-rancher's tls.crt as one PEM block ending in a newline: the checksum is that text's.
    expect(agentChecksum(CA_PEM)).toBe(createHash('sha256').update(CA_PEM).digest('hex'));
    expect(keys.rancherWritten).toBe(keys.rancher);
    expect(keys.privateCa).toBe(`rancher-aws/record-ca/ca=private-ca-${agentChecksum(CA_PEM)}`);
    expect(keys.privateOther).toBe(`rancher-aws/record-ca/ca=private-ca-${agentChecksum(OTHER_CA_PEM)}`);
    expect(keys.publicCa).toBe('rancher-aws/record-ca/ca=public');
    expect(keys.staging).toBe('rancher-aws/record-ca/ca=letsencrypt-staging');
  });

  it("Rancher's own CA (the default): a record of it, none (an older deployment) or staging passes; another kind of CA fails the plan", () => {
    const ca = (key?: string) => ({ ...base, records: [...base.records, ...(key ? [key] : [])] });
    const [same, none, staging, publicCa, privateCa, two] = failures(target({}), [
      ca(keys.rancher),
      ca(),
      ca(keys.staging),
      ca(keys.publicCa),
      ca(keys.privateCa),
      { ...base, records: [...base.records, keys.rancher, keys.privateCa] },
    ]);
    expect([same, none, staging]).toEqual([[], [], []]);
    expect(publicCa).toEqual([
      expect.stringMatching(
        /^rancher\.tls: the downstream agents of the backup's deployment trust public \(rancher-aws\/record-ca\/ of s3:\/\/rancher-old-rke-ha-backups-\d+\/\) and, under the same hostname, this deployment would serve them Rancher's own CA .*backups\.restoreFrom\.newHostname: true/,
      ),
    ]);
    expect(privateCa).toEqual([expect.stringMatching(new RegExp(`^rancher\\.tls: .* trust private-ca-${agentChecksum(CA_PEM)} `))]);
    expect(two).toEqual([expect.stringMatching(/^backups\.restoreFrom\.bucket: s3:\/\/.* holds 2 records of the CA agents trust/)]);
  });

  it('a private CA: the same certificate passes (its white space aside); another names both checksums and the variable', () => {
    const ca = (key: string, pem: string) => ({ ...base, records: [...base.records, key], caCertificate: pem });
    const [same, trimmed, other, rancher, none] = failures(target({ issuer: 'ca' }), [
      ca(keys.privateCa, CA_PEM),
      ca(keys.privateCa, CA_PEM.trim()),
      ca(keys.privateOther, CA_PEM),
      ca(keys.rancher, CA_PEM),
      { ...base, caCertificate: CA_PEM },
    ]);
    expect([same, trimmed, none]).toEqual([[], [], []]);
    expect(other).toEqual([
      `tls_ca_certificate_pem: the private CA of the backup's deployment has checksum ${agentChecksum(OTHER_CA_PEM)} (its agents' CATTLE_CA_CHECKSUM, ` +
        `rancher-aws/record-ca/ of s3://${OLD_BUCKET_OF(target({ issuer: 'ca' }))}/), this one ${agentChecksum(CA_PEM)}: under the same hostname every downstream ` +
        'agent would refuse it. Give the same CA certificate as that deployment (TF_VAR_tls_ca_certificate_pem, and with issuer ca TF_VAR_tls_ca_private_key_pem), ' +
        'or set backups.restoreFrom.newHostname: true and register every downstream cluster again (docs/day-2.md, "Rancher\'s name and CA").',
    ]);
    expect(rancher).toEqual([
      expect.stringMatching(
        new RegExp(
          `^rancher\\.tls: .* trust rancher-ca-[0-9a-f]{64} .* your private CA \\(tls_ca_certificate_pem, checksum private-ca-${agentChecksum(CA_PEM)}\\)`,
        ),
      ),
    ]);
  });

  it('a new hostname compares no CA: the agents are registered again anyway', () => {
    const moved = target({}, { backups: { restoreFrom: { newHostname: true } } });
    expect(failures(moved, [{ ...base, records: [...base.records, keys.publicCa], hostname: 'rancher.new.example.com' }])).toEqual([[]]);
  });
});

describeWithTerraform("the record's time (terraform apply of its terraform_data, the built-in provider)", () => {
  const json = synthSettings(RKE_HA_STACK, {}).json;
  const [, since] = byPrefix(resources(json, 'terraform_data'), 'rancher-backups_record_since');
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-record-since-'));
    // The resource as synthesized, its triggers (version, hostname, digest) given as variables, its dependency left out.
    const { depends_on: _d, '//': _m, ...body } = since;
    expect(body.triggers_replace).toHaveLength(3);
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        variable: { rancher_version: { type: 'string' } },
        resource: { terraform_data: { since: { ...body, triggers_replace: ['${var.rancher_version}', 'rancher.example.com', 'digest'] } } },
        output: { since: { value: '${terraform_data.since.output}' } },
      }),
    );
    terraformOk(dir, 'init', '-input=false');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken at the first apply, stays while nothing changes (an empty second plan), and is taken again when a field changes', () => {
    terraformOk(dir, 'apply', '-auto-approve', '-input=false', '-var', 'rancher_version=2.14.3');
    const first = terraformOk(dir, 'output', '-raw', 'since');
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(terraformIn(dir, 'plan', '-detailed-exitcode', '-input=false', '-var', 'rancher_version=2.14.3').status).toBe(0);
    const upgrade = terraformOk(dir, 'apply', '-auto-approve', '-input=false', '-var', 'rancher_version=2.14.4');
    expect(upgrade).toContain('terraform_data.since must be replaced');
    expect(upgrade).toContain('Resources: 1 added, 0 changed, 1 destroyed.');
    expect(terraformOk(dir, 'output', '-raw', 'since')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describeWithTerraform("the record's time and the CA (terraform apply of the synthesized terraform_data, the built-in provider)", () => {
  // A private CA's deployment: its `since` and `ca-baseline` as synthesized, the encryption key given as a value, the
  // hostname and the CA as variables (the CA sensitive, as the stack declares it), `since`'s dependency left out.
  const json = synthSettings(RKE_HA_STACK, { rancher: { tls: { issuer: 'ca' } } }).json;
  const [, since] = byPrefix(resources(json, 'terraform_data'), 'rancher-backups_record_since');
  const [baselineName, baseline] = byPrefix(resources(json, 'terraform_data'), 'rancher-backups_record_ca-baseline');
  const [, object] = byPrefix(resources(json, 'aws_s3_object'), 'rancher-backups_record_object');
  const keyed = (text: string) =>
    text
      .replace(/random_bytes\.[A-Za-z0-9_-]+\.base64/g, JSON.stringify(KEY))
      .replace(new RegExp(`terraform_data\\.${baselineName}\\.`, 'g'), 'terraform_data.ca-baseline.');
  const { depends_on: _d, '//': _m, ...body } = since;
  const resource = { ...body, triggers_replace: (body.triggers_replace as string[]).map(keyed) };
  // The time as a deployment made before the CA record had it: the encryption's trigger being the record key's digest.
  const before = {
    ...resource,
    triggers_replace: [resource.triggers_replace[0], resource.triggers_replace[1], keyed(/\/encryption=(\$\{.*\})\/since=/.exec(object.key)![1])],
  };
  const variable = { rancher_hostname: { type: 'string' }, tls_ca_certificate_pem: { type: 'string', sensitive: true } };
  let dir = '';
  const write = (withCa: boolean) =>
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        variable,
        resource: {
          terraform_data: withCa ? { since: resource, 'ca-baseline': { ...baseline, '//': undefined } } : { since: before },
        },
        output: { since: { value: '${terraform_data.since.output}' } },
      }),
    );
  const vars = (pem: string) => ['-var', `rancher_hostname=${HOSTNAME}`, '-var', `tls_ca_certificate_pem=${pem}`];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-record-ca-'));
    write(false);
    terraformOk(dir, 'init', '-input=false');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stays through the upgrade that records the CA; moves when the CA changes, not when only its white space does', () => {
    terraformOk(dir, 'apply', '-auto-approve', '-input=false', ...vars(CA_PEM));
    const first = terraformOk(dir, 'output', '-raw', 'since');
    write(true);
    const upgrade = terraformOk(dir, 'apply', '-auto-approve', '-input=false', ...vars(CA_PEM));
    expect(upgrade).toContain('Resources: 1 added, 0 changed, 0 destroyed.');
    expect(upgrade).not.toContain('terraform_data.since must be replaced');
    expect(terraformOk(dir, 'output', '-raw', 'since')).toBe(first);
    expect(terraformIn(dir, 'plan', '-detailed-exitcode', '-input=false', ...vars(CA_PEM)).status).toBe(0);
    expect(terraformIn(dir, 'plan', '-detailed-exitcode', '-input=false', ...vars(`${CA_PEM.trim()}\r\n\n`)).status).toBe(0);
    const changed = terraformOk(dir, 'apply', '-auto-approve', '-input=false', ...vars(OTHER_CA_PEM));
    expect(changed).toContain('terraform_data.since must be replaced');
    expect(terraformIn(dir, 'plan', '-detailed-exitcode', '-input=false', ...vars(OTHER_CA_PEM)).status).toBe(0);
    // Back to the CA first recorded: a change again.
    expect(terraformOk(dir, 'apply', '-auto-approve', '-input=false', ...vars(CA_PEM))).toContain('terraform_data.since must be replaced');
  });
});
