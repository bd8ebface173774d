import { z } from 'zod';
import { createdVpcCidr, dockerExistingNetworkSchema } from './existing-network-schema';
import { DOCKER_HOST_MINIMUM, sectionInstanceTypeProblem } from './instance-types';
import { amiId, instanceType, keyPairName, snapshotId, vpcCidr, wholeNumber } from './primitives';

import { DOCKER_TLS_ISSUERS, DOCKER_TLS_MODES, SERVER_ARCHITECTURES, type DockerTlsSettings, type Expect, type SameType } from './sections';

export { DOCKER_TLS_ISSUERS, DOCKER_TLS_MODES, type DockerTlsIssuer, type DockerTlsMode, type DockerTlsSettings } from './sections';

/** Intervals a Data Lifecycle Manager schedule accepts, in hours. */
export const SNAPSHOT_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

/**
 * The `docker` section's fields: the single-node Docker install of Rancher (test and demo use), and RancherOnDocker's
 * own props. Proxy, air gap and the API audit log are the settings every stack shares: `proxy`, `airGap` and
 * `rancher.auditLog`.
 */
export const DOCKER_FIELDS = {
  /**
   * An EC2 type of the project's table (lib/config/instance-types.ts): Rancher's Docker sizing, 2 vCPU / 8 GiB
   * serves up to 15 clusters, 1 vCPU / 4 GiB (the least) 5; of the host's `architecture`.
   */
  instanceType: instanceType.default('m6i.large'),
  /** Allow an instance type below Rancher's smallest documented Docker install (1 vCPU / 4 GiB), for a trial. */
  allowSmallInstanceType: z.boolean().default(false),
  /** Root volume: the OS, Docker and the rancher/rancher image. */
  rootVolumeGb: wholeNumber(20, 16384).default(30),
  /** The VPC the stack creates (default DEFAULT_VPC_CIDR, see effectiveDockerVpcCidr); not with existingNetwork. */
  vpcCidr: vpcCidr.optional(),
  /** A VPC and public subnet to use instead of creating a network. */
  existingNetwork: dockerExistingNetworkSchema.optional(),
  /** Pin an exact image */
  amiId: amiId.optional(),
  /**
   * CPU architecture of the host: `x86_64` or `arm64` (Graviton: Ubuntu 24.04 for arm64, the rancher/rancher
   * image's arm64 build; Rancher calls arm64 experimental). Default: x86_64; with `amiId`, unchecked unless set.
   */
  architecture: z.enum(SERVER_ARCHITECTURES).optional(),
  /** EC2 key pair; opens 22 from `adminCidrs` */
  sshKeyName: keyPairName.optional(),
  /** The EBS volume mounted at /var/lib/rancher: Rancher's data, kept when the instance is replaced. */
  dataVolume: z
    .strictObject({
      /** Encrypted gp3 volume holding `/var/lib/rancher` (10–16384); growing it is in place */
      sizeGb: wholeNumber(10, 16384).default(50),
      /** Take a last snapshot when the volume is destroyed (destroy of the stack, restore). */
      finalSnapshot: z.boolean().default(true),
      /** Create the volume from this snapshot: changing it replaces volume and instance (a restore). */
      restoreSnapshotId: snapshotId.optional(),
      snapshots: z
        .strictObject({
          /** Hours between scheduled snapshots: 1, 2, 3, 4, 6, 8, 12 or 24 */
          intervalHours: z.literal(SNAPSHOT_INTERVAL_HOURS).default(24),
          /** Start time of the schedule, UTC. */
          time: z
            .string()
            .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a UTC time of day as HH:MM, e.g. "03:00"' })
            .default('03:00'),
          /** Scheduled snapshots kept (1–1000) */
          retention: wholeNumber(1, 1000).default(7),
        })
        .prefault({}),
    })
    .prefault({}),
  tls: z
    .strictObject({
      /**
       * `rancher`: the container serves TLS on 443 itself. `external`: an ALB ends TLS with an ACM
       * certificate and forwards plain HTTP to the container's port 80 (the Docker install docs' "external
       * load balancer"); the issuer then says where ACM's certificate comes from.
       */
      mode: z.enum(DOCKER_TLS_MODES).default('rancher'),
      /**
       * `rancher`: Rancher's own self-signed CA; `blank`: your certificate and key; `ca`: a
       * certificate Terraform signs with your CA; `acme`: Let's Encrypt (`--acme-domain`).
       */
      issuer: z.enum(DOCKER_TLS_ISSUERS).default('rancher'),
      /** `blank` only: your certificate is signed by a private CA (mounted as cacerts.pem). */
      privateCA: z.boolean().default(false),
    })
    .prefault({}),
};

/**
 * The rules between the `docker` section's fields, its messages naming the settings with `name`: `docker.instanceType`
 * for a settings file (app/config/section-schemas.ts), `instanceType` for RancherOnDocker's flat props (deployment-schema.ts). They run
 * even when a field failed, so one run reports everything.
 */
export function dockerRules(name: (field: string) => string) {
  return (s: z.output<z.ZodObject<typeof DOCKER_FIELDS>>, ctx: z.RefinementCtx): void => {
    // Runs even when the section is not a mapping (an empty `docker:` is null); the type error is reported already.
    if (!s || typeof s !== 'object') return;
    if (s.existingNetwork && typeof s.existingNetwork === 'object' && s.vpcCidr !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['vpcCidr'],
        message: 'the stack creates no VPC with existingNetwork; remove vpcCidr (the host takes its address from the subnet of existingNetwork)',
        input: s.vpcCidr,
      });
    }
    const typeProblem = sectionInstanceTypeProblem(s, DOCKER_HOST_MINIMUM, name);
    if (typeProblem) ctx.addIssue({ code: 'custom', path: ['instanceType'], message: typeProblem, input: s.instanceType });
    const issuer = s.tls?.issuer;
    // (A mode without a hostname, naming Rancher after its address through a wildcard DNS service, would have to
    // refuse mode external too: ACM validates through the hosted zone.)
    if (s.tls?.mode === 'external' && issuer === 'rancher') {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'issuer'],
        message:
          "Rancher's own CA lives in the container, and the load balancer has no certificate to serve from it; with mode external choose acme (ACM issues one through DNS validation), blank (yours, imported into ACM) or ca (signed by your CA, imported), or mode rancher to keep issuer rancher",
        input: issuer,
      });
    }
    if (s.tls?.privateCA === true && issuer !== 'blank') {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'privateCA'],
        message:
          issuer === 'ca'
            ? 'only for issuer "blank": with issuer "ca" your CA is always mounted as cacerts.pem; remove it'
            : `only for issuer "blank" (issuer "${issuer}" has no CA of yours; "ca" always mounts your CA)`,
        input: true,
      });
    }
  };
}

/** RancherOnDocker's own props (the docker fields, flat in its props), completed. */
export type DockerOwnProps = z.output<z.ZodObject<typeof DOCKER_FIELDS>>;

/** The VPC range the docker stack creates (undefined with an existing network). */
export const effectiveDockerVpcCidr: (s: Pick<DockerOwnProps, 'vpcCidr' | 'existingNetwork'>) => string | undefined = createdVpcCidr;
/** The schema's output is the plain section type (a compile error otherwise). */
export type DockerTlsSettingsHeld = Expect<SameType<DockerOwnProps['tls'], DockerTlsSettings>>;
