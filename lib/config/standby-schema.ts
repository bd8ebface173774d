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
    /** A region of the deployment's partition, not its own, where the backups and snapshots replicate (docs/standby.md). Unset: no standby. */
    region: awsRegion.optional(),
  })
  .prefault({});

/** The section's fields, beside RancherOnRke's props (the settings file has it at the top level). */
export const STANDBY_FIELDS = { standby: standbySchema } as const;

export type StandbySettingsHeld = Expect<SameType<z.output<typeof standbySchema>, StandbySettings>>;
