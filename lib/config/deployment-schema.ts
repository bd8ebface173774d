import { z } from 'zod';
import { acceptAgentChangeSchema } from './accept-agent-change-schema';
import { alarmsSchema } from './alarms-schema';
import { auditLogSchema } from './audit-log-schema';
import { airGapSchema } from './air-gap-schema';
import { backupsSchema } from './backups-schema';
import { bootstrapSchema, untrustedCertificate } from './bootstrap-schema';
import { proxySchema } from './proxy-schema';
import { DOCKER_FIELDS, dockerRules, type DockerSettings } from './docker-schema';
import { dnsProblems, dnsSchema } from './dns-schema';
import { RECORD_FOR_KIND, dnsTargetKind } from '../dns/private/dns-target';
import { RANCHER_PUBLIC_PORTS, RKE2_SERVER_PORTS } from '../nodes/private/ports';
import { coversWholeInternet, coversWholeIpv6Internet, isIpv6Text, parseCidr, parseCidr6 } from './cidr';
import { cronSets } from './cron';
import { longestGapMinutes } from '../alarms/schedule-window';
import { adminCidr, awsRegion, fqdn, lengthBounds, version, wholeNumber } from './primitives';
import { nameProblem } from './resource-names';
import { K8S_HA_FIELDS, type K8sHaSettings } from './k8s-ha-schema';
import { effectiveIngressController, RKE_HA_FIELDS, rkeHaRules, type RkeHaSettings } from './rke-ha-schema';
import { timeoutsSchema } from './timeouts-schema';
import { tlsProblems, tlsSchema } from './tls-schema';
import { vpcSchema } from './vpc-schema';
import { FILE_NAMES, propsNames, type SectionName, type SettingNames } from './setting-names';
import { SSM_PARAMETER_ARN } from './registry-credentials';
import { partitionOf } from './aws-regions';
import { missingReleaseSums, releaseArchitecture, suppliedSumProblems } from './release-sums';
import { requiredArchitecture } from './instance-types';
import { IMAGE_OWNERS, imageOwnerIn } from './image-owners';
import { rhelFamily, type ServerOperatingSystem } from './sections';
import { installsCertManager } from '../tls/tls-plan';
import {
  MIN_CERT_MANAGER_MINOR,
  COMMUNITY_LAST_PATCH,
  RANCHER_KUBERNETES_RANGE,
  RKE2_INGRESS_NGINX_LAST_MINOR,
  certManagerMinor,
  primeOnly,
  rancherLine,
  k3sKubernetesMinor,
  rke2KubernetesMinor,
  VERSION_FORMATS,
} from './versions';

/**
 * The deployment schema: the fields every Rancher deployment has, and the
 * rules that span them, shared by the settings file (app/config/settings-schema.ts adds its
 * file-only sections: tags, the state backend, all three stacks' sections) and
 * the three L3 constructs, which each check their flat props with the fields
 * they take and their own section's fields beside them (`rancherOnRkeSchema`,
 * `rancherOnExistingClusterSchema`, `rancherOnDockerSchema`, which
 * resolveProps applies). Each default is stated once, here or in a section's
 * schema.
 */

/** A SHA-256 as sha256sum prints it. */
const SHA256 = /^[0-9a-f]{64}$/;

/** X.509's upper bound of a common name, which ACM and autocert fill with the first domain name. */
export const MAX_COMMON_NAME = 64;

/** AWS's default quota of inbound rules per security group. */
export const SECURITY_GROUP_INBOUND_RULES = 60;

