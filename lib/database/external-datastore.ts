import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { DbInstance } from '@cdktn/provider-aws/lib/db-instance';
import { DbSubnetGroup } from '@cdktn/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { Id } from '@cdktn/provider-random/lib/id';
import { Password } from '@cdktn/provider-random/lib/password';
import { Construct } from 'constructs';
import { allowIngress, replaceableSecurityGroup } from '../network/private/security-group-rules';
import { stackAccount, stackPartition, stackServicePrincipal } from '../common/aws-context';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';

/** The RDS engine K3s keeps its state in: PostgreSQL 16 or MySQL 8.4. */
export type DatastoreEngine = 'postgres' | 'mysql';

/**
 * Engine facts and the K3s connection string of each. Connections are
 * encrypted (RDS PostgreSQL 15+ refuses plain ones anyway) but not verified:
 * the RDS CA is not in the nodes' trust store.
 */
const ENGINES: Readonly<
  Record<
    DatastoreEngine,
    {
      readonly version: string;
      readonly port: number;
      readonly logs: readonly string[];
      readonly url: (password: string, endpoint: string) => string;
    }
  >
> = {
  postgres: { version: '16', port: 5432, logs: ['postgresql', 'upgrade'], url: (p, e) => `postgres://k3s:${p}@${e}/k3s?sslmode=require` },
  // Every log type RDS publishes for MySQL (what FSBP RDS.9 asks for); with the default parameter and option groups
  // only the error log has content.
  mysql: {
    version: '8.4',
    port: 3306,
    logs: ['audit', 'error', 'general', 'slowquery'],
    url: (p, e) => `mysql://k3s:${p}@tcp(${e})/k3s?tls=skip-verify`,
  },
};

/** The engine's default port. */
export const defaultPort = (engine: DatastoreEngine) => ENGINES[engine].port;

/** The RDS instance of `ExternalDatastore`; the deployment resolves the defaults `DatastoreProps` states. */
export interface ExternalDatastoreProps {
  /** Prefix of the instance's, subnet group's and security group's names (`<name>-db`, ...). */
  readonly name: string;
  /** The database engine. */
  readonly engine: DatastoreEngine;
  /** The RDS instance class (`db.t4g.medium`, ...). */
  readonly instanceClass: string;
  /** Allocated storage in GiB (gp3, encrypted). */
  readonly allocatedStorageGb: number;
  /** A standby in a second zone, for failover. */
  readonly multiAz: boolean;
  /** Days RDS keeps automated backups. */
  readonly backupRetentionDays: number;
  /**
   * RDS deletion protection, and `prevent_destroy`: a plan that would delete
   * or replace the database is refused before anything is touched.
   */
  readonly deletionProtection: boolean;
  /** The VPC of the subnets and the security group. */
  readonly vpcId: string;
  /** Private subnets in at least two zones. */
  readonly subnetIds: string[];
  /** Only members of this group may connect. */
  readonly clientSecurityGroupId: string;
  /** Seconds between Enhanced Monitoring samples, through a role of its own; 0 is off. @default 0 */
  readonly monitoringInterval?: number;
  /** Publish the engine's logs to CloudWatch Logs (log groups `/aws/rds/instance/<id>/<log>`, no expiry). @default false */
  readonly logExports?: boolean;
  /** RDS IAM database authentication, besides the password K3s uses. @default false */
  readonly iamAuthentication?: boolean;
  /** Listening port. @default the engine's */
  readonly port?: number;
}

/**
 * The K3s external datastore: an encrypted RDS instance in private subnets,
 * reachable only from the server nodes, with a generated password. The
 * connection string holding the password is exposed as `endpointUrl` for a
 * SecureString parameter, never for user data.
 */
export class ExternalDatastore extends Construct {
  /** The RDS instance (`instance.endpoint`, `instance.identifier`, ...). */
  readonly instance: DbInstance;
  /** The database's security group, open only to `clientSecurityGroupId` on the port. */
  readonly securityGroup: SecurityGroup;
  /** K3s `datastore-endpoint`, YAML-quoted, with the password (a Terraform expression, sensitive). */
  readonly endpointUrl: string;

