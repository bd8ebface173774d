import { DEFAULT_BACKUP_SCHEDULE } from '../../lib/config/backup-file';
import { longestGapMinutes } from '../../lib/alarms/schedule-window';
import { REPLICATION_TIME_MINUTES } from '../../lib/standby/replication-time';
import { BACKUP_FILE } from '../../lib/config/backup-file';
import { DEFAULT_REGION } from '../../lib/config/aws-regions';
import { standbyRegionProblem } from '../../lib/config/standby-region';
import { arnRegion, type Aws } from './aws';
import { newestObject, type ProductionDeployment } from './production';
import { managed } from './module-folder';
import { stringAttribute, type ModuleState } from './terraform';

// `drill --standby` (docs/drill.md, "With --standby") and `failover` (docs/failover.md): where production's standby
// keeps its copy of Rancher's backups, its newest backup there (or the one a failover's --backup names), and its age
// against the schedule: the RPO, which the drill refuses past the schedule and a failover only reports. The commands
// decide and state; this file reads and judges.

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
 * Who reads the standby's copy, as its refusals say it: the codes' prefix, how a message begins, what to do instead
 * without a standby, and what to run again once the cause is fixed. `drill --standby` and `failover` (one lookup).
 */
export interface StandbyUse {
  readonly prefix: 'DRILL' | 'FAILOVER';
  /** `--standby`, `failover`. */
  readonly lead: string;
  /** The way out when there is no standby to use. */
  readonly instead: string;
  /** What the person runs again once the copy is fresh. */
  readonly again: string;
  /**
   * A copy older than `backups.schedule` allows is refused: the drill's (saying the copy is stale is its job). A
   * failover restores the newest whatever its age: the age is the RPO it reports (docs/design-notes.md, "A standby in
   * a second region"). @default false
   */
  readonly refusesStale?: boolean;
  /** Who would start in the standby region from a pinned image. */
  readonly starts: string;
}

/** `drill --standby`'s words. */
export const DRILL_STANDBY: StandbyUse = {
  prefix: 'DRILL',
  lead: '--standby',
  instead: 'or drill without --standby',
  again: 'drill',
  refusesStale: true,
  starts: 'the throwaway in <region> (and a deployment there)',
};

/**
 * Why production's standby cannot be used, from its settings alone (the dry run refuses it too), with the refusal's
 * code; or undefined. A pinned image is an EC2 image of production's region, which EC2 does not launch in another:
 * an apply in the standby region would fail on it there.
 */
export function standbySettingsProblem(
  settings: Record<string, unknown>,
  settingsPath: string,
  use: StandbyUse = DRILL_STANDBY,
  /** What starts in the standby region: k8s-ha's failover starts no server there, so no image of its own. @default 'rke-ha' */
  stack = 'rke-ha',
): { readonly code: string; readonly message: string } | undefined {
  const region = standbyRegionOf(settings);
  if (!region)
    return {
      code: `${use.prefix}_NO_STANDBY`,
      message: `${use.lead}: ${settingsPath} sets no standby.region (production keeps no copy of its backups in a second region). Set standby.region to a region of the same partition and deploy (docs/standby.md), ${use.instead}.`,
    };
  const refused = standbyRegionRefused(settings, region);
  if (refused)
    return {
      code: `${use.prefix}_STANDBY_REGION_REFUSED`,
      message: `${use.lead}: ${settingsPath} sets standby.region ${region}, which ${refused} (the synth refuses these settings the same way).`,
    };
  const amiId = (settings.rkeHa as { amiId?: unknown } | undefined)?.amiId;
  if (typeof amiId === 'string' && stack === 'rke-ha')
    return {
      code: `${use.prefix}_STANDBY_IMAGE_PINNED`,
      message: `${use.lead}: rkeHa.amiId ${amiId} is an image of production's region, and EC2 launches an image only in its own: ${use.starts.replace('<region>', region)} cannot start from it. ${use.prefix === 'DRILL' ? 'Drill without --standby; a' : 'A'} standby of a pinned image is not supported yet (docs/standby.md).`,
    };
  const regionBound = regionBoundValue(settings, region);
  if (regionBound)
    return {
      code: `${use.prefix}_STANDBY_REGION_BOUND`,
      message: `${use.lead}: ${regionBound.field} ${regionBound.value} names an object of ${regionBound.region}, production's region: ${use.starts.replace('<region>', region)} would read it there at every boot, and a failover is for that region lost. ${regionBound.fix} (docs/standby.md, "Production's settings there").`,
    };
  return undefined;
}

/**
 * The synth's refusal of a standby region (lib/config/standby-region.ts, which its rule says too): production's own region, or one of
 * another partition. Read from the settings file, as the synth reads it, so a dry run refuses what the synth would,
 * not only the run that reaches production's state. The rule's other refusals (backups off, a wildcard name) leave
 * production without a copy to restore or a record to move, which the runs refuse on their own.
 */
function standbyRegionRefused(settings: Record<string, unknown>, standbyRegion: string): string | undefined {
  const region = typeof settings.region === 'string' ? settings.region : DEFAULT_REGION;
  return standbyRegionProblem(region, standbyRegion);
}

