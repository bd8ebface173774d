import type { z } from 'zod';
import { untrustedCertificate } from './bootstrap-schema';
import { dnsProblems } from './dns-schema';
import { isIpv6Text } from './cidr';
import { cronSets } from './cron';
import { longestGapMinutes } from '../alarms/schedule-window';
import { SSM_PARAMETER_ARN } from './registry-credentials';
import { tlsProblems } from './tls-schema';
import { installsCertManager } from '../tls/tls-plan';
import { COMMUNITY_LAST_PATCH, RANCHER_KUBERNETES_RANGE, primeOnly, rancherLine } from './versions';
import type { deploymentFields } from './deployment-schema';
import { RANCHER_PUBLIC_PORTS, RKE2_SERVER_PORTS } from '../nodes/private/ports';
import { rulesOver } from './rules-over';

/**
 * The rules that span a deployment's fields, over a construct's flat props (`p.hostname`, `p.amiId`): the ones every
 * deployment has here; each construct's own beside its section (rke-ha-rules.ts, k8s-ha-rules.ts, docker-rules.ts).
 * The settings file applies the same functions to each of its sections (app/config/settings-rules.ts). Any field may
 * be missing or of another type: the rules run on invalid input too, so each checks the types of the values it relies
 * on; a section (a mapping, a list) is never of another type (rules-over.ts gives the rules its defaults instead).
 */

/** A deployment's fields, as its schema completes them. */
export type DeploymentValues = z.output<z.ZodObject<typeof deploymentFields>>;
/** What the rules every deployment has read: RancherOnExistingCluster's `dns` is its record's (`{ target }`). */
export type CommonValues = Omit<DeploymentValues, 'dns'> & { readonly dns?: unknown };
export type Problem = (path: readonly (string | number)[], message: string, input: unknown) => void;
/**
 * A rule over props P: where it reports, and how a message names a prop of the construct's own section (`amiId` for
 * the construct, `rkeHa.amiId` for a settings file; setting-names.ts).
 */
export type Rule<P> = (p: Partial<P>, problem: Problem, name: (prop: string) => string) => void;
/** A rule that reads the shared fields only, whose messages name them alike for every reader. */
export type CommonRule = (p: Partial<CommonValues>, problem: Problem) => void;

/** X.509's upper bound of a common name, which ACM and autocert fill with the first domain name. */
export const MAX_COMMON_NAME = 64;

export const str = (v: unknown): v is string => typeof v === 'string';
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * Runs `rules` over the props `schema` checks, even when other fields failed, so one run reports everything; a
 * section the schema refused as a whole is, to the rules, as if it were not given (rules-over.ts).
 */
export function withRules<T extends z.ZodObject>(schema: T, rules: readonly Rule<z.output<T>>[], name: (prop: string) => string): T {
  return rulesOver(schema, (p, ctx) => {
    const problem: Problem = (path, message, input) => ctx.addIssue({ code: 'custom', path: [...path], message, input });
    for (const rule of rules) rule(p, problem, name);
  });
}

/** Rancher's name: the DNS mode and the hostname in its zone (dns, hostname, hostedZone, rancher.tls). */
export const hostnameRules: CommonRule = (p, problem) => {
  for (const d of dnsProblems(p)) problem(d.path, d.message, d.value);
  // Compared as DNS compares names (any case, with or without the root's dot): a name written in upper case or with a
  // trailing dot has its own problem from its field's rule, not a second, false one here.
  const dnsName = (name: string) => name.toLowerCase().replace(/\.$/, '');
  if (str(p.hostname) && str(p.hostedZone)) {
    const [hostname, zone] = [dnsName(p.hostname), dnsName(p.hostedZone)];
    if (hostname !== zone && !hostname.endsWith(`.${zone}`)) problem(['hostname'], `must be inside hostedZone "${p.hostedZone}"`, p.hostname);
  }
};

/** ACM's issuer of the Helm chart's certificate, which names it after the hostname (rancher.tls mode external, issuer acme). */
export function chartIssuer(tls: { readonly mode?: string; readonly issuer?: string } | undefined): string | undefined {
  return tls?.mode === 'external' && tls.issuer === 'acme' ? 'ACM (rancher.tls mode external, issuer acme)' : undefined;
}

