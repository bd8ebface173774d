import { z } from 'zod';
import { amiId, instanceType, vpcCidr, wholeNumber } from './primitives';

/** The `rkeHa` section: the RancherOnRKE stack. */
export const rkeHaSchema = z
  .strictObject({
    /** Rancher's "small" tier: 4 vCPU / 16 GiB per node. */
    instanceType: instanceType.default('m6i.xlarge'),
    rootVolumeGb: wholeNumber(40, 16384).default(100),
    vpcCidr: vpcCidr.default('10.0.0.0/16'),
    /** Pin an exact AMI. Default: newest Canonical Ubuntu 24.04 at first deploy, then kept. */
    amiId: amiId.optional(),
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
