import { REPLICATION_LAG_SECONDS } from '../../../lib/alarms/deployment-alarms';
import { REPLICATION_RULE_ID, REPLICATION_TIME_MINUTES } from '../../../lib/standby/standby-replication';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { dataSources, resources, servicePrincipal, type TerraformJson } from '../../helpers/synth';
import { RKE_HA_TLS_VARIANTS, RKE_HA_STACK, synthSettings } from '../../helpers/variants';

// The standby's copies as the rke-ha stack synthesizes them: for each TLS mode (one issuer each: where TLS ends is
// what changes the stack, the buckets are the same for every issuer), for K3s (no etcd snapshot bucket: Rancher's
// backups only), and with the alarms off.
const STANDBY = { region: 'us-west-2' };
const VARIANTS: [string, SettingsInput, { snapshots: boolean; alarms: boolean }][] = [
  ['TLS ingress (Rancher CA)', { rancher: { tls: RKE_HA_TLS_VARIANTS['ingress+rancher'] } }, { snapshots: true, alarms: true }],
  ['TLS external (ACM)', { rancher: { tls: RKE_HA_TLS_VARIANTS['external+acme'] } }, { snapshots: true, alarms: true }],
  ['TLS rancher (re-encryption)', { rancher: { tls: RKE_HA_TLS_VARIANTS['rancher+rancher'] } }, { snapshots: true, alarms: true }],
  ['K3s', { rkeHa: { distribution: 'k3s' } }, { snapshots: false, alarms: true }],
  ['alarms off', { alarms: { enabled: false } }, { snapshots: true, alarms: false }],
];

const synth = (input: SettingsInput): TerraformJson => synthSettings(RKE_HA_STACK, input).json;
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
const one = (json: TerraformJson, type: string, prefix: string, section: 'resource' | 'data' = 'resource'): [string, any] => {
  const found = Object.entries(section === 'data' ? dataSources(json, type) : resources(json, type)).filter(([name]) => name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`${found.length} ${type} named ${prefix}*`);
  return found[0];
};
const policyOf = (json: TerraformJson, expression: string) =>
  dataSources(json, 'aws_iam_policy_document')[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(expression)![1]];
/** The prefix of a source bucket's part: Rancher's backup bucket is RancherBackups' `bucket` (`rancher-backups_bucket_<part>_`). */
const sourcePart = (id: string, part: string) => `${id}_${id === 'rancher-backups' ? 'bucket_' : ''}${part}_`;
const statement = (document: any, sid: string) => document.statement.find((s: any) => s.sid === sid);

