import { z } from 'zod';
import { awsRegion } from './primitives';
import type { Expect, SameType, StandbySettings } from './sections';

export type { StandbySettings } from './sections';

/**
 * `standby` (rke-ha): a second region of the same partition holding a copy of Rancher's backups and the etcd
 * snapshots, replicated by S3 under a KMS key of that region; nothing runs there (docs/standby.md).
 */
export const standbySchema = z
  .strictObject({
    /**
     * The standby's region, in the deployment's partition and not its own region: Rancher's backups and the etcd
     * snapshots replicate to buckets there (docs/standby.md, costs in docs/cost.md). Unset: no standby.
     */
    region: awsRegion.optional(),
  })
  .prefault({});

/** The section's fields, beside RancherOnRke's props (the settings file has it at the top level). */
export const STANDBY_FIELDS = { standby: standbySchema } as const;

export type StandbySettingsHeld = Expect<SameType<z.output<typeof standbySchema>, StandbySettings>>;
