import type { z } from 'zod';
import {
  backupScheduleRule,
  bootstrapRules,
  chartEgressRule,
  chartHostnameLengthRule,
  chartIssuer,
  hostEgressRule,
  hostnameLengthRule,
  hostnameRules,
  ipv6AdminCidrs,
  isObject,
  ownVpcProblems,
  ownVpcRule,
  rancherTlsRules,
  rancherVersionRules,
  type Problem,
  type Rule,
} from '../../lib/config/deployment-rules';
import { SECTION_FIELDS } from '../../lib/config/deployment-schema';
import {
  dockerAdminNetworkRule,
  dockerCombinationRule,
  dockerEgressRule,
  dockerHostnameLengthRule,
  dockerIpv6AdminRule,
  dockerIssuer,
  dockerWildcardRules,
  type DockerValues,
} from '../../lib/config/docker-rules';
import { apexRecordRule, eksCredentialRule, hostnameRecordRule, ingressControllerMatchRule, type K8sHaValues } from '../../lib/config/k8s-ha-rules';
import {
  dualStackRules,
  etcdScheduleRule,
  imagePartitionRule,
  ingressControllerRule,
  ipv6AdminRule,
  operatingSystemRule,
  rkeAdminNetworkRule,
  rkeCombinationRules,
  rkeVersionRules,
  rkeWildcardRule,
  serverCredentialRule,
  tlsIngressRule,
  type RkeValues,
} from '../../lib/config/rke-ha-rules';
import type { SectionName } from '../../lib/config/setting-names';
import { standbyRegionRule } from '../../lib/config/standby-rules';
import { standbyClusterRule } from './standby-cluster-rules';
import { backendPartitionProblem } from '../backend/backend-partition';
import type { settingsFields } from './settings-schema';

/**
 * The settings file's rules: each construct's rules (lib/config/*-rules.ts) over the section that makes its props,
 * in the file's words (`rkeHa.amiId`), and the rules that span the file's sections, which no construct sees (the
 * admin networks and the VPC settings are shared by the rke-ha and docker stacks).
 */

type FileValues = z.output<typeof settingsFields>;
type FileRule = (s: Partial<FileValues>, problem: Problem) => void;

/** How the file names a setting of a section. */
const fileName = (section: SectionName) => (prop: string) => `${section}.${prop}`;

/** A problem at one of the section's props, reported under the section. */
function inSection(section: SectionName, problem: Problem): Problem {
  const own = SECTION_FIELDS[section];
  return (path, message, input) => problem(Object.hasOwn(own, String(path[0])) ? [section, ...path] : path, message, input);
}

/** The construct rule each of the file's section rules runs (settings-rules.test.ts holds the file to the constructs' lists). */
const SECTION_RULE_OF = new Map<FileRule, unknown>();

function runs(fileRule: FileRule, rule: unknown): FileRule {
  SECTION_RULE_OF.set(fileRule, rule);
  return fileRule;
}

// A construct's rule over a section of the file as the construct's props: the deployment's fields with the
// section's beside them (from-settings.ts makes the props so). A section the schema refused is its defaults here (rulesOver).
const rkeHa = (rule: Rule<RkeValues>): FileRule =>
  runs((s, problem) => {
    if (isObject(s.rkeHa)) rule({ ...s, ...s.rkeHa }, inSection('rkeHa', problem), fileName('rkeHa'));
  }, rule);
const k8sHa = (rule: Rule<K8sHaValues>): FileRule =>
  runs((s, problem) => {
    // RancherOnExistingCluster's `dns` is its section's (the record's target), not the deployment's DNS mode.
    if (isObject(s.k8sHa)) rule({ ...s, ...s.k8sHa }, inSection('k8sHa', problem), fileName('k8sHa'));
  }, rule);
const docker = (rule: Rule<DockerValues>): FileRule =>
  runs((s, problem) => {
    if (isObject(s.docker)) rule({ ...s, ...s.docker }, inSection('docker', problem), fileName('docker'));
  }, rule);

/**
 * The issuers that put the hostname in a certificate's common name, which X.509 limits to 64 characters: ACM and the
 * Docker install's Let's Encrypt client. Shared with the app's `rancher_hostname` variable, which refuses what the
 * settings refuse.
 */
export function commonNameIssuers(s: Pick<Partial<FileValues>, 'rancher' | 'docker'>): string[] {
  return [chartIssuer(s.rancher?.tls), dockerIssuer(s.docker?.tls, fileName('docker'))].filter((issuer) => issuer !== undefined);
}

/** The hostname's length for every stack's certificate (rancher.tls, docker.tls): `name` names the docker section's. */
const hostnameLengthOfFile = hostnameLengthRule<FileValues>((s, name) => [chartIssuer(s.rancher?.tls), dockerIssuer(s.docker?.tls, name)]);
const hostnameLength: FileRule = (s, problem) => hostnameLengthOfFile(s, problem, fileName('docker'));

/** What the VPCs of yours leave to you (rkeHa and docker existingNetwork, vpc, proxy). */
const existingNetworks: FileRule = (s, problem) => {
  const mine = (['rkeHa', 'docker'] as const).filter((section) => isObject(s[section]) && s[section].existingNetwork !== undefined);
  ownVpcProblems(
    s,
    mine.map((section) => `${section}.existingNetwork`),
    problem,
  );
};

