import { partitionOf } from './aws-regions';
import { str, type Rule } from './deployment-rules';

/** What the standby's rules read of a deployment: its region and `standby` (RancherOnRke's, RancherOnExistingCluster's). */
export interface StandbyValues {
  readonly region?: string;
  readonly standby?: { readonly region?: string | undefined };
}

/**
 * The standby in another region of the deployment's partition (standby.region, region): the deployment's own region
 * is the failure domain the standby is for, and S3 replicates between the regions of one partition only (each
 * partition is its own AWS: its accounts, IAM and keys are known nowhere else). A region the schema does not know is
 * refused by the field's own check. Both stacks that keep a standby (rke-ha, k8s-ha) run it; the file, once.
 */
export const standbyRegionRule: Rule<StandbyValues> = (p, problem) => {
  const standby = p.standby?.region;
  if (!str(standby) || !str(p.region)) return;
  if (standby === p.region) {
    problem(
      ['standby', 'region'],
      `is the deployment's own region (region ${p.region}): a standby there is lost with it; name another region of partition ${partitionOf(p.region)}, or remove standby.region`,
      standby,
    );
  } else if (partitionOf(standby) !== partitionOf(p.region)) {
    problem(
      ['standby', 'region'],
      `is in partition ${partitionOf(standby)}, and the deployment's region ${p.region} in ${partitionOf(p.region)}: S3 replicates within one partition only; name a region of ${partitionOf(p.region)}, or remove standby.region`,
      standby,
    );
  }
};