describe.each(VARIANTS)('the standby of rke-ha (%s)', (_name, input, expected) => {
  const json = synth({ ...input, standby: STANDBY });
  const copies = expected.snapshots ? ['rancher-backups', 'etcd-snapshots'] : ['rancher-backups'];
  const sourceBucket = (id: string) => one(json, 'aws_s3_bucket', `${id}_bucket_`)[0];
  const copyBucket = (id: string) => one(json, 'aws_s3_bucket', `standby_${id}_bucket_`)[0];
  const [keyName, key] = one(json, 'aws_kms_key', 'standby_key_');
  const [roleName] = one(json, 'aws_iam_role', 'standby_role_');
  const roleArn = ref('aws_iam_role', roleName, 'arn');

  it("has an AWS provider for the standby's region, and only the copies, their guards, their key, production's facts, the lag alarms' topic and the offerings read use it", () => {
    const providers = (json.provider as any).aws as any[];
    expect(providers).toContainEqual(expect.objectContaining({ alias: 'us_west_2', region: 'us-west-2' }));
    const there: string[] = [];
    for (const section of ['resource', 'data'] as const)
      for (const [type, byName] of Object.entries((json as any)[section] ?? {}))
        for (const [name, body] of Object.entries(byName as Record<string, any>))
          if (body.provider === 'aws.us_west_2') there.push(`${type}.${name}`);
    // The copies, and the bucket of the standby deployment's state (StandbyState, its SnapshotBucket `bucket`).
    const expectedThere = [...copies, 'state_bucket'].flatMap((id) => [
      ...[
        'aws_s3_bucket',
        'aws_s3_bucket_public_access_block',
        'aws_s3_bucket_ownership_controls',
        'aws_s3_bucket_server_side_encryption_configuration',
        'aws_s3_bucket_versioning',
        'aws_s3_bucket_lifecycle_configuration',
        'aws_s3_bucket_policy',
      ].map((type) => `${type}.${one(json, type, `standby_${id}_`)[0]}`),
      `aws_iam_policy_document.${Object.keys(dataSources(json, 'aws_iam_policy_document')).find((n) => n.startsWith(`standby_${id}_tls-only_`))}`,
    ]);
    // The alarms' part there: the lag alarms, and the topic and key they notify (DeploymentAlarms' region topic).
    const alarmsThere = there.filter((address) => address.split('.')[1].startsWith('alarms_'));
    expect(alarmsThere.filter((address) => !/^[a-z_]+\.alarms_(us-west-2-|standby-[a-z-]+-lag_)/.test(address))).toEqual([]);
    expect(alarmsThere.filter((address) => address.startsWith('aws_cloudwatch_metric_alarm.')).length).toBe(expected.alarms ? copies.length : 0);
    expect(there.filter((address) => !alarmsThere.includes(address)).sort()).toEqual(
      [
        ...expectedThere,
        `aws_kms_key.${keyName}`,
        `aws_iam_policy_document.${key.policy.match(/document\.([^.]+)\.json/)[1]}`,
        `aws_ec2_instance_type_offerings.${one(json, 'aws_ec2_instance_type_offerings', 'standby_servers-instance-type_', 'data')[0]}`,
        // What a failover reads of production (StandbyFacts): the facts, the EncryptionConfiguration, its key, the check's listing.
        ...[
          'aws_s3_object.standby_facts_backup-encryption_',
          'aws_s3_object.standby_facts_object_',
          'aws_ssm_parameter.standby_facts_pointer_',
          'aws_ssm_parameter.standby_state_pointer_',
        ].map((prefix) => `${prefix.split('.')[0]}.${one(json, prefix.split('.')[0], prefix.split('.')[1])[0]}`),
        `aws_s3_objects.${one(json, 'aws_s3_objects', 'standby_facts_listing_', 'data')[0]}`,
        // RKE2's cluster token kept there for a restore of the etcd snapshot copies (EtcdBreakGlass).
        ...(expected.snapshots ? [`aws_ssm_parameter.${one(json, 'aws_ssm_parameter', 'standby_break-glass_token_')[0]}`] : []),
        // The hostname's failover routing (StandbyDns): the alarm the failover drives, the standby-target's read, which
        // is also the listing the failover's fence reads (lib/standby/failover-fence.ts).
        `aws_cloudwatch_metric_alarm.${one(json, 'aws_cloudwatch_metric_alarm', 'standby_dns_alarm_')[0]}`,
        `aws_ssm_parameters_by_path.${one(json, 'aws_ssm_parameters_by_path', 'standby_dns_parameters_', 'data')[0]}`,
      ].sort(),
    );
  });

  it("reads, through the standby region's provider, whether that region offers the servers' instance type, and refuses the plan, naming both settings, while not", () => {
    const [, offerings] = one(json, 'aws_ec2_instance_type_offerings', 'standby_servers-instance-type_', 'data');
    // The stack gives the servers' type as its `instance_type` variable: the check reads the type the servers get.
    expect(one(json, 'aws_instance', 'server-0_instance_')[1].instance_type).toBe('${var.instance_type}');
    expect({ ...offerings, '//': undefined }).toEqual({
      '//': undefined,
      provider: 'aws.us_west_2',
      location_type: 'region',
      filter: [{ name: 'instance-type', values: ['${var.instance_type}'] }],
      lifecycle: {
        postcondition: [
          {
            condition: '${contains(self.instance_types, var.instance_type)}',
            error_message:
              'standby.region us-west-2 does not offer the EC2 instance type ${var.instance_type} (instanceType), which a failover ' +
              'launches there: choose another standby.region that offers it (aws ec2 describe-instance-type-offerings --region us-west-2 ' +
              '--filters Name=instance-type,Values=${var.instance_type}) or another instanceType.',
          },
        ],
      },
    });
  });

  it.each(copies)('guards the copy of %s as its source: prevent_destroy, public access blocked, versioned, TLS only, the same lifetimes', (id) => {
    const [name, bucket] = one(json, 'aws_s3_bucket', `standby_${id}_bucket_`);
    const [, source] = one(json, 'aws_s3_bucket', `${id}_bucket_`);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket.force_destroy).toBe(false);
    expect(source.lifecycle).toEqual(bucket.lifecycle);
    const bucketRef = ref('aws_s3_bucket', name, 'id');
    expect(one(json, 'aws_s3_bucket_public_access_block', `standby_${id}_`)[1]).toMatchObject({
      bucket: bucketRef,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(one(json, 'aws_s3_bucket_versioning', `standby_${id}_`)[1]).toMatchObject({
      bucket: bucketRef,
      versioning_configuration: { status: 'Enabled' },
    });
    const policy = policyOf(json, one(json, 'aws_s3_bucket_policy', `standby_${id}_`)[1].policy);
    expect(statement(policy, 'DenyInsecureTransport')).toMatchObject({
      effect: 'Deny',
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    });
    const rules = (prefix: string) => one(json, 'aws_s3_bucket_lifecycle_configuration', prefix)[1].rule;
    expect(rules(`standby_${id}_`)).toEqual(rules(sourcePart(id, 'lifecycle')));
  });

  it.each(copies)("encrypts the copy of %s under the standby region's key (SSE-KMS with a Bucket Key)", (id) => {
    expect(one(json, 'aws_s3_bucket_server_side_encryption_configuration', `standby_${id}_`)[1].rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: ref('aws_kms_key', keyName, 'arn') },
        bucket_key_enabled: true,
      },
    ]);
  });

  it("has a key of the standby's region that the account administers and only replication, through S3 there, for the copies, encrypts with", () => {
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    const policy = policyOf(json, key.policy);
    // With the EncryptionConfiguration of the standby facts it encrypts (standby-facts.test.ts).
    // With the break-glass role's reads and the deployers' writes of the token's copy, with RKE2 (below).
    expect(policy.statement.map((s: any) => s.sid)).toEqual([
      'AccountAdministers',
      'S3ReplicationWrites',
      'DeployersUseStandbyFacts',
      ...(expected.snapshots ? ['BreakGlassReadsEtcdCopy', 'BreakGlassReadsToken', 'DeployersWriteToken'] : []),
    ]);
    expect(statement(policy, 'S3ReplicationWrites')).toEqual({
      sid: 'S3ReplicationWrites',
      principals: [{ type: 'AWS', identifiers: [roleArn] }],
      // Decrypt too: S3 decrypts the copy's Bucket Key to check it (S3 User Guide, "S3 Bucket Keys and replication").
      actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-west-2.amazonaws.com'] },
        {
          test: 'StringLike',
          variable: 'kms:EncryptionContext:aws:s3:arn',
          values: copies.flatMap((id) => [ref('aws_s3_bucket', copyBucket(id), 'arn'), `${ref('aws_s3_bucket', copyBucket(id), 'arn')}/*`]),
        },
      ],
    });
  });

  it("lets replication decrypt the etcd snapshots with the stack's key, through S3 in the deployment's region, for that bucket only", () => {
    const [, stackKey] = one(json, 'aws_kms_key', 'boot-parameters_key_');
    const reads = statement(policyOf(json, stackKey.policy), 'S3ReplicationReads');
    if (!expected.snapshots) return expect(reads).toBeUndefined();
    const arn = ref('aws_s3_bucket', sourceBucket('etcd-snapshots'), 'arn');
    expect(reads).toEqual({
      sid: 'S3ReplicationReads',
      principals: [{ type: 'AWS', identifiers: [roleArn] }],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-east-1.amazonaws.com'] },
        { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [arn, `${arn}/*`] },
      ],
    });
  });

  it('has one role, assumed by S3 of this account only, that reads the sources, writes the copies and uses the keys for them, nothing more', () => {
    const [, role] = one(json, 'aws_iam_role', 'standby_role_');
    const assume = policyOf(json, role.assume_role_policy);
    expect(assume.statement).toEqual([
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 's3')] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [expect.stringMatching(/aws_caller_identity/)] }],
      },
    ]);
    const [, rolePolicy] = one(json, 'aws_iam_role_policy', 'standby_role-policy_');
    expect(rolePolicy.role).toBe(ref('aws_iam_role', roleName, 'id'));
    const policy = policyOf(json, rolePolicy.policy);
    const sources = copies.map((id) => ref('aws_s3_bucket', sourceBucket(id), 'arn'));
    const targets = copies.map((id) => ref('aws_s3_bucket', copyBucket(id), 'arn'));
    expect(policy.statement.map((s: any) => s.sid)).toEqual([
      'ReadReplicationConfiguration',
      'ReadSourceVersions',
      'WriteReplicas',
      ...(expected.snapshots ? ['DecryptSources'] : []),
      'EncryptReplicas',
    ]);
    expect(statement(policy, 'ReadReplicationConfiguration')).toMatchObject({
      actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
      resources: sources,
    });
    expect(statement(policy, 'ReadSourceVersions')).toMatchObject({
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      resources: sources.map((arn) => `${arn}/*`),
    });
    expect(statement(policy, 'WriteReplicas')).toMatchObject({
      actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
      resources: targets.map((arn) => `${arn}/*`),
    });
    expect(statement(policy, 'EncryptReplicas')).toMatchObject({
      actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [ref('aws_kms_key', keyName, 'arn')],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-west-2.amazonaws.com'] },
        { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: targets.flatMap((arn) => [arn, `${arn}/*`]) },
      ],
    });
    if (expected.snapshots) {
      const snapshots = ref('aws_s3_bucket', sourceBucket('etcd-snapshots'), 'arn');
      expect(statement(policy, 'DecryptSources')).toMatchObject({
        actions: ['kms:Decrypt'],
        resources: [ref('aws_kms_key', one(json, 'aws_kms_key', 'boot-parameters_key_')[0], 'arn')],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-east-1.amazonaws.com'] },
          { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [snapshots, `${snapshots}/*`] },
        ],
      });
    }
    // No wildcard resource, no action outside S3 replication's and KMS's.
    for (const s of policy.statement) for (const resource of s.resources) expect(resource).not.toBe('*');
  });

  describe("the etcd snapshot copies restorable without the deployment's region (EtcdBreakGlass)", () => {
    const made = Object.keys(resources(json, 'aws_iam_role')).filter((n) => n.startsWith('standby_break-glass_'));
    if (!expected.snapshots) {
      it('K3s (no etcd snapshot copy): no break-glass role, no token copy', () => {
        expect(made).toEqual([]);
        expect(Object.keys(resources(json, 'aws_ssm_parameter')).filter((n) => n.startsWith('standby_break-glass_'))).toEqual([]);
      });
      return;
    }
    const [breakName, breakRole] = one(json, 'aws_iam_role', 'standby_break-glass_role_');
    const breakArn = ref('aws_iam_role', breakName, 'arn');
    const copy = ref('aws_s3_bucket', copyBucket('etcd-snapshots'), 'arn');
    const keyArn = ref('aws_kms_key', keyName, 'arn');
    const parameterArn = expect.stringMatching(
      /^arn:\$\{data\.aws_partition\.[^}]+\.partition\}:ssm:us-west-2:\$\{data\.aws_caller_identity\.[^}]+\.account_id\}:parameter\/rancher\/rke-ha\/standby-token$/,
    );
    const viaS3 = { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-west-2.amazonaws.com'] };
    const viaSsm = { test: 'StringEquals', variable: 'kms:ViaService', values: ['ssm.us-west-2.amazonaws.com'] };
    const ofCopy = { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [copy, `${copy}/*`] };
    const ofParameter = { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [parameterArn] };

    it('a named role, made by production (IAM is global), that the account trusts (its IAM policies decide), no wildcard principal', () => {
      expect(breakRole).toMatchObject({ name: 'rancher-rke-ha-etcd-break-glass', path: '/rancher-ha-aws/', max_session_duration: 3600 });
      expect(breakRole.provider).toBeUndefined();
      expect(policyOf(json, breakRole.assume_role_policy).statement).toEqual([
        {
          actions: ['sts:AssumeRole'],
          principals: [
            {
              type: 'AWS',
              identifiers: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{data\.aws_caller_identity\.[^}]+\}:root$/)],
            },
          ],
        },
      ]);
    });

    it("may only list and read the etcd copy, decrypt it through S3 there, and read the token's copy: exact actions and resources", () => {
      const [, rolePolicy] = one(json, 'aws_iam_role_policy', 'standby_break-glass_role-policy_');
      expect(rolePolicy.role).toBe(ref('aws_iam_role', breakName, 'id'));
      expect(policyOf(json, rolePolicy.policy).statement).toEqual([
        { sid: 'ListEtcdCopy', actions: ['s3:ListBucket'], resources: [copy] },
        { sid: 'ReadEtcdCopy', actions: ['s3:GetObject'], resources: [`${copy}/*`] },
        { sid: 'DecryptEtcdCopy', actions: ['kms:Decrypt'], resources: [keyArn], condition: [viaS3, ofCopy] },
        { sid: 'ReadToken', actions: ['ssm:GetParameter'], resources: [parameterArn] },
        { sid: 'DecryptToken', actions: ['kms:Decrypt'], resources: [keyArn], condition: [viaSsm, ofParameter] },
      ]);
    });

    it("the copies' key lets it decrypt the etcd copy through S3 and the token through SSM there, and the deployers write the token", () => {
      const policy = policyOf(json, key.policy);
      expect(statement(policy, 'BreakGlassReadsEtcdCopy')).toEqual({
        sid: 'BreakGlassReadsEtcdCopy',
        principals: [{ type: 'AWS', identifiers: [breakArn] }],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        condition: [viaS3, ofCopy],
      });
      expect(statement(policy, 'BreakGlassReadsToken')).toEqual({
        sid: 'BreakGlassReadsToken',
        principals: [{ type: 'AWS', identifiers: [breakArn] }],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        condition: [viaSsm, ofParameter],
      });
      // The deployers as the boot parameters' key names them (the identity running Terraform and deployer_arns).
      const deployers = statement(policyOf(json, one(json, 'aws_kms_key', 'boot-parameters_key_')[1].policy), 'DeployersThroughSsm').principals;
      expect(statement(policy, 'DeployersWriteToken')).toEqual({
        sid: 'DeployersWriteToken',
        principals: deployers,
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: ['*'],
        condition: [viaSsm, ofParameter],
      });
    });

    it("keeps the token in an SSM SecureString of the standby region, under the copies' key, from production's parameter as refreshed", () => {
      const [tokenName] = one(json, 'aws_ssm_parameter', 'boot-parameters_token_');
      const [, parameter] = one(json, 'aws_ssm_parameter', 'standby_break-glass_token_');
      expect({ ...parameter, '//': undefined, description: undefined }).toEqual({
        '//': undefined,
        description: undefined,
        provider: 'aws.us_west_2',
        name: '/rancher/rke-ha/standby-token',
        type: 'SecureString',
        key_id: keyArn,
        tier: 'Standard',
        // Production's parameter's value, which a refresh reads after `rotate token` (no ignore_changes here).
        value: ref('aws_ssm_parameter', tokenName, 'value'),
      });
    });
  });

  it.each(copies)(
    'replicates %s with Replication Time Control, its metrics and delete markers, after both sides are versioned and the role may act',
    (id) => {
      const [, replication] = one(json, 'aws_s3_bucket_replication_configuration', `standby_${id}-replication_`);
      expect(replication.bucket).toBe(ref('aws_s3_bucket', sourceBucket(id), 'id'));
      expect(replication.role).toBe(roleArn);
      expect(replication.rule).toEqual([
        {
          id: REPLICATION_RULE_ID,
          status: 'Enabled',
          filter: {},
          delete_marker_replication: { status: 'Enabled' },
          source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
          destination: {
            bucket: ref('aws_s3_bucket', copyBucket(id), 'arn'),
            encryption_configuration: { replica_kms_key_id: ref('aws_kms_key', keyName, 'arn') },
            replication_time: { status: 'Enabled', time: { minutes: REPLICATION_TIME_MINUTES } },
            metrics: { status: 'Enabled', event_threshold: { minutes: REPLICATION_TIME_MINUTES } },
          },
        },
      ]);
      expect(replication.provider).toBeUndefined();
      const versioningOf = (prefix: string) => `aws_s3_bucket_versioning.${one(json, 'aws_s3_bucket_versioning', prefix)[0]}`;
      expect(replication.depends_on).toEqual([
        versioningOf(sourcePart(id, 'versioning')),
        versioningOf(`standby_${id}_versioning_`),
        `aws_iam_role_policy.${one(json, 'aws_iam_role_policy', 'standby_role-policy_')[0]}`,
      ]);
    },
  );

  it.each(copies)(
    "alarms on %s's replication failing (in the deployment's region) or lagging (in the standby's, where S3 publishes the lag), each on its region's topic",
    (id) => {
      const alarms = Object.entries(resources(json, 'aws_cloudwatch_metric_alarm')).filter(([name]) => name.startsWith(`alarms_standby-${id}-`));
      if (!expected.alarms) {
        expect(alarms).toEqual([]);
        expect(Object.keys(resources(json, 'aws_sns_topic')).filter((n) => n.includes('us-west-2'))).toEqual([]);
        return expect((json.output as any)?.alarm_topic_us_west_2).toBeUndefined();
      }
      const dimensions = {
        SourceBucket: ref('aws_s3_bucket', sourceBucket(id), 'id'),
        DestinationBucket: ref('aws_s3_bucket', copyBucket(id), 'id'),
        RuleId: REPLICATION_RULE_ID,
      };
      const topic = ref('aws_sns_topic', one(json, 'aws_sns_topic', 'alarms_topic_')[0], 'arn');
      const [standbyTopicName, standbyTopic] = one(json, 'aws_sns_topic', 'alarms_us-west-2-topic_');
      const [, failed] = one(json, 'aws_cloudwatch_metric_alarm', `alarms_standby-${id}-failed_`);
      const [, lag] = one(json, 'aws_cloudwatch_metric_alarm', `alarms_standby-${id}-lag_`);
      expect(failed).toMatchObject({
        alarm_name: `rancher-rke-ha-standby-${id}-failed`,
        namespace: 'AWS/S3',
        metric_name: 'OperationsFailedReplication',
        dimensions,
        statistic: 'Sum',
        comparison_operator: 'GreaterThanThreshold',
        threshold: 0,
        evaluation_periods: 1,
        // The S3 User Guide's advice for alarms on replication metrics: a period without data keeps the state.
        treat_missing_data: 'ignore',
        alarm_actions: [topic],
      });
      expect(failed.provider).toBeUndefined();
      expect(lag).toMatchObject({
        alarm_name: `rancher-rke-ha-standby-${id}-lag`,
        namespace: 'AWS/S3',
        metric_name: 'ReplicationLatency',
        dimensions,
        statistic: 'Maximum',
        comparison_operator: 'GreaterThanThreshold',
        threshold: REPLICATION_LAG_SECONDS,
        treat_missing_data: 'ignore',
        alarm_actions: [ref('aws_sns_topic', standbyTopicName, 'arn')],
        provider: 'aws.us_west_2',
      });
      expect(standbyTopic.provider).toBe('aws.us_west_2');
      expect((json.output as any).alarm_topic_us_west_2.value).toBe(ref('aws_sns_topic', standbyTopicName, 'arn'));
    },
  );
});

