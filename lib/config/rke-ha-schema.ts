import { z } from 'zod';
import { amiId, instanceType, vpcCidr, wholeNumber } from './primitives';

/** The `rkeHa` section: the RancherOnRKE stack. */
export const rkeHaSchema = z
  .strictObject({
    /**
     * Server nodes: 3 (HA) or 1 (single-node Kubernetes install). Growing from
     * 1 to 3 adds two servers that join the first; nothing is replaced.
     */
    nodeCount: z
      .union([z.literal(1), z.literal(3)], { error: 'expected 1 or 3 (etcd needs an odd number of members; 3 is the HA layout)' })
      .default(3),
    /** Rancher's "small" tier: 4 vCPU / 16 GiB per node. */
    instanceType: instanceType.default('m6i.xlarge'),
    rootVolumeGb: wholeNumber(40, 16384).default(100),
    vpcCidr: vpcCidr.default('10.0.0.0/16'),
    /** Put the nodes in private subnets (egress through NAT); the load balancers stay public. */
    privateNodes: z.boolean().default(false),
    /** With privateNodes: one NAT gateway per zone, or a single one (cheaper, one zone's outage cuts egress). */
    natGateways: z.enum(['per-zone', 'single']).default('per-zone'),
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
