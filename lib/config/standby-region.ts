import { partitionOf } from './aws-regions';

/**
 * Why `standby` cannot be the standby region of a deployment in `region`, in the settings' words; or undefined: the
 * deployment's own region is the failure domain the standby is for, and S3 replicates between the regions of one
 * partition only. The synth's rule (standby-rules.ts) and the operations CLI (cli/shared/standby.ts, which loads no
 * schema) say it alike.
 */
export function standbyRegionProblem(region: string, standby: string): string | undefined {
  if (standby === region)
    return `is the deployment's own region (region ${region}): a standby there is lost with it; name another region of partition ${partitionOf(region)}, or remove standby.region`;
  if (partitionOf(standby) !== partitionOf(region))
    return `is in partition ${partitionOf(standby)}, and the deployment's region ${region} in ${partitionOf(region)}: S3 replicates within one partition only; name a region of ${partitionOf(region)}, or remove standby.region`;
  return undefined;
}