/**
 * A value of production's settings that names an object of production's region by ARN, which the standby's servers
 * would read there, in the region a failover is for: the air gap's registry credentials (SSM Parameter Store and
 * Secrets Manager are regional; lib/kubernetes/registry-credentials.sh reads an ARN in its own region). A name is
 * region-neutral: the servers look it up in their own region (lib/nodes/private/registry-credentials.ts). The other
 * region-bound settings are dropped (`existingNetwork`, `sshKeyName`) or refused on their own (`amiId`); the rest
 * (proxy, registries, VPC endpoints, flow logs, alarms) names no region's object.
 */
function regionBoundValue(
  settings: Record<string, unknown>,
  standbyRegion: string,
): { readonly field: string; readonly value: string; readonly region: string; readonly fix: string } | undefined {
  const productionRegion = typeof settings.region === 'string' ? settings.region : DEFAULT_REGION;
  const credentials = (settings.airGap as { registryCredentials?: Record<string, unknown> } | undefined)?.registryCredentials;
  for (const [key, store] of [
    ['ssmParameter', 'the SSM SecureString parameter'],
    ['secretsManagerSecret', 'the Secrets Manager secret'],
  ] as const) {
    const value = credentials?.[key];
    if (typeof value !== 'string' || !value.startsWith('arn:')) continue;
    const region = arnRegion(value);
    if (region !== productionRegion) continue;
    return {
      field: `airGap.registryCredentials.${key}`,
      value,
      region,
      fix: `Name ${store} without its ARN (production's servers look it up in ${region}, the standby's in ${standbyRegion}), make the same one in ${standbyRegion}${key === 'secretsManagerSecret' ? ' (a replica of the secret)' : ''}, and deploy production`,
    };
  }
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

/**
 * Whole minutes from `lastModified` to `now`. A replica keeps its source object's creation time, not the time it
 * landed (Amazon S3 User Guide, replication and lifecycle: lifecycle rules in the destination count from the source's
 * creation): the age is from the backup's writing, the data a failover loses.
 */
export const ageMinutes = (lastModified: string, now: number): number => Math.max(0, Math.floor((now - Date.parse(lastModified)) / 60_000));

/** Where the operator writes in its bucket (BACKUP_FOLDER of backup-writer.ts). */
export const BACKUP_PREFIX = 'rancher/';

/** A backup file chosen: where it is, and (from a standby's copy) its age against what the schedule allows. */
export interface ChosenBackup {
  readonly backup: { readonly bucket: string; readonly key: string; readonly lastModified: string; readonly bytes: number };
  /** The file's name, without its folder. */
  readonly file: string;
  /**
   * From a standby's copy: its age now (the RPO), what the schedule allows, and (a backup chosen by key) the copy's
   * newest when it is another.
   */
  readonly standby?: { readonly region: string; readonly rpoMinutes: number; readonly allowedMinutes: number; readonly newest?: string };
}

/** Why no backup can be used: the message, its exit code (2 the settings or the deployment, 1 the data), its code. */
export interface BackupRefused {
  readonly refused: string;
  readonly code: 1 | 2;
  readonly why: string;
}

/** The newest file the operator wrote in a bucket, by LastModified (every page of the listing). */
export function newestBackup(aws: Aws, bucket: string): Promise<{ key: string; lastModified: string; bytes: number } | undefined> {
  return newestObject(aws, bucket, BACKUP_PREFIX, (file) => BACKUP_FILE.test(file));
}

/** The refusal of a backup file production's state cannot decrypt (an `.enc` file without its encryption output). */
export function notDecryptable(file: string, production: ProductionDeployment, prefix: StandbyUse['prefix']): BackupRefused | undefined {
  if (!file.endsWith('.enc') || production.backupEncryptionConfig) return undefined;
  return {
    why: `${prefix}_BACKUP_NOT_DECRYPTABLE`,
    refused: `${file} is encrypted, and production's state has no rancher_backup_encryption_config output to decrypt it with.`,
    code: 2,
  };
}

/** A backup's key as the person gives it (`rancher/<file>`, or the file alone) in the operator's folder; undefined when it is not a backup file's. */
export function backupKeyOf(given: string): string | undefined {
  const key = given.startsWith(BACKUP_PREFIX) ? given : given.includes('/') ? undefined : `${BACKUP_PREFIX}${given}`;
  return key !== undefined && BACKUP_FILE.test(key.slice(BACKUP_PREFIX.length)) ? key : undefined;
}

/** The key the person chose, checked: a backup file's in the operator's folder, and in the copy's listing. */
function chosenIn(
  listed: readonly { key: string; lastModified: string; bytes: number }[],
  given: string,
  copy: string,
  prefix: StandbyUse['prefix'],
): { key: string; lastModified: string; bytes: number } | BackupRefused {
  const key = backupKeyOf(given);
  if (key === undefined)
    return {
      why: `${prefix}_BACKUP_NOT_A_BACKUP`,
      refused: `--backup ${given} is not a backup file of this deployment: the rancher-backup operator writes them in s3://${copy}/${BACKUP_PREFIX} as <Backup name>-<cluster uid>-<time>.tar.gz(.enc). Name one of those (the file, or its key rancher/<file>).`,
      code: 2,
    };
  const found = listed.find((o) => o.key === key);
  if (!found)
    return {
      why: `${prefix}_BACKUP_NOT_IN_COPY`,
      refused: `--backup ${given}: s3://${copy}/${key} is not in the standby's copy (${listed.length} backup files there${listed[0] ? `, the newest ${listed[0].key}` : ''}). Name a backup the copy holds (aws s3 ls s3://${copy}/${BACKUP_PREFIX}).`,
      code: 2,
    };
  return found;
}

/**
 * The newest backup in the standby's copy of production's backup bucket (in the standby region, `aws.region`, named
 * by production's state: its replication), or the one `choose` names there, which production's state can decrypt;
 * its age now is the RPO. A use that `refusesStale` (the drill) refuses one older than `backups.schedule` allows. The
 * copy holds SSE-S3 objects as the source does (docs/standby.md): a deployment's backup writer reads them without the
 * standby's key; the backup itself is decrypted with production's rancher_backup_encryption_config.
 */
export async function standbyBackup(
  aws: Aws,
  production: ProductionDeployment,
  settings: Record<string, unknown>,
  settingsPath: string,
  use: StandbyUse = DRILL_STANDBY,
  /** Production's stack, which its deploy command and alarm names carry. @default 'rke-ha' */
  stack = 'rke-ha',
  /** A backup of the copy by key (`failover --backup`), instead of the newest. @default the newest */
  choose?: string,
): Promise<ChosenBackup | BackupRefused> {
  const region = aws.region;
  const copy = production.backupCopy;
  if (!copy || (copy.region !== undefined && copy.region !== region))
    return {
      why: `${use.prefix}_STANDBY_NOT_APPLIED`,
      refused: `${use.lead}: ${settingsPath} sets standby.region ${region}, and production's state replicates its backup bucket ${production.backupBucket ?? '(none)'} ${copy ? `to ${copy.region} (s3://${copy.bucket})` : 'nowhere'}: deploy production with this standby.region first (npm run cdktf -- deploy ${stack}; docs/standby.md).`,
      code: 2,
    };
  const listed = await backupsIn(aws, copy.bucket);
  const newest = listed[0];
  const allowed = allowedAgeMinutes(settings);
  if (!newest)
    return {
      why: `${use.prefix}_NO_STANDBY_BACKUP`,
      refused: `${use.lead}: no backup in s3://${copy.bucket}/${BACKUP_PREFIX}, the standby's copy in ${region}: S3 copies only what is written after the standby was applied, so the next backup (backups.schedule "${allowed.schedule}") is the first there. Wait for it, or copy the earlier ones with S3 Batch Replication (docs/standby.md).`,
      code: 1,
    };
  const backup = choose === undefined ? newest : chosenIn(listed, choose, copy.bucket, use.prefix);
  if ('refused' in backup) return backup;
  const age = ageMinutes(backup.lastModified, Date.now());
  if (use.refusesStale && age > allowed.minutes)
    return {
      why: `${use.prefix}_STANDBY_BACKUP_STALE`,
      refused: `${use.lead}: the standby's newest backup s3://${copy.bucket}/${backup.key} (${backup.lastModified}) is ${age} minutes old: a failover now would lose that much (the RPO), more than backups.schedule "${allowed.schedule}" allows (${allowed.minutes} minutes: its longest gap and replication's 15). Production's backups stopped (backups.enabled, the rancher-backup operator), or replication lags or fails (the alarms ${production.name}-${stack}-standby-rancher-backups-failed and -lag; docs/standby.md, "When the alarm fires"): fix that, then ${use.again}.`,
      code: 1,
    };
  const file = backup.key.slice(BACKUP_PREFIX.length);
  const undecryptable = notDecryptable(file, production, use.prefix);
  if (undecryptable) return undecryptable;
  const { key, lastModified, bytes } = backup;
  return {
    backup: { bucket: copy.bucket, key, lastModified, bytes },
    file,
    standby: { region, rpoMinutes: age, allowedMinutes: allowed.minutes, ...(key !== newest.key ? { newest: newest.key } : {}) },
  };
}

/** The operator's backup files in a bucket, newest first (every page of the listing). */
async function backupsIn(aws: Aws, bucket: string): Promise<{ key: string; lastModified: string; bytes: number }[]> {
  const { side, clients } = await aws.sdk();
  return (await side.listObjects(clients, bucket, BACKUP_PREFIX))
    .filter((o) => o.lastModified !== undefined && BACKUP_FILE.test(o.key.slice(BACKUP_PREFIX.length)))
    .sort((a, b) => b.lastModified!.getTime() - a.lastModified!.getTime())
    .map((o) => ({ key: o.key, lastModified: o.lastModified!.toISOString(), bytes: o.size }));
}
