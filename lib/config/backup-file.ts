// No imports: the operations CLI reads these (the drill) without zod.

/**
 * A file the rancher-backup operator wrote: `<Backup name>-<kube-system namespace uid>-<RFC 3339 time, colons as
 * hyphens>.tar.gz`, `.enc` when encrypted (generateBackupFilename in its backup controller).
 */
export const BACKUP_FILE =
  /^[a-z0-9]([-.a-z0-9]*[a-z0-9])?-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(Z|[+-]\d{2}-\d{2})\.tar\.gz(\.enc)?$/;

/** When the recurring backup runs unless told (five-field cron, UTC): the settings file's default and RancherBackups'. */
export const DEFAULT_BACKUP_SCHEDULE = '0 */6 * * *';
