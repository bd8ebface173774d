import type { DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsIamSessionContext } from '@cdktn/provider-aws/lib/data-aws-iam-session-context';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { Fn, type IResolvable, ref, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { stackAccount, stackPartition, stackRegion } from '../common/aws-context';
import { accountAdministersStatement, StackKey } from '../common/stack-key';

/** The parameters the nodes read at boot, and who may read and write them. */
export interface BootParametersProps {
  /** Path prefix, e.g. `/rancher/prod/rke-ha`; must start with `/`. */
  readonly prefix: string;
  /** Parameter name (relative to the prefix) → value. */
  readonly values: Readonly<Record<string, string>>;
  /** The node role: the principal the key lets decrypt (through SSM, and through S3 for the snapshot bucket). */
  readonly readerRoleArn: string;
  /**
   * Other IAM roles or users that run Terraform on the stack (a Terraform
   * list, `deployer_arns`). With the identity running Terraform now, they may
   * encrypt and decrypt through SSM: Terraform writes the parameters, and reads
   * them back on every refresh. @default []
   */
  readonly deployerArns?: string[];
  /**
   * Whether the plan reads the identity running Terraform (`aws_iam_session_context`) and adds it to the deployers.
   * For an assumed role that read is IAM's GetRole, served by IAM's control plane in us-east-1: false (or a Terraform
   * boolean that is false) for a plan that must make no IAM call, a failover's standby, whose deployers are then all
   * in `deployerArns`. @default true
   */
  readonly readsDeployerSession?: boolean | IResolvable;
  /**
   * The etcd snapshot bucket, when its objects are encrypted with this key: the
   * node role may then use the key through S3, for that bucket only.
   * @default no S3 use
   */
  readonly snapshotBucketArn?: string;
  /**
   * The servers' boot bucket (BootBucket), whose objects are encrypted with this key: the node role may decrypt
   * through S3 for that bucket only, and the identities running Terraform encrypt what they write there.
   * @default no boot bucket
   */
  readonly bootBucketArn?: string;
  /**
   * Whether the key outlives a destroy (`prevent_destroy`): set while the
   * snapshot bucket it encrypts is kept, since snapshots under a deleted key
   * can never be read again. @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Parameters (names relative to the prefix) whose value an operations command replaces after the first apply
   * (`npm run rotate -- rke-ha token` writes the new cluster token here before any server uses it): Terraform creates
   * them with `values` and then ignores changes of their value, so the next plan does not write the old one back.
   * @default none
   */
  readonly rotatedByCommand?: readonly string[];
}

/**
 * Secrets a node needs at first boot (join token, CA keys, datastore
 * endpoint), kept in SSM Parameter Store instead of user data: user data is
 * readable by anyone allowed `ec2:DescribeInstanceAttribute`.
 *
 * The parameters are encrypted with a key of their own, which decrypts for
 * the node role and for the identities that run Terraform, through SSM only;
 * the account administers the key but cannot use it (no IAM policy, however
 * broad its `kms:Decrypt`, reaches it). The `AmazonSSMManagedInstanceCore`
 * policy many SSM-managed instances carry allows `ssm:GetParameter` on any
 * parameter, so with the shared `aws/ssm` key any such instance in the
 * account could read these.
 */
export class BootParameters extends Construct {
  /** The prefix, for the bootstrap script. */
  readonly prefix: string;
  /** The SecureString parameters, one per value. */
  readonly parameters: readonly SsmParameter[];
  /** The KMS key that encrypts them (and grows by grants: `StackKey`). */
  readonly key: StackKey;
  /**
   * The identities that run Terraform (a Terraform list): the role or user behind the session running it now, and
   * `deployerArns`. The boot bucket lets only them write (BootBucket `encryptWith`).
   */
  readonly deployerArns: string[];

  constructor(scope: Construct, id: string, props: BootParametersProps) {
    super(scope, id);
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(props.prefix)) throw new Error(`invalid SSM parameter prefix: ${props.prefix}`);
    this.prefix = props.prefix;

    const partition = stackPartition(this);
    const account = stackAccount(this);
    const region = stackRegion(this);
    // The deploying identity and the deployer_arns: they plan and apply, and restore snapshots.
    const deployers = Fn.concat([this.sessionDeployer(account.arn, props.readsDeployerSession ?? true), props.deployerArns ?? []]);
    this.deployerArns = deployers;
    const viaSsm = { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${region.region}.${partition.dnsSuffix}`] };
    const statement: DataAwsIamPolicyDocumentStatement[] = [
      accountAdministersStatement(this),
      {
        sid: 'NodesDecryptThroughSsm',
        principals: [{ type: 'AWS', identifiers: [props.readerRoleArn] }],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        condition: [viaSsm],
      },
      {
        sid: 'DeployersThroughSsm',
        principals: [{ type: 'AWS', identifiers: deployers }],
        // Standard parameters are encrypted with Encrypt, advanced ones (over 4 KB) with a data key.
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        condition: [viaSsm],
      },
    ];
    if (props.bootBucketArn) {
      const throughBootBucket = [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${region.region}.${partition.dnsSuffix}`] },
        // The objects are written with an S3 Bucket Key: the encryption context is the bucket's ARN.
        { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:s3:arn', values: [props.bootBucketArn] },
      ];
      statement.push(
        {
          sid: 'NodesReadBootDocuments',
          principals: [{ type: 'AWS', identifiers: [props.readerRoleArn] }],
          actions: ['kms:Decrypt'],
          resources: ['*'],
          condition: throughBootBucket,
        },
        {
          sid: 'DeployersWriteBootDocuments',
          principals: [{ type: 'AWS', identifiers: deployers }],
          // An upload needs a data key; nothing reads the documents back but the servers.
          actions: ['kms:GenerateDataKey'],
          resources: ['*'],
          condition: throughBootBucket,
        },
      );
    }
    if (props.snapshotBucketArn) {
      const throughSnapshotBucket = [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${region.region}.${partition.dnsSuffix}`] },
        // With an S3 Bucket Key the encryption context is the bucket's ARN.
        { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:s3:arn', values: [props.snapshotBucketArn] },
      ];
      statement.push({
        sid: 'NodesUseSnapshotBucket',
        principals: [{ type: 'AWS', identifiers: [props.readerRoleArn] }],
        // Uploads need a data key, multipart uploads and downloads Decrypt.
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        condition: throughSnapshotBucket,
      });
      // A restore reads a snapshot with the operator's credentials (into a new deployment, whose nodes have a
      // role and a key of their own): only downloads, only this bucket's objects.
      statement.push({
        sid: 'DeployersReadSnapshots',
        principals: [{ type: 'AWS', identifiers: deployers }],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        condition: throughSnapshotBucket,
      });
    }
    // The stack's key (lib/common/stack-key.ts), under this construct's ids `key-policy` and `key`; the topics encrypted
    // with it, made later, add what they need (StackKey.grantSnapshotEventsPublishing, grantAlarmPublishing).
    this.key = new StackKey(this, {
      description: `Rancher node boot parameters under ${props.prefix}`,
      statement,
      preventDestroy: props.preventDestroy,
    });

    const unknown = (props.rotatedByCommand ?? []).filter((name) => !(name in props.values));
    if (unknown.length > 0) throw new Error(`rotatedByCommand names parameters that are not among the values: ${unknown.join(', ')}`);
    this.parameters = Object.entries(props.values).map(
      ([name, value]) =>
        new SsmParameter(this, name, {
          name: `${props.prefix}/${name}`,
          type: 'SecureString',
          keyId: this.key.arn,
          // Standard up to 4 KB, advanced beyond (a long certificate chain): no size surprise at apply.
          tier: 'Intelligent-Tiering',
          value,
          description: 'Read once by the Rancher server nodes at first boot',
          ...(props.rotatedByCommand?.includes(name) ? { lifecycle: { ignoreChanges: ['value'] } } : {}),
        }),
    );
  }

  /**
   * The role or user behind the session running Terraform (an assumed-role session ARN changes every time), as a
   * list: empty when not read. A Terraform boolean counts the read (`[*]` gives the empty list when it is not made).
   */
  private sessionDeployer(sessionArn: string, reads: boolean | IResolvable): string[] {
    if (reads === false) return [];
    if (reads === true) return [new DataAwsIamSessionContext(this, 'deployer', { arn: sessionArn }).issuerArn];
    const deployer = new DataAwsIamSessionContext(this, 'deployer', { arn: sessionArn, count: Token.asNumber(Fn.conditional(reads, 1, 0)) });
    return Token.asList(ref(`data.${deployer.terraformResourceType}.${deployer.friendlyUniqueId}[*].issuer_arn`, TerraformStack.of(this)));
  }
}
