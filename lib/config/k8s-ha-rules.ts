import type { z } from 'zod';
import { RECORD_FOR_KIND, dnsTargetKind } from '../dns/private/dns-target';
import {
  backupScheduleRule,
  bootstrapRules,
  chartHostnameLengthRule,
  chartEgressRule,
  hostnameRules,
  rancherTlsRules,
  rancherVersionRules,
  str,
  type CommonValues,
  type Rule,
} from './deployment-rules';
import type { K8S_HA_FIELDS } from './k8s-ha-schema';

/** RancherOnExistingCluster's rules that span its props, over its flat props (`dns` is its record's: `dns.target`). */

/** RancherOnExistingCluster's props, as its schema completes them: the AWS side's fields (dns, adminCidrs, vpc) are not among them. */
export type K8sHaValues = Omit<CommonValues, 'dns' | 'adminCidrs' | 'vpc'> & z.output<z.ZodObject<typeof K8S_HA_FIELDS>>;
type K8sHaRule = Rule<K8sHaValues>;

/** The record at the zone's apex (hostname, hostedZone, dns.target). */
export const apexRecordRule: K8sHaRule = (p, problem) => {
  // Route53 has no CNAME at a zone's apex; the record is one for a target that is neither an AWS load balancer nor an
  // address. Known here only when the target is set; otherwise a plan-time precondition (LoadBalancerRecord) says so.
  const target = p.dns?.target;
  if (str(p.hostname) && p.hostname === p.hostedZone && str(target) && RECORD_FOR_KIND[dnsTargetKind(target)] === 'CNAME') {
    problem(
      ['dns', 'target'],
      `makes the k8s-ha record for hostname "${p.hostname}" a CNAME, and Route53 allows no CNAME at the apex of zone "${p.hostedZone}"; point it at an AWS load balancer hostname or an IPv4 address, or use a hostname below the zone`,
      target,
    );
  }
};

/** The operator's EKS identities (backups.credentials irsa, pod-identity) need the EKS cluster's name (eks.clusterName). */
export const eksCredentialRule: K8sHaRule = (p, problem) => {
  const credentials = p.backups?.credentials;
  if ((credentials === 'irsa' || credentials === 'pod-identity') && p.eks?.clusterName === undefined) {
    problem(
      ['eks', 'clusterName'],
      `is required with backups.credentials ${credentials}: the operator's role is given through that EKS cluster; on another cluster use accessKey`,
      undefined,
    );
  }
};

/** RancherOnExistingCluster's rules, in the order their problems are reported. */
export const RANCHER_ON_EXISTING_CLUSTER_RULES: readonly K8sHaRule[] = [
  hostnameRules,
  chartHostnameLengthRule,
  apexRecordRule,
  rancherVersionRules,
  chartEgressRule,
  backupScheduleRule,
  rancherTlsRules,
  bootstrapRules,
  eksCredentialRule,
];
