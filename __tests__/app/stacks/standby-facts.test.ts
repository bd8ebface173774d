import {
  STANDBY_ENCRYPTION_KEY,
  STANDBY_FACTS_FOLDER,
  STANDBY_FACTS_FORMAT,
  STANDBY_FACTS_KEY,
  STANDBY_FACTS_PARAMETER,
  STANDBY_STATE_PARAMETER,
} from '../../../lib/standby/standby-facts-keys';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { plannedChange } from '../../helpers/replacement';
import { dataSources, dependencyClosure, resources, type TerraformJson } from '../../helpers/synth';
import { K8S_HA_STACK, RKE_HA_STACK, RKE_HA_TLS_VARIANTS, synthSettings, type StackName } from '../../helpers/variants';

// What a failover reads of production, kept in the standby region by production's own apply (lib/standby/standby-facts.ts;
// issue 91, items 1 and 4): every stack variant with a standby, synthesized, and the facts' resources read for their
// wiring, values, dependency closure and lifecycle.

const K8S_CLUSTER = { access: { kubeconfig: { path: '~/.kube/standby' } } };
type Expected = {
  /** The records of the hostname (name prefixes), the alias target's construct, and the CA kind recorded. */
  readonly records: readonly string[];
  readonly loadBalancer?: string;
  readonly backups: boolean;
  readonly ca: boolean;
};
const VARIANTS: [string, StackName, SettingsInput, Expected][] = [
  [
    'rke-ha, TLS ingress (Rancher CA)',
    RKE_HA_STACK,
    { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] } },
    { records: ['dns_record_'], loadBalancer: 'aws_lb.load-balancer_lb_', backups: true, ca: true },
  ],
  [
    'rke-ha, TLS external (ACM)',
    RKE_HA_STACK,
    { rancher: { tls: RKE_HA_TLS_VARIANTS['external+acme'] } },
    { records: ['dns_record_'], loadBalancer: 'aws_lb.application-load-balancer_', backups: true, ca: true },
  ],
  [
    'rke-ha, TLS rancher (re-encryption)',
    RKE_HA_STACK,
    { rancher: { tls: RKE_HA_TLS_VARIANTS['rancher+rancher'] } },
    { records: ['dns_record_'], loadBalancer: 'aws_lb.load-balancer_lb_', backups: true, ca: true },
  ],
  [
    'rke-ha, K3s',
    RKE_HA_STACK,
    { rkeHa: { distribution: 'k3s' } },
    { records: ['dns_record_'], loadBalancer: 'aws_lb.load-balancer_lb_', backups: true, ca: true },
  ],
  [
    'rke-ha, dual-stack (A and AAAA)',
    RKE_HA_STACK,
    { rkeHa: { dualStack: true } },
    { records: ['dns_record_', 'dns_record-aaaa_'], loadBalancer: 'aws_lb.load-balancer_lb_', backups: true, ca: true },
  ],
  [
    'rke-ha, DNS round robin',
    RKE_HA_STACK,
    { rkeHa: { loadBalancer: { type: 'dns' } } },
    { records: ['dns_record_', 'dns_record-1_', 'dns_record-2_'], backups: true, ca: true },
  ],
  [
    'rke-ha, alarms off',
    RKE_HA_STACK,
    { alarms: { enabled: false } },
    { records: ['dns_record_'], loadBalancer: 'aws_lb.load-balancer_lb_', backups: true, ca: true },
  ],
  // Not with backups off: the settings refuse a standby whose copy would never get a backup (lib/config/standby).
  ['k8s-ha, TLS ingress (Rancher CA)', K8S_HA_STACK, {}, { records: ['dns_alias_', 'dns_a_', 'dns_cname_'], backups: true, ca: true }],
  [
    'k8s-ha, TLS external (blank)',
    K8S_HA_STACK,
    { rancher: { tls: { mode: 'external', issuer: 'blank' } } },
    { records: ['dns_alias_', 'dns_a_', 'dns_cname_'], backups: true, ca: true },
  ],
  ['k8s-ha, alarms off', K8S_HA_STACK, { alarms: { enabled: false } }, { records: ['dns_alias_', 'dns_a_', 'dns_cname_'], backups: true, ca: true }],
  [
    "k8s-ha, without the hostname's record",
    K8S_HA_STACK,
    { k8sHa: { dns: { hostnameRecord: false } }, rancher: { bootstrap: { enabled: false } } },
    { records: [], backups: true, ca: true },
  ],
];

