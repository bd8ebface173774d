import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Id } from '@cdktf/provider-random/lib/id';
import { Password } from '@cdktf/provider-random/lib/password';
import { Construct } from 'constructs';
import { allowIngress, replaceableSecurityGroup } from '../network/security-group-rules';

export type DatastoreEngine = 'postgres' | 'mysql';

/**
 * Engine facts and the K3s connection string of each. Connections are
 * encrypted (RDS PostgreSQL 15+ refuses plain ones anyway) but not verified:
 * the RDS CA is not in the nodes' trust store.
 */
const ENGINES: Readonly<Record<DatastoreEngine, { readonly version: string; readonly port: number; readonly url: (password: string, endpoint: string) => string }>> = {
  postgres: { version: '16', port: 5432, url: (p, e) => `postgres://k3s:${p}@${e}/k3s?sslmode=require` },
  mysql: { version: '8.4', port: 3306, url: (p, e) => `mysql://k3s:${p}@tcp(${e})/k3s?tls=skip-verify` },
};

export interface ExternalDatastoreProps {
  readonly name: string;
  readonly engine: DatastoreEngine;
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  /**
   * RDS deletion protection, and `prevent_destroy`: a plan that would delete
   * or replace the database is refused before anything is touched.
   */
  readonly deletionProtection: boolean;
  readonly vpcId: string;
  /** Private subnets in at least two zones. */
  readonly subnetIds: string[];
  /** Only members of this group may connect. */
  readonly clientSecurityGroupId: string;
}

/**
 * The K3s external datastore: an encrypted RDS instance in private subnets,
 * reachable only from the server nodes, with a generated password. The
 * connection string holding the password is exposed as `endpointUrl` for a
 * SecureString parameter, never for user data.
 */
export class ExternalDatastore extends Construct {
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;
  /** K3s `datastore-endpoint`, YAML-quoted, with the password (a Terraform expression, sensitive). */
  readonly endpointUrl: string;

  constructor(scope: Construct, id: string, props: ExternalDatastoreProps) {
    super(scope, id);
    const engine = ENGINES[props.engine];
    // Letters and digits only: the password goes into a URL and a YAML value unescaped.
    const password = new Password(this, 'password', { length: 40, special: false });

    this.securityGroup = replaceableSecurityGroup(this, 'security-group', {
      name: `${props.name}-db`,
      description: 'K3s datastore: from the server nodes only',
      vpcId: props.vpcId,
    });
    allowIngress(this, 'from-nodes', this.securityGroup.id, { protocol: 'tcp', from: engine.port, to: engine.port, description: 'K3s servers' }, {
      securityGroupId: props.clientSecurityGroupId,
    });

    // New suffix whenever the instance is replaced (its old final snapshot keeps the old name).
    const suffix = new Id(this, 'final-snapshot-suffix', { byteLength: 4, keepers: { engine: props.engine, name: props.name } });
    const subnets = new DbSubnetGroup(this, 'subnets', { namePrefix: `${props.name}-`, subnetIds: props.subnetIds });
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
      port: engine.port,
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
      autoMinorVersionUpgrade: true,
      // Major upgrades are a reviewed change, not a side effect of a provider default.
      allowMajorVersionUpgrade: false,
      lifecycle: { ignoreChanges: ['engine_version'], ...(props.deletionProtection ? { preventDestroy: true } : {}) },
    });
    this.endpointUrl = `'${engine.url(password.result, this.instance.endpoint)}'`;
  }
}