/** The fields of a deployment, in the settings file's order (error messages follow it). */
export const deploymentFields = {
  /** Prefix of every resource name; distinct per deployment sharing an account and region. */
  name: z
    .string()
    .superRefine((name, ctx) => {
      const problem = nameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: name });
    })
    .meta(lengthBounds(2, 16))
    .default('rancher'),
  /** AWS region, of the commercial, China (`cn-north-1`, `cn-northwest-1`) or GovCloud (`us-gov-east-1`, `us-gov-west-1`) partition: ARNs, endpoints, service principals and the image publishers' accounts follow its partition (docs/design-notes.md, "Partitions") */
  region: awsRegion.default('us-east-1'),
  /** Rancher's public name. Unset: the `rancher_hostname` Terraform variable is required at plan time. */
  hostname: fqdn('a hostname').optional(),
  /** Existing public Route53 hosted zone that holds `hostname`. Unset: `route53_zone_name` variable. */
  hostedZone: fqdn('a hosted zone name').optional(),
  /** Rancher's name from your Route53 zone (default) or from a wildcard DNS service (rke-ha, docker; no domain needed). */
  dns: dnsSchema,
  /**
   * Networks allowed to reach admin ports (6443, SSH). Empty: the deployer's own public IP (/32). IPv6 networks
   * only with `rkeHa.dualStack`. Blocks inside the ranges reserved for documentation (192.0.2.0/24, 198.51.100.0/24,
   * 203.0.113.0/24, 2001:db8::/32) are refused: no one administers from them. rke-ha's plan warns when a list
   * leaves out the planning machine's IPv4 address (variable `check_deployer_address`).
   */
  adminCidrs: z
    .array(adminCidr)
    .superRefine((cidrs, ctx) => {
      // A single /0 is reported at its own position already.
      if (Array.isArray(cidrs) && !cidrs.some((c) => parseCidr(c)?.prefix === 0) && coversWholeInternet(cidrs)) {
        ctx.addIssue({
          code: 'custom',
          message: `these ${cidrs.length} blocks together cover the whole internet (0.0.0.0/0), which admin ports must never be open to; list the networks you administer from`,
          input: cidrs,
        });
      }
      if (Array.isArray(cidrs) && !cidrs.some((c) => parseCidr6(c)?.prefix === 0) && coversWholeIpv6Internet(cidrs)) {
        ctx.addIssue({
          code: 'custom',
          message: `these ${cidrs.length} blocks together cover the whole IPv6 internet (::/0), which admin ports must never be open to; list the networks you administer from`,
          input: cidrs,
        });
      }
    })
    .default([]),
  proxy: proxySchema,
  airGap: airGapSchema,
  vpc: vpcSchema,
  versions: z
    .strictObject({
      rke2: version('rke2', 'v1.35.0+rke2r1'),
      k3s: version('k3s', 'v1.35.7+k3s1'),
      certManager: version('certManager', 'v1.21.1').refine((v) => (certManagerMinor(v) ?? Infinity) >= MIN_CERT_MANAGER_MINOR, {
        message: `Rancher needs cert-manager v1.${MIN_CERT_MANAGER_MINOR} or newer`,
      }),
      rancher: version('rancher', '2.14.0'),
      /**
       * SHA-256 sums of release files this project records none for, per version: `"<version>": { "<file>": "<sha256>" }`,
       * the file `rke2.linux-amd64.tar.gz`, `rke2.linux-arm64.tar.gz`, `k3s` or `k3s-arm64`, each sum read from the
       * release's `sha256sum-<arch>.txt` and checked by you (docs/day-2.md, "Sums of a new release"). The servers check
       * the file against it as against a recorded sum; one that contradicts a recorded sum is refused.
       */
      releaseSums: z
        .record(
          z.string(),
          z.record(
            z.string(),
            z.string().regex(SHA256, { message: 'expected a SHA-256: 64 lower-case hexadecimal characters, as sha256sum prints it' }),
          ),
        )
        .superRefine((sums, ctx) => {
          for (const p of suppliedSumProblems(sums)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message, input: p.value });
        })
        .default({}),
    })
    .prefault({}),
  rancher: z
    .strictObject({
      /**
       * Helm repository of the Rancher chart: `stable` (community, the releases promoted to stable),
       * `latest` (community, every release) or `prime` (Rancher Prime). `airGap.rancherChartRepository`
       * overrides it with a mirror.
       */
      repository: z.enum(['stable', 'latest', 'prime']).default('stable'),
      /** Rancher server pods (1–15) */
      replicas: wholeNumber(1, 15).default(3),
      tls: tlsSchema,
      auditLog: auditLogSchema,
      bootstrap: bootstrapSchema,
      /** A change of Rancher's name or of the CA its agents trust, accepted on purpose (docs/day-2.md, "Rancher's name and CA"). */
      acceptAgentChange: acceptAgentChangeSchema,
    })
    .prefault({}),
  timeouts: timeoutsSchema,
  /** Rancher's backups by the rancher-backup operator (rke-ha, k8s-ha): docs/backups.md. */
  backups: backupsSchema,
  alarms: alarmsSchema,
};

/** What the cross-field rules read: the deployment's fields and whichever mode sections the schema has (a rule on a
 * section the schema lacks finds nothing to refuse, as it would for that section's defaults). Any field may be
 * missing or of another type: the rules run on invalid input too, so each checks the types it relies on. */
type RuleInput = Partial<z.output<z.ZodObject<typeof deploymentFields>>> & {
  readonly rkeHa?: RkeHaSettings;
  readonly k8sHa?: K8sHaSettings;
  readonly docker?: DockerSettings;
};
type Problem = (path: (string | number)[], message: string, input: unknown) => void;
/** A rule: what it reads, where it reports, and how its messages name the settings of a section (setting-names.ts). */
type Rule = (s: RuleInput, problem: Problem, n: SettingNames) => void;
const str = (v: unknown): v is string => typeof v === 'string';

/**
 * The issuers that put the hostname in a certificate's common name, which X.509 limits to 64 characters
 * (MAX_COMMON_NAME): ACM (mode external, issuer acme) and the Docker install's Let's Encrypt client (autocert) refuse
 * a longer hostname. Shared with the app's `rancher_hostname` variable, which refuses what the settings refuse.
 */
export function commonNameIssuers(
  s: {
    readonly rancher?: { readonly tls?: { readonly mode?: string; readonly issuer?: string } };
    readonly docker?: { readonly tls?: { readonly mode?: string; readonly issuer?: string } };
  },
  n: SettingNames = FILE_NAMES,
): string[] {
  return [
    s.rancher?.tls?.mode === 'external' && s.rancher?.tls?.issuer === 'acme' ? 'ACM (rancher.tls mode external, issuer acme)' : undefined,
    s.docker?.tls?.issuer === 'acme'
      ? s.docker.tls.mode === 'external'
        ? `ACM (${n('docker', 'tls')} mode external, issuer acme)`
        : `the Docker install's Let's Encrypt client (${n('docker', 'tls.issuer')} acme)`
      : undefined,
  ].filter((issuer) => issuer !== undefined);
}

