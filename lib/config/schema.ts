import { z } from 'zod';
import {
  DEFAULT_VERSIONS,
  MIN_CERT_MANAGER_MINOR,
  RANCHER_KUBERNETES_RANGE,
  RKE2_INGRESS_NGINX_LAST_MINOR,
  VERSION_FORMATS,
  certManagerMinor,
  rancherLine,
  rke2KubernetesMinor,
} from './versions';
import { cidrsOverlap, parseCidr } from './cidr';

/**
 * The settings file schema. Every field has a documented default so that an
 * empty (or missing) file synthesizes; values only a real deploy can know
 * (hostname, hosted zone) stay unset and become required Terraform variables.
 *
 * Keep `rancher.example.yaml` and the README settings reference in step: a test
 * fails when a field here is missing from either.
 */

const DNS_LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const FQDN = new RegExp(`^(?=.{1,253}$)${DNS_LABEL}(\\.${DNS_LABEL})+$`);

const fqdn = (what: string) =>
  z.string().regex(FQDN, { message: `expected ${what}: lower-case DNS name with at least two labels, e.g. rancher.example.com` });

/** RKE2's own pod and service networks; the VPC must not overlap them. */
export const RKE2_CLUSTER_CIDR = '10.42.0.0/16';
export const RKE2_SERVICE_CIDR = '10.43.0.0/16';

const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  message: 'expected an IPv4 CIDR block such as 203.0.113.0/24 (no host bits set)',
});

const adminCidr = cidr.refine((v) => parseCidr(v)?.prefix !== 0, {
  message: 'admin ports must not be open to the whole internet; list the networks you administer from',
});

const vpcCidr = cidr
  .refine((v) => {
    const p = parseCidr(v);
    return p === undefined || (p.prefix >= 16 && p.prefix <= 24);
  }, { message: 'expected a prefix between /16 and /24 (three subnets are carved out of it)' })
  .refine((v) => parseCidr(v) === undefined || ![RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR].some((c) => cidrsOverlap(v, c)), {
    message: `overlaps RKE2's pod or service network (10.42.0.0/15); choose a VPC range outside it`,
  });

/**
 * A whole number in a range. Built from refinements rather than zod's `.int()`,
 * which aborts the parse and would hide the cross-field problems of the file.
 */
const wholeNumber = (min: number, max: number) =>
  z
    .number()
    .refine(Number.isInteger, { message: 'expected a whole number' })
    .refine((n) => n >= min && n <= max, { message: `expected a whole number from ${min} to ${max}` });

const version = (key: keyof typeof VERSION_FORMATS, example: string) =>
  z
    .string()
    .regex(VERSION_FORMATS[key], { message: `expected a version like ${example}` })
    .default(DEFAULT_VERSIONS[key]);


const localBackend = z.strictObject({
  type: z.literal('local'),
  /** State file path, relative to the stack's directory (cdktf.out/stacks/<stack>). */
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/'), { message: 'expected a relative path (absolute paths do not survive a move to a pipeline)' })
    .optional(),
});

const s3Backend = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'expected an S3 bucket name' }),
  /** Object key; `<stack>` is replaced by the stack name. */
  key: z.string().min(1).default('rancher/<stack>.tfstate'),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: 'expected an AWS region such as eu-west-1' }).optional(),
  kmsKeyId: z.string().min(1).optional(),
});

const tlsSchema = z
  .strictObject({
    /** Where TLS ends. Only `ingress` is implemented so far. */
    mode: z.enum(['ingress']).default('ingress'),
    /** Who issues the certificate. `rancher`: Rancher's own CA through cert-manager. */
    issuer: z.enum(['rancher']).default('rancher'),
  })
  .prefault({});

const rkeHaSchema = z
  .strictObject({
    /** Rancher's "small" tier: 4 vCPU / 16 GiB per node. */
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: 'expected an EC2 instance type such as m6i.xlarge' })
      .default('m6i.xlarge'),
    rootVolumeGb: wholeNumber(40, 16384).default(100),
    vpcCidr: vpcCidr.default('10.0.0.0/16'),
    /** Pin an exact AMI. Default: newest Canonical Ubuntu 24.04 at first deploy, then kept. */
    amiId: z.string().regex(/^ami-[0-9a-f]{8,17}$/, { message: 'expected an AMI id such as ami-0123456789abcdef0' }).optional(),
    /** Existing EC2 key pair; SSH stays closed unless set (SSM Session Manager is the shell). */
    sshKeyName: z.string().min(1).max(255).optional(),
    /** Pinned in the RKE2 config so a version bump never swaps it silently. */
    ingressController: z.enum(['ingress-nginx', 'traefik']).default('ingress-nginx'),
    etcdSnapshots: z
      .strictObject({
        scheduleCron: z
          .string()
          .regex(/^(\S+\s+){4}\S+$/, { message: 'expected a five-field cron expression such as "0 */6 * * *"' })
          .default('0 */6 * * *'),
        retention: wholeNumber(1, 1000).default(28),
        /** Let `destroy` delete the snapshot bucket with its contents. */
        forceDestroyBucket: z.boolean().default(false),
      })
      .prefault({}),
  })
  .prefault({});

