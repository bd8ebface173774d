import { z } from 'zod';

/** How Rancher's name comes to be: a record in your Route53 zone, or a name a public wildcard DNS service derives from an address. */
export const DNS_MODES = ['route53', 'wildcard'] as const;
/**
 * Public wildcard DNS services that answer `<a-b-c-d>.<domain>` with the
 * address a.b.c.d. sslip.io and nip.io are the same service today; the second
 * is the way out when Let's Encrypt's limit for one of them is used up.
 */
export const WILDCARD_DNS_DOMAINS = ['sslip.io', 'nip.io'] as const;

export type DnsMode = (typeof DNS_MODES)[number];
export type WildcardDnsDomain = (typeof WILDCARD_DNS_DOMAINS)[number];

/** The wildcard domain used when `dns.wildcardDomain` is not set. */
export const DEFAULT_WILDCARD_DOMAIN: WildcardDnsDomain = 'sslip.io';

/**
 * The `dns` section (rke-ha and docker): `route53` (the default) keeps
 * `hostname` and `hostedZone` (or their Terraform variables); `wildcard`
 * needs neither and names Rancher after an Elastic IP, for a trial without a
 * domain. The mode is an explicit switch, not "no hostname": an unset
 * hostname has always meant "given as a Terraform variable at plan time".
 */
export const dnsSchema = z
  .strictObject({
    /** rke-ha and docker: `route53` names Rancher `hostname` in `hostedZone` (or their variables); `wildcard` needs neither (both refused with it) and names Rancher after an Elastic IP through a wildcard DNS service, `<a-b-c-d>.sslip.io`, for evaluation (see [Try it without a domain](deploy.md#try-it-without-a-domain)); refuses `rancher.tls.mode: external`, issuer `blank`, `rkeHa.loadBalancer.type: dns` and `docker.tls.mode: external`; recorded by the deployment guard; k8s-ha ignores it */
    mode: z.enum(DNS_MODES).default('route53'),
    /** `wildcard` only: the service that resolves the name. Unset: sslip.io. */
    wildcardDomain: z.enum(WILDCARD_DNS_DOMAINS).optional(),
  })
  .prefault({});

export type DnsSettings = z.output<typeof dnsSchema>;

/** The wildcard domain of a `wildcard` deployment. */
export const wildcardDomain = (dns: Pick<DnsSettings, 'wildcardDomain'>): WildcardDnsDomain => dns.wildcardDomain ?? DEFAULT_WILDCARD_DOMAIN;

/** What a wildcard name looks like, for messages. */
export const wildcardExample = (domain: string = DEFAULT_WILDCARD_DOMAIN) => `<a-b-c-d>.${domain}, from an Elastic IP allocated during the apply`;

export interface DnsProblem {
  readonly path: (string | number)[];
  readonly message: string;
  readonly value: unknown;
}

/** The settings `dnsProblems` reads (any of them may be missing or of the wrong type: cross-field rules run on invalid input too). */
export interface DnsContext {
  /** The deployment's `dns` (RancherOnExistingCluster's is its record's, without a mode). */
  readonly dns?: unknown;
  readonly hostname?: unknown;
  readonly hostedZone?: unknown;
  readonly rancher?: { readonly tls?: { readonly mode?: unknown; readonly issuer?: unknown } };
}

/** What Rancher is named with `dns.mode` wildcard (an example, for messages), or undefined in another mode. */
export function wildcardNameOf(dns: unknown): string | undefined {
  if (dns === null || typeof dns !== 'object' || (dns as { mode?: unknown }).mode !== 'wildcard') return undefined;
  return wildcardExample(wildcardDomain(dns as Partial<DnsSettings>));
}

/** The way out of a refusal of dns.mode wildcard. */
export const OWN_DOMAIN = 'or set dns.mode: route53 to use a domain of your own';

/** The refusal of issuer blank with dns.mode wildcard named `name` (rancher.tls and the Docker install's tls alike). */
export const blankOnWildcard = (name: string) =>
  `blank serves a certificate you bring, and no certificate can name ${name}; use issuer rancher (the default), ca or acme with dns.mode wildcard, ${OWN_DOMAIN} that your certificate names`;

/**
 * The combinations `dns.mode: wildcard` cannot serve among the fields every deployment has, each naming the
 * setting, why, and what to choose instead; and `wildcardDomain` without the mode it belongs to. A construct's own
 * props add theirs (rke-ha-rules.ts, docker-rules.ts).
 */
export function dnsProblems(s: DnsContext): DnsProblem[] {
  const problems: DnsProblem[] = [];
  const add = (path: (string | number)[], message: string, value: unknown) => problems.push({ path, message, value });
  const name = wildcardNameOf(s.dns);
  if (name === undefined) {
    const wildcard = s.dns !== null && typeof s.dns === 'object' ? (s.dns as { wildcardDomain?: unknown }).wildcardDomain : undefined;
    if (wildcard !== undefined) add(['dns', 'wildcardDomain'], 'applies to dns.mode wildcard only; remove it, or set dns.mode: wildcard', wildcard);
    return problems;
  }
  if (s.hostname !== undefined) {
    add(['hostname'], `cannot be set with dns.mode wildcard, which names Rancher ${name}; remove hostname and hostedZone, ${OWN_DOMAIN}`, s.hostname);
  }
  if (s.hostedZone !== undefined) {
    add(
      ['hostedZone'],
      `cannot be set with dns.mode wildcard, which uses no Route53 zone; remove hostname and hostedZone, ${OWN_DOMAIN}`,
      s.hostedZone,
    );
  }
  const tls = s.rancher?.tls;
  if (tls?.mode === 'external') {
    add(
      ['rancher', 'tls', 'mode'],
      `external needs an ACM certificate validated through a Route53 zone, and dns.mode wildcard has none (its name is ${name}); use mode ingress or rancher with dns.mode wildcard, ${OWN_DOMAIN}`,
      tls.mode,
    );
  }
  if (tls?.issuer === 'blank') add(['rancher', 'tls', 'issuer'], blankOnWildcard(name), tls.issuer);
  return problems;
}

/**
 * Let's Encrypt counts certificates per registered domain, which it finds
 * with the Public Suffix List; sslip.io and nip.io are not on it, so every
 * user of the service shares one weekly limit. Allowed, with this warning.
 */
export function acmeOnWildcardWarning(domain: WildcardDnsDomain, setting: string): string {
  const other = WILDCARD_DNS_DOMAINS.find((d) => d !== domain);
  return (
    `${setting} acme with dns.mode wildcard: Let's Encrypt limits certificates per registered domain, and ${domain} is not on the Public Suffix List, ` +
    `so everyone using ${domain} shares one limit. Issuance can fail for reasons outside your control (the end-of-deploy /ping check then fails ` +
    `for want of a certificate); then set dns.wildcardDomain: ${other} for a new deployment, or use issuer rancher.`
  );
}
