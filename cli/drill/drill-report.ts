/** The steps of a drill, in order; each is timed. */
export const DRILL_PHASES = ['synth', 'apply', 'ping', 'login', 'compare', 'teardown'] as const;
/**
 * The steps of a drill with `--etcd`: the apply builds an empty throwaway, `restore` resets it to production's
 * snapshot (on its first server, through SSM), and the login is the server's own (inside `restore`).
 */
export const ETCD_PHASES = ['synth', 'apply', 'restore', 'ping', 'compare', 'teardown'] as const;
export type DrillPhase = (typeof DRILL_PHASES)[number] | (typeof ETCD_PHASES)[number];

export interface PhaseResult {
  readonly phase: DrillPhase;
  /** passed; failed (its check or command failed); interrupted (a signal); skipped (an earlier phase did not pass, or --keep). */
  readonly status: 'passed' | 'failed' | 'interrupted' | 'skipped';
  /** Wall time of the phase, whole seconds (absent when skipped). */
  readonly seconds?: number;
  readonly detail?: string;
}

/** One count of the backup against the restored deployment. */
export interface Comparison {
  readonly what: string;
  readonly backup: number | string | undefined;
  readonly restored: number | string | undefined;
  readonly passed: boolean;
  readonly note?: string;
}

/** What `drill` writes to `<drill folder>/report-<time>.json` and prints. */
export interface DrillReport {
  readonly version: 1;
  readonly stack: string;
  /** What was restored: Rancher's backup (absent in reports of earlier versions), or an etcd snapshot (`--etcd`). */
  readonly source?: 'rancher-backup' | 'etcd-snapshot';
  readonly production: { readonly name: string; readonly region: string; readonly module: string; readonly url?: string };
  /** The file restored: Rancher's backup, or with `--etcd` the etcd snapshot (its bucket and key in production). */
  readonly backup: { readonly bucket: string; readonly key: string; readonly lastModified?: string; readonly bytes?: number };
  throwaway: { readonly name: string; readonly module: string; readonly url?: string; readonly kept: boolean };
  /**
   * `--standby`: the throwaway ran in production's standby region from its copy of the backups. `rpoMinutes`: the age
   * of the backup restored when the drill began, the data a failover then would have lost; `allowedMinutes`: what
   * `backups.schedule` allows (its longest gap and replication's 15 minutes).
   */
  readonly standby?: { readonly region: string; readonly rpoMinutes: number; readonly allowedMinutes: number };
  readonly startedAt: string;
  finishedAt?: string;
  readonly phases: PhaseResult[];
  /**
   * The login into the restored Rancher (not with `--etcd`): the drill's own user, made through the throwaway's
   * kubeconfig; the endpoint and status that gave its token; whether the user was deleted afterwards.
   */
  login?: { readonly user: string; readonly endpoint: string; readonly status: number; readonly removed: boolean };
  readonly comparisons: Comparison[];
  /**
   * synth + apply + ping (+ restore with `--etcd`): from nothing to a restored Rancher answering, the time a real
   * restore into a new deployment takes.
   */
  recoveryMinutes?: number;
  /** passed: every phase before the teardown passed, and the teardown did too (or --keep). */
  passed?: boolean;
  readonly notProven: readonly string[];
}

/** What a drill cannot show, said in every report. */
export const NOT_PROVEN: readonly string[] = [
  'Downstream clusters: their agents keep talking to production (the restored server-url names production\'s hostname, and the throwaway answers on another name), so their reconnection after a real restore is not shown. After a real restore, check each cluster (docs/backups.md, "After a real restore: the downstream clusters").',
  "A login as one of production's users: the restore brings their passwords (and any external provider's configuration, whose callbacks name production's hostname), and the drill holds none of them; it logged in as a user of its own, made through the throwaway's kubeconfig and deleted afterwards.",
  "The objects' content: they are counted by kind in the backup and in the restored cluster; inside the backup each object is encrypted (secretbox), so only server-url is compared by value (with production's URL).",
  "Production's hostname and certificate: the throwaway answers on a wildcard DNS name with Rancher's own CA, so the DNS change and the certificate of a real migration are not exercised.",
  "The etcd snapshots: this drill restored Rancher's backup; `npm run drill -- rke-ha --etcd` restores the newest etcd snapshot instead.",
];