const standbyOf = (stack: StackName) => (stack === K8S_HA_STACK ? { region: 'us-west-2', k8sHa: K8S_CLUSTER } : { region: 'us-west-2' });
const synth = (stack: StackName, input: SettingsInput): TerraformJson => synthSettings(stack, { ...input, standby: standbyOf(stack) }).json;
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
/** The one resource (or data source) of `type` whose name starts with `prefix`. */
const one = (json: TerraformJson, type: string, prefix: string, section: 'resource' | 'data' = 'resource'): [string, any] => {
  const found = Object.entries(section === 'data' ? dataSources(json, type) : resources(json, type)).filter(([name]) => name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`${found.length} ${type} named ${prefix}*`);
  return found[0];
};
const maybe = (json: TerraformJson, type: string, prefix: string) => Object.keys(resources(json, type)).find((name) => name.startsWith(prefix));
const policyOf = (json: TerraformJson, expression: string) =>
  dataSources(json, 'aws_iam_policy_document')[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(expression)![1]];
/** What a local's expressions refer to, with what those wait for: the closure dependencyClosure() gives a resource. */
const localClosure = (json: TerraformJson, name: string): Set<string> => {
  const text = JSON.stringify(json.locals![name]);
  const direct = [...text.matchAll(/\b(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|[a-z0-9]+_[a-z0-9_]+\.[A-Za-z0-9_-]+)[.[]/g)].map((m) => m[1]);
  const all = new Set<string>();
  for (const address of direct) {
    all.add(address);
    for (const further of dependencyClosure(json, address)) all.add(further);
  }
  return all;
};

describe.each(VARIANTS)('the standby facts of %s', (_name, stack, input, expected) => {
  const json = synth(stack, input);
  const [copyName] = one(json, 'aws_s3_bucket', 'standby_rancher-backups_bucket_');
  const [sourceName] = Object.entries(resources(json, 'aws_s3_bucket')).find(([name]) => /^rancher-backups_bucket_[0-9A-F]{8}$/.test(name))!;
  const [factsName, facts] = one(json, 'aws_s3_object', 'standby_facts_object_');
  const document = json.locals!.standby_facts;
  const recordName = maybe(json, 'aws_s3_object', 'rancher-backups_record_object_');
  const caName = maybe(json, 'aws_s3_object', 'rancher-backups_record_ca-object_');
  const encryptionName = maybe(json, 'aws_s3_object', 'standby_facts_backup-encryption_');
  const [keyName] = one(json, 'aws_kms_key', 'standby_key_');

  it("writes the facts into the standby's copy of the backups, through the standby region's provider, SSE-S3, from one local", () => {
    expect({ ...facts, '//': undefined }).toEqual({
      '//': undefined,
      provider: 'aws.us_west_2',
      bucket: ref('aws_s3_bucket', copyName, 'id'),
      key: STANDBY_FACTS_KEY,
      content: '${jsonencode(local.standby_facts)}',
      content_type: 'application/json',
      server_side_encryption: 'AES256',
      // A refresh that reads another ETag (overwritten, or hidden by a delete marker) plans the write again.
      etag: '${md5(jsonencode(local.standby_facts))}',
    });
  });

  it('names where they are under a name the settings give, in the standby region: the failover finds the copy without production’s state', () => {
    const [, pointer] = one(json, 'aws_ssm_parameter', 'standby_facts_pointer_');
    expect({ ...pointer, '//': undefined, description: undefined }).toEqual({
      '//': undefined,
      description: undefined,
      provider: 'aws.us_west_2',
      name: `/rancher/${stack}${STANDBY_FACTS_PARAMETER}`,
      type: 'String',
      value: `s3://\${aws_s3_bucket.${copyName}.id}/${STANDBY_FACTS_KEY}`,
    });
  });

  it("keeps a bucket for the standby deployment's state in the standby region, guarded as the copy, named in a parameter there", () => {
    const [stateName, bucket] = one(json, 'aws_s3_bucket', 'standby_state_bucket_');
    const [, copy] = one(json, 'aws_s3_bucket', 'standby_rancher-backups_bucket_');
    expect(bucket).toMatchObject({ provider: 'aws.us_west_2', bucket_prefix: `rancher-${stack}-state-sb-`, lifecycle: copy.lifecycle });
    const of = (type: string) => one(json, type, 'standby_state_bucket_')[1];
    const versioning = of('aws_s3_bucket_versioning');
    expect(versioning.versioning_configuration).toEqual({ status: 'Enabled' });
    expect(of('aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'AES256',
    });
    expect(of('aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    expect(JSON.stringify(policyOf(json, of('aws_s3_bucket_policy').policy))).toContain('aws:SecureTransport');
    const [, pointer] = one(json, 'aws_ssm_parameter', 'standby_state_pointer_');
    expect({ ...pointer, '//': undefined, description: undefined }).toEqual({
      '//': undefined,
      description: undefined,
      provider: 'aws.us_west_2',
      name: `/rancher/${stack}${STANDBY_STATE_PARAMETER}`,
      type: 'String',
      value: ref('aws_s3_bucket', stateName, 'id'),
    });
  });

  it('holds production’s facts: name, kind, regions, hostname and URL, zone and records, load balancer, buckets, the two records', () => {
    // Production's records of the hostname, and the SECONDARY ones of its failover routing (lib/standby/standby-dns.ts),
    // which the failover checks lead to the standby it built.
    // In the order StandbyDns makes them: per record, the alias one first (the module's keys are sorted).
    const order = (n: string) => {
      const [, i, kind] = /secondary-(\d+)-(\w+?)_/.exec(n)!;
      return Number(i) * 2 + (kind === 'alias' ? 0 : 1);
    };
    const secondaries = Object.keys(json.resource.aws_route53_record ?? {})
      .filter((n) => n.startsWith('standby_dns_secondary-'))
      .sort((a, b) => order(a) - order(b));
    const records = [
      ...expected.records.map((prefix) => `aws_route53_record.${one(json, 'aws_route53_record', prefix)[0]}[*]`),
      ...secondaries.map((n) => `aws_route53_record.${n}[*]`),
    ];
    expect(document).toEqual({
      format: STANDBY_FACTS_FORMAT,
      name: 'rancher',
      kind: stack,
      distribution: stack === RKE_HA_STACK ? (input.rkeHa?.distribution ?? 'rke2') : null,
      region: 'us-east-1',
      standbyRegion: 'us-west-2',
      hostname: '${var.rancher_hostname}',
      url: 'https://${var.rancher_hostname}',
      dns: {
        hostedZone: records.length ? '${var.route53_zone_name}' : null,
        records: records.length ? `\${concat(${records.join(', ')})}` : [],
      },
      loadBalancer: expected.loadBalancer
        ? (() => {
            const [type, prefix] = expected.loadBalancer.split('.');
            const [lb] = one(json, type, prefix);
            return { dnsName: ref(type, lb, 'dns_name'), zoneId: ref(type, lb, 'zone_id') };
          })()
        : null,
      ingress:
        stack === K8S_HA_STACK
          ? {
              target: expect.stringMatching(/^\$\{local\.dns_target_[0-9A-F]{8}\}$/),
              recordType: expect.stringMatching(/^\$\{local\.dns_record-type_[0-9A-F]{8}\}$/),
            }
          : null,
      backups: {
        bucket: ref('aws_s3_bucket', sourceName, 'id'),
        copy: ref('aws_s3_bucket', copyName, 'id'),
        encryption: expected.backups
          ? {
              key: ref('aws_s3_object', encryptionName!, 'key'),
              kmsKeyArn: ref('aws_kms_key', keyName, 'arn'),
              format: 'EncryptionConfiguration',
            }
          : null,
      },
      backupRecord: expected.backups
        ? {
            key: `\${nonsensitive(aws_s3_object.${recordName}.key)}`,
            fields: `\${jsondecode(nonsensitive(aws_s3_object.${recordName}.content))}`,
          }
        : null,
      caRecord: expected.ca ? { key: ref('aws_s3_object', caName!, 'key'), ca: `\${jsondecode(aws_s3_object.${caName}.content).ca}` } : null,
    });
    // The zone and the records are production's own: the names the failover moves.
    for (const prefix of expected.records) expect(one(json, 'aws_route53_record', prefix)[1].provider).toBeUndefined();
  });

  it('is written after what it names: the records of the hostname, the load balancer, both buckets, the backups’ record (after Rancher answers)', () => {
    const closure = localClosure(json, 'standby_facts');
    for (const prefix of expected.records) expect(closure).toContain(`aws_route53_record.${one(json, 'aws_route53_record', prefix)[0]}`);
    expect(closure).toContain(`aws_s3_bucket.${copyName}`);
    expect(closure).toContain(`aws_s3_bucket.${sourceName}`);
    if (expected.backups) {
      expect(closure).toContain(`aws_s3_object.${recordName}`);
      expect(closure).toContain(`aws_s3_object.${encryptionName}`);
      expect(closure).toContain(`aws_kms_key.${keyName}`);
      // The record is made once Rancher answers /ping: the facts never name a record that is not there yet.
      expect([...closure].some((address) => address.startsWith('data.http.rancher-readiness_ping_'))).toBe(true);
    }
    if (expected.ca) expect(closure).toContain(`aws_s3_object.${caName}`);
    // Nothing of production waits for the facts: they are written last, and a failed write holds nothing up. Nothing
    // refers to them but their check's listing (so nothing waits for them further along either).
    const factsAddress = `aws_s3_object.${factsName}`;
    const blocks: [string, unknown][] = [
      ...Object.entries(json.resource).flatMap(([type, byName]) =>
        Object.entries(byName).map(([name, block]): [string, unknown] => [`${type}.${name}`, block]),
      ),
      ...Object.entries(json.data ?? {}).flatMap(([type, byName]) =>
        Object.entries(byName).map(([name, block]): [string, unknown] => [`data.${type}.${name}`, block]),
      ),
      ...Object.entries(json.output ?? {}).map(([name, block]): [string, unknown] => [`output.${name}`, block]),
      ...Object.entries(json.locals ?? {}).map(([name, block]): [string, unknown] => [`local.${name}`, block]),
    ];
    const referring = blocks.filter(([, block]) => new RegExp(`${factsAddress}\\b`).test(JSON.stringify(block))).map(([address]) => address);
    expect(referring).toEqual([`data.aws_s3_objects.${one(json, 'aws_s3_objects', 'standby_facts_listing_', 'data')[0]}`]);
  });

  it("keeps the backups' EncryptionConfiguration beside them, SSE-KMS under a key of the standby region, never as a literal", () => {
    if (!expected.backups) {
      return expect(encryptionName).toBeUndefined();
    }
    const [, encryption] = one(json, 'aws_s3_object', 'standby_facts_backup-encryption_');
    expect({ ...encryption, '//': undefined, content: undefined }).toEqual({
      '//': undefined,
      content: undefined,
      provider: 'aws.us_west_2',
      bucket: ref('aws_s3_bucket', copyName, 'id'),
      key: STANDBY_ENCRYPTION_KEY,
      content_type: 'application/yaml',
      server_side_encryption: 'aws:kms',
      kms_key_id: ref('aws_kms_key', keyName, 'arn'),
      bucket_key_enabled: true,
    });
    // The same value as the sensitive output (the generated key, a reference to random_bytes at apply).
    expect(encryption.content).toBe((json.output as any).rancher_backup_encryption_config.value);
    expect(encryption.content).toMatch(/random_bytes\.rancher-backups_encryption-key_[0-9A-F]{8}\.base64/);
    expect(encryption.lifecycle).toBeUndefined();
  });

  it("encrypts it under the copies' key, which the deploying identities may use only through S3 there, for this copy", () => {
    const [, key] = one(json, 'aws_kms_key', 'standby_key_');
    // The copies' key: kept and deleted with them (teardown counts it among their stores), in the standby region.
    expect(key).toMatchObject({
      provider: 'aws.us_west_2',
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    const policy = policyOf(json, key.policy);
    expect(policy.provider).toBe('aws.us_west_2');
    // Then, with RKE2's etcd snapshot copy, the break-glass role's statements (standby.test.ts).
    const breakGlass = ['BreakGlassReadsEtcdCopy', 'BreakGlassReadsToken', 'DeployersWriteToken'];
    expect(policy.statement.map((s: any) => s.sid).filter((sid: string) => !breakGlass.includes(sid))).toEqual([
      'AccountAdministers',
      'S3ReplicationWrites',
      ...(expected.backups ? ['DeployersUseStandbyFacts'] : []),
    ]);
    if (!expected.backups) return;
    const [sessionName, session] = one(json, 'aws_iam_session_context', 'standby_facts_deployer_', 'data');
    expect(session.arn).toMatch(/^\$\{data\.aws_caller_identity\.[^.]+\.arn\}$/);
    const issuer = `data.aws_iam_session_context.${sessionName}.issuer_arn`;
    expect(policy.statement[2]).toEqual({
      sid: 'DeployersUseStandbyFacts',
      principals: [
        { type: 'AWS', identifiers: stack === RKE_HA_STACK ? `\${concat([${issuer}], var.deployer_arns)}` : `\${concat([${issuer}], [])}` },
      ],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-west-2.amazonaws.com'] },
        { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:s3:arn', values: [ref('aws_s3_bucket', copyName, 'arn')] },
      ],
    });
  });

  it('checks at each plan that the copy holds them, from a listing there read after this apply writes them', () => {
    const [listingName, listing] = one(json, 'aws_s3_objects', 'standby_facts_listing_', 'data');
    expect({ ...listing, '//': undefined }).toEqual({
      '//': undefined,
      provider: 'aws.us_west_2',
      bucket: ref('aws_s3_bucket', copyName, 'id'),
      prefix: STANDBY_FACTS_FOLDER,
      depends_on: [`aws_s3_object.${factsName}`, ...(expected.backups ? [`aws_s3_object.${encryptionName}`] : [])],
    });
    const asserts = (json as any).check.standby_facts.assert as { condition: string; error_message: string }[];
    expect(asserts.map((a) => a.condition)).toEqual(
      [STANDBY_FACTS_KEY, ...(expected.backups ? [STANDBY_ENCRYPTION_KEY] : [])].map(
        (key) => `\${contains(data.aws_s3_objects.${listingName}.keys, "${key}")}`,
      ),
    );
    for (const a of asserts)
      expect(a.error_message).toMatch(/^The standby's copy s3:\/\/\$\{aws_s3_bucket\.[^}]+\}\/rancher-aws\/standby\/ \(us-west-2\) lacks /);
    // No scoped data source: one would be read at every plan, and no plan of an unchanged deployment would be empty.
    expect((json as any).check.standby_facts.data).toBeUndefined();
  });
});

describe('standby facts on day 2: a running deployment that turns standby.region on', () => {
  it.each<[StackName, SettingsInput]>([
    [RKE_HA_STACK, {}],
    [RKE_HA_STACK, { rkeHa: { distribution: 'k3s' } }],
    [K8S_HA_STACK, {}],
  ])('%s %j: replaces and destroys nothing of production, and adds the facts', (stack, input) => {
    const before = synthSettings(stack, input).json;
    const after = synth(stack, input);
    expect(plannedChange(before, after)).toEqual({ replaced: [], destroyed: [] });
    const added = Object.entries(after.resource).flatMap(([type, byName]) =>
      Object.keys(byName)
        .filter((name) => before.resource[type]?.[name] === undefined)
        .map((name) => `${type}.${name}`),
    );
    expect(added.filter((a) => a.split('.')[1].startsWith('standby_facts_'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_s3_object\.standby_facts_object_/),
        expect.stringMatching(/^aws_ssm_parameter\.standby_facts_pointer_/),
      ]),
    );
    const changed = Object.entries(before.resource).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([name, block]) => JSON.stringify(after.resource[type]?.[name]) !== JSON.stringify(block))
        .map(([name]) => `${type}.${name}`),
    );
    // What changes in place: the deployment's record lists the copies among its stores; the hostname's records become
    // failover routing (lib/standby/standby-dns.ts), which the provider updates in one batch (replacement.ts: only
    // their name and zone force a new record): a set identifier, the PRIMARY role, the health check, no target health.
    // Besides, they gain the failover fence's precondition (lib/standby/failover-fence.ts): a condition, not an
    // argument, so Terraform plans no change for it.
    const records = changed.filter((c) => c.startsWith('aws_route53_record.'));
    expect(changed.filter((c) => !records.includes(c))).toEqual(['terraform_data.deployment-record']);
    expect(records.length).toBe(stack === K8S_HA_STACK ? 3 : 1);
    for (const address of records) {
      const [type, name] = address.split('.');
      const { set_identifier, failover_routing_policy, health_check_id, alias, lifecycle: _after, ...rest } = after.resource[type][name];
      const { alias: oldAlias, lifecycle: _before, ...oldRest } = before.resource[type][name];
      expect(rest).toEqual(oldRest);
      expect({ set_identifier, failover_routing_policy }).toEqual({ set_identifier: 'primary', failover_routing_policy: { type: 'PRIMARY' } });
      expect(health_check_id).toMatch(/^\$\{aws_route53_health_check\.standby_dns_health-check_\w+\.id\}$/);
      expect(alias).toEqual(oldAlias === undefined ? undefined : { ...oldAlias, evaluate_target_health: false });
    }
  });
});
