import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { IamInstanceProfile } from '@cdktn/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stackAccount, stackPartition, stackRegion, stackServicePrincipal } from '../common/aws-context';
import type { RegistryCredentialsSettings } from '../config/sections';
import { registryCredentialStatements } from './private/registry-credentials';
import { AGENT_MESSAGE_ACTIONS, SESSION_MANAGER_ACTIONS } from './ssm-agent-actions';

export { AGENT_MESSAGE_ACTIONS, SESSION_MANAGER_ACTIONS } from './ssm-agent-actions';

/** What a node's instance role may read and write. */
export interface NodeRoleProps {
  /** Prefix of the role's and the instance profile's names. */
  readonly name: string;
  /**
   * SSM path of the parameters the node reads at boot, e.g. `/rancher/rke-ha`
   * (BootParameters.prefix). Granted by path, so parameters created after the
   * nodes (the cluster-initialized marker) are covered without a dependency cycle.
   */
  readonly parameterPath: string;
  /**
   * The server's boot documents (BootBucket objects, ServerNode `bootStore`): `s3:GetObject` on exactly these objects.
   * @default none
   */
  readonly bootDocumentArns?: readonly string[];
  /** Bucket ARN the node writes etcd snapshots to, if any. */
  readonly snapshotBucketArn?: string;
  /**
   * The one CloudWatch namespace the node may send metrics to (the certificate renewal's RestartHeld). @default none
   */
  readonly metricNamespace?: string;
  /**
   * SSM path below which the node writes what it reports (String parameters Terraform created there: the API
   * serving certificate's end, cert-renewal.sh): `ssm:PutParameter` on that path only. @default none
   */
  readonly reportPath?: string;
  /**
   * The private registry's login the servers read at boot (`airGap.registryCredentials`): granted on that one
   * parameter or secret, and its KMS key only through that service for that one parameter or secret. @default none
   */
  readonly registryCredentials?: Readonly<RegistryCredentialsSettings>;
  /**
   * The failover's fence the servers read (`standby.region`; lib/kubernetes/failover-fence.sh): `ssm:GetParameter` on
   * that one parameter, in the standby region only. @default none
   */
  readonly failoverFence?: {
    /** The fence's SSM parameter name (`/<name>/<stack>/failover-fence`). */
    readonly parameter: string;
    /** The standby region, where the fence is. */
    readonly region: string;
  };
  /**
   * The data volume the node snapshots before it starts another Rancher version on it (the Docker host):
   * `ec2:CreateSnapshot` of that volume only, into a snapshot that carries the tag `tagKey: tagValue` as it is
   * created, and `ec2:CreateTags` only as part of that creation. @default none
   */
  readonly volumeSnapshots?: {
    /** The volume's id. */
    readonly volumeId: string;
    /** The tag the snapshot must carry: its key. */
    readonly tagKey: string;
    /** The tag the snapshot must carry: its value. */
    readonly tagValue: string;
  };
}

/**
 * The instance profile of a server node: SSM Session Manager for shell
 * access (instead of SSH), its own boot parameters, and its snapshot bucket;
 * nothing else (no AWS managed policy).
 */
export class NodeRole extends Construct {
  /** The IAM role the node acts as: Session Manager, its boot parameters and what the props ask for; no AWS managed policy. */
  readonly role: IamRole;
  /** The instance profile that carries the role, for the instance. */
  readonly instanceProfile: IamInstanceProfile;
  /** Permissions granted apart from the profile; a node booting before them fails its first calls. */
  readonly grants: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: NodeRoleProps) {
    super(scope, id);
    const partition = stackPartition(this);

    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [stackServicePrincipal(this, 'ec2')] }] }],
    });
    this.role = new IamRole(this, 'role', { namePrefix: `${props.name}-`, assumeRolePolicy: assume.json });

    const account = stackAccount(this);
    // This region's: a deployment of the same name elsewhere has the same path (IAM roles are global).
    const region = stackRegion(this);
    const parameters = `arn:${partition.partition}:ssm:${region.region}:${account.accountId}:parameter${props.parameterPath}/*`;
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: 'BootParameters', actions: ['ssm:GetParameter'], resources: [parameters] },
      { sid: 'SessionManager', actions: [...SESSION_MANAGER_ACTIONS], resources: ['*'] },
      { sid: 'AgentMessages', actions: [...AGENT_MESSAGE_ACTIONS], resources: ['*'] },
    ];
    if (props.reportPath) {
      const reports = `arn:${partition.partition}:ssm:${region.region}:${account.accountId}:parameter${props.reportPath}/*`;
      statements.push({ sid: 'Reports', actions: ['ssm:PutParameter'], resources: [reports] });
    }
    if (props.failoverFence) {
      const { parameter, region: where } = props.failoverFence;
      const fence = `arn:${partition.partition}:ssm:${where}:${account.accountId}:parameter${parameter}`;
      statements.push({ sid: 'FailoverFence', actions: ['ssm:GetParameter'], resources: [fence] });
    }
    if (props.bootDocumentArns?.length) {
      statements.push({ sid: 'BootDocuments', actions: ['s3:GetObject'], resources: [...props.bootDocumentArns] });
    }
    if (props.snapshotBucketArn) {
      statements.push(
        { sid: 'SnapshotBucket', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [props.snapshotBucketArn] },
        { sid: 'SnapshotObjects', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [`${props.snapshotBucketArn}/*`] },
      );
    }
    if (props.metricNamespace) {
      // PutMetricData takes no resource; the namespace condition key is what narrows it: a node can neither write
      // another deployment's metrics nor AWS's own namespaces.
      statements.push({
        sid: 'RestartMetric',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: [props.metricNamespace] }],
      });
    }
    if (props.volumeSnapshots) {
      const { volumeId, tagKey, tagValue } = props.volumeSnapshots;
      const ec2 = `arn:${partition.partition}:ec2:${region.region}`;
      const snapshots = `${ec2}::snapshot/*`;
      statements.push(
        { sid: 'SnapshotDataVolume', actions: ['ec2:CreateSnapshot'], resources: [`${ec2}:${account.accountId}:volume/${volumeId}`] },
        {
          sid: 'TaggedSnapshotsOnly',
          actions: ['ec2:CreateSnapshot'],
          resources: [snapshots],
          condition: [{ test: 'StringEquals', variable: `aws:RequestTag/${tagKey}`, values: [tagValue] }],
        },
        {
          sid: 'TagsAtCreation',
          actions: ['ec2:CreateTags'],
          resources: [snapshots],
          condition: [{ test: 'StringEquals', variable: 'ec2:CreateAction', values: ['CreateSnapshot'] }],
        },
      );
    }
    if (props.registryCredentials) {
      statements.push(
        ...registryCredentialStatements(props.registryCredentials, {
          partition: partition.partition,
          dnsSuffix: partition.dnsSuffix,
          region: region.region,
          account: account.accountId,
        }),
      );
    }
    const policy = new DataAwsIamPolicyDocument(this, 'policy', { statement: statements });
    const inline = new IamRolePolicy(this, 'inline', { role: this.role.id, name: 'rancher-node', policy: policy.json });

    this.grants = [inline];
    this.instanceProfile = new IamInstanceProfile(this, 'profile', { namePrefix: `${props.name}-`, role: this.role.name });
  }
}