/** What a drill with `--standby` cannot show besides NOT_PROVEN. */
export const STANDBY_NOT_PROVEN =
  "A failover: production kept running and its DNS record stayed; the throwaway answered on a name of its own in the standby region, so moving the record and the agents' reconnection to the standby are not shown.";

/** What a drill with `--etcd` cannot show, said in every such report. */
export const ETCD_NOT_PROVEN: readonly string[] = [
  'Downstream clusters: their agents keep talking to production (the restored server-url names production\'s hostname, which the throwaway does not answer in DNS), so their reconnection after a real restore is not shown (docs/backups.md, "After a real restore: the downstream clusters").',
  "A whole cluster: the snapshot was restored onto the throwaway's first server alone; its other servers were stopped, not joined to the restored cluster, so the rejoin of a real restore (rancher-aws-restore, docs/recover.md) is not shown.",
  "The restored cluster with production's backup writer: the drill deleted the writer's key (cattle-resources-system/rancher-aws-backup-s3-*) and every Backup object before any workload of production could run, so that the restore cannot write to or prune production's backup bucket; a real restore keeps them.",
  'The restored cluster\'s identity is production\'s (its token, CAs and service-account key): it answered only inside its own network and at its own load balancer; a real restore in place of production is not shown (docs/drill.md, "With --etcd").',
  "Rancher's own backup: this drill restored the etcd snapshot; `npm run drill -- rke-ha` restores the newest Rancher backup.",
];

const pad = (text: string, width: number) => text.padEnd(width);

/** The report as lines for the terminal. */
export function describeReport(report: DrillReport, file: string): string[] {
  const { standby } = report;
  const lines = [
    standby
      ? `Standby drill of ${report.production.name} (${report.stack}, ${report.production.region}; standby region ${standby.region}): ${report.backup.key} from the standby's copy s3://${report.backup.bucket} into the throwaway deployment ${report.throwaway.name} in ${standby.region}.`
      : `Drill of ${report.production.name} (${report.stack}, ${report.production.region}): ${report.backup.key} from s3://${report.backup.bucket} into the throwaway deployment ${report.throwaway.name}.`,
  ];
  for (const p of report.phases)
    lines.push(
      `  ${pad(p.status, 11)} ${pad(p.phase, 9)} ${p.seconds === undefined ? '' : pad(`${p.seconds} s`, 9)}${p.detail ? ` ${p.detail}` : ''}`.trimEnd(),
    );
  if (report.login)
    lines.push(
      `Logged in to ${report.throwaway.url ?? 'the throwaway'} as ${report.login.user} (the drill's own user, ${report.login.removed ? 'deleted afterwards' : 'NOT deleted: the teardown takes it with the throwaway'}): POST ${report.login.endpoint} answered ${report.login.status}.`,
    );
  if (report.comparisons.length > 0) {
    lines.push('Restored against the backup:');
    for (const c of report.comparisons)
      lines.push(
        `  ${c.passed ? 'passed' : 'FAILED'}  ${c.what}: backup ${c.backup ?? '(none)'}, restored ${c.restored ?? '(none)'}${c.note ? ` (${c.note})` : ''}`,
      );
  }
  if (report.recoveryMinutes !== undefined)
    lines.push(
      `Recovery time to plan for (synth, apply${report.source === 'etcd-snapshot' ? ', the snapshot restore' : ' with the restore'}, until /ping answers${standby ? `, in ${standby.region}` : ''}): ${report.recoveryMinutes} minutes.`,
    );
  if (standby)
    lines.push(
      `Data a failover would have lost (RPO): the backup restored was ${standby.rpoMinutes} minutes old when the drill began (backups.schedule allows ${standby.allowedMinutes}).`,
    );
  lines.push('What this drill does not prove:');
  for (const n of report.notProven) lines.push(`  - ${n}`);
  lines.push(`Result: ${report.passed ? 'PASSED' : 'FAILED'}. Report: ${file}`);
  return lines;
}
