import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';

export interface BootParametersProps {
  /** Path prefix, e.g. `/rancher/prod/rke-ha`; must start with `/`. */
  readonly prefix: string;
  /** Parameter name (relative to the prefix) → value. */
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Secrets a node needs at first boot (join token, CA keys), kept in SSM
 * Parameter Store as SecureString instead of user data: user data is readable
 * by anyone allowed `ec2:DescribeInstanceAttribute`, a SecureString needs
 * `ssm:GetParameter` on that name plus KMS decrypt. Nodes fetch them by name
 * with their instance role (see rke2-bootstrap.sh).
 */
export class BootParameters extends Construct {
  /** The prefix, for the bootstrap script. */
  readonly prefix: string;
  readonly parameters: readonly SsmParameter[];

  constructor(scope: Construct, id: string, props: BootParametersProps) {
    super(scope, id);
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(props.prefix)) throw new Error(`invalid SSM parameter prefix: ${props.prefix}`);
    this.prefix = props.prefix;
    this.parameters = Object.entries(props.values).map(
      ([name, value]) =>
        new SsmParameter(this, name, {
          name: `${props.prefix}/${name}`,
          type: 'SecureString',
          tier: 'Standard',
          value,
          description: 'Read once by the Rancher server nodes at first boot',
        }),
    );
  }

  /** ARN pattern covering every parameter, for the node's IAM policy. */
  get arns(): string[] {
    return this.parameters.map((p) => p.arn);
  }
}
