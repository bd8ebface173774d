import { REPLICATION_LAG_SECONDS } from '../../../lib/alarms/deployment-alarms';
import { REPLICATION_RULE_ID, REPLICATION_TIME_MINUTES } from '../../../lib/standby/standby-replication';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { dataSources, resources, servicePrincipal, type TerraformJson } from '../../helpers/synth';
import { records } from '../../helpers/deployment-records';
import { K8S_HA_STACK, synthSettings } from '../../helpers/variants';

// The k8s-ha stack's standby (docs/standby.md): Rancher's backup bucket replicated to standby.region, with a cluster
// there named for the failover (standby.k8sHa).
const synth = (input: SettingsInput): TerraformJson => synthSettings(K8S_HA_STACK, input).json;
const CLUSTER = { access: { kubeconfig: { path: '~/.kube/standby' } } };

describe("the k8s-ha stack's standby settings", () => {
  it('refuses its plan, naming the field, value and fix, when standby.region names no standby cluster (an rke-ha standby to the shared file)', () => {
    const json = synth({ standby: { region: 'us-west-2' } });
    const refusal = (json.resource as any).terraform_data.standby_cluster;
    expect(refusal.lifecycle.precondition).toEqual([
      {
        condition: '${local.standby_cluster_named}',
        error_message: expect.stringMatching(
          /^standby\.region us-west-2 names no standby cluster for k8s-ha: standby\.k8sHa\.access is unset .* Set standby\.k8sHa\.access .* or remove standby\.region/,
        ),
      },
    ]);
    expect(json.locals!.standby_cluster_named).toBe(false);
    // Nothing of a standby besides: the plan stops before any change.
    expect(Object.keys(resources(json, 'aws_s3_bucket_replication_configuration'))).toEqual([]);
  });

  it('plans without the refusal with a standby cluster, or with no standby', () => {
    for (const input of [{ standby: { region: 'us-west-2', k8sHa: CLUSTER } }, {}] as SettingsInput[])
      expect((synth(input).resource as any).terraform_data?.standby_cluster).toBeUndefined();
  });
});

// The copy as the k8s-ha stack synthesizes it, with a standby cluster named: Rancher's backups only (k8s-ha has no etcd
// snapshots of its own), the ids and guards of rke-ha's copy (StandbyReplication), and no instance type looked up
// there (k8s-ha launches nothing: the cluster is the user's). For the default TLS mode, external TLS (the cluster
// owner's load balancer) and re-encryption, and with the alarms off.
const STANDBY = { region: 'us-west-2', k8sHa: CLUSTER };
const VARIANTS: [string, SettingsInput, { alarms: boolean }][] = [
  ['TLS ingress (Rancher CA)', {}, { alarms: true }],
  ['TLS external (blank)', { rancher: { tls: { mode: 'external', issuer: 'blank' } } }, { alarms: true }],
  ['TLS rancher (re-encryption)', { rancher: { tls: { mode: 'rancher' } } }, { alarms: true }],
  ['alarms off', { alarms: { enabled: false } }, { alarms: false }],
];
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
/** The one resource of `type` whose name starts with `prefix` (or matches it). */
const one = (json: TerraformJson, type: string, prefix: string | RegExp): [string, any] => {
  const found = Object.entries(resources(json, type)).filter(([name]) => (typeof prefix === 'string' ? name.startsWith(prefix) : prefix.test(name)));
  if (found.length !== 1) throw new Error(`${found.length} ${type} named ${prefix}*`);
  return found[0];
};
/** Rancher's backup bucket: RancherBackups' `bucket` (SnapshotBucket), `rancher-backups_bucket_<hash>`. */
const SOURCE_BUCKET = /^rancher-backups_bucket_[0-9A-F]{8}$/;
const policyOf = (json: TerraformJson, expression: string) =>
  dataSources(json, 'aws_iam_policy_document')[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(expression)![1]];
const statement = (document: any, sid: string) => document.statement.find((s: any) => s.sid === sid);

