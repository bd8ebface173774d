import { AWS_REGIONS, partitionOf } from '../../lib/config/aws-regions';

/** The partition an ARN names (`arn:<partition>:...`). */
const arnPartition = (arn: string) => /^arn:([a-z-]+):/.exec(arn)?.[1];

/**
 * Why the S3 state bucket (its region, its KMS key's ARN) cannot be reached with the deployment's credentials, or
 * undefined: AWS partitions (commercial, China, GovCloud) have accounts, credentials and endpoints of their own, and
 * Terraform reaches the state backend and the deployment's region with the same credentials. A bucket in another
 * partition fails only at `terraform init`, with an error about the credentials; here it is refused before anything
 * is written. Unknown regions are the region fields' own problems, not this one's.
 */
export function backendPartitionProblem(
  backend: { readonly type?: string; readonly region?: string; readonly kmsKeyId?: string },
  region: string,
): { readonly field: 'region' | 'kmsKeyId'; readonly message: string; readonly value: string } | undefined {
  if (backend.type !== 's3' || !AWS_REGIONS.includes(region)) return undefined;
  const stateRegion = backend.region ?? region;
  if (!AWS_REGIONS.includes(stateRegion)) return undefined;
  const want = partitionOf(region);
  if (partitionOf(stateRegion) !== want)
    return {
      field: 'region',
      message: `${stateRegion} is in the AWS partition ${partitionOf(stateRegion)}, and region ${region} in ${want}: one set of credentials reaches one partition, and Terraform reaches the state and the deployment with the same; put the state bucket in a region of ${want}`,
      value: stateRegion,
    };
  const keyPartition = backend.kmsKeyId === undefined ? undefined : arnPartition(backend.kmsKeyId);
  if (keyPartition !== undefined && keyPartition !== want)
    return {
      field: 'kmsKeyId',
      message: `is a key of the AWS partition ${keyPartition}, and the state bucket's region ${stateRegion} is in ${want}: S3 encrypts only with a key of its own partition; give a key id, an alias, or an ARN of ${want}`,
      value: backend.kmsKeyId!,
    };
  return undefined;
}
