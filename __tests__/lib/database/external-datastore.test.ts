import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { TerraformOutput } from 'cdktf';
import { ExternalDatastore, type DatastoreEngine, type ExternalDatastoreProps } from '../../../lib/database/external-datastore';
import { only, ref, resources, synthConstruct } from '../../helpers/synth';

const SUBNETS = ['subnet-0aaa', 'subnet-0bbb', 'subnet-0ccc'];

/** A resource's arguments, without cdktf's `//` metadata. */
function args(resource: Record<string, unknown>): Record<string, unknown> {
  const { '//': _metadata, ...rest } = resource;
  return rest;
}

/** A datastore whose client group is a real resource, with `endpointUrl` surfaced as a (sensitive) output. */
function synth(engine: DatastoreEngine, overrides: Partial<ExternalDatastoreProps> = {}) {
  return synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new RandomProvider(stack, 'random');
    const nodes = new SecurityGroup(stack, 'nodes', { name: 'nodes', vpcId: 'vpc-0123' });
    const datastore = new ExternalDatastore(stack, 'datastore', {
      name: 'demo',
      engine,
      instanceClass: 'db.t4g.medium',
      allocatedStorageGb: 50,
      multiAz: true,
      backupRetentionDays: 7,
      deletionProtection: false,
      vpcId: 'vpc-0123',
      subnetIds: SUBNETS,
      clientSecurityGroupId: nodes.id,
      ...overrides,
    });
    new TerraformOutput(stack, 'endpoint_url', { value: datastore.endpointUrl, sensitive: true });
  });
}

const ENGINE_CASES = [
  { engine: 'postgres', version: '16', port: 5432 },
  { engine: 'mysql', version: '8.4', port: 3306 },
] as const;