/** Rancher's name: the DNS mode, the hostname in its zone, and its length for the certificates (dns, hostname, hostedZone, rancher.tls, docker.tls). */
function nameRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  for (const p of dnsProblems(s)) problem(p.path, p.message, p.value);
  // Compared as DNS compares names (any case, with or without the root's dot): a name written in upper case or with a
  // trailing dot has its own problem from its field's rule, not a second, false one here.
  const dnsName = (name: string) => name.toLowerCase().replace(/\.$/, '');
  if (str(s.hostname) && str(s.hostedZone)) {
    const [hostname, zone] = [dnsName(s.hostname), dnsName(s.hostedZone)];
    if (hostname !== zone && !hostname.endsWith(`.${zone}`)) problem(['hostname'], `must be inside hostedZone "${s.hostedZone}"`, s.hostname);
  }
  if (str(s.hostname) && s.hostname.length > MAX_COMMON_NAME) {
    const issuers = commonNameIssuers(s, n);
    if (issuers.length) {
      problem(
        ['hostname'],
        `has ${s.hostname.length} characters, and ${issuers.join(' and ')} takes at most ${MAX_COMMON_NAME} for the certificate's name`,
        s.hostname,
      );
    }
  }
}

/**
 * How many admin networks fit: every admin CIDR is an inbound rule of a security group that holds other rules too,
 * and AWS allows 60 per group by default. The node group (only with SSH) carries the most others: the cluster ports
 * and the balancers'. Shared with the app's `admin_cidrs` variable, which refuses what the settings refuse.
 */
export function adminNetworkLimit(s: {
  readonly rkeHa?: { readonly sshKeyName?: string; readonly loadBalancer?: { readonly type?: string }; readonly ingressMigration?: string };
}): {
  readonly max: number;
  readonly perNetwork: number;
  readonly others: number;
} {
  const ssh = s.rkeHa?.sshKeyName !== undefined;
  // Without a load balancer (rkeHa.loadBalancer dns) the node group also takes 6443 from each admin network.
  const dnsRoundRobin = s.rkeHa?.loadBalancer?.type === 'dns';
  const perNetwork = (ssh ? 1 : 0) + (dnsRoundRobin ? 1 : 0);
  // A move off ingress-nginx (rkeHa.ingressMigration) admits the balancer on Traefik's two side ports too.
  const sidePorts = s.rkeHa?.ingressMigration !== undefined ? 2 : 0;
  const others =
    ssh || dnsRoundRobin ? RKE2_SERVER_PORTS.length + RANCHER_PUBLIC_PORTS.length + (dnsRoundRobin ? 0 : 2 + sidePorts) : RANCHER_PUBLIC_PORTS.length;
  return { max: Math.floor((SECURITY_GROUP_INBOUND_RULES - others) / Math.max(perNetwork, 1)), perNetwork, others };
}

/** The admin networks as security group rules (adminCidrs; rkeHa: SSH and DNS round robin). */
function adminNetworkRules(s: RuleInput, problem: Problem): void {
  const admin = s.adminCidrs;
  if (Array.isArray(admin)) {
    const { max, perNetwork, others } = adminNetworkLimit(s);
    if (admin.length > max) {
      const rules = perNetwork > 1 ? `is ${perNetwork} inbound rules (6443 and SSH)` : 'is an inbound rule';
      problem(
        ['adminCidrs'],
        `${admin.length} networks are too many: each ${rules} of a security group that also holds ${others} others, and AWS allows ${SECURITY_GROUP_INBOUND_RULES} inbound rules per group by default; list at most ${max}, using wider blocks`,
        `${admin.length} blocks`,
      );
    }
  }
}

/** k8s-ha's record at the zone's apex (hostname, hostedZone, k8sHa.dns.target). */
function k8sHaRecordRules(s: RuleInput, problem: Problem): void {
  // Route53 has no CNAME at a zone's apex; k8s-ha writes one for a target that is neither an AWS load balancer nor an
  // address. Known here only when the target is set; otherwise a plan-time precondition (LoadBalancerRecord) says so.
  const target = s.k8sHa?.dns?.target;
  if (str(s.hostname) && s.hostname === s.hostedZone && str(target) && RECORD_FOR_KIND[dnsTargetKind(target)] === 'CNAME') {
    problem(
      ['k8sHa', 'dns', 'target'],
      `makes the k8s-ha record for hostname "${s.hostname}" a CNAME, and Route53 allows no CNAME at the apex of zone "${s.hostedZone}"; point it at an AWS load balancer hostname or an IPv4 address, or use a hostname below the zone`,
      target,
    );
  }
}