describe("the standby with the snapshot bucket's access logging and Object Lock on", () => {
  const json = synth({ rkeHa: { etcdSnapshots: { accessLogging: true, objectLock: true } }, standby: STANDBY });

  it("logs the copy's requests into a log bucket of the standby's region, guarded and kept as the source's log bucket", () => {
    const [copyName] = one(json, 'aws_s3_bucket', 'standby_etcd-snapshots_bucket_');
    const [logName, log] = one(json, 'aws_s3_bucket', 'standby_etcd-snapshots_access-logs_bucket_');
    const [, sourceLog] = one(json, 'aws_s3_bucket', 'etcd-snapshots_access-logs_bucket_');
    expect(log).toMatchObject({ provider: 'aws.us_west_2', lifecycle: sourceLog.lifecycle, force_destroy: sourceLog.force_destroy });
    expect(one(json, 'aws_s3_bucket_logging', 'standby_etcd-snapshots_')[1]).toMatchObject({
      provider: 'aws.us_west_2',
      bucket: ref('aws_s3_bucket', copyName, 'id'),
      target_bucket: ref('aws_s3_bucket', logName, 'id'),
      target_prefix: 'access-logs/',
    });
    for (const type of [
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_server_side_encryption_configuration',
    ])
      expect(one(json, type, 'standby_etcd-snapshots_access-logs_')[1].provider).toBe('aws.us_west_2');
    // S3's log delivery may write there for the copy only.
    const document = policyOf(json, one(json, 'aws_s3_bucket_policy', 'standby_etcd-snapshots_access-logs_')[1].policy);
    expect(statement(document, 'S3ServerAccessLogs').condition).toContainEqual({
      test: 'ArnLike',
      variable: 'aws:SourceArn',
      values: [ref('aws_s3_bucket', copyName, 'arn')],
    });
  });

  it('turns Object Lock on for the copy, as for its source (S3 replicates from a locked bucket only to a locked one)', () => {
    expect(one(json, 'aws_s3_bucket_object_lock_configuration', 'standby_etcd-snapshots_')[1]).toMatchObject({
      provider: 'aws.us_west_2',
      object_lock_enabled: 'Enabled',
    });
  });

  it("lets the role read the locked source's retention and legal holds (S3 User Guide, 'Object Lock considerations'), that source only", () => {
    const [, role] = one(json, 'aws_iam_role_policy', 'standby_role-policy_');
    const locks = statement(policyOf(json, role.policy), 'ReadSourceLocks');
    const snapshots = ref('aws_s3_bucket', one(json, 'aws_s3_bucket', 'etcd-snapshots_bucket_')[0], 'arn');
    expect(locks).toMatchObject({ actions: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'], resources: [`${snapshots}/*`] });
  });

  it("gives Rancher's backups' copy no access logging, as its source has none", () => {
    expect(Object.keys(resources(json, 'aws_s3_bucket_logging')).filter((n) => n.startsWith('standby_rancher-backups'))).toEqual([]);
    expect(Object.keys(resources(json, 'aws_s3_bucket_logging')).filter((n) => n.startsWith('rancher-backups'))).toEqual([]);
  });
});

// China and GovCloud: the standby in the partition's other region, each KMS call conditioned on S3's endpoint of the
// key's region in the partition's DNS suffix, S3 of the partition assuming the role.
describe.each([
  ['aws-cn', 'cn-north-1', 'cn-northwest-1', 'amazonaws.com.cn'],
  ['aws-us-gov', 'us-gov-west-1', 'us-gov-east-1', 'amazonaws.com'],
])('the standby of rke-ha in %s (%s to %s)', (_partition, region, standbyRegion, suffix) => {
  const json = synth({ region, standby: { region: standbyRegion } });
  const alias = standbyRegion.replace(/-/g, '_');

  it("puts the copies, their key and the lag alarms in the partition's other region", () => {
    expect((json.provider as any).aws).toContainEqual(expect.objectContaining({ alias, region: standbyRegion }));
    for (const id of ['rancher-backups', 'etcd-snapshots']) {
      expect(one(json, 'aws_s3_bucket', `standby_${id}_bucket_`)[1].provider).toBe(`aws.${alias}`);
      expect(one(json, 'aws_cloudwatch_metric_alarm', `alarms_standby-${id}-lag_`)[1].provider).toBe(`aws.${alias}`);
      expect(one(json, 'aws_cloudwatch_metric_alarm', `alarms_standby-${id}-failed_`)[1].provider).toBeUndefined();
    }
    expect(one(json, 'aws_kms_key', 'standby_key_')[1].provider).toBe(`aws.${alias}`);
    const [, offerings] = one(json, 'aws_ec2_instance_type_offerings', 'standby_servers-instance-type_', 'data');
    expect(offerings.provider).toBe(`aws.${alias}`);
    expect(offerings.lifecycle.postcondition[0].error_message).toMatch(new RegExp(`^standby\\.region ${standbyRegion} does not offer `));
  });

  it("conditions each key's use on S3's endpoint of the key's region in the partition, and lets the partition's S3 assume the role", () => {
    const [, key] = one(json, 'aws_kms_key', 'standby_key_');
    // Replication's writes, and the deployers' use of the standby facts' EncryptionConfiguration (standby-facts.test.ts).
    for (const sid of ['S3ReplicationWrites', 'DeployersUseStandbyFacts'])
      expect(statement(policyOf(json, key.policy), sid).condition[0]).toEqual({
        test: 'StringEquals',
        variable: 'kms:ViaService',
        values: [`s3.${standbyRegion}.${suffix}`],
      });
    const [, stackKey] = one(json, 'aws_kms_key', 'boot-parameters_key_');
    expect(statement(policyOf(json, stackKey.policy), 'S3ReplicationReads').condition[0]).toEqual({
      test: 'StringEquals',
      variable: 'kms:ViaService',
      values: [`s3.${region}.${suffix}`],
    });
    const [, role] = one(json, 'aws_iam_role', 'standby_role_');
    expect(policyOf(json, role.assume_role_policy).statement[0].principals).toEqual([
      { type: 'Service', identifiers: [servicePrincipal(json, 's3')] },
    ]);
  });
});

describe('without standby.region', () => {
  const json = synth({});

  it('creates no copy, no replication, no provider of another region than the alarms need', () => {
    expect(Object.keys(resources(json, 'aws_s3_bucket_replication_configuration'))).toEqual([]);
    for (const type of Object.keys((json as any).resource))
      expect(Object.keys(resources(json, type)).filter((n) => n.startsWith('standby_'))).toEqual([]);
    expect(dataSources(json, 'aws_ec2_instance_type_offerings')).toEqual({});
    expect(((json.provider as any).aws as any[]).map((p) => p.alias)).toEqual([undefined, 'us_east_1']);
    const [, stackKey] = one(json, 'aws_kms_key', 'boot-parameters_key_');
    expect(statement(policyOf(json, stackKey.policy), 'S3ReplicationReads')).toBeUndefined();
  });
});
