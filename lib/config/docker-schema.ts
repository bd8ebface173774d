import { z } from 'zod';
import { amiId, instanceType, vpcCidr, wholeNumber } from './primitives';

/** Issuers of the Docker install docs: who signs the certificate the container serves. */
export const DOCKER_TLS_ISSUERS = ['rancher', 'blank', 'ca', 'acme'] as const;
export type DockerTlsIssuer = (typeof DOCKER_TLS_ISSUERS)[number];

/** Intervals a Data Lifecycle Manager schedule accepts, in hours. */
export const SNAPSHOT_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

/**
 * A proxy URL. Written to user data and env files, so it may carry no
 * credentials (user data is readable with ec2:DescribeInstanceAttribute) and
 * no character that needs quoting.
 */
const proxyUrl = z
  .string()
  .regex(/^https?:\/\/[A-Za-z0-9.:[\]\/_-]+$/, { message: 'expected a proxy URL such as http://proxy.internal:3128 (no credentials, no quotes or spaces)' });

/** A NO_PROXY entry: a host, a domain suffix (.example.com), an IP or a CIDR. */
const noProxyEntry = z
  .string()
  .regex(/^[A-Za-z0-9.*:\/_-]+$/, { message: 'expected a host name, .domain suffix, IP address or CIDR block' });

/** The `docker` section: the single-node Docker install of Rancher (test and demo use). */
export const dockerSchema = z
  .strictObject({
    /** Rancher's Docker sizing: 2 vCPU / 8 GiB serves up to 15 clusters. */
    instanceType: instanceType.default('m6i.large'),
    /** Root volume: the OS, Docker and the rancher/rancher image. */
    rootVolumeGb: wholeNumber(20, 16384).default(30),
    vpcCidr: vpcCidr.default('10.0.0.0/16'),
    amiId: amiId.optional(),
    sshKeyName: z.string().min(1).max(255).optional(),
    /** The EBS volume mounted at /var/lib/rancher: Rancher's data, kept when the instance is replaced. */
    dataVolume: z
      .strictObject({
        sizeGb: wholeNumber(10, 16384).default(50),
        /** Take a last snapshot when the volume is destroyed (destroy of the stack, restore). */
        finalSnapshot: z.boolean().default(true),
        /** Create the volume from this snapshot: changing it replaces volume and instance (a restore). */
        restoreSnapshotId: z.string().regex(/^snap-[0-9a-f]{8,17}$/, { message: 'expected a snapshot id such as snap-0123456789abcdef0' }).optional(),
        snapshots: z
          .strictObject({
            intervalHours: z.literal(SNAPSHOT_INTERVAL_HOURS).default(24),
            /** Start time of the schedule, UTC. */
            time: z
              .string()
              .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a UTC time of day as HH:MM, e.g. "03:00"' })
              .default('03:00'),
            retention: wholeNumber(1, 1000).default(7),
          })
          .prefault({}),
      })
      .prefault({}),
    tls: z
      .strictObject({
        /**
         * `rancher`: Rancher's own self-signed CA; `blank`: your certificate and key; `ca`: a
         * certificate Terraform signs with your CA; `acme`: Let's Encrypt (`--acme-domain`).
         */
        issuer: z.enum(DOCKER_TLS_ISSUERS).default('rancher'),
        /** `blank` only: your certificate is signed by a private CA (mounted as cacerts.pem). */
        privateCA: z.boolean().default(false),
      })
      .prefault({}),
    /** Rancher's API audit log, written to /var/log/rancher/auditlog on the host. */
    auditLog: z
      .strictObject({
        enabled: z.boolean().default(false),
        /** Rancher 2.11+: 0 request and response metadata, 1 + headers, 2 + request body, 3 + response body. Unset: 0. */
        level: wholeNumber(0, 3).optional(),
      })
      .prefault({}),
    /** Outbound HTTP(S) proxy for the container, the Docker daemon, apt and the bootstrap. */
    proxy: z
      .strictObject({
        http: proxyUrl.optional(),
        https: proxyUrl.optional(),
        /** Added to the built-in list (localhost, link-local metadata, the VPC, cluster-internal names). */
        noProxy: z.array(noProxyEntry).default([]),
      })
      .prefault({}),
  })
  // Rules inside the section; they run even when a field failed, so one run reports everything.
  .superRefine(
    (s, ctx) => {
      const issuer = s.tls?.issuer;
      if (s.tls?.privateCA === true && (issuer === 'rancher' || issuer === 'acme')) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls', 'privateCA'],
          message: `only for issuer "blank" (issuer "${issuer}" has no CA of yours; "ca" always mounts your CA)`,
          input: true,
        });
      }
      if (s.auditLog?.enabled === false && typeof s.auditLog.level === 'number' && s.auditLog.level >= 0 && s.auditLog.level <= 3) {
        // A level without `enabled` would silently do nothing.
        ctx.addIssue({ code: 'custom', path: ['auditLog', 'level'], message: 'applies only with auditLog.enabled: true', input: s.auditLog.level });
      }
    },
    { when: () => true },
  )
  .prefault({});

export type DockerSettings = z.output<typeof dockerSchema>;
export type DockerTlsSettings = DockerSettings['tls'];

/** Audit level when the log is enabled without one: Rancher's default, request and response metadata. */
export const DEFAULT_AUDIT_LEVEL = 0;