describe.each(ENGINE_CASES)('ExternalDatastore ($engine)', ({ engine, version, port }) => {
  const { json, text } = synth(engine);
  const [instanceName, instance] = only(json, 'aws_db_instance');
  const [passwordName, password] = only(json, 'random_password');
  const [suffixName, suffix] = only(json, 'random_id');
  const [subnetGroupName, subnetGroup] = only(json, 'aws_db_subnet_group');
  const groups = resources(json, 'aws_security_group');
  const [dbGroupName, dbGroup] = Object.entries(groups).find(([name]) => name !== 'nodes')!;

  it('runs the pinned engine version on encrypted gp3 storage', () => {
    expect(instance).toMatchObject({
      identifier_prefix: 'demo-',
      engine,
      engine_version: version,
      instance_class: 'db.t4g.medium',
      allocated_storage: 50,
      storage_type: 'gp3',
      storage_encrypted: true,
      port,
      db_name: 'k3s',
      username: 'k3s',
      auto_minor_version_upgrade: true,
      allow_major_version_upgrade: false,
    });
  });

  it('is private, in its subnet group, behind its own security group only', () => {
    expect(instance.publicly_accessible).toBe(false);
    expect(instance.db_subnet_group_name).toBe(ref('aws_db_subnet_group', subnetGroupName, 'name'));
    expect(instance.vpc_security_group_ids).toEqual([ref('aws_security_group', dbGroupName, 'id')]);
  });

  it('keeps a standby, automated backups and a uniquely named final snapshot', () => {
    expect(instance).toMatchObject({
      multi_az: true,
      backup_retention_period: 7,
      copy_tags_to_snapshot: true,
      deletion_protection: false,
      skip_final_snapshot: false,
    });
    expect(instance.final_snapshot_identifier).toBe(`demo-final-${ref('random_id', suffixName, 'hex')}`);
    // A new suffix when the instance is replaced (engine or name change), so its old final snapshot never blocks a destroy.
    expect(args(suffix)).toEqual({ byte_length: 4, keepers: { engine, name: 'demo' } });
  });

  it('ignores engine version drift from automatic minor upgrades', () => {
    expect(instance.lifecycle).toEqual({ ignore_changes: ['engine_version'] });
  });

  it('takes its password from random_password, letters and digits only', () => {
    expect(args(password)).toEqual({ length: 40, special: false });
    expect(instance.password).toBe(ref('random_password', passwordName, 'result'));
  });

  it('places the subnet group in the given subnets', () => {
    expect(args(subnetGroup)).toEqual({ name_prefix: 'demo-', subnet_ids: SUBNETS });
  });

  it('admits only the client group, only on the engine port', () => {
    expect(dbGroup).toMatchObject({
      name_prefix: 'demo-db-',
      vpc_id: 'vpc-0123',
      tags: { Name: 'demo-db' },
      lifecycle: { create_before_destroy: true },
    });
    expect(dbGroup).not.toHaveProperty('ingress');
    const [, rule] = only(json, 'aws_vpc_security_group_ingress_rule');
    expect(args(rule)).toEqual({
      security_group_id: ref('aws_security_group', dbGroupName, 'id'),
      referenced_security_group_id: ref('aws_security_group', 'nodes', 'id'),
      ip_protocol: 'tcp',
      from_port: port,
      to_port: port,
      description: 'K3s servers',
    });
    expect(resources(json, 'aws_vpc_security_group_egress_rule')).toEqual({});
  });

  it('exposes the K3s datastore endpoint, YAML-quoted, built from references', () => {
    const passwordRef = ref('random_password', passwordName, 'result');
    const endpointRef = ref('aws_db_instance', instanceName, 'endpoint');
    const expected =
      engine === 'postgres'
        ? `'postgres://k3s:${passwordRef}@${endpointRef}/k3s?sslmode=require'`
        : `'mysql://k3s:${passwordRef}@tcp(${endpointRef})/k3s?tls=skip-verify'`;
    expect(json.output!.endpoint_url).toEqual({ value: expected, sensitive: true });
  });

  it('writes no password literal', () => {
    expect(text).not.toMatch(/"password":\s*"(?!\$\{)/);
    expect(text).not.toMatch(/[A-Za-z0-9]{40}/);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('ExternalDatastore options', () => {
  const { json } = synth('postgres', {
    multiAz: false,
    backupRetentionDays: 35,
    deletionProtection: true,
    allocatedStorageGb: 200,
    instanceClass: 'db.r7g.large',
    name: 'prod',
  });
  const [, instance] = only(json, 'aws_db_instance');
  const [suffixName] = only(json, 'random_id');

  it('passes the multi-AZ flag, retention, deletion protection, size and class through', () => {
    expect(instance).toMatchObject({
      multi_az: false,
      backup_retention_period: 35,
      deletion_protection: true,
      allocated_storage: 200,
      instance_class: 'db.r7g.large',
    });
  });

  it('with deletion protection also refuses, at plan time, any plan that would delete or replace the database', () => {
    expect(instance.lifecycle).toEqual({ ignore_changes: ['engine_version'], prevent_destroy: true });
  });

  it('prefixes every name with the given name', () => {
    expect(instance.identifier_prefix).toBe('prod-');
    expect(instance.final_snapshot_identifier).toBe(`prod-final-${ref('random_id', suffixName, 'hex')}`);
    expect(only(json, 'aws_db_subnet_group')[1].name_prefix).toBe('prod-');
    const dbGroup = Object.entries(resources(json, 'aws_security_group')).find(([name]) => name !== 'nodes')![1];
    expect(dbGroup.name_prefix).toBe('prod-db-');
  });
});

describe('ExternalDatastore security options (FSBP RDS.6, RDS.9, RDS.10, RDS.23)', () => {
  const withOptions = (engine: DatastoreEngine) =>
    synth(engine, { monitoringInterval: 60, logExports: true, iamAuthentication: true, port: 15432 }).json;
  const json = withOptions('postgres');
  const [, instance] = only(json, 'aws_db_instance');

  it('samples Enhanced Monitoring through a role only RDS monitoring of this account may assume, attached before the instance uses it', () => {
    const [roleName, role] = only(json, 'aws_iam_role');
    const [attachmentName, attachment] = only(json, 'aws_iam_role_policy_attachment');
    expect(instance).toMatchObject({ monitoring_interval: 60, monitoring_role_arn: ref('aws_iam_role', roleName, 'arn') });
    expect(instance.depends_on).toEqual([`aws_iam_role_policy_attachment.${attachmentName}`]);
    expect(role.name_prefix).toBe('demo-rds-mon-');
    expect(attachment.policy_arn).toMatch(/:iam::aws:policy\/service-role\/AmazonRDSEnhancedMonitoringRole$/);
  });

  it("publishes each engine's logs, turns on IAM authentication and listens on the given port, which the security group follows", () => {
    expect(instance).toMatchObject({
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
      iam_database_authentication_enabled: true,
      port: 15432,
    });
    expect(only(withOptions('mysql'), 'aws_db_instance')[1].enabled_cloudwatch_logs_exports).toEqual(['audit', 'error', 'general', 'slowquery']);
    const [, rule] = only(json, 'aws_vpc_security_group_ingress_rule');
    expect(rule).toMatchObject({ from_port: 15432, to_port: 15432 });
  });

  it('sets none of it by default', () => {
    const plainJson = synth('postgres').json;
    const [, plain] = only(plainJson, 'aws_db_instance');
    for (const key of [
      'monitoring_interval',
      'monitoring_role_arn',
      'enabled_cloudwatch_logs_exports',
      'iam_database_authentication_enabled',
      'depends_on',
    ])
      expect(plain).not.toHaveProperty(key);
    expect(resources(plainJson, 'aws_iam_role')).toEqual({});
  });
});
