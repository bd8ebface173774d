import { z } from 'zod';
import { AWS_REGIONS } from './aws-regions';
import { nearestKey } from './nearest-key';
import { DEFAULT_VERSIONS, VERSION_FORMATS } from './versions';
import { cidrsOverlap, parseCidr } from './cidr';

/** Field types shared by the settings sections, each with a message that says what is allowed. */

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
export const awsRegion = z.string().superRefine((region, ctx) => {
  if (!REGION_FORMAT.test(region)) ctx.addIssue({ code: 'custom', message: 'expected an AWS region such as eu-west-1', input: region });
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

export const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: 'expected an EC2 instance type such as m6i.xlarge' });

export const amiId = z.string().regex(/^ami-[0-9a-f]{8,17}$/, { message: 'expected an AMI id such as ami-0123456789abcdef0' });

export const vpcId = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: 'expected a VPC id such as vpc-0123456789abcdef0' });

export const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: 'expected a subnet id such as subnet-0123456789abcdef0' });

/** An EC2 key pair name: up to 255 ASCII characters, no leading or trailing space. */
export const keyPairName = z.string().regex(/^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$/, {
  message: 'expected an EC2 key pair name: 1-255 printable ASCII characters, no leading or trailing space',
});

export const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: 'expected an e-mail address' });

/** RKE2's own pod and service networks; a VPC must not overlap them. */
export const RKE2_CLUSTER_CIDR = '10.42.0.0/16';
export const RKE2_SERVICE_CIDR = '10.43.0.0/16';

export const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  message: 'expected an IPv4 CIDR block such as 203.0.113.0/24 (no host bits set)',
});

export const adminCidr = cidr.refine((v) => parseCidr(v)?.prefix !== 0, {
  message: 'admin ports must not be open to the whole internet; list the networks you administer from',
});

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

/**
 * A whole number in a range. Built from refinements rather than zod's `.int()`,
 * which aborts the parse and would hide the cross-field problems of the file.
 */
export const wholeNumber = (min: number, max: number) =>
  z
    .number()
    .refine(Number.isInteger, { message: 'expected a whole number' })
    .refine((n) => n >= min && n <= max, { message: `expected a whole number from ${min} to ${max}` });

export const version = (key: keyof typeof VERSION_FORMATS, example: string) =>
  z
    .string()
    .regex(VERSION_FORMATS[key], { message: `expected a version like ${example}` })
    .default(DEFAULT_VERSIONS[key]);
