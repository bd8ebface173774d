import { DEFAULT_BACKUP_SCHEDULE } from '../../lib/config/backup-file';
import { longestGapMinutes } from '../../lib/alarms/schedule-window';
import { REPLICATION_TIME_MINUTES } from '../../lib/standby/replication-time';
import { arnRegion } from '../shared/aws';
import { managed } from '../shared/module-folder';
import { stringAttribute, type ModuleState } from '../shared/terraform';

// `drill --standby` (docs/drill.md, "With --standby"): where production's standby keeps its copy of Rancher's backups,
// and whether that copy is fresh enough to drill. drill.ts decides and states; this file reads and judges.

/** The standby's copy of production's backup bucket, as production's state holds its replication (lib/standby). */
export interface StandbyCopy {
  /** The copy's bucket, in the standby region. */
  readonly bucket: string;
  /** The standby region's KMS key the replication names for the copies (a key production's state manages). */
  readonly keyArn: string | undefined;
  /** The copy's region: its key's, which is the standby's. */
  readonly region: string | undefined;
}

/** A nested block as a list (the state writes blocks as lists; a missing one is empty). */
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value as Record<string, unknown>];

/**
 * The copy that S3 replication fills from `source` (production's backup bucket): the replication configuration
 * whose `bucket` is the source names the copy by ARN (`arn:<partition>:s3:::<name>`) and the key that encrypts the
 * copies. Undefined when production's state replicates that bucket nowhere (no standby applied).
 */
export function standbyCopyOf(state: ModuleState, source: string | undefined): StandbyCopy | undefined {
  if (!source) return undefined;
  const replication = managed(state, 'aws_s3_bucket_replication_configuration').find((r) => r.attributes.bucket === source);
  const destination = list(replication?.attributes.rule).flatMap((rule) => list(rule.destination))[0];
  const arn = stringAttribute(destination?.bucket);
  if (!arn) return undefined;
  const keyArn = stringAttribute(list(destination?.encryption_configuration)[0]?.replica_kms_key_id);
  return { bucket: arn.slice(arn.lastIndexOf(':') + 1), keyArn, region: keyArn ? arnRegion(keyArn) : undefined };
}

/** The settings file's `standby.region`, or undefined. */
export function standbyRegionOf(settings: Record<string, unknown>): string | undefined {
  const standby = settings.standby as { region?: unknown } | undefined;
  return typeof standby?.region === 'string' && standby.region !== '' ? standby.region : undefined;
}

/**
 * Why production cannot be drilled in its standby, from its settings alone (the dry run refuses it too), with the
 * refusal's code; or undefined. A pinned image is an EC2 image of production's region, which EC2 does not launch in
 * another: the throwaway's apply would fail on it there, as a failover would.
 */
export function standbySettingsProblem(
  settings: Record<string, unknown>,
  settingsPath: string,
): { readonly code: 'DRILL_NO_STANDBY' | 'DRILL_STANDBY_IMAGE_PINNED'; readonly message: string } | undefined {
  const region = standbyRegionOf(settings);
  if (!region)
    return {
      code: 'DRILL_NO_STANDBY',
      message: `--standby: ${settingsPath} sets no standby.region (production keeps no copy of its backups in a second region). Set standby.region to a region of the same partition and deploy (docs/standby.md), or drill without --standby.`,
    };
  const amiId = (settings.rkeHa as { amiId?: unknown } | undefined)?.amiId;
  if (typeof amiId === 'string')
    return {
      code: 'DRILL_STANDBY_IMAGE_PINNED',
      message: `--standby: rkeHa.amiId ${amiId} is an image of production's region, and EC2 launches an image only in its own: the throwaway in ${region} (and a deployment there) cannot start from it. Drill without --standby; a standby of a pinned image is not supported yet (docs/standby.md).`,
    };
  return undefined;
}

/**
 * The age a standby's newest backup may have (minutes): the longest gap between two runs of `backups.schedule`,
 * and Replication Time Control's 15 minutes for the copy to land. An older copy means backups stopped, or replication
 * lags or fails: the standby would lose more than one interval.
 */
export function allowedAgeMinutes(settings: Record<string, unknown>): { readonly minutes: number; readonly schedule: string } {
  const backups = settings.backups as { schedule?: unknown } | undefined;
  const schedule = typeof backups?.schedule === 'string' ? backups.schedule : DEFAULT_BACKUP_SCHEDULE;
  // A schedule that never runs (31 February) is refused by the settings check; the default's gap stands in.
  const gap = longestGapMinutes(schedule) ?? (longestGapMinutes(DEFAULT_BACKUP_SCHEDULE) as number);
  return { minutes: gap + REPLICATION_TIME_MINUTES, schedule };
}

/** Whole minutes from `lastModified` to `now`. */
export const ageMinutes = (lastModified: string, now: number): number => Math.max(0, Math.floor((now - Date.parse(lastModified)) / 60_000));