/** A hostname longer than `issuers` (those that put it in a certificate's common name) take. */
export function hostnameLengthRule<P extends CommonValues>(
  issuers: (p: Partial<P>, name: (prop: string) => string) => readonly (string | undefined)[],
): Rule<P> {
  return (p, problem, name) => {
    if (!str(p.hostname) || p.hostname.length <= MAX_COMMON_NAME) return;
    const named = issuers(p, name).filter((issuer) => issuer !== undefined);
    if (named.length === 0) return;
    problem(
      ['hostname'],
      `has ${p.hostname.length} characters, and ${named.join(' and ')} takes at most ${MAX_COMMON_NAME} for the certificate's name`,
      p.hostname,
    );
  };
}

/** The Helm chart's deployments' (rke-ha, k8s-ha) hostname length. */
export const chartHostnameLengthRule = hostnameLengthRule((p) => [chartIssuer(p.rancher?.tls)]);

/** The Rancher version and where its chart comes from (versions.rancher, rancher.repository, airGap). */
export const rancherVersionRules: CommonRule = (p, problem) => {
  const rancher = p.versions?.rancher;
  const line = str(rancher) ? rancherLine(rancher) : undefined;
  if (line !== undefined && !RANCHER_KUBERNETES_RANGE[line]) {
    problem(['versions', 'rancher'], `unknown Rancher line ${line}; supported: ${Object.keys(RANCHER_KUBERNETES_RANGE).join(', ')}`, rancher);
  }
  const repository = p.rancher?.repository;
  if (str(rancher) && primeOnly(rancher) && repository !== 'prime' && p.airGap?.rancherChartRepository === undefined) {
    problem(
      ['versions', 'rancher'],
      `Rancher publishes ${rancher} to Rancher Prime only (community releases of ${line} ended with ${line}.${COMMUNITY_LAST_PATCH[line as string]}), so the ${repository ?? 'stable'} repository does not serve it; set rancher.repository: prime, or a community version`,
      rancher,
    );
  }
};

/** Closed egress without a proxy (proxy.egressOnlyTo without proxy.http or proxy.https). */
export function closesEgressWithoutProxy(proxy: Partial<CommonValues>['proxy']): proxy is NonNullable<Partial<CommonValues>['proxy']> {
  return Array.isArray(proxy?.egressOnlyTo) && proxy.egressOnlyTo.length > 0 && proxy.http === undefined && proxy.https === undefined;
}

/**
 * Closed egress without a proxy: the mirrors it needs, and Let's Encrypt it cannot reach (proxy, airGap, rancher.tls).
 * `chart`: the deployment installs Rancher's Helm chart and cert-manager (rke-ha, k8s-ha), the Docker install neither.
 */
