// The deploy's wait budgets where the CLI reads them without the schema or the constructs (zod and the providers stay
// out of the CLI bundle): the `timeouts.*` defaults (timeouts-schema.ts), the backups' waits (rancher-backups.ts) and
// the gate chart's graces (gate-chart.ts). The failover's RTO model (cli/failover/rto-model.ts) sums them.

/** The defaults of `timeouts.*`, in minutes (docs/settings.md): what each wait of a deploy allows before it fails. */
export const TIMEOUT_DEFAULTS = {
  apiMinutes: 20,
  serversMinutes: 25,
  ingressMinutes: 10,
  certManagerMinutes: 10,
  rancherMinutes: 20,
  certificateMinutes: 15,
  upgradeMinutes: 15,
  pingMinutes: 15,
  bootstrapMinutes: 10,
} as const;

/** Budget of each rancher-backup chart install and each wait for the operator (the first backup, a restore), in minutes. */
export const BACKUP_WAIT_MINUTES = 15;

/** Seconds a gate's Job allows beyond the script's own budget, so the script reports before it is killed. */
export const JOB_GRACE_SECONDS = 60;
/** Minutes Helm's wait allows beyond a gate Job's budget (the Job's deadline, a pod start, an image pull). */
export const HELM_GRACE_MINUTES = 5;
/** Minutes the provider's own deadline allows beyond Helm's, for the uninstall of a failed Job (`atomic`). */
export const PROVIDER_GRACE_MINUTES = 5;
