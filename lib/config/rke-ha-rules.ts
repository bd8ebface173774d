import type { z } from 'zod';
import {
  adminNetworkLimit,
  adminNetworkProblems,
  backupScheduleRule,
  bootstrapRules,
  chartHostnameLengthRule,
  chartEgressRule,
  closesEgressWithoutProxy,
  hostnameRules,
  ipv6AdminCidrs,
  neverRuns,
  ownVpcRule,
  rancherTlsRules,
  rancherVersionRules,
  str,
  type DeploymentValues,
  type Rule,
} from './deployment-rules';
import { OWN_DOMAIN, wildcardNameOf } from './dns-schema';
import { IMAGE_OWNERS, imageOwnerIn } from './image-owners';
import { requiredArchitecture } from './instance-types';
import { missingReleaseSums, releaseArchitecture } from './release-sums';
import { partitionOf } from './aws-regions';
import { effectiveIngressController, type RKE_HA_FIELDS } from './rke-ha-schema';
import type { STANDBY_FIELDS } from './standby-schema';
import { rhelFamily, type ServerOperatingSystem } from './sections';
import { standbyRegionRule } from './standby-rules';
import { tlsIngressProblem } from './tls-schema';
import {
  RANCHER_KUBERNETES_RANGE,
  RKE2_INGRESS_NGINX_LAST_MINOR,
  VERSION_FORMATS,
  k3sKubernetesMinor,
  rancherLine,
  rke2KubernetesMinor,
} from './versions';

/**
 * RancherOnRke's rules that span its props (`loadBalancer` with `dns`, `distribution` with `versions`), over its flat
 * props; the rules within the rke-ha fields alone are the section's (rke-ha-schema.ts rkeHaRules).
 */

/** RancherOnRke's props, as its schema completes them. */
export type RkeValues = DeploymentValues & z.output<z.ZodObject<typeof RKE_HA_FIELDS>> & z.output<z.ZodObject<typeof STANDBY_FIELDS>>;
type RkeRule = Rule<RkeValues>;

/** DNS round robin with dns.mode wildcard (loadBalancer, dns). */
export const rkeWildcardRule: RkeRule = (p, problem) => {
  const name = wildcardNameOf(p.dns);
  if (name !== undefined && p.loadBalancer?.type === 'dns') {
    problem(
      ['loadBalancer', 'type'],
      `dns answers Rancher's name with every healthy node's address from Route53 records, and dns.mode wildcard has no zone and a name that is one address (${name}); use loadBalancer nlb with dns.mode wildcard, ${OWN_DOMAIN}`,
      p.loadBalancer.type,
    );
  }
};

/** The admin networks as rules of the servers' security groups (adminCidrs, sshKeyName, loadBalancer). */
export const rkeAdminNetworkRule: RkeRule = (p, problem) => adminNetworkProblems(p.adminCidrs, adminNetworkLimit(p), problem);

/** The pin of the distribution in use, in Rancher's range, and its release file's sum (versions, distribution). */
export const rkeVersionRules: RkeRule = (p, problem, name) => {
  const rancher = p.versions?.rancher;
  const line = str(rancher) ? rancherLine(rancher) : undefined;
  const range = line === undefined ? undefined : RANCHER_KUBERNETES_RANGE[line];
  const k3s = p.versions?.k3s;
  const rke2 = p.versions?.rke2;
  // The pin of the distribution in use (the other one is not installed anywhere).
  const [key, minor, value] =
    p.distribution === 'k3s'
      ? ['k3s', str(k3s) ? k3sKubernetesMinor(k3s) : undefined, k3s]
      : ['rke2', str(rke2) ? rke2KubernetesMinor(rke2) : undefined, rke2];
  if (range && minor !== undefined && (minor < range.min || minor >= range.maxExclusive)) {
    problem(
      ['versions', key],
      `Kubernetes 1.${minor} is outside Rancher ${line}'s supported range 1.${range.min}-1.${range.maxExclusive - 1}`,
      value,
    );
  }
  releaseSumRule(p, problem, name);
};

/**
 * The release file the servers install has a SHA-256, recorded or supplied (versions.rke2 or versions.k3s,
 * versions.releaseSums, distribution, architecture, operatingSystem): otherwise its servers would stop at boot
 * (fetch_verified). On the RHEL family RKE2 comes from Rancher's signed RPMs instead of the tarball (unless egress
 * is closed without a proxy: then the tarball), so only its installer is checked, and the installer always has a
 * sum (a release without its own runs the pin's).
 */