/** The docker host is IPv4 only, beside a dual-stack rke-ha deployment (adminCidrs, rkeHa.dualStack, docker.sshKeyName). */
const dockerSshOverIpv6: FileRule = (s, problem) => {
  const ipv6Admin = ipv6AdminCidrs(s);
  if (ipv6Admin.length > 0 && s.rkeHa?.dualStack === true && s.docker?.sshKeyName !== undefined) {
    problem(
      ['adminCidrs'],
      `lists IPv6 networks (${ipv6Admin.join(', ')}), and the docker host, which docker.sshKeyName opens SSH on to the admin networks, is IPv4 only; list IPv4 networks, or remove docker.sshKeyName`,
      ipv6Admin,
    );
  }
};

/** The S3 state bucket in the deployment's partition (app/backend/backend-partition.ts). */
const backendPartition: FileRule = (s, problem) => {
  if (!isObject(s.backend) || typeof s.region !== 'string') return;
  const found = backendPartitionProblem(s.backend, s.region);
  if (found !== undefined) problem(['backend', found.field], found.message, found.value);
};

/** The file's rules, in the order their problems are reported. */
const SETTINGS_RULES: readonly FileRule[] = [
  hostnameRules,
  rkeHa(rkeWildcardRule),
  docker(dockerWildcardRules),
  hostnameLength,
  // The docker host's group holds fewer rules than the servers': rke-ha's limit is the file's.
  rkeHa(rkeAdminNetworkRule),
  k8sHa(apexRecordRule),
  k8sHa(ingressControllerMatchRule),
  rancherVersionRules,
  rkeHa(rkeVersionRules),
  chartEgressRule,
  docker(dockerEgressRule),
  rkeHa(etcdScheduleRule),
  backupScheduleRule,
  rancherTlsRules,
  rkeHa(tlsIngressRule),
  bootstrapRules,
  // rke-ha from a settings file gets `servers` credentials instead of an EKS identity (app/from-settings.ts).
  k8sHa(eksCredentialRule),
  k8sHa(hostnameRecordRule),
  rkeHa(rkeCombinationRules),
  docker(dockerCombinationRule),
  existingNetworks,
  rkeHa(ingressControllerRule),
  rkeHa(ipv6AdminRule),
  dockerSshOverIpv6,
  rkeHa(dualStackRules),
  rkeHa(operatingSystemRule),
  rkeHa(imagePartitionRule),
  // Both stacks' standby (rke-ha, k8s-ha) is the file's top-level `standby`: its region is checked once.
  runs((s, problem) => standbyRegionRule(s, problem, (prop) => prop), standbyRegionRule),
  standbyClusterRule,
  backendPartition,
];

/**
 * The constructs' rules the file does not run as they are, and why: a rule that spans the file's sections takes the
 * place of a construct's own, or the file's mapping to props (from-settings.ts) leaves the rule nothing to refuse.
 */
export const REPLACED_CONSTRUCT_RULES: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [chartHostnameLengthRule, "hostnameLength: one rule for every stack's certificate issuer (rancher.tls, docker.tls)"],
  [dockerHostnameLengthRule, "hostnameLength: one rule for every stack's certificate issuer (rancher.tls, docker.tls)"],
  [ownVpcRule, "existingNetworks: both sections' existing networks against vpc and proxy"],
  [hostEgressRule, 'chartEgressRule: the file also makes the rke-ha and k8s-ha stacks, which need what the docker host needs and more'],
  [dockerAdminNetworkRule, "rkeHa's admin network limit, the lower one: the servers' group holds more rules per network than the docker host's"],
  [dockerIpv6AdminRule, 'dockerSshOverIpv6: the docker stack opens admin access only with docker.sshKeyName (app/stacks/docker.ts)'],
  [serverCredentialRule, "rancherOnRkeProps gives rke-ha's servers credentials where the file's backups name an EKS identity"],
]);

/** The rules only the file has: they span its sections, which no construct sees. */
const FILE_ONLY_RULES: ReadonlySet<unknown> = new Set<unknown>([
  hostnameLength,
  existingNetworks,
  dockerSshOverIpv6,
  standbyClusterRule,
  backendPartition,
]);

/** The construct rules the file runs, each as it is or through its section (rkeHa, k8sHa, docker). */
export function constructRulesOfFile(): unknown[] {
  return SETTINGS_RULES.filter((rule) => !FILE_ONLY_RULES.has(rule)).map((rule) => SECTION_RULE_OF.get(rule) ?? rule);
}

/**
 * Runs every rule of the file, even when fields failed, so one run reports everything; settings-schema.ts runs it
 * through rulesOver, so a section the schema refused as a whole is, to the rules, as if it were not written.
 */
export function settingsRules(s: Partial<FileValues>, ctx: z.RefinementCtx): void {
  const problem: Problem = (path, message, input) => ctx.addIssue({ code: 'custom', path: [...path], message, input });
  for (const rule of SETTINGS_RULES) rule(s, problem);
}