/** The versions that fit together, and where Rancher's chart comes from (versions, rancher.repository, airGap, rkeHa.distribution). */
function versionRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  const rke2 = s.versions?.rke2;
  const rancher = s.versions?.rancher;
  const kubeMinor = str(rke2) ? rke2KubernetesMinor(rke2) : undefined;
  const k3s = s.versions?.k3s;
  const line = str(rancher) ? rancherLine(rancher) : undefined;
  const range = line === undefined ? undefined : RANCHER_KUBERNETES_RANGE[line];
  if (line !== undefined && !range) {
    problem(['versions', 'rancher'], `unknown Rancher line ${line}; supported: ${Object.keys(RANCHER_KUBERNETES_RANGE).join(', ')}`, rancher);
  }
  const repository = s.rancher?.repository;
  if (str(rancher) && primeOnly(rancher) && repository !== 'prime' && s.airGap?.rancherChartRepository === undefined) {
    problem(
      ['versions', 'rancher'],
      `Rancher publishes ${rancher} to Rancher Prime only (community releases of ${line} ended with ${line}.${COMMUNITY_LAST_PATCH[line as string]}), so the ${repository ?? 'stable'} repository does not serve it; set rancher.repository: prime, or a community version`,
      rancher,
    );
  }
  // The pin of the distribution in use (the other one is not installed anywhere); none where nothing installs one
  // (the schemas without rkeHa: RancherOnExistingCluster's and RancherOnDocker's props).
  const distributionPins =
    !s.rkeHa || typeof s.rkeHa !== 'object'
      ? []
      : s.rkeHa.distribution === 'k3s'
        ? ([['k3s', str(k3s) ? k3sKubernetesMinor(k3s) : undefined, k3s]] as const)
        : ([['rke2', kubeMinor, rke2]] as const);
  for (const [key, minor, value] of distributionPins) {
    if (range && minor !== undefined && (minor < range.min || minor >= range.maxExclusive)) {
      problem(
        ['versions', key],
        `Kubernetes 1.${minor} is outside Rancher ${line}'s supported range 1.${range.min}-1.${range.maxExclusive - 1}`,
        value,
      );
    }
  }
  releaseSumRules(s, problem, n);
}

/**
 * The release file the servers install has a SHA-256, recorded or supplied (versions.rke2 or versions.k3s,
 * versions.releaseSums, rkeHa.distribution, architecture, operatingSystem): otherwise its servers would stop at boot
 * (fetch_verified). On the RHEL family RKE2 comes from Rancher's signed RPMs instead of the tarball (unless egress
 * is closed without a proxy: then the tarball), so only its installer is checked, and the installer always has a
 * sum (a release without its own runs the pin's).
 */
function releaseSumRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  const rkeHa = s.rkeHa;
  if (!rkeHa || typeof rkeHa !== 'object') return;
  const k3s = rkeHa.distribution === 'k3s';
  // RKE2 on the RHEL family installs the signed RPMs, no tarball, unless egress is closed without a proxy.
  if (!k3s && rhelFamily(rkeHa.operatingSystem) && !closesEgressWithoutProxy(s.proxy)) return;
  const key = k3s ? 'k3s' : 'rke2';
  const version = s.versions?.[key];
  // A malformed version is reported by its own rule; a malformed rkeHa.architecture by the section's.
  const architecture = rkeHa.architecture;
  if (!str(version) || !VERSION_FORMATS[key].test(version) || (architecture !== undefined && architecture !== 'x86_64' && architecture !== 'arm64'))
    return;
  const supplied = s.versions?.releaseSums;
  // With a pinned amiId and no architecture, the servers install the release of the instance type's architecture.
  const inferred = architecture === undefined ? requiredArchitecture(rkeHa) : undefined;
  const missing = missingReleaseSums(
    key,
    version,
    releaseArchitecture(architecture ?? inferred),
    supplied !== null && typeof supplied === 'object' ? supplied : undefined,
    inferred === undefined || rkeHa.amiId === undefined
      ? `${n('rkeHa', 'architecture')} ${architecture ?? 'x86_64'}`
      : `${n('rkeHa', 'instanceType')} ${String(rkeHa.instanceType)} (${inferred})`,
  );
  if (missing !== undefined) problem(['versions', key], missing, version);
}

/** Closed egress without a proxy (proxy.egressOnlyTo without proxy.http or proxy.https). */
function closesEgressWithoutProxy(proxy: RuleInput['proxy']): proxy is NonNullable<RuleInput['proxy']> {
  return Array.isArray(proxy?.egressOnlyTo) && proxy.egressOnlyTo.length > 0 && proxy.http === undefined && proxy.https === undefined;
}