export const settingsSchema = z
  .strictObject({
    /** Prefix of every resource name; distinct per deployment sharing an account and region. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/, { message: 'expected 2-16 lower-case letters, digits or dashes, starting with a letter' })
      .default('rancher'),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: 'expected an AWS region such as eu-west-1' }).default('us-east-1'),
    /** Rancher's public name. Unset: the `rancher_hostname` Terraform variable is required at plan time. */
    hostname: fqdn('a hostname').optional(),
    /** Existing public Route53 hosted zone that holds `hostname`. Unset: `route53_zone_name` variable. */
    hostedZone: fqdn('a hosted zone name').optional(),
    /** Networks allowed to reach admin ports (6443, SSH). Empty: the deployer's own public IP (/32). */
    adminCidrs: z.array(adminCidr).default([]),
    /** Extra tags on every AWS resource. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
    backend: z.discriminatedUnion('type', [localBackend, s3Backend]).prefault({ type: 'local' }),
    versions: z
      .strictObject({
        rke2: version('rke2', 'v1.35.0+rke2r1'),
        certManager: version('certManager', 'v1.21.1').refine((v) => (certManagerMinor(v) ?? Infinity) >= MIN_CERT_MANAGER_MINOR, {
          message: `Rancher needs cert-manager v1.${MIN_CERT_MANAGER_MINOR} or newer`,
        }),
        rancher: version('rancher', '2.14.0'),
      })
      .prefault({}),
    rancher: z
      .strictObject({
        replicas: wholeNumber(1, 15).default(3),
        tls: tlsSchema,
      })
      .prefault({}),
    rkeHa: rkeHaSchema,
  })
  // Cross-field rules run even when other fields failed, so one run reports
  // everything; each rule therefore checks the types it relies on.
  .superRefine((s, ctx) => {
    const problem = (path: (string | number)[], message: string, input: unknown) =>
      ctx.addIssue({ code: 'custom', path, message, input });
    const str = (v: unknown): v is string => typeof v === 'string';

    if (str(s.hostname) && str(s.hostedZone) && s.hostname !== s.hostedZone && !s.hostname.endsWith(`.${s.hostedZone}`)) {
      problem(['hostname'], `must be inside hostedZone "${s.hostedZone}"`, s.hostname);
    }

    const rke2 = s.versions?.rke2;
    const rancher = s.versions?.rancher;
    const kubeMinor = str(rke2) ? rke2KubernetesMinor(rke2) : undefined;
    const line = str(rancher) ? rancherLine(rancher) : undefined;
    if (kubeMinor !== undefined && line !== undefined) {
      const range = RANCHER_KUBERNETES_RANGE[line];
      if (!range) {
        problem(['versions', 'rancher'], `unknown Rancher line ${line}; supported: ${Object.keys(RANCHER_KUBERNETES_RANGE).join(', ')}`, rancher);
      } else if (kubeMinor < range.min || kubeMinor >= range.maxExclusive) {
        problem(
          ['versions', 'rke2'],
          `Kubernetes 1.${kubeMinor} is outside Rancher ${line}'s supported range 1.${range.min}-1.${range.maxExclusive - 1}`,
          rke2,
        );
      }
    }
    if (kubeMinor !== undefined && kubeMinor > RKE2_INGRESS_NGINX_LAST_MINOR && s.rkeHa?.ingressController === 'ingress-nginx') {
      problem(['rkeHa', 'ingressController'], `RKE2 1.${kubeMinor} no longer ships ingress-nginx; use traefik`, 'ingress-nginx');
    }
  }, { when: () => true });

export type Settings = z.output<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type BackendSettings = Settings['backend'];
export type RkeHaSettings = Settings['rkeHa'];
export type TlsSettings = Settings['rancher']['tls'];
