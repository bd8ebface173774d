import type { z } from 'zod';
import { RECORD_FOR_KIND, dnsTargetKind } from '../dns/private/dns-target';
import { existingIngressPlan } from './private/existing-ingress-plan';
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
import type { STANDBY_FIELDS } from './standby-schema';
import { standbyRegionRule } from './standby-rules';

/** RancherOnExistingCluster's rules that span its props, over its flat props (`dns` is its record's: `dns.target`). */

/** RancherOnExistingCluster's props, as its schema completes them: the AWS side's fields (dns, adminCidrs, vpc) are not among them. */
export type K8sHaValues = Omit<CommonValues, 'dns' | 'adminCidrs' | 'vpc'> &
  z.output<z.ZodObject<typeof K8S_HA_FIELDS>> &
  z.output<z.ZodObject<typeof STANDBY_FIELDS>>;
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

/**
 * The operator's EKS identities (backups.credentials irsa, pod-identity) need the EKS cluster's name (eks.clusterName);
 * and a named EKS cluster with the credentials left at `servers` is refused rather than guessed at. `servers` means an
 * IAM user's access key here (the cluster's nodes are not the stack's), which a person naming the EKS cluster did not
 * ask for; defaulting to an EKS identity instead would have to pick irsa or pod-identity without knowing which the
 * cluster has (an OIDC provider, the Pod Identity Agent add-on), and would silently swap the writer of a deployment
 * applied with the key. So the choice is the person's, and the message names the three.
 */
export const eksCredentialRule: K8sHaRule = (p, problem, name) => {
  const credentials = p.backups?.credentials;
  if ((credentials === 'irsa' || credentials === 'pod-identity') && p.eks?.clusterName === undefined) {
    problem(
      ['eks', 'clusterName'],
      `is required with backups.credentials ${credentials}: the operator's role is given through that EKS cluster; on another cluster use accessKey`,
      undefined,
    );
  }
  if (credentials === 'servers' && p.eks?.clusterName !== undefined && p.backups?.enabled !== false) {
    problem(
      ['backups', 'credentials'],
      `is servers (the default), which on a cluster that is not the stack's means an IAM user with an access key in Terraform state, while ${name('eks.clusterName')} names the EKS cluster "${p.eks.clusterName}": set irsa or pod-identity for a role EKS gives the operator (no IAM user, no key; docs/k8s-ha.md, "Backups on EKS"), or accessKey to keep the key`,
      credentials,
    );
  }
};

/**
 * The two controllers a class and a Service can be told apart for: by the class their charts install (Traefik's
 * `traefik`, ingress-nginx's `nginx`) and by the word their Services' names carry (`traefik`, `rke2-traefik`;
 * `ingress-nginx-controller`, `rke2-ingress-nginx-controller`, NGINX's `nginx-ingress-controller`). Another class or
 * Service name is the cluster owner's to know, and is not judged.
 */
const CONTROLLERS = [
  { name: 'Traefik', className: 'traefik', service: /traefik/ },
  { name: 'ingress-nginx', className: 'nginx', service: /nginx/ },
] as const;

/**
 * The class and the Service name one controller: a class of one with the other's Service is accepted by the plan and
 * points the Rancher record at the load balancer of a controller that does not serve Rancher's Ingress (`className:
 * nginx` with `service: traefik/traefik` left from an example). The Service's defaults follow the class
 * (existingIngressPlan), so only a Service given beside a class can disagree with it.
 */
export const ingressControllerMatchRule: K8sHaRule = (p, problem, name) => {
  const plan = existingIngressPlan(p.ingress, p.rancher?.tls.mode);
  const ofClass = CONTROLLERS.find((c) => c.className === plan.className);
  const ofService = CONTROLLERS.filter((c) => c.service.test(plan.service.name));
  if (ofClass === undefined || ofService.length !== 1 || ofService[0] === ofClass) return;
  const service = `${plan.service.namespace}/${plan.service.name}`;
  const classWords =
    p.ingress?.className === undefined ? `the default class "${plan.className}"` : `${name('ingress.className')} "${plan.className}"`;
  problem(
    ['ingress', 'service'],
    `is ${service}, ${ofService[0].name}'s Service, and ${classWords} is ${ofClass.name}'s: the Rancher record would point at ${ofService[0].name}'s load balancer, which does not serve Rancher's Ingress. Name ${ofClass.name}'s LoadBalancer Service here, or leave ${name('ingress.service')} out for the class's usual one`,
    p.ingress?.service,
  );
};

/**
 * Without the hostname's record (`dns.hostnameRecord` false: a failover's standby, whose record production's state
 * owns until the failover moves it), nothing may go by the name before the record moves: `/ping` is probed at the
 * ingress load balancer under the name instead. As rke-ha's `loadBalancer.hostnameRecord` (rke-ha-rules.ts), but the
 * TLS mode: k8s-ha's `external` ends TLS at the cluster owner's load balancer, no ACM certificate validated by a record.
 */
export const hostnameRecordRule: K8sHaRule = (p, problem) => {
  if (p.dns?.hostnameRecord !== false) return;
  const why = (what: string, fix: string) =>
    problem(['dns', 'hostnameRecord'], `false leaves Rancher's name without a record until it is moved, and ${what}; ${fix}`, false);
  // HTTP-01 is answered at the name, which leads elsewhere until the record moves: the certificate gate would wait
  // out its budget (certificateMinutes) for a certificate cert-manager cannot get.
  if (p.rancher?.tls?.issuer === 'acme' && p.rancher.tls.mode !== 'external')
    why("rancher.tls.issuer acme proves the name to Let's Encrypt through it (HTTP-01)", 'use issuer rancher, ca or blank with it');
  if (p.rancher?.bootstrap?.enabled !== false)
    why('the first login (rancher.bootstrap) reaches Rancher by that name', 'set rancher.bootstrap.enabled: false with it');
};

/** RancherOnExistingCluster's rules, in the order their problems are reported. */
export const RANCHER_ON_EXISTING_CLUSTER_RULES: readonly K8sHaRule[] = [
  hostnameRules,
  chartHostnameLengthRule,
  apexRecordRule,
  ingressControllerMatchRule,
  rancherVersionRules,
  chartEgressRule,
  backupScheduleRule,
  rancherTlsRules,
  bootstrapRules,
  eksCredentialRule,
  hostnameRecordRule,
  standbyRegionRule,
];