/** Closed egress without a proxy: the mirrors it needs, and Let's Encrypt it cannot reach (proxy, airGap, rancher.tls, docker.tls). */
function egressRules(s: RuleInput, problem: Problem): void {
  // Closed egress without a proxy: SSM, Session Manager and S3 get VPC endpoints (the stacks add them), but the
  // installer and the images can only come from the VPC or the listed networks, so mirrors there are required.
  const proxy = s.proxy;
  if (closesEgressWithoutProxy(proxy)) {
    const missing = [
      s.airGap?.installerUrl === undefined ? 'airGap.installerUrl (the RKE2/K3s installer and what it downloads)' : undefined,
      s.airGap?.systemDefaultRegistry === undefined ? 'airGap.systemDefaultRegistry (every system and Rancher image)' : undefined,
    ].filter((m) => m !== undefined);
    // rke-ha's cert-manager (issuers rancher, ca and acme at the ingress) pulls from quay.io; Let's Encrypt is on the internet.
    // rancher.tls is the Helm chart's: RancherOnDocker's props (no rkeHa, no k8sHa) install neither.
    const helmChart = s.rkeHa !== undefined || s.k8sHa !== undefined;
    const tlsSettings = s.rancher?.tls;
    const issuer = tlsSettings?.issuer ?? 'rancher';
    if (helmChart && installsCertManager(tlsSettings?.mode, issuer) && s.airGap?.registryMirrors?.['quay.io'] === undefined) {
      missing.push('airGap.registryMirrors["quay.io"] (rke-ha installs cert-manager, whose images are on quay.io)');
    }
    if (helmChart && issuer === 'acme' && tlsSettings?.mode !== 'external') {
      problem(
        ['rancher', 'tls', 'issuer'],
        "acme needs Let's Encrypt, on the internet, and proxy.egressOnlyTo closes the nodes' egress without a proxy; set proxy.http, or use issuer ca or blank",
        'acme',
      );
    }
    // The Docker install's own Let's Encrypt client likewise (with mode external ACM issues, in AWS).
    if (s.docker?.tls?.issuer === 'acme' && s.docker.tls.mode !== 'external') {
      problem(
        ['docker', 'tls', 'issuer'],
        "acme needs Let's Encrypt, on the internet, and proxy.egressOnlyTo closes the host's egress without a proxy; set proxy.http, or use issuer blank",
        'acme',
      );
    }
    // The registry login comes from an AWS API, which closed egress reaches only through this region's SSM endpoint.
    const login = s.airGap?.registryCredentials;
    if (str(login?.secretsManagerSecret)) {
      problem(
        ['airGap', 'registryCredentials', 'secretsManagerSecret'],
        "is read from Secrets Manager, and proxy.egressOnlyTo closes the nodes' egress without a proxy: the stacks add VPC endpoints for SSM, not Secrets Manager; use ssmParameter (a SecureString), or set proxy.http",
        login.secretsManagerSecret,
      );
    }
    const loginRegion = str(login?.ssmParameter) ? SSM_PARAMETER_ARN.exec(login.ssmParameter)?.[2] : undefined;
    if (loginRegion !== undefined && str(s.region) && loginRegion !== s.region) {
      problem(
        ['airGap', 'registryCredentials', 'ssmParameter'],
        `is in ${loginRegion}, and proxy.egressOnlyTo closes the nodes' egress without a proxy: the SSM endpoint the stacks add serves ${s.region} only; use a parameter in ${s.region}, or set proxy.http`,
        login?.ssmParameter,
      );
    }
    if (missing.length > 0) {
      problem(
        ['proxy', 'egressOnlyTo'],
        `closes the nodes' egress except to the VPC and these networks, and no proxy is set (proxy.http): the stacks then add VPC endpoints for SSM and S3, but downloads must come from mirrors inside those networks; set ${missing.join(' and ')}, or set proxy.http`,
        proxy.egressOnlyTo,
      );
    }
  }
}

/**
 * A valid five-field schedule no date matches (31 February): robfig/cron, which RKE2 and the rancher-backup operator
 * both schedule with, takes it without a word and its `Next` gives up after five years with the zero time. RKE2 then
 * never snapshots; the operator reads the zero time as overdue and backs up again at once, over and over
 * (docs/design-notes.md, "Schedules that never run"). Neither can have a freshness alarm.
 */
const neverRuns = (schedule: unknown): schedule is string =>
  str(schedule) && cronSets(schedule) !== undefined && longestGapMinutes(schedule) === undefined;

/** Schedules that never run: RKE2's etcd snapshots (rkeHa.etcdSnapshots, rkeHa.distribution) and Rancher's backups (backups). */
function scheduleRules(s: RuleInput, problem: Problem): void {
  const schedule = s.rkeHa?.etcdSnapshots?.scheduleCron;
  if (s.rkeHa?.distribution !== 'k3s' && neverRuns(schedule)) {
    problem(['rkeHa', 'etcdSnapshots', 'scheduleCron'], 'never runs: no date matches all its fields, so RKE2 would take no snapshot', schedule);
  }
  const backups = s.backups?.schedule;
  if (s.backups?.enabled !== false && neverRuns(backups)) {
    problem(
      ['backups', 'schedule'],
      'never runs: no date matches all its fields, so the rancher-backup operator finds no next run, takes it as overdue and backs up again at once, over and over (and no freshness alarm can watch it)',
      backups,
    );
  }
}

/** Rancher's TLS, first login and restore (rancher, backups; rkeHa's ingress controller). */
function rancherRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  if (s.rancher?.tls) {
    for (const p of tlsProblems(s.rancher.tls, effectiveIngressController(s.rkeHa, s.rancher.tls.mode), n('rkeHa', 'ingressController')))
      problem(['rancher', 'tls', ...p.path], p.message, p.value);
  }
  // Off by default then (bootstrapEnabled); asked for explicitly, it could not log in.
  if (s.rancher?.bootstrap?.enabled === true && s.rancher.tls && untrustedCertificate(s.rancher.tls)) {
    problem(
      ['rancher', 'bootstrap', 'enabled'],
      "the first-login bootstrap verifies Rancher's certificate before it sends the admin password, and nothing trusts a Let's Encrypt staging certificate; remove it (with staging the bootstrap is off: log in with the rancher_bootstrap_password output) or use rancher.tls.acme.environment production",
      true,
    );
  }
  // A restore runs through the operator, and brings back Rancher's users: the first login's password would not log in.
  if (s.backups?.restoreFrom !== undefined && s.backups.enabled === false) {
    problem(
      ['backups', 'enabled'],
      'is false, and backups.restoreFrom restores through the rancher-backup operator, which backups.enabled installs; set it true (or remove restoreFrom)',
      false,
    );
  }
  if (s.backups?.restoreFrom !== undefined && s.rancher?.bootstrap?.enabled !== false) {
    problem(
      ['rancher', 'bootstrap', 'enabled'],
      "must be false with backups.restoreFrom: the restore brings back Rancher's own admin users and passwords, so the first-login bootstrap could not log in with a new one; set rancher.bootstrap.enabled: false (log in as before the backup)",
      s.rancher?.bootstrap?.enabled ?? '(unset: true)',
    );
  }
}