const releaseSumRule: RkeRule = (p, problem, name) => {
  const k3s = p.distribution === 'k3s';
  if (!k3s && rhelFamily(p.operatingSystem) && !closesEgressWithoutProxy(p.proxy)) return;
  const key = k3s ? 'k3s' : 'rke2';
  const version = p.versions?.[key];
  // A malformed version is reported by its own rule; a malformed architecture by the section's.
  const architecture = p.architecture;
  if (!str(version) || !VERSION_FORMATS[key].test(version) || (architecture !== undefined && architecture !== 'x86_64' && architecture !== 'arm64'))
    return;
  const supplied = p.versions?.releaseSums;
  // With a pinned amiId and no architecture, the servers install the release of the instance type's architecture.
  const inferred = architecture === undefined ? requiredArchitecture(p) : undefined;
  const missing = missingReleaseSums(
    key,
    version,
    releaseArchitecture(architecture ?? inferred),
    supplied !== null && typeof supplied === 'object' ? supplied : undefined,
    inferred === undefined || p.amiId === undefined
      ? `${name('architecture')} ${architecture ?? 'x86_64'}`
      : `${name('instanceType')} ${String(p.instanceType)} (${inferred})`,
  );
  if (missing !== undefined) problem(['versions', key], missing, version);
};

/** RKE2's etcd snapshots on a schedule that never runs (etcdSnapshots, distribution). */
export const etcdScheduleRule: RkeRule = (p, problem) => {
  const schedule = p.etcdSnapshots?.scheduleCron;
  if (p.distribution !== 'k3s' && neverRuns(schedule)) {
    problem(['etcdSnapshots', 'scheduleCron'], 'never runs: no date matches all its fields, so RKE2 would take no snapshot', schedule);
  }
};

/** A TLS mode the cluster's Traefik is not set up for (rancher.tls.mode, distribution). */
export const tlsIngressRule: RkeRule = (p, problem, name) => {
  const mode = p.rancher?.tls?.mode;
  const message = tlsIngressProblem(mode, p.distribution, name('distribution'));
  if (message !== undefined) problem(['rancher', 'tls', 'mode'], message, mode);
};

/**
 * The operator's EKS identities (backups.credentials irsa, pod-identity) need the EKS cluster's name, and are
 * RancherOnExistingCluster's; RancherOnRke's servers give the operator credentials.
 */
export const serverCredentialRule: RkeRule = (p, problem) => {
  const credentials = p.backups?.credentials;
  if (credentials !== 'irsa' && credentials !== 'pod-identity') return;
  problem(
    ['backups', 'credentials'],
    `${credentials} is for a cluster on EKS (RancherOnExistingCluster); RancherOnRke's servers give the operator hour-long credentials without a key: use servers`,
    credentials,
  );
};

/** Load balancers and networks that do not combine (loadBalancer, existingNetwork, rancher.tls). */
export const rkeCombinationRules: RkeRule = (p, problem, name) => {
  // DNS round robin has no load balancer to end TLS at (and no wildcard name: rkeWildcardRule).
  if (p.loadBalancer?.type === 'dns' && p.rancher?.tls?.mode === 'external') {
    problem(
      ['loadBalancer', 'type'],
      'dns puts no load balancer in front of the nodes, and rancher.tls.mode external ends TLS at one (an ALB); use mode ingress or rancher with dns, or loadBalancer nlb with external',
      'dns',
    );
  }
  // Without the hostname's record (a failover's standby) only the NLB can be probed under the name, over TLS that
  // ends in the cluster, and nothing may go by the name before the record moves.
  if (p.loadBalancer?.hostnameRecord === false) {
    const why = (what: string, fix: string) =>
      problem(['loadBalancer', 'hostnameRecord'], `false leaves Rancher's name without a record until it is moved, and ${what}; ${fix}`, false);
    if (p.loadBalancer.type === 'dns') why('loadBalancer type dns routes the name by its records alone', 'use loadBalancer type nlb with it');
    if (p.rancher?.tls?.mode === 'external')
      why('rancher.tls.mode external validates its ACM certificate through a record of that name', 'use mode ingress or rancher with it');
    // HTTP-01 is answered at the name, which leads elsewhere until the record moves: the apply's certificate gate
    // would wait out its budget (certificateMinutes) for a certificate cert-manager cannot get.
    if (p.rancher?.tls?.issuer === 'acme' && p.rancher.tls.mode !== 'external')
      why("rancher.tls.issuer acme proves the name to Let's Encrypt through it (HTTP-01)", 'use issuer rancher, ca or blank with it');
    if (wildcardNameOf(p.dns) !== undefined) why('dns.mode wildcard has no record to leave out', 'remove it, or set dns.mode route53');
    if (p.rancher?.bootstrap?.enabled !== false)
      why('the first login (rancher.bootstrap) reaches Rancher by that name', 'set rancher.bootstrap.enabled: false with it');
  }
  // An ALB needs subnets in two zones (AWS refuses one); the NLB alone takes the servers' zones (the section's rule).
  const balancerSubnets = p.existingNetwork?.loadBalancerSubnetIds;
  if (p.rancher?.tls?.mode === 'external' && Array.isArray(balancerSubnets) && balancerSubnets.length < 2) {
    const subnets = `${balancerSubnets.length} subnet${balancerSubnets.length === 1 ? '' : 's'}`;
    problem(
      ['existingNetwork', 'loadBalancerSubnetIds'],
      `lists ${subnets}; with rancher.tls.mode external an application load balancer takes them too, and AWS wants subnets in at least two zones for one`,
      subnets,
    );
  }
  // Not combined yet: DNS round robin gives each node an Elastic IP in a public subnet the stack builds.
  if (p.loadBalancer?.type === 'dns' && p.existingNetwork !== undefined) {
    problem(
      ['loadBalancer', 'type'],
      `dns is not offered with ${name('existingNetwork')} yet (each node would need an Elastic IP in a public subnet of yours); use loadBalancer nlb with an existing network, or let the stack create the network`,
      'dns',
    );
  }
};

