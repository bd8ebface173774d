import { z } from 'zod';
import { AWS_REGIONS } from './aws-regions';
import { nearestKey } from './nearest-key';
import { DEFAULT_VERSIONS, VERSION_FORMATS, rancherVersionFix } from './versions';
import { cidrsOverlap, documentationRange, isIpv6Text, parseCidr, parseCidr6 } from './cidr';

/** Field types shared by the settings sections, each with a message that says what is allowed. */

/**
 * A length a pattern or a refinement enforces, as the schema's metadata for the settings reference
 * (scripts/settings-reference.ts), which cannot read it from them; `of: 'name'` where an ARN may be given instead.
 */
export const lengthBounds = (minLength: number, maxLength: number, of?: 'name') => ({ minLength, maxLength, ...(of ? { lengthOf: of } : {}) });

const DNS_LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
export const FQDN = new RegExp(`^(?=.{1,253}$)${DNS_LABEL}(\\.${DNS_LABEL})+$`);

/** A DNS name as Route53 and the stacks use it; the message says how to fix the common slips (a trailing dot, capitals). */
export const fqdn = (what: string) =>
  z.string().superRefine((name, ctx) => {
    if (FQDN.test(name)) return;
    const fix =
      name.endsWith('.') && FQDN.test(name.slice(0, -1).toLowerCase())
        ? `write it without the trailing dot, "${name.slice(0, -1)}"`
        : FQDN.test(name.toLowerCase())
          ? `write it in lower case, "${name.toLowerCase()}"`
          : undefined;
    const message = `expected ${what}: lower-case DNS name with at least two labels, e.g. rancher.example.com`;
    ctx.addIssue({ code: 'custom', message: fix ? `${message}; ${fix}` : message, input: name });
  });

const REGION_FORMAT = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** The AWS European Sovereign Cloud's regions (partition `aws-eusc`, `eusc-de-east-1` the first). */
const EUSC_REGION = /^eusc-[a-z]{2}-[a-z]+-\d$/;
export const awsRegion = z.string().superRefine((region, ctx) => {
  if (EUSC_REGION.test(region))
    ctx.addIssue({
      code: 'custom',
      message:
        "is in the AWS European Sovereign Cloud (partition aws-eusc), which this project does not support yet: the AWS provider's own " +
        'records show it still learning the partition (hashicorp/terraform-provider-aws#45895: resources refused its region names until ' +
        '6.29.0), and the stacks here do not know its endpoints (some on amazonwebservices.eu, not amazonaws.eu), DNS suffix, image ' +
        'publishers or service principals (docs/settings.md, "Unconfirmed here")',
      input: region,
    });
  else if (!REGION_FORMAT.test(region)) ctx.addIssue({ code: 'custom', message: 'expected an AWS region such as eu-west-1', input: region });
  else if (!AWS_REGIONS.includes(region)) {
    const near = nearestKey(region, AWS_REGIONS);
    ctx.addIssue({
      code: 'custom',
      message: `is not an AWS region${near ? ` (did you mean ${near}?)` : ''}; regions: ${AWS_REGIONS.join(', ')}`,
      input: region,
    });
  }
});

/** A TCP port, 1-65535, as a regular expression source (no leading zeros). */
export const PORT = '(?:[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])';

/** An EC2 instance type's form: family, a dot, size (which types exist is instance-types.ts's table). */
export const INSTANCE_TYPE_FORMAT = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
export const instanceType = z.string().regex(INSTANCE_TYPE_FORMAT, { message: 'expected an EC2 instance type such as m6i.xlarge' });

/**
 * An EC2 resource id: its prefix and 8 hex digits (the older form) or 17 (since 2018); nothing between, which EC2
 * never issues and refuses at plan or apply ("InvalidAMIID.Malformed", "InvalidSnapshotID.Malformed").
 */
export const ec2Id = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), {
    message: `expected ${what} id such as ${prefix}-0123456789abcdef0 (${prefix}- and 8 or 17 hexadecimal digits)`,
  });

export const amiId = ec2Id('ami', 'an AMI');

export const vpcId = ec2Id('vpc', 'a VPC');

export const subnetId = ec2Id('subnet', 'a subnet');

export const snapshotId = ec2Id('snap', 'a snapshot');

/** An EC2 key pair name: up to 255 ASCII characters, no leading or trailing space. */
export const keyPairName = z
  .string()
  .regex(/^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$/, {
    message: 'expected an EC2 key pair name: 1-255 printable ASCII characters, no leading or trailing space',
  })
  .meta(lengthBounds(1, 255));

