/** The region of a deployment whose settings name none (the `region` setting's default). */
export const DEFAULT_REGION = 'us-east-1';

/**
 * The AWS regions of the commercial, China and GovCloud partitions, as the
 * AWS SDK's partition table lists them (late 2025). A well-formed name that
 * is not here (`eu-west-9`) is refused at synth instead of by the provider at
 * plan; a region AWS opens later is added here.
 */
export const AWS_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-east-1',
  'us-gov-west-1',
];

/** The AWS partitions whose regions AWS_REGIONS lists. */
export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov';

/**
 * The partition a region of AWS_REGIONS belongs to, by the prefix the AWS
 * SDK's partition table gives each (`cn-`, `us-gov-`); every other region is
 * the commercial partition's. Only for what must be known at synth (a
 * refusal, the region a provider alias names): ARNs, endpoints and service
 * principals come from the provider (`aws_partition`, `aws_service_principal`).
 */
export function partitionOf(region: string): AwsPartition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The DNS suffix of each partition's endpoints (`<service>.<region>.<suffix>`), as `aws_partition` gives it. */
export const PARTITION_DNS_SUFFIXES: Readonly<Record<AwsPartition, string>> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
};
