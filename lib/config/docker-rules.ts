import type { z } from 'zod';
import {
  adminNetworkLimit,
  adminNetworkProblems,
  backupScheduleRule,
  bootstrapRules,
  hostEgressRule,
  closesEgressWithoutProxy,
  hostnameLengthRule,
  hostnameRules,
  ipv6AdminCidrs,
  ownVpcRule,
  rancherTlsRules,
  rancherVersionRules,
  type DeploymentValues,
  type Rule,
} from './deployment-rules';
import { OWN_DOMAIN, blankOnWildcard, wildcardNameOf } from './dns-schema';
import type { DOCKER_FIELDS } from './docker-schema';

/**
 * RancherOnDocker's rules that span its props (`tls` with `dns`, `existingNetwork`), over its flat props; the rules
 * within the docker fields alone are the section's (docker-schema.ts dockerRules).
 */

/** RancherOnDocker's props, as its schema completes them. */
export type DockerValues = DeploymentValues & z.output<z.ZodObject<typeof DOCKER_FIELDS>>;
type DockerRule = Rule<DockerValues>;

/** The host's certificate with dns.mode wildcard (tls, dns). */
export const dockerWildcardRules: DockerRule = (p, problem) => {
  const name = wildcardNameOf(p.dns);
  if (name === undefined) return;
  if (p.tls?.issuer === 'blank') problem(['tls', 'issuer'], blankOnWildcard(name), p.tls.issuer);
  if (p.tls?.mode === 'external') {
    problem(
      ['tls', 'mode'],
      `external puts an ALB with an ACM certificate in front, validated through a Route53 zone, and dns.mode wildcard has none (its name is ${name}); use mode rancher with dns.mode wildcard, ${OWN_DOMAIN}`,
      p.tls.mode,
    );
  }
};

/** The issuer of the Docker install's certificate that names it after the hostname (tls issuer acme: ACM or autocert). */
export function dockerIssuer(
  tls: { readonly mode?: string; readonly issuer?: string } | undefined,
  name: (prop: string) => string,
): string | undefined {
  if (tls?.issuer !== 'acme') return undefined;
  return tls.mode === 'external'
    ? `ACM (${name('tls')} mode external, issuer acme)`
    : `the Docker install's Let's Encrypt client (${name('tls.issuer')} acme)`;
}

/** The hostname in the certificate the Docker install's issuer makes (hostname, tls). */
export const dockerHostnameLengthRule = hostnameLengthRule<DockerValues>((p, name) => [dockerIssuer(p.tls, name)]);

/** The admin networks as rules of the host's security group (adminCidrs). */
export const dockerAdminNetworkRule: DockerRule = (p, problem) => adminNetworkProblems(p.adminCidrs, adminNetworkLimit(undefined), problem);

/** The Docker install's own Let's Encrypt client behind closed egress (proxy, tls); with mode external ACM issues, in AWS. */
export const dockerEgressRule: DockerRule = (p, problem) => {
  if (closesEgressWithoutProxy(p.proxy) && p.tls?.issuer === 'acme' && p.tls.mode !== 'external') {
    problem(
      ['tls', 'issuer'],
      "acme needs Let's Encrypt, on the internet, and proxy.egressOnlyTo closes the host's egress without a proxy; set proxy.http, or use issuer blank",
      'acme',
    );
  }
};

/** Not combined yet: the ALB takes a second subnet of the network the stack builds (tls, existingNetwork). */
export const dockerCombinationRule: DockerRule = (p, problem, name) => {
  if (p.tls?.mode === 'external' && p.existingNetwork !== undefined) {
    problem(
      ['tls', 'mode'],
      `external is not offered with ${name('existingNetwork')} yet (the ALB needs a second subnet in another zone, and the setting names one); use mode rancher with an existing network, or let the stack create the network`,
      'external',
    );
  }
};

/** The host is IPv4 only: IPv6 admin networks reach none of its ports (adminCidrs). */
export const dockerIpv6AdminRule: DockerRule = (p, problem) => {
  const ipv6Admin = ipv6AdminCidrs(p);
  if (ipv6Admin.length > 0) {
    problem(['adminCidrs'], `lists IPv6 networks (${ipv6Admin.join(', ')}), and the docker host is IPv4 only; list IPv4 networks`, ipv6Admin);
  }
};

/** RancherOnDocker's rules, in the order their problems are reported. */
export const RANCHER_ON_DOCKER_RULES: readonly DockerRule[] = [
  hostnameRules,
  dockerWildcardRules,
  dockerHostnameLengthRule,
  dockerAdminNetworkRule,
  rancherVersionRules,
  hostEgressRule,
  dockerEgressRule,
  backupScheduleRule,
  rancherTlsRules,
  bootstrapRules,
  dockerCombinationRule,
  ownVpcRule,
  dockerIpv6AdminRule,
];