/** The longest address SMTP carries (RFC 5321, 4.5.3.1.3: a path of 256 octets, less its angle brackets). */
export const MAX_EMAIL_LENGTH = 254;
/** The longest local part (before the @) SMTP carries (RFC 5321, 4.5.3.1.1). */
const MAX_EMAIL_LOCAL_PART = 64;

/** An e-mail address as Let's Encrypt and SNS take it: one @, a domain with a dot, within SMTP's lengths. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export const email = z.string().superRefine((address, ctx) => {
  const problem = !EMAIL.test(address)
    ? 'expected an e-mail address'
    : address.length > MAX_EMAIL_LENGTH
      ? `expected an e-mail address of at most ${MAX_EMAIL_LENGTH} characters (the longest SMTP carries; this one has ${address.length})`
      : address.indexOf('@') > MAX_EMAIL_LOCAL_PART
        ? `expected an e-mail address with at most ${MAX_EMAIL_LOCAL_PART} characters before the @ (the longest SMTP carries)`
        : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: address });
});

/**
 * Domains reserved for documentation and testing (RFC 2606, RFC 6761): no one's hosted zone and no one's mailbox.
 * Names are compared in lower case (DNS is case-insensitive: ops@EXAMPLE.COM is at example.com). The pattern's
 * source is also the zone and hostname variables' rule (app/deployment-variables.ts): written for both JavaScript and
 * RE2, Terraform's regex engine.
 */
export const RESERVED_DOMAIN_PATTERN = '(^|\\.)(example\\.(com|net|org)|example|test|invalid|localhost)$';
const RESERVED_DOMAIN = new RegExp(RESERVED_DOMAIN_PATTERN);
/** The reserved domains as a reader knows them, for messages. */
export const RESERVED_DOMAINS_TEXT = 'example.com, example.net, example.org, and names under .example, .test, .invalid or .localhost';
export const isReservedDomain = (domain: string): boolean => RESERVED_DOMAIN.test(domain.toLowerCase());
/** The domain of an e-mail address (after its last @). */
export const emailDomain = (address: string): string => address.slice(address.lastIndexOf('@') + 1);

/**
 * S3's rules for general purpose bucket names (the Amazon S3 user guide, "General purpose bucket naming rules"):
 * 3-63 characters, lower-case letters, digits, hyphens and (where `dots`) periods, each period-separated label
 * beginning and ending with a letter or digit (no "a.-b" or "a-.b": not a DNS name, so no virtual-hosted address),
 * not an IP address, and none of the prefixes and suffixes S3 reserves (`sthree-` covers `sthree-configurator`). What CreateBucket, the S3 backend or the
 * rancher-backup operator would refuse, with the rule broken.
 */
export const S3_RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
export const S3_RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;

export function s3BucketNameProblem(name: string, options: { readonly dots: boolean }): string | undefined {
  const characters = options.dots ? 'lower-case letters, digits, hyphens and periods' : 'lower-case letters, digits and hyphens';
  if (name.length < 3 || name.length > 63 || !(options.dots ? /^[a-z0-9.-]+$/ : /^[a-z0-9-]+$/).test(name))
    return `expected an S3 bucket name: 3-63 ${characters}`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'expected an S3 bucket name beginning and ending with a letter or digit';
  if (name.includes('..')) return 'is not a valid S3 bucket name: two adjacent periods';
  if (name.split('.').some((label) => /^-|-$/.test(label)))
    return 'is not a valid S3 bucket name: a hyphen beside a period (each period-separated part must begin and end with a letter or digit)';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'is not a valid S3 bucket name: it is formatted as an IP address';
  const prefix = S3_RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `is not a valid S3 bucket name: S3 reserves the prefix ${prefix}`;
  const suffix = S3_RESERVED_SUFFIXES.find((p) => name.endsWith(p));
  if (suffix) return `is not a valid S3 bucket name: S3 reserves the suffix ${suffix}`;
  return undefined;
}

/** An S3 bucket name; `dots: false` where the bucket is reached by virtual host over TLS (a dotted name breaks the certificate). */
export const s3BucketName = (options: { readonly dots: boolean }) =>
  z
    .string()
    .superRefine((name, ctx) => {
      const problem = s3BucketNameProblem(name, options);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: name });
    })
    .meta(lengthBounds(3, 63));

/** RKE2's own pod and service networks; a VPC must not overlap them. */
export const RKE2_CLUSTER_CIDR = '10.42.0.0/16';
export const RKE2_SERVICE_CIDR = '10.43.0.0/16';
/**
 * The IPv6 halves of a dual-stack cluster's pod and service networks (`rkeHa.dualStack`): the unique local
 * ranges K3s itself takes for an IPv6 cluster when none is set (its GetDefaultAddresses), a /56 of pods (a /64 per
 * node) and a /112 of services, the largest IPv6 service range K3s accepts. Never routed outside the cluster.
 */