  constructor(scope: Construct, id: string, props: ExternalDatastoreProps) {
    super(scope, id);
    const engine = ENGINES[props.engine];
    const port = props.port ?? engine.port;
    // Letters and digits only: the password goes into a URL and a YAML value unescaped.
    const password = new Password(this, 'password', { length: 40, special: false });

    this.securityGroup = replaceableSecurityGroup(this, 'security-group', {
      name: `${props.name}-db`,
      description: 'K3s datastore: from the server nodes only',
      vpcId: props.vpcId,
    });
    allowIngress(
      this,
      'from-nodes',
      this.securityGroup.id,
      { protocol: 'tcp', from: port, to: port, description: 'K3s servers' },
      {
        securityGroupId: props.clientSecurityGroupId,
      },
    );

    // New suffix whenever the instance is replaced (its old final snapshot keeps the old name).
    const suffix = new Id(this, 'final-snapshot-suffix', { byteLength: 4, keepers: { engine: props.engine, name: props.name } });
    const subnets = new DbSubnetGroup(this, 'subnets', { namePrefix: `${props.name}-`, subnetIds: props.subnetIds });
    const monitoringInterval = props.monitoringInterval ?? 0;
    const monitoring = monitoringInterval > 0 ? this.monitoringRole(props.name) : undefined;
    this.instance = new DbInstance(this, 'instance', {
      identifierPrefix: `${props.name}-`,
      engine: props.engine,
      engineVersion: engine.version,
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGb,
      storageType: 'gp3',
      storageEncrypted: true,
      dbName: 'k3s',
      username: 'k3s',
      password: password.result,
      port,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      multiAz: props.multiAz,
      backupRetentionPeriod: props.backupRetentionDays,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: false,
      // Unique per instance: the snapshot outlives the stack, and a fixed name would block the next destroy.
      finalSnapshotIdentifier: `${props.name}-final-${suffix.hex}`,
      ...(monitoring ? { monitoringInterval, monitoringRoleArn: monitoring.role.arn, dependsOn: [monitoring.policy] } : {}),
      ...(props.logExports ? { enabledCloudwatchLogsExports: [...engine.logs] } : {}),
      ...(props.iamAuthentication ? { iamDatabaseAuthenticationEnabled: true } : {}),
      autoMinorVersionUpgrade: true,
      // Major upgrades are a reviewed change, not a side effect of a provider default.
      allowMajorVersionUpgrade: false,
      lifecycle: { ignoreChanges: ['engine_version'], ...(props.deletionProtection ? { preventDestroy: true } : {}) },
    });
    this.endpointUrl = `'${engine.url(password.result, this.instance.endpoint)}'`;
  }

  /** The database instance's free storage in bytes (the least in 5 minutes). */
  metricFreeStorageSpace(options: MetricOptions = {}): Metric {
    return metricWith(this.metric('FreeStorageSpace', 'Minimum'), options);
  }

  /** The database instance's CPU use in percent (the average over 5 minutes). */
  metricCpuUtilization(options: MetricOptions = {}): Metric {
    return metricWith(this.metric('CPUUtilization', 'Average'), options);
  }

  private metric(metricName: string, statistic: Metric['statistic']): Metric {
    return { namespace: 'AWS/RDS', metricName, dimensions: { DBInstanceIdentifier: this.instance.identifier }, statistic, period: 300 };
  }

  /** The role RDS writes Enhanced Monitoring metrics with (AWS's managed policy: the RDSOSMetrics log group only). */
  private monitoringRole(name: string): { role: IamRole; policy: IamRolePolicyAttachment } {
    const partition = stackPartition(this);
    const account = stackAccount(this);
    const assume = new DataAwsIamPolicyDocument(this, 'monitoring-assume', {
      statement: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'monitoring.rds')] }],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, 'monitoring-role', { namePrefix: `${name}-rds-mon-`, assumeRolePolicy: assume.json });
    // RDS checks the role's permissions when monitoring is turned on: the instance waits for the attachment.
    const policy = new IamRolePolicyAttachment(this, 'monitoring-policy', {
      role: role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });
    return { role, policy };
  }
}