/**
 * The operator's EKS identities (backups.credentials irsa, pod-identity) need the EKS cluster's name, and are
 * RancherOnExistingCluster's: RancherOnRke's props (rkeHa without k8sHa) refuse them. The settings file, which has
 * both sections, gives rke-ha `servers` instead (app/from-settings.ts).
 */
function backupCredentialRules(s: RuleInput, problem: Problem): void {
  const credentials = s.backups?.credentials;
  if (credentials !== 'irsa' && credentials !== 'pod-identity') return;
  if (s.k8sHa !== undefined && s.k8sHa.eks?.clusterName === undefined) {
    problem(
      ['k8sHa', 'eks', 'clusterName'],
      `is required with backups.credentials ${credentials}: the operator's role is given through that EKS cluster; on another cluster use accessKey`,
      undefined,
    );
  }
  if (s.k8sHa === undefined && s.rkeHa !== undefined) {
    problem(
      ['backups', 'credentials'],
      `${credentials} is for a cluster on EKS (RancherOnExistingCluster); RancherOnRke's servers give the operator hour-long credentials without a key: use servers`,
      credentials,
    );
  }
}

/** Load balancers and networks that do not combine (rkeHa, docker, rancher.tls). */
function combinationRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  // DNS round robin has no load balancer to end TLS at (and no wildcard name: dnsProblems).
  if (s.rkeHa?.loadBalancer?.type === 'dns' && s.rancher?.tls?.mode === 'external') {
    problem(
      ['rkeHa', 'loadBalancer', 'type'],
      'dns puts no load balancer in front of the nodes, and rancher.tls.mode external ends TLS at one (an ALB); use mode ingress or rancher with dns, or loadBalancer nlb with external',
      'dns',
    );
  }
  // An ALB needs subnets in two zones (AWS refuses one); the NLB alone takes the servers' zones (the section's rule).
  const balancerSubnets = s.rkeHa?.existingNetwork?.loadBalancerSubnetIds;
  if (s.rancher?.tls?.mode === 'external' && Array.isArray(balancerSubnets) && balancerSubnets.length < 2) {
    problem(
      ['rkeHa', 'existingNetwork', 'loadBalancerSubnetIds'],
      `lists ${balancerSubnets.length} subnet${balancerSubnets.length === 1 ? '' : 's'}; with rancher.tls.mode external an application load balancer takes them too, and AWS wants subnets in at least two zones for one`,
      `${balancerSubnets.length} subnet${balancerSubnets.length === 1 ? '' : 's'}`,
    );
  }
  // Features not combined yet: DNS round robin gives each node an Elastic IP in a public subnet the stack builds,
  // and the docker ALB takes a second subnet of the network the stack builds.
  if (s.rkeHa?.loadBalancer?.type === 'dns' && s.rkeHa?.existingNetwork !== undefined) {
    problem(
      ['rkeHa', 'loadBalancer', 'type'],
      `dns is not offered with ${n('rkeHa', 'existingNetwork')} yet (each node would need an Elastic IP in a public subnet of yours); use loadBalancer nlb with an existing network, or let the stack create the network`,
      'dns',
    );
  }
  if (s.docker?.tls?.mode === 'external' && s.docker?.existingNetwork !== undefined) {
    problem(
      ['docker', 'tls', 'mode'],
      `external is not offered with ${n('docker', 'existingNetwork')} yet (the ALB needs a second subnet in another zone, and the setting names one); use mode rancher with an existing network, or let the stack create the network`,
      'external',
    );
  }
}

