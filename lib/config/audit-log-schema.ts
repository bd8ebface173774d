import { z } from 'zod';
import { wholeNumber } from './primitives';

/**
 * `rancher.auditLog`: Rancher's API audit log (the chart's `auditLog` values).
 * Level 0 is off; 1 metadata; 2 adds request bodies; 3 adds responses.
 */
export const auditLogSchema = z
  .strictObject({
    level: wholeNumber(0, 3).default(0),
    /** `sidecar` streams the log to a container's stdout (for a log collector); `hostPath` writes files on the node. */
    destination: z.enum(['sidecar', 'hostPath']).default('sidecar'),
    /** Days a rotated file is kept (hostPath). */
    maxAgeDays: wholeNumber(1, 365).default(1),
    /** Rotated files kept (hostPath). */
    maxBackups: wholeNumber(1, 100).default(1),
    /** Size in MB at which a file is rotated (hostPath). */
    maxSizeMb: wholeNumber(1, 10_000).default(100),
  })
  .prefault({});

export type AuditLogSettings = z.output<typeof auditLogSchema>;