/** The ingress controller RKE2 still ships (versions.rke2, distribution, ingressController). */
export const ingressControllerRule: RkeRule = (p, problem) => {
  const rke2 = p.versions?.rke2;
  const kubeMinor = str(rke2) ? rke2KubernetesMinor(rke2) : undefined;
  if (
    kubeMinor !== undefined &&
    kubeMinor > RKE2_INGRESS_NGINX_LAST_MINOR &&
    p.distribution !== 'k3s' &&
    effectiveIngressController(p) === 'ingress-nginx'
  ) {
    problem(['ingressController'], `RKE2 1.${kubeMinor} no longer ships ingress-nginx; use traefik`, 'ingress-nginx');
  }
};

/** IPv6 admin networks reach the admin ports only of a dual-stack deployment (adminCidrs, dualStack). */
export const ipv6AdminRule: RkeRule = (p, problem, name) => {
  const ipv6Admin = ipv6AdminCidrs(p);
  if (ipv6Admin.length > 0 && p.dualStack !== true) {
    problem(
      ['adminCidrs'],
      `lists IPv6 networks (${ipv6Admin.join(', ')}), which reach the admin ports only of a dual-stack deployment; set ${name('dualStack')}: true, or list IPv4 networks`,
      ipv6Admin,
    );
  }
};

/** What dual-stack does not combine with yet (dualStack, dns, proxy). */
export const dualStackRules: RkeRule = (p, problem) => {
  if (p.dualStack !== true) return;
  if (wildcardNameOf(p.dns) !== undefined) {
    problem(
      ['dualStack'],
      'does not combine with dns.mode wildcard: the wildcard name spells one IPv4 address and the service answers it with that address only, so no IPv6 client could reach Rancher by it; use dns.mode route53 (a zone of yours gets A and AAAA records)',
      true,
    );
  }
  if (closesEgressWithoutProxy(p.proxy)) {
    problem(
      ['dualStack'],
      'is not offered with closed egress without a proxy (proxy.egressOnlyTo alone, the air-gapped path) yet: its security group rules, the networks egressOnlyTo lists and the VPC endpoints it adds are IPv4 only; set proxy.http, or leave dualStack off',
      true,
    );
  }
};

/**
 * The RHEL-family servers' packages (operatingSystem, amiId, proxy): the installers add RKE2's or K3s' SELinux
 * policy and container-selinux with dnf, from rpm.rancher.io and the distribution's own repositories (Red Hat's
 * RHUI, Rocky's mirrors), which closed egress without a proxy cannot reach; only an image that carries them can.
 */
export const operatingSystemRule: RkeRule = (p, problem, name) => {
  const os = p.operatingSystem;
  if (rhelFamily(os) && p.amiId === undefined && closesEgressWithoutProxy(p.proxy)) {
    problem(
      ['operatingSystem'],
      `${os} servers install the SELinux policy packages with dnf from rpm.rancher.io and the distribution's repositories, and proxy.egressOnlyTo closes their egress without a proxy; set proxy.http, or pin an image that carries them (${name('amiId')}, docs/rke-ha.md "Operating system")`,
      os,
    );
  }
};

/**
 * The servers' image in the region's partition (operatingSystem, region, amiId): a publisher's images are in the
 * partitions it publishes to, and a lookup elsewhere finds nothing at plan (IMAGE_OWNERS says where each is known).
 */
export const imagePartitionRule: RkeRule = (p, problem, name) => {
  const os = p.operatingSystem;
  if (!str(os) || !(os in IMAGE_OWNERS) || !str(p.region) || p.amiId !== undefined) return;
  if (imageOwnerIn(os as ServerOperatingSystem, p.region) !== undefined) return;
  problem(
    ['operatingSystem'],
    `${os} images are not published in ${p.region} (partition ${partitionOf(p.region)}) as far as any source shows, so the image lookup would find nothing; pin an image of yours there (${name('amiId')}), or use ubuntu-24.04 (docs/design-notes.md "Partitions")`,
    os,
  );
};

/** RancherOnRke's rules, in the order their problems are reported. */
export const RANCHER_ON_RKE_RULES: readonly RkeRule[] = [
  hostnameRules,
  rkeWildcardRule,
  chartHostnameLengthRule,
  rkeAdminNetworkRule,
  rancherVersionRules,
  rkeVersionRules,
  chartEgressRule,
  etcdScheduleRule,
  backupScheduleRule,
  rancherTlsRules,
  tlsIngressRule,
  bootstrapRules,
  serverCredentialRule,
  rkeCombinationRules,
  ownVpcRule,
  ingressControllerRule,
  ipv6AdminRule,
  dualStackRules,
  operatingSystemRule,
  imagePartitionRule,
  standbyRegionRule,
];