describe.each(VARIANTS)('the standby of k8s-ha (%s)', (_name, input, expected) => {
  const json = synth({ ...input, standby: STANDBY });
  const [sourceName] = one(json, 'aws_s3_bucket', SOURCE_BUCKET);
  const [copyName, copy] = one(json, 'aws_s3_bucket', 'standby_rancher-backups_bucket_');
  const [keyName, key] = one(json, 'aws_kms_key', 'standby_key_');
  const [roleName] = one(json, 'aws_iam_role', 'standby_role_');
  const [sourceArn, copyArn, keyArn, roleArn] = [
    ref('aws_s3_bucket', sourceName, 'arn'),
    ref('aws_s3_bucket', copyName, 'arn'),
    ref('aws_kms_key', keyName, 'arn'),
    ref('aws_iam_role', roleName, 'arn'),
  ];

  it("keeps only the copy, its guards, its key, production's facts and the lag alarms in the standby region, and looks up no instance type there", () => {
    expect((json.provider as any).aws).toContainEqual(expect.objectContaining({ alias: 'us_west_2', region: 'us-west-2' }));
    const there: string[] = [];
    for (const section of ['resource', 'data'] as const)
      for (const [type, byName] of Object.entries((json as any)[section] ?? {}))
        for (const [name, body] of Object.entries(byName as Record<string, any>))
          if (body.provider === 'aws.us_west_2') there.push(`${type}.${name}`);
    const own = there.filter((address) => !address.split('.')[1].startsWith('alarms_'));
    expect(own.map((address) => address.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual(
      [
        'aws_iam_policy_document.standby_key-policy',
        'aws_iam_policy_document.standby_rancher-backups_tls-only',
        'aws_kms_key.standby_key',
        'aws_s3_bucket.standby_rancher-backups_bucket',
        'aws_s3_bucket_lifecycle_configuration.standby_rancher-backups_lifecycle',
        'aws_s3_bucket_ownership_controls.standby_rancher-backups_ownership',
        'aws_s3_bucket_policy.standby_rancher-backups_policy',
        'aws_s3_bucket_public_access_block.standby_rancher-backups_public-access',
        'aws_s3_bucket_server_side_encryption_configuration.standby_rancher-backups_encryption',
        'aws_s3_bucket_versioning.standby_rancher-backups_versioning',
        // What a failover reads of production (StandbyFacts): the facts, the EncryptionConfiguration, where they are, the check's listing.
        'aws_s3_object.standby_facts_backup-encryption',
        'aws_s3_object.standby_facts_object',
        'aws_s3_objects.standby_facts_listing',
        'aws_ssm_parameter.standby_facts_pointer',
        // The bucket of the standby deployment's state, guarded as the copy, and where it is (StandbyState).
        ...[
          'aws_iam_policy_document.standby_state_bucket_tls-only',
          'aws_s3_bucket.standby_state_bucket',
          'aws_s3_bucket_lifecycle_configuration.standby_state_bucket_lifecycle',
          'aws_s3_bucket_ownership_controls.standby_state_bucket_ownership',
          'aws_s3_bucket_policy.standby_state_bucket_policy',
          'aws_s3_bucket_public_access_block.standby_state_bucket_public-access',
          'aws_s3_bucket_server_side_encryption_configuration.standby_state_bucket_encryption',
          'aws_s3_bucket_versioning.standby_state_bucket_versioning',
          'aws_ssm_parameter.standby_state_pointer',
        ],
        // The hostname's failover routing (StandbyDns): the alarm the failover drives, the standby-target's read, which
        // is also the listing the failover's fence reads (lib/standby/failover-fence.ts).
        'aws_cloudwatch_metric_alarm.standby_dns_alarm',
        'aws_ssm_parameters_by_path.standby_dns_parameters',
      ].sort(),
    );
    expect(dataSources(json, 'aws_ec2_instance_type_offerings')).toEqual({});
    expect(there.filter((a) => a.startsWith('aws_cloudwatch_metric_alarm.alarms_')).length).toBe(expected.alarms ? 1 : 0);
  });

  it('guards the copy as its source: prevent_destroy, public access blocked, versioned, TLS only, the same lifetimes', () => {
    const [, source] = one(json, 'aws_s3_bucket', SOURCE_BUCKET);
    expect(copy).toMatchObject({ provider: 'aws.us_west_2', bucket_prefix: 'rancher-k8s-ha-backups-sb-', force_destroy: false });
    expect(copy.lifecycle).toEqual({ prevent_destroy: true });
    expect(source.lifecycle).toEqual(copy.lifecycle);
    const bucket = ref('aws_s3_bucket', copyName, 'id');
    expect(one(json, 'aws_s3_bucket_public_access_block', 'standby_rancher-backups_')[1]).toMatchObject({
      bucket,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(one(json, 'aws_s3_bucket_versioning', 'standby_rancher-backups_')[1]).toMatchObject({
      bucket,
      versioning_configuration: { status: 'Enabled' },
    });
    expect(statement(policyOf(json, one(json, 'aws_s3_bucket_policy', 'standby_rancher-backups_')[1].policy), 'DenyInsecureTransport')).toMatchObject(
      {
        effect: 'Deny',
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    );
    const rules = (prefix: string) => one(json, 'aws_s3_bucket_lifecycle_configuration', prefix)[1].rule;
    expect(rules('standby_rancher-backups_')).toEqual(rules('rancher-backups_bucket_lifecycle_'));
    expect(one(json, 'aws_s3_bucket_server_side_encryption_configuration', 'standby_rancher-backups_')[1].rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: keyArn }, bucket_key_enabled: true },
    ]);
  });

  it("has a key of the standby's region, kept (prevent_destroy) and rotated, that only replication through S3 there encrypts the copy with", () => {
    expect(key).toMatchObject({
      provider: 'aws.us_west_2',
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    const policy = policyOf(json, key.policy);
    // With the EncryptionConfiguration of the standby facts it encrypts (standby-facts.test.ts).
    expect(policy.statement.map((s: any) => s.sid)).toEqual(['AccountAdministers', 'S3ReplicationWrites', 'DeployersUseStandbyFacts']);
    expect(statement(policy, 'S3ReplicationWrites')).toMatchObject({
      principals: [{ type: 'AWS', identifiers: [roleArn] }],
      actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-west-2.amazonaws.com'] },
        { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [copyArn, `${copyArn}/*`] },
      ],
    });
  });

  it('has one role, assumed by S3 of this account only, reading the backup bucket and writing its copy, nothing more', () => {
    const [, role] = one(json, 'aws_iam_role', 'standby_role_');
    expect(role.name_prefix).toBe('rancher-k8s-ha-standby-');
    expect(policyOf(json, role.assume_role_policy).statement).toEqual([
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 's3')] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [expect.stringMatching(/aws_caller_identity/)] }],
      },
    ]);
    const policy = policyOf(json, one(json, 'aws_iam_role_policy', 'standby_role-policy_')[1].policy);
    // No source key: Rancher's backups are SSE-S3 (the operator encrypts them itself).
    expect(policy.statement).toEqual([
      { sid: 'ReadReplicationConfiguration', actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [sourceArn] },
      {
        sid: 'ReadSourceVersions',
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        resources: [`${sourceArn}/*`],
      },
      { sid: 'WriteReplicas', actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [`${copyArn}/*`] },
      {
        sid: 'EncryptReplicas',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keyArn],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-west-2.amazonaws.com'] },
          { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [copyArn, `${copyArn}/*`] },
        ],
      },
    ]);
  });

  it('replicates the backup bucket under the rule standby: Replication Time Control, its metrics, delete markers, the standby key', () => {
    const [, replication] = one(json, 'aws_s3_bucket_replication_configuration', 'standby_rancher-backups-replication_');
    expect(replication).toMatchObject({ bucket: ref('aws_s3_bucket', sourceName, 'id'), role: roleArn });
    expect(replication.provider).toBeUndefined();
    expect(replication.rule).toEqual([
      {
        id: REPLICATION_RULE_ID,
        status: 'Enabled',
        filter: {},
        delete_marker_replication: { status: 'Enabled' },
        source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
        destination: {
          bucket: copyArn,
          encryption_configuration: { replica_kms_key_id: keyArn },
          replication_time: { status: 'Enabled', time: { minutes: REPLICATION_TIME_MINUTES } },
          metrics: { status: 'Enabled', event_threshold: { minutes: REPLICATION_TIME_MINUTES } },
        },
      },
    ]);
  });

  it("alarms on replication failing (deployment's region) and lagging (standby's region, its topic an output), as rke-ha's", () => {
    const alarms = Object.keys(resources(json, 'aws_cloudwatch_metric_alarm')).filter((n) => n.startsWith('alarms_standby-'));
    if (!expected.alarms) {
      expect(alarms).toEqual([]);
      return expect((json.output as any)?.alarm_topic_us_west_2).toBeUndefined();
    }
    const dimensions = {
      SourceBucket: ref('aws_s3_bucket', sourceName, 'id'),
      DestinationBucket: ref('aws_s3_bucket', copyName, 'id'),
      RuleId: REPLICATION_RULE_ID,
    };
    const [, failed] = one(json, 'aws_cloudwatch_metric_alarm', 'alarms_standby-rancher-backups-failed_');
    const [, lag] = one(json, 'aws_cloudwatch_metric_alarm', 'alarms_standby-rancher-backups-lag_');
    const [standbyTopic] = one(json, 'aws_sns_topic', 'alarms_us-west-2-topic_');
    expect(failed).toMatchObject({
      alarm_name: 'rancher-k8s-ha-standby-rancher-backups-failed',
      metric_name: 'OperationsFailedReplication',
      dimensions,
      threshold: 0,
      treat_missing_data: 'ignore',
      alarm_actions: [ref('aws_sns_topic', one(json, 'aws_sns_topic', 'alarms_topic_')[0], 'arn')],
    });
    expect(failed.provider).toBeUndefined();
    expect(lag).toMatchObject({
      alarm_name: 'rancher-k8s-ha-standby-rancher-backups-lag',
      metric_name: 'ReplicationLatency',
      dimensions,
      threshold: REPLICATION_LAG_SECONDS,
      provider: 'aws.us_west_2',
      alarm_actions: [ref('aws_sns_topic', standbyTopic, 'arn')],
    });
    expect((json.output as any).alarm_topic_us_west_2.value).toBe(ref('aws_sns_topic', standbyTopic, 'arn'));
  });
});