/** What a VPC of yours leaves to you (rkeHa and docker existingNetwork, vpc, proxy). */
function existingNetworkRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  // The vpc options and the endpoints that closed egress without a proxy needs are built into the VPC a stack
  // creates; a VPC of yours is left as it is (its flow logs and endpoints are yours to configure).
  const existing = (['rkeHa', 'docker'] as const).filter((section) => s[section]?.existingNetwork !== undefined);
  if (existing.length > 0) {
    const mine = existing.map((section) => n(section, 'existingNetwork')).join(' and ');
    const yours = `${mine} ${existing.length > 1 ? 'use VPCs' : 'uses a VPC'} of yours`;
    if (s.vpc?.flowLogs?.destination !== undefined && s.vpc.flowLogs.destination !== 'none') {
      problem(
        ['vpc', 'flowLogs', 'destination'],
        `turns on flow logs for the VPC a stack creates, and ${yours}, which the stack leaves as it is; turn flow logs on there yourself, or remove ${mine}`,
        s.vpc.flowLogs.destination,
      );
    }
    if (Array.isArray(s.vpc?.endpoints) && s.vpc.endpoints.length > 0) {
      problem(
        ['vpc', 'endpoints'],
        `are created in the VPC a stack creates, and ${yours}, which the stack leaves as it is; create them there yourself, or remove ${mine}`,
        s.vpc.endpoints,
      );
    }
    const proxy = s.proxy;
    if (closesEgressWithoutProxy(proxy)) {
      problem(
        ['proxy', 'egressOnlyTo'],
        `closes the nodes' egress without a proxy, which needs VPC endpoints for SSM and S3 that the stacks add only to a VPC they create, and ${yours}; set proxy.http (a proxy the nodes reach), or remove ${mine}`,
        proxy.egressOnlyTo,
      );
    }
  }
}

/**
 * The RHEL-family servers' packages (rkeHa.operatingSystem, amiId, proxy): the installers add RKE2's or K3s' SELinux
 * policy and container-selinux with dnf, from rpm.rancher.io and the distribution's own repositories (Red Hat's
 * RHUI, Rocky's mirrors), which closed egress without a proxy cannot reach; only an image that carries them can.
 */
function operatingSystemRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  const os = s.rkeHa?.operatingSystem;
  if (rhelFamily(os) && s.rkeHa?.amiId === undefined && closesEgressWithoutProxy(s.proxy)) {
    problem(
      ['rkeHa', 'operatingSystem'],
      `${os} servers install the SELinux policy packages with dnf from rpm.rancher.io and the distribution's repositories, and proxy.egressOnlyTo closes their egress without a proxy; set proxy.http, or pin an image that carries them (${n('rkeHa', 'amiId')}, docs/rke-ha.md "Operating system")`,
      os,
    );
  }
}

/**
 * The servers' image in the region's partition (rkeHa.operatingSystem, region, amiId): a publisher's images are in the
 * partitions it publishes to, and a lookup elsewhere finds nothing at plan (IMAGE_OWNERS says where each is known).
 * The Docker host runs Ubuntu, which Canonical publishes in every partition.
 */
function imagePartitionRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  const os = s.rkeHa?.operatingSystem;
  if (!str(os) || !(os in IMAGE_OWNERS) || !str(s.region) || s.rkeHa?.amiId !== undefined) return;
  if (imageOwnerIn(os as ServerOperatingSystem, s.region) !== undefined) return;
  problem(
    ['rkeHa', 'operatingSystem'],
    `${os} images are not published in ${s.region} (partition ${partitionOf(s.region)}) as far as any source shows, so the image lookup would find nothing; pin an image of yours there (${n('rkeHa', 'amiId')}), or use ubuntu-24.04 (docs/design-notes.md "Partitions")`,
    os,
  );
}

/** The ingress controller RKE2 still ships (versions.rke2, rkeHa). */
function ingressControllerRules(s: RuleInput, problem: Problem): void {
  const rke2 = s.versions?.rke2;
  const kubeMinor = str(rke2) ? rke2KubernetesMinor(rke2) : undefined;
  if (
    kubeMinor !== undefined &&
    kubeMinor > RKE2_INGRESS_NGINX_LAST_MINOR &&
    !!s.rkeHa &&
    typeof s.rkeHa === 'object' &&
    s.rkeHa.distribution !== 'k3s' &&
    effectiveIngressController(s.rkeHa, s.rancher?.tls?.mode) === 'ingress-nginx'
  ) {
    problem(['rkeHa', 'ingressController'], `RKE2 1.${kubeMinor} no longer ships ingress-nginx; use traefik`, 'ingress-nginx');
  }
}
/**
 * Dual-stack (rkeHa.dualStack) and what it does not combine with (dns, proxy, adminCidrs, docker). The IPv6 admin
 * networks reach a node or load balancer only in a dual-stack rke-ha deployment: the docker host is IPv4 only.
 */
function dualStackRules(s: RuleInput, problem: Problem, n: SettingNames): void {
  const dualStack = s.rkeHa?.dualStack === true;
  const ipv6Admin = Array.isArray(s.adminCidrs) ? s.adminCidrs.filter((c) => str(c) && isIpv6Text(c)) : [];
  if (ipv6Admin.length > 0 && !dualStack) {
    problem(
      ['adminCidrs'],
      `lists IPv6 networks (${ipv6Admin.join(', ')}), which reach the admin ports only of a dual-stack deployment; set ${n('rkeHa', 'dualStack')}: true, or list IPv4 networks`,
      ipv6Admin,
    );
  }
  if (ipv6Admin.length > 0 && dualStack && s.docker?.sshKeyName !== undefined) {
    problem(
      ['adminCidrs'],
      `lists IPv6 networks (${ipv6Admin.join(', ')}), and the docker host, which ${n('docker', 'sshKeyName')} opens SSH on to the admin networks, is IPv4 only; list IPv4 networks, or remove ${n('docker', 'sshKeyName')}`,
      ipv6Admin,
    );
  }
  if (!dualStack) return;
  if (s.dns?.mode === 'wildcard') {
    problem(
      ['rkeHa', 'dualStack'],
      'does not combine with dns.mode wildcard: the wildcard name spells one IPv4 address and the service answers it with that address only, so no IPv6 client could reach Rancher by it; use dns.mode route53 (a zone of yours gets A and AAAA records)',
      true,
    );
  }
  if (closesEgressWithoutProxy(s.proxy)) {
    problem(
      ['rkeHa', 'dualStack'],
      'is not offered with closed egress without a proxy (proxy.egressOnlyTo alone, the air-gapped path) yet: its security group rules, the networks egressOnlyTo lists and the VPC endpoints it adds are IPv4 only; set proxy.http, or leave dualStack off',
      true,
    );
  }
}

