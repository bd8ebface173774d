import { standbyRegionProblem } from './standby-region';
import { str, type Rule } from './deployment-rules';
import { OWN_DOMAIN, wildcardNameOf } from './dns-schema';

/**
 * What the standby's rules read of a deployment: its region, `standby`, `backups` and `dns` (RancherOnRke's,
 * RancherOnExistingCluster's; the latter's `dns` is its record's, which has no mode).
 */
export interface StandbyValues {
  readonly region?: string;
  readonly standby?: { readonly region?: string | undefined };
  readonly backups?: { readonly enabled?: boolean | undefined };
  readonly dns?: unknown;
}

/**
 * The standby in another region of the deployment's partition (standby.region, region): the deployment's own region
 * is the failure domain the standby is for, and S3 replicates between the regions of one partition only (each
 * partition is its own AWS: its accounts, IAM and keys are known nowhere else). A region the schema does not know is
 * refused by the field's own check. Both stacks that keep a standby (rke-ha, k8s-ha) run it; the file, once.
 *
 * And a standby a failover could use: one whose copy gets Rancher's backups (backups.enabled), which the failover
 * restores (docs/failover.md), and one whose name can move (dns.mode route53): a wildcard name is the address of the
 * deployment's own load balancer (`<a-b-c-d>.sslip.io`), which no record change leads elsewhere.
 */
export const standbyRegionRule: Rule<StandbyValues> = (p, problem) => {
  const standby = p.standby?.region;
  if (!str(standby)) return;
  if (p.backups?.enabled === false) {
    problem(
      ['standby', 'region'],
      "names a standby, and backups.enabled is false: the standby's copy holds Rancher's backups, which a failover restores, and none would be taken; set backups.enabled: true, or remove standby.region",
      standby,
    );
  }
  const wildcard = wildcardNameOf(p.dns);
  if (wildcard !== undefined) {
    problem(
      ['standby', 'region'],
      `names a standby, and dns.mode wildcard names Rancher ${wildcard}: the address of the deployment's own region, which a failover cannot move to the standby; remove standby.region, ${OWN_DOMAIN} (a record the failover moves)`,
      standby,
    );
  }
  if (!str(p.region)) return;
  const region = standbyRegionProblem(p.region, standby);
  if (region) problem(['standby', 'region'], region, standby);
};
