import { z } from 'zod';
import { wholeNumber } from './primitives';
import type { AuditLogSettings, Expect, SameType } from './sections';

export type { AuditLogSettings } from './sections';

/**
 * `rancher.auditLog`: Rancher's API audit log (the chart's `auditLog` values).
 * Off unless `enabled`; levels as in Rancher 2.11+: 0 request and response
 * metadata, 1 adds headers, 2 request bodies, 3 response bodies.
 */
export const auditLogSchema = z
  .strictObject({
    /** Rancher's API audit log (chart `auditLog`; the docker stack's `AUDIT_LOG_ENABLED`) */
    enabled: z.boolean().default(false),
    /** 0 request/response metadata, 1 + headers, 2 + request bodies, 3 + response bodies */
    level: wholeNumber(0, 3).default(0),
    /** `sidecar` streams the log to a container's stdout (for a log collector); `hostPath` keeps files on the node. */
    destination: z.enum(['sidecar', 'hostPath']).default('sidecar'),
    /** Days a rotated file is kept. */
    maxAgeDays: wholeNumber(1, 365).default(1),
    /** Rotated files kept. */
    maxBackups: wholeNumber(1, 100).default(1),
    /** Size in MB at which a file is rotated. */
    maxSizeMb: wholeNumber(1, 10_000).default(100),
  })
  .prefault({});

/** The schema's output is the plain section type (a compile error otherwise). */
export type AuditLogSettingsHeld = Expect<SameType<z.output<typeof auditLogSchema>, AuditLogSettings>>;