/** The cross-field rules, in the order their problems are reported. */
const DEPLOYMENT_RULES: readonly Rule[] = [
  nameRules,
  adminNetworkRules,
  k8sHaRecordRules,
  versionRules,
  egressRules,
  scheduleRules,
  rancherRules,
  backupCredentialRules,
  combinationRules,
  existingNetworkRules,
  ingressControllerRules,
  dualStackRules,

  operatingSystemRules,
  imagePartitionRules,
];

/**
 * The rules that span fields, as one superRefine for the settings file's schema and each construct's. They run even
 * when other fields failed (`{ when: () => true }`), so one run reports everything.
 */
export function refineDeployment<T extends z.ZodObject>(schema: T, names: SettingNames): T {
  return schema.superRefine(
    (s: RuleInput, ctx) => {
      if (!s || typeof s !== 'object') return;
      const problem: Problem = (path, message, input) => ctx.addIssue({ code: 'custom', path, message, input });
      for (const rules of DEPLOYMENT_RULES) rules(s, problem, names);
    },
    { when: () => true },
  );
}

const { dns: _dns, adminCidrs: _adminCidrs, vpc: _vpc, ...withoutAwsFields } = deploymentFields;

/**
 * The cross-field rules over a construct's flat props. The rules are written once for both readers, over a deployment
 * that holds its section under the section's name (`s.rkeHa.nodeCount`, as a settings file nests it); a construct's
 * props are flat, so the rules read them through a view that also names the props as their section (nothing copied
 * or parsed again), and a problem in the section is reported at the prop's own path.
 */
function refineProps<T extends z.ZodObject>(schema: T, section: SectionName, names: SettingNames): T {
  return schema.superRefine(
    (p: Record<string, unknown>, ctx) => {
      if (!p || typeof p !== 'object') return;
      // RancherOnExistingCluster's `dns` is its section's (the record's target), not the deployment's DNS mode.
      const view = { ...p, ...(section === 'k8sHa' ? { dns: undefined } : {}), [section]: p } as RuleInput;
      const problem: Problem = (path, message, input) =>
        ctx.addIssue({ code: 'custom', path: path[0] === section ? path.slice(1) : path, message, input });
      for (const rules of DEPLOYMENT_RULES) rules(view, problem, names);
    },
    { when: () => true },
  );
}

/** Each construct's own props: its section's fields, flat beside the deployment's in its props and schema. */
export const SECTION_FIELDS = { rkeHa: RKE_HA_FIELDS, k8sHa: K8S_HA_FIELDS, docker: DOCKER_FIELDS } as const;

/** How RancherOnRke's messages name its own props and the rest (setting-names.ts). */
const RKE_PROPS = propsNames('rkeHa');
/** RancherOnRke's props, checked and completed, flat as the props are: the deployment's fields and `rkeHa`'s. */
export const rancherOnRkeSchema = refineProps(
  z.strictObject({ ...deploymentFields, ...RKE_HA_FIELDS }).superRefine(
    rkeHaRules((field) => RKE_PROPS('rkeHa', field)),
    { when: () => true },
  ),
  'rkeHa',
  RKE_PROPS,
);

/** RancherOnExistingCluster's props: the deployment's fields but the AWS side's (dns, adminCidrs, vpc), and `k8sHa`'s. */
export const rancherOnExistingClusterSchema = refineProps(z.strictObject({ ...withoutAwsFields, ...K8S_HA_FIELDS }), 'k8sHa', propsNames('k8sHa'));

const DOCKER_PROPS = propsNames('docker');
/** RancherOnDocker's props: the deployment's fields and `docker`'s. */
export const rancherOnDockerSchema = refineProps(
  z.strictObject({ ...deploymentFields, ...DOCKER_FIELDS }).superRefine(
    dockerRules((field) => DOCKER_PROPS('docker', field)),
    { when: () => true },
  ),
  'docker',
  DOCKER_PROPS,
);

/** What every construct's resolved props hold (RancherOnExistingCluster's lack the AWS side's fields). */
export type ResolvedDeploymentProps = z.output<z.ZodObject<typeof deploymentFields>>;

/** RancherOnRke's props checked and completed: every default filled in, flat as the props are. */
export type ResolvedRancherOnRkeProps = z.output<typeof rancherOnRkeSchema>;
/** RancherOnExistingCluster's props checked and completed. */
export type ResolvedRancherOnExistingClusterProps = z.output<typeof rancherOnExistingClusterSchema>;
/** RancherOnDocker's props checked and completed. */
export type ResolvedRancherOnDockerProps = z.output<typeof rancherOnDockerSchema>;
