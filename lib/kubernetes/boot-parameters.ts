import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';

export interface BootParametersProps {
  /** Path prefix, e.g. `/rancher/prod/rke-ha`; must start with `/`. */
  readonly prefix: string;
  /** Parameter name (relative to the prefix) → value. */
  readonly values: Readonly<Record<string, string>>;
  /** The node role: the only principal the key lets decrypt (through SSM). */
  readonly readerRoleArn: string;
}

/**
 * Secrets a node needs at first boot (join token, CA keys, datastore
 * endpoint), kept in SSM Parameter Store instead of user data: user data is
 * readable by anyone allowed `ec2:DescribeInstanceAttribute`.
 *
 * The parameters are encrypted with a key of their own whose policy lets only
 * the node role decrypt (besides the account's key administrators): the
 * `AmazonSSMManagedInstanceCore` policy that every SSM-managed instance
 * carries allows `ssm:GetParameter` on any parameter, so with the shared
 * `aws/ssm` key any such instance in the account could read these.
 */
export class BootParameters extends Construct {
  /** The prefix, for the bootstrap script. */
  readonly prefix: string;
  readonly parameters: readonly SsmParameter[];
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: BootParametersProps) {
    super(scope, id);
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(props.prefix)) throw new Error(`invalid SSM parameter prefix: ${props.prefix}`);
    this.prefix = props.prefix;

    const partition = new DataAwsPartition(this, 'partition');
    const account = new DataAwsCallerIdentity(this, 'account');
    const region = new DataAwsRegion(this, 'region');
    const policy = new DataAwsIamPolicyDocument(this, 'key-policy', {
      statement: [
        {
          sid: 'AccountAdministers',
          principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
          actions: ['kms:*'],
          resources: ['*'],
        },
        {
          sid: 'NodesDecryptThroughSsm',
          principals: [{ type: 'AWS', identifiers: [props.readerRoleArn] }],
          actions: ['kms:Decrypt'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${region.region}.amazonaws.com`] }],
        },
      ],
    });
    this.key = new KmsKey(this, 'key', {
      description: `Rancher node boot parameters under ${props.prefix}`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: policy.json,
    });

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
        }),
    );
  }
}