function closedEgressRules(chart: boolean): CommonRule {
  return (p, problem) => {
    // SSM, Session Manager and S3 get VPC endpoints (the stacks add them), but the installer and the images can only
    // come from the VPC or the listed networks, so mirrors there are required.
    const proxy = p.proxy;
    if (!closesEgressWithoutProxy(proxy)) return;
    const missing = [
      p.airGap?.installerUrl === undefined ? 'airGap.installerUrl (the RKE2/K3s installer and what it downloads)' : undefined,
      p.airGap?.systemDefaultRegistry === undefined ? 'airGap.systemDefaultRegistry (every system and Rancher image)' : undefined,
    ].filter((m) => m !== undefined);
    // cert-manager (issuers rancher, ca and acme at the ingress) pulls from quay.io; Let's Encrypt is on the internet.
    const tls = p.rancher?.tls;
    const issuer = tls?.issuer ?? 'rancher';
    if (chart && installsCertManager(tls?.mode, issuer) && p.airGap?.registryMirrors?.['quay.io'] === undefined) {
      missing.push('airGap.registryMirrors["quay.io"] (rke-ha installs cert-manager, whose images are on quay.io)');
    }
    if (chart && issuer === 'acme' && tls?.mode !== 'external') {
      problem(
        ['rancher', 'tls', 'issuer'],
        "acme needs Let's Encrypt, on the internet, and proxy.egressOnlyTo closes the nodes' egress without a proxy; set proxy.http, or use issuer ca or blank",
        'acme',
      );
    }
    // The registry login comes from an AWS API, which closed egress reaches only through this region's SSM endpoint.
    const login = p.airGap?.registryCredentials;
    if (str(login?.secretsManagerSecret)) {
      problem(
        ['airGap', 'registryCredentials', 'secretsManagerSecret'],
        "is read from Secrets Manager, and proxy.egressOnlyTo closes the nodes' egress without a proxy: the stacks add VPC endpoints for SSM, not Secrets Manager; use ssmParameter (a SecureString), or set proxy.http",
        login.secretsManagerSecret,
      );
    }
    const loginRegion = str(login?.ssmParameter) ? SSM_PARAMETER_ARN.exec(login.ssmParameter)?.[2] : undefined;
    if (loginRegion !== undefined && str(p.region) && loginRegion !== p.region) {
      problem(
        ['airGap', 'registryCredentials', 'ssmParameter'],
        `is in ${loginRegion}, and proxy.egressOnlyTo closes the nodes' egress without a proxy: the SSM endpoint the stacks add serves ${p.region} only; use a parameter in ${p.region}, or set proxy.http`,
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
  };
}

/** Closed egress for the Helm chart's deployments (rke-ha, k8s-ha), which install cert-manager. */
export const chartEgressRule = closedEgressRules(true);
/** Closed egress for the Docker install, which installs neither the chart nor cert-manager. */
export const hostEgressRule = closedEgressRules(false);

/**
 * A valid five-field schedule no date matches (31 February): robfig/cron, which RKE2 and the rancher-backup operator
 * both schedule with, takes it without a word and its `Next` gives up after five years with the zero time. RKE2 then
 * never snapshots; the operator reads the zero time as overdue and backs up again at once, over and over
 * (docs/design-notes.md, "Schedules that never run"). Neither can have a freshness alarm.
 */
export const neverRuns = (schedule: unknown): schedule is string =>
  str(schedule) && cronSets(schedule) !== undefined && longestGapMinutes(schedule) === undefined;

/** Rancher's backups on a schedule that never runs (backups). */
export const backupScheduleRule: CommonRule = (p, problem) => {
  const schedule = p.backups?.schedule;
  if (p.backups?.enabled !== false && neverRuns(schedule)) {
    problem(
      ['backups', 'schedule'],
      'never runs: no date matches all its fields, so the rancher-backup operator finds no next run, takes it as overdue and backs up again at once, over and over (and no freshness alarm can watch it)',
      schedule,
    );
  }
};

/**
 * The TLS pairs of Rancher's Helm chart (rancher.tls); the ingress controller each mode needs is rke-ha's rule, which
 * knows the controller (rke-ha-rules.ts).
 */
export const rancherTlsRules: CommonRule = (p, problem) => {
  if (p.rancher?.tls) for (const t of tlsProblems(p.rancher.tls)) problem(['rancher', 'tls', ...t.path], t.message, t.value);
};

/** Rancher's first login and restore (rancher.bootstrap, backups). */
export const bootstrapRules: CommonRule = (p, problem) => {
  // Off by default then (bootstrapEnabled); asked for explicitly, it could not log in.
  if (p.rancher?.bootstrap?.enabled === true && p.rancher.tls && untrustedCertificate(p.rancher.tls)) {
    problem(
      ['rancher', 'bootstrap', 'enabled'],
      "the first-login bootstrap verifies Rancher's certificate before it sends the admin password, and nothing trusts a Let's Encrypt staging certificate; remove it (with staging the bootstrap is off: log in with the rancher_bootstrap_password output) or use rancher.tls.acme.environment production",
      true,
    );
  }
  // A restore runs through the operator, and brings back Rancher's users: the first login's password would not log in.
  if (p.backups?.restoreFrom !== undefined && p.backups.enabled === false) {
    problem(
      ['backups', 'enabled'],
      'is false, and backups.restoreFrom restores through the rancher-backup operator, which backups.enabled installs; set it true (or remove restoreFrom)',
      false,
    );
  }
  if (p.backups?.restoreFrom !== undefined && p.rancher?.bootstrap?.enabled !== false) {
    problem(
      ['rancher', 'bootstrap', 'enabled'],
      "must be false with backups.restoreFrom: the restore brings back Rancher's own admin users and passwords, so the first-login bootstrap could not log in with a new one; set rancher.bootstrap.enabled: false (log in as before the backup)",
      p.rancher?.bootstrap?.enabled ?? '(unset: true)',
    );
  }
};

/** The IPv6 networks of `adminCidrs`. */
export const ipv6AdminCidrs = (p: Partial<CommonValues>): string[] =>
  Array.isArray(p.adminCidrs) ? p.adminCidrs.filter((c) => str(c) && isIpv6Text(c)) : [];

/**
 * What a VPC of yours leaves to you (vpc, proxy): the vpc options and the endpoints that closed egress without a
 * proxy needs are built into the VPC a stack creates; a VPC of yours is left as it is (its flow logs and endpoints
 * are yours to configure). `mine`: the settings that name a VPC of yours, as the reader names them.
 */
export function ownVpcProblems(p: Partial<CommonValues>, mine: readonly string[], problem: Problem): void {
  if (mine.length === 0) return;
  const named = mine.join(' and ');
  const yours = `${named} ${mine.length > 1 ? 'use VPCs' : 'uses a VPC'} of yours`;
  if (p.vpc?.flowLogs?.destination !== undefined && p.vpc.flowLogs.destination !== 'none') {
    problem(
      ['vpc', 'flowLogs', 'destination'],
      `turns on flow logs for the VPC a stack creates, and ${yours}, which the stack leaves as it is; turn flow logs on there yourself, or remove ${named}`,
      p.vpc.flowLogs.destination,
    );
  }
  if (Array.isArray(p.vpc?.endpoints) && p.vpc.endpoints.length > 0) {
    problem(
      ['vpc', 'endpoints'],
      `are created in the VPC a stack creates, and ${yours}, which the stack leaves as it is; create them there yourself, or remove ${named}`,
      p.vpc.endpoints,
    );
  }
  if (closesEgressWithoutProxy(p.proxy)) {
    problem(
      ['proxy', 'egressOnlyTo'],
      `closes the nodes' egress without a proxy, which needs VPC endpoints for SSM and S3 that the stacks add only to a VPC they create, and ${yours}; set proxy.http (a proxy the nodes reach), or remove ${named}`,
      p.proxy.egressOnlyTo,
    );
  }
}

/** A construct's own existing network (rke-ha's, docker's): what its VPC leaves to you. */
export const ownVpcRule = (
  p: Partial<CommonValues> & { readonly existingNetwork?: unknown },
  problem: Problem,
  name: (prop: string) => string,
): void => ownVpcProblems(p, p.existingNetwork !== undefined ? [name('existingNetwork')] : [], problem);

/** AWS's default quota of inbound rules per security group. */
export const SECURITY_GROUP_INBOUND_RULES = 60;

/**
 * How many admin networks fit: every admin CIDR is an inbound rule of a security group that holds other rules too,
 * and AWS allows 60 per group by default. `servers`: rke-ha's props, whose node group (only with SSH) carries the
 * most others: the cluster ports and the balancers'; undefined for the Docker host. Shared with the app's
 * `admin_cidrs` variable, which refuses what the settings refuse.
 */
export function adminNetworkLimit(
  servers: { readonly sshKeyName?: string; readonly loadBalancer?: { readonly type?: string }; readonly ingressMigration?: string } | undefined,
): {
  readonly max: number;
  readonly perNetwork: number;
  readonly others: number;
} {
  const ssh = servers?.sshKeyName !== undefined;
  // Without a load balancer (loadBalancer dns) the node group also takes 6443 from each admin network.
  const dnsRoundRobin = servers?.loadBalancer?.type === 'dns';
  const perNetwork = (ssh ? 1 : 0) + (dnsRoundRobin ? 1 : 0);
  // A move off ingress-nginx (ingressMigration) admits the balancer on Traefik's two side ports too.
  const sidePorts = servers?.ingressMigration !== undefined ? 2 : 0;
  const others =
    ssh || dnsRoundRobin ? RKE2_SERVER_PORTS.length + RANCHER_PUBLIC_PORTS.length + (dnsRoundRobin ? 0 : 2 + sidePorts) : RANCHER_PUBLIC_PORTS.length;
  return { max: Math.floor((SECURITY_GROUP_INBOUND_RULES - others) / Math.max(perNetwork, 1)), perNetwork, others };
}

/** The admin networks as security group rules (adminCidrs), as many as `limit` allows. */
export function adminNetworkProblems(adminCidrs: unknown, limit: ReturnType<typeof adminNetworkLimit>, problem: Problem): void {
  if (!Array.isArray(adminCidrs)) return;
  const { max, perNetwork, others } = limit;
  if (adminCidrs.length <= max) return;
  const rules = perNetwork > 1 ? `is ${perNetwork} inbound rules (6443 and SSH)` : 'is an inbound rule';
  problem(
    ['adminCidrs'],
    `${adminCidrs.length} networks are too many: each ${rules} of a security group that also holds ${others} others, and AWS allows ${SECURITY_GROUP_INBOUND_RULES} inbound rules per group by default; list at most ${max}, using wider blocks`,
    `${adminCidrs.length} blocks`,
  );
}