describe("the k8s-ha standby's addresses", () => {
  // Resources only: data sources hold no state (the account's identity is read where the stack first asks for it).
  it("are rke-ha's for the same pieces (construct ids standby, rancher-backups)", () => {
    const addresses = (json: TerraformJson) =>
      ['resource'].flatMap((section) =>
        Object.entries((json as any)[section] ?? {}).flatMap(([type, byName]) =>
          Object.keys(byName as object)
            // Not the secondary records: one per record, and k8s-ha has three kinds of it (counted) where rke-ha has one.
            .filter((name) => /^(standby_|alarms_standby-rancher-backups-)/.test(name) && !name.startsWith('standby_dns_secondary-'))
            .map((name) => `${type}.${name.replace(/_[0-9A-F]{8}$/, '')}`),
        ),
      );
    const k8s = addresses(synth({ standby: STANDBY })).sort();
    const rke = addresses(synthSettings('rke-ha', { rkeHa: { distribution: 'k3s' }, standby: { region: 'us-west-2' } }).json).sort();
    expect(k8s).toEqual(rke);
  });
});

describe('the k8s-ha standby with backups.forceDestroyBucket', () => {
  it('lets destroy delete the copy with its objects, and its key, as the source (no prevent_destroy)', () => {
    const json = synth({ backups: { forceDestroyBucket: true }, standby: STANDBY });
    const [, copy] = one(json, 'aws_s3_bucket', 'standby_rancher-backups_bucket_');
    expect(copy.force_destroy).toBe(true);
    expect(copy.lifecycle?.prevent_destroy).toBeUndefined();
    expect(one(json, 'aws_s3_bucket', SOURCE_BUCKET)[1].force_destroy).toBe(true);
    expect(one(json, 'aws_kms_key', 'standby_key_')[1].lifecycle?.prevent_destroy).toBeUndefined();
  });
});

describe("the k8s-ha standby in the deployment record (what teardown's keep and delete read)", () => {
  it("names the copy among the stores (construct id standby, one of STORE_IDS), as rke-ha's", () => {
    const record = Object.values(records(synth({ standby: STANDBY })))[0];
    expect(record.kind).toBe('k8s-ha');
    expect(record.stores).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_s3_bucket\.rancher-backups_bucket_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_s3_bucket\.standby_rancher-backups_bucket_[0-9A-F]{8}$/),
      ]),
    );
  });
});