export const RKE2_CLUSTER_CIDR_IPV6 = 'fd00:42::/56';
export const RKE2_SERVICE_CIDR_IPV6 = 'fd00:43::/112';

export const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  message: 'expected an IPv4 CIDR block such as 10.8.0.0/24 (no host bits set)',
});

/**
 * An admin network: an IPv4 block, or an IPv6 one (written with colons; the
 * nodes take it only with `rkeHa.dualStack`, a rule of the deployment schema).
 */
export const adminCidr = z.string().superRefine((v, ctx) => {
  if (typeof v !== 'string') return;
  const ipv6 = isIpv6Text(v);
  const parsed = ipv6 ? parseCidr6(v) : parseCidr(v);
  if (!parsed) {
    const message = ipv6
      ? 'expected an IPv6 CIDR block in its canonical form such as fd12:3456:789a::/48 (lower case, no leading zeros, no host bits set)'
      : 'expected an IPv4 CIDR block such as 10.8.0.0/24 (no host bits set)';
    ctx.addIssue({ code: 'custom', message, input: v });
  } else if (parsed.prefix === 0) {
    ctx.addIssue({ code: 'custom', message: 'admin ports must not be open to the whole internet; list the networks you administer from', input: v });
  } else if (documentationRange(v) !== undefined) {
    ctx.addIssue({ code: 'custom', message: documentationRangeMessage(documentationRange(v)!), input: v });
  }
});

/** Why a documentation range is refused, and the fix: the same words for the settings, the props and (in HCL) the variable. */
export const documentationRangeMessage = (range: string) =>
  `is inside ${range}, an address range reserved for documentation: no one administers from it, so the admin ports would be open to nobody and the first apply would wait out its API gate; list your own networks (your address as /32: curl https://checkip.amazonaws.com), or leave adminCidrs empty for the deployer's own address`;

export const vpcCidr = cidr
  .refine(
    (v) => {
      const p = parseCidr(v);
      return p === undefined || (p.prefix >= 16 && p.prefix <= 22);
    },
    { message: 'expected a prefix between /16 and /22 (sixteen /20 to /26 subnets are carved out of it; an ALB needs /27 or larger)' },
  )
  .refine((v) => parseCidr(v) === undefined || ![RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR].some((c) => cidrsOverlap(v, c)), {
    message: `overlaps RKE2's pod or service network (10.42.0.0/15); choose a VPC range outside it`,
  });

/** A number written in quotes (YAML's `"3"`) is a string: said so, instead of the type's message alone. */
const isQuotedNumber = (input: unknown): input is string => typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input));
const quotedNumber = (issue: { readonly input?: unknown }) =>
  isQuotedNumber(issue.input) ? `expected a number, not the string "${issue.input}": write it without quotes` : undefined;

/** One of a few numbers (a union of literals), with `message` naming them; a quoted one is told it is a string. */
export const oneOfNumbers = <const T extends readonly [number, number, ...number[]]>(values: T, message: string) =>
  z.union(values.map((v) => z.literal(v)) as unknown as readonly [z.ZodLiteral<T[number]>, z.ZodLiteral<T[number]>, ...z.ZodLiteral<T[number]>[]], {
    error: (issue) => (isQuotedNumber(issue.input) ? `${message}, as a number, not the string "${issue.input}": write it without quotes` : message),
  });

/**
 * A whole number in a range. Built from refinements rather than zod's `.int()`,
 * which aborts the parse and would hide the cross-field problems of the file.
 */
export const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: quotedNumber })
    .refine(Number.isInteger, { message: 'expected a whole number' })
    .refine((n) => n >= min && n <= max, { message: `expected a whole number from ${min} to ${max}` })
    // The bounds, for the settings reference (scripts/settings-reference.ts): refinements do not show them.
    .meta({ minimum: min, maximum: max });

export const version = (key: keyof typeof VERSION_FORMATS, example: string) =>
  z
    .string()
    .regex(VERSION_FORMATS[key], { message: `expected a version like ${example}` })
    .default(DEFAULT_VERSIONS[key]);

/**
 * Rancher's version. An unquoted `2.15` (a number to YAML) or a line without its patch (`"2.15"`) gets one message
 * with the full version to write, instead of a type error or the format's example.
 */
export const rancherVersion = (example: string) =>
  z
    .string({ error: (issue) => rancherVersionFix(issue.input) })
    .regex(VERSION_FORMATS.rancher, { error: (issue) => rancherVersionFix(issue.input) ?? `expected a version like ${example}` })
    .default(DEFAULT_VERSIONS.rancher);
