import { DataAwsEc2InstanceTypeOfferings } from '@cdktn/provider-aws/lib/data-aws-ec2-instance-type-offerings';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { hclString, literal } from '../common/terraform-template';

/** An EC2 instance type a failover launches in the standby region, and the setting that chooses it. */
export interface StandbyInstanceType {
  /** The type (`m6i.xlarge`), or a Terraform reference to it (the rke-ha stack's `instance_type` variable). */
  readonly instanceType: string;
  /** The prop or setting the refusal names as the other way out, in its reader's words (RancherOnRke's `instanceType`). */
  readonly setting: string;
}

/** Where the offering is looked up, and the setting that chose that place. */
export interface InstanceTypeOfferedProps extends StandbyInstanceType {
  /** The AWS provider of the standby region. */
  readonly provider: AwsProvider;
  /** The standby region (a literal), for the message. */
  readonly region: string;
  /** The setting that chose the region (`standby.region`). */
  readonly regionSetting: string;
}

/**
 * The plan-time check that `region` offers `instanceType`: EC2's offerings there (DescribeInstanceTypeOfferings,
 * location type `region`, filtered on the type), read at every plan, whose postcondition refuses the plan, naming both
 * settings and the fix, while the type is not among them. Read at every plan rather than held to a table at synth:
 * AWS adds types to regions over time, and a table here would refuse what a region has since gained. The provider's
 * read (hashicorp/terraform-provider-aws `internal/service/ec2/ec2_instance_type_offerings_data_source.go`, alike in
 * its aws-sdk-go v1 and v2 forms; the 6.66.0 tag itself was not fetched) returns empty lists, not an error, when
 * nothing matches, so the refusal is this message, not the provider's.
 */
export function instanceTypeOffered(scope: Construct, id: string, props: InstanceTypeOfferedProps): DataAwsEc2InstanceTypeOfferings {
  // A reference stays a reference inside the expression (cdktn unwraps it); a literal becomes an HCL string.
  const type = Token.isUnresolved(props.instanceType) ? props.instanceType : hclString(props.instanceType);
  return new DataAwsEc2InstanceTypeOfferings(scope, id, {
    provider: props.provider,
    locationType: 'region',
    filter: [{ name: 'instance-type', values: [literal(props.instanceType)] }],
    lifecycle: {
      postcondition: [
        {
          condition: `\${contains(self.instance_types, ${type})}`,
          errorMessage: literal(
            `${props.regionSetting} ${props.region} does not offer the EC2 instance type ${props.instanceType} (${props.setting}), which a ` +
              `failover launches there: choose another ${props.regionSetting} that offers it (aws ec2 describe-instance-type-offerings ` +
              `--region ${props.region} --filters Name=instance-type,Values=${props.instanceType}) or another ${props.setting}.`,
          ),
        },
      ],
    },
  });
}
