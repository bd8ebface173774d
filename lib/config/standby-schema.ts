import { z } from 'zod';
import { awsRegion } from './primitives';
import { K8S_HA_FIELDS, dnsTarget, k8sAccessSchema } from './k8s-ha-schema';
import type { Expect, SameType, StandbySettings } from './sections';

export type { StandbySettings } from './sections';

/** k8sHa's own fields, which the standby cluster's reuse (with doc comments of their own for the settings reference). */
const ingress = K8S_HA_FIELDS.ingress.unwrap();
const service = ingress.shape.service.unwrap();

/** A region of the deployment's partition, not its own (the rules check both). */
const region = awsRegion.optional();

/**
 * `standby` as the constructs take it (RancherOnRke, RancherOnExistingCluster): a second region of the same partition
 * holding a copy of Rancher's backups (rke-ha: and the etcd snapshots), replicated by S3 under a KMS key of that
 * region; nothing runs there (docs/standby.md).
 */
export const standbySchema = z
  .strictObject({
    /** A region of the deployment's partition, not its own, where the backups replicate (docs/standby.md); not with backups off or `dns.mode: wildcard`. Unset: no standby. */
    region,
  })
  .prefault({});

/**
 * The settings file's `standby`: the constructs' fields, and `k8sHa` (k8s-ha only): the cluster in the standby region
 * that a failover installs Rancher onto. Each of its fields is `k8sHa`'s own, but `access` has no default
 * (`~/.kube/config` is production's cluster) and `dns` only its target (a standby never records the hostname: the
 * failover moves production's record).
 */
export const standbySettingsSchema = z
  .strictObject({
    region,
    /** k8s-ha: the cluster in `standby.region` a failover installs Rancher onto (docs/standby.md). */
    k8sHa: z
      .strictObject({
        /** As `k8sHa.access`, but required, without default. */
        access: k8sAccessSchema.optional(),
        ingress: z
          .strictObject({
            /** As `k8sHa`'s. */
            className: ingress.shape.className,
            service: z
              .strictObject({
                /** As `k8sHa`'s. */
                namespace: service.shape.namespace,
                /** As `k8sHa`'s. */
                name: service.shape.name,
              })
              .prefault({}),
          })
          .prefault({}),
        eks: z
          .strictObject({
            /** As `k8sHa`'s. */
            clusterName: K8S_HA_FIELDS.eks.unwrap().shape.clusterName,
          })
          .prefault({}),
        dns: z
          .strictObject({
            /** As `k8sHa`'s: where the failover moves the record. */
            target: dnsTarget,
          })
          .prefault({}),
      })
      .optional(),
  })
  .prefault({});

/** The section's fields, beside each construct's props (the settings file has it at the top level). */
export const STANDBY_FIELDS = { standby: standbySchema } as const;

export type StandbySettingsHeld = Expect<SameType<z.output<typeof standbySchema>, StandbySettings>>;
